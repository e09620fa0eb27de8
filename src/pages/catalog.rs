//! "Request access" (`/`): the packages the user may request, with search and more on demand.

use leptos::prelude::*;
use portal_api::AccessPackage;

use crate::api;
use crate::components::loading::ShowMore;
use crate::components::package_row::PackageRow;
use crate::paging::Paged;

/// The catalog: a search box that filters at each keystroke (kept in the URL as `?search=`), the
/// matching packages, and "Show more" while there are more.
#[component]
pub fn CatalogPage() -> impl IntoView {
    crate::set_title("Request access");
    let query = crate::routing::use_query("search");
    let search = Memo::new(move |_| query.get().unwrap_or_default());
    let text = RwSignal::new(search.get_untracked());

    let list = Paged::<AccessPackage>::default();
    let load = move |more: bool| {
        let term = search.get_untracked();
        list.load(more, move |cursor| async move {
            api::access_packages(&term, cursor.as_deref()).await
        });
    };
    Effect::new(move |_| {
        search.track();
        load(false);
    });

    // Every keystroke searches: the server answers a search from its index in a few
    // milliseconds, so waiting for a pause in typing would only add to the wait, and `Paged`
    // drops the answer to a search that a later keystroke has superseded.
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        let href = if value.trim().is_empty() {
            "/".to_owned()
        } else {
            format!(
                "/?search={}",
                String::from(js_sys::encode_uri_component(value.trim()))
            )
        };
        crate::routing::navigate(&href, true);
    };

    let results = list.view(load, move || empty_state(search.get()), move || {
        view! {
            <p class="count" role="status">{move || count_text(list.items.with(Vec::len), list.has_more())}</p>
            <ul class="package-list">
                {move || list.items.get().into_iter().map(|p| view! { <PackageRow package=p/> }).collect_view()}
            </ul>
            <ShowMore loading=list.loading visible=Signal::derive(move || list.has_more()) on_click=move || load(true)/>
        }
    });

    view! {
        <h1>"Request access"</h1>
        <p class="lead">"Find the access you need and request it. Open a package to see what it grants."</p>
        <div class="search" role="search">
            <label for="search" class="visually-hidden">"Search access packages"</label>
            <input id="search" type="search" placeholder="Search access packages" autocomplete="off"
                prop:value=move || text.get() on:input=on_input/>
        </div>
        {results}
    }
}

fn count_text(shown: usize, more: bool) -> String {
    match (shown, more) {
        (1, false) => "1 access package".to_owned(),
        (n, false) => format!("{n} access packages"),
        (n, true) => format!("Showing the first {n} access packages"),
    }
}

fn empty_state(search: String) -> impl IntoView {
    let text = if search.trim().is_empty() {
        "There are no access packages you can request right now. If you were sent a link to a \
         package, open that link; otherwise ask your manager which access you need."
            .to_owned()
    } else {
        format!(
            "No access package matches “{}”. Try another word, or clear the search.",
            search.trim()
        )
    };
    view! {
        <div class="empty" role="status">
            <h2>"No access packages found"</h2>
            <p>{text}</p>
        </div>
    }
}
