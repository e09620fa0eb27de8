//! `portal-server generate`: a synthetic tenant of a given size written straight into the
//! database in bulk, so that the portal can be measured at the size of a real company.
//!
//! The same seed always gives the same tenant. What it holds:
//! - people `u0000000` … (`u0000123@contoso.com`), each with a manager: a tree ten wide;
//! - groups `g0000` …, each person a member of one or two;
//! - catalogs `c000` … (one per hundred packages) and packages `p00000` …, each with one
//!   resource role and the policy `pNNNNN-a` (all users), every third also `pNNNNN-b` (the
//!   members of one group); a policy asks no approval, the requestor's manager, a named
//!   approver, or the manager and then a named approver, and gives 30 to 365 days;
//! - finished requests spread over the last two years: delivered (with the assignment they
//!   delivered, most expired by now, some active), denied, canceled, or expired undecided,
//!   each with its stages, approvers and audit entries, without answers; but one in fifty of
//!   those that ask the requestor's manager, made in the last week, still waits for it.
//!
//! And a few people with fixed ids whom a benchmark can sign in as:
//! - `bench-manager`, the manager of eight reports (`bench-report-1` … `bench-report-7` and
//!   `bench-requestor`), with three requests of each report waiting for their approval;
//! - `bench-requestor`, with six requests: three waiting (`bench-waiting-8-1` … `-3`) and
//!   three delivered (`bench-requestor-1` … `-3`);
//! - `bench-load-01` … `bench-load-64`, with nothing at all, free to request any package.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Connection;

use crate::domain::clock::format;
use crate::store::Db;
use crate::store::generate::{BulkLoad, Rows, Value};

/// The manager whose Approvals list the benchmark reads.
pub const BENCH_MANAGER: &str = "bench-manager";
/// The requestor whose requests the benchmark reads.
pub const BENCH_REQUESTOR: &str = "bench-requestor";
/// How many people with nothing (`bench-load-01` …) there are for loading request creation.
pub const BENCH_LOAD_USERS: usize = 64;

/// How big a tenant to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub users: usize,
    pub groups: usize,
    pub packages: usize,
    pub requests: usize,
    /// The same seed gives the same tenant.
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub users: usize,
    pub groups: usize,
    pub packages: usize,
    pub policies: usize,
    pub requests: usize,
    pub assignments: usize,
    pub audit_entries: usize,
}

/// The id of generated person `index`.
pub fn user_id(index: usize) -> String {
    format!("u{index:07}")
}

/// The id of generated package `index`.
pub fn package_id(index: usize) -> String {
    format!("p{index:05}")
}

/// The id of the load person `number` (1 to [`BENCH_LOAD_USERS`]).
pub fn bench_load_user(number: usize) -> String {
    format!("bench-load-{number:02}")
}

/// Write a tenant of `size` into `db`, which must not hold one already. `now` is the end of
/// the two years the requests are spread over.
pub async fn generate(db: &Db, size: Size, now: DateTime<Utc>) -> anyhow::Result<Summary> {
    if size.users < 2 || size.groups == 0 || size.packages < 4 {
        anyhow::bail!(
            "a tenant needs at least 2 users, 1 group and 4 packages (asked for {} users, {} \
             groups, {} packages)",
            size.users,
            size.groups,
            size.packages
        );
    }
    let existing: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE id = $1")
        .bind(BENCH_MANAGER)
        .fetch_one(&db.pool)
        .await?;
    if existing.0 > 0 {
        anyhow::bail!(
            "this database already holds a generated tenant; generate into a fresh database"
        );
    }
    let started = Instant::now();
    let mut writer = Writer::new(size, now);
    let mut load = BulkLoad::begin(db).await?;
    let written = write_all(&mut writer, &mut load, size).await;
    // Whatever happened, the indexes come back and the connection is set up as before.
    let indexing = load
        .finish()
        .await
        .context("cannot build the indexes again")?;
    written?;
    let analyzing = Instant::now();
    db.analyze()
        .await
        .context("cannot refresh the planner's statistics")?;
    // Where the time went: the time to write each table, the indexes built after the load,
    // the planner's statistics; the rest is making up the rows.
    for rows in writer.tables.all() {
        let (table, spent) = rows.spent();
        tracing::info!(table, seconds = spent.as_secs_f32(), "written");
    }
    tracing::info!(
        indexes_seconds = indexing.as_secs_f32(),
        analyze_seconds = analyzing.elapsed().as_secs_f32(),
        total_seconds = started.elapsed().as_secs_f32(),
        "generated"
    );
    Ok(writer.summary)
}

