//! A second step before an action that cannot be undone.

use leptos::prelude::*;

/// A button that, when pressed, asks "Are you sure?" in place, with a confirm and a back
/// button. `busy` disables both while the action runs.
#[component]
pub fn ConfirmButton(
    #[prop(into)] label: String,
    #[prop(into)] question: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] back_label: String,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    move || {
        if asking.get() {
            view! {
                <div class="confirm" role="group" aria-label=question.clone()>
                    <p>{question.clone()}</p>
                    <button class="btn btn-danger" disabled=busy on:click=move |_| on_confirm.run(())>
                        {confirm_label.clone()}
                    </button>
                    <button class="btn" disabled=busy on:click=move |_| asking.set(false)>
                        {back_label.clone()}
                    </button>
                </div>
            }
            .into_any()
        } else {
            view! { <button class="btn" on:click=move |_| asking.set(true)>{label.clone()}</button> }
                .into_any()
        }
    }
}
