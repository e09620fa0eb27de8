//! Whether a new request is valid under its policy: justification, period and answers. Every
//! broken rule becomes one `FieldError`, so the requestor sees all of them at once.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use portal_api::{
    AnsweredQuestion, AssignmentPolicy, Expiration, FieldError, MAX_JUSTIFICATION_CHARS,
    NewAssignmentRequest, QuestionKind,
};

use super::clock;

/// The longest answer to a text question, in characters.
pub const MAX_ANSWER_CHARS: usize = 1000;

/// How far in the past a requested start may lie: the portal sends the local midnight of the
/// chosen day, which is "yesterday" in UTC for half the world.
pub const START_SLACK: TimeDelta = TimeDelta::hours(24);

/// How far ahead a requested start may lie: a year. Further out, the request would sit
/// scheduled for longer than anyone remembers why it was made.
pub const MAX_START_AHEAD: TimeDelta = TimeDelta::days(366);

/// A request that passed every rule, in the form it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Trimmed; `None` when empty.
    pub justification: Option<String>,
    /// The period the requestor chose, if they chose one.
    pub requested: Option<Period>,
    pub answers: Vec<AnsweredQuestion>,
}

/// When access starts and ends; no end means it does not expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// Check `input` against `policy` at time `now`.
pub fn validate(
    policy: &AssignmentPolicy,
    input: &NewAssignmentRequest,
    now: DateTime<Utc>,
) -> Result<Accepted, Vec<FieldError>> {
    let mut errors = Vec::new();
    let justification = check_justification(
        input.justification.as_deref(),
        policy
            .request_approval_settings
            .is_requestor_justification_required,
        &mut errors,
    );
    let requested = check_schedule(policy, input, now, &mut errors);
    let answers = check_answers(policy, input, &mut errors);
    if errors.is_empty() {
        Ok(Accepted {
            justification,
            requested,
            answers,
        })
    } else {
        Err(errors)
    }
}

/// The period access lasts when it starts at `start`: to the requested end if there is one,
/// else as long as the policy's expiration allows.
pub fn access_period(
    expiration: &Expiration,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
) -> Period {
    let end = end.or_else(|| match expiration {
        Expiration::NoExpiration => None,
        Expiration::AfterDuration { duration_days } => {
            Some(start + TimeDelta::days(i64::from(*duration_days)))
        }
        Expiration::AfterDateTime { end_date_time } => clock::parse(end_date_time),
    });
    Period { start, end }
}

/// The period access is granted for, at the moment it is granted (`now`): the requested
/// period, started no earlier than now, or from now on as the policy's expiration says.
pub fn granted_period(
    expiration: &Expiration,
    requested: Option<Period>,
    now: DateTime<Utc>,
) -> Period {
    match requested {
        Some(period) => Period {
            start: period.start.max(now),
            end: period.end,
        },
        None => access_period(expiration, now, None),
    }
}

/// A justification (of a request or of a decision): trimmed, required or not, and not too long.
pub fn check_justification(
    text: Option<&str>,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if required => errors.push(FieldError::new(
            "justification",
            "Give a business justification: say why you need this access.",
        )),
        Some(t) if t.chars().count() > MAX_JUSTIFICATION_CHARS => errors.push(FieldError::new(
            "justification",
            format!(
                "Keep the justification to {MAX_JUSTIFICATION_CHARS} characters; it has {}.",
                t.chars().count()
            ),
        )),
        Some(t) => check_typed_text("justification", "the justification", t, Lines::Many, errors),
        None => {}
    }
    text.map(str::to_owned)
}

/// Whether typed text may run over several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Refuse characters that nobody types on purpose and that can hide or disguise what text
/// says: control characters (a NUL byte cannot even be stored in PostgreSQL) and the invisible
/// marks that reorder bidirectional text, with which "exe.pdf" can be shown as "fdp.exe". Tabs
/// are allowed, and line breaks where the field has lines. `what` names the field in words.
pub fn check_typed_text(
    field: &str,
    what: &str,
    text: &str,
    lines: Lines,
    errors: &mut Vec<FieldError>,
) {
    let line_break = |c: char| matches!(c, '\n' | '\r');
    let Some(bad) = text
        .chars()
        .find(|&c| is_hidden_control(c) && !(lines == Lines::Many && line_break(c)))
    else {
        return;
    };
    let code = format!("U+{:04X}", u32::from(bad));
    let message = if line_break(bad) {
        format!("Write {what} on one line: remove the line break.")
    } else if bad.is_control() {
        format!(
            "Remove the control character {code} from {what}; only printable characters, \
             tabs and line breaks may be typed."
        )
    } else {
        format!(
            "Remove the invisible direction mark {code} from {what}: it can make the text \
             read differently from what it says."
        )
    };
    errors.push(FieldError::new(field, message));
}

