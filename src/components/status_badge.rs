//! A request's state in words, with a shape beside it so colour is never the only cue.

use leptos::prelude::*;
use portal_api::RequestState;

/// "Pending approval", "Delivered", …
#[component]
pub fn StatusBadge(state: RequestState) -> impl IntoView {
    let (class, mark) = match state {
        RequestState::Delivered => ("badge badge-success", "✓"),
        RequestState::Denied | RequestState::Expired => ("badge badge-danger", "✕"),
        RequestState::Canceled => ("badge badge-neutral", "–"),
        RequestState::PendingApproval | RequestState::Submitted => ("badge badge-warning", "…"),
        RequestState::Scheduled => ("badge badge-info", "◷"),
    };
    view! {
        <span class=class>
            <span class="badge-mark" aria-hidden="true">{mark}</span>
            {state.label()}
        </span>
    }
}
