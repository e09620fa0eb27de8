//! What an approver's decision changes, worked out in full before anything is written: the
//! stage's outcome, the request's next state, the access it grants, the words of the audit
//! entry and who is told. The store applies a [`Transition`] as it is, in one transaction.

use chrono::{DateTime, Utc};
use portal_api::{
    AssignmentRequest, DecisionKind, Expiration, RequestState, RequestType, StageStatus,
};

use super::clock;
use super::lifecycle::{self, Outcome, Refusal, RequestView};
use super::submission::{self, Period};

/// A request about to be decided, with what the rules need beyond its stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub view: RequestView,
    pub request_type: RequestType,
    /// For an extension: the assignment it extends.
    pub extends: Option<String>,
    /// The period the requestor asked for, if any.
    pub requested: Option<Period>,
    /// Its policy's expiration, which sets the end when no period was asked for.
    pub expiration: Expiration,
}

impl Subject {
    /// `request` under a policy with `expiration`. A stored period that does not read is a
    /// fault to surface, never "from now on".
    pub fn of(request: &AssignmentRequest, expiration: Expiration) -> anyhow::Result<Self> {
        let requested = request
            .schedule
            .as_ref()
            .map(|s| -> anyhow::Result<Period> {
                Ok(Period {
                    start: clock::stored(&s.start_date_time)?,
                    end: s.end_date_time.as_deref().map(clock::stored).transpose()?,
                })
            })
            .transpose()?;
        Ok(Self {
            view: RequestView::of(request),
            request_type: request.request_type,
            extends: request.assignment_id.clone(),
            requested,
            expiration,
        })
    }
}

/// Everything one decision changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The stage decided, and its new status (approved or denied).
    pub stage: u8,
    pub stage_status: StageStatus,
    pub justification: Option<String>,
    /// The stage that waits for a decision next, when an earlier one was approved.
    pub opens: Option<u8>,
    /// After a denial the later stages will never be decided.
    pub skips_later_stages: bool,
    /// Where the request goes: still pending, denied, scheduled or delivered.
    pub to_state: RequestState,
    pub grant: Option<Grant>,
    /// The audit entry's words: "Approved (stage 1)".
    pub action: String,
    pub notice: Notice,
}

/// Access a decision grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A new assignment for this period.
    Assign(Period),
    /// The assignment an extension extends ends at `end` from now on.
    Extend {
        assignment_id: String,
        end: Option<DateTime<Utc>>,
    },
}

/// Who is told of the decision, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The approvers of this stage: a request waits for them.
    AskApprovers(u8),
    /// The requestor: denied, with the approver's words.
    Denied,
    /// The requestor: approved, and access starts at `start`.
    Scheduled { start: DateTime<Utc> },
    /// The requestor: access is there, until `end`.
    Delivered { end: Option<DateTime<Utc>> },
}