/// C0 and C1 control characters except tab, and the bidirectional formatting characters:
/// embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the direction
/// marks (U+200E, U+200F, U+061C).
fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn check_schedule(
    policy: &AssignmentPolicy,
    input: &NewAssignmentRequest,
    now: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) -> Option<Period> {
    let schedule = input.schedule.as_ref()?;
    if !policy.requestor_settings.allow_custom_assignment_schedule {
        errors.push(FieldError::new(
            "schedule",
            format!(
                "This policy does not let you choose a period: leave the schedule out, and \
                 access starts once granted and lasts {}.",
                lasting(&policy.expiration)
            ),
        ));
        return None;
    }
    let start = read_date(&schedule.start_date_time, "schedule.startDateTime", errors);
    let end = schedule
        .end_date_time
        .as_deref()
        .map(|end| read_date(end, "schedule.endDateTime", errors));
    match start {
        Some(start) if start < now - START_SLACK => errors.push(FieldError::new(
            "schedule.startDateTime",
            "The start date is in the past: choose today or a later day.",
        )),
        Some(start) if start > now + MAX_START_AHEAD => errors.push(FieldError::new(
            "schedule.startDateTime",
            format!(
                "The start date is more than a year away: choose a day on or before {}.",
                day(now + MAX_START_AHEAD)
            ),
        )),
        _ => {}
    }
    let (start, end) = (start?, end.flatten());
    if let Some(end) = end {
        if end <= start {
            errors.push(FieldError::new(
                "schedule.endDateTime",
                "The expire date must be after the start date.",
            ));
        } else {
            check_period_fits(&policy.expiration, start, end, errors);
        }
    }
    Some(access_period(&policy.expiration, start, end))
}

/// A date of the requested period, or the error that says what is wrong with it.
fn read_date(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let (what, example) = if field.ends_with("startDateTime") {
        ("start", "2026-12-01T00:00:00Z")
    } else {
        ("expire", "2026-12-31T00:00:00Z")
    };
    match clock::read(text) {
        Ok(time) => Some(time),
        Err(clock::BadTime::NotATime) => {
            errors.push(FieldError::new(
                field,
                format!("Give the {what} date as an RFC 3339 date and time, e.g. {example}."),
            ));
            None
        }
        Err(clock::BadTime::OutOfRange) => {
            errors.push(FieldError::new(
                field,
                format!(
                    "The {what} date is outside the years 0001 to 9999 (in UTC): choose a real \
                     date, e.g. {example}."
                ),
            ));
            None
        }
    }
}

fn check_period_fits(
    expiration: &Expiration,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) {
    match expiration {
        Expiration::NoExpiration => {}
        Expiration::AfterDuration { duration_days } => {
            let longest = start + TimeDelta::days(i64::from(*duration_days));
            if end > longest {
                errors.push(FieldError::new(
                    "schedule.endDateTime",
                    format!(
                        "This policy grants access for at most {}: choose an expire date on or \
                         before {}.",
                        expiration.label().to_lowercase(),
                        day(longest)
                    ),
                ));
            }
        }
        Expiration::AfterDateTime { end_date_time } => {
            if let Some(last) = clock::parse(end_date_time).filter(|last| end > *last) {
                errors.push(FieldError::new(
                    "schedule.endDateTime",
                    format!(
                        "Access under this policy ends on {} at the latest: choose an expire \
                         date on or before it.",
                        day(last)
                    ),
                ));
            }
        }
    }
}

