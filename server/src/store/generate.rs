//! Bulk writing for `portal-server generate`: rows collected per table and written as multi-row
//! INSERTs with `$N` placeholders, which SQLite and PostgreSQL both read through sqlx Any.

use sqlx::AnyConnection;

/// The most placeholders one statement carries: far under SQLite's limit (32 766) and
/// PostgreSQL's (65 535).
const MAX_PARAMETERS: usize = 1_000;

/// One value of a row. NULLs carry their type, since PostgreSQL refuses a text NULL for a
/// BIGINT column.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
    NullText,
    NullInt,
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Self {
        value.map_or(Self::NullText, Self::Text)
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Self::NullInt, Self::Int)
    }
}

/// Rows waiting to be written to one table.
#[derive(Debug)]
pub struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Value>,
}

impl Rows {
    /// An empty batch for `table`, whose rows give `columns` in this order.
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            values: Vec::new(),
        }
    }

    /// Add one row; it must give a value for every column.
    pub fn push<const N: usize>(&mut self, row: [Value; N]) {
        debug_assert_eq!(N, self.columns.len(), "a row of {}", self.table);
        self.values.extend(row);
    }

    /// How many rows wait.
    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    /// Whether no row waits.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Write the waiting rows on `conn` (inside the caller's transaction) and forget them.
    pub async fn flush(&mut self, conn: &mut AnyConnection) -> sqlx::Result<()> {
        let width = self.columns.len();
        let rows_per_statement = (MAX_PARAMETERS / width).max(1);
        let values = std::mem::take(&mut self.values);
        for chunk in values.chunks(rows_per_statement * width) {
            let text = insert_text(self.table, self.columns, chunk.len() / width);
            let mut query = sqlx::query(&text);
            for value in chunk {
                query = match value {
                    Value::Text(text) => query.bind(text.as_str()),
                    Value::Int(number) => query.bind(*number),
                    Value::NullText => query.bind(None::<String>),
                    Value::NullInt => query.bind(None::<i64>),
                };
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// `INSERT INTO table (a, b) VALUES ($1, $2), ($3, $4), …` for `rows` rows.
fn insert_text(table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let mut text = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for row in 0..rows {
        if row > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for column in 0..width {
            if column > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("${}", row * width + column + 1));
        }
        text.push(')');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::insert_text;

    #[test]
    fn rows_are_numbered_one_placeholder_after_another() {
        assert_eq!(
            insert_text("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
