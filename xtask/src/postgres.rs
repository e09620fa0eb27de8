//! A local PostgreSQL for the API tests: installed from Debian's packages when missing,
//! started when down, reached over loopback with a password.

use std::process::Command;

use anyhow::{Context, bail};

use crate::process::run;
use crate::step;
use crate::tools::ensure_debian_packages;

/// The password xtask gives the `postgres` role of the local test cluster.
const PASSWORD: &str = "postgres";

/// Make sure a cluster runs, and return the URL of its `postgres` database; the tests create
/// a fresh database beside it for each test.
pub fn ensure_running() -> anyhow::Result<String> {
    ensure_debian_packages(&["postgresql"])?;
    let cluster = cluster()?;
    if cluster.status != "online" {
        step(format!(
            "Starting PostgreSQL {} ({})",
            cluster.version, cluster.name
        ));
        run(Command::new("pg_ctlcluster").args([&cluster.version, &cluster.name, "start"]))?;
    }
    // Peer authentication over the socket lets root act as the postgres role once, to set the
    // password that the tests use over TCP.
    let sql = format!("ALTER USER postgres PASSWORD '{PASSWORD}'");
    run(Command::new("runuser").args([
        "-u",
        "postgres",
        "--",
        "psql",
        "-p",
        &cluster.port,
        "-qc",
        &sql,
    ]))?;
    Ok(format!(
        "postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres",
        cluster.port
    ))
}

struct Cluster {
    version: String,
    name: String,
    port: String,
    status: String,
}

fn cluster() -> anyhow::Result<Cluster> {
    let output = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .context("pg_lsclusters (postgresql-common) is missing")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let Some(line) = text.lines().next() else {
        bail!(
            "PostgreSQL is installed but has no cluster; create one with `pg_createcluster 15 main`"
        );
    };
    let fields: Vec<&str> = line.split_whitespace().collect();
    match fields.as_slice() {
        [version, name, port, status, ..] => Ok(Cluster {
            version: (*version).to_owned(),
            name: (*name).to_owned(),
            port: (*port).to_owned(),
            status: (*status).to_owned(),
        }),
        _ => bail!("cannot read pg_lsclusters: {line:?}"),
    }
}
