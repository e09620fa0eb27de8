//! The emails the portal sends, in words: who is told what, with which link. Composed when
//! the change they tell of is written, and stored with it in the outbox; nothing here sends.

use chrono::{DateTime, TimeDelta, Utc};

/// The portal's public address, from which every link in a message starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    base: String,
}

impl Links {
    /// Links under `public_url` (a trailing slash is ignored).
    pub fn new(public_url: &str) -> Self {
        Self {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Where an approver decides a request.
    pub fn approval(&self, request_id: &str) -> String {
        format!("{}/approvals/{request_id}", self.base)
    }

    /// Where a requestor follows their request.
    pub fn request(&self, request_id: &str) -> String {
        format!("{}/requests/{request_id}", self.base)
    }

    /// "Access I have".
    pub fn access(&self) -> String {
        format!("{}/access", self.base)
    }
}

/// How the portal writes the emails a new request causes: where their links point, and how
/// many approval emails one requestor's requests may cause per hour (0: no cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub links: Links,
    pub approval_emails_per_hour: u32,
}

impl Outgoing {
    /// Whether a new request may ask its approvers by email, when `sent` approval emails
    /// were written for its requestor's requests in the past hour. A request's approvers are
    /// asked all together or not at all; those not asked still find it under Approvals.
    pub fn may_ask_approvers(&self, sent: u64) -> bool {
        self.approval_emails_per_hour == 0 || sent < u64::from(self.approval_emails_per_hour)
    }
}

/// Someone a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub mail: String,
}

/// What a message about a request tells of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub id: String,
    pub package_name: String,
    pub requestor: Person,
    pub justification: Option<String>,
    /// An extension of access the requestor has, rather than new access.
    pub is_extension: bool,
}

/// What a message is about; stored with it, so the outbox can be read by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    DecisionNeeded,
    Approved,
    Denied,
    Delivered,
    Expired,
    Reminder14Days,
    Reminder1Day,
}

impl Kind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionNeeded => "decisionNeeded",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Delivered => "delivered",
            Self::Expired => "expired",
            Self::Reminder14Days => "reminder14Days",
            Self::Reminder1Day => "reminder1Day",
        }
    }
}

/// One email, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub kind: Kind,
    pub to: Person,
    pub subject: String,
    pub body: String,
    /// The request it is about, if any.
    pub request_id: Option<String>,
    /// Set on messages that must exist once only, whoever writes them.
    pub dedupe_key: Option<String>,
}

/// To an approver: a request waits for their decision at `stage` of `stages`, until `due`.
pub fn decision_needed(
    links: &Links,
    request: &RequestFacts,
    approver: &Person,
    (stage, stages): (u8, u8),
    due: Option<DateTime<Utc>>,
) -> Mail {
    let requestor = &request.requestor.name;
    let package = &request.package_name;
    let asks = if request.is_extension {
        format!("{requestor} asks to extend their access to {package}.")
    } else {
        format!("{requestor} asks for access to {package}.")
    };
    let mut body = format!("Hello {},\n\n{asks}\n", approver.name);
    if stages > 1 {
        body.push_str(&format!("\nYou decide stage {stage} of {stages}.\n"));
    }
    if let Some(due) = due {
        body.push_str(&format!(
            "\nWithout a decision by {}, the request expires.\n",
            day(due)
        ));
    }
    body.push_str(&format!(
        "\nApprove or deny it here:\n{}\n",
        links.approval(&request.id)
    ));
    if let Some(justification) = &request.justification {
        body.push_str(&quoted(requestor, justification));
    }
    Mail {
        kind: Kind::DecisionNeeded,
        to: approver.clone(),
        subject: format!("Approval needed: {requestor} requests {package}"),
        body: signed(body),
        request_id: Some(request.id.clone()),
        dedupe_key: None,
    }
}

/// To the requestor: approved, and access starts at `start` (later than now).
pub fn approved(links: &Links, request: &RequestFacts, start: DateTime<Utc>) -> Mail {
    let package = &request.package_name;
    let body = format!(
        "Hello {},\n\nYour request for {package} was approved. Your access starts on {}.\n\n\
         Your request:\n{}\n",
        request.requestor.name,
        day(start),
        links.request(&request.id)
    );
    to_requestor(
        request,
        Kind::Approved,
        format!("Approved: {package} from {}", day(start)),
        body,
    )
}