fn check_answers(
    policy: &AssignmentPolicy,
    input: &NewAssignmentRequest,
    errors: &mut Vec<FieldError>,
) -> Vec<AnsweredQuestion> {
    let mut given: HashMap<&str, &str> = HashMap::new();
    for answer in &input.answers {
        let field = format!("answers.{}", answer.question_id);
        if !policy.questions.iter().any(|q| q.id == answer.question_id) {
            errors.push(FieldError::new(
                field,
                "This policy asks no such question; leave it out.",
            ));
        } else if given.insert(&answer.question_id, &answer.value).is_some() {
            errors.push(FieldError::new(field, "Answer each question once."));
        }
    }
    let mut answered = Vec::new();
    for question in &policy.questions {
        let field = format!("answers.{}", question.id);
        let value = given
            .get(question.id.as_str())
            .map(|v| v.trim())
            .unwrap_or_default();
        if value.is_empty() {
            if question.is_required {
                errors.push(FieldError::new(
                    field,
                    format!("Answer this question: {}", question.text),
                ));
            }
            continue;
        }
        let display_value = match &question.kind {
            QuestionKind::Text {
                regex_pattern,
                regex_hint,
                is_single_line_question,
            } => {
                if value.chars().count() > MAX_ANSWER_CHARS {
                    errors.push(FieldError::new(
                        field,
                        format!("Keep the answer to {MAX_ANSWER_CHARS} characters."),
                    ));
                    continue;
                }
                let lines = if *is_single_line_question {
                    Lines::One
                } else {
                    Lines::Many
                };
                let before = errors.len();
                check_typed_text(&field, "the answer", value, lines, errors);
                if errors.len() > before {
                    continue;
                }
                if let Some(pattern) = regex_pattern
                    && !matches_in_full(pattern, value)
                {
                    let hint = regex_hint
                        .clone()
                        .unwrap_or_else(|| format!("The answer must match the pattern {pattern}."));
                    errors.push(FieldError::new(field, hint));
                    continue;
                }
                value.to_owned()
            }
            QuestionKind::MultipleChoice { choices } => {
                match choices.iter().find(|c| c.actual_value == value) {
                    Some(choice) => choice.display_value.clone(),
                    None => {
                        let offered: Vec<&str> =
                            choices.iter().map(|c| c.actual_value.as_str()).collect();
                        errors.push(FieldError::new(
                            field,
                            format!("Choose one of the offered answers: {}.", offered.join(", ")),
                        ));
                        continue;
                    }
                }
            }
        };
        answered.push(AnsweredQuestion {
            question_id: question.id.clone(),
            question: question.text.clone(),
            value: value.to_owned(),
            display_value,
        });
    }
    answered
}

/// Whether `value` matches `pattern` as a whole, not just somewhere inside. A pattern that
/// does not compile matches nothing; the import refuses such patterns, so this is a last guard.
pub fn matches_in_full(pattern: &str, value: &str) -> bool {
    regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(value))
}

fn lasting(expiration: &Expiration) -> String {
    match expiration {
        Expiration::NoExpiration => "until it is removed".to_owned(),
        Expiration::AfterDuration { .. } => expiration.label(),
        Expiration::AfterDateTime { end_date_time } => {
            format!("until {}", end_date_time.get(..10).unwrap_or(end_date_time))
        }
    }
}

