//! Mounting the portal into another page: `embed.js` loads the app and says where its files
//! are; the portal then mounts into the page's `<div data-access-portal>`, inside a shadow root
//! that keeps its styles and the host page's apart.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

/// The folder the app's files are in, when `embed.js` loaded it (`window.AccessPortal.base`).
pub fn portal_folder() -> Option<String> {
    loader_field("base")
}

/// The element the host page keeps for the portal, when embedded.
pub fn host_element() -> Option<HtmlElement> {
    portal_folder()?;
    let document = web_sys::window()?.document()?;
    document
        .query_selector("[data-access-portal]")
        .ok()??
        .dyn_into()
        .ok()
}

/// Mount the app into `host`: a shadow root with the portal's stylesheet and the app in it.
/// `data-start` on the element names the route to open when the address has none, e.g.
/// `data-start="/package/sales-crm"`.
pub fn mount(
    host: HtmlElement,
    app: impl FnOnce() -> leptos::prelude::AnyView + 'static,
) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    if let Some(start) = host
        .get_attribute("data-start")
        .filter(|s| s.starts_with('/'))
    {
        let hash = window.location().hash().unwrap_or_default();
        if !hash.starts_with("#/") {
            let _ = window.location().set_hash(&start);
        }
    }
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .map_err(|_| "the element for the portal already has a shadow root")?;
    if let Some(href) = loader_field("stylesheet") {
        let link = document
            .create_element("link")
            .map_err(|_| "cannot create a link")?;
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", &href);
        let _ = shadow.append_child(&link);
    }
    let root: HtmlElement = document
        .create_element("div")
        .map_err(|_| "cannot create the portal's root")?
        .unchecked_into();
    let _ = shadow.append_child(&root);
    leptos::mount::mount_to(root, app).forget();
    Ok(())
}

fn loader_field(name: &str) -> Option<String> {
    let window = web_sys::window()?;
    let loader = js_sys::Reflect::get(&window, &"AccessPortal".into()).ok()?;
    if loader.is_undefined() {
        return None;
    }
    js_sys::Reflect::get(&loader, &name.into())
        .ok()?
        .as_string()
}
