//! Sign-in with an OpenID Provider, at the API: bearer tokens from a provider on loopback whose
//! discovery document and key set the test serves, signed by the test with that provider's
//! keys (test-only keys under tests/api/keys/) — and crafted ones that must be refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, spawn_app_with};
use crate::scim::Scim;

/// The portal's client id at the test provider, and so the `aud` its tokens carry.
const CLIENT_ID: &str = "access-portal";

/// An OpenID Provider's published side: discovery document and key set, on loopback.
struct Provider {
    issuer: String,
    published: Arc<Published>,
}

struct Published {
    issuer: String,
    kids: RwLock<Vec<&'static str>>,
    key_set_fetches: AtomicUsize,
}

impl Provider {
    /// A provider publishing the keys named `kids`.
    async fn start(kids: &[&'static str]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let issuer = format!(
            "http://{}/tenant",
            listener.local_addr().expect("an address")
        );
        let published = Arc::new(Published {
            issuer: issuer.clone(),
            kids: RwLock::new(kids.to_vec()),
            key_set_fetches: AtomicUsize::new(0),
        });
        let routes = axum::Router::new()
            .route("/tenant/.well-known/openid-configuration", get(discovery))
            .route("/tenant/keys", get(key_set))
            .with_state(published.clone());
        tokio::spawn(async move { axum::serve(listener, routes).await });
        Self { issuer, published }
    }

    /// Publish `kids` from now on, as a provider does when it rotates its keys.
    fn rotate_to(&self, kids: &[&'static str]) {
        *self.published.kids.write().expect("the key list") = kids.to_vec();
    }

    fn key_set_fetches(&self) -> usize {
        self.published.key_set_fetches.load(Ordering::SeqCst)
    }

    /// Claims of a valid token for the person `sub`, valid for five minutes.
    fn claims(&self, sub: &str) -> Value {
        let now = Utc::now().timestamp();
        json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "name": "Nestor Wilke",
            "email": "nestor@fabrikam.com",
            "preferred_username": "nestor@fabrikam.com",
            "groups": ["sales-team"],
        })
    }

    /// A token for `sub` signed with the key `kid`.
    fn token(&self, sub: &str) -> String {
        sign("ec-one", Algorithm::ES256, &self.claims(sub))
    }
}

async fn discovery(State(published): State<Arc<Published>>) -> Json<Value> {
    Json(json!({
        "issuer": published.issuer,
        "authorization_endpoint": format!("{}/auth", published.issuer),
        "token_endpoint": format!("{}/token", published.issuer),
        "jwks_uri": format!("{}/keys", published.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
    }))
}

async fn key_set(State(published): State<Arc<Published>>) -> Json<Value> {
    published.key_set_fetches.fetch_add(1, Ordering::SeqCst);
    let kids = published.kids.read().expect("the key list").clone();
    let keys: Vec<Value> = kids.iter().map(|kid| public_key(kid)).collect();
    Json(json!({ "keys": keys }))
}

fn key_file(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/api/keys")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn public_key(kid: &str) -> Value {
    serde_json::from_slice(&key_file(&format!("{kid}.jwk.json"))).expect("a JWK")
}

/// `claims` signed with the private key `kid` by `alg`, naming `kid` in the header.
fn sign(kid: &str, alg: Algorithm, claims: &Value) -> String {
    let pem = key_file(&format!("{kid}.pem"));
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem),
        _ => EncodingKey::from_rsa_pem(&pem),
    }
    .expect("a private key");
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).expect("a signed token")
}

/// A portal that trusts `provider` (and, as in production, has demo sign-in off).
async fn portal_trusting(provider: &Provider) -> TestApp {
    let issuer = provider.issuer.clone();
    spawn_app_with(move |config| {
        config.demo = false;
        config.sign_in.oidc_issuer = Some(issuer);
        config.sign_in.oidc_client_id = Some(CLIENT_ID.to_owned());
    })
    .await
}

async fn me(app: &TestApp, token: &str) -> Reply {
    app.raw("GET", "/api/v1/me", Some(token), None).await
}

fn assert_refused(reply: &Reply, why: &str) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert!(
        reply.body.contains(why),
        "expected “{why}” in {}",
        reply.body
    );
}

#[tokio::test]
async fn a_person_signed_in_at_the_provider_is_added_to_the_directory_once_and_is_who_the_token_says()
 {
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;
    let token = provider.token("nestor-at-the-provider");

    // Two first requests at once: one record.
    let (first, second) = tokio::join!(me(&app, &token), me(&app, &token));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(second.status, 200, "{}", second.body);
    let first: Value = first.json();
    let second: Value = second.json();
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["displayName"], "Nestor Wilke");
    assert_eq!(first["mail"], "nestor@fabrikam.com");
    assert_eq!(first["userPrincipalName"], "nestor@fabrikam.com");

    let again: Value = me(&app, &token).await.json();
    assert_eq!(again["id"], first["id"]);
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE external_id = 'nestor-at-the-provider'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_signed_in_person_requests_access_like_anyone_else() {
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;
    let nestor = app.session(provider.token("nestor-at-the-provider"));

    let packages = nestor.access_packages("").await;
    assert_eq!(packages.status, 200, "{}", packages.body);
    let mine = nestor.requests("").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
}

