//! The package's own link, the one managers paste into their emails, with a copy button.

use leptos::prelude::*;

/// A read-only box with the link and "Copy link"; says "Link copied" once it is.
#[component]
pub fn ShareLink(#[prop(into)] path: String) -> impl IntoView {
    let link = crate::config::public_link(&path);
    // None until the user copies; then whether the browser let us write the clipboard.
    let copied = RwSignal::new(None::<bool>);
    let copy = {
        let link = link.clone();
        move |_| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let promise = window.navigator().clipboard().write_text(&link);
            leptos::task::spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.set(Some(done));
            });
        }
    };
    view! {
        <div class="share">
            <label for="share-link">"Link to this access package"</label>
            <div class="share-row">
                <input id="share-link" type="text" readonly=true prop:value=link on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }/>
                <button class="btn" on:click=copy>"Copy link"</button>
            </div>
            <p class="hint" role="status">{move || match copied.get() {
                Some(true) => "Link copied",
                Some(false) => "The browser did not allow copying: select the link and copy it.",
                None => "Send it to people who need this access.",
            }}</p>
        </div>
    }
}
