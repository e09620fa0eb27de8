//! Catalog as code: a TOML file that declares users, groups, catalogs, access packages and
//! their policies. Importing creates what is missing and updates what changed; importing the
//! same file twice changes nothing. Things the file does not name are left alone, so requests
//! made under a policy keep it.
//!
//! ```toml
//! [[users]]
//! id = "adele"
//! displayName = "Adele Vance"
//! userPrincipalName = "adele@contoso.com"
//! manager = "megan"
//!
//! [[packages]]
//! id = "sales-crm"
//! catalog = "sales"
//! displayName = "Sales CRM"
//! resourceRoles = [{ role = "User", resource = "CRM", type = "application" }]
//!
//! [[packages.policies]]
//! id = "sales-crm-a"
//! displayName = "60 days, manager approval"
//! isApprovalRequiredForAdd = true
//! expiration = { type = "afterDuration", durationDays = 60 }
//! stages = [{ primaryApprovers = ["requestorManager"] }]
//! ```
//!
//! The file's format is in `format.rs`, what makes a file valid in `checks.rs`, and how it
//! becomes rows in `write.rs`.

use std::path::Path;

use anyhow::Context;

use crate::store::Db;

mod checks;
mod format;
mod write;

pub use format::{
    CatalogEntry, CatalogFile, ConnectorEntry, GroupEntry, PackageEntry, PolicyEntry,
    QuestionEntry, RoleEntry, StageEntry, UserEntry,
};
pub use write::{Summary, apply};

/// Read, check and apply the catalog file at `path`.
pub async fn import_file(db: &Db, path: &Path) -> anyhow::Result<Summary> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the catalog file {}", path.display()))?;
    let file = parse(&text).with_context(|| format!("in the catalog file {}", path.display()))?;
    apply(db, &file).await
}

/// Parse and check a catalog file: every reference must name something the file declares.
pub fn parse(text: &str) -> anyhow::Result<CatalogFile> {
    let file: CatalogFile = toml::from_str(text)?;
    let problems = checks::problems(&file);
    if !problems.is_empty() {
        anyhow::bail!(
            "the catalog file has {} problem(s):\n- {}",
            problems.len(),
            problems.join("\n- ")
        );
    }
    Ok(file)
}
