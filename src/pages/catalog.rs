//! The "Request access" page.

use leptos::prelude::*;

/// The access packages you can request.
#[component]
pub fn CatalogPage() -> impl IntoView {
    crate::set_title("Request access");
    view! {
        <h1>"Request access"</h1>
        <p>"The access packages you can request."</p>
    }
}
