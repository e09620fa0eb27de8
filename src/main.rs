//! The web app's entry point: report panics to the console, read the runtime configuration,
//! then mount the app — or say plainly what is wrong with the configuration.

fn main() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        match portal::config::load().await {
            Ok(config) => {
                leptos::mount::mount_to_body(move || portal::App(portal::AppProps { config }))
            }
            Err(message) => portal::show_startup_error(&message),
        }
    });
}