/// The tables whose secondary indexes are built after the load rather than during it.
const BULK_TABLES: [&str; 7] = [
    "assignment_requests",
    "request_stages",
    "request_stage_approvers",
    "decision_waits",
    "waiting_approvals",
    "assignments",
    "audit_log",
];

async fn write_all(writer: &mut Writer, load: &mut BulkLoad, size: Size) -> anyhow::Result<()> {
    let backend = load.backend();
    writer.directory();
    writer.catalog();
    let mut tx = load.conn().begin().await?;
    writer.tables.flush(&mut tx, backend).await?;
    tx.commit().await?;
    load.drop_indexes(&BULK_TABLES).await?;
    writer.bench_requests();
    for n in 0..size.requests {
        writer.generated_request(n);
        if writer.tables.requests.len() >= REQUESTS_PER_TRANSACTION {
            let mut tx = load.conn().begin().await?;
            writer.tables.flush(&mut tx, backend).await?;
            tx.commit().await?;
        }
    }
    let mut tx = load.conn().begin().await?;
    writer.tables.flush(&mut tx, backend).await?;
    tx.commit()
        .await
        .context("cannot commit the generated tenant")?;
    Ok(())
}

/// How many requests (with their stages, assignments and audit entries) go in one transaction.
const REQUESTS_PER_TRANSACTION: usize = 25_000;

/// How long before `now` the oldest generated request was made.
const SPREAD_DAYS: i64 = 730;

const FIRST_NAMES: [&str; 12] = [
    "Adele", "Alex", "Diego", "Grady", "Isaiah", "Johanna", "Lee", "Lynne", "Megan", "Miriam",
    "Nestor", "Patti",
];
const LAST_NAMES: [&str; 12] = [
    "Vance",
    "Wilber",
    "Siciliani",
    "Archie",
    "Langer",
    "Lorenz",
    "Gu",
    "Robbins",
    "Bowen",
    "Graham",
    "Wilke",
    "Fernandez",
];
const AREAS: [&str; 12] = [
    "Sales",
    "Finance",
    "Marketing",
    "Engineering",
    "Support",
    "Legal",
    "People",
    "Research",
    "Operations",
    "Security",
    "Data",
    "Design",
];
const THINGS: [&str; 12] = [
    "CRM",
    "Wiki",
    "Dashboard",
    "Reports",
    "Repository",
    "Sandbox",
    "Tenant",
    "Portal",
    "Archive",
    "Console",
    "Budget",
    "Roster",
];
const EXPIRATION_DAYS: [i64; 4] = [30, 90, 180, 365];

/// Who approves under a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Approval {
    None,
    Manager,
    Named,
    ManagerThenNamed,
}

/// The shape of a package's policy at `position` (0 is `-a`, 1 is `-b`).
#[derive(Debug, Clone, Copy)]
struct Shape {
    approval: Approval,
    days: i64,
}

fn shape(package: usize, position: usize) -> Shape {
    let approval = match (package + position * 2) % 4 {
        0 => Approval::None,
        1 => Approval::Manager,
        2 => Approval::Named,
        _ => Approval::ManagerThenNamed,
    };
    Shape {
        approval,
        days: EXPIRATION_DAYS[(package / 4 + position) % 4],
    }
}

/// Whether package `package` has a second policy, for the members of one group.
fn has_group_policy(package: usize) -> bool {
    package.is_multiple_of(3)
}

