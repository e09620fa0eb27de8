//! Access Portal's web app: the router, the shell around every page, and what pages share.

use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

pub mod api;
pub mod components;
pub mod config;
pub mod embed;
pub mod format;
pub mod json;
pub mod load;
pub mod oidc;
pub mod pages;
pub mod paging;
pub mod routing;
pub mod session;

use components::nav::Nav;
use components::user_menu::UserMenu;
use config::RuntimeConfig;
use pages::lazy::{Chunk, show};
use pages::not_found::NotFoundPage;
use routing::Page;
use session::Session;

/// The whole app: navigation on the left, the routed page beside it. While nobody is signed
/// in, the sign-in page stands in for every route, so a deep link opened signed out shows its
/// page as soon as the user has signed in.
#[component]
pub fn App(config: RuntimeConfig) -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    let name = config.product_name.clone();
    let logo = config
        .logo_url
        .clone()
        .map(|src| view! { <img class="logo" src=src alt="" /> });
    provide_context(config);
    // In another page's frame: no header (the host page has its own), the user beside the
    // navigation, and the frame told how tall the portal is.
    let framed = config::framed();
    if framed {
        components::frame_height::report_height();
    }
    let shell = move || {
        // Inside `<Router>` on the app's own page: the route, and every link, follow it.
        routing::provide_location();
        let header = (!framed).then(|| {
            view! {
                <header class="topbar">
                    <components::link::Link href="/" attr:class="brand">{logo}{name}</components::link::Link>
                    <span class="spacer"></span>
                    <UserMenu/>
                </header>
            }
        });
        view! {
        <div class="shell" class:framed=framed>
            {header}
            <Nav/>
            {framed.then(|| view! { <div class="framed-user"><UserMenu/></div> })}
            <main class="content" id="main">
                <Pages/>
            </main>
        </div>
        }
    };
    if config::embedded() {
        shell().into_any()
    } else {
        view! { <Router base=config::base_path()>{shell()}</Router> }.into_any()
    }
}

/// The page of the route in force: leptos_router's `<FlatRoutes>` on the app's own page (the
/// routes do not nest, and it is the smaller of its two route views); embedded, the page
/// [`routing::Page`] matches in the fragment. Each is built anew when the route names another
/// page, and kept while only the query changes (a search, a filter).
#[component]
fn Pages() -> impl IntoView {
    if config::embedded() {
        let location = routing::use_location();
        let page = Memo::new(move |_| location.get().page());
        return signed_in(Box::new(move || match page.get() {
            Page::Catalog => show(Chunk::Catalog).into_any(),
            Page::Package(_) => show(Chunk::Package).into_any(),
            Page::Access => show(Chunk::Access).into_any(),
            Page::Requests => show(Chunk::Requests).into_any(),
            Page::Request(_) => show(Chunk::Request).into_any(),
            Page::Approvals => show(Chunk::Approvals).into_any(),
            Page::Approval(_) => show(Chunk::Approval).into_any(),
            Page::NotFound => view! { <NotFoundPage/> }.into_any(),
        }));
    }
    view! {
        <FlatRoutes fallback=|| signed_in(Box::new(|| NotFoundPage().into_any()))>
            <Route path=path!("/") view=CATALOG/>
            <Route path=path!("/package/:id") view=PACKAGE/>
            <Route path=path!("/access") view=ACCESS/>
            <Route path=path!("/requests") view=REQUESTS/>
            <Route path=path!("/requests/:id") view=REQUEST/>
            <Route path=path!("/approvals") view=APPROVALS/>
            <Route path=path!("/approvals/:id") view=APPROVAL/>
        </FlatRoutes>
    }
    .into_any()
}

/// A route's view as a plain function: every route then has the same type of view, and the
/// router's code is compiled once for each shape of path, not once for each route.
type RouteView = fn() -> AnyView;
const CATALOG: RouteView = || chunk_page(Chunk::Catalog);
const PACKAGE: RouteView = || chunk_page(Chunk::Package);
const ACCESS: RouteView = || chunk_page(Chunk::Access);
const REQUESTS: RouteView = || chunk_page(Chunk::Requests);
const REQUEST: RouteView = || chunk_page(Chunk::Request);
const APPROVALS: RouteView = || chunk_page(Chunk::Approvals);
const APPROVAL: RouteView = || chunk_page(Chunk::Approval);

fn chunk_page(chunk: Chunk) -> AnyView {
    signed_in(Box::new(move || show(chunk).into_any()))
}

/// The page, or the sign-in page in its place while nobody is signed in; built anew only when
/// someone signs in or out, not when the user is switched. The page comes as a trait object,
/// so this is compiled once for every route.
fn signed_in(page: Box<dyn Fn() -> AnyView + Send + Sync>) -> AnyView {
    let session = session::use_session();
    let signed_in = Memo::new(move |_| session.0.with(Option::is_some));
    (move || {
        if signed_in.get() {
            page()
        } else {
            show(Chunk::SignIn).into_any()
        }
    })
    .into_any()
}

/// Set the browser tab's title for the page being shown; embedded, the title is the host
/// page's and stays as it is.
pub fn set_title(page: &str) {
    if config::embedded() {
        return;
    }
    let product = use_context::<RuntimeConfig>()
        .map(|c| c.product_name)
        .unwrap_or_else(|| "Access Portal".to_owned());
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} · {product}"));
    }
}

/// Say why the app cannot start, in place of a blank page.
pub fn show_startup_error(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    let (Ok(section), Ok(heading), Ok(text)) = (
        document.create_element("section"),
        document.create_element("h1"),
        document.create_element("p"),
    ) else {
        return;
    };
    let _ = section.set_attribute("class", "startup-error");
    let _ = section.set_attribute("role", "alert");
    heading.set_text_content(Some("Access Portal cannot start"));
    text.set_text_content(Some(message));
    let _ = section.append_child(&heading);
    let _ = section.append_child(&text);
    let _ = body.append_child(&section);
}
