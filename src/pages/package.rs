//! The request pane of one access package (`/package/:id`), where links in emails lead.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::{AccessPackage, AssignmentPolicy, DecisionTime, Page, PolicyApproval};

use crate::components::recorded_only::RecordedOnly;
use crate::components::request_form::RequestFormProps;
use crate::components::share_link::ShareLink;
use crate::load::Load;
use crate::{api, json};

/// One package: what it grants, whether the user has it or has asked for it, and the
/// **Request** button that opens the "Request access" form.
#[component]
pub fn PackagePage() -> impl IntoView {
    crate::set_title("Request access");
    let id = crate::routing::use_route_id();
    // `?resubmit=<request id>`: fill the form in from an earlier, denied or expired request.
    let resubmit = crate::routing::use_query("resubmit");
    let data = Load::new(move || {
        let (id, resubmit) = (id.get(), resubmit.get());
        async move {
            let (package, policies, time) = futures::future::join3(
                api::access_package(&id),
                api::applicable_policies(&id),
                api::decision_time(&id),
            )
            .await;
            let package = package?;
            let policies = policies?;
            let approvals = policies
                .read_as::<Page<PolicyApproval>>()
                .map_err(api::ApiError::unreadable)?
                .value;
            Ok::<_, api::ApiError>(Loaded {
                package,
                policies,
                approvals,
                decision_time: time.ok(),
                resubmit,
            })
        }
    });
    data.view_or_not_found(
        || view! {
            <h1>"Access package not found"</h1>
            <p>"There is no access package at this link. Check the link you were sent, or find the package under "
                <Link href="/">"Request access"</Link>"."</p>
        },
        |loaded| view! { <Pane loaded/> },
    )
}

/// Everything the pane shows, fetched together.
#[derive(Clone)]
struct Loaded {
    package: AccessPackage,
    /// Read whole by the request form, in its own chunk.
    policies: json::Later<Page<AssignmentPolicy>>,
    /// Of each policy, whether it needs approval: all the pane itself reads of them.
    approvals: Vec<PolicyApproval>,
    decision_time: Option<DecisionTime>,
    /// `?resubmit=<request id>`: the form opens filled in from that request.
    resubmit: Option<String>,
}

#[component]
fn Pane(loaded: Loaded) -> impl IntoView {
    let Loaded {
        package,
        policies,
        approvals,
        decision_time,
        resubmit,
    } = loaded;
    crate::set_title(&package.display_name);
    let open = RwSignal::new(
        resubmit.is_some() || crate::components::request_form::draft::exists(&package.id),
    );
    let needs_approval = approvals
        .iter()
        .any(|p| p.request_approval_settings.is_approval_required_for_add);
    let expected = decision_time.filter(|_| needs_approval).and_then(|t| {
        let (median, p90) = (t.median_hours?, t.p90_hours?);
        Some(format!(
            "Requests for this access package are usually decided within {}; 9 in 10 within {}.",
            hours(median),
            hours(p90)
        ))
    });
    let share = format!("/package/{}", package.id);
    let status = if package.assignment_id.is_some() {
        view! {
            <div class="notice notice-info" role="status">
                <p>"You already have this access package."</p>
                <Link href="/access">"See it under Access I have"</Link>
            </div>
        }
        .into_any()
    } else if let Some(request) = package.open_request_id.clone() {
        view! {
            <div class="notice notice-info" role="status">
                <p>"You have already requested this access package, and the request is still open."</p>
                <Link href=format!("/requests/{request}")>"View your request"</Link>
            </div>
        }
        .into_any()
    } else if approvals.is_empty() {
        view! {
            <div class="notice notice-warning" role="status">
                <p>"You can't request this access package: none of its policies includes you. \
                    If you need it, ask the person who sent you the link."</p>
            </div>
        }
        .into_any()
    } else {
        let package_id = package.id.clone();
        (move || {
            if open.get() {
                crate::pages::lazy::request_form(RequestFormProps {
                    package_id: package_id.clone(),
                    policies: policies.clone(),
                    resubmit: resubmit.clone(),
                })
                .into_any()
            } else {
                use crate::pages::lazy::prefetch_request_form;
                view! {
                    <button class="btn btn-primary" aria-expanded="false" on:click=move |_| open.set(true)
                        on:pointerenter=|_| prefetch_request_form() on:focus=|_| prefetch_request_form()>
                        "Request"
                    </button>
                }
                .into_any()
            }
        })
        .into_any()
    };
    view! {
        <p class="breadcrumb"><Link href="/">"Request access"</Link></p>
        <h1>{package.display_name}</h1>
        <p class="lead">{package.description}</p>
        <p class="package-meta">"Catalog: " {package.catalog.display_name}</p>
        <h2>"Resources"</h2>
        <table class="table">
            <thead><tr><th scope="col">"Resource"</th><th scope="col">"Type"</th><th scope="col">"Role"</th></tr></thead>
            <tbody>
                {package.resource_roles.into_iter().map(|r| view! {
                    <tr><td>{r.resource.display_name}</td><td>{r.resource.resource_type.label()}</td><td>{r.display_name}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <RecordedOnly roles=package.recorded_only/>
        {expected.map(|text| view! { <p class="expected">{text}</p> })}
        {status}
        <ShareLink path=share/>
    }
}

/// "40 minutes", "5 hours", "3 days".
fn hours(h: f64) -> String {
    match h {
        h if h <= 1.0 / 60.0 => "a minute".to_owned(),
        // Whole numbers, written as integers: formatting an f64 would bring in its printer.
        h if h < 1.0 => format!("{} minutes", (h * 60.0).ceil() as u32),
        h if h < 1.5 => "an hour".to_owned(),
        h if h < 48.0 => format!("{} hours", h.round() as u32),
        h => format!("{} days", (h / 24.0).round() as u32),
    }
}