/// Every table the generator writes, in the order their foreign keys need.
struct Tables {
    users: Rows,
    groups: Rows,
    group_members: Rows,
    catalogs: Rows,
    packages: Rows,
    resource_roles: Rows,
    policies: Rows,
    policy_targets: Rows,
    policy_stages: Rows,
    policy_stage_approvers: Rows,
    requests: Rows,
    request_stages: Rows,
    request_stage_approvers: Rows,
    decision_waits: Rows,
    waiting_approvals: Rows,
    assignments: Rows,
    audit: Rows,
}

impl Tables {
    fn new() -> Self {
        Self {
            users: Rows::new(
                "users",
                &[
                    "id",
                    "display_name",
                    "mail",
                    "user_principal_name",
                    "job_title",
                    "manager_id",
                ],
            ),
            groups: Rows::new("groups", &["id", "display_name", "description"]),
            group_members: Rows::new("group_members", &["group_id", "user_id"]),
            catalogs: Rows::new("catalogs", &["id", "display_name", "description"]),
            packages: Rows::new(
                "access_packages",
                &[
                    "id",
                    "catalog_id",
                    "display_name",
                    "description",
                    "is_hidden",
                    "search_text",
                ],
            ),
            resource_roles: Rows::new(
                "resource_roles",
                &[
                    "package_id",
                    "position",
                    "display_name",
                    "resource_name",
                    "resource_type",
                ],
            ),
            policies: Rows::new(
                "assignment_policies",
                &[
                    "id",
                    "package_id",
                    "position",
                    "display_name",
                    "description",
                    "allowed_target_scope",
                    "allow_custom_assignment_schedule",
                    "allow_extension",
                    "is_approval_required",
                    "is_requestor_justification_required",
                    "expiration_type",
                    "expiration_days",
                    "expiration_date_time",
                ],
            ),
            policy_targets: Rows::new("policy_targets", &["policy_id", "target_id"]),
            policy_stages: Rows::new(
                "policy_stages",
                &[
                    "policy_id",
                    "stage",
                    "duration_before_automatic_denial_days",
                    "is_approver_justification_required",
                ],
            ),
            policy_stage_approvers: Rows::new(
                "policy_stage_approvers",
                &["policy_id", "stage", "position", "approver_type", "user_id"],
            ),
            requests: Rows::new(
                "assignment_requests",
                &[
                    "id",
                    "request_type",
                    "state",
                    "requestor_id",
                    "package_id",
                    "policy_id",
                    "justification",
                    "schedule_start",
                    "schedule_end",
                    "created_at",
                    "completed_at",
                    "version",
                ],
            ),
            request_stages: Rows::new(
                "request_stages",
                &[
                    "request_id",
                    "stage",
                    "status",
                    "is_approver_justification_required",
                    "duration_days",
                    "due_at",
                    "decided_by",
                    "decided_at",
                    "justification",
                ],
            ),
            request_stage_approvers: Rows::new(
                "request_stage_approvers",
                &["request_id", "stage", "user_id"],
            ),
            decision_waits: Rows::new(
                "decision_waits",
                &["request_id", "package_id", "submitted_at", "decided_at"],
            ),
            waiting_approvals: Rows::new(
                "waiting_approvals",
                &["user_id", "created_at", "request_id"],
            ),
            assignments: Rows::new(
                "assignments",
                &[
                    "id",
                    "user_id",
                    "package_id",
                    "policy_id",
                    "request_id",
                    "state",
                    "start_at",
                    "end_at",
                    "created_at",
                ],
            ),
            audit: Rows::new(
                "audit_log",
                &[
                    "id",
                    "entity_type",
                    "entity_id",
                    "seq",
                    "occurred_at",
                    "actor_id",
                    "action",
                    "from_state",
                    "to_state",
                    "detail",
                ],
            ),
        }
    }

    async fn flush(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        backend: crate::store::Backend,
    ) -> sqlx::Result<()> {
        for rows in self.all() {
            if !rows.is_empty() {
                rows.flush(conn, backend).await?;
            }
        }
        Ok(())
    }

