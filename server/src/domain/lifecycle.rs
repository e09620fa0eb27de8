//! How a request moves: submitted → pendingApproval → delivered | denied | canceled | expired,
//! or straight to delivered (or scheduled) when no approval is needed; and the rules for who may
//! cancel or decide it, and when.

use chrono::{DateTime, Utc};
use portal_api::{DecisionKind, FieldError, RequestState, StageStatus};

use super::submission::check_justification;

/// Why an action on a request is refused; each kind maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such thing, or none the caller may see (404).
    NotFound(String),
    /// The caller may see it, but may not do this (403).
    Forbidden(String),
    /// The thing is not in a state that allows this (409).
    Conflict(String),
    /// The input breaks rules (422).
    Invalid(Vec<FieldError>),
}

/// One stage of a request, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageView {
    pub stage: u8,
    pub status: StageStatus,
    pub approvers: Vec<String>,
    pub is_approver_justification_required: bool,
    /// Who decided it, by name, and when; for the message a late approver reads.
    pub decided: Option<(String, String)>,
}

/// A request, as the rules for cancelling and deciding see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestView {
    pub requestor_id: String,
    pub state: RequestState,
    pub stages: Vec<StageView>,
}

impl RequestView {
    /// The parts of a request the rules look at.
    pub fn of(request: &portal_api::AssignmentRequest) -> Self {
        Self {
            requestor_id: request.requestor.id.clone(),
            state: request.state,
            stages: request
                .stages
                .iter()
                .map(|stage| StageView {
                    stage: stage.stage,
                    status: stage.status,
                    approvers: stage.approvers.iter().map(|a| a.id.clone()).collect(),
                    is_approver_justification_required: stage.is_approver_justification_required,
                    decided: stage.decided_by.as_ref().map(|by| {
                        (
                            by.display_name.clone(),
                            stage.decided_date_time.clone().unwrap_or_default(),
                        )
                    }),
                })
                .collect(),
        }
    }
}

/// What a valid decision does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionPlan {
    /// The stage being decided.
    pub stage: u8,
    pub outcome: Outcome,
    pub justification: Option<String>,
}

/// Where the request goes after a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Approved, and this stage opens next.
    NextStage(u8),
    /// The last stage approved: access is granted.
    Approved,
    Denied,
}

