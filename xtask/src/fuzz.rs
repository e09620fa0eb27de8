//! The API fuzzed against its own OpenAPI document: schemathesis sends a few thousand
//! generated calls to a debug portal-server on demo data and checks every answer (no 5xx, a
//! documented status, media type and schema; invalid input refused). Its settings are in
//! xtask/schemathesis.toml.

use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::process::run;
use crate::root;
use crate::server::DemoServer;

/// Who the fuzzer calls as: a requestor with packages to ask for, her manager, who approves
/// them, and an administrator, who reads and retries the fulfilment webhooks.
const REQUESTOR: &str = "adele@contoso.com";
const APPROVER: &str = "megan@contoso.com";
const ADMIN: (&str, &str) = ("lynne", "lynne@contoso.com");

/// Packages (and policies) the requestor asks for before the fuzzer starts; her manager
/// approves them all. Enough that the approver's list still holds requests after the fuzzer has
/// decided some, and that the requestor still has requests to read and cancel.
const WAITING: &[(&str, &str)] = &[
    ("sales-crm", "sales-crm-a"),
    ("office-parking", "office-parking-manager"),
    ("project-online", "project-online-manager"),
    ("guest-wifi-admins", "guest-wifi-admins-manager"),
    ("partner-portal", "partner-portal-manager"),
    ("social-media", "social-media-manager"),
    ("events-team", "events-team-manager"),
    ("customer-insights", "customer-insights-manager"),
];

/// Build and start the server, then run schemathesis against it; an error when it finds
/// anything.
pub fn fuzz(schemathesis: &Path) -> anyhow::Result<()> {
    let root = root();
    run(Command::new("cargo").args(["build", "--quiet", "-p", "portal-server"]))?;
    let server = DemoServer::start(
        &root.join("target/debug/portal-server"),
        "fuzz",
        "error",
        &["--admin", ADMIN.0],
    )?;
    let requestor = server.demo_token(REQUESTOR)?;
    let approver = server.demo_token(APPROVER)?;
    let admin = server.demo_token(ADMIN.1)?;
    for (package, policy) in WAITING {
        let body = format!(r#"{{"accessPackageId":"{package}","assignmentPolicyId":"{policy}"}}"#);
        let answer = server.post(&requestor, "/assignmentRequests", &body)?;
        if !answer.contains("\"pendingApproval\"") {
            anyhow::bail!("the fuzzer's waiting request was not accepted: {answer}");
        }
    }
    let schema = format!("{}/api/openapi.json", server.base);
    run(Command::new(schemathesis)
        .arg("--config-file")
        .arg(root.join("xtask/schemathesis.toml"))
        .args(["--no-color", "run", &schema])
        .current_dir(root.join("target"))
        .env("PORTAL_FUZZ_REQUESTOR_TOKEN", &requestor)
        .env("PORTAL_FUZZ_APPROVER_TOKEN", &approver)
        .env("PORTAL_FUZZ_ADMIN_TOKEN", &admin))
    .context("schemathesis found answers that break the API's own description (above)")
}
