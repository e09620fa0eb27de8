//! Reading and writing the wire types without serde, for the web app.
//!
//! In a WebAssembly bundle serde's derived visitors are among the largest code there is: for the
//! portal's types they came to 31 KB of its gzip download. The app therefore parses JSON with
//! the browser's own `JSON.parse` and reads the result through [`Decode`], plain field-by-field
//! code over any parsed JSON [`Value`]; request bodies are built the same way through
//! [`Encode`] and [`Build`]. The server keeps serde. The tests at the bottom hold the two to the
//! same JSON, type by type, so they cannot drift apart. Reading is a little more lenient than
//! serde's, on purpose: a list that is absent or `null` reads as empty.

use crate::{
    AccessPackage, Answer, AnsweredQuestion, ApprovalStage, ApprovalStageSettings, Approver,
    Assignment, AssignmentPolicy, AssignmentRequest, AssignmentState, AuditEntry, CatalogRef,
    Choice, Decision, DecisionKind, DecisionTime, DemoSignIn, Expiration, ExtendAssignment,
    FieldError, NewAssignmentRequest, PackageRef, Page, PolicyRef, Problem, Question, QuestionKind,
    RequestApprovalSettings, RequestState, RequestType, RequestorSettings, Resource, ResourceKind,
    ResourceRole, Schedule, StageStatus, Token, User, UserRef,
};

/// A parsed JSON value, as some parser gives it.
pub trait Value: Sized {
    /// The member `key` of an object; `None` when it is absent or `null`.
    fn member(&self, key: &str) -> Option<Self>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    fn items(&self) -> Option<Vec<Self>>;
    /// The names of an object's members; `None` when it is not an object.
    fn keys(&self) -> Option<Vec<String>>;
}

/// A JSON value under construction.
pub trait Build: Sized {
    fn object(members: Vec<(&'static str, Self)>) -> Self;
    fn string(value: &str) -> Self;
    fn array(items: Vec<Self>) -> Self;
}

/// A wire type read from JSON. The error names the field that did not fit: "`stages`: item 1:
/// `status`: expected one of …".
pub trait Decode: Sized {
    fn decode<V: Value>(value: &V) -> Result<Self, String>;
}

/// A wire type written as JSON.
pub trait Encode {
    fn encode<B: Build>(&self) -> B;
}

/// The members of one JSON object, read by name.
pub struct Members<'a, V>(pub &'a V);

impl<V: Value> Members<'_, V> {
    /// A member that must be there.
    pub fn required<T: Decode>(&self, key: &str) -> Result<T, String> {
        match self.0.member(key) {
            Some(value) => T::decode(&value).map_err(|e| format!("`{key}`: {e}")),
            None => Err(format!("`{key}` is missing")),
        }
    }

    /// A member that may be absent or `null`.
    pub fn optional<T: Decode>(&self, key: &str) -> Result<Option<T>, String> {
        self.0
            .member(key)
            .map(|value| T::decode(&value).map_err(|e| format!("`{key}`: {e}")))
            .transpose()
    }

    /// Refuse any member not in `known`: for files a person writes, where an unknown
    /// member is a typo.
    pub fn only(&self, known: &[&str]) -> Result<(), String> {
        let keys = self
            .0
            .keys()
            .ok_or_else(|| "expected an object".to_owned())?;
        match keys.iter().find(|key| !known.contains(&key.as_str())) {
            Some(key) => Err(format!(
                "unknown field `{key}`, expected one of `{}`",
                known.join("`, `")
            )),
            None => Ok(()),
        }
    }

    /// A list; absent means empty.
    pub fn list<T: Decode>(&self, key: &str) -> Result<Vec<T>, String> {
        Ok(self.optional(key)?.unwrap_or_default())
    }
}

impl Decode for String {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        value.string().ok_or_else(|| "expected text".to_owned())
    }
}

impl Decode for bool {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        value
            .boolean()
            .ok_or_else(|| "expected true or false".to_owned())
    }
}

impl Decode for f64 {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        value.number().ok_or_else(|| "expected a number".to_owned())
    }
}

