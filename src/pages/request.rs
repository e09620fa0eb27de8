//! One request (`/requests/:id`): its details, answers, stages and history, and Cancel while
//! it is pending approval. While its access is being delivered to (or removed from) the
//! systems that hold the resources, the page asks again every few seconds, so "Delivering"
//! turns into "Delivered" without a reload.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::{AssignmentRequest, FulfilmentState, RequestState};

use crate::api;
use crate::components::confirm::ConfirmButton;
use crate::components::history::History;
use crate::components::recorded_only::RecordedOnly;
use crate::components::request_summary::RequestSummary;
use crate::components::stages::Stages;
use crate::components::status_badge::{FulfilmentBadge, StatusBadge};
use crate::load::{Load, Submit};

/// The details of one of the user's requests.
#[component]
pub fn RequestPage() -> impl IntoView {
    crate::set_title("Request");
    let id = crate::routing::use_route_id();
    let data = Load::new(move || {
        let id = id.get();
        async move { api::request(&id).await }
    });
    data.view_or_not_found(
        || view! {
            <h1>"Request not found"</h1>
            <p>"There is no request of yours at this link. See " <Link href="/requests">"My requests"</Link> "."</p>
        },
        move |request| {
            if delivering(&request) {
                // Poll while the connectors have not all answered; the page may be gone by then.
                set_timeout(move || data.refetch(), POLL);
            }
            view! { <Details request on_change=move || data.refetch()/> }
        },
    )
}

/// How often the page asks again while access is being delivered.
const POLL: std::time::Duration = std::time::Duration::from_secs(3);

fn delivering(request: &AssignmentRequest) -> bool {
    request
        .fulfilment
        .as_ref()
        .is_some_and(|f| f.state == FulfilmentState::Delivering)
}

#[component]
fn Details(request: AssignmentRequest, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    crate::set_title(&request.access_package.display_name);
    let id = request.id.clone();
    let cancel = Submit::new(move |_: &()| {
        let id = id.clone();
        async move {
            let result = api::cancel_request(&id).await;
            if result.is_ok() {
                // The page may have gone meanwhile.
                on_change.try_run(());
            }
            result
        }
    });
    let cancel_error =
        move || {
            cancel.value().get().and_then(Result::err).map(
                |e| view! { <div class="notice notice-error" role="alert">{e.message()}</div> },
            )
        };
    let pending = request.state == RequestState::PendingApproval;
    // A denied or expired request can be asked again, with its answers filled in.
    let resubmit =
        matches!(request.state, RequestState::Denied | RequestState::Expired).then(|| {
            let href = format!(
                "/package/{}?resubmit={}",
                request.access_package.id, request.id
            );
            view! {
                <div class="actions">
                    <Link href=href attr:class="btn btn-primary">"Resubmit"</Link>
                </div>
            }
        });
    view! {
        <p class="breadcrumb"><Link href="/requests">"My requests"</Link></p>
        <h1>{request.access_package.display_name.clone()}</h1>
        <p class="status-line">"Status: " {status(&request)}</p>
        {removal(&request)}
        {failures(&request)}
        <RecordedOnly roles=request.recorded_only.clone()/>
        <RequestSummary request=request.clone()/>
        {(!request.stages.is_empty()).then(|| view! {
            <h2>"Approval"</h2>
            <Stages stages=request.stages/>
        })}
        {resubmit}
        {pending.then(|| view! {
            <div class="actions">
                <ConfirmButton label="Cancel" question="Cancel this request? Your approvers will no longer see it."
                    confirm_label="Cancel request" back_label="Keep request"
                    busy=cancel.pending() on_confirm=move || { cancel.dispatch(()); }/>
            </div>
            {cancel_error}
        })}
        {(!request.history.is_empty()).then(|| view! {
            <h2>"History"</h2>
            <History entries=request.history/>
        })}
    }
}

/// The request's state; for delivered access, how far its grant has come instead, in the
/// words My Access uses ("Delivering" until every system accepted it).
fn status(request: &AssignmentRequest) -> AnyView {
    match &request.fulfilment {
        Some(f) if request.state == RequestState::Delivered && f.change == "grant" => {
            view! { <FulfilmentBadge state=f.state/> }.into_any()
        }
        _ => view! { <StatusBadge state=request.state/> }.into_any(),
    }
}

/// Once the access ended: how far its removal has come.
fn removal(request: &AssignmentRequest) -> Option<impl IntoView + use<>> {
    let f = request
        .fulfilment
        .as_ref()
        .filter(|f| f.change == "removal")?;
    let state = f.state;
    Some(view! { <p class="status-line">"Removal of access: " <FulfilmentBadge state/></p> })
}

/// What failed, in the words the systems answered.
fn failures(request: &AssignmentRequest) -> Option<impl IntoView + use<>> {
    let failures = request.fulfilment.as_ref()?.failures.clone();
    (!failures.is_empty()).then(|| {
        view! {
            <div class="notice notice-error" role="alert">
                <p>"Not every system took in the change:"</p>
                <ul>{failures.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
            </div>
        }
    })
}