    /// Every table, in the order their foreign keys need.
    fn all(&mut self) -> [&mut Rows; 17] {
        [
            &mut self.users,
            &mut self.groups,
            &mut self.group_members,
            &mut self.catalogs,
            &mut self.packages,
            &mut self.resource_roles,
            &mut self.policies,
            &mut self.policy_targets,
            &mut self.policy_stages,
            &mut self.policy_stage_approvers,
            &mut self.requests,
            &mut self.request_stages,
            &mut self.request_stage_approvers,
            &mut self.decision_waits,
            &mut self.waiting_approvals,
            &mut self.assignments,
            &mut self.audit,
        ]
    }
}

/// A request's stage as written: its status, when it started, and who decided it when.
type StageRow = (
    &'static str,
    Option<DateTime<Utc>>,
    Option<(String, DateTime<Utc>)>,
);

/// How a finished request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Delivered,
    Denied,
    Canceled,
    Expired,
}

/// One request to write: who asked for what, when, and how it ended (`None`: still waiting).
struct Request {
    id: String,
    requestor_id: String,
    manager_id: Option<String>,
    package: usize,
    policy_position: usize,
    created: DateTime<Utc>,
    outcome: Option<Outcome>,
    /// Whether a delivered assignment may still be active (no other generated request of the
    /// same person for the same package may be).
    may_stay_active: bool,
}

struct Writer {
    size: Size,
    now: DateTime<Utc>,
    rng: StdRng,
    tables: Tables,
    summary: Summary,
    next_audit: u64,
}

impl Writer {
    fn new(size: Size, now: DateTime<Utc>) -> Self {
        Self {
            size,
            now,
            rng: StdRng::seed_from_u64(size.seed),
            tables: Tables::new(),
            summary: Summary::default(),
            next_audit: 0,
        }
    }

    /// The manager of generated person `index`: a tree ten wide under `u0000000`.
    fn manager_of(index: usize) -> Option<usize> {
        (index > 0).then(|| (index - 1) / 10)
    }

    fn groups_of(&self, index: usize) -> [usize; 2] {
        [index % self.size.groups, (index * 7 + 3) % self.size.groups]
    }

    /// The named approver of package `package`'s policies.
    fn named_approver(&self, package: usize) -> String {
        user_id((package * 131 + 7) % self.size.users)
    }

    fn directory(&mut self) {
        for index in 0..self.size.users {
            let first = FIRST_NAMES[index % FIRST_NAMES.len()];
            let last = LAST_NAMES[(index / FIRST_NAMES.len()) % LAST_NAMES.len()];
            let manager = Self::manager_of(index).map(user_id);
            self.person(&user_id(index), &format!("{first} {last}"), manager);
        }
        let top = user_id(0);
        self.person(BENCH_MANAGER, "Bench Manager", Some(top.clone()));
        for number in 1..=7 {
            let id = format!("bench-report-{number}");
            self.person(
                &id,
                &format!("Bench Report {number}"),
                Some(BENCH_MANAGER.to_owned()),
            );
        }
        self.person(
            BENCH_REQUESTOR,
            "Bench Requestor",
            Some(BENCH_MANAGER.to_owned()),
        );
        for number in 1..=BENCH_LOAD_USERS {
            let id = bench_load_user(number);
            self.person(&id, &format!("Bench Load {number}"), Some(top.clone()));
        }
        for group in 0..self.size.groups {
            let area = AREAS[group % AREAS.len()];
            self.tables.groups.push([
                format!("g{group:04}").into(),
                format!("{area} team {group}").into(),
                format!("Everyone who works in {area}, team {group}").into(),
            ]);
        }
        for index in 0..self.size.users {
            let [first, second] = self.groups_of(index);
            for group in if first == second {
                vec![first]
            } else {
                vec![first, second]
            } {
                self.tables
                    .group_members
                    .push([format!("g{group:04}").into(), user_id(index).into()]);
            }
        }
        self.summary.groups = self.size.groups;
    }