/// Whether `caller` may decide `subject` now, and if so everything the decision changes.
pub fn decide(
    subject: &Subject,
    caller: &str,
    decision: DecisionKind,
    justification: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Transition, Refusal> {
    let plan = lifecycle::check_decision(&subject.view, caller, decision, justification)?;
    let period = submission::granted_period(&subject.expiration, subject.requested, now);
    let (status, verb) = match plan.outcome {
        Outcome::Denied => (StageStatus::Denied, "Denied"),
        _ => (StageStatus::Approved, "Approved"),
    };
    let extends = match (subject.request_type, &subject.extends) {
        (RequestType::UserExtend, Some(assignment_id)) => Some(assignment_id.clone()),
        _ => None,
    };
    let (to_state, grant, notice) = match (plan.outcome, extends) {
        (Outcome::NextStage(next), _) => (
            RequestState::PendingApproval,
            None,
            Notice::AskApprovers(next),
        ),
        (Outcome::Denied, _) => (RequestState::Denied, None, Notice::Denied),
        // An extension takes effect when approved: the access it extends is already there,
        // and its end moves to the end of the extension's period.
        (Outcome::Approved, Some(assignment_id)) => (
            RequestState::Delivered,
            Some(Grant::Extend {
                assignment_id,
                end: period.end,
            }),
            Notice::Delivered { end: period.end },
        ),
        (Outcome::Approved, None) => match lifecycle::state_once_granted(period.start, now) {
            RequestState::Scheduled => (
                RequestState::Scheduled,
                None,
                Notice::Scheduled {
                    start: period.start,
                },
            ),
            state => (
                state,
                Some(Grant::Assign(period)),
                Notice::Delivered { end: period.end },
            ),
        },
    };
    Ok(Transition {
        stage: plan.stage,
        stage_status: status,
        action: format!("{verb} (stage {})", plan.stage),
        opens: match plan.outcome {
            Outcome::NextStage(next) => Some(next),
            _ => None,
        },
        skips_later_stages: plan.outcome == Outcome::Denied,
        justification: plan.justification,
        to_state,
        grant,
        notice,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::domain::lifecycle::StageView;

    fn now() -> DateTime<Utc> {
        clock::parse("2026-12-01T12:00:00Z").unwrap()
    }

    fn subject(stages: u8) -> Subject {
        Subject {
            view: RequestView {
                requestor_id: "adele".into(),
                state: RequestState::PendingApproval,
                stages: (1..=stages)
                    .map(|stage| StageView {
                        stage,
                        status: if stage == 1 {
                            StageStatus::Pending
                        } else {
                            StageStatus::NotStarted
                        },
                        approvers: vec!["megan".into()],
                        is_approver_justification_required: false,
                        decided: None,
                    })
                    .collect(),
            },
            request_type: RequestType::UserAdd,
            extends: None,
            requested: None,
            expiration: Expiration::AfterDuration { duration_days: 60 },
        }
    }

    #[test]
    fn approving_the_last_stage_delivers_access_for_the_policys_duration() {
        let t = decide(&subject(1), "megan", DecisionKind::Approve, None, now()).unwrap();
        assert_eq!(t.to_state, RequestState::Delivered);
        assert_eq!(t.action, "Approved (stage 1)");
        let end = Some(now() + TimeDelta::days(60));
        assert_eq!(t.grant, Some(Grant::Assign(Period { start: now(), end })));
        assert_eq!(t.notice, Notice::Delivered { end });
    }

    #[test]
    fn approving_an_earlier_stage_opens_the_next_and_asks_its_approvers() {
        let t = decide(&subject(2), "megan", DecisionKind::Approve, None, now()).unwrap();
        assert_eq!(
            (t.to_state, t.opens, t.grant, t.notice),
            (
                RequestState::PendingApproval,
                Some(2),
                None,
                Notice::AskApprovers(2)
            )
        );
    }

    #[test]
    fn a_denial_ends_the_request_skips_later_stages_and_tells_the_requestor() {
        let t = decide(
            &subject(2),
            "megan",
            DecisionKind::Deny,
            Some("No budget"),
            now(),
        )
        .unwrap();
        assert_eq!(t.to_state, RequestState::Denied);
        assert_eq!(t.stage_status, StageStatus::Denied);
        assert!(t.skips_later_stages);
        assert_eq!((t.grant, t.notice), (None, Notice::Denied));
        assert_eq!(t.action, "Denied (stage 1)");
    }

    #[test]
    fn an_approved_request_for_a_later_period_is_scheduled_and_grants_nothing_yet() {
        let start = now() + TimeDelta::days(3);
        let subject = Subject {
            requested: Some(Period { start, end: None }),
            ..subject(1)
        };
        let t = decide(&subject, "megan", DecisionKind::Approve, None, now()).unwrap();
        assert_eq!(
            (t.to_state, t.grant, t.notice),
            (RequestState::Scheduled, None, Notice::Scheduled { start })
        );
    }

    #[test]
    fn an_approved_extension_moves_the_end_of_the_assignment_it_extends() {
        let end = now() + TimeDelta::days(74);
        let subject = Subject {
            request_type: RequestType::UserExtend,
            extends: Some("assignment-1".into()),
            requested: Some(Period {
                start: now() + TimeDelta::days(14),
                end: Some(end),
            }),
            ..subject(1)
        };
        let t = decide(&subject, "megan", DecisionKind::Approve, None, now()).unwrap();
        assert_eq!(t.to_state, RequestState::Delivered);
        assert_eq!(
            t.grant,
            Some(Grant::Extend {
                assignment_id: "assignment-1".into(),
                end: Some(end)
            })
        );
    }

    #[test]
    fn a_stored_period_that_does_not_read_is_an_error() {
        let request: AssignmentRequest = serde_json::from_value(serde_json::json!({
            "id": "r", "requestType": "userAdd", "state": "pendingApproval",
            "accessPackage": { "id": "p", "displayName": "P" },
            "assignmentPolicy": { "id": "a", "displayName": "A" },
            "requestor": { "id": "adele", "displayName": "Adele", "mail": "a@x" },
            "schedule": { "startDateTime": "+10000-01-01T23:58:59Z" },
            "createdDateTime": "2026-12-01T00:00:00Z",
        }))
        .unwrap();
        assert!(Subject::of(&request, Expiration::NoExpiration).is_err());
    }
}
