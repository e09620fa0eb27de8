//! Demo sign-in: pick the person to act as.

use leptos::prelude::*;
use portal_api::User;

use crate::api;
use crate::load::{Load, Submit};
use crate::session::use_session;

/// The demo users, each a button that signs in as them. Shown in place of any page while
/// nobody is signed in; the address stays, so the page asked for opens after sign-in.
#[component]
pub fn SignIn() -> impl IntoView {
    crate::set_title("Sign in");
    let session = use_session();
    let users = Load::new(api::demo_users);
    let sign_in = Submit::new(move |user: &User| {
        let user = user.clone();
        async move {
            let token = api::demo_sign_in(user.user_principal_name.clone()).await?;
            session.sign_in(token.access_token, user);
            Ok::<(), api::ApiError>(())
        }
    });
    let list = users.view_or_not_found(
        || view! {
            <p class="notice">"Demo sign-in is turned off on this server, and no other sign-in is configured."</p>
        },
        move |users| view! {
            <ul class="people">
                {users
                    .into_iter()
                    .map(|user| {
                        let title = user.job_title.clone().unwrap_or_default();
                        let mail = user.mail.clone();
                        let name = user.display_name.clone();
                        view! {
                            <li>
                                <button
                                    class="person"
                                    disabled=move || sign_in.pending().get()
                                    on:click=move |_| { sign_in.dispatch(user.clone()); }
                                >
                                    // Heard as "Sign in as Adele Vance, Retail Manager, …"; the
                                    // visible words stay part of the name (WCAG 2.5.3).
                                    <span class="visually-hidden">"Sign in as "</span>
                                    <span class="person-name">{name}</span>
                                    <span class="person-title">{title}</span>
                                    <span class="person-mail">{mail}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        },
    );
    let failed = move || {
        sign_in.value().get().and_then(Result::err).map(|err| {
            view! { <p class="field-error" role="alert">{err.message()}</p> }
        })
    };
    view! {
        <section class="sign-in">
            <h1>"Sign in"</h1>
            <p>"This portal runs in demo mode: choose the person to act as."</p>
            {failed}
            {list}
        </section>
    }
}
