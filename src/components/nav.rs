//! The left navigation, with the words of the My Access portal.

use leptos::prelude::*;
use leptos_router::components::A;

/// The links to each view; the current one is marked for screen readers and the eye.
#[component]
pub fn Nav() -> impl IntoView {
    view! {
        <nav class="nav" aria-label="Main">
            <ul>
                <li><A href="/" exact=true>"Request access"</A></li>
                <li><A href="/access">"Access I have"</A></li>
                <li><A href="/requests">"My requests"</A></li>
                <li><A href="/approvals">"Approvals"</A></li>
            </ul>
        </nav>
    }
}