/// The state of a request that has just been submitted, or just approved at its last stage:
/// waiting for approval, or granted now, or granted later when its period starts later.
pub fn state_after_submit(
    approval_required: bool,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> RequestState {
    if approval_required {
        RequestState::PendingApproval
    } else {
        state_once_granted(start, now)
    }
}

/// `delivered` when access starts now or has started, `scheduled` when it starts later.
pub fn state_once_granted(start: DateTime<Utc>, now: DateTime<Utc>) -> RequestState {
    if start > now {
        RequestState::Scheduled
    } else {
        RequestState::Delivered
    }
}

/// Whether `caller` may cancel `request`: only its requestor, and only while it waits for
/// approval. Someone else's request is "not found", so ids reveal nothing.
pub fn check_cancel(request: &RequestView, caller: &str) -> Result<(), Refusal> {
    if request.requestor_id != caller {
        return Err(Refusal::NotFound(no_such_request()));
    }
    if request.state != RequestState::PendingApproval {
        return Err(Refusal::Conflict(format!(
            "Only a request that is pending approval can be canceled; this one is {}.",
            request.state.label().to_lowercase()
        )));
    }
    Ok(())
}

/// Whether `caller` may decide `request` now, and what the decision does.
pub fn check_decision(
    request: &RequestView,
    caller: &str,
    decision: DecisionKind,
    justification: Option<&str>,
) -> Result<DecisionPlan, Refusal> {
    let is_approver = request
        .stages
        .iter()
        .any(|s| s.approvers.iter().any(|a| a == caller));
    if request.requestor_id == caller {
        return Err(Refusal::Forbidden(
            "You cannot approve or deny your own request; another approver decides it.".to_owned(),
        ));
    }
    if !is_approver {
        return Err(Refusal::NotFound(no_such_approval()));
    }
    let pending = request
        .stages
        .iter()
        .find(|s| s.status == StageStatus::Pending);
    let Some(stage) = pending.filter(|_| request.state == RequestState::PendingApproval) else {
        return Err(Refusal::Conflict(already_decided(request)));
    };
    if !stage.approvers.iter().any(|a| a == caller) {
        let mine = request
            .stages
            .iter()
            .find(|s| s.approvers.iter().any(|a| a == caller));
        return Err(Refusal::Conflict(match mine {
            Some(mine) if mine.stage > stage.stage => format!(
                "Stage {} is still waiting for a decision; you decide stage {} after it is approved.",
                stage.stage, mine.stage
            ),
            _ => already_decided(request),
        }));
    }
    let mut errors = Vec::new();
    let required = decision == DecisionKind::Deny || stage.is_approver_justification_required;
    let justification = check_justification(justification, required, &mut errors);
    if let (Some(error), DecisionKind::Deny, None) = (errors.first_mut(), decision, &justification)
    {
        error.message = "Say why you deny the request; the requestor reads it.".to_owned();
    }
    if !errors.is_empty() {
        return Err(Refusal::Invalid(errors));
    }
    let last = request
        .stages
        .iter()
        .map(|s| s.stage)
        .max()
        .unwrap_or(stage.stage);
    let outcome = match decision {
        DecisionKind::Deny => Outcome::Denied,
        DecisionKind::Approve if stage.stage < last => Outcome::NextStage(stage.stage + 1),
        DecisionKind::Approve => Outcome::Approved,
    };
    Ok(DecisionPlan {
        stage: stage.stage,
        outcome,
        justification,
    })
}

/// What a late approver reads: who decided, what and when, or where the request went.
pub fn already_decided(request: &RequestView) -> String {
    let decided = request
        .stages
        .iter()
        .rev()
        .find_map(|s| match (&s.decided, s.status) {
            (Some((who, when)), StageStatus::Approved | StageStatus::Denied) => {
                Some((s.stage, s.status, who, when))
            }
            _ => None,
        });
    match (request.state, decided) {
        (RequestState::Canceled, _) => {
            "The requestor canceled this request; there is nothing left to decide.".to_owned()
        }
        (RequestState::Expired, _) => {
            "This request expired before anyone decided it; there is nothing left to decide."
                .to_owned()
        }
        (_, Some((stage, status, who, when))) => format!(
            "Stage {stage} was already {} by {who} at {when}; the request is {}.",
            status.label().to_lowercase(),
            request.state.label().to_lowercase()
        ),
        (state, None) => format!(
            "This request is {} and no longer waits for a decision.",
            state.label().to_lowercase()
        ),
    }
}

fn no_such_request() -> String {
    "You have no request with this id.".to_owned()
}

fn no_such_approval() -> String {
    "There is no request with this id waiting for your decision.".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_stages() -> RequestView {
        RequestView {
            requestor_id: "adele".into(),
            state: RequestState::PendingApproval,
            stages: vec![
                StageView {
                    stage: 1,
                    status: StageStatus::Pending,
                    approvers: vec!["megan".into()],
                    is_approver_justification_required: false,
                    decided: None,
                },
                StageView {
                    stage: 2,
                    status: StageStatus::NotStarted,
                    approvers: vec!["alex".into()],
                    is_approver_justification_required: true,
                    decided: None,
                },
            ],
        }
    }

    fn approved_first_stage() -> RequestView {
        let mut request = two_stages();
        request.stages[0].status = StageStatus::Approved;
        request.stages[0].decided = Some(("Megan Bowen".into(), "2026-11-27T12:00:00Z".into()));
        request.stages[1].status = StageStatus::Pending;
        request
    }

    #[test]
    fn a_request_without_approval_is_delivered_at_once_or_scheduled_for_a_later_start() {
        let now = Utc::now();
        assert_eq!(state_after_submit(false, now, now), RequestState::Delivered);
        assert_eq!(
            state_after_submit(false, now + chrono::TimeDelta::days(2), now),
            RequestState::Scheduled
        );
        assert_eq!(
            state_after_submit(true, now, now),
            RequestState::PendingApproval
        );
    }

    #[test]
    fn only_the_requestor_may_cancel_and_only_while_pending() {
        let mut request = two_stages();
        assert_eq!(check_cancel(&request, "adele"), Ok(()));
        assert!(matches!(
            check_cancel(&request, "megan"),
            Err(Refusal::NotFound(_))
        ));
        request.state = RequestState::Delivered;
        assert!(matches!(
            check_cancel(&request, "adele"),
            Err(Refusal::Conflict(_))
        ));
    }

    #[test]
    fn approving_the_first_of_two_stages_opens_the_second() {
        let plan = check_decision(&two_stages(), "megan", DecisionKind::Approve, None).unwrap();
        assert_eq!(plan.outcome, Outcome::NextStage(2));
    }

    #[test]
    fn approving_the_last_stage_grants_access() {
        let plan = check_decision(
            &approved_first_stage(),
            "alex",
            DecisionKind::Approve,
            Some("ok"),
        )
        .unwrap();
        assert_eq!((plan.stage, plan.outcome), (2, Outcome::Approved));
    }

    #[test]
    fn a_denial_at_any_stage_ends_the_request() {
        let plan = check_decision(
            &two_stages(),
            "megan",
            DecisionKind::Deny,
            Some("No budget"),
        )
        .unwrap();
        assert_eq!(plan.outcome, Outcome::Denied);
        assert_eq!(plan.justification.as_deref(), Some("No budget"));
    }

    #[test]
    fn a_denial_needs_a_justification() {
        let refusal = check_decision(&two_stages(), "megan", DecisionKind::Deny, None).unwrap_err();
        let Refusal::Invalid(errors) = refusal else {
            panic!("expected 422, got {refusal:?}")
        };
        assert_eq!(errors[0].field, "justification");
    }

    #[test]
    fn an_approval_needs_a_justification_where_the_stage_says_so() {
        let request = approved_first_stage();
        let refusal = check_decision(&request, "alex", DecisionKind::Approve, None).unwrap_err();
        assert!(matches!(refusal, Refusal::Invalid(_)));
    }

    #[test]
    fn a_deny_reason_with_a_direction_override_is_refused() {
        let refusal = check_decision(
            &two_stages(),
            "megan",
            DecisionKind::Deny,
            Some("No budget \u{202E}devorppa"),
        )
        .unwrap_err();
        let Refusal::Invalid(errors) = refusal else {
            panic!("expected a validation refusal, got {refusal:?}");
        };
        assert_eq!(errors[0].field, "justification");
        assert!(
            errors[0].message.contains("U+202E"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn nobody_decides_their_own_request() {
        let mut request = two_stages();
        request.stages[0].approvers.push("adele".into());
        let refusal = check_decision(&request, "adele", DecisionKind::Approve, None).unwrap_err();
        assert!(matches!(refusal, Refusal::Forbidden(_)));
    }

    #[test]
    fn someone_who_is_no_approver_is_told_there_is_no_such_request() {
        let refusal =
            check_decision(&two_stages(), "diego", DecisionKind::Approve, None).unwrap_err();
        assert!(matches!(refusal, Refusal::NotFound(_)));
    }

    #[test]
    fn a_decided_stage_answers_conflict_naming_who_decided() {
        let mut request = approved_first_stage();
        request.stages[1].approvers.push("megan".into());
        request.stages[1].approvers.clear();
        let refusal = check_decision(&request, "megan", DecisionKind::Approve, None).unwrap_err();
        let Refusal::Conflict(message) = refusal else {
            panic!("expected 409, got {refusal:?}")
        };
        assert!(message.contains("Megan Bowen"), "{message}");
        assert!(message.contains("approved"), "{message}");
    }

    #[test]
    fn a_later_stage_waits_for_the_earlier_one() {
        let refusal =
            check_decision(&two_stages(), "alex", DecisionKind::Approve, Some("ok")).unwrap_err();
        let Refusal::Conflict(message) = refusal else {
            panic!("expected 409, got {refusal:?}")
        };
        assert!(message.contains("Stage 1 is still waiting"), "{message}");
    }

    #[test]
    fn a_canceled_request_cannot_be_decided() {
        let mut request = two_stages();
        request.state = RequestState::Canceled;
        request.stages[0].status = StageStatus::Skipped;
        let refusal = check_decision(&request, "megan", DecisionKind::Approve, None).unwrap_err();
        assert!(matches!(refusal, Refusal::Conflict(m) if m.contains("canceled")));
    }
}
