//! Lists that load a page at a time: the first page on demand, more on "Show more", and
//! answers to a superseded load dropped; and how a page shows such a list.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_api::Page;

use crate::api::{ApiError, ApiResult};
use crate::components::loading::{ErrorNotice, Loading};

/// The items loaded so far, the cursor of the next page, the count of all where known, and
/// whether a load runs or failed.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<String>>,
    /// How many items the whole listing has, where the server counts them.
    pub total: RwSignal<Option<u64>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    generation: StoredValue<u32>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Default for Paged<T> {
    fn default() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            total: RwSignal::new(None),
            loading: RwSignal::new(true),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }
}

impl<T: Send + Sync + 'static> Paged<T> {
    /// Load the first page again (`more == false`) or the next one; `fetch` gets the cursor.
    pub fn load<F, Fut>(self, more: bool, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = ApiResult<Page<T>>> + 'static,
    {
        let cursor = if more {
            self.next.get_untracked()
        } else {
            None
        };
        self.generation.update_value(|g| *g += 1);
        let mine = self.generation.get_value();
        self.loading.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = fetch(cursor).await;
            // Dropped when a newer load started, or when the list's page is gone (the user
            // went elsewhere while it loaded: its values are disposed with it).
            if self.generation.try_get_value() != Some(mine) {
                return;
            }
            match result {
                Ok(page) => {
                    if more {
                        self.items.update(|items| items.extend(page.value));
                    } else {
                        self.items.set(page.value);
                    }
                    self.next.set(page.next_cursor);
                    self.total.set(page.total_count);
                }
                Err(err) => self.error.set(Some(err)),
            }
            self.loading.set(false);
        });
    }

    /// The page's view of the list, as [`crate::load::Load::view`] shows a single answer:
    /// "Loading…" until the first page, the server's message with "Try again" (which loads
    /// again what failed: the first page, or the next), `empty` when there is nothing to list,
    /// and `loaded` once there is.
    pub fn view<E: IntoView + 'static, V: IntoView + 'static>(
        self,
        load: impl Fn(bool) + Copy + Send + Sync + 'static,
        empty: impl Fn() -> E + Send + Sync + 'static,
        loaded: impl Fn() -> V + Send + Sync + 'static,
    ) -> impl IntoView {
        move || {
            if let Some(err) = self.error.get() {
                let more = !self.items.with_untracked(Vec::is_empty);
                return view! { <ErrorNotice error=err retry=move || load(more)/> }.into_any();
            }
            if self.items.with(Vec::is_empty) {
                if self.loading.get() {
                    return view! { <Loading/> }.into_any();
                }
                return empty().into_any();
            }
            loaded().into_any()
        }
    }

    /// Whether there is a further page.
    pub fn has_more(self) -> bool {
        self.next.with(Option::is_some)
    }
}
