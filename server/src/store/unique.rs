//! The unique indexes a person's write can run into, by the names server/migrations/ give
//! them, and the sentence that tells the person what happened: every "already exists" the
//! database decides is worded here, once.

use sqlx::error::DatabaseError;

/// A unique index that refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// `one_open_request_per_package`: one open request per person and package.
    OpenRequest,
    /// `one_assignment_per_package`: a person holds a package at most once.
    Assignment,
    /// `users.user_principal_name UNIQUE`: one user per sign-in name (SCIM `userName`).
    UserName,
    /// `users_by_external_id`: one user per identity-provider id.
    UserExternalId,
    /// `groups_by_external_id`: one group per identity-provider id.
    GroupExternalId,
}

/// Each index with its name in PostgreSQL, and the columns SQLite names instead: SQLite's
/// message ("UNIQUE constraint failed: users.external_id") lists columns, not the index.
const INDEXES: [(Unique, &str, &str); 5] = [
    (
        Unique::OpenRequest,
        "one_open_request_per_package",
        "assignment_requests.requestor_id, assignment_requests.package_id",
    ),
    (
        Unique::Assignment,
        "one_assignment_per_package",
        "assignments.user_id, assignments.package_id",
    ),
    (
        Unique::UserName,
        "users_user_principal_name_key",
        "users.user_principal_name",
    ),
    (
        Unique::UserExternalId,
        "users_by_external_id",
        "users.external_id",
    ),
    (
        Unique::GroupExternalId,
        "groups_by_external_id",
        "groups.external_id",
    ),
];

/// What a refused write was about, so that its sentence can name it; what is not known is
/// said in general words ("this package").
#[derive(Debug, Clone, Copy, Default)]
pub struct About<'a> {
    /// The package's display name.
    pub package: Option<&'a str>,
    /// The display name of the person the write was for.
    pub person: Option<&'a str>,
}

impl Unique {
    /// Which of the indexes above refused this write; `None` for any other error, other
    /// unique keys (a repeated primary key) included.
    pub fn of(err: &sqlx::Error) -> Option<Self> {
        let sqlx::Error::Database(db) = err else {
            return None;
        };
        if !db.is_unique_violation() {
            return None;
        }
        Self::named(db.as_ref())
    }

    fn named(db: &dyn DatabaseError) -> Option<Self> {
        let message = db.message();
        INDEXES
            .iter()
            .find(|(_, name, columns)| {
                db.constraint() == Some(*name)
                    || message.strip_prefix("UNIQUE constraint failed: ") == Some(*columns)
            })
            .map(|(unique, ..)| *unique)
    }

    /// What the person is told when this index refused their write.
    pub fn sentence(self, about: About<'_>) -> String {
        let package = about.package.unwrap_or("this package");
        match self {
            Self::OpenRequest => format!(
                "You already have an open request for {package}; wait for the decision, or \
                 cancel that request first."
            ),
            Self::Assignment => format!(
                "{} already has access to {package}; reload to see the request as it is now.",
                about.person.unwrap_or("The requestor")
            ),
            Self::UserName => "Another user has this userName already; find it with a filter \
                               (userName eq \"…\") and update it instead."
                .to_owned(),
            Self::UserExternalId => "Another user has this externalId already; find it with a \
                                     filter (externalId eq \"…\") and update it instead."
                .to_owned(),
            Self::GroupExternalId => "Another group has this externalId already; find it with \
                                      a filter (externalId eq \"…\") and update it instead."
                .to_owned(),
        }
    }
}