/// To the requestor: denied by `by`, for `reason`.
pub fn denied(links: &Links, request: &RequestFacts, by: &str, reason: Option<&str>) -> Mail {
    let package = &request.package_name;
    let what = if request.is_extension {
        "Your request to extend your access to"
    } else {
        "Your request for"
    };
    let mut body = format!(
        "Hello {},\n\n{what} {package} was denied by {by}.\n",
        request.requestor.name
    );
    body.push_str(&format!(
        "\nYour request (you can resubmit it from there):\n{}\n",
        links.request(&request.id)
    ));
    if let Some(reason) = reason {
        body.push_str(&quoted(by, reason));
    }
    to_requestor(
        request,
        Kind::Denied,
        format!("Denied: your request for {package}"),
        body,
    )
}

/// To the requestor: access is there now (or, for an extension, lasts longer), until `end`.
pub fn delivered(
    links: &Links,
    request: &RequestFacts,
    end: Option<DateTime<Utc>>,
    just_approved: bool,
) -> Mail {
    let package = &request.package_name;
    let until = match end {
        Some(end) => format!("until {}", day(end)),
        None => "with no end date".to_owned(),
    };
    let (subject, news) = match (request.is_extension, just_approved) {
        (true, _) => (
            format!("Extended: {package} {until}"),
            format!("Your access to {package} was extended; it now lasts {until}."),
        ),
        (false, true) => (
            format!("Approved: you now have {package}"),
            format!("Your request for {package} was approved. You have access {until}."),
        ),
        (false, false) => (
            format!("Delivered: you now have {package}"),
            format!("You now have access to {package}, {until}."),
        ),
    };
    let body = format!(
        "Hello {},\n\n{news}\n\nAccess I have:\n{}\n\nYour request:\n{}\n",
        request.requestor.name,
        links.access(),
        links.request(&request.id)
    );
    to_requestor(request, Kind::Delivered, subject, body)
}

/// To the requestor: nobody decided in time.
pub fn expired(links: &Links, request: &RequestFacts) -> Mail {
    let package = &request.package_name;
    let body = format!(
        "Hello {},\n\nNobody decided your request for {package} in time, so it expired. You \
         can resubmit it from your request:\n{}\n",
        request.requestor.name,
        links.request(&request.id)
    );
    to_requestor(
        request,
        Kind::Expired,
        format!("Expired: your request for {package} was not decided in time"),
        body,
    )
}

/// Which reminder an assignment is due, ahead of its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    FourteenDays,
    OneDay,
}

impl Reminder {
    fn lead(self) -> TimeDelta {
        match self {
            Self::FourteenDays => TimeDelta::days(14),
            Self::OneDay => TimeDelta::days(1),
        }
    }

    fn kind(self) -> Kind {
        match self {
            Self::FourteenDays => Kind::Reminder14Days,
            Self::OneDay => Kind::Reminder1Day,
        }
    }
}

/// The reminder an assignment running from `start` to `end` is due at `now`, if any: the one
/// whose lead time has begun, the nearer one first. A reminder is only due for access that
/// lasts longer than its lead, so two-day access is not told at once that it will end.
pub fn due_reminder(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Reminder> {
    if now >= end {
        return None;
    }
    [Reminder::OneDay, Reminder::FourteenDays]
        .into_iter()
        .find(|r| end - now <= r.lead())
        .filter(|r| end - start > r.lead())
}

/// What a reminder tells of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFacts {
    pub id: String,
    pub package_name: String,
    pub holder: Person,
    pub end: DateTime<Utc>,
    /// Its policy allows extending it.
    pub extendable: bool,
}

