//! Each page as its own wasm chunk, fetched the first time its route is shown; the sign-in
//! page too, which a signed-in visit never shows. `cargo xtask`
//! builds the app with the `split` feature and splits the module after the build (see
//! xtask/src/split.rs); without the feature, as `trunk serve` builds it, every page is in the
//! one module and shows at once.

use leptos::prelude::*;

use crate::components::request_form::{RequestForm, RequestFormProps};
use crate::components::sign_in::SignIn;

use super::{
    access::AccessPage, approval::ApprovalPage, approvals::ApprovalsPage, catalog::CatalogPage,
    package::PackagePage, request::RequestPage, requests::RequestsPage,
};

/// The pages that bring their own code. Their chunk names (`catalog`, `package`, …) are the
/// names the start-up script in index.html preloads a deep link's chunk by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk {
    Catalog,
    Package,
    Access,
    Requests,
    Request,
    Approvals,
    Approval,
    SignIn,
}

/// The page of `chunk`, shown as soon as its code is here.
pub fn show(chunk: Chunk) -> impl IntoView {
    #[cfg(feature = "split")]
    {
        Suspend::new(split::load(chunk))
    }
    #[cfg(not(feature = "split"))]
    {
        page(chunk)
    }
}

/// The page itself: in the split build each call sits in its own chunk's code.
#[cfg_attr(feature = "split", allow(dead_code))]
fn page(chunk: Chunk) -> AnyView {
    match chunk {
        Chunk::Catalog => view! { <CatalogPage/> }.into_any(),
        Chunk::Package => view! { <PackagePage/> }.into_any(),
        Chunk::Access => view! { <AccessPage/> }.into_any(),
        Chunk::Requests => view! { <RequestsPage/> }.into_any(),
        Chunk::Request => view! { <RequestPage/> }.into_any(),
        Chunk::Approvals => view! { <ApprovalsPage/> }.into_any(),
        Chunk::Approval => view! { <ApprovalPage/> }.into_any(),
        Chunk::SignIn => view! { <SignIn/> }.into_any(),
    }
}

/// The "Request access" form, in a chunk of its own: the request pane shows without it, and
/// it is fetched when the user is about to press Request (see [`prefetch_request_form`]), or
/// when the pane opens with the form already open (a draft, a resubmission).
pub fn request_form(props: RequestFormProps) -> impl IntoView {
    #[cfg(feature = "split")]
    {
        Suspend::new(split::request_form(props))
    }
    #[cfg(not(feature = "split"))]
    {
        RequestForm(props)
    }
}

/// Fetch the form's chunk now (the pointer is on Request, or the focus), so that pressing it
/// shows the form at once.
pub fn prefetch_request_form() {
    #[cfg(feature = "split")]
    leptos::task::spawn_local(split::__preload_request_form());
}

#[cfg(feature = "split")]
mod split {
    //! One `#[lazy]` function per page (and for the request form): wasm-split moves each, with
    //! the code only it reaches, into a chunk named after it (`catalog_<hash>.wasm`); code the
    //! request pane shares with others stays in the main module, and code only other pages
    //! share is in one chunk of theirs (xtask/src/split.rs, vendor/README.md).

    use leptos::lazy;
    use leptos::prelude::*;

    use super::{
        AccessPage, ApprovalPage, ApprovalsPage, CatalogPage, Chunk, PackagePage, RequestForm,
        RequestFormProps, RequestPage, RequestsPage, SignIn,
    };

    #[lazy(catalog)]
    fn catalog() -> AnyView {
        view! { <CatalogPage/> }.into_any()
    }

    #[lazy(package)]
    fn package() -> AnyView {
        view! { <PackagePage/> }.into_any()
    }

    #[lazy(access)]
    fn access() -> AnyView {
        view! { <AccessPage/> }.into_any()
    }

    #[lazy(requests)]
    fn requests() -> AnyView {
        view! { <RequestsPage/> }.into_any()
    }

