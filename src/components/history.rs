//! A request's history, oldest first, from the audit log.

use leptos::prelude::*;
use portal_api::AuditEntry;

use crate::format;

/// A timeline: when, who, what.
#[component]
pub fn History(entries: Vec<AuditEntry>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {entries
                .into_iter()
                .map(|e| {
                    let who = e.actor.map(|a| a.display_name).unwrap_or_else(|| "Access Portal".to_owned());
                    view! {
                        <li>
                            <time datetime=e.date_time.clone()>{format::date_time(&e.date_time)}</time>
                            <span class="what">{e.action}</span>
                            <span class="who">{who}</span>
                            {e.detail.map(|d| view! { <span class="detail">{d}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