#[tokio::test]
async fn tokens_that_are_expired_not_yet_valid_or_for_another_audience_or_issuer_are_refused() {
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;
    let now = Utc::now().timestamp();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut claims = provider.claims("nestor");
        change(&mut claims);
        sign("ec-one", Algorithm::ES256, &claims)
    };

    let expired = with(&|c| {
        c["iat"] = json!(now - 7200);
        c["nbf"] = json!(now - 7200);
        c["exp"] = json!(now - 3600);
    });
    assert_refused(&me(&app, &expired).await, "has expired");

    let not_yet = with(&|c| c["nbf"] = json!(now + 3600));
    assert_refused(&me(&app, &not_yet).await, "is not valid yet");

    let other_app = with(&|c| c["aud"] = json!("another-application"));
    assert_refused(&me(&app, &other_app).await, "meant for another application");

    // A token naming another issuer is not even checked by this provider's keys.
    let other_issuer = with(&|c| c["iss"] = json!("https://login.example.com/other"));
    assert_refused(&me(&app, &other_issuer).await, "does not trust");

    // Within the leeway, a clock a little behind the provider's is fine.
    let a_little_early = with(&|c| c["nbf"] = json!(now + 20));
    assert_eq!(me(&app, &a_little_early).await.status, 200);
}

#[tokio::test]
async fn a_token_whose_signature_does_not_match_is_refused() {
    let provider = Provider::start(&["ec-one", "ec-two"]).await;
    let app = portal_trusting(&provider).await;
    // Signed with ec-two's key but naming ec-one.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("ec-one".to_owned());
    let key = EncodingKey::from_ec_pem(&key_file("ec-two.pem")).unwrap();
    let forged = jsonwebtoken::encode(&header, &provider.claims("nestor"), &key).unwrap();

    assert_refused(&me(&app, &forged).await, "signature that does not match");
}

#[tokio::test]
async fn unsigned_tokens_and_hs256_signed_with_the_public_key_are_refused() {
    let provider = Provider::start(&["rsa"]).await;
    let app = portal_trusting(&provider).await;
    let claims = provider.claims("nestor");
    // The genuine article passes, so the refusals below are about the algorithm.
    assert_eq!(
        me(&app, &sign("rsa", Algorithm::RS256, &claims))
            .await
            .status,
        200
    );

    let encode = |part: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(part.to_string())
    };
    let unsigned = format!(
        "{}.{}.",
        encode(&json!({"alg": "none", "typ": "JWT", "kid": "rsa"})),
        encode(&claims)
    );
    assert_refused(&me(&app, &unsigned).await, "not valid");

    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("rsa".to_owned());
    let public_key_as_secret = EncodingKey::from_secret(&key_file("rsa-public.pem"));
    let confused = jsonwebtoken::encode(&header, &claims, &public_key_as_secret).unwrap();
    assert_refused(&me(&app, &confused).await, "is signed with HS256");
}

#[tokio::test]
async fn every_asymmetric_algorithm_the_portal_accepts_signs_in() {
    let provider = Provider::start(&["rsa", "ec-one", "ed"]).await;
    let app = portal_trusting(&provider).await;
    let claims = provider.claims("nestor");
    for (kid, alg) in [
        ("rsa", Algorithm::RS256),
        ("rsa", Algorithm::PS256),
        ("ec-one", Algorithm::ES256),
        ("ed", Algorithm::EdDSA),
    ] {
        let reply = me(&app, &sign(kid, alg, &claims)).await;
        assert_eq!(reply.status, 200, "{alg:?}: {}", reply.body);
    }
}