    fn person(&mut self, id: &str, name: &str, manager: Option<String>) {
        let title = AREAS[self.summary.users % AREAS.len()];
        self.tables.users.push([
            id.into(),
            name.into(),
            format!("{id}@contoso.com").into(),
            format!("{id}@contoso.com").into(),
            format!("{title} specialist").into(),
            manager.into(),
        ]);
        self.summary.users += 1;
    }

    fn catalog(&mut self) {
        let catalogs = self.size.packages.div_ceil(100);
        for catalog in 0..catalogs {
            let area = AREAS[catalog % AREAS.len()];
            self.tables.catalogs.push([
                format!("c{catalog:03}").into(),
                format!("{area} {catalog}").into(),
                format!("What {area} works with").into(),
            ]);
        }
        for package in 0..self.size.packages {
            let area = AREAS[package % AREAS.len()];
            let thing = THINGS[(package / AREAS.len()) % THINGS.len()];
            let id = package_id(package);
            let name = format!("{area} {thing} {package}");
            let description = format!("Access to the {area} {thing} for day-to-day work");
            let resource = format!("{area} {thing}");
            let search_text = format!("{name} {description} {resource}").to_lowercase();
            // A few packages are hidden, as some are in every real catalog.
            let hidden = i64::from(package % 50 == 49);
            self.tables.packages.push([
                id.clone().into(),
                format!("c{:03}", package / 100).into(),
                name.into(),
                description.into(),
                hidden.into(),
                search_text.into(),
            ]);
            self.tables.resource_roles.push([
                id.clone().into(),
                0_i64.into(),
                "Member".into(),
                resource.into(),
                "group".into(),
            ]);
            self.policy(package, 0);
            if has_group_policy(package) {
                self.policy(package, 1);
            }
        }
        self.summary.packages = self.size.packages;
    }

    fn policy(&mut self, package: usize, position: usize) {
        let shape = shape(package, position);
        let id = policy_id(package, position);
        let (scope, who) = if position == 0 {
            ("allUsers", "Everyone")
        } else {
            ("groupMembers", "Members of one team")
        };
        let how = match shape.approval {
            Approval::None => "no approval",
            Approval::Manager => "manager approval",
            Approval::Named => "owner approval",
            Approval::ManagerThenNamed => "manager, then owner approval",
        };
        self.tables.policies.push([
            id.clone().into(),
            package_id(package).into(),
            i64::try_from(position).unwrap_or_default().into(),
            format!("{who}, {how}, {} days", shape.days).into(),
            format!("{who} may ask; {how}").into(),
            scope.into(),
            0_i64.into(),
            1_i64.into(),
            i64::from(shape.approval != Approval::None).into(),
            0_i64.into(),
            "afterDuration".into(),
            Some(shape.days).into(),
            None::<String>.into(),
        ]);
        if position == 1 {
            self.tables.policy_targets.push([
                id.clone().into(),
                format!("g{:04}", package % self.size.groups).into(),
            ]);
        }
        for (stage, approver) in (1_i64..).zip(self.policy_approvers(package, shape.approval)) {
            self.tables.policy_stages.push([
                id.clone().into(),
                stage.into(),
                14_i64.into(),
                0_i64.into(),
            ]);
            let (kind, user) = match approver {
                Some(user) => ("singleUser", Some(user)),
                None => ("requestorManager", None),
            };
            self.tables.policy_stage_approvers.push([
                id.clone().into(),
                stage.into(),
                0_i64.into(),
                kind.into(),
                user.into(),
            ]);
        }
        self.summary.policies += 1;
    }

    /// A policy's stages: `None` for the requestor's manager, or the named approver's id.
    fn policy_approvers(&self, package: usize, approval: Approval) -> Vec<Option<String>> {
        match approval {
            Approval::None => vec![],
            Approval::Manager => vec![None],
            Approval::Named => vec![Some(self.named_approver(package))],
            Approval::ManagerThenNamed => vec![None, Some(self.named_approver(package))],
        }
    }

