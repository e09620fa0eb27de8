//! Extending an assignment near its end: a new request of type `userExtend`, decided like the
//! one that delivered the access.

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::{Assignment, ExtendAssignment};

use crate::api;
use crate::components::field::Field;
use crate::format;
use crate::load::Submit;

/// What can be done about an assignment's end: "Extend" once the window is open, the date it
/// opens before that, or the link to the extension already asked for.
#[component]
pub fn Extend(assignment: Assignment, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    if let Some(request) = assignment.extension_request_id {
        return view! {
            <span>"Extension requested · " <Link href=format!("/requests/{request}")>"View request"</Link></span>
        }
        .into_any();
    }
    let Some(from) = assignment.extendable_from else {
        return ().into_any();
    };
    if !format::has_passed(&from) {
        return view! { <span class="muted">"Can be extended from " {format::date(&from)}</span> }
            .into_any();
    }
    let open = RwSignal::new(false);
    let justification = RwSignal::new(String::new());
    let id = assignment.id.clone();
    let name = assignment.access_package.display_name.clone();
    let field = format!("extend-{}", assignment.id);
    let note = format!("{field}-note");
    let extend = Submit::new(move |_: &()| {
        let id = id.clone();
        let justification =
            Some(justification.get_untracked().trim().to_owned()).filter(|j| !j.is_empty());
        async move {
            let result = api::extend(
                &id,
                ExtendAssignment {
                    justification,
                    answers: vec![],
                },
            )
            .await;
            if result.is_ok() {
                // The page may have gone meanwhile.
                on_done.try_run(());
            }
            result
        }
    });
    let error = Signal::derive(move || {
        extend
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.field("justification").unwrap_or_else(|| e.message()))
    });
    let form = move || {
        let (field, note) = (field.clone(), note.clone());
        view! {
            <div class="extend">
                <Field id=field.clone() label="Business justification" error=error
                    hint="Say why you still need this access.">
                    <textarea id=field rows="2" aria-describedby=note
                        prop:value=move || justification.get()
                        on:input=move |ev| justification.set(event_target_value(&ev))></textarea>
                </Field>
                <div class="actions">
                    <button class="btn btn-primary" disabled=move || extend.pending().get()
                        on:click=move |_| { extend.dispatch(()); }>"Request extension"</button>
                    <button class="btn" on:click=move |_| open.set(false)>"Back"</button>
                </div>
            </div>
        }
    };
    let label = format!("Extend {name}");
    (move || {
        if open.get() {
            form().into_any()
        } else {
            view! { <button class="btn" aria-label=label.clone() on:click=move |_| open.set(true)>"Extend"</button> }
                .into_any()
        }
    })
    .into_any()
}
