//! Telling the page that frames the portal how tall the portal is, so it can size the frame
//! and no inner scroll bar appears.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// The message the host page listens for: `{ type: "access-portal:height", height }`.
pub const MESSAGE_TYPE: &str = "access-portal:height";

/// Post the document's height to the framing page whenever it changes. Messages go only to
/// the origin of the page that opened the frame (`document.referrer`), never to `*`.
pub fn report_height() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(parent) = window.parent().ok().flatten() else {
        return;
    };
    let Some(target) = parent_origin(&window) else {
        return;
    };
    let Some(root) = window.document().and_then(|d| d.document_element()) else {
        return;
    };
    let post = move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        // The body, not the document: the document is never shorter than the frame, so the
        // frame could grow but never shrink again.
        let height = document
            .body()
            .map(|b| b.scroll_height())
            .unwrap_or_default();
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &MESSAGE_TYPE.into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &height.into());
        let _ = parent.post_message(&message, &target);
    };
    post();
    let callback = Closure::<dyn FnMut()>::new(post);
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            observer.observe(&body);
        }
    }
    // The observer lives as long as the page.
    callback.forget();
}

fn parent_origin(window: &web_sys::Window) -> Option<String> {
    let referrer = window.document()?.referrer();
    let url = web_sys::Url::new(&referrer).ok()?;
    let origin = url.origin();
    (origin != "null" && !origin.is_empty()).then_some(origin)
}
