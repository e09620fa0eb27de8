//! A link inside the app, wherever the app is hosted.

use leptos::prelude::*;

use crate::routing::{navigate, use_location};

/// A link to an app path ("/package/42"): its address is where the app is hosted
/// (`/access/package/42`, or `#/package/42` when embedded), a plain click changes the route in
/// place (through `<Router>` on the app's own page), and it is marked `aria-current="page"` on
/// its route. (leptos_router's `<A>` would add a history entry for a link to the page on show
/// after Back and Forward; this link replaces the entry instead, so Back still leaves.)
#[component]
pub fn Link(
    #[prop(into)] href: String,
    /// Marked current only on this exact path, not below it.
    #[prop(optional)]
    exact: bool,
    children: Children,
) -> impl IntoView {
    let location = use_location();
    let current = {
        let href = href.clone();
        move || location.shows(&href, exact)
    };
    let address = crate::config::to(&href);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        // A new tab or window, a download, or another handler's choice: the browser's.
        if ev.default_prevented()
            || ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        // Handled on the link itself, before `<Router>` sees the click on the window.
        ev.prevent_default();
        navigate(&href, false);
    };
    view! {
        <a href=address aria-current=move || current().then_some("page") on:click=on_click>
            {children()}
        </a>
    }
}
