//! A link inside the app, wherever the app is hosted.

use leptos::prelude::*;
use leptos_router::components::A;

/// `<A>` with an app path ("/package/42") turned into the hosted address
/// ("/access/package/42"), so links never leave the base path the app is served under.
#[component]
pub fn Link(
    #[prop(into)] href: String,
    /// Marked current only on this exact path, not below it.
    #[prop(optional)]
    exact: bool,
    children: Children,
) -> impl IntoView {
    view! { <A href=crate::config::to(&href) exact=exact>{children()}</A> }
}
