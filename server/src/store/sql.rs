//! A small query builder for SQL assembled at run time. sqlx's `QueryBuilder<Any>` writes `?`
//! placeholders, which PostgreSQL does not accept; this one writes `$1, $2, …`, which both
//! databases read (sqlx's SQLite driver maps `$N` to argument N).

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, FromRow, Row};

use super::Backend;

/// Which way a listing runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Ascending,
    Descending,
}

/// SQL text with its arguments, numbered as they are added.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

impl Sql {
    /// Start with `text`.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Append SQL text as it is.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder for the text `value`.
    pub fn text(&mut self, value: impl Into<String>) -> &mut Self {
        self.arg(Arg::Text(value.into()))
    }

    /// Append a placeholder for the integer `value`.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.arg(Arg::Int(value))
    }

    /// Append `(…)` with one text placeholder per value, for `IN`.
    pub fn text_list(&mut self, values: impl IntoIterator<Item = String>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.text(value);
        }
        self.push(")")
    }

    /// Append the end of a listing paged by keys: sorted by `key_column`, then `id_column`
    /// (which breaks ties), in `order`; when `after` names the last item of the previous page,
    /// first ` AND` the condition that a row comes after it; then ` ORDER BY` and ` LIMIT`.
    pub fn keyset_page(
        &mut self,
        (key_column, id_column): (&str, &str),
        order: Order,
        after: Option<&(String, String)>,
        limit: u32,
    ) -> &mut Self {
        let (beyond, direction) = match order {
            Order::Ascending => (">", ""),
            Order::Descending => ("<", " DESC"),
        };
        if let Some((key, id)) = after {
            self.push(&format!(" AND ({key_column} {beyond} "));
            self.text(key.as_str());
            self.push(&format!(" OR ({key_column} = "));
            self.text(key.as_str());
            self.push(&format!(" AND {id_column} {beyond} "));
            self.text(id.as_str());
            self.push("))");
        }
        self.push(&format!(
            " ORDER BY {key_column}{direction}, {id_column}{direction} LIMIT "
        ));
        self.int(i64::from(limit))
    }

    /// Run the query on `executor` (the pool, or a connection inside a transaction) and read
    /// every row as `O`.
    pub async fn fetch_all<'e, O, E>(&self, executor: E) -> sqlx::Result<Vec<O>>
    where
        O: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
        E: sqlx::Executor<'e, Database = Any>,
    {
        let mut query = sqlx::query_as::<_, O>(&self.text);
        for arg in &self.args {
            query = match arg {
                Arg::Text(value) => query.bind(value.clone()),
                Arg::Int(value) => query.bind(*value),
            };
        }
        query.fetch_all(executor).await
    }

    /// How the database would run the query: the lines of SQLite's `EXPLAIN QUERY PLAN` (its
    /// `detail` column) or of PostgreSQL's `EXPLAIN`.
    pub async fn plan(
        &self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> sqlx::Result<Vec<String>> {
        let (prefix, column) = match backend {
            Backend::Sqlite => ("EXPLAIN QUERY PLAN ", "detail"),
            Backend::Postgres => ("EXPLAIN ", "QUERY PLAN"),
        };
        let text = format!("{prefix}{}", self.text);
        let mut query = sqlx::query(&text);
        for arg in &self.args {
            query = match arg {
                Arg::Text(value) => query.bind(value.clone()),
                Arg::Int(value) => query.bind(*value),
            };
        }
        let rows = query.fetch_all(conn).await?;
        rows.iter()
            .map(|row| row.try_get::<String, _>(column))
            .collect()
    }

    fn arg(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.text("x")
            .push(" AND b IN ")
            .text_list(["y".to_owned(), "z".to_owned()]);
        sql.push(" LIMIT ").int(3);
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3) LIMIT $4");
    }

    #[test]
    fn a_keyset_page_resumes_after_the_key_then_the_id() {
        let mut sql = Sql::new("SELECT 1 WHERE x");
        let after = ("k1".to_owned(), "i1".to_owned());
        sql.keyset_page(("k", "i"), Order::Descending, Some(&after), 5);
        assert_eq!(
            sql.text,
            "SELECT 1 WHERE x AND (k < $1 OR (k = $2 AND i < $3)) ORDER BY k DESC, i DESC LIMIT $4"
        );
        let mut sql = Sql::new("SELECT 1 WHERE x");
        sql.keyset_page(("k", "i"), Order::Ascending, None, 5);
        assert_eq!(sql.text, "SELECT 1 WHERE x ORDER BY k, i LIMIT $1");
    }
}
