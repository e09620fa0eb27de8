//! For administrators: the resources of a package whose grants no system is told of.

use leptos::prelude::*;
use portal_api::ResourceRole;

/// A calm note naming each resource role without a connector ("recorded only"); nothing when
/// every role has one, or when the server did not say (it tells administrators only).
#[component]
pub fn RecordedOnly(roles: Option<Vec<ResourceRole>>) -> impl IntoView {
    let roles = roles.filter(|r| !r.is_empty())?;
    Some(view! {
        <div class="notice notice-info" role="note" aria-label="Recorded only">
            <p>"Only administrators see this note."</p>
            <ul>
                {roles.into_iter().map(|r| view! {
                    <li>{r.resource.display_name} " (" {r.display_name} "): recorded only. No system is told about this grant; give the access in the system itself."</li>
                }).collect_view()}
            </ul>
        </div>
    })
}
