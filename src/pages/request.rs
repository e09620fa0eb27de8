//! One request (`/requests/:id`): its details, stages and history.

use leptos::prelude::*;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;

#[derive(Params, PartialEq, Clone)]
struct RequestParams {
    id: Option<String>,
}

/// The details of one of the user's requests.
#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params::<RequestParams>();
    let id = move || {
        params
            .read()
            .as_ref()
            .ok()
            .and_then(|p| p.id.clone())
            .unwrap_or_default()
    };
    crate::set_title("Request");
    view! {
        <h1>"Request"</h1>
        <p><code>{id}</code></p>
    }
}
