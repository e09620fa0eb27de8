//! Paging of listings: a `limit` and an opaque `cursor` that names the last item of the
//! previous page by its sort key and id, so that pages stay stable while items are added.

use portal_api::Page;

use crate::error::ApiError;

/// Items per page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most items one page may hold.
pub const MAX_LIMIT: u32 = 100;

/// One page of a listing as asked for: its size and where it resumes, both checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    /// The sort key and id of the previous page's last item; `None` for the first page.
    pub after: Option<(String, String)>,
}

impl Window {
    /// Check a listing's `limit` and `cursor` query parameters, the limit first.
    pub fn new(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, ApiError> {
        Ok(Self {
            limit: self::limit(limit)?,
            after: after(cursor)?,
        })
    }

    /// How many items to fetch: one more than the page holds, which tells whether a next page
    /// exists.
    pub fn fetch(&self) -> u32 {
        self.limit + 1
    }

    /// The page out of `items`, fetched with [`Window::fetch`], keyed as they are sorted.
    pub fn page<T>(&self, items: Vec<T>, key: impl Fn(&T) -> (String, String)) -> Page<T> {
        page(items, self.limit, key)
    }
}

/// The page size asked for, checked.
pub fn limit(asked: Option<u32>) -> Result<u32, ApiError> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n @ 1..=MAX_LIMIT) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            "limit",
            format!("Ask for 1 to {MAX_LIMIT} items per page."),
        )),
    }
}

/// The sort key and id a cursor names; `None` for the first page.
pub fn after(cursor: Option<&str>) -> Result<Option<(String, String)>, ApiError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    decode(cursor).map(Some).ok_or_else(|| {
        ApiError::invalid(
            "cursor",
            "This cursor is not one the server gave out; start again from the first page.",
        )
    })
}

/// The page of at most `limit` items out of `items` (fetched with one extra, which tells
/// whether a next page exists), with the cursor of its last item.
pub fn page<T>(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> (String, String)) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if items.len() <= limit {
        return Page::last(items);
    }
    items.truncate(limit);
    let next_cursor = items.last().map(|last| {
        let (sort_key, id) = key(last);
        encode(&sort_key, &id)
    });
    Page {
        value: items,
        next_cursor,
        total_count: None,
    }
}

/// Hex of `key`, a NUL, and `id`: opaque to callers, safe in a URL, and any text round-trips.
fn encode(key: &str, id: &str) -> String {
    let mut bytes = key.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(id.as_bytes());
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode(cursor: &str) -> Option<(String, String)> {
    if !cursor.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Vec<u8> = (0..cursor.len())
        .step_by(2)
        .map(|i| {
            cursor
                .get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<_>>()?;
    let split = bytes.iter().position(|b| *b == 0)?;
    let key = String::from_utf8(bytes[..split].to_vec()).ok()?;
    let id = String::from_utf8(bytes[split + 1..].to_vec()).ok()?;
    // The server never gives out an id with a NUL, and PostgreSQL cannot compare one.
    (!id.contains('\0')).then_some((key, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_names_the_last_item_of_its_page() {
        let page = page(vec!["a", "b", "c"], 2, |s| {
            (s.to_string(), format!("id-{s}"))
        });
        assert_eq!(page.value, ["a", "b"]);
        let cursor = page.next_cursor.unwrap();
        assert_eq!(
            after(Some(&cursor)).unwrap(),
            Some(("b".to_owned(), "id-b".to_owned()))
        );
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        assert_eq!(
            page(vec![1, 2], 2, |n| (n.to_string(), n.to_string())).next_cursor,
            None
        );
    }

    #[test]
    fn a_made_up_cursor_is_refused_and_a_bad_limit_too() {
        assert!(after(Some("zz")).is_err());
        assert!(after(Some("6162")).is_err());
        assert!(after(Some("610000")).is_err(), "an id holding a NUL");
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
        assert_eq!(limit(None).unwrap(), 20);
    }
}
