//! The left navigation, with the words of the My Access portal.

use crate::components::link::Link;
use leptos::prelude::*;

/// The links to each view; the current one is marked for screen readers and the eye.
#[component]
pub fn Nav() -> impl IntoView {
    view! {
        <nav class="nav" aria-label="Main">
            <ul>
                <li><Link href="/" exact=true>"Request access"</Link></li>
                <li><Link href="/access">"Access I have"</Link></li>
                <li><Link href="/requests">"My requests"</Link></li>
                <li><Link href="/approvals">"Approvals"</Link></li>
            </ul>
        </nav>
    }
}
