//! A request's state in words, with a shape beside it so colour is never the only cue; and
//! how far the systems that hold its resources have taken in its access.

use leptos::prelude::*;
use portal_api::{FulfilmentState, RequestState};

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

/// "Delivering", "Delivered", "Partially delivered", "Delivery failed": where the access
/// stands in the systems that grant it.
#[component]
pub fn FulfilmentBadge(state: FulfilmentState) -> impl IntoView {
    let (class, mark) = match state {
        FulfilmentState::Delivered => ("badge badge-success", "✓"),
        FulfilmentState::Delivering => ("badge badge-warning", "…"),
        FulfilmentState::PartiallyDelivered => ("badge badge-danger", "!"),
        FulfilmentState::DeliveryFailed => ("badge badge-danger", "✕"),
    };
    view! {
        <span class=class>
            <span class="badge-mark" aria-hidden="true">{mark}</span>
            {state.label()}
        </span>
    }
}
