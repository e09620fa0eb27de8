//! SCIM 2.0 provisioning at /scim/v2: each endpoint, filter and PATCH form the big identity
//! providers send, and what a deactivation, a manager change and a group removal do to access.

use portal_api::{AssignmentRequest, Page, RequestState};
use serde_json::{Value, json};

use crate::helpers::{Reply, SCIM_TOKEN, TestApp, spawn_app, spawn_app_with};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A provisioning client with the server's SCIM token.
pub struct Scim<'a> {
    app: &'a TestApp,
}

impl<'a> Scim<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app }
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let body = body.map(|b| b.to_string());
        self.app
            .raw(method, &format!("/scim/v2{path}"), Some(SCIM_TOKEN), body)
            .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call("GET", path, None).await
    }

    pub async fn create_user(&self, user_name: &str, external_id: &str) -> Value {
        let reply = self
            .call(
                "POST",
                "/Users",
                Some(json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": user_name,
                    "externalId": external_id,
                    "name": {"givenName": "Pat", "familyName": user_name},
                    "emails": [{"value": user_name, "type": "work", "primary": true}],
                    "active": true,
                })),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.json()
    }

    pub async fn patch(&self, path: &str, operations: Value) -> Reply {
        self.call(
            "PATCH",
            path,
            Some(json!({"schemas": [PATCH_OP], "Operations": operations})),
        )
        .await
    }

    async fn list(&self, path_and_query: &str) -> Value {
        let reply = self.get(path_and_query).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }
}

fn scim_error(reply: &Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.content_type, "application/scim+json",
        "{}",
        reply.body
    );
    let body: Value = reply.json();
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(body["status"], json!(status.to_string()));
    body
}

fn query(filter: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a url");
    url.query_pairs_mut().append_pair("filter", filter);
    format!("?{}", url.query().unwrap_or_default())
}

#[tokio::test]
async fn scim_refuses_a_missing_wrong_or_user_token_in_scims_error_format() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let none = app.raw("GET", "/scim/v2/Users", None, None).await;
    let wrong = app
        .raw("GET", "/scim/v2/Users", Some("not-the-token"), None)
        .await;
    let user_token = app
        .raw("GET", "/scim/v2/Users", Some(adele.token()), None)
        .await;

    for reply in [none, wrong, user_token] {
        let body = scim_error(&reply, 401);
        assert!(body["detail"].as_str().unwrap().contains("Bearer"));
    }
}

#[tokio::test]
async fn without_a_scim_token_configured_the_endpoints_do_not_exist() {
    let app = spawn_app_with(|config| config.scim_token = None).await;

    let reply = app
        .raw("GET", "/scim/v2/Users", Some(SCIM_TOKEN), None)
        .await;

    let body = scim_error(&reply, 404);
    assert!(body["detail"].as_str().unwrap().contains("--scim-token"));
}

#[tokio::test]
async fn the_discovery_documents_declare_patch_and_filter_but_no_bulk_sort_or_etag() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);

    let config: Value = scim.get("/ServiceProviderConfig").await.json();
    let types = scim.list("/ResourceTypes").await;
    let schemas = scim.list("/Schemas").await;
    let user_schema = scim
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;

    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["filter"]["supported"], true);
    for feature in ["bulk", "sort", "etag", "changePassword"] {
        assert_eq!(config[feature]["supported"], false, "{feature}");
    }
    assert_eq!(types["totalResults"], 2);
    assert_eq!(schemas["totalResults"], 3);
    assert_eq!(user_schema.status, 200, "{}", user_schema.body);
    assert_eq!(user_schema.content_type, "application/scim+json");
}

