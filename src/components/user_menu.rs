//! The signed-in user's name in the header, with the way to sign out (or, in demo mode, to act
//! as someone else).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::config::RuntimeConfig;
use crate::session::use_session;

/// "Adele Vance · Sign out" ("Switch user" in demo mode), or nothing while signed out.
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = use_session();
    let provider = StoredValue::new(use_context::<RuntimeConfig>().and_then(|c| c.oidc));
    let leave = move |_| match provider.get_value() {
        Some(provider) => spawn_local(crate::oidc::sign_out(provider)),
        None => session.sign_out(),
    };
    let words = if provider.with_value(Option::is_some) {
        "Sign out"
    } else {
        "Switch user"
    };
    move || {
        session.0.get().map(|s| {
            view! {
                <span class="user">
                    <span class="user-name">{s.user.display_name}</span>
                    <button class="btn btn-subtle-inverse" on:click=leave>
                        {words}
                    </button>
                </span>
            }
        })
    }
}
