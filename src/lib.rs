//! Access Portal's web app: the router, the shell around every page, and what pages share.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub mod api;
pub mod components;
pub mod config;
pub mod format;
pub mod pages;
pub mod paging;
pub mod session;

use components::nav::Nav;
use components::sign_in::SignIn;
use components::user_menu::UserMenu;
use pages::{
    access::AccessPage, approval::ApprovalPage, approvals::ApprovalsPage, catalog::CatalogPage,
    not_found::NotFoundPage, package::PackagePage, request::RequestPage, requests::RequestsPage,
};
use session::Session;

/// The whole app: navigation on the left, the routed page beside it. While nobody is signed
/// in, the sign-in page stands in for every route, so a deep link opened signed out shows its
/// page as soon as the user has signed in.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    let signed_in = move || session.0.with(Option::is_some);
    view! {
        <Router>
            <div class="shell">
                <header class="topbar">
                    <a class="brand" href="/">"Access Portal"</a>
                    <span class="spacer"></span>
                    <UserMenu/>
                </header>
                <Nav/>
                <main class="content" id="main">
                    <Show when=signed_in fallback=SignIn>
                        <Routes fallback=NotFoundPage>
                            <Route path=path!("/") view=CatalogPage/>
                            <Route path=path!("/package/:id") view=PackagePage/>
                            <Route path=path!("/access") view=AccessPage/>
                            <Route path=path!("/requests") view=RequestsPage/>
                            <Route path=path!("/requests/:id") view=RequestPage/>
                            <Route path=path!("/approvals") view=ApprovalsPage/>
                            <Route path=path!("/approvals/:id") view=ApprovalPage/>
                        </Routes>
                    </Show>
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
