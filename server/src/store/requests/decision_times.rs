//! How long a package's requests wait for a decision. Each decision that ends an approval
//! writes its wait to `decision_waits`; the figure the request pane shows (the median and 90th
//! percentile of the latest waits, as `domain::stats` computes them) is kept per package in
//! `decision_times`: written again in the transaction of every such decision, and filled on
//! the first read of a package that no decision has changed since the table came. A read is
//! then one row of one index, whatever the package's history.

use chrono::TimeDelta;
use portal_api::DecisionTime;
use sqlx::{Any, AnyConnection};

use crate::domain::{clock, stats};
use crate::store::Db;
use crate::store::sql::Sql;

/// How many of a package's latest decisions its figure is computed from, at most.
pub const SAMPLE: u32 = 200;

/// What the store holds for a package's decision time.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    /// There is no package with this id.
    NoSuchPackage,
    /// The package's figure, as last computed.
    Figure(DecisionTime),
    /// The package exists but its figure was never computed: see [`fill`].
    NotYet,
}

/// The decision time kept for `package_id`, read together with whether the package exists.
pub async fn decision_time(db: &Db, package_id: &str) -> sqlx::Result<Kept> {
    let found: Vec<KeptRow> = kept_query(package_id).fetch_all(&db.pool).await?;
    let Some(row) = found.into_iter().next() else {
        return Ok(Kept::NoSuchPackage);
    };
    let Some(sample_size) = row.sample_size else {
        return Ok(Kept::NotYet);
    };
    Ok(Kept::Figure(DecisionTime {
        sample_size: u32::try_from(sample_size).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        median_hours: row.median_tenths.map(from_tenths),
        p90_hours: row.p90_tenths.map(from_tenths),
    }))
}

/// A package and its kept figure, all `None` when there is none yet.
#[derive(Debug, sqlx::FromRow)]
struct KeptRow {
    sample_size: Option<i64>,
    median_tenths: Option<i64>,
    p90_tenths: Option<i64>,
}

/// The query of [`decision_time`]: the package by id, with its kept figure if there is one.
pub(crate) fn kept_query(package_id: &str) -> Sql {
    let mut query = Sql::new(
        "SELECT kept.sample_size, kept.median_tenths, kept.p90_tenths FROM access_packages p \
         LEFT JOIN decision_times kept ON kept.package_id = p.id WHERE p.id = ",
    );
    query.text(package_id.to_owned());
    query
}

/// Compute `package_id`'s figure from its latest waits and keep it, unless a decision has
/// kept a newer one meanwhile (whose figure then stands).
pub async fn fill(db: &Db, package_id: &str) -> sqlx::Result<DecisionTime> {
    let time = compute(&db.pool, package_id).await?;
    keep(&db.pool, package_id, &time, "DO NOTHING").await?;
    Ok(time)
}

/// Compute `package_id`'s figure again and keep it, inside the transaction of a decision that
/// has just written its wait.
pub async fn refresh(conn: &mut AnyConnection, package_id: &str) -> sqlx::Result<()> {
    let time = compute(&mut *conn, package_id).await?;
    keep(
        &mut *conn,
        package_id,
        &time,
        "DO UPDATE SET sample_size = excluded.sample_size, \
         median_tenths = excluded.median_tenths, p90_tenths = excluded.p90_tenths",
    )
    .await
}

/// The query of a package's latest waits: `limit` entries of the index by package and
/// decision time.
pub(crate) fn decision_waits_query(package_id: &str, limit: u32) -> Sql {
    let mut query =
        Sql::new("SELECT submitted_at, decided_at FROM decision_waits WHERE package_id = ");
    query.text(package_id.to_owned());
    query.push(" ORDER BY decided_at DESC, request_id DESC LIMIT ");
    query.int(i64::from(limit));
    query
}

async fn compute<'e, E>(executor: E, package_id: &str) -> sqlx::Result<DecisionTime>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let rows: Vec<(String, String)> = decision_waits_query(package_id, SAMPLE)
        .fetch_all(executor)
        .await?;
    let waits: Vec<TimeDelta> = rows
        .into_iter()
        .filter_map(|(submitted, decided)| {
            Some(clock::parse(&decided)? - clock::parse(&submitted)?)
        })
        .collect();
    Ok(stats::decision_time(waits))
}

async fn keep<'e, E>(
    executor: E,
    package_id: &str,
    time: &DecisionTime,
    on_conflict: &str,
) -> sqlx::Result<()>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let sql = format!(
        "INSERT INTO decision_times (package_id, sample_size, median_tenths, p90_tenths) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (package_id) {on_conflict}"
    );
    sqlx::query(&sql)
        .bind(package_id)
        .bind(i64::from(time.sample_size))
        .bind(time.median_hours.map(to_tenths))
        .bind(time.p90_hours.map(to_tenths))
        .execute(executor)
        .await?;
    Ok(())
}

/// Hours as kept: in tenths (the figure has one decimal).
fn to_tenths(hours: f64) -> i64 {
    (hours * 10.0).round() as i64
}

fn from_tenths(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_with_one_decimal_are_kept_exactly_in_tenths() {
        for hours in [0.0, 0.1, 2.5, 3.3, 47.9, 1234.6] {
            assert_eq!(from_tenths(to_tenths(hours)), hours);
        }
    }
}