    /// The known requests the benchmark reads: three waiting for the bench manager from each
    /// report, and three delivered ones of the bench requestor.
    fn bench_requests(&mut self) {
        // Packages whose everyone-policy asks the manager alone: 1, 5, 9, …
        let manager_packages: Vec<usize> = (0..self.size.packages)
            .filter(|&p| shape(p, 0).approval == Approval::Manager)
            .collect();
        let reports: Vec<String> = (1..=7)
            .map(|n| format!("bench-report-{n}"))
            .chain([BENCH_REQUESTOR.to_owned()])
            .collect();
        for (number, report) in (1_usize..).zip(reports) {
            for wait in 1..=3_usize {
                let package = manager_packages[(number * 3 + wait) % manager_packages.len()];
                let hours = i64::try_from(number * 3 + wait).unwrap_or_default();
                self.write_request(Request {
                    id: format!("bench-waiting-{number}-{wait}"),
                    requestor_id: report.clone(),
                    manager_id: Some(BENCH_MANAGER.to_owned()),
                    package,
                    policy_position: 0,
                    created: self.now - TimeDelta::hours(hours),
                    outcome: None,
                    may_stay_active: false,
                });
            }
        }
        let open_packages = (0..self.size.packages)
            .filter(|&p| shape(p, 0).approval == Approval::None && p % 50 != 49)
            .take(3);
        for (number, package) in (1..).zip(open_packages.collect::<Vec<_>>()) {
            self.write_request(Request {
                id: format!("bench-requestor-{number}"),
                requestor_id: BENCH_REQUESTOR.to_owned(),
                manager_id: Some(BENCH_MANAGER.to_owned()),
                package,
                policy_position: 0,
                created: self.now - TimeDelta::days(number),
                outcome: Some(Outcome::Delivered),
                may_stay_active: true,
            });
        }
    }

    /// Generated request `n`: person 1 + n mod (users − 1) (everyone but the top of the tree,
    /// who has no manager), for the next package of their own sequence.
    fn generated_request(&mut self, n: usize) {
        let people = self.size.users - 1;
        let requestor = 1 + n % people;
        let round = n / people;
        let package = (requestor * 7919 + round) % self.size.packages;
        let in_group = has_group_policy(package)
            && self
                .groups_of(requestor)
                .contains(&(package % self.size.groups));
        let policy_position = usize::from(in_group);
        let approval = shape(package, policy_position).approval;
        let roll = self.rng.gen_range(0..100);
        let outcome = match roll {
            _ if approval == Approval::None => Outcome::Delivered,
            0..70 => Outcome::Delivered,
            70..85 => Outcome::Denied,
            85..95 => Outcome::Canceled,
            _ => Outcome::Expired,
        };
        // One in fifty requests that ask the manager was made this week and still waits for
        // them: as in a real tenant, approvers are many, each with a few requests waiting.
        let waits = matches!(approval, Approval::Manager | Approval::ManagerThenNamed)
            && self.rng.gen_range(0..50) == 0;
        let (seconds, outcome) = if waits {
            (self.rng.gen_range(3_600..7 * 86_400), None)
        } else {
            (
                self.rng.gen_range(7 * 86_400..SPREAD_DAYS * 86_400),
                Some(outcome),
            )
        };
        self.write_request(Request {
            id: format!("r{n:07}"),
            requestor_id: user_id(requestor),
            manager_id: Self::manager_of(requestor).map(user_id),
            package,
            policy_position,
            created: self.now - TimeDelta::seconds(seconds),
            outcome,
            // A person's sequence of packages wraps around only when they make more
            // requests than there are packages; the later rounds must not hold it twice.
            may_stay_active: round < self.size.packages,
        });
    }

