//! One access package in the "Request access" list.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::AccessPackage;

/// Name, description, catalog and the resources it grants, with its "Request" action.
#[component]
pub fn PackageRow(package: AccessPackage) -> impl IntoView {
    let href = format!("/package/{}", package.id);
    let label = format!("Request {}", package.display_name);
    let resources = package
        .resource_roles
        .iter()
        .map(|r| format!("{} of {}", r.display_name, r.resource.display_name))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li class="package-row">
            <div class="package-main">
                <h2 class="package-name">{package.display_name}</h2>
                <p class="package-description">{package.description}</p>
                <p class="package-meta">
                    <span class="catalog">"Catalog: " {package.catalog.display_name}</span>
                    {(!resources.is_empty()).then(|| view! { <span class="resources">{resources}</span> })}
                </p>
            </div>
            <Link href=href attr:class="btn btn-primary" attr:aria-label=label>"Request"</Link>
        </li>
    }
}