/// A whole number from 0 to `max`. (`max` is printed as an integer: printing an f64 would
/// bring its formatting code into the app.)
fn whole<V: Value>(value: &V, max: u64) -> Result<u64, String> {
    match value.number() {
        Some(n) if n.fract() == 0.0 && (0.0..=max as f64).contains(&n) => Ok(n as u64),
        _ => Err(format!("expected a whole number from 0 to {max}")),
    }
}

impl Decode for u8 {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        whole(value, u8::MAX.into()).map(|n| n as u8)
    }
}

impl Decode for u16 {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        whole(value, u16::MAX.into()).map(|n| n as u16)
    }
}

impl Decode for u32 {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        whole(value, u32::MAX.into()).map(|n| n as u32)
    }
}

impl Decode for u64 {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        // JSON numbers are doubles: whole numbers are exact up to 2^53.
        whole(value, (1 << 53) - 1)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let items = value.items().ok_or_else(|| "expected a list".to_owned())?;
        // A plain loop: collecting into a `Result` would be compiled once more per type.
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            list.push(T::decode(item).map_err(|e| format!("item {}: {e}", i + 1))?);
        }
        Ok(list)
    }
}

/// A name from a fixed set, as the unit enums travel.
fn one_of<V: Value, T: Copy>(value: &V, names: &[(&str, T)]) -> Result<T, String> {
    let name = String::decode(value)?;
    names
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let expected: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
            format!("`{name}` is not one of {}", expected.join(", "))
        })
}

/// The `type` member that says which variant a tagged enum is.
fn tag<V: Value>(value: &V) -> Result<String, String> {
    Members(value).required("type")
}

fn unknown_tag(tag: &str) -> String {
    format!("`type`: `{tag}` is not known")
}

impl<T: Decode> Decode for Page<T> {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            value: m.list("value")?,
            next_cursor: m.optional("nextCursor")?,
            total_count: m.optional("totalCount")?,
        })
    }
}

impl Decode for User {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            display_name: m.required("displayName")?,
            mail: m.required("mail")?,
            user_principal_name: m.required("userPrincipalName")?,
            job_title: m.optional("jobTitle")?,
            manager: m.optional("manager")?,
        })
    }
}

impl Decode for UserRef {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            display_name: m.required("displayName")?,
            mail: m.required("mail")?,
        })
    }
}

impl Decode for Token {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            access_token: m.required("accessToken")?,
            token_type: m.required("tokenType")?,
            expires_in: m.required("expiresIn")?,
        })
    }
}

impl Decode for Problem {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            status: m.required("status")?,
            title: m.required("title")?,
            detail: m.required("detail")?,
            errors: m.list("errors")?,
        })
    }
}

impl Decode for FieldError {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            field: m.required("field")?,
            message: m.required("message")?,
        })
    }
}

impl Decode for AccessPackage {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            display_name: m.required("displayName")?,
            description: m.required("description")?,
            catalog: m.required("catalog")?,
            is_hidden: m.required("isHidden")?,
            resource_roles: m.list("resourceRoles")?,
            open_request_id: m.optional("openRequestId")?,
            assignment_id: m.optional("assignmentId")?,
        })
    }
}

impl Decode for CatalogRef {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            display_name: m.required("displayName")?,
        })
    }
}

impl Decode for PackageRef {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            display_name: m.required("displayName")?,
        })
    }
}

impl Decode for PolicyRef {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            display_name: m.required("displayName")?,
        })
    }
}

impl Decode for ResourceRole {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            display_name: m.required("displayName")?,
            resource: m.required("resource")?,
        })
    }
}

impl Decode for Resource {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            display_name: m.required("displayName")?,
            resource_type: m.required("resourceType")?,
        })
    }
}

impl Decode for ResourceKind {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        one_of(
            value,
            &[
                ("group", Self::Group),
                ("application", Self::Application),
                ("site", Self::Site),
            ],
        )
    }
}

impl Decode for DecisionTime {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            sample_size: m.required("sampleSize")?,
            median_hours: m.optional("medianHours")?,
            p90_hours: m.optional("p90Hours")?,
        })
    }
}

impl Decode for AssignmentPolicy {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            access_package_id: m.required("accessPackageId")?,
            display_name: m.required("displayName")?,
            description: m.required("description")?,
            requestor_settings: m.required("requestorSettings")?,
            request_approval_settings: m.required("requestApprovalSettings")?,
            expiration: m.required("expiration")?,
            questions: m.list("questions")?,
        })
    }
}

