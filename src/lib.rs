//! Access Portal's web app: the router, the shell around every page, and what pages share.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub mod components;
pub mod pages;

use components::nav::Nav;
use pages::{
    access::AccessPage, approvals::ApprovalsPage, catalog::CatalogPage, not_found::NotFoundPage,
    package::PackagePage, request::RequestPage, requests::RequestsPage,
};

/// The whole app: navigation on the left, the routed page beside it.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <div class="shell">
                <header class="topbar">
                    <a class="brand" href="/">"Access Portal"</a>
                </header>
                <Nav/>
                <main class="content" id="main">
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=CatalogPage/>
                        <Route path=path!("/package/:id") view=PackagePage/>
                        <Route path=path!("/access") view=AccessPage/>
                        <Route path=path!("/requests") view=RequestsPage/>
                        <Route path=path!("/requests/:id") view=RequestPage/>
                        <Route path=path!("/approvals") view=ApprovalsPage/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}

/// Set the browser tab's title for the page being shown.
pub fn set_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} · Access Portal"));
    }
}
