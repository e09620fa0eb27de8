//! One request to decide (`/approvals/:id`, where approvers' emails lead): everything the
//! requestor said, the stages so far, and Approve / Deny with a reason.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::{AssignmentRequest, Decision, DecisionKind, RequestState, StageStatus};

use crate::api;
use crate::components::field::Field;
use crate::components::request_summary::RequestSummary;
use crate::components::stages::Stages;
use crate::components::status_badge::StatusBadge;
use crate::load::{Load, Submit};
use crate::session::use_session;

/// The request and, while its current stage waits for the signed-in user, the decision form.
#[component]
pub fn ApprovalPage() -> impl IntoView {
    crate::set_title("Approve or deny");
    let id = crate::routing::use_route_id();
    let data = Load::new(move || {
        let id = id.get();
        async move { api::request(&id).await }
    });
    // What the last decision came to; kept here because the request view below is rebuilt
    // when the request is reloaded after a decision.
    let outcome = RwSignal::new(None::<Outcome>);
    data.view_or_not_found(
        || view! {
            <h1>"Request not found"</h1>
            <p>"There is no request at this link that you may decide. See " <Link href="/approvals">"Approvals"</Link> "."</p>
        },
        move |request| view! { <Decide request outcome on_change=move || data.refetch()/> },
    )
}

/// The end of a decision attempt, as the approver is told it.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Decided(DecisionKind),
    /// Someone else decided first, or the request ended; the server's words say who and what.
    Overtaken(String),
}

#[component]
fn Decide(
    request: AssignmentRequest,
    outcome: RwSignal<Option<Outcome>>,
    #[prop(into)] on_change: Callback<()>,
) -> impl IntoView {
    let me = use_session()
        .0
        .with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()))
        .unwrap_or_default();
    let stage = request
        .stages
        .iter()
        .find(|s| s.status == StageStatus::Pending)
        .cloned();
    let own = request.requestor.id == me;
    let mine = stage
        .as_ref()
        .is_some_and(|s| s.approvers.iter().any(|a| a.id == me));
    let open = request.state == RequestState::PendingApproval;
    let reason = RwSignal::new(String::new());
    let id = request.id.clone();
    let decide = Submit::new(move |kind: &DecisionKind| {
        let (id, kind) = (id.clone(), *kind);
        let justification =
            Some(reason.get_untracked().trim().to_owned()).filter(|r| !r.is_empty());
        async move {
            let decision = Decision {
                decision: kind,
                justification,
            };
            let result = api::decide(&id, decision).await.map(|_| ());
            // Decided by us or, as a 409 says, by someone else first: show the request as it
            // is now, with what happened above it.
            match &result {
                Ok(()) => outcome.set(Some(Outcome::Decided(kind))),
                Err(e) if e.status() == Some(409) => {
                    outcome.set(Some(Outcome::Overtaken(e.message())))
                }
                Err(_) => return result,
            }
            // The page may have gone meanwhile.
            on_change.try_run(());
            result
        }
    });
    let error = move || decide.value().get().and_then(Result::err);
    let reason_error = Signal::derive(move || error().and_then(|e| e.field("justification")));
    let notice = move || {
        match (outcome.get(), decide.value().get()) {
        (Some(Outcome::Decided(kind)), _) => Some(view! {
            <div class="notice notice-success" role="status">
                {if kind == DecisionKind::Approve { "You approved this request." } else { "You denied this request." }}
            </div>
        }.into_any()),
        (Some(Outcome::Overtaken(message)), _) => Some(view! {
            <div class="notice notice-warning" role="alert">{message}</div>
        }.into_any()),
        (None, Some(Err(e))) if !e.has_field_errors() => Some(view! {
            <div class="notice notice-error" role="alert">{e.message()}</div>
        }.into_any()),
        _ => None,
    }
    };
    let reason_required = stage
        .as_ref()
        .is_some_and(|s| s.is_approver_justification_required);
    let stage_text = stage.as_ref().map(|s| {
        format!(
            "Stage {} of {} is waiting for a decision.",
            s.stage,
            request.stages.len()
        )
    });
    let form = (open && mine && !own).then(|| view! {
        <section class="decision" aria-label="Decision">
            <p>{stage_text}</p>
            <Field id="reason" label="Reason" error=reason_error
                hint=if reason_required { "Required: the requestor sees your reason." } else { "Required to deny; the requestor sees it." }>
                <textarea id="reason" rows="3" aria-describedby="reason-note"
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            </Field>
            <div class="actions">
                <button class="btn btn-primary" disabled=move || decide.pending().get()
                    on:click=move |_| { decide.dispatch(DecisionKind::Approve); }>"Approve"</button>
                <button class="btn btn-danger" disabled=move || decide.pending().get()
                    on:click=move |_| { decide.dispatch(DecisionKind::Deny); }>"Deny"</button>
            </div>
        </section>
    });
    let own_note = (open && own).then(|| {
        view! {
            <p class="notice notice-info">"This is your own request: someone else approves it."</p>
        }
    });
    crate::set_title(&request.access_package.display_name);
    view! {
        <p class="breadcrumb"><Link href="/approvals">"Approvals"</Link></p>
        <h1>{request.access_package.display_name.clone()}</h1>
        <p class="status-line">"Requested by " {request.requestor.display_name.clone()} " · " <StatusBadge state=request.state/></p>
        {notice}
        <RequestSummary request=request.clone()/>
        {own_note}
        {form}
        {(!request.stages.is_empty()).then(|| view! {
            <h2>"Approval"</h2>
            <Stages stages=request.stages/>
        })}
    }
}