impl Decode for RequestorSettings {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            allow_custom_assignment_schedule: m.required("allowCustomAssignmentSchedule")?,
            allow_extension: m.required("allowExtension")?,
        })
    }
}

impl Decode for RequestApprovalSettings {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            is_approval_required_for_add: m.required("isApprovalRequiredForAdd")?,
            is_requestor_justification_required: m.required("isRequestorJustificationRequired")?,
            stages: m.list("stages")?,
        })
    }
}

impl Decode for ApprovalStageSettings {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            duration_before_automatic_denial_days: m
                .required("durationBeforeAutomaticDenialDays")?,
            is_approver_justification_required: m.required("isApproverJustificationRequired")?,
            primary_approvers: m.list("primaryApprovers")?,
        })
    }
}

impl Decode for Approver {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        match tag(value)?.as_str() {
            "requestorManager" => Ok(Self::RequestorManager),
            "singleUser" => Ok(Self::SingleUser {
                user_id: m.required("userId")?,
                display_name: m.required("displayName")?,
            }),
            other => Err(unknown_tag(other)),
        }
    }
}

impl Decode for Expiration {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        match tag(value)?.as_str() {
            "noExpiration" => Ok(Self::NoExpiration),
            "afterDuration" => Ok(Self::AfterDuration {
                duration_days: m.required("durationDays")?,
            }),
            "afterDateTime" => Ok(Self::AfterDateTime {
                end_date_time: m.required("endDateTime")?,
            }),
            other => Err(unknown_tag(other)),
        }
    }
}

impl Decode for Question {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            text: m.required("text")?,
            is_required: m.required("isRequired")?,
            kind: QuestionKind::decode(value)?,
        })
    }
}

impl Decode for QuestionKind {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        match tag(value)?.as_str() {
            "text" => Ok(Self::Text {
                is_single_line_question: m.required("isSingleLineQuestion")?,
                regex_pattern: m.optional("regexPattern")?,
                regex_hint: m.optional("regexHint")?,
            }),
            "multipleChoice" => Ok(Self::MultipleChoice {
                choices: m.list("choices")?,
            }),
            other => Err(unknown_tag(other)),
        }
    }
}

impl Decode for Choice {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            actual_value: m.required("actualValue")?,
            display_value: m.required("displayValue")?,
        })
    }
}

impl Decode for AssignmentRequest {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            request_type: m.required("requestType")?,
            state: m.required("state")?,
            access_package: m.required("accessPackage")?,
            assignment_policy: m.required("assignmentPolicy")?,
            requestor: m.required("requestor")?,
            justification: m.optional("justification")?,
            answers: m.list("answers")?,
            schedule: m.optional("schedule")?,
            created_date_time: m.required("createdDateTime")?,
            completed_date_time: m.optional("completedDateTime")?,
            stages: m.list("stages")?,
            assignment_id: m.optional("assignmentId")?,
            history: m.list("history")?,
        })
    }
}

impl Decode for AnsweredQuestion {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            question_id: m.required("questionId")?,
            question: m.required("question")?,
            value: m.required("value")?,
            display_value: m.required("displayValue")?,
        })
    }
}

impl Decode for Schedule {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            start_date_time: m.required("startDateTime")?,
            end_date_time: m.optional("endDateTime")?,
        })
    }
}

impl Decode for ApprovalStage {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            stage: m.required("stage")?,
            status: m.required("status")?,
            approvers: m.list("approvers")?,
            decided_by: m.optional("decidedBy")?,
            decided_date_time: m.optional("decidedDateTime")?,
            justification: m.optional("justification")?,
            due_date_time: m.optional("dueDateTime")?,
            is_approver_justification_required: m.required("isApproverJustificationRequired")?,
        })
    }
}

impl Decode for AuditEntry {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            date_time: m.required("dateTime")?,
            actor: m.optional("actor")?,
            action: m.required("action")?,
            from_state: m.optional("fromState")?,
            to_state: m.required("toState")?,
            detail: m.optional("detail")?,
        })
    }
}

impl Decode for RequestType {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        one_of(
            value,
            &[("userAdd", Self::UserAdd), ("userExtend", Self::UserExtend)],
        )
    }
}