fn day(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use portal_api::{
        Answer, Choice, Question, RequestApprovalSettings, RequestorSettings, Schedule,
    };

    use super::*;

    fn now() -> DateTime<Utc> {
        clock::parse("2026-11-27T12:00:00Z").unwrap()
    }

    fn policy() -> AssignmentPolicy {
        AssignmentPolicy {
            id: "policy".into(),
            access_package_id: "package".into(),
            display_name: "Policy".into(),
            description: String::new(),
            requestor_settings: RequestorSettings {
                allow_custom_assignment_schedule: true,
                allow_extension: false,
            },
            request_approval_settings: RequestApprovalSettings {
                is_approval_required_for_add: false,
                is_requestor_justification_required: true,
                stages: vec![],
            },
            expiration: Expiration::AfterDuration { duration_days: 30 },
            questions: vec![
                Question {
                    id: "costCenter".into(),
                    text: "Cost center?".into(),
                    is_required: true,
                    kind: QuestionKind::Text {
                        is_single_line_question: true,
                        regex_pattern: Some("CC-[0-9]{4}".into()),
                        regex_hint: Some("Format: CC-1234".into()),
                    },
                },
                Question {
                    id: "region".into(),
                    text: "Region?".into(),
                    is_required: true,
                    kind: QuestionKind::MultipleChoice {
                        choices: vec![Choice {
                            actual_value: "eu".into(),
                            display_value: "Europe".into(),
                        }],
                    },
                },
            ],
        }
    }

    fn request() -> NewAssignmentRequest {
        NewAssignmentRequest {
            access_package_id: "package".into(),
            assignment_policy_id: "policy".into(),
            justification: Some("  Quarterly close  ".into()),
            schedule: None,
            answers: vec![
                Answer {
                    question_id: "costCenter".into(),
                    value: "CC-1234".into(),
                },
                Answer {
                    question_id: "region".into(),
                    value: "eu".into(),
                },
            ],
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    fn with_schedule(start: &str, end: Option<&str>) -> NewAssignmentRequest {
        NewAssignmentRequest {
            schedule: Some(Schedule {
                start_date_time: start.into(),
                end_date_time: end.map(Into::into),
            }),
            ..request()
        }
    }

    #[test]
    fn a_complete_request_is_accepted_with_its_answers_in_words() {
        let accepted = validate(&policy(), &request(), now()).unwrap();
        assert_eq!(accepted.justification.as_deref(), Some("Quarterly close"));
        assert_eq!(accepted.answers[1].display_value, "Europe");
        assert_eq!(accepted.requested, None);
    }

    #[test]
    fn a_missing_justification_is_refused_when_the_policy_requires_one() {
        let input = NewAssignmentRequest {
            justification: Some("   ".into()),
            ..request()
        };
        assert_eq!(
            fields(validate(&policy(), &input, now()).unwrap_err()),
            ["justification"]
        );
    }

    #[test]
    fn a_justification_over_a_thousand_characters_is_refused() {
        let input = NewAssignmentRequest {
            justification: Some("x".repeat(1001)),
            ..request()
        };
        let errors = validate(&policy(), &input, now()).unwrap_err();
        assert!(errors[0].message.contains("1000"), "{}", errors[0].message);
    }

    #[test]
    fn a_justification_with_a_control_character_is_refused_naming_it() {
        let input = NewAssignmentRequest {
            justification: Some("Quarterly\u{0}close".into()),
            ..request()
        };
        let errors = validate(&policy(), &input, now()).unwrap_err();
        assert_eq!(errors[0].field, "justification");
        assert!(
            errors[0].message.contains("U+0000"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_justification_with_a_direction_override_is_refused() {
        for mark in ['\u{202E}', '\u{2066}', '\u{200F}', '\u{061C}'] {
            let input = NewAssignmentRequest {
                justification: Some(format!("Invoice {mark}fdp.exe")),
                ..request()
            };
            let errors = validate(&policy(), &input, now()).unwrap_err();
            assert_eq!(fields(errors.clone()), ["justification"], "{mark:?}");
            assert!(
                errors[0].message.contains("direction mark"),
                "{}",
                errors[0].message
            );
        }
    }

    #[test]
    fn a_justification_may_have_tabs_and_line_breaks() {
        let input = NewAssignmentRequest {
            justification: Some("Quarterly close:\r\n\tledger\nand reports".into()),
            ..request()
        };
        assert!(validate(&policy(), &input, now()).is_ok());
    }

    #[test]
    fn a_one_line_answer_with_a_line_break_or_a_c1_control_is_refused() {
        let mut policy = policy();
        if let QuestionKind::Text { regex_pattern, .. } = &mut policy.questions[0].kind {
            *regex_pattern = None;
        }
        for value in ["CC-1234\nApproved by IT", "CC-\u{85}1234"] {
            let mut input = request();
            input.answers[0].value = value.into();
            assert_eq!(
                fields(validate(&policy, &input, now()).unwrap_err()),
                ["answers.costCenter"],
                "{value:?}"
            );
        }
    }

    #[test]
    fn a_schedule_is_refused_when_the_policy_does_not_allow_one() {
        let mut policy = policy();
        policy.requestor_settings.allow_custom_assignment_schedule = false;
        let input = with_schedule("2026-12-01T00:00:00Z", None);
        assert_eq!(
            fields(validate(&policy, &input, now()).unwrap_err()),
            ["schedule"]
        );
    }

    #[test]
    fn a_start_more_than_a_day_in_the_past_is_refused_but_today_is_fine() {
        let past = with_schedule("2026-11-25T00:00:00Z", None);
        assert_eq!(
            fields(validate(&policy(), &past, now()).unwrap_err()),
            ["schedule.startDateTime"]
        );
        let local_midnight = with_schedule("2026-11-27T00:00:00+02:00", None);
        assert!(validate(&policy(), &local_midnight, now()).is_ok());
    }

    #[test]
    fn a_start_in_the_year_ten_thousand_is_refused_as_out_of_range() {
        let input = with_schedule("9999-12-31T23:59:59-23:59", None);
        let errors = validate(&policy(), &input, now()).unwrap_err();
        assert_eq!(fields(errors.clone()), ["schedule.startDateTime"]);
        assert!(
            errors[0].message.contains("0001 to 9999"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_start_more_than_a_year_ahead_is_refused_naming_the_last_day() {
        let input = with_schedule("2027-12-01T00:00:00Z", None);
        let errors = validate(&policy(), &input, now()).unwrap_err();
        assert_eq!(fields(errors.clone()), ["schedule.startDateTime"]);
        assert!(
            errors[0].message.contains("2027-11-28"),
            "{}",
            errors[0].message
        );
        let within = with_schedule("2027-11-20T00:00:00Z", None);
        assert!(validate(&policy(), &within, now()).is_ok());
    }

    #[test]
    fn an_end_outside_the_years_0001_to_9999_is_refused() {
        let input = with_schedule("2026-12-01T00:00:00Z", Some("9999-12-31T23:00:00-05:00"));
        let errors = validate(&policy(), &input, now()).unwrap_err();
        assert_eq!(fields(errors), ["schedule.endDateTime"]);
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let input = with_schedule("2026-12-10T00:00:00Z", Some("2026-12-01T00:00:00Z"));
        assert_eq!(
            fields(validate(&policy(), &input, now()).unwrap_err()),
            ["schedule.endDateTime"]
        );
    }

    #[test]
    fn a_period_longer_than_the_policy_allows_is_refused_naming_the_last_day() {
        let input = with_schedule("2026-12-01T00:00:00Z", Some("2027-01-15T00:00:00Z"));
        let errors = validate(&policy(), &input, now()).unwrap_err();
        assert!(
            errors[0].message.contains("2026-12-31"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_period_within_the_policy_is_kept_and_an_open_end_follows_the_policy() {
        let input = with_schedule("2026-12-01T00:00:00Z", Some("2026-12-31T00:00:00Z"));
        let period = validate(&policy(), &input, now())
            .unwrap()
            .requested
            .unwrap();
        assert_eq!(clock::format(period.end.unwrap()), "2026-12-31T00:00:00Z");
        let open = with_schedule("2026-12-01T00:00:00Z", None);
        let period = validate(&policy(), &open, now())
            .unwrap()
            .requested
            .unwrap();
        assert_eq!(clock::format(period.end.unwrap()), "2026-12-31T00:00:00Z");
    }

    #[test]
    fn an_end_after_the_policys_fixed_date_is_refused() {
        let mut policy = policy();
        policy.expiration = Expiration::AfterDateTime {
            end_date_time: "2026-12-15T00:00:00Z".into(),
        };
        let input = with_schedule("2026-12-01T00:00:00Z", Some("2026-12-20T00:00:00Z"));
        assert_eq!(
            fields(validate(&policy, &input, now()).unwrap_err()),
            ["schedule.endDateTime"]
        );
    }

    #[test]
    fn unanswered_required_questions_are_refused_each_by_name() {
        let input = NewAssignmentRequest {
            answers: vec![],
            ..request()
        };
        assert_eq!(
            fields(validate(&policy(), &input, now()).unwrap_err()),
            ["answers.costCenter", "answers.region"]
        );
    }

    #[test]
    fn an_answer_that_fails_the_pattern_is_refused_with_the_hint() {
        let mut input = request();
        input.answers[0].value = "CC-12345".into();
        let errors = validate(&policy(), &input, now()).unwrap_err();
        assert_eq!(errors[0].field, "answers.costCenter");
        assert_eq!(errors[0].message, "Format: CC-1234");
    }

    #[test]
    fn a_choice_that_is_not_offered_is_refused() {
        let mut input = request();
        input.answers[1].value = "mars".into();
        assert_eq!(
            fields(validate(&policy(), &input, now()).unwrap_err()),
            ["answers.region"]
        );
    }

    #[test]
    fn an_answer_to_an_unknown_question_is_refused() {
        let mut input = request();
        input.answers.push(Answer {
            question_id: "shoeSize".into(),
            value: "42".into(),
        });
        assert_eq!(
            fields(validate(&policy(), &input, now()).unwrap_err()),
            ["answers.shoeSize"]
        );
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let input = NewAssignmentRequest {
            justification: None,
            answers: vec![],
            ..with_schedule("yesterday", None)
        };
        assert_eq!(validate(&policy(), &input, now()).unwrap_err().len(), 4);
    }

    #[test]
    fn without_a_schedule_access_lasts_as_the_policy_says() {
        let start = now();
        let none = access_period(&Expiration::NoExpiration, start, None);
        assert_eq!(none.end, None);
        let days = access_period(&Expiration::AfterDuration { duration_days: 2 }, start, None);
        assert_eq!(clock::format(days.end.unwrap()), "2026-11-29T12:00:00Z");
    }
}
