//! Who is signed in, kept for the tab's session (sessionStorage), so a reload keeps the user
//! signed in while another tab can act as someone else.

use std::cell::Cell;

use leptos::prelude::*;
use portal_api::User;
use serde::{Deserialize, Serialize};

const STORAGE_KEY: &str = "access-portal.session";

/// The signed-in user and their bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    pub token: String,
    pub user: User,
}

/// The session, shared by context; `None` while nobody is signed in.
#[derive(Debug, Clone, Copy)]
pub struct Session(pub RwSignal<Option<SignedIn>>);

thread_local! {
    // api.rs reads the token and ends an expired session without a reactive owner at hand.
    static CURRENT: Cell<Option<RwSignal<Option<SignedIn>>>> = const { Cell::new(None) };
}

impl Session {
    /// The session restored from this tab's storage, registered for api.rs.
    pub fn restore() -> Self {
        let signal = RwSignal::new(read_storage());
        CURRENT.with(|c| c.set(Some(signal)));
        Self(signal)
    }

    /// Start acting as `user`.
    pub fn sign_in(self, token: String, user: User) {
        let signed_in = SignedIn { token, user };
        write_storage(&signed_in);
        self.0.set(Some(signed_in));
    }

    /// Stop acting as anyone; the sign-in page shows in place of the current page.
    pub fn sign_out(self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(STORAGE_KEY);
        }
        self.0.set(None);
    }
}

/// Keep `user`, signed in with `token`, for this tab: before the app is mounted (it restores
/// the session from storage), or while it runs.
pub fn store(token: String, user: User) {
    match CURRENT.with(|c| c.get()) {
        Some(signal) => Session(signal).sign_in(token, user),
        None => write_storage(&SignedIn { token, user }),
    }
}

/// A renewed token for the same user; the pages on show stay as they are.
pub fn replace_token(token: String) {
    let Some(signal) = CURRENT.with(|c| c.get()) else {
        return;
    };
    let Some(mut signed_in) = signal.get_untracked() else {
        return;
    };
    signed_in.token = token;
    write_storage(&signed_in);
    // The user is the same: only calls made from now on read the new token.
    signal.update_untracked(|s| *s = Some(signed_in));
}

/// The session in context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The bearer token of the signed-in user, if any.
pub fn token() -> Option<String> {
    CURRENT
        .with(|c| c.get())
        .and_then(|s| s.with_untracked(|s| s.as_ref().map(|s| s.token.clone())))
}

/// The server no longer accepts the token: sign out, so the sign-in page shows.
pub fn expire() {
    if let Some(signal) = CURRENT.with(|c| c.get()) {
        Session(signal).sign_out();
    }
}

fn read_storage() -> Option<SignedIn> {
    let json = storage()?.get_item(STORAGE_KEY).ok()??;
    crate::json::from_str(&json).ok()
}

/// Keep `signed_in` for this tab.
fn write_storage(signed_in: &SignedIn) {
    if let Some(storage) = storage()
        && let Some(json) = crate::json::to_string(signed_in)
    {
        let _ = storage.set_item(STORAGE_KEY, &json);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}
