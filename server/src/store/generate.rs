//! Bulk writing for `portal-server generate`: rows collected per table and written as multi-row
//! INSERTs through sqlx Any, on one connection set up for a bulk load ([`BulkLoad`]).

use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

use super::{Backend, Db};

/// The most placeholders one statement carries: under SQLite's limit (32 766) and
/// PostgreSQL's (65 535). The text of a full statement is the same every time, so each
/// connection prepares it once; far bigger ones are slower, not faster (tried with 16 000:
/// binding costs grow faster than the statement).
const MAX_PARAMETERS: usize = 2_000;

/// One connection set up to write a whole tenant at once: the secondary indexes of the tables
/// it fills are dropped and built again at the end (one sort each, instead of an update per
/// row), commits do not wait for the disk (a failed generation leaves a database to throw
/// away in any case), and foreign keys are not checked row by row: the generator writes every
/// row after the rows it refers to, and those checks (an index lookup per reference, several
/// per row) were most of PostgreSQL's time. [`BulkLoad::finish`] restores all three.
pub struct BulkLoad {
    conn: PoolConnection<Any>,
    backend: Backend,
    /// The indexes dropped: name and the statement that creates it again.
    dropped: Vec<(String, String)>,
    /// Whether foreign keys went unchecked, to be checked again at the end.
    unchecked: bool,
}

impl BulkLoad {
    /// Take a connection from `db` for the load.
    pub async fn begin(db: &Db) -> sqlx::Result<Self> {
        let mut conn = db.pool.acquire().await?;
        let settings = match db.backend {
            // 256 MiB of page cache, and no sync at commit.
            Backend::Sqlite => "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144",
            Backend::Postgres => "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'",
        };
        sqlx::raw_sql(settings).execute(&mut *conn).await?;
        let unchecked = match db.backend {
            Backend::Sqlite => "PRAGMA foreign_keys = OFF",
            // Only a superuser may turn the checks off (as `cargo xtask bench` connects);
            // anyone else loads with them on, more slowly.
            Backend::Postgres => "SET session_replication_role = replica",
        };
        let unchecked = match sqlx::raw_sql(unchecked).execute(&mut *conn).await {
            Ok(_) => true,
            Err(err) => {
                tracing::info!(%err, "foreign keys stay checked during the load");
                false
            }
        };
        Ok(Self {
            conn,
            backend: db.backend,
            dropped: Vec::new(),
            unchecked,
        })
    }

    /// Which database the load writes to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection to write on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    /// Drop the secondary indexes of `tables` (not those behind a primary key or a unique
    /// constraint, which the tables declare), to build them again in [`BulkLoad::finish`].
    pub async fn drop_indexes(&mut self, tables: &[&str]) -> sqlx::Result<()> {
        let mut query = super::sql::Sql::new(match self.backend {
            Backend::Sqlite => {
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                 AND tbl_name IN "
            }
            Backend::Postgres => {
                "SELECT c.relname::text, pg_get_indexdef(c.oid) FROM pg_index x \
                 JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
                 WHERE t.relnamespace = current_schema()::regnamespace \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) \
                 AND t.relname::text IN "
            }
        });
        query.text_list(tables.iter().map(|t| (*t).to_owned()));
        let indexes: Vec<(String, String)> = query.fetch_all(&mut *self.conn).await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX {name}"))
                .execute(&mut *self.conn)
                .await?;
        }
        self.dropped.extend(indexes);
        Ok(())
    }

    /// Build the dropped indexes again and restore the connection's settings; how long the
    /// indexes took.
    pub async fn finish(mut self) -> sqlx::Result<Duration> {
        let started = Instant::now();
        for (_, create) in std::mem::take(&mut self.dropped) {
            sqlx::raw_sql(&create).execute(&mut *self.conn).await?;
        }
        let took = started.elapsed();
        let settings = match self.backend {
            // As `Db::connect` sets every connection up.
            Backend::Sqlite => "PRAGMA synchronous = FULL; PRAGMA cache_size = -16384",
            Backend::Postgres => "RESET synchronous_commit; RESET maintenance_work_mem",
        };
        sqlx::raw_sql(settings).execute(&mut *self.conn).await?;
        if self.unchecked {
            let checked = match self.backend {
                Backend::Sqlite => "PRAGMA foreign_keys = ON",
                Backend::Postgres => "RESET session_replication_role",
            };
            sqlx::raw_sql(checked).execute(&mut *self.conn).await?;
        }
        Ok(took)
    }
}

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
    /// Time spent writing this table so far.
    spent: Duration,
}

impl Rows {
    /// An empty batch for `table`, whose rows give `columns` in this order.
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            values: Vec::new(),
            spent: Duration::ZERO,
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

    /// The table, and how long writing its rows took so far.
    pub fn spent(&self) -> (&'static str, Duration) {
        (self.table, self.spent)
    }

    /// Write the waiting rows on `conn` (inside the caller's transaction) and forget them.
    pub async fn flush(&mut self, conn: &mut AnyConnection, backend: Backend) -> sqlx::Result<()> {
        let started = Instant::now();
        let width = self.columns.len();
        let rows_per_statement = (MAX_PARAMETERS / width).max(1);
        let values = std::mem::take(&mut self.values);
        for chunk in values.chunks(rows_per_statement * width) {
            let text = insert_text(self.table, self.columns, chunk.len() / width, backend);
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
        self.spent += started.elapsed();
        Ok(())
    }
}

/// `INSERT INTO table (a, b) VALUES ($1, $2), ($3, $4), …` for `rows` rows; on SQLite with
/// anonymous `?` placeholders instead. The SQLite driver looks each `$N` up by name, and
/// SQLite finds a name by walking the statement's list of names: a walk per parameter, so a
/// statement of 2 000 was quadratic and took two thirds of a whole generation. Anonymous ones
/// are bound by position.
fn insert_text(table: &str, columns: &[&str], rows: usize, backend: Backend) -> String {
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
            match backend {
                Backend::Sqlite => text.push('?'),
                Backend::Postgres => text.push_str(&format!("${}", row * width + column + 1)),
            }
        }
        text.push(')');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::insert_text;
    use crate::store::Backend;

    #[test]
    fn rows_are_numbered_one_placeholder_after_another() {
        assert_eq!(
            insert_text("t", &["a", "b"], 2, Backend::Postgres),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }

    #[test]
    fn sqlite_rows_take_their_values_by_position() {
        assert_eq!(
            insert_text("t", &["a", "b"], 2, Backend::Sqlite),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