    fn write_request(&mut self, request: Request) {
        let shape = shape(request.package, request.policy_position);
        let stages: Vec<String> = self
            .policy_approvers(request.package, shape.approval)
            .into_iter()
            .map(|approver| {
                approver
                    .or_else(|| request.manager_id.clone())
                    .unwrap_or_else(|| user_id(0))
            })
            .collect();
        let id = request.id.as_str();
        let mut history = History::new(id);
        let submitted = if stages.is_empty() {
            "submitted"
        } else {
            "pendingApproval"
        };
        let mut at = request.created;
        history.entry(
            at,
            Some(&request.requestor_id),
            "Request submitted",
            None,
            submitted,
        );
        // Each stage: its status, when it started, and who decided when.
        let mut stage_rows: Vec<StageRow> = Vec::new();
        let state = match request.outcome {
            None => {
                for number in 0..stages.len() {
                    let started = (number == 0).then_some(at);
                    let status = if number == 0 { "pending" } else { "notStarted" };
                    stage_rows.push((status, started, None));
                }
                "pendingApproval"
            }
            Some(Outcome::Delivered) => {
                for (number, approver) in (1..).zip(&stages) {
                    let started = at;
                    at += TimeDelta::seconds(self.rng.gen_range(600..3 * 86_400));
                    let last = number == stages.len();
                    history.entry(
                        at,
                        Some(approver),
                        &format!("Approved (stage {number})"),
                        Some("pendingApproval"),
                        if last { "delivered" } else { "pendingApproval" },
                    );
                    stage_rows.push(("approved", Some(started), Some((approver.clone(), at))));
                }
                if stages.is_empty() {
                    history.entry(at, None, "Access delivered", Some("submitted"), "delivered");
                }
                self.deliver(&request, shape.days, at, &mut history);
                "delivered"
            }
            Some(Outcome::Denied) => {
                let approver = &stages[0];
                let started = at;
                at += TimeDelta::seconds(self.rng.gen_range(600..3 * 86_400));
                history.entry(
                    at,
                    Some(approver),
                    "Denied (stage 1)",
                    Some("pendingApproval"),
                    "denied",
                );
                stage_rows.push(("denied", Some(started), Some((approver.clone(), at))));
                stage_rows.extend((1..stages.len()).map(|_| ("skipped", None, None)));
                "denied"
            }
            Some(ending @ (Outcome::Canceled | Outcome::Expired)) => {
                let started = at;
                let (actor, action, state) = if ending == Outcome::Canceled {
                    at += TimeDelta::seconds(self.rng.gen_range(60..86_400));
                    (
                        Some(request.requestor_id.as_str()),
                        "Request canceled",
                        "canceled",
                    )
                } else {
                    at += TimeDelta::days(14);
                    (None, "Expired: no decision in time", "expired")
                };
                history.entry(at, actor, action, Some("pendingApproval"), state);
                stage_rows.push(("skipped", Some(started), None));
                stage_rows.extend((1..stages.len()).map(|_| ("skipped", None, None)));
                state
            }
        };
        let completed = request.outcome.is_some().then(|| format(at));
        // What the server keeps as it goes: the wait of a decided request, and whom a
        // waiting one waits for (its first stage's approver).
        let decided = matches!(request.outcome, Some(Outcome::Delivered | Outcome::Denied));
        if decided && !stages.is_empty() {
            self.tables.decision_waits.push([
                id.into(),
                package_id(request.package).into(),
                format(request.created).into(),
                format(at).into(),
            ]);
        }
        if request.outcome.is_none()
            && let Some(approver) = stages.first().filter(|a| **a != request.requestor_id)
        {
            self.tables.waiting_approvals.push([
                approver.as_str().into(),
                format(request.created).into(),
                id.into(),
            ]);
        }
        self.tables.requests.push([
            id.into(),
            "userAdd".into(),
            state.into(),
            request.requestor_id.as_str().into(),
            package_id(request.package).into(),
            policy_id(request.package, request.policy_position).into(),
            None::<String>.into(),
            None::<String>.into(),
            None::<String>.into(),
            format(request.created).into(),
            completed.into(),
            history.request_entries.into(),
        ]);
        for ((number, (status, started, decided)), approver) in
            (1_i64..).zip(stage_rows).zip(&stages)
        {
            let (decided_by, decided_at) =
                decided.map_or((None, None), |(who, when)| (Some(who), Some(format(when))));
            self.tables.request_stages.push([
                id.into(),
                number.into(),
                status.into(),
                0_i64.into(),
                14_i64.into(),
                started.map(|s| format(s + TimeDelta::days(14))).into(),
                decided_by.into(),
                decided_at.into(),
                None::<String>.into(),
            ]);
            self.tables.request_stage_approvers.push([
                id.into(),
                number.into(),
                approver.as_str().into(),
            ]);
        }
        self.next_audit = history.write(&mut self.tables.audit, self.next_audit);
        self.summary.audit_entries = usize::try_from(self.next_audit).unwrap_or(usize::MAX);
        self.summary.requests += 1;
    }

