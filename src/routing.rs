//! Where the app's routes live, and reading and writing them.
//!
//! On its own page a route is the address's path under the base path (`/access/package/42`);
//! embedded in someone else's page it is the fragment (`/intranet/start#/package/42`), and the
//! host's path and query are never touched. [`Location`] holds the route in force and follows
//! the address on the browser's `popstate` and `hashchange`; [`navigate`] changes both. (A
//! router crate would do the same for the first case only, at several times the download.)

use std::cell::Cell;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

thread_local! {
    // `navigate` is called from event handlers and timers, where no reactive owner is at hand.
    static CURRENT: Cell<Option<Location>> = const { Cell::new(None) };
}

/// An app path and its query: `/requests` and `?state=denied`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    pub path: String,
    /// Empty, or starting with `?`.
    pub query: String,
}

impl Route {
    /// `/package/42?resubmit=7` read as a route; a fragment is left out.
    pub fn parse(address: &str) -> Self {
        let address = address.split('#').next().unwrap_or_default();
        let (path, query) = match address.find('?') {
            Some(at) => address.split_at(at),
            None => (address, ""),
        };
        Self {
            path: if path.is_empty() { "/" } else { path }.to_owned(),
            query: if query == "?" { "" } else { query }.to_owned(),
        }
    }

    /// The page this route shows.
    pub fn page(&self) -> Page {
        let segments: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        let id = |s: &str| String::from(js_decode(s));
        match segments.as_slice() {
            [] => Page::Catalog,
            ["package", id_] => Page::Package(id(id_)),
            ["access"] => Page::Access,
            ["requests"] => Page::Requests,
            ["requests", id_] => Page::Request(id(id_)),
            ["approvals"] => Page::Approvals,
            ["approvals", id_] => Page::Approval(id(id_)),
            _ => Page::NotFound,
        }
    }

    /// The value of `key` in the query, if it is there.
    pub fn query_value(&self, key: &str) -> Option<String> {
        web_sys::UrlSearchParams::new_with_str(&self.query)
            .ok()?
            .get(key)
    }
}

/// The app's pages, as their routes name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Catalog,
    Package(String),
    Access,
    Requests,
    Request(String),
    Approvals,
    Approval(String),
    NotFound,
}

/// The route in force, shared by context.
#[derive(Debug, Clone, Copy)]
pub struct Location(RwSignal<Route>);

impl Location {
    fn set(self, route: Route) {
        if self.0.with_untracked(|r| *r != route) {
            self.0.set(route);
        }
    }

    /// The route, tracked.
    pub fn get(self) -> Route {
        self.0.get()
    }

    /// Whether the route is the app path `href` (`exact`) or below it, tracked.
    pub fn shows(self, href: &str, exact: bool) -> bool {
        let target = href
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        self.0.with(|r| {
            let path = r.path.trim_end_matches('/');
            // Every path is below the root: only the root itself shows it.
            path == target
                || (!exact
                    && !target.is_empty()
                    && path
                        .strip_prefix(target)
                        .is_some_and(|rest| rest.starts_with('/')))
        })
    }
}

/// The route in context.
pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// Start following the address: the [`Location`] is provided to everything built after this
/// under the same owner.
pub fn provide_location() {
    let location = Location(RwSignal::new(from_address().unwrap_or_default()));
    provide_context(location);
    CURRENT.with(|c| c.set(Some(location)));
    let follow = move |_| {
        if let Some(route) = from_address() {
            location.set(route);
        }
    };
    let on_pop = window_event_listener_untyped("popstate", follow);
    let on_hash = window_event_listener_untyped("hashchange", follow);
    on_cleanup(move || {
        on_pop.remove();
        on_hash.remove();
    });
}

/// Show the app path `to` (`/package/42`, `/?search=crm`): a new history entry that starts
/// at the top of the page, or (`replace`, as filters do) the current entry rewritten in place.
pub fn navigate(to: &str, replace: bool) {
    let route = Route::parse(to);
    let window = window();
    if let Ok(history) = window.history() {
        let address = crate::config::to(&format!("{}{}", route.path, route.query));
        let address = if crate::config::embedded() {
            // The host page's own path and query, with the route as the fragment.
            let location = window.location();
            format!(
                "{}{}{address}",
                location.pathname().unwrap_or_default(),
                location.search().unwrap_or_default()
            )
        } else {
            address
        };
        // A link to the page on show adds no history entry, so Back still leaves it.
        let here = CURRENT
            .with(Cell::get)
            .is_some_and(|l| l.0.with_untracked(|r| *r == route));
        let _ = if replace || here {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&address))
        } else {
            history.push_state_with_url(&JsValue::NULL, "", Some(&address))
        };
    }
    // A new page starts at the top; embedded, the window is the host page's and stays put.
    if !replace && !crate::config::embedded() {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
    if let Some(location) = CURRENT.with(Cell::get) {
        location.set(route);
    }
}

/// The `:id` of the current route (`/package/:id`, `/requests/:id`, …); empty when absent.
pub fn use_route_id() -> Memo<String> {
    let location = use_location();
    Memo::new(move |_| match location.get().page() {
        Page::Package(id) | Page::Request(id) | Page::Approval(id) => id,
        _ => String::new(),
    })
}

/// The value of `key` in the current route's query, tracked.
pub fn use_query(key: &'static str) -> Memo<Option<String>> {
    let location = use_location();
    Memo::new(move |_| location.0.with(|r| r.query_value(key)))
}

/// The route the address shows now; `None` for a fragment that is not a route (the host
/// page's own `#section`), which leaves the route as it was.
fn from_address() -> Option<Route> {
    let location = window().location();
    if crate::config::embedded() {
        let hash = location.hash().ok()?;
        return match hash.strip_prefix('#').unwrap_or(&hash) {
            "" => Some(Route::parse("/")),
            route if route.starts_with('/') => Some(Route::parse(route)),
            _ => None,
        };
    }
    let path = location.pathname().ok()?;
    let path = path
        .strip_prefix(&crate::config::base_path())
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .unwrap_or(&path);
    Some(Route {
        path: if path.is_empty() { "/" } else { path }.to_owned(),
        query: location.search().unwrap_or_default(),
    })
}

fn js_decode(segment: &str) -> js_sys::JsString {
    js_sys::decode_uri_component(segment).unwrap_or_else(|_| segment.into())
}
