//! "Approvals" (`/approvals`): the requests waiting for the signed-in user's decision.

use crate::components::link::Link;
use leptos::prelude::*;

use crate::api;
use crate::components::loading::{ErrorNotice, Loading};
use crate::format;
use crate::load::Load;

/// Who asked for what, why, for when, and how long it has waited.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    crate::set_title("Approvals");
    let data = Load::new(api::approvals);
    let body = move || {
        match data.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(err)) => view! { <ErrorNotice error=err retry=move || data.refetch()/> }.into_any(),
        Some(Ok(page)) if page.value.is_empty() => view! {
            <div class="empty" role="status">
                <h2>"Nothing to approve"</h2>
                <p>"When someone asks for access that you approve, their request appears here."</p>
            </div>
        }
        .into_any(),
        Some(Ok(page)) => view! {
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Access package"</th>
                        <th scope="col">"Requestor"</th>
                        <th scope="col">"Business justification"</th>
                        <th scope="col">"Waiting for"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.value.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row"><Link href=format!("/approvals/{}", r.id)>{r.access_package.display_name}</Link></th>
                            <td>{r.requestor.display_name}</td>
                            <td class="clip">{r.justification.unwrap_or_default()}</td>
                            <td>{format::age(&r.created_date_time)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    }
    };
    view! {
        <h1>"Approvals"</h1>
        {body}
    }
}
