//! One labelled form field with its hint and the server's message about it.

use leptos::prelude::*;

/// The label (marked when required), the control, a hint and the error. The control is
/// expected to carry `id`, and `aria-describedby` = `{id}-note`, so that screen readers read
/// the hint and the error with it.
#[component]
pub fn Field(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    let note_id = format!("{id}-note");
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {children()}
            <div id=note_id>
                {hint.map(|h| view! { <p class="hint">{h}</p> })}
                {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
        </div>
    }
}
