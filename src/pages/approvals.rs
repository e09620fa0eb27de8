//! "Approvals" (`/approvals`): the requests waiting for the signed-in user's decision.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::AssignmentRequest;

use crate::api;
use crate::components::loading::ShowMore;
use crate::format;
use crate::paging::Paged;

/// Who asked for what, why, for when, and how long it has waited; how many wait in all, and
/// "Show more" while there are more.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    crate::set_title("Approvals");
    let list = Paged::<AssignmentRequest>::default();
    let load = move |more: bool| {
        list.load(more, move |cursor| async move {
            api::approvals(cursor.as_deref()).await
        });
    };
    load(false);
    let body = list.view(
        load,
        move || view! {
            <div class="empty" role="status">
                <h2>"Nothing to approve"</h2>
                <p>"When someone asks for access that you approve, their request appears here."</p>
            </div>
        },
        move || {
            view! {
                <p class="count" role="status">
                    {move || count_text(list.items.with(Vec::len), list.total.get())}
                </p>
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
                        {move || list.items.get().into_iter().map(|r| view! {
                            <tr>
                                <th scope="row"><Link href=format!("/approvals/{}", r.id)>{r.access_package.display_name}</Link></th>
                                <td>{r.requestor.display_name}</td>
                                <td class="clip">{r.justification.unwrap_or_default()}</td>
                                <td>{format::age(&r.created_date_time)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <ShowMore loading=list.loading visible=Signal::derive(move || list.has_more()) on_click=move || load(true)/>
            }
        },
    );
    view! {
        <h1>"Approvals"</h1>
        {body}
    }
}

/// "81 requests wait for your decision", and how many of them are on show when not all are.
fn count_text(shown: usize, total: Option<u64>) -> String {
    let total = total.unwrap_or(shown as u64);
    let waiting = match total {
        1 => "1 request waits for your decision".to_owned(),
        n => format!("{n} requests wait for your decision"),
    };
    if (shown as u64) < total {
        format!("{waiting}; showing the first {shown}")
    } else {
        waiting
    }
}
