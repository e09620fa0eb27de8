//! Each wire type read and written by hand must give the JSON serde gives, field for field.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};

use super::*;

impl Value for Json {
    fn member(&self, key: &str) -> Option<Self> {
        self.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn keys(&self) -> Option<Vec<String>> {
        self.as_object().map(|o| o.keys().cloned().collect())
    }
}

impl Build for Json {
    fn object(members: Vec<(&'static str, Self)>) -> Self {
        Json::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }
    fn string(value: &str) -> Self {
        Json::String(value.to_owned())
    }
    fn array(items: Vec<Self>) -> Self {
        Json::Array(items)
    }
}

/// `value` as serde writes it reads back the same by hand, and serde reads it back too.
fn reads<T: Decode + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: T) {
    let json = serde_json::to_value(&value).unwrap();
    assert_eq!(T::decode(&json).as_ref(), Ok(&value), "{json}");
    assert_eq!(serde_json::from_value::<T>(json).unwrap(), value);
}

/// `value` written by hand is the JSON serde writes.
fn writes<T: Encode + Serialize>(value: T) {
    assert_eq!(
        value.encode::<Json>(),
        serde_json::to_value(&value).unwrap()
    );
}

fn user_ref(name: &str) -> UserRef {
    UserRef {
        id: name.to_lowercase(),
        display_name: name.to_owned(),
        mail: format!("{}@contoso.com", name.to_lowercase()),
    }
}

fn user(manager: Option<UserRef>) -> User {
    User {
        id: "adele".into(),
        display_name: "Adele Vance".into(),
        mail: "adele@contoso.com".into(),
        user_principal_name: "adele@contoso.com".into(),
        job_title: manager.as_ref().map(|_| "Retail Manager".into()),
        manager,
    }
}

fn schedule(end: bool) -> Schedule {
    Schedule {
        start_date_time: "2026-11-27T16:00:00Z".into(),
        end_date_time: end.then(|| "2027-01-26T16:00:00Z".into()),
    }
}

fn policy(expiration: Expiration, questions: Vec<Question>) -> AssignmentPolicy {
    AssignmentPolicy {
        id: "a".into(),
        access_package_id: "sales-crm".into(),
        display_name: "Policy A".into(),
        description: "60 days, approved by your manager".into(),
        requestor_settings: RequestorSettings {
            allow_custom_assignment_schedule: true,
            allow_extension: false,
        },
        request_approval_settings: RequestApprovalSettings {
            is_approval_required_for_add: true,
            is_requestor_justification_required: false,
            stages: vec![ApprovalStageSettings {
                duration_before_automatic_denial_days: 14,
                is_approver_justification_required: true,
                primary_approvers: vec![
                    Approver::RequestorManager,
                    Approver::SingleUser {
                        user_id: "megan".into(),
                        display_name: "Megan Bowen".into(),
                    },
                ],
            }],
        },
        expiration,
        questions,
    }
}

fn request(state: RequestState, full: bool) -> AssignmentRequest {
    AssignmentRequest {
        id: "r1".into(),
        request_type: if full {
            RequestType::UserExtend
        } else {
            RequestType::UserAdd
        },
        state,
        access_package: PackageRef {
            id: "sales-crm".into(),
            display_name: "Sales CRM".into(),
        },
        assignment_policy: PolicyRef {
            id: "a".into(),
            display_name: "Policy A".into(),
        },
        requestor: user_ref("Adele"),
        justification: full.then(|| "Quarterly pipeline review".into()),
        answers: if full {
            vec![AnsweredQuestion {
                question_id: "region".into(),
                question: "Region".into(),
                value: "emea".into(),
                display_value: "Europe".into(),
            }]
        } else {
            vec![]
        },
        schedule: full.then(|| schedule(true)),
        created_date_time: "2026-11-27T16:00:00Z".into(),
        completed_date_time: full.then(|| "2026-11-28T09:30:00Z".into()),
        stages: if full {
            vec![
                ApprovalStage {
                    stage: 1,
                    status: StageStatus::Approved,
                    approvers: vec![user_ref("Megan")],
                    decided_by: Some(user_ref("Megan")),
                    decided_date_time: Some("2026-11-28T09:30:00Z".into()),
                    justification: Some("Fine".into()),
                    due_date_time: Some("2026-12-11T16:00:00Z".into()),
                    is_approver_justification_required: false,
                },
                ApprovalStage {
                    stage: 2,
                    status: StageStatus::NotStarted,
                    approvers: vec![],
                    decided_by: None,
                    decided_date_time: None,
                    justification: None,
                    due_date_time: None,
                    is_approver_justification_required: true,
                },
            ]
        } else {
            vec![]
        },
        assignment_id: full.then(|| "as1".into()),
        history: if full {
            vec![
                AuditEntry {
                    date_time: "2026-11-27T16:00:00Z".into(),
                    actor: Some(user_ref("Adele")),
                    action: "Request submitted".into(),
                    from_state: None,
                    to_state: RequestState::PendingApproval,
                    detail: None,
                },
                AuditEntry {
                    date_time: "2026-11-28T09:30:00Z".into(),
                    actor: None,
                    action: "Delivered".into(),
                    from_state: Some(RequestState::Scheduled),
                    to_state: state,
                    detail: Some("On schedule".into()),
                },
            ]
        } else {
            vec![]
        },
    }
}

#[test]
fn users_and_tokens_read_as_serde_writes_them() {
    reads(user(None));
    reads(user(Some(user_ref("Megan"))));
    reads(Token {
        access_token: "t".into(),
        token_type: "Bearer".into(),
        expires_in: 28_800,
    });
    reads(Page::last(vec![user(None)]));
    reads(Page {
        value: Vec::<User>::new(),
        next_cursor: Some("abc".into()),
        total_count: None,
    });
    reads(Page::last(Vec::<User>::new()).counting(81));
}

#[test]
fn packages_and_decision_times_read_as_serde_writes_them() {
    let roles = [
        ResourceKind::Group,
        ResourceKind::Application,
        ResourceKind::Site,
    ]
    .into_iter()
    .map(|kind| ResourceRole {
        display_name: "Member".into(),
        resource: Resource {
            display_name: "Sales".into(),
            resource_type: kind,
        },
    })
    .collect();
    reads(AccessPackage {
        id: "sales-crm".into(),
        display_name: "Sales CRM".into(),
        description: "Pipeline and accounts".into(),
        catalog: CatalogRef {
            id: "sales".into(),
            display_name: "Sales".into(),
        },
        is_hidden: true,
        resource_roles: roles,
        open_request_id: Some("r1".into()),
        assignment_id: Some("as1".into()),
    });
    reads(DecisionTime {
        sample_size: 2,
        median_hours: None,
        p90_hours: None,
    });
    reads(DecisionTime {
        sample_size: 12,
        median_hours: Some(3.5),
        p90_hours: Some(26.0),
    });
}

#[test]
fn policies_read_as_serde_writes_them_with_every_kind_of_expiration_and_question() {
    let questions = vec![
        Question {
            id: "costCenter".into(),
            text: "Cost center".into(),
            is_required: true,
            kind: QuestionKind::Text {
                is_single_line_question: true,
                regex_pattern: Some("CC-[0-9]{4}".into()),
                regex_hint: Some("Format: CC-1234".into()),
            },
        },
        Question {
            id: "notes".into(),
            text: "Notes".into(),
            is_required: false,
            kind: QuestionKind::Text {
                is_single_line_question: false,
                regex_pattern: None,
                regex_hint: None,
            },
        },
        Question {
            id: "region".into(),
            text: "Region".into(),
            is_required: true,
            kind: QuestionKind::MultipleChoice {
                choices: vec![Choice {
                    actual_value: "emea".into(),
                    display_value: "Europe".into(),
                }],
            },
        },
    ];
    reads(policy(Expiration::NoExpiration, vec![]));
    reads(policy(
        Expiration::AfterDuration { duration_days: 60 },
        questions,
    ));
    reads(policy(
        Expiration::AfterDateTime {
            end_date_time: "2027-03-31T00:00:00Z".into(),
        },
        vec![],
    ));
}

#[test]
fn requests_and_assignments_read_as_serde_writes_them_in_every_state() {
    for state in RequestState::ALL {
        reads(request(state, false));
        reads(request(state, true));
    }
    for state in [
        AssignmentState::Delivered,
        AssignmentState::Expired,
        AssignmentState::Revoked,
    ] {
        reads(Assignment {
            id: "as1".into(),
            access_package: PackageRef {
                id: "sales-crm".into(),
                display_name: "Sales CRM".into(),
            },
            assignment_policy: PolicyRef {
                id: "a".into(),
                display_name: "Policy A".into(),
            },
            state,
            schedule: schedule(state != AssignmentState::Revoked),
            request_id: "r1".into(),
            extendable_from: Some("2027-01-12T16:00:00Z".into()),
            extension_request_id: (state == AssignmentState::Expired).then(|| "r2".into()),
        });
    }
}

#[test]
fn problems_read_as_serde_writes_them() {
    reads(Problem {
        status: 422,
        title: "Validation failed".into(),
        detail: "Fix the fields below.".into(),
        errors: vec![FieldError::new("justification", "Say why you need it.")],
    });
    reads(Problem {
        status: 404,
        title: "Not found".into(),
        detail: "No such package.".into(),
        errors: vec![],
    });
}

#[test]
fn request_bodies_are_written_as_serde_writes_them() {
    writes(DemoSignIn {
        user_principal_name: "adele@contoso.com".into(),
    });
    writes(NewAssignmentRequest {
        access_package_id: "sales-crm".into(),
        assignment_policy_id: "a".into(),
        ..Default::default()
    });
    writes(NewAssignmentRequest {
        access_package_id: "sales-crm".into(),
        assignment_policy_id: "a".into(),
        justification: Some("Quarterly review".into()),
        schedule: Some(schedule(true)),
        answers: vec![Answer {
            question_id: "region".into(),
            value: "emea".into(),
        }],
    });
    writes(Schedule {
        start_date_time: "2026-11-27T16:00:00Z".into(),
        end_date_time: None,
    });
    writes(ExtendAssignment::default());
    writes(ExtendAssignment {
        justification: Some("Another quarter".into()),
        answers: vec![Answer {
            question_id: "costCenter".into(),
            value: "CC-1234".into(),
        }],
    });
    for decision in [DecisionKind::Approve, DecisionKind::Deny] {
        writes(Decision {
            decision,
            justification: Some("Ok".into()),
        });
    }
    writes(user(Some(user_ref("Megan"))));
    writes(user(None));
}

#[test]
fn only_known_members_are_let_through_where_asked() {
    let known = ["issuer", "clientId"];
    assert_eq!(
        Members(&json!({"issuer": "x", "clientId": "y"})).only(&known),
        Ok(())
    );
    assert_eq!(
        Members(&json!({"issuer": "x", "clientID": "y"})).only(&known),
        Err("unknown field `clientID`, expected one of `issuer`, `clientId`".to_owned())
    );
    assert_eq!(
        Members(&json!(["issuer"])).only(&known),
        Err("expected an object".to_owned())
    );
}

#[test]
fn what_does_not_fit_is_named_with_its_place() {
    let missing = json!({"id": "x", "displayName": "X", "mail": "x@contoso.com"});
    assert_eq!(
        User::decode(&missing),
        Err("`userPrincipalName` is missing".to_owned())
    );
    let mut bad = serde_json::to_value(request(RequestState::Denied, true)).unwrap();
    bad["stages"][1]["status"] = json!("maybe");
    assert_eq!(
        AssignmentRequest::decode(&bad),
        Err("`stages`: item 2: `status`: `maybe` is not one of notStarted, pending, approved, denied, skipped".to_owned())
    );
    let negative = json!({"sampleSize": -1});
    assert_eq!(
        DecisionTime::decode(&negative),
        Err("`sampleSize`: expected a whole number from 0 to 4294967295".to_owned())
    );
    let tagged = json!({"type": "forever"});
    assert_eq!(
        Expiration::decode(&tagged),
        Err("`type`: `forever` is not known".to_owned())
    );
}