#[tokio::test]
async fn a_user_is_created_read_and_found_by_each_filter_the_providers_send() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let created = scim.create_user("ada@contoso.com", "entra-ada").await;
    scim.create_user("bob@contoso.com", "entra-bob").await;
    let id = created["id"].as_str().unwrap();

    let read: Value = scim.get(&format!("/Users/{id}")).await.json();
    let by_user_name = scim
        .list(&format!(
            "/Users{}",
            query(r#"userName eq "ADA@contoso.com""#)
        ))
        .await;
    let by_external_id = scim
        .list(&format!("/Users{}", query(r#"externalId eq "entra-ada""#)))
        .await;
    let by_display_name = scim
        .list(&format!(
            "/Users{}",
            query(r#"displayName eq "Pat ada@contoso.com""#)
        ))
        .await;
    let by_id = scim
        .list(&format!("/Users{}", query(&format!(r#"id eq "{id}""#))))
        .await;
    let both = scim
        .list(&format!(
            "/Users{}",
            query(r#"userName eq "ada@contoso.com" AND externalId eq "entra-bob""#)
        ))
        .await;

    assert_eq!(read["userName"], "ada@contoso.com");
    assert_eq!(read["active"], true);
    assert_eq!(read["name"]["familyName"], "ada@contoso.com");
    for found in [by_user_name, by_external_id, by_display_name, by_id] {
        assert_eq!(found["totalResults"], 1, "{found}");
        assert_eq!(found["Resources"][0]["id"], id);
    }
    assert_eq!(both["totalResults"], 0);
}

#[tokio::test]
async fn a_user_from_the_catalog_file_is_found_by_user_name_and_is_the_same_record() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);

    let found = scim
        .list(&format!(
            "/Users{}",
            query(r#"userName eq "adele@contoso.com""#)
        ))
        .await;
    let linked = scim
        .patch(
            "/Users/adele",
            json!([{"op": "add", "path": "externalId", "value": "entra-adele"}]),
        )
        .await;

    assert_eq!(found["Resources"][0]["id"], "adele");
    assert_eq!(
        found["Resources"][0][ENTERPRISE]["manager"]["value"],
        "megan"
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    let me: Value = app.sign_in("adele").await.me().await.json();
    assert_eq!(me["displayName"], "Adele Vance");
}

#[tokio::test]
async fn users_are_listed_in_pages_by_start_index_and_count() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);

    let first = scim.list("/Users?startIndex=1&count=4").await;
    let rest = scim.list("/Users?startIndex=5&count=100").await;

    let total = first["totalResults"].as_u64().unwrap();
    assert_eq!(total, 9, "the demo directory");
    assert_eq!(first["itemsPerPage"], 4);
    assert_eq!(first["startIndex"], 1);
    assert_eq!(rest["itemsPerPage"], 5);
    let ids = |page: &Value| -> Vec<String> {
        page["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut all = ids(&first);
    all.extend(ids(&rest));
    all.dedup();
    assert_eq!(all.len(), 9);
}

#[tokio::test]
async fn a_second_user_with_the_same_user_name_is_refused_as_not_unique() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    scim.create_user("ada@contoso.com", "one").await;

    let again = scim
        .call(
            "POST",
            "/Users",
            Some(json!({"userName": "ada@contoso.com"})),
        )
        .await;

    assert_eq!(scim_error(&again, 409)["scimType"], "uniqueness");
}

#[tokio::test]
async fn a_second_user_with_the_same_external_id_is_told_which_attribute_is_taken() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    scim.create_user("ada@contoso.com", "one").await;

    let again = scim
        .call(
            "POST",
            "/Users",
            Some(json!({"userName": "grace@contoso.com", "externalId": "one"})),
        )
        .await;

    let error = scim_error(&again, 409);
    assert_eq!(error["scimType"], "uniqueness");
    let detail = error["detail"].as_str().expect("a detail");
    assert!(
        detail.starts_with("Another user has this externalId already"),
        "{detail}"
    );
}

#[tokio::test]
async fn malformed_filters_bodies_and_patches_answer_400_with_their_scim_type() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);

    let bad_filter = scim
        .get(&format!("/Users{}", query(r#"userName eq "open"#)))
        .await;
    let unsupported = scim
        .get(&format!("/Users{}", query(r#"title eq "x""#)))
        .await;
    let no_user_name = scim
        .call("POST", "/Users", Some(json!({"active": true})))
        .await;
    let not_json = app
        .raw(
            "POST",
            "/scim/v2/Users",
            Some(SCIM_TOKEN),
            Some("{".to_owned()),
        )
        .await;
    let bad_op = scim
        .patch("/Users/adele", json!([{"op": "Move", "path": "title"}]))
        .await;
    let bad_path = scim
        .patch(
            "/Users/adele",
            json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
        )
        .await;
    let missing = scim.get("/Users/nobody").await;

    assert_eq!(scim_error(&bad_filter, 400)["scimType"], "invalidFilter");
    assert_eq!(scim_error(&unsupported, 400)["scimType"], "invalidFilter");
    assert_eq!(scim_error(&no_user_name, 400)["scimType"], "invalidValue");
    assert_eq!(scim_error(&not_json, 400)["scimType"], "invalidSyntax");
    assert_eq!(scim_error(&bad_op, 400)["scimType"], "invalidSyntax");
    assert_eq!(scim_error(&bad_path, 400)["scimType"], "invalidPath");
    scim_error(&missing, 404);
}

#[tokio::test]
async fn a_user_is_patched_the_way_entra_sends_it() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let user = scim.create_user("ada@contoso.com", "entra-ada").await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());

    let reply = scim
        .patch(
            &path,
            json!([
                {"op": "Replace", "path": "displayName", "value": "Ada Lovelace"},
                {"op": "Add", "path": "title", "value": "Analyst"},
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada@lovelace.org"},
                {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "megan"},
                {"op": "Replace", "value": {"name.givenName": "Augusta"}},
            ]),
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let read: Value = scim.get(&path).await.json();
    assert_eq!(read["displayName"], "Ada Lovelace");
    assert_eq!(read["title"], "Analyst");
    assert_eq!(read["emails"][0]["value"], "ada@lovelace.org");
    assert_eq!(read[ENTERPRISE]["manager"]["value"], "megan");
    assert_eq!(read["name"]["givenName"], "Augusta");
    let removed = scim
        .patch(
            &path,
            json!([{"op": "Remove", "path": format!("{ENTERPRISE}:manager")}]),
        )
        .await;
    let removed: Value = removed.json();
    assert_eq!(removed.get(ENTERPRISE), None, "no manager: no extension");
}

#[tokio::test]
async fn a_user_is_replaced_whole_with_put() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let user = scim.create_user("ada@contoso.com", "entra-ada").await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());

    let reply = scim
        .call(
            "PUT",
            &path,
            Some(json!({"userName": "ada.l@contoso.com", "displayName": "Ada L", "active": true})),
        )
        .await;

    let read: Value = reply.json();
    assert_eq!(read["userName"], "ada.l@contoso.com");
    assert_eq!(read.get("externalId"), None, "PUT replaces every attribute");
}

#[tokio::test]
async fn a_deleted_user_is_gone_and_their_user_name_free_again() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let user = scim.create_user("ada@contoso.com", "entra-ada").await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());

    let deleted = scim.call("DELETE", &path, None).await;

    assert_eq!(deleted.status, 204, "{}", deleted.body);
    scim_error(&scim.get(&path).await, 404);
    scim_error(&scim.call("DELETE", &path, None).await, 404);
    scim.create_user("ada@contoso.com", "entra-ada").await;
}

#[tokio::test]
async fn a_group_is_created_patched_by_member_filters_found_and_deleted() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let created = scim
        .call(
            "POST",
            "/Groups",
            Some(json!({"displayName": "Analysts", "externalId": "g-1",
                "members": [{"value": "adele"}, {"value": "diego"}]})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let group: Value = created.json();
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());

    let patched = scim
        .patch(
            &path,
            json!([
                {"op": "Add", "path": "members", "value": [{"value": "lynne"}]},
                {"op": "Remove", "path": "members[value eq \"adele\"]"},
                {"op": "Remove", "path": "members", "value": [{"value": "diego"}]},
                {"op": "Replace", "path": "displayName", "value": "Data analysts"},
            ]),
        )
        .await;
    let found = scim
        .list(&format!(
            "/Groups{}",
            query(r#"displayName eq "data analysts""#)
        ))
        .await;
    let by_external_id = scim
        .list(&format!("/Groups{}", query(r#"externalId eq "g-1""#)))
        .await;
    let unknown_member = scim
        .patch(
            &path,
            json!([{"op": "add", "path": "members", "value": [{"value": "nobody"}]}]),
        )
        .await;
    let deleted = scim.call("DELETE", &path, None).await;

    let patched: Value = patched.json();
    assert_eq!(patched["members"].as_array().unwrap().len(), 1);
    assert_eq!(patched["members"][0]["value"], "lynne");
    assert_eq!(found["totalResults"], 1);
    assert_eq!(by_external_id["totalResults"], 1);
    assert_eq!(scim_error(&unknown_member, 400)["scimType"], "invalidValue");
    assert_eq!(deleted.status, 204);
    scim_error(&scim.get(&path).await, 404);
}

#[tokio::test]
async fn a_body_sent_as_application_scim_json_is_read() {
    let app = spawn_app().await;

    let reply = app
        .client
        .post(format!("{}/scim/v2/Users", app.address))
        .bearer_auth(SCIM_TOKEN)
        .header("content-type", "application/scim+json")
        .body(json!({"userName": "ada@contoso.com"}).to_string())
        .send()
        .await
        .unwrap();

    assert_eq!(reply.status(), 201);
    assert_eq!(reply.headers()["content-type"], "application/scim+json");
    assert!(reply.headers().contains_key("location"));
}

#[tokio::test]
async fn a_provisioning_client_is_not_held_to_the_per_user_write_limit() {
    let app = spawn_app_with(|config| config.writes_per_minute = 2).await;
    let scim = Scim::new(&app);

    for n in 0..10 {
        scim.create_user(&format!("user{n}@contoso.com"), &format!("e{n}"))
            .await;
    }
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in_and_loses_open_requests_and_access() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let (adele, _megan, held) = crate::helpers::adele_with_sales_crm(&app).await;
    let open = adele
        .request_access("social-media", "social-media-manager")
        .await;

    let reply = scim
        .patch(
            "/Users/adele",
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .await;

    assert_eq!(reply.json::<Value>()["active"], false);
    adele.me().await.problem(401);
    app.demo_sign_in("adele@contoso.com").await.problem(401);
    let db = &app.state.db;
    let open = portal_server::store::requests::request(db, &open.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.state, RequestState::Canceled);
    let holdings = portal_server::store::requests::assignments(db, "adele")
        .await
        .unwrap();
    let sales_crm = holdings.iter().find(|a| a.request_id == held.id).unwrap();
    assert_ne!(sales_crm.state, portal_api::AssignmentState::Delivered);
}

#[tokio::test]
async fn a_request_waiting_for_a_deactivated_manager_goes_to_the_stages_fallback_approver() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let adele = app.sign_in("adele").await;
    let request = adele
        .request_access("source-code", "source-code-manager")
        .await;

    scim.patch(
        "/Users/megan",
        json!([{"op": "replace", "value": {"active": false}}]),
    )
    .await;

    let alex = app.sign_in("alex").await;
    assert!(waiting_for(&app, "alex").await.contains(&request.id));
    alex.approve(&request.id).await;
    let mails = app.outbox().await;
    assert!(
        mails
            .iter()
            .any(|m| m.recipient_id == "alex" && m.kind == "decisionNeeded"),
        "alex is told a decision waits for him"
    );
}

#[tokio::test]
async fn a_request_waiting_for_a_deleted_manager_without_fallback_goes_to_the_catalog_owner() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let adele = app.sign_in("adele").await;
    let request = adele
        .request_access("social-media", "social-media-manager")
        .await;
    assert!(!waiting_for(&app, "patti").await.contains(&request.id));

    let deleted = scim.call("DELETE", "/Users/megan", None).await;

    assert_eq!(deleted.status, 204);
    assert!(waiting_for(&app, "patti").await.contains(&request.id));
    app.sign_in("patti").await.approve(&request.id).await;
}

#[tokio::test]
async fn a_new_manager_approves_the_requests_that_waited_for_the_old_one() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let adele = app.sign_in("adele").await;
    let request = adele
        .request_access("social-media", "social-media-manager")
        .await;
    let megan = app.sign_in("megan").await;

    let reply = scim
        .patch(
            "/Users/adele",
            json!([{"op": "Replace", "path": format!("{ENTERPRISE}:manager"),
                "value": {"value": "patti"}}]),
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(!waiting_for(&app, "megan").await.contains(&request.id));
    megan
        .decide(&request.id, portal_api::DecisionKind::Approve, None)
        .await
        .problem(404);
    let approved = app.sign_in("patti").await.approve(&request.id).await;
    assert_ne!(approved.state, RequestState::PendingApproval);
}

#[tokio::test]
async fn a_user_removed_from_a_group_can_no_longer_request_under_its_policy() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);
    let joni = app.sign_in("joni").await;
    assert_eq!(
        joni.applicable_policy_ids("general-ledger").await,
        vec!["general-ledger-finance".to_owned()]
    );

    let reply = scim
        .patch(
            "/Groups/finance",
            json!([{"op": "Remove", "path": "members[value eq \"joni\"]"}]),
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        joni.applicable_policy_ids("general-ledger")
            .await
            .is_empty()
    );
}

/// The ids of the requests waiting in `user_id`'s Approvals.
async fn waiting_for(app: &TestApp, user_id: &str) -> Vec<String> {
    let page: Page<AssignmentRequest> = app.sign_in(user_id).await.approvals().await.ok();
    page.value.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn attributes_and_excluded_attributes_shape_reads_lists_and_searches() {
    let app = spawn_app().await;
    let scim = Scim::new(&app);

    let only_name: Value = scim.get("/Users/adele?attributes=userName").await.json();
    let without_emails = scim
        .list("/Users?excludedAttributes=emails,name&count=1")
        .await;
    let searched = scim
        .call(
            "POST",
            "/Users/.search",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": "userName eq \"adele@contoso.com\"",
                "attributes": ["displayName"],
                "startIndex": 1,
                "count": 10,
            })),
        )
        .await;
    let across_types = scim.call("POST", "/.search", Some(json!({}))).await;

    assert_eq!(only_name["userName"], "adele@contoso.com");
    assert_eq!(only_name["id"], "adele", "id is always returned");
    assert_eq!(only_name.get("displayName"), None);
    let first = &without_emails["Resources"][0];
    assert_eq!(first.get("emails"), None);
    assert_eq!(first.get("name"), None);
    assert!(first.get("userName").is_some());
    let searched: Value = searched.json();
    assert_eq!(searched["totalResults"], 1);
    assert_eq!(searched["Resources"][0]["displayName"], "Adele Vance");
    assert_eq!(searched["Resources"][0].get("userName"), None);
    scim_error(&across_types, 501);
}
