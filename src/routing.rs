//! Where the app's routes live, and reading and writing them.
//!
//! On its own page the routes are the address's path under the base path (`/access/package/42`),
//! which is leptos_router's own `<Router base=…>`. Embedded in someone else's page they live in
//! the fragment (`/intranet/start#/package/42`), and the host's path is never touched.
//! leptos_router 0.8 cannot be given another location provider (`<Router>` builds a
//! `BrowserUrl`), so the embedded mode keeps the stock `<Router>` and bridges the fragment into
//! the router's URL signal, which `BrowserUrl` exposes:
//! - the router's base is a path no host page has (`EMBEDDED_BASE`), so the router's global
//!   click handler leaves every real link alone (the host's, and our `#/…` links, which the
//!   browser follows itself);
//! - the route is read from the fragment at start and on `hashchange`;
//! - the router's own `popstate` listener is not registered: it would set the route to the
//!   host's path on every back or forward;
//! - when `use_navigate` has pushed `EMBEDDED_BASE/…` into the address bar, the same history
//!   entry is rewritten to `<host page>#/…`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Router;
use leptos_router::hooks::{use_navigate, use_params};
use leptos_router::location::{BrowserUrl, LocationProvider, Url};
use leptos_router::params::Params;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsValue};

/// The router's base when embedded: a path no host page has.
pub const EMBEDDED_BASE: &str = "/~access-portal";

/// The base given to `<Router>`.
pub fn router_base() -> String {
    if crate::config::embedded() {
        EMBEDDED_BASE.to_owned()
    } else {
        crate::config::base_path()
    }
}

/// `<Router>` for the page or the embedded mode; inside it `<Routes>`, `use_params`,
/// `use_query_map` and `use_location` work unchanged, links are `<Link>`.
#[component]
pub fn PortalRouter(children: Children) -> impl IntoView {
    let embedded = crate::config::embedded();
    let router = move || {
        view! {
            <Router base=router_base()>
                // Before <Routes> is built, so that the first match is the fragment's.
                {embedded.then(FragmentBridge)}
                {children()}
            </Router>
        }
    };
    if embedded {
        without_popstate_listeners(router)
    } else {
        router()
    }
}

/// The `:id` of the current route (`/package/:id`, `/requests/:id`, …); empty when absent.
pub fn use_route_id() -> Memo<String> {
    let params = use_params::<IdParams>();
    Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.id.clone())
                .unwrap_or_default()
        })
    })
}

#[derive(Params, PartialEq, Clone)]
struct IdParams {
    id: Option<String>,
}

/// A function that shows another app path (`/?search=crm`) in place of the current one, as
/// filters do: no new history entry, no scrolling.
pub fn use_replace_path() -> impl Fn(&str) + Clone {
    let navigate = use_navigate();
    move |path: &str| {
        let options = NavigateOptions {
            replace: true,
            scroll: false,
            // The path already carries the base; resolving would add it again.
            resolve: false,
            ..Default::default()
        };
        navigate(&format!("{}{path}", router_base()), options);
    }
}

/// Build the router while `window.addEventListener("popstate", …)` does nothing, so that the
/// router registers no popstate listener; every other listener is added as usual.
fn without_popstate_listeners<T>(build: impl FnOnce() -> T) -> T {
    let window = window();
    let key = JsValue::from_str("addEventListener");
    let own = js_sys::Reflect::own_keys(&window).is_ok_and(|keys| keys.includes(&key, 0));
    let Ok(original) =
        js_sys::Reflect::get(&window, &key).and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return build();
    };
    let forward = original.clone();
    let shim = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        move |kind: JsValue, listener: JsValue, options: JsValue| {
            if kind.as_string().as_deref() == Some("popstate") {
                Ok(JsValue::UNDEFINED)
            } else {
                forward.call3(&leptos::prelude::window(), &kind, &listener, &options)
            }
        },
    );
    let _ = js_sys::Reflect::set(&window, &key, shim.as_ref());
    let built = build();
    if own {
        let _ = js_sys::Reflect::set(&window, &key, &original);
    } else {
        let _ = js_sys::Reflect::delete_property(&window, &key);
    }
    built
}

/// The route in the fragment as the router's URL; `None` for a fragment that is not a route
/// (the host page's own `#section`).
fn url_from_fragment() -> Option<Url> {
    let location = window().location();
    let hash = location.hash().ok()?;
    let route = match hash.strip_prefix('#').unwrap_or(&hash) {
        "" => "/",
        r if r.starts_with('/') => r,
        _ => return None,
    };
    BrowserUrl::parse_with_base(&format!("{EMBEDDED_BASE}{route}"), &location.origin().ok()?).ok()
}

/// Keeps the router's URL equal to the route in the fragment.
#[component]
fn FragmentBridge() -> impl IntoView {
    // The very signal the router's context holds, read by <Routes> and the hooks.
    let url = expect_context::<BrowserUrl>().as_url().clone();
    let location = window().location();
    let host = Rc::new(RefCell::new(format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )));
    let home = BrowserUrl::parse_with_base(
        &format!("{EMBEDDED_BASE}/"),
        &location.origin().unwrap_or_default(),
    );
    let Some(first) = url_from_fragment().or(home.ok()) else {
        return;
    };
    // The last route seen, kept when the fragment becomes the host's own `#section`.
    let last = Rc::new(RefCell::new(first.clone()));
    url.set(first);
    let sync = {
        let url = url.clone();
        move || {
            if let Some(new) = url_from_fragment() {
                *last.borrow_mut() = new;
            }
            let last = last.borrow().clone();
            if *url.read_untracked() != last {
                url.set(last);
            }
        }
    };
    let on_hash = window_event_listener_untyped("hashchange", move |_| sync());
    on_cleanup(move || on_hash.remove());
    // `use_navigate` pushes "/~access-portal/x" into the address bar right after setting the
    // URL; this runs just after and turns that entry into "<host page>#/x".
    Effect::new(move |_| {
        url.track();
        let location = window().location();
        let Ok(path) = location.pathname() else {
            return;
        };
        let search = location.search().unwrap_or_default();
        let Some(route) = path.strip_prefix(EMBEDDED_BASE) else {
            // The host's own address, which its own router may have changed.
            *host.borrow_mut() = format!("{path}{search}");
            return;
        };
        let route = if route.is_empty() { "/" } else { route };
        if let Ok(history) = window().history() {
            let state = history.state().unwrap_or(JsValue::NULL);
            let address = format!("{}#{route}{search}", host.borrow());
            let _ = history.replace_state_with_url(&state, "", Some(&address));
        }
    });
}