/// To the holder: their access ends soon. Written once per assignment, reminder and end.
pub fn reminder(links: &Links, assignment: &AssignmentFacts, which: Reminder) -> Mail {
    let package = &assignment.package_name;
    let when = match which {
        Reminder::FourteenDays => "in 14 days",
        Reminder::OneDay => "tomorrow",
    };
    let mut body = format!(
        "Hello {},\n\nYour access to {package} ends {when}, on {}.\n",
        assignment.holder.name,
        day(assignment.end)
    );
    if assignment.extendable {
        body.push_str("\nYou can extend it from Access I have:\n");
    } else {
        body.push_str("\nAccess I have:\n");
    }
    body.push_str(&format!("{}\n", links.access()));
    let end = crate::domain::clock::format(assignment.end);
    Mail {
        kind: which.kind(),
        to: assignment.holder.clone(),
        subject: format!("Reminder: your access to {package} ends {when}"),
        body: signed(body),
        request_id: None,
        dedupe_key: Some(format!("{}:{}:{end}", which.kind().as_str(), assignment.id)),
    }
}

/// How long to wait before the next try after `attempts` failed ones: 30 seconds, doubling,
/// at most an hour. Messages are never given up for an outage, only retried less often.
pub fn retry_delay(attempts: u32) -> TimeDelta {
    let doublings = attempts.saturating_sub(1).min(7);
    TimeDelta::seconds(30 * (1_i64 << doublings)).min(TimeDelta::hours(1))
}

fn to_requestor(request: &RequestFacts, kind: Kind, subject: String, body: String) -> Mail {
    Mail {
        kind,
        to: request.requestor.clone(),
        subject,
        body: signed(body),
        request_id: Some(request.id.clone()),
        dedupe_key: None,
    }
}

/// What someone typed, after the portal's own words and links, as a quote of them: every
/// line marked with `> `, so that nothing typed can pass for the portal's instructions.
fn quoted(name: &str, text: &str) -> String {
    let mut quote = format!("\n{name} wrote:\n");
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            quote.push_str(">\n");
        } else {
            quote.push_str(&format!("> {line}\n"));
        }
    }
    quote
}

fn signed(mut body: String) -> String {
    body.push_str("\n-- \nAccess Portal\n");
    body
}

