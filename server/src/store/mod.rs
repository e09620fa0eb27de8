//! All SQL lives below here. One schema, kept in two migration folders (SQLite and
//! PostgreSQL) that differ only where the two dialects do.

pub mod audit;
pub mod catalog;
pub mod directory;
pub mod outbox;
pub mod requests;
pub mod sql;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// A flag as stored: 0 or 1 (see the migrations for why not BOOLEAN).
pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// The person a `LEFT JOIN users` found, from its id, name and mail columns; `None` when it
/// found no one.
pub fn user_ref(
    id: Option<String>,
    display_name: Option<String>,
    mail: Option<String>,
) -> Option<portal_api::UserRef> {
    Some(portal_api::UserRef {
        id: id?,
        display_name: display_name?,
        mail: mail?,
    })
}

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to the portal's database.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl Db {
    /// Connect to `url` and bring its schema up to date. A SQLite file (and its folder) is
    /// created when missing.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("unsupported database URL {url:?}: use sqlite://FILE or postgres://…");
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_file(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout
                        // makes a second writer wait its turn instead of failing. FULL syncs
                        // the log at every commit, so what was acknowledged survives a power
                        // cut too, not only a crash of the process.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                                      PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .with_context(|| format!("cannot open the database at {url}"))?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .context("cannot migrate the database")?;
        Ok(Self { pool, backend })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

/// Make sure the file's folder exists and that SQLite may create the file.
fn prepare_sqlite_file(url: &str) -> anyhow::Result<String> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    if file != ":memory:"
        && let Some(dir) = std::path::Path::new(file)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else {
        join_query(query, "mode=rwc")
    };
    // Validate the URL the way the SQLite driver will read it, so a typo fails here.
    let url = format!("sqlite://{file}?{query}");
    sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .with_context(|| format!("not a SQLite URL: {url}"))?;
    Ok(url)
}

fn join_query(query: &str, extra: &str) -> String {
    if query.is_empty() {
        extra.to_owned()
    } else {
        format!("{query}&{extra}")
    }
}
