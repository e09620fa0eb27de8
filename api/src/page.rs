//! One page of a listing, with the cursor that fetches the next.

use serde::{Deserialize, Serialize};

/// A page of results. `nextCursor` is absent on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub value: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// How many items the whole listing has, on every page, where the listing counts them
    /// (the approvals waiting for the caller do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

impl<T> Page<T> {
    /// A page that is also the last one.
    pub fn last(value: Vec<T>) -> Self {
        Self {
            value,
            next_cursor: None,
            total_count: None,
        }
    }

    /// This page, saying how many items the whole listing has.
    pub fn counting(self, total: u64) -> Self {
        Self {
            total_count: Some(total),
            ..self
        }
    }
}
