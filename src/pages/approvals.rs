//! The "Approvals" page.

use leptos::prelude::*;

/// Requests waiting for your decision.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    crate::set_title("Approvals");
    view! {
        <h1>"Approvals"</h1>
        <p>"Requests waiting for your decision."</p>
    }
}
