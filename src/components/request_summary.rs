//! What a request asks for: when and by whom, under which policy, why, for which period,
//! and the answers to the policy's questions.

use leptos::prelude::*;
use portal_api::AssignmentRequest;

use crate::format;

/// The facts of a request as a definition list, with its answers beneath.
#[component]
pub fn RequestSummary(request: AssignmentRequest) -> impl IntoView {
    let period = request.schedule.as_ref().map(|s| {
        let end = s
            .end_date_time
            .as_deref()
            .map(format::date)
            .unwrap_or_else(|| "no end date".to_owned());
        format!("{} to {end}", format::date(&s.start_date_time))
    });
    let requested = format!(
        "{} ({} ago)",
        format::date_time(&request.created_date_time),
        format::age(&request.created_date_time)
    );
    view! {
        <dl class="details">
            <dt>"Requested"</dt><dd>{requested}</dd>
            <dt>"Requested by"</dt><dd>{request.requestor.display_name}</dd>
            <dt>"Policy"</dt><dd>{request.assignment_policy.display_name}</dd>
            {request.justification.map(|j| view! { <dt>"Business justification"</dt><dd>{j}</dd> })}
            {period.map(|p| view! { <dt>"Period"</dt><dd>{p}</dd> })}
            {request.completed_date_time.map(|c| view! { <dt>"Completed"</dt><dd>{format::date_time(&c)}</dd> })}
        </dl>
        {(!request.answers.is_empty()).then(|| view! {
            <h2>"Answers"</h2>
            <dl class="details">
                {request.answers.into_iter().map(|a| view! { <dt>{a.question}</dt><dd>{a.display_value}</dd> }).collect_view()}
            </dl>
        })}
    }
}
