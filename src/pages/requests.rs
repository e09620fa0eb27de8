//! The "My requests" page.

use leptos::prelude::*;

/// Your requests and where each one stands.
#[component]
pub fn RequestsPage() -> impl IntoView {
    crate::set_title("My requests");
    view! {
        <h1>"My requests"</h1>
        <p>"Your requests and where each one stands."</p>
    }
}
