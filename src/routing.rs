//! Reading and writing the route: the `:id` of the current route, and replacing the address's
//! query without a new history entry.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params};
use leptos_router::params::Params;

#[derive(Params, PartialEq, Clone)]
struct IdParams {
    id: Option<String>,
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
        navigate(&crate::config::to(path), options);
    }
}
