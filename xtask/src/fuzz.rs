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

/// Who the fuzzer calls as: a requestor with packages to ask for, and her manager, who
/// approves them.
const REQUESTOR: &str = "adele@contoso.com";
const APPROVER: &str = "megan@contoso.com";

/// Requests the requestor has waiting for the approver before the fuzzer starts, so that the
/// approver's list and decisions have real requests to work on.
const WAITING: &[&str] = &[
    r#"{"accessPackageId":"sales-crm","assignmentPolicyId":"sales-crm-a"}"#,
    r#"{"accessPackageId":"office-parking","assignmentPolicyId":"office-parking-manager"}"#,
    r#"{"accessPackageId":"travel-expenses","assignmentPolicyId":"travel-expenses-requestors",
        "justification":"Customer visits","answers":[{"questionId":"costCenter","value":"CC-1234"},
        {"questionId":"region","value":"emea"}]}"#,
];

/// Build and start the server, then run schemathesis against it; an error when it finds
/// anything.
pub fn fuzz(schemathesis: &Path) -> anyhow::Result<()> {
    let root = root();
    run(Command::new("cargo").args(["build", "--quiet", "-p", "portal-server"]))?;
    let server = DemoServer::start(&root.join("target/debug/portal-server"), "fuzz", "error")?;
    let requestor = server.demo_token(REQUESTOR)?;
    let approver = server.demo_token(APPROVER)?;
    for body in WAITING {
        let answer = server.post(&requestor, "/assignmentRequests", body)?;
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
        .env("PORTAL_FUZZ_APPROVER_TOKEN", &approver))
    .context("schemathesis found answers that break the API's own description (above)")
}
