//! Talking to the server from a page: [`Load`] fetches what the page shows, and fetches it
//! again when a signal it read changes or on `refetch`, and [`Load::view`] shows it as every
//! page does (loading, not found, the error with "Try again", loaded); [`Submit`] sends what
//! the user did, once at a time.
//!
//! Leptos's `LocalResource` and `Action` do the same on its async machinery, which is compiled
//! anew for every kind of answer; these two keep that machinery out of the download (about
//! 20 KB gzip for the portal's eleven uses).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiResult;
use crate::components::loading::{ErrorNotice, Loading};

/// What a page loads: `None` until the first answer; afterwards the latest answer, kept
/// while a newer one is on its way.
pub struct Load<T: Send + Sync + 'static> {
    answer: RwSignal<Option<ApiResult<T>>>,
    again: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Load<T> {}

impl<T: Clone + Send + Sync + 'static> Load<T> {
    /// Start loading with `fetch`; the signals it reads decide when it runs again. An answer
    /// that arrives after a newer fetch started is dropped.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        let answer = RwSignal::new(None);
        let again = RwSignal::new(0);
        let latest = Rc::new(Cell::new(0u32));
        Effect::new(move |_| {
            again.track();
            let future = fetch();
            let mine = latest.get().wrapping_add(1);
            latest.set(mine);
            let latest = latest.clone();
            spawn_local(async move {
                let result = future.await;
                if latest.get() == mine {
                    answer.try_set(Some(result));
                }
            });
        });
        Self { answer, again }
    }

    /// The answer so far, tracked.
    pub fn get(self) -> Option<ApiResult<T>> {
        self.answer.get()
    }

    /// Fetch again, keeping the current answer on show until the new one comes.
    pub fn refetch(self) {
        // `try_`: a timer may ask after the page that loads this is gone.
        self.again.try_update(|n| *n = n.wrapping_add(1));
    }
}

impl<T: Clone + Send + Sync + 'static> Load<T> {
    /// The page's view of what it loads: "Loading…" until the first answer, the server's
    /// message with "Try again" when the call failed, and `loaded` with the answer.
    pub fn view<V: IntoView + 'static>(
        self,
        loaded: impl Fn(T) -> V + Send + Sync + 'static,
    ) -> impl IntoView {
        self.shown(None::<fn()>, loaded)
    }

    /// As [`Load::view`], and `not_found` where the server has nothing at the address (404).
    pub fn view_or_not_found<N: IntoView + 'static, V: IntoView + 'static>(
        self,
        not_found: impl Fn() -> N + Send + Sync + 'static,
        loaded: impl Fn(T) -> V + Send + Sync + 'static,
    ) -> impl IntoView {
        self.shown(Some(not_found), loaded)
    }

    fn shown<N: IntoView + 'static, V: IntoView + 'static>(
        self,
        not_found: Option<impl Fn() -> N + Send + Sync + 'static>,
        loaded: impl Fn(T) -> V + Send + Sync + 'static,
    ) -> impl IntoView {
        move || match self.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(err)) => match (&not_found, err.status()) {
                (Some(not_found), Some(404)) => not_found().into_any(),
                _ => view! { <ErrorNotice error=err retry=move || self.refetch()/> }.into_any(),
            },
            Some(Ok(answer)) => loaded(answer).into_any(),
        }
    }
}

type Sender<I, O> = Rc<dyn Fn(&I) -> Pin<Box<dyn Future<Output = O>>>>;

/// Something the user sends (sign in, submit, approve): one at a time, with its outcome.
pub struct Submit<I: 'static, O: Send + Sync + 'static> {
    send: StoredValue<Sender<I, O>, LocalStorage>,
    pending: RwSignal<bool>,
    value: RwSignal<Option<O>>,
}

impl<I: 'static, O: Send + Sync + 'static> Clone for Submit<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: 'static, O: Send + Sync + 'static> Copy for Submit<I, O> {}

impl<I: 'static, O: Clone + Send + Sync + 'static> Submit<I, O> {
    pub fn new<Fut>(send: impl Fn(&I) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = O> + 'static,
    {
        let send: Sender<I, O> = Rc::new(move |input: &I| Box::pin(send(input)));
        Self {
            send: StoredValue::new_local(send),
            pending: RwSignal::new(false),
            value: RwSignal::new(None),
        }
    }

    /// Send `input`, unless a send is still on its way (a second click does nothing).
    pub fn dispatch(self, input: I) {
        if self.pending.get_untracked() {
            return;
        }
        let Some(send) = self.send.try_get_value() else {
            return;
        };
        self.pending.set(true);
        let future = send(&input);
        let (pending, value) = (self.pending, self.value);
        spawn_local(async move {
            let outcome = future.await;
            value.try_set(Some(outcome));
            pending.try_set(false);
        });
    }

    /// Whether a send is on its way.
    pub fn pending(self) -> RwSignal<bool> {
        self.pending
    }

    /// The outcome of the last send.
    pub fn value(self) -> RwSignal<Option<O>> {
        self.value
    }
}
