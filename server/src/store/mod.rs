//! All SQL lives below here. One schema, kept in two migration folders (SQLite and
//! PostgreSQL) that differ only where the two dialects do.

pub mod audit;
pub mod catalog;
pub mod directory;
pub mod generate;
pub mod lease;
pub mod outbox;
pub mod plans;
pub mod policies;
pub mod request_rows;
pub mod requests;
pub mod scim;
pub mod sign_in;
pub mod sql;
pub mod unique;
pub mod webhooks;

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

/// A name stored in the database (`pendingApproval`, `site`) as the wire enum it names; one the
/// portal does not know is an error that says which, never a default.
pub fn named<T>(name: &str) -> sqlx::Result<T>
where
    T: std::str::FromStr<Err = portal_api::UnknownName>,
{
    name.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))
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
            anyhow::bail!(
                "unsupported database URL {:?}: use sqlite://FILE or postgres://…",
                redacted(url)
            );
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_file(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            // Short: a call that cannot get a connection soon is answered 503 busy (with
            // Retry-After) rather than queued behind the others for seconds.
            .acquire_timeout(Duration::from_secs(2))
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
            .with_context(|| format!("cannot open the database at {}", redacted(&url)))?;
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

    /// Refresh the planner's statistics, so that it picks the indexes a tenant of this size
    /// needs (after a bulk load, above all). SQLite samples a bounded part of each index, so
    /// this takes well under a second at any size.
    pub async fn analyze(&self) -> sqlx::Result<()> {
        let text = match self.backend {
            Backend::Sqlite => "PRAGMA analysis_limit = 1000; ANALYZE",
            Backend::Postgres => "ANALYZE",
        };
        sqlx::raw_sql(text).execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

/// `url` fit for errors and logs: a password, in the user part or in the query, shows as
/// `***`.
pub fn redacted(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let authority = &base[authority_start..authority_end];
    let mut out = base[..authority_start].to_owned();
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            match user_info.split_once(':') {
                Some((user, _password)) => out.push_str(&format!("{user}:***")),
                None => out.push_str(user_info),
            }
            out.push('@');
            out.push_str(host);
        }
        None => out.push_str(authority),
    }
    out.push_str(&base[authority_end..]);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_database_url_is_hidden() {
        assert_eq!(
            redacted("postgres://portal:s3cr@t@db.example.com:5432/portal?sslmode=require"),
            "postgres://portal:***@db.example.com:5432/portal?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://db.example.com/portal?user=portal&password=s3cret"),
            "postgres://db.example.com/portal?user=portal&password=***"
        );
        assert_eq!(
            redacted("sqlite://data/portal.db"),
            "sqlite://data/portal.db"
        );
    }

    #[tokio::test]
    async fn a_database_that_cannot_be_opened_is_named_without_its_password() {
        for url in [
            "postgres://portal:s3cret@127.0.0.1:1/portal?sslmode=bogus",
            "mysql://portal:s3cret@127.0.0.1:1/portal",
        ] {
            let Err(err) = Db::connect(url).await else {
                panic!("{url} cannot be opened");
            };
            let message = format!("{err:#} {err:?}");
            assert!(!message.contains("s3cret"), "{message}");
            assert!(message.contains("portal:***@127.0.0.1:1"), "{message}");
        }
    }
}
