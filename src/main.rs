//! The web app's entry point: report panics to the console (in the split build, reload when a
//! page's chunk is gone after a deploy), read the runtime configuration,
//! then mount the app — on its own page, or into another page that embedded it — or say
//! plainly what is wrong with the configuration.

use leptos::prelude::IntoAny;

fn main() {
    // The split build aborts on a panic at once, without a hook or a message (no formatting
    // code in the download); the unsplit one that `trunk serve` builds says where it was.
    #[cfg(feature = "split")]
    portal::pages::lazy::reload_after_a_failure();
    #[cfg(not(feature = "split"))]
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let config = match portal::config::load().await {
            Ok(config) => config,
            Err(message) => return portal::show_startup_error(&message),
        };
        // Back from the provider: finish signing in before the app reads the address.
        portal::oidc::start(&config).await;
        match portal::embed::host_element() {
            Some(host) => {
                let app = move || portal::App(portal::AppProps { config }).into_any();
                if let Err(message) = portal::embed::mount(host, app) {
                    portal::show_startup_error(&message);
                }
            }
            None => leptos::mount::mount_to_body(move || portal::App(portal::AppProps { config })),
        }
    });
}
