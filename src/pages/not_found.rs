//! The "Page not found" page.

use leptos::prelude::*;

/// There is nothing at this address. Check the link, or start from Request access.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::set_title("Page not found");
    view! {
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address. Check the link, or start from Request access."</p>
    }
}
