//! A link inside the app, wherever the app is hosted.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::routing::EMBEDDED_BASE;

/// A link to an app path ("/package/42"): `<A href="/access/package/42">` on the app's own
/// page, a plain `<a href="#/package/42">` when embedded (which the browser follows itself);
/// marked `aria-current="page"` on its route either way.
#[component]
pub fn Link(
    #[prop(into)] href: String,
    /// Marked current only on this exact path, not below it.
    #[prop(optional)]
    exact: bool,
    children: Children,
) -> impl IntoView {
    if !crate::config::embedded() {
        return view! { <A href=crate::config::to(&href) exact=exact>{children()}</A> }.into_any();
    }
    let pathname = use_location().pathname;
    let target = format!(
        "{EMBEDDED_BASE}{}",
        href.split(['?', '#']).next().unwrap_or("")
    );
    let target = target.trim_end_matches('/').to_owned();
    let current = move || {
        pathname.with(|p| {
            let p = p.trim_end_matches('/');
            p == target || (!exact && p.starts_with(&target) && p[target.len()..].starts_with('/'))
        })
    };
    view! {
        <a href=crate::config::to(&href) aria-current=move || current().then_some("page")>
            {children()}
        </a>
    }
    .into_any()
}
