//! The signed-in user's name in the header, with the way to act as someone else.

use leptos::prelude::*;

use crate::session::use_session;

/// "Adele Vance · Switch user", or nothing while signed out.
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = use_session();
    move || {
        session.0.get().map(|s| {
            view! {
                <span class="user">
                    <span class="user-name">{s.user.display_name}</span>
                    <button class="btn btn-subtle-inverse" on:click=move |_| session.sign_out()>
                        "Switch user"
                    </button>
                </span>
            }
        })
    }
}
