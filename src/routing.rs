//! The route in force, read and changed; and the app's routes matched with leptos_router's
//! `path!` where `<FlatRoutes>` (in lib.rs) cannot serve: the script embed.
//!
//! On its own page a route is the address's path under the base path (`/access/package/42`),
//! followed by leptos_router's `<Router>`; embedded in someone else's page it is the fragment
//! (`/intranet/start#/package/42`), and the host's path and query are never touched.
//! `<Router>` follows the path only and takes over every link of the page it runs in, so the
//! script embed follows the fragment itself and matches its pages with this `path!` table.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::{NavigateOptions, PartialPathMatch, PossibleRouteMatch, path};
use wasm_bindgen::JsValue;

/// `<Router>`'s navigation, kept for `navigate`.
type Navigate = Rc<dyn Fn(&str, NavigateOptions)>;

thread_local! {
    // `navigate` is called from event handlers and timers, where no reactive owner is at hand.
    static CURRENT: Cell<Option<Location>> = const { Cell::new(None) };
    // On the app's own page, `<Router>`'s navigation.
    static ROUTER: RefCell<Option<Navigate>> = const { RefCell::new(None) };
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
        Page::at(&self.path)
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

impl Page {
    /// The page of an app path: `/package/sales-crm` is `Package("sales-crm")`.
    pub fn at(path: &str) -> Self {
        if let Some(id) = id(path!("/package/:id").test(path)) {
            Self::Package(id)
        } else if whole(path!("/access").test(path)).is_some() {
            Self::Access
        } else if whole(path!("/requests").test(path)).is_some() {
            Self::Requests
        } else if let Some(id) = id(path!("/requests/:id").test(path)) {
            Self::Request(id)
        } else if whole(path!("/approvals").test(path)).is_some() {
            Self::Approvals
        } else if let Some(id) = id(path!("/approvals/:id").test(path)) {
            Self::Approval(id)
        } else if matches!(path, "" | "/") {
            Self::Catalog
        } else {
            Self::NotFound
        }
    }
}

/// A match of the whole path (a trailing slash allowed), not of its beginning only.
fn whole(found: Option<PartialPathMatch<'_>>) -> Option<PartialPathMatch<'_>> {
    found.filter(|m| matches!(m.remaining(), "" | "/"))
}

/// The `:id` of a whole match, percent-decoded.
fn id(found: Option<PartialPathMatch<'_>>) -> Option<String> {
    let (_, id) = whole(found)?.params().into_iter().next()?;
    Some(
        percent_encoding::percent_decode_str(&id)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// The route in force, shared by context: `<Router>`'s path under the base path, or the
/// fragment when embedded.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    route: Signal<Route>,
    /// Embedded, the route is ours to keep: set from the fragment and by `navigate`.
    fragment: Option<RwSignal<Route>>,
}

impl Location {
    fn set(self, route: Route) {
        if let Some(fragment) = self.fragment
            && fragment.with_untracked(|r| *r != route)
        {
            fragment.set(route);
        }
    }

    /// The route, tracked.
    pub fn get(self) -> Route {
        self.route.get()
    }

    /// Whether the route is the app path `href` (`exact`) or below it, tracked.
    pub fn shows(self, href: &str, exact: bool) -> bool {
        let target = href
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        self.route.with(|r| {
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
/// under the same owner. On the app's own page this must run inside `<Router>`.
pub fn provide_location() {
    let location = if crate::config::embedded() {
        follow_fragment()
    } else {
        follow_router()
    };
    provide_context(location);
    CURRENT.with(|c| c.set(Some(location)));
}

fn follow_router() -> Location {
    let router = leptos_router::hooks::use_location();
    let navigate = use_navigate();
    ROUTER.with(|r| *r.borrow_mut() = Some(Rc::new(navigate)));
    let base = crate::config::base_path();
    let route = Memo::new(move |_| {
        let search = router.search.get();
        Route {
            path: router.pathname.with(|path| under_base(path, &base)),
            query: if search.is_empty() {
                String::new()
            } else {
                format!("?{search}")
            },
        }
    });
    Location {
        route: route.into(),
        fragment: None,
    }
}

fn follow_fragment() -> Location {
    let fragment = RwSignal::new(from_fragment().unwrap_or_default());
    let location = Location {
        route: fragment.into(),
        fragment: Some(fragment),
    };
    let follow = move |_| {
        if let Some(route) = from_fragment() {
            location.set(route);
        }
    };
    let on_pop = window_event_listener_untyped("popstate", follow);
    let on_hash = window_event_listener_untyped("hashchange", follow);
    on_cleanup(move || {
        on_pop.remove();
        on_hash.remove();
    });
    location
}

/// Show the app path `to` (`/package/42`, `/?search=crm`): a new history entry that starts
/// at the top of the page, or (`replace`, as filters do) the current entry rewritten in place.
pub fn navigate(to: &str, replace: bool) {
    let route = Route::parse(to);
    let address = crate::config::to(&format!("{}{}", route.path, route.query));
    // A link to the page on show adds no history entry, so Back still leaves it.
    let here = CURRENT
        .with(Cell::get)
        .is_some_and(|l| l.route.with_untracked(|r| *r == route));
    if let Some(router) = ROUTER.with(|r| r.borrow().clone()) {
        let options = NavigateOptions {
            resolve: false,
            replace: replace || here,
            scroll: !replace,
            ..NavigateOptions::default()
        };
        return router(&address, options);
    }
    let window = window();
    if let Ok(history) = window.history() {
        // The host page's own path and query, with the route as the fragment.
        let location = window.location();
        let address = format!(
            "{}{}{address}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let _ = if replace || here {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&address))
        } else {
            history.push_state_with_url(&JsValue::NULL, "", Some(&address))
        };
    }
    // Embedded, the window is the host page's and stays put.
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
    Memo::new(move |_| location.route.with(|r| r.query_value(key)))
}

/// The route the fragment shows now; `None` for a fragment that is not a route (the host
/// page's own `#section`), which leaves the route as it was.
fn from_fragment() -> Option<Route> {
    let hash = window().location().hash().ok()?;
    match hash.strip_prefix('#').unwrap_or(&hash) {
        "" => Some(Route::parse("/")),
        route if route.starts_with('/') => Some(Route::parse(route)),
        _ => None,
    }
}

/// The app path of an address's path: `/access/requests` under `/access` is `/requests`.
fn under_base(path: &str, base: &str) -> String {
    let path = path
        .strip_prefix(base)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .unwrap_or(path);
    if path.is_empty() { "/" } else { path }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_opens_its_page() {
        assert_eq!(Page::at("/"), Page::Catalog);
        assert_eq!(
            Page::at("/package/sales-crm"),
            Page::Package("sales-crm".into())
        );
        assert_eq!(Page::at("/access"), Page::Access);
        assert_eq!(Page::at("/requests"), Page::Requests);
        assert_eq!(Page::at("/requests/r-7"), Page::Request("r-7".into()));
        assert_eq!(Page::at("/approvals"), Page::Approvals);
        assert_eq!(Page::at("/approvals/r-7"), Page::Approval("r-7".into()));
    }

    #[test]
    fn a_trailing_slash_opens_the_same_page() {
        assert_eq!(Page::at("/requests/"), Page::Requests);
        assert_eq!(
            Page::at("/package/sales-crm/"),
            Page::Package("sales-crm".into())
        );
    }

    #[test]
    fn an_id_in_the_address_is_read_percent_decoded() {
        assert_eq!(
            Page::at("/package/sales%20crm"),
            Page::Package("sales crm".into())
        );
    }

    #[test]
    fn an_address_that_is_no_route_shows_not_found() {
        for path in [
            "/nope",
            "/package",
            "/package/a/b",
            "/requests/r-7/x",
            "/accessories",
        ] {
            assert_eq!(Page::at(path), Page::NotFound, "{path}");
        }
    }

    #[test]
    fn a_route_is_read_with_its_query_and_without_its_fragment() {
        let route = Route::parse("/package/42?resubmit=7#top");
        assert_eq!(route.path, "/package/42");
        assert_eq!(route.query, "?resubmit=7");
        assert_eq!(Route::parse("").path, "/");
        assert_eq!(Route::parse("/requests?").query, "");
    }

    #[test]
    fn the_app_path_is_read_under_the_base_path() {
        assert_eq!(under_base("/access/requests", "/access"), "/requests");
        assert_eq!(under_base("/access", "/access"), "/");
        assert_eq!(under_base("/access/", "/access"), "/");
        // Only a whole folder is the base: /accessories is not under /access.
        assert_eq!(under_base("/accessories", "/access"), "/accessories");
        assert_eq!(under_base("/requests", ""), "/requests");
    }
}