    #[lazy(request)]
    fn request() -> AnyView {
        view! { <RequestPage/> }.into_any()
    }

    #[lazy(approvals)]
    fn approvals() -> AnyView {
        view! { <ApprovalsPage/> }.into_any()
    }

    #[lazy(approval)]
    fn approval() -> AnyView {
        view! { <ApprovalPage/> }.into_any()
    }

    #[lazy(sign_in)]
    fn sign_in() -> AnyView {
        view! { <SignIn/> }.into_any()
    }

    #[lazy(request_form)]
    pub fn request_form(props: RequestFormProps) -> AnyView {
        RequestForm(props).into_any()
    }

    /// The page of `chunk`, once its chunk is loaded (at once when it was before).
    pub async fn load(chunk: Chunk) -> AnyView {
        match chunk {
            Chunk::Catalog => catalog().await,
            Chunk::Package => package().await,
            Chunk::Access => access().await,
            Chunk::Requests => requests().await,
            Chunk::Request => request().await,
            Chunk::Approvals => approvals().await,
            Chunk::Approval => approval().await,
            Chunk::SignIn => sign_in().await,
        }
    }
}

/// After the app stops on an error: reload the page once, onto the build the server has now.
///
/// Chunks carry content hashes, and a deploy that replaces the app's files removes the old
/// build's chunks while a tab may still run it: its next page then cannot load, and the
/// splitter's loader stops the app (in the split build a panic aborts at once, without a
/// hook: the browser reports a `WebAssembly.RuntimeError`, as a rejected promise when a chunk
/// could not be loaded). Reloading fetches the current index.html, which names the current
/// build. The build's main module is noted in the tab's sessionStorage first, so a build that
/// keeps failing does not reload forever: the second time the page says what happened.
#[cfg(feature = "split")]
pub fn reload_after_a_failure() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;

    let Some(window) = web_sys::window() else {
        return;
    };
    let on_rejection = Closure::<dyn Fn(web_sys::PromiseRejectionEvent)>::new(
        |event: web_sys::PromiseRejectionEvent| reload_if_the_app_stopped(&event.reason()),
    );
    let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
        reload_if_the_app_stopped(&event.error())
    });
    let _ = window.add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    on_rejection.forget();
    on_error.forget();
}

/// Reload once when `error` is this app stopping: a RuntimeError raised in the app's own
/// modules, which its stack names by their address. The page may be another's that embeds the
/// portal and runs WebAssembly of its own; its errors are none of the portal's business.
#[cfg(feature = "split")]
fn reload_if_the_app_stopped(error: &wasm_bindgen::JsValue) {
    use wasm_bindgen::JsCast;

    if !error.is_instance_of::<js_sys::WebAssembly::RuntimeError>() {
        return;
    }
    // The chunk that explains an invalid config.json is loaded before the folder is recorded.
    let folder = crate::config::app_folder();
    let stack = js_sys::Reflect::get(error, &"stack".into())
        .ok()
        .and_then(|stack| stack.as_string())
        .unwrap_or_default();
    if !folder.is_empty() && stack.contains(&folder) {
        reload_once();
    }
}

#[cfg(feature = "split")]
fn reload_once() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let build = window
        .document()
        .and_then(|d| d.query_selector("link[rel=modulepreload]").ok().flatten())
        .and_then(|link| link.get_attribute("href"))
        .unwrap_or_default();
    let Some(storage) = window.session_storage().ok().flatten() else {
        return;
    };
    const KEY: &str = "access-portal.reloaded-for";
    if storage.get_item(KEY).ok().flatten().as_deref() == Some(build.as_str()) {
        crate::show_startup_error(
            "A part of the portal could not be loaded. Check the connection and reload the page.",
        );
        return;
    }
    let _ = storage.set_item(KEY, &build);
    let _ = window.location().reload();
}
