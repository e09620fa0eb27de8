//! "Access I have" (`/access`): the user's assignments, active first, expired apart.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::{Assignment, AssignmentState};

use crate::api;
use crate::components::extend::Extend;
use crate::format;
use crate::load::Load;

/// The access packages the user has, with policy, start and end date, and state.
#[component]
pub fn AccessPage() -> impl IntoView {
    crate::set_title("Access I have");
    let data = Load::new(api::assignments);
    let body = data.view(move |page| {
            let (active, ended): (Vec<_>, Vec<_>) = page
                .value
                .into_iter()
                .partition(|a| a.state == AssignmentState::Delivered);
            view! {
                {if active.is_empty() {
                    view! {
                        <div class="empty" role="status">
                            <h2>"You have no access packages yet"</h2>
                            <p>"Find the access you need under " <Link href="/">"Request access"</Link> "."</p>
                        </div>
                    }.into_any()
                } else {
                    view! { <AssignmentTable caption="Active" rows=active on_change=move || data.refetch()/> }.into_any()
                }}
                {(!ended.is_empty()).then(|| view! {
                    <h2>"Expired"</h2>
                    <AssignmentTable caption="Expired" rows=ended on_change=move || data.refetch()/>
                })}
            }
    });
    view! {
        <h1>"Access I have"</h1>
        {body}
    }
}

#[component]
fn AssignmentTable(
    caption: &'static str,
    rows: Vec<Assignment>,
    #[prop(into)] on_change: Callback<()>,
) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Access package"</th>
                    <th scope="col">"Policy"</th>
                    <th scope="col">"Start date"</th>
                    <th scope="col">"End date"</th>
                    <th scope="col">"State"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|a| {
                    let extend = (a.state == AssignmentState::Delivered)
                        .then(|| view! { <Extend assignment=a.clone() on_done=on_change/> });
                    let end = a.schedule.end_date_time.as_deref().map(format::date).unwrap_or_else(|| "No end date".to_owned());
                    view! {
                        <tr>
                            <th scope="row"><Link href=format!("/package/{}", a.access_package.id)>{a.access_package.display_name}</Link></th>
                            <td>{a.assignment_policy.display_name}</td>
                            <td>{format::date(&a.schedule.start_date_time)}</td>
                            <td>{end}</td>
                            <td>{a.state.label()}</td>
                            <td>{extend}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
