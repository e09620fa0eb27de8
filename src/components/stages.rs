//! The approval stages of a request: who decides, and what they decided.

use leptos::prelude::*;
use portal_api::ApprovalStage;

use crate::format;

/// One line per stage: its status in words, the approvers, and any decision with its reason.
#[component]
pub fn Stages(stages: Vec<ApprovalStage>) -> impl IntoView {
    let count = stages.len();
    view! {
        <ol class="stages">
            {stages
                .into_iter()
                .map(|stage| {
                    let approvers = stage
                        .approvers
                        .iter()
                        .map(|a| a.display_name.clone())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let decided = stage.decided_by.map(|by| {
                        let when = stage.decided_date_time.as_deref().map(format::date_time).unwrap_or_default();
                        view! { <p>"Decided by " {by.display_name} ", " {when}</p> }
                    });
                    let reason = stage.justification.map(|j| view! { <p class="reason">"Reason: " {j}</p> });
                    view! {
                        <li class="stage">
                            <h3>{format!("Stage {} of {count}", stage.stage)} " — " {stage.status.label()}</h3>
                            <p>"Approvers: " {approvers}</p>
                            {decided}
                            {reason}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