#[tokio::test]
async fn after_the_provider_rotates_its_keys_new_tokens_work_without_a_restart() {
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;
    assert_eq!(me(&app, &provider.token("nestor")).await.status, 200);
    assert_eq!(provider.key_set_fetches(), 1);

    provider.rotate_to(&["ec-two"]);
    let after_rotation = sign("ec-two", Algorithm::ES256, &provider.claims("nestor"));
    let reply = me(&app, &after_rotation).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(provider.key_set_fetches(), 2);

    // Made-up key ids do not make the portal fetch again and again.
    for made_up in ["x1", "x2", "x3"] {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(made_up.to_owned());
        let key = EncodingKey::from_ec_pem(&key_file("ec-two.pem")).unwrap();
        let token = jsonwebtoken::encode(&header, &provider.claims("nestor"), &key).unwrap();
        assert_refused(&me(&app, &token).await, "does not publish");
    }
    assert_eq!(provider.key_set_fetches(), 2);
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_answers_503_saying_so() {
    let provider = Provider::start(&["ec-one"]).await;
    // A portal told of an issuer where nothing listens.
    let app = spawn_app_with(|config| {
        config.demo = false;
        config.sign_in.oidc_issuer = Some("http://127.0.0.1:9/tenant".to_owned());
        config.sign_in.oidc_client_id = Some(CLIENT_ID.to_owned());
    })
    .await;
    let mut claims = provider.claims("nestor");
    claims["iss"] = json!("http://127.0.0.1:9/tenant");
    let token_for_it = sign("ec-one", Algorithm::ES256, &claims);

    let reply = me(&app, &token_for_it).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(
        reply.body.contains("identity provider cannot be reached"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_person_already_in_the_directory_by_sign_in_name_is_recognised_when_the_claim_is_a_name()
{
    let provider = Provider::start(&["ec-one"]).await;
    let issuer = provider.issuer.clone();
    let app = spawn_app_with(move |config| {
        config.demo = false;
        config.sign_in.oidc_issuer = Some(issuer);
        config.sign_in.oidc_client_id = Some(CLIENT_ID.to_owned());
        config.sign_in.oidc_user_claim = "preferred_username".to_owned();
    })
    .await;
    // Adele is in the demo catalog as adele@contoso.com, with her manager.
    let mut claims = provider.claims("pairwise-subject");
    claims["preferred_username"] = json!("adele@contoso.com");
    claims["email"] = json!("adele@contoso.com");
    let reply = me(&app, &sign("ec-one", Algorithm::ES256, &claims)).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let me: Value = reply.json();
    assert_eq!(me["id"], "adele");
    assert!(me["manager"].is_object(), "{me}");
}

#[tokio::test]
async fn a_demo_token_is_worthless_when_the_portal_signs_in_with_a_provider() {
    let demo = spawn_app_with(|_| {}).await;
    let demo_token = demo.sign_in("adele").await.token().to_owned();
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;

    assert_refused(&me(&app, &demo_token).await, "does not trust");
    assert_eq!(app.demo_users().await.status, 404);
}

#[tokio::test]
async fn demo_sign_in_beside_a_provider_or_a_short_token_secret_is_refused_at_start() {
    let both = portal_server::state(config_with(|config| {
        config.sign_in.oidc_issuer = Some("https://login.example.com".to_owned());
        config.sign_in.oidc_client_id = Some(CLIENT_ID.to_owned());
    }))
    .await;
    let err = both.err().expect("refused").to_string();
    assert!(err.contains("remove --demo"), "{err}");

    let short = portal_server::state(config_with(|config| {
        config.token_secret = Some("short".to_owned());
    }))
    .await;
    let err = short.err().expect("refused").to_string();
    assert!(err.contains("at least 32"), "{err}");
}

fn config_with(change: impl FnOnce(&mut portal_server::Config)) -> portal_server::Config {
    let mut config = crate::helpers::test_config("sqlite::memory:");
    change(&mut config);
    config
}

#[tokio::test]
async fn the_served_config_json_names_the_provider_the_api_trusts() {
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;

    let reply = app.raw("GET", "/config.json", None, None).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let config: Value = reply.json();
    assert_eq!(config["oidc"]["issuer"], json!(provider.issuer));
    assert_eq!(config["oidc"]["clientId"], CLIENT_ID);
    assert_eq!(
        config["oidc"]["scopes"],
        "openid profile email offline_access"
    );
}

#[tokio::test]
async fn a_person_who_signed_in_first_and_is_provisioned_later_is_one_record() {
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;
    let token = provider.token("okta-00u1nestor");
    let signed_in: Value = me(&app, &token).await.json();

    // The provisioning client looks the person up by externalId before creating them, and
    // finds the record the sign-in made; it then sets their manager.
    let scim = Scim::new(&app);
    let found: Value = scim
        .get("/Users?filter=externalId%20eq%20%22okta-00u1nestor%22")
        .await
        .json();
    assert_eq!(found["totalResults"], 1, "{found}");
    assert_eq!(found["Resources"][0]["id"], signed_in["id"]);
    let id = signed_in["id"].as_str().expect("an id");
    let reply = scim
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "Replace", "path":
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                "value": "megan"}]),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let after: Value = me(&app, &token).await.json();
    assert_eq!(after["id"], signed_in["id"]);
    assert_eq!(after["manager"]["id"], "megan", "{after}");
}

#[tokio::test]
async fn a_person_provisioned_first_signs_in_as_that_record() {
    let provider = Provider::start(&["ec-one"]).await;
    let app = portal_trusting(&provider).await;
    let provisioned = Scim::new(&app)
        .create_user("lee@fabrikam.com", "okta-00u1lee")
        .await;

    let signed_in: Value = me(&app, &provider.token("okta-00u1lee")).await.json();

    assert_eq!(signed_in["id"], provisioned["id"]);
    assert_eq!(signed_in["userPrincipalName"], "lee@fabrikam.com");
}
