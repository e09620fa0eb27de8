//! Sign-in: with the company's OpenID Provider where `config.json` names one, else demo
//! sign-in (pick the person to act as).

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_api::User;

use crate::api;
use crate::config::{Oidc, RuntimeConfig};
use crate::load::{Load, Submit};
use crate::oidc;
use crate::session::use_session;

/// The sign-in page that stands in for any page while nobody is signed in; the address stays,
/// so the page asked for opens after sign-in.
#[component]
pub fn SignIn() -> impl IntoView {
    crate::set_title("Sign in");
    match use_context::<RuntimeConfig>().and_then(|c| c.oidc) {
        Some(provider) => view! { <ProviderSignIn provider/> }.into_any(),
        None => view! { <DemoSignIn/> }.into_any(),
    }
}

/// "Sign in with your work account at login.contoso.com": the button sends the user to the
/// provider. Why the last attempt failed, if it did, is said above a Try again.
#[component]
fn ProviderSignIn(provider: Oidc) -> impl IntoView {
    let name = oidc::provider_name(&provider);
    let failure = RwSignal::new(oidc::take_failure().map(|e| e.message()));
    let leaving = RwSignal::new(false);
    // Back from the provider's page may restore this page as it was left (the back/forward
    // cache), the button still waiting: make it usable again, saying why the user is back.
    let restored = {
        let provider = provider.clone();
        move |event: web_sys::PageTransitionEvent| {
            if event.persisted() {
                if let Some(err) = oidc::came_back_without_answer(&provider) {
                    failure.set(Some(err.message()));
                }
                leaving.set(false);
            }
        }
    };
    let listener = window_event_listener(leptos::ev::pageshow, restored);
    on_cleanup(move || listener.remove());
    let provider = StoredValue::new(provider);
    let go = move |_| {
        leaving.set(true);
        spawn_local(async move {
            if let Err(err) = oidc::sign_in(provider.get_value()).await {
                failure.set(Some(err.message()));
                leaving.set(false);
            }
        });
    };
    let label = {
        let name = name.clone();
        move || {
            if leaving.get() {
                format!("Going to {name}…")
            } else if failure.with(Option::is_some) {
                "Try again".to_owned()
            } else {
                format!("Sign in with {name}")
            }
        }
    };
    view! {
        <section class="sign-in">
            <h1>"Sign in"</h1>
            <p>"You sign in with your work account at " <strong>{name}</strong> "."</p>
            {move || failure.get().map(|message| view! {
                <div class="notice notice-error" role="alert"><p>{message}</p></div>
            })}
            <button class="btn btn-primary" disabled=move || leaving.get() on:click=go>{label}</button>
        </section>
    }
}

/// The demo users, each a button that signs in as them. Shown in place of any page while
/// nobody is signed in; the address stays, so the page asked for opens after sign-in.
#[component]
fn DemoSignIn() -> impl IntoView {
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
                                    disabled=move || sign_in.pending().try_get().unwrap_or_default()
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
    // `try_`: once a sign-in went through, this page is gone while its last effects run.
    let failed = move || {
        sign_in
            .value()
            .try_get()
            .flatten()
            .and_then(Result::err)
            .map(|err| {
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