impl Decode for RequestState {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let name = String::decode(value)?;
        Self::parse(&name).ok_or_else(|| format!("`{name}` is not a request state"))
    }
}

impl Decode for StageStatus {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        one_of(
            value,
            &[
                ("notStarted", Self::NotStarted),
                ("pending", Self::Pending),
                ("approved", Self::Approved),
                ("denied", Self::Denied),
                ("skipped", Self::Skipped),
            ],
        )
    }
}

impl Decode for Assignment {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        let m = Members(value);
        Ok(Self {
            id: m.required("id")?,
            access_package: m.required("accessPackage")?,
            assignment_policy: m.required("assignmentPolicy")?,
            state: m.required("state")?,
            schedule: m.required("schedule")?,
            request_id: m.required("requestId")?,
            extendable_from: m.optional("extendableFrom")?,
            extension_request_id: m.optional("extensionRequestId")?,
        })
    }
}

impl Decode for AssignmentState {
    fn decode<V: Value>(value: &V) -> Result<Self, String> {
        one_of(
            value,
            &[
                ("delivered", Self::Delivered),
                ("expired", Self::Expired),
                ("revoked", Self::Revoked),
            ],
        )
    }
}

/// An object of the members that are there: `None` ones are left out, as serde's
/// `skip_serializing_if` does.
fn object<B: Build>(members: Vec<(&'static str, Option<B>)>) -> B {
    B::object(
        members
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key, v)))
            .collect(),
    )
}

fn text<B: Build>(value: &str) -> Option<B> {
    Some(B::string(value))
}

fn optional_text<B: Build>(value: &Option<String>) -> Option<B> {
    value.as_deref().map(B::string)
}

/// A list, left out when empty.
fn list<B: Build, T: Encode>(items: &[T]) -> Option<B> {
    (!items.is_empty()).then(|| B::array(items.iter().map(T::encode).collect()))
}

impl Encode for DemoSignIn {
    fn encode<B: Build>(&self) -> B {
        object(vec![("userPrincipalName", text(&self.user_principal_name))])
    }
}

impl Encode for NewAssignmentRequest {
    fn encode<B: Build>(&self) -> B {
        object(vec![
            ("accessPackageId", text(&self.access_package_id)),
            ("assignmentPolicyId", text(&self.assignment_policy_id)),
            ("justification", optional_text(&self.justification)),
            ("schedule", self.schedule.as_ref().map(Schedule::encode)),
            ("answers", list(&self.answers)),
        ])
    }
}

impl Encode for Schedule {
    fn encode<B: Build>(&self) -> B {
        object(vec![
            ("startDateTime", text(&self.start_date_time)),
            ("endDateTime", optional_text(&self.end_date_time)),
        ])
    }
}

impl Encode for Answer {
    fn encode<B: Build>(&self) -> B {
        object(vec![
            ("questionId", text(&self.question_id)),
            ("value", text(&self.value)),
        ])
    }
}

impl Encode for ExtendAssignment {
    fn encode<B: Build>(&self) -> B {
        object(vec![
            ("justification", optional_text(&self.justification)),
            ("answers", list(&self.answers)),
        ])
    }
}

impl Encode for Decision {
    fn encode<B: Build>(&self) -> B {
        let decision = match self.decision {
            DecisionKind::Approve => "approve",
            DecisionKind::Deny => "deny",
        };
        object(vec![
            ("decision", text(decision)),
            ("justification", optional_text(&self.justification)),
        ])
    }
}

impl Encode for User {
    fn encode<B: Build>(&self) -> B {
        object(vec![
            ("id", text(&self.id)),
            ("displayName", text(&self.display_name)),
            ("mail", text(&self.mail)),
            ("userPrincipalName", text(&self.user_principal_name)),
            ("jobTitle", optional_text(&self.job_title)),
            ("manager", self.manager.as_ref().map(UserRef::encode)),
        ])
    }
}

impl Encode for UserRef {
    fn encode<B: Build>(&self) -> B {
        object(vec![
            ("id", text(&self.id)),
            ("displayName", text(&self.display_name)),
            ("mail", text(&self.mail)),
        ])
    }
}

#[cfg(test)]
mod tests;
