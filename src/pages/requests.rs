//! "My requests" (`/requests`): the user's requests, newest first, filtered by status.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::{AssignmentRequest, RequestState};

use crate::api;
use crate::components::loading::ShowMore;
use crate::components::status_badge::StatusBadge;
use crate::format;
use crate::paging::Paged;

/// Every request of the user with its package, date and status in words; the status filter is
/// kept in the URL (`?state=pendingApproval`).
#[component]
pub fn RequestsPage() -> impl IntoView {
    crate::set_title("My requests");
    let query = crate::routing::use_query("state");
    let state = Memo::new(move |_| query.get().and_then(|s| RequestState::parse(&s)));
    let list = Paged::<AssignmentRequest>::default();
    let load = move |more: bool| {
        let filter = state.get_untracked().map(RequestState::as_str);
        list.load(more, move |cursor| async move {
            api::requests(filter, cursor.as_deref()).await
        });
    };
    Effect::new(move |_| {
        state.track();
        load(false);
    });
    let on_filter = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let href = if value.is_empty() {
            "/requests".to_owned()
        } else {
            format!("/requests?state={value}")
        };
        crate::routing::navigate(&href, true);
    };
    let body = list.view(
        load,
        move || view! {
            <div class="empty" role="status">
                <h2>"No requests"</h2>
                <p>{if state.get().is_some() { "None of your requests has this status." } else { "You have not requested any access yet." }}</p>
            </div>
        },
        move || {
            view! {
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Access package"</th>
                            <th scope="col">"Requested"</th>
                            <th scope="col">"Policy"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || list.items.get().into_iter().map(|r| view! {
                            <tr>
                                <th scope="row"><Link href=format!("/requests/{}", r.id)>{r.access_package.display_name}</Link></th>
                                <td>{format::date(&r.created_date_time)}</td>
                                <td>{r.assignment_policy.display_name}</td>
                                <td><StatusBadge state=r.state/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <ShowMore loading=list.loading visible=Signal::derive(move || list.has_more()) on_click=move || load(true)/>
            }
        },
    );
    view! {
        <h1>"My requests"</h1>
        <div class="toolbar">
            <label for="state-filter">"Status"</label>
            <select id="state-filter" on:change=on_filter prop:value=move || state.get().map(RequestState::as_str).unwrap_or_default()>
                <option value="">"All"</option>
                {RequestState::ALL.into_iter().filter(|s| *s != RequestState::Submitted).map(|s| view! {
                    <option value=s.as_str()>{s.label()}</option>
                }).collect_view()}
            </select>
        </div>
        {body}
    }
}
