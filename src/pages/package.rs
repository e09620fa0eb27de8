//! The request pane of one access package (`/package/:id`), where links in emails lead.

use leptos::prelude::*;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;

#[derive(Params, PartialEq, Clone)]
struct PackageParams {
    id: Option<String>,
}

/// One package and its "Request access" form.
#[component]
pub fn PackagePage() -> impl IntoView {
    let params = use_params::<PackageParams>();
    let id = move || {
        params
            .read()
            .as_ref()
            .ok()
            .and_then(|p| p.id.clone())
            .unwrap_or_default()
    };
    crate::set_title("Request access");
    view! {
        <h1>"Request access"</h1>
        <p>"Access package " <code>{id}</code></p>
    }
}