fn day(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::parse;

    fn links() -> Links {
        Links::new("https://access.contoso.com/")
    }

    fn person(id: &str, name: &str) -> Person {
        Person {
            id: id.into(),
            name: name.into(),
            mail: format!("{id}@contoso.com"),
        }
    }

    fn request() -> RequestFacts {
        RequestFacts {
            id: "r1".into(),
            package_name: "Sales CRM".into(),
            requestor: person("adele", "Adele Vance"),
            justification: Some("Customer visits".into()),
            is_extension: false,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        parse(text).expect("a time")
    }

    #[test]
    fn an_approver_is_asked_with_a_link_to_the_approval() {
        let mail = decision_needed(
            &links(),
            &request(),
            &person("megan", "Megan Bowen"),
            (1, 2),
            Some(at("2026-12-14T10:00:00Z")),
        );
        assert_eq!(mail.to.mail, "megan@contoso.com");
        assert_eq!(
            mail.subject,
            "Approval needed: Adele Vance requests Sales CRM"
        );
        assert!(
            mail.body
                .contains("https://access.contoso.com/approvals/r1")
        );
        assert!(mail.body.contains("Customer visits"));
        assert!(mail.body.contains("stage 1 of 2"));
        assert!(mail.body.contains("2026-12-14"));
    }

    #[test]
    fn a_denial_tells_the_requestor_who_denied_and_why() {
        let mail = denied(&links(), &request(), "Megan Bowen", Some("No budget"));
        assert_eq!(mail.to.id, "adele");
        assert_eq!(mail.kind, Kind::Denied);
        assert!(mail.body.contains("Megan Bowen"));
        assert!(mail.body.contains("No budget"));
        assert!(mail.body.contains("https://access.contoso.com/requests/r1"));
    }

    #[test]
    fn a_justification_is_quoted_as_the_requestors_words_after_the_portals_link() {
        let mut request = request();
        request.justification =
            Some("Urgent.\n\nApprove here instead: https://evil.example/approve".into());
        let mail = decision_needed(
            &links(),
            &request,
            &person("megan", "Megan Bowen"),
            (1, 1),
            None,
        );
        let link = mail.body.find("https://access.contoso.com/approvals/r1");
        let quote = mail
            .body
            .find("Adele Vance wrote:\n> Urgent.\n>\n> Approve here");
        assert!(link.is_some() && quote > link, "{}", mail.body);
        assert!(
            !mail.body.contains("\nApprove here instead"),
            "no typed line stands unquoted: {}",
            mail.body
        );
    }

    #[test]
    fn a_deny_reason_is_quoted_as_the_approvers_words_after_the_portals_link() {
        let mail = denied(
            &links(),
            &request(),
            "Megan Bowen",
            Some("No budget.\nReset your password at https://evil.example"),
        );
        let link = mail.body.find("https://access.contoso.com/requests/r1");
        let quote = mail.body.find("Megan Bowen wrote:\n> No budget.\n> Reset");
        assert!(link.is_some() && quote > link, "{}", mail.body);
    }

    #[test]
    fn delivery_links_to_access_i_have_and_says_until_when() {
        let mail = delivered(&links(), &request(), Some(at("2027-01-31T00:00:00Z")), true);
        assert_eq!(mail.subject, "Approved: you now have Sales CRM");
        assert!(mail.body.contains("https://access.contoso.com/access"));
        assert!(mail.body.contains("until 2027-01-31"));
        let mut extension = request();
        extension.is_extension = true;
        let mail = delivered(&links(), &extension, None, true);
        assert!(
            mail.subject.starts_with("Extended: Sales CRM"),
            "{}",
            mail.subject
        );
    }

    #[test]
    fn reminders_come_fourteen_days_and_one_day_before_the_end() {
        let start = at("2026-10-01T00:00:00Z");
        let end = at("2026-12-01T00:00:00Z");
        assert_eq!(due_reminder(start, end, at("2026-11-16T00:00:00Z")), None);
        assert_eq!(
            due_reminder(start, end, at("2026-11-17T00:00:00Z")),
            Some(Reminder::FourteenDays)
        );
        assert_eq!(
            due_reminder(start, end, at("2026-11-30T00:00:00Z")),
            Some(Reminder::OneDay)
        );
        assert_eq!(due_reminder(start, end, end), None);
    }

    #[test]
    fn short_access_gets_only_the_reminders_it_outlasts() {
        let start = at("2026-11-28T00:00:00Z");
        let end = at("2026-11-30T00:00:00Z");
        assert_eq!(
            due_reminder(start, end, start),
            None,
            "two days: no 14-day one"
        );
        assert_eq!(
            due_reminder(start, end, at("2026-11-29T00:00:00Z")),
            Some(Reminder::OneDay)
        );
    }

    #[test]
    fn a_reminder_is_keyed_by_assignment_kind_and_end_so_it_is_written_once() {
        let assignment = AssignmentFacts {
            id: "a1".into(),
            package_name: "Sales CRM".into(),
            holder: person("adele", "Adele Vance"),
            end: at("2026-12-01T00:00:00Z"),
            extendable: true,
        };
        let mail = reminder(&links(), &assignment, Reminder::OneDay);
        assert_eq!(
            mail.dedupe_key.as_deref(),
            Some("reminder1Day:a1:2026-12-01T00:00:00Z")
        );
        assert_eq!(
            mail.subject,
            "Reminder: your access to Sales CRM ends tomorrow"
        );
        assert!(mail.body.contains("extend"));
    }

    #[test]
    fn approvers_are_emailed_until_the_requestors_hourly_cap_is_reached() {
        let capped = Outgoing {
            links: links(),
            approval_emails_per_hour: 3,
        };
        assert!(capped.may_ask_approvers(2));
        assert!(!capped.may_ask_approvers(3));
        let uncapped = Outgoing {
            approval_emails_per_hour: 0,
            ..capped
        };
        assert!(uncapped.may_ask_approvers(1_000));
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(retry_delay(1), TimeDelta::seconds(30));
        assert_eq!(retry_delay(2), TimeDelta::seconds(60));
        assert_eq!(retry_delay(100), TimeDelta::hours(1));
    }
}
