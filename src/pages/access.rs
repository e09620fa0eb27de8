//! The "Access I have" page.

use leptos::prelude::*;

/// The access packages you have.
#[component]
pub fn AccessPage() -> impl IntoView {
    crate::set_title("Access I have");
    view! {
        <h1>"Access I have"</h1>
        <p>"The access packages you have."</p>
    }
}