    /// The assignment a delivered request gave, from `start`, expired by now unless it may
    /// stay active and its end has not come.
    fn deliver(
        &mut self,
        request: &Request,
        days: i64,
        start: DateTime<Utc>,
        history: &mut History,
    ) {
        let id = format!("a-{}", request.id);
        let end = start + TimeDelta::days(days);
        let active = request.may_stay_active && end > self.now;
        self.tables.assignments.push([
            id.as_str().into(),
            request.requestor_id.as_str().into(),
            package_id(request.package).into(),
            policy_id(request.package, request.policy_position).into(),
            request.id.as_str().into(),
            if active { "delivered" } else { "expired" }.into(),
            format(start).into(),
            Some(format(end)).into(),
            format(start).into(),
        ]);
        history.assignment(&id, start, (!active).then_some(end), &request.id);
        self.summary.assignments += 1;
    }
}

fn policy_id(package: usize, position: usize) -> String {
    let letter = if position == 0 { 'a' } else { 'b' };
    format!("{}-{letter}", package_id(package))
}

/// The audit entries of one request and of the assignment it delivered.
struct History {
    request_id: String,
    request_entries: i64,
    rows: Vec<[Value; 9]>,
}

impl History {
    fn new(request_id: &str) -> Self {
        Self {
            request_id: request_id.to_owned(),
            request_entries: 0,
            rows: Vec::new(),
        }
    }

    fn entry(
        &mut self,
        at: DateTime<Utc>,
        actor: Option<&str>,
        action: &str,
        from: Option<&str>,
        to: &str,
    ) {
        self.request_entries += 1;
        self.rows.push([
            "assignmentRequest".into(),
            self.request_id.as_str().into(),
            self.request_entries.into(),
            format(at).into(),
            actor.map(str::to_owned).into(),
            action.into(),
            from.map(str::to_owned).into(),
            to.into(),
            None::<String>.into(),
        ]);
    }

    fn assignment(
        &mut self,
        id: &str,
        start: DateTime<Utc>,
        expired: Option<DateTime<Utc>>,
        request_id: &str,
    ) {
        self.rows.push([
            "assignment".into(),
            id.into(),
            1_i64.into(),
            format(start).into(),
            None::<String>.into(),
            "Assignment delivered".into(),
            None::<String>.into(),
            "delivered".into(),
            Some(request_id.to_owned()).into(),
        ]);
        if let Some(end) = expired {
            self.rows.push([
                "assignment".into(),
                id.into(),
                2_i64.into(),
                format(end).into(),
                None::<String>.into(),
                "Assignment expired".into(),
                Some("delivered".to_owned()).into(),
                "expired".into(),
                None::<String>.into(),
            ]);
        }
    }

    /// Add the entries to `audit`, numbered from `next`; the next free number.
    fn write(self, audit: &mut Rows, mut next: u64) -> u64 {
        for row in self.rows {
            let [a, b, c, d, e, f, g, h, i] = row;
            audit.push([format!("l{next:09}").into(), a, b, c, d, e, f, g, h, i]);
            next += 1;
        }
        next
    }
}
