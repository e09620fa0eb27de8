//! What a page shows while it waits, and when a call failed.

use leptos::prelude::*;

use crate::api::ApiError;

/// A quiet "Loading…" that screen readers announce.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Loading…"</p> }
}

/// The server's message for a failed call, with a button that tries again.
#[component]
pub fn ErrorNotice(error: ApiError, #[prop(into)] retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.message()}</p>
            <button class="btn" on:click=move |_| retry.run(())>"Try again"</button>
        </div>
    }
}

/// "Show more" under a list that has further pages; "Loading…" while the next page comes.
#[component]
pub fn ShowMore(
    #[prop(into)] loading: Signal<bool>,
    #[prop(into)] visible: Signal<bool>,
    #[prop(into)] on_click: Callback<()>,
) -> impl IntoView {
    // Rebuilt only when it appears or goes, so the button keeps its focus across pages.
    let visible = Memo::new(move |_| visible.get());
    move || {
        visible.get().then(|| view! {
            <button class="btn more" disabled=move || loading.get() on:click=move |_| on_click.run(())>
                {move || if loading.get() { "Loading…" } else { "Show more" }}
            </button>
        })
    }
}
