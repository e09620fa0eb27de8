//! The "Request access" form of one package: policy, justification, period, questions,
//! Submit — and then the confirmation of what happened.

use std::collections::BTreeMap;

use crate::components::link::Link;
use leptos::prelude::*;
use portal_api::{
    Answer, AssignmentPolicy, AssignmentRequest, FieldError, NewAssignmentRequest, Page, Question,
    QuestionKind, RequestState, Schedule,
};

use crate::components::field::Field;
use crate::components::loading::Loading;
use crate::format;
use crate::load::Submit;
use crate::{api, json};

/// The form for requesting `package_id` under one of `policies` (the ones the user may use).
/// The policy choice shows only when there is more than one; the other sections follow the
/// chosen policy. The server checks every rule; its messages appear next to their fields.
#[component]
pub fn RequestForm(
    package_id: String,
    /// The applicable policies' JSON, read here: the pane reads only a part of it.
    policies: json::Later<Page<AssignmentPolicy>>,
    /// The id of an earlier request (denied or expired) whose policy, justification and
    /// answers fill the form in, for resubmitting. Read here, with the form's code, not by
    /// the pane: an email link's first visit needs neither. One that cannot be read leaves
    /// the form empty.
    resubmit: Option<String>,
) -> impl IntoView {
    let policies = match policies.read() {
        Ok(page) => page.value,
        Err(why) => {
            // The server's answer does not match the app: nothing the user can change.
            leptos::logging::error!("the applicable policies could not be read: {why}");
            return view! {
                <div class="notice notice-error" role="alert">
                    <p>"This access package's policies could not be read, so it can't be requested here now. \
                        Tell the portal's administrators."</p>
                </div>
            }
            .into_any();
        }
    };
    let Some(id) = resubmit else {
        return view! { <Form package_id policies prefill=None/> }.into_any();
    };
    let earlier = LocalResource::new(move || {
        let id = id.clone();
        async move { api::request(&id).await.ok() }
    });
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (package_id, policies) = (package_id.clone(), policies.clone());
                Suspend::new(async move {
                    let prefill = earlier.await;
                    view! { <Form package_id policies prefill/> }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Form(
    package_id: String,
    policies: Vec<AssignmentPolicy>,
    prefill: Option<AssignmentRequest>,
) -> impl IntoView {
    let earlier = prefill
        .as_ref()
        .map(|r| r.assignment_policy.id.clone())
        .filter(|id| policies.iter().any(|p| &p.id == id));
    let only = (policies.len() == 1)
        .then(|| policies[0].id.clone())
        .or(earlier);
    let choose = policies.len() > 1;
    let policies = StoredValue::new(policies);
    let selected = RwSignal::new(only);
    // A justification typed before a sign-in round trip (the token's renewal, or sign-in
    // again after the server refused it) is still there afterwards.
    let justification = RwSignal::new(
        prefill
            .as_ref()
            .and_then(|r| r.justification.clone())
            .or_else(|| draft::read(&package_id))
            .unwrap_or_default(),
    );
    let draft_of = package_id.clone();
    Effect::new(move |_| draft::keep(&draft_of, &justification.get()));
    let specific = RwSignal::new(false);
    let start = RwSignal::new(format::today());
    let end = RwSignal::new(String::new());
    let answers = RwSignal::new(
        prefill
            .iter()
            .flat_map(|r| r.answers.iter())
            .map(|a| (a.question_id.clone(), a.value.clone()))
            .collect::<BTreeMap<String, String>>(),
    );
    // Mistakes caught before sending (a date left empty, no policy chosen).
    let local_errors = RwSignal::new(Vec::<FieldError>::new());

    let submit = Submit::new(|body: &NewAssignmentRequest| {
        let body = body.clone();
        async move {
            let created = api::create_request(body.clone()).await;
            if created.is_ok() {
                draft::forget(&body.access_package_id);
            }
            created
        }
    });
    let policy = move || {
        selected
            .get()
            .and_then(|id| policies.with_value(|ps| ps.iter().find(|p| p.id == id).cloned()))
    };
    let error_for = move |field: String| {
        Signal::derive(move || {
            let local = local_errors.with(|errs| {
                errs.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            });
            local.or_else(|| {
                submit.value().with(|v| match v {
                    Some(Err(err)) => err.field(&field),
                    _ => None,
                })
            })
        })
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(policy) = policy() else {
            local_errors.set(vec![FieldError::new(
                "assignmentPolicyId",
                "Select a policy.",
            )]);
            return;
        };
        match build_request(
            &package_id,
            &policy,
            &justification.get(),
            specific.get(),
            &start.get(),
            &end.get(),
            &answers.get(),
        ) {
            Ok(body) => {
                local_errors.set(vec![]);
                submit.dispatch(body);
            }
            Err(errors) => local_errors.set(errors),
        }
    };

    let form_error = move || {
        submit
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !e.has_field_errors())
            .map(|e| {
                view! { <div class="notice notice-error" role="alert">{e.message()}</div> }
            })
    };

    let sections = move || {
        policy().map(|p| {
            let max_days = p.max_duration_days();
            let needs_justification = p.request_approval_settings.is_requestor_justification_required;
            let allows_period = p.requestor_settings.allow_custom_assignment_schedule;
            let questions = p.questions.clone();
            view! {
                {needs_justification.then(|| view! {
                    <Field id="justification" label="Business justification" required=true
                        hint="Say why you need this access; your approvers read it."
                        error=error_for("justification".into())>
                        <textarea id="justification" rows="4" aria-required="true"
                            aria-describedby="justification-note"
                            prop:value=move || justification.get()
                            on:input=move |ev| justification.set(event_target_value(&ev))></textarea>
                    </Field>
                })}
                {allows_period.then(|| view! {
                    <PeriodFields specific start end max_days
                        start_error=error_for("schedule.startDateTime".into())
                        end_error=error_for("schedule.endDateTime".into())
                        error=error_for("schedule".into())/>
                })}
                {questions.into_iter().map(|q| {
                    let error = error_for(format!("answers.{}", q.id));
                    view! { <QuestionField question=q answers error/> }
                }).collect_view()}
            }
        })
    };

    move || {
        match submit.value().get() {
        Some(Ok(request)) => view! { <Submitted request/> }.into_any(),
        _ => view! {
            <form class="request-form" novalidate=true on:submit=on_submit.clone()>
                <h2>"Request access"</h2>
                {choose.then(|| view! {
                    <PolicyChoice policies=policies.get_value() selected error=error_for("assignmentPolicyId".into())
                        on_change=Callback::new(move |()| answers.set(BTreeMap::new()))/>
                })}
                {sections}
                {form_error}
                <div class="actions">
                    <button type="submit" class="btn btn-primary" disabled=move || submit.pending().get()>
                        {move || if submit.pending().get() { "Submitting…" } else { "Submit" }}
                    </button>
                </div>
            </form>
        }
        .into_any(),
    }
    }
}

/// The policy radio buttons, each with what it means for the requestor.
#[component]
fn PolicyChoice(
    policies: Vec<AssignmentPolicy>,
    selected: RwSignal<Option<String>>,
    error: Signal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    view! {
        <fieldset class="field choice" aria-describedby="policy-note">
            <legend>"Select a policy" <span class="required" aria-hidden="true">" *"</span></legend>
            {policies.into_iter().map(|p| {
                let id = p.id.clone();
                let checked = {
                    let id = id.clone();
                    move || selected.get().as_deref() == Some(id.as_str())
                };
                let approval = if p.request_approval_settings.is_approval_required_for_add {
                    "Approval required"
                } else {
                    "No approval required"
                };
                view! {
                    <label class="option">
                        <input type="radio" name="policy" value=id.clone() prop:checked=checked
                            on:change=move |_| { selected.set(Some(id.clone())); on_change.run(()); }/>
                        <span class="option-text">
                            <span class="option-name">{p.display_name}</span>
                            <span class="option-detail">{p.description}</span>
                            <span class="option-detail">{format!("Access for: {} · {approval}", p.expiration.label())}</span>
                        </span>
                    </label>
                }
            }).collect_view()}
            <div id="policy-note">{move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}</div>
        </fieldset>
    }
}

/// "Request for specific period?" Yes / No, and the start and expire dates on Yes.
#[component]
fn PeriodFields(
    specific: RwSignal<bool>,
    start: RwSignal<String>,
    end: RwSignal<String>,
    max_days: Option<u32>,
    start_error: Signal<Option<String>>,
    end_error: Signal<Option<String>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let choose = move |yes: bool| {
        specific.set(yes);
        if yes && end.with_untracked(String::is_empty) {
            end.set(format::add_days(
                &start.get_untracked(),
                max_days.unwrap_or(30),
            ));
        }
    };
    let hint = max_days.map(|d| format!("At most {d} days after the start date."));
    view! {
        <fieldset class="field choice" aria-describedby="schedule-note">
            <legend>"Request for specific period?"</legend>
            <label class="option-inline">
                <input type="radio" name="specific" prop:checked=move || specific.get() on:change=move |_| choose(true)/>
                "Yes"
            </label>
            <label class="option-inline">
                <input type="radio" name="specific" prop:checked=move || !specific.get() on:change=move |_| choose(false)/>
                "No"
            </label>
            <div id="schedule-note">{move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}</div>
        </fieldset>
        {move || specific.get().then(|| view! {
            <div class="dates">
                <Field id="start-date" label="Start date" required=true error=start_error>
                    <input id="start-date" type="date" aria-describedby="start-date-note"
                        min=format::today()
                        prop:value=move || start.get()
                        on:input=move |ev| start.set(event_target_value(&ev))/>
                </Field>
                <Field id="expire-date" label="Expire date" required=true hint=hint.clone().unwrap_or_default() error=end_error>
                    <input id="expire-date" type="date" aria-describedby="expire-date-note"
                        min=move || start.get()
                        max=move || max_days.map(|d| format::add_days(&start.get(), d))
                        prop:value=move || end.get()
                        on:input=move |ev| end.set(event_target_value(&ev))/>
                </Field>
            </div>
        })}
    }
}

/// One of the policy's questions, as a text box, a text area or a choice.
#[component]
fn QuestionField(
    question: Question,
    answers: RwSignal<BTreeMap<String, String>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("q-{}", question.id);
    let note = format!("{id}-note");
    let key = StoredValue::new(question.id.clone());
    let value = move || answers.with(|a| a.get(&key.get_value()).cloned().unwrap_or_default());
    let set = move |v: String| {
        answers.update(|a| {
            a.insert(key.get_value(), v);
        })
    };
    let required = question.is_required.then_some("true");
    let hint = match &question.kind {
        QuestionKind::Text {
            regex_hint: Some(h),
            ..
        } => Some(h.clone()),
        _ => None,
    };
    let control = match question.kind {
        QuestionKind::Text { is_single_line_question: true, .. } => view! {
            <input id=id.clone() type="text" aria-required=required aria-describedby=note
                prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any(),
        QuestionKind::Text { .. } => view! {
            <textarea id=id.clone() rows="3" aria-required=required aria-describedby=note
                prop:value=value on:input=move |ev| set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        QuestionKind::MultipleChoice { choices } => view! {
            <select id=id.clone() aria-required=required aria-describedby=note
                prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                <option value="">"Select an answer"</option>
                {choices.into_iter().map(|c| view! { <option value=c.actual_value>{c.display_value}</option> }).collect_view()}
            </select>
        }
        .into_any(),
    };
    view! {
        <Field id=id label=question.text required=question.is_required hint=hint.unwrap_or_default() error>
            {control}
        </Field>
    }
}

/// What happened after Submit, in words, with where to look next.
#[component]
fn Submitted(request: AssignmentRequest) -> impl IntoView {
    let href = format!("/requests/{}", request.id);
    let (title, text) = match request.state {
        RequestState::Delivered => (
            "Access delivered",
            "You have this access now. It is listed under Access I have.",
        ),
        RequestState::Scheduled => (
            "Request scheduled",
            "Your access starts on the start date you chose.",
        ),
        _ => (
            "Your request is pending approval",
            "Your approvers have been asked. You can follow the request under My requests.",
        ),
    };
    let delivered = request.state == RequestState::Delivered;
    view! {
        <section class="notice notice-success confirmation" role="status" aria-live="polite">
            <h2>{title}</h2>
            <p>{text}</p>
            <p class="links">
                {if delivered {
                    view! { <Link href="/access">"Go to Access I have"</Link> }.into_any()
                } else {
                    view! { <Link href="/requests">"Go to My requests"</Link> }.into_any()
                }}
                <Link href=href>"View this request"</Link>
            </p>
        </section>
    }
}

/// The request body, or the mistakes that can be seen without asking the server.
fn build_request(
    package_id: &str,
    policy: &AssignmentPolicy,
    justification: &str,
    specific: bool,
    start: &str,
    end: &str,
    answers: &BTreeMap<String, String>,
) -> Result<NewAssignmentRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let schedule = if specific && policy.requestor_settings.allow_custom_assignment_schedule {
        let start_at = format::start_of_day(start);
        let end_at = format::start_of_day(end);
        if start_at.is_none() {
            errors.push(FieldError::new(
                "schedule.startDateTime",
                "Enter a start date.",
            ));
        }
        if end_at.is_none() {
            errors.push(FieldError::new(
                "schedule.endDateTime",
                "Enter an expire date.",
            ));
        }
        start_at.map(|s| Schedule {
            start_date_time: s,
            end_date_time: end_at,
        })
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let needs_justification = policy
        .request_approval_settings
        .is_requestor_justification_required;
    let justification = justification.trim();
    Ok(NewAssignmentRequest {
        access_package_id: package_id.to_owned(),
        assignment_policy_id: policy.id.clone(),
        justification: (needs_justification && !justification.is_empty())
            .then(|| justification.to_owned()),
        schedule,
        answers: policy
            .questions
            .iter()
            .filter_map(|q| {
                answers
                    .get(&q.id)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| Answer {
                        question_id: q.id.clone(),
                        value: v.trim().to_owned(),
                    })
            })
            .collect(),
    })
}

/// The justification being typed, kept for the tab (sessionStorage) per access package, until
/// the request is sent.
pub mod draft {
    const PREFIX: &str = "access-portal.draft.";

    /// Whether a justification is being typed for `package_id` (then its form opens at once).
    pub fn exists(package_id: &str) -> bool {
        read(package_id).is_some()
    }

    pub(super) fn read(package_id: &str) -> Option<String> {
        storage()?
            .get_item(&format!("{PREFIX}{package_id}"))
            .ok()?
            .filter(|text| !text.is_empty())
    }

    pub(super) fn keep(package_id: &str, text: &str) {
        if let Some(storage) = storage() {
            let key = format!("{PREFIX}{package_id}");
            let _ = if text.is_empty() {
                storage.remove_item(&key)
            } else {
                storage.set_item(&key, text)
            };
        }
    }

    pub(super) fn forget(package_id: &str) {
        keep(package_id, "");
    }

    /// Forget every draft (the user signs out).
    pub fn forget_all() {
        let Some(storage) = storage() else { return };
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|key| key.starts_with(PREFIX))
            .collect();
        for key in keys {
            let _ = storage.remove_item(&key);
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok()?
    }
}
