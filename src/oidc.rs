//! OpenID Connect sign-in in the browser: the authorization code flow with PKCE (S256) against
//! the provider `config.json` names, found through its discovery document; the answer checked
//! (`state`, the id token's `nonce`) and the tokens kept for the tab (sessionStorage, never
//! localStorage); the access token renewed before it expires; and sign-out at the provider.
//!
//! The page the user was on (path, query and, embedded, the route in the fragment) is kept
//! with the sign-in's `state`, so a deep link opened signed out comes back to itself. The API
//! checks every token's signature; the app only reads the id token's payload for its `nonce`.

use std::cell::RefCell;
use std::time::Duration;

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::config::{self, Oidc};
use crate::json;
use crate::session;

/// The sign-in under way: what the answer must match, and where to return.
const PENDING_KEY: &str = "access-portal.oidc.pending";
/// The tokens of the signed-in user.
const TOKENS_KEY: &str = "access-portal.oidc.tokens";
/// Asked for when `config.json` names no scopes: a refresh token comes with `offline_access`.
const DEFAULT_SCOPES: &str = "openid profile email offline_access";

thread_local! {
    // Why the last sign-in failed, for the sign-in screen (set before the app is mounted).
    static FAILURE: RefCell<Option<SignInError>> = const { RefCell::new(None) };
}

/// Why signing in did not work, said to the user with what to do next.
#[derive(Debug, Clone, PartialEq)]
pub enum SignInError {
    /// The provider (its discovery document or token endpoint) did not answer.
    Unreachable { provider: String },
    /// The provider answered with an OAuth error (`access_denied`, `invalid_client`, …).
    Refused {
        provider: String,
        /// The client id the portal is configured with, for the person to pass on to IT.
        client_id: String,
        error: String,
        description: Option<String>,
    },
    /// The user came back from the provider without an answer (Back from its own error page,
    /// which is how a provider answers an unknown client id, or from its login page).
    CameBack { provider: String, client_id: String },
    /// The answer is not the one for the sign-in this tab started (`state` or `nonce`).
    Unexpected,
    /// The portal's own server did not accept the new token.
    Portal(String),
}

impl SignInError {
    /// What went wrong, in a sentence or two for the user.
    pub fn message(&self) -> String {
        match self {
            Self::Unreachable { provider } => format!(
                "The sign-in service at {provider} cannot be reached. Check your connection and \
                 try again; if it stays down, tell your IT help desk."
            ),
            Self::Refused {
                provider,
                client_id,
                error,
                description,
            } => {
                let why = description
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                match error.as_str() {
                    "access_denied" => {
                        format!("Sign-in was cancelled or refused at {provider}{why}.")
                    }
                    "invalid_client"
                    | "unauthorized_client"
                    | "unauthorized_client_id"
                    | "invalid_request" => format!(
                        "This portal is not registered at {provider} as it is configured \
                         (client id \u{201c}{client_id}\u{201d}){why}. Tell your IT help desk: \
                         the portal must be registered there under that client id, with this \
                         page's address as a redirect URI."
                    ),
                    "login_required" | "interaction_required" | "consent_required" => {
                        format!("{provider} needs you to sign in again{why}.")
                    }
                    _ => format!("{provider} refused the sign-in: {error}{why}."),
                }
            }
            Self::CameBack {
                provider,
                client_id,
            } => format!(
                "You came back from {provider} before signing in. If it showed an error such \
                 as an unknown or invalid client, this portal is not registered there as it is \
                 configured (client id \u{201c}{client_id}\u{201d}): tell your IT help desk."
            ),
            Self::Unexpected => "This sign-in answer does not belong to a sign-in started in \
                                 this tab (it may be old, or from another tab). Sign in again."
                .to_owned(),
            Self::Portal(message) => message.clone(),
        }
    }
}

/// The name of the provider people are sent to: `providerName` from `config.json`, or the
/// issuer's host.
pub fn provider_name(oidc: &Oidc) -> String {
    if let Some(name) = oidc.provider_name.as_ref().filter(|n| !n.trim().is_empty()) {
        return name.clone();
    }
    web_sys::Url::new(&oidc.issuer)
        .map(|u| u.host())
        .unwrap_or_else(|_| oidc.issuer.clone())
}

/// Why the last sign-in failed, if it did; read once.
pub fn take_failure() -> Option<SignInError> {
    FAILURE.with(|f| f.borrow_mut().take())
}

/// If this tab went to the provider and is back without its answer (Back from the
/// provider's page), say so; the sign-in it started is forgotten, so a new one starts clean.
pub fn came_back_without_answer(oidc: &Oidc) -> Option<SignInError> {
    let pending = read::<Pending>(PENDING_KEY);
    // Forgotten also when it cannot be read (an older build's), so no start waits for it.
    if let Some(storage) = storage() {
        let _ = storage.remove_item(PENDING_KEY);
    }
    pending?;
    Some(SignInError::CameBack {
        provider: provider_name(oidc),
        client_id: oidc.client_id.clone(),
    })
}

/// At start, before the app is mounted: finish a sign-in the provider sent the user back
/// from (the page the user was on is put back in the address first), and keep the tokens of
/// a signed-in user fresh. Failures are kept for the sign-in screen.
pub async fn start(config: &config::RuntimeConfig) {
    let Some(oidc) = &config.oidc else { return };
    // Only a tab that went to the provider has a sign-in to finish (or to say it came back
    // without one); any other start leaves the code that finishes one unfetched.
    if is_stored(PENDING_KEY)
        && let Err(err) = at_provider(oidc.clone(), AtProvider::FinishSignIn).await
    {
        FAILURE.with(|f| *f.borrow_mut() = Some(err));
    }
    schedule_renewal(oidc.clone());
}

/// Send the user to the provider to sign in; they come back to the page they are on now.
/// Returns only when that cannot start (the provider cannot be reached).
pub async fn sign_in(oidc: Oidc) -> Result<(), SignInError> {
    at_provider(oidc, AtProvider::SignIn).await
}

/// What the app does with the provider, each a round trip there.
enum AtProvider {
    SignIn,
    FinishSignIn,
    Renew(Tokens),
    EndSession { id_token: Option<String> },
}

/// The round trips to the provider: in the split build a chunk of their own, fetched when one
/// is made, which a signed-in visit with a fresh token never does.
#[cfg_attr(feature = "split", leptos::lazy(provider))]
async fn at_provider(oidc: Oidc, step: AtProvider) -> Result<(), SignInError> {
    match step {
        AtProvider::SignIn => go_to_provider(&oidc).await,
        AtProvider::FinishSignIn => finish_sign_in(&oidc).await,
        AtProvider::Renew(tokens) => {
            renew(oidc, &tokens).await;
            Ok(())
        }
        AtProvider::EndSession { id_token } => {
            end_session(&oidc, id_token).await;
            Ok(())
        }
    }
}

async fn go_to_provider(oidc: &Oidc) -> Result<(), SignInError> {
    let discovery = discover(oidc).await?;
    let verifier = random_text(32);
    let pending = Pending {
        state: random_text(16),
        nonce: random_text(16),
        challenge_of: verifier.clone(),
        redirect_uri: redirect_uri(),
        return_to: here(),
    };
    let challenge = base64url(&sha256(&verifier).await.ok_or(SignInError::Unexpected)?);
    let url =
        web_sys::Url::new(&discovery.authorization_endpoint).map_err(|_| unreachable(oidc))?;
    let query = url.search_params();
    query.set("response_type", "code");
    query.set("client_id", &oidc.client_id);
    query.set("redirect_uri", &pending.redirect_uri);
    query.set("scope", oidc.scopes.as_deref().unwrap_or(DEFAULT_SCOPES));
    query.set("state", &pending.state);
    query.set("nonce", &pending.nonce);
    query.set("code_challenge", &challenge);
    query.set("code_challenge_method", "S256");
    if let Some(resource) = &oidc.resource {
        query.set("resource", resource);
    }
    write(PENDING_KEY, &pending);
    let _ = web_sys::window()
        .ok_or(SignInError::Unexpected)?
        .location()
        .assign(&url.href());
    Ok(())
}

/// Sign out: the tab forgets the user at once (so Back shows no data), and, where the
/// provider offers it, the provider's session ends too and it sends the user back here.
pub async fn sign_out(oidc: Oidc) {
    let id_token = read::<Tokens>(TOKENS_KEY).and_then(|t| t.id_token);
    forget();
    crate::components::request_form::draft::forget_all();
    session::expire();
    let _ = at_provider(oidc, AtProvider::EndSession { id_token }).await;
}

/// Send the user to the provider's end of session, which sends them back here.
async fn end_session(oidc: &Oidc, id_token: Option<String>) {
    let Ok(discovery) = discover(oidc).await else {
        return;
    };
    let Some(end) = discovery
        .end_session_endpoint
        .and_then(|e| web_sys::Url::new(&e).ok())
    else {
        return;
    };
    let query = end.search_params();
    if let Some(hint) = id_token {
        query.set("id_token_hint", &hint);
    }
    query.set("client_id", &oidc.client_id);
    query.set("post_logout_redirect_uri", &redirect_uri());
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(&end.href());
    }
}

/// Forget the tokens and the sign-in under way (the user signs out, or the API refused them).
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(TOKENS_KEY);
        let _ = storage.remove_item(PENDING_KEY);
    }
}

/// The address the provider sends the user back to, which an administrator registers at the
/// provider: the app's folder (`https://portal.contoso.com/`, `https://intranet/access/`,
/// also in a frame), or in the script embed the host page's address without its fragment.
pub fn redirect_uri() -> String {
    if config::embedded()
        && let Some(window) = web_sys::window()
    {
        let location = window.location();
        return format!(
            "{}{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
    }
    config::app_folder()
}

/// What the sign-in under way must match when the provider answers.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    /// The PKCE code verifier, whose SHA-256 was sent as the challenge.
    challenge_of: String,
    redirect_uri: String,
    /// The address (path, query and fragment) to put back once signed in.
    return_to: String,
}

/// The tokens of the signed-in user, and when to renew them.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: Option<String>,
    id_token: Option<String>,
    /// When to renew (milliseconds since the epoch, the browser's clock): well before expiry.
    renew_at: f64,
}

/// The part of the provider's discovery document the app uses.
#[derive(Debug, Deserialize)]
struct Discovery {
    authorization_endpoint: String,
    token_endpoint: String,
    end_session_endpoint: Option<String>,
}

/// A token endpoint's answer (RFC 6749 §5.1).
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    id_token: Option<String>,
    expires_in: Option<f64>,
}

/// An OAuth error answer (RFC 6749 §5.2).
#[derive(Debug, Deserialize)]
struct ErrorAnswer {
    error: String,
    error_description: Option<String>,
}

/// The id token's claims the app checks.
#[derive(Debug, Deserialize)]
struct IdClaims {
    nonce: Option<String>,
}

async fn finish_sign_in(oidc: &Oidc) -> Result<(), SignInError> {
    let Some(window) = web_sys::window() else {
        return Ok(());
    };
    let search = window.location().search().unwrap_or_default();
    let Ok(answer) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Ok(());
    };
    // Not an answer from the provider: nothing to finish, unless this tab went there and is
    // back without one (Back from the provider's own page).
    let Some(state) = answer.get("state") else {
        return came_back_without_answer(oidc).map_or(Ok(()), Err);
    };
    // An answer this tab is not waiting for (a host page's own `?state=`): nothing to finish.
    let Some(pending) = read::<Pending>(PENDING_KEY) else {
        return Ok(());
    };
    if let Some(storage) = storage() {
        let _ = storage.remove_item(PENDING_KEY);
    }
    // The page the user was on, in place of the provider's answer (a reload must not send
    // the code again), before the router reads the address.
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&pending.return_to));
    }
    if state != pending.state {
        return Err(SignInError::Unexpected);
    }
    if let Some(error) = answer.get("error") {
        return Err(SignInError::Refused {
            provider: provider_name(oidc),
            client_id: oidc.client_id.clone(),
            error,
            description: answer.get("error_description"),
        });
    }
    let code = answer.get("code").ok_or(SignInError::Unexpected)?;
    let discovery = discover(oidc).await?;
    let form = web_sys::UrlSearchParams::new().map_err(|_| SignInError::Unexpected)?;
    form.append("grant_type", "authorization_code");
    form.append("code", &code);
    form.append("redirect_uri", &pending.redirect_uri);
    form.append("client_id", &oidc.client_id);
    form.append("code_verifier", &pending.challenge_of);
    let tokens = token_call(oidc, &discovery, form).await?;
    let claims = tokens
        .id_token
        .as_deref()
        .and_then(payload::<IdClaims>)
        .ok_or(SignInError::Unexpected)?;
    if claims.nonce.as_deref() != Some(pending.nonce.as_str()) {
        return Err(SignInError::Unexpected);
    }
    let user = crate::api::me_as(&tokens.access_token)
        .await
        .map_err(|err| SignInError::Portal(err.message()))?;
    session::store(tokens.access_token.clone(), user);
    write(TOKENS_KEY, &keep(tokens, None));
    Ok(())
}

/// Renew the access token shortly before it expires: with the refresh token where there is
/// one (the provider may rotate it), else by a new round trip to the provider, which signs
/// the user in again without a prompt while its own session lasts (drafts are kept).
fn schedule_renewal(oidc: Oidc) {
    let Some(tokens) = read::<Tokens>(TOKENS_KEY) else {
        return;
    };
    let wait = (tokens.renew_at - js_sys::Date::now()).max(0.0);
    leptos::prelude::set_timeout(
        move || {
            wasm_bindgen_futures::spawn_local(async move {
                // Signed out (or signed in again) since: this timer is not the current one.
                let current = read::<Tokens>(TOKENS_KEY);
                if current.as_ref().map(|t| &t.access_token) != Some(&tokens.access_token) {
                    return;
                }
                let _ = at_provider(oidc, AtProvider::Renew(tokens)).await;
            });
        },
        Duration::from_millis(wait as u64),
    );
}

/// Renew now, and schedule the next renewal; when the provider does not renew, sign in
/// again.
async fn renew(oidc: Oidc, tokens: &Tokens) {
    match refresh(&oidc, tokens).await {
        Ok(()) => schedule_renewal(oidc),
        Err(_) => {
            let _ = go_to_provider(&oidc).await;
        }
    }
}

async fn refresh(oidc: &Oidc, tokens: &Tokens) -> Result<(), SignInError> {
    let refresh = tokens
        .refresh_token
        .as_deref()
        .ok_or(SignInError::Unexpected)?;
    let discovery = discover(oidc).await?;
    let form = web_sys::UrlSearchParams::new().map_err(|_| SignInError::Unexpected)?;
    form.append("grant_type", "refresh_token");
    form.append("refresh_token", refresh);
    form.append("client_id", &oidc.client_id);
    let renewed = token_call(oidc, &discovery, form).await?;
    session::replace_token(renewed.access_token.clone());
    write(TOKENS_KEY, &keep(renewed, Some(tokens)));
    Ok(())
}

/// The tokens to keep from an answer; a refresh answer may leave out the id token or the
/// refresh token (no rotation), and the earlier ones stay.
fn keep(answer: TokenAnswer, earlier: Option<&Tokens>) -> Tokens {
    // Renew when four fifths of the lifetime have passed, and at least a little after now.
    let lifetime_ms = answer.expires_in.unwrap_or(300.0).max(10.0) * 1000.0;
    Tokens {
        renew_at: js_sys::Date::now() + lifetime_ms * 0.8,
        refresh_token: answer
            .refresh_token
            .or_else(|| earlier.and_then(|t| t.refresh_token.clone())),
        id_token: answer
            .id_token
            .or_else(|| earlier.and_then(|t| t.id_token.clone())),
        access_token: answer.access_token,
    }
}

async fn discover(oidc: &Oidc) -> Result<Discovery, SignInError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        oidc.issuer.trim_end_matches('/')
    );
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|_| unreachable(oidc))?;
    if !response.ok() {
        return Err(unreachable(oidc));
    }
    answer_of(response).await.ok_or_else(|| unreachable(oidc))
}

/// A form POST to the token endpoint; the provider's error in its own words.
async fn token_call(
    oidc: &Oidc,
    discovery: &Discovery,
    form: web_sys::UrlSearchParams,
) -> Result<TokenAnswer, SignInError> {
    // A URLSearchParams body is sent as application/x-www-form-urlencoded.
    let response = Request::post(&discovery.token_endpoint)
        .header("Accept", "application/json")
        .body(form)
        .map_err(|_| SignInError::Unexpected)?
        .send()
        .await
        .map_err(|_| unreachable(oidc))?;
    if response.ok() {
        return answer_of(response).await.ok_or_else(|| unreachable(oidc));
    }
    match answer_of::<ErrorAnswer>(response).await {
        Some(err) => Err(SignInError::Refused {
            provider: provider_name(oidc),
            client_id: oidc.client_id.clone(),
            error: err.error,
            description: err.error_description,
        }),
        None => Err(unreachable(oidc)),
    }
}

fn unreachable(oidc: &Oidc) -> SignInError {
    SignInError::Unreachable {
        provider: provider_name(oidc),
    }
}

/// The address the user is on: path, query and fragment (the script embed's route).
fn here() -> String {
    let Some(window) = web_sys::window() else {
        return "/".to_owned();
    };
    let location = window.location();
    format!(
        "{}{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default(),
        location.hash().unwrap_or_default()
    )
}

/// `bytes` random bytes from the browser's CSPRNG, as base64url text.
fn random_text(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut buffer);
    }
    base64url(&buffer)
}

/// SHA-256 of `text`, by the browser's SubtleCrypto.
async fn sha256(text: &str) -> Option<Vec<u8>> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let promise = subtle
        .digest_with_str_and_u8_array("SHA-256", text.as_bytes())
        .ok()?;
    let digest = JsFuture::from(promise).await.ok()?;
    Some(js_sys::Uint8Array::new(&digest).to_vec())
}

/// base64url without padding (RFC 4648 §5), by the browser's `btoa`.
fn base64url(bytes: &[u8]) -> String {
    let binary: String = bytes.iter().map(|&b| char::from(b)).collect();
    let base64 = web_sys::window()
        .and_then(|w| w.btoa(&binary).ok())
        .unwrap_or_default();
    base64
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// The payload of a JWT, read without checking its signature (the API checks that).
fn payload<T: DeserializeOwned>(jwt: &str) -> Option<T> {
    let part = jwt.split('.').nth(1)?;
    let mut base64 = part.replace('-', "+").replace('_', "/");
    while base64.len() % 4 != 0 {
        base64.push('=');
    }
    let binary = web_sys::window()?.atob(&base64).ok()?;
    let bytes: Vec<u8> = binary.chars().map(|c| c as u8).collect();
    json::from_str(&String::from_utf8(bytes).ok()?).ok()
}

/// The provider's JSON answer.
async fn answer_of<T: DeserializeOwned>(response: gloo_net::http::Response) -> Option<T> {
    json::from_str(&response.text().await.ok()?).ok()
}

/// Whether the tab keeps something under `key`, not read: reading it takes code that the
/// start of a signed-in visit does not otherwise need.
fn is_stored(key: &str) -> bool {
    storage().is_some_and(|s| s.get_item(key).ok().flatten().is_some())
}

fn read<T: DeserializeOwned>(key: &str) -> Option<T> {
    json::from_str(&storage()?.get_item(key).ok()??).ok()
}

fn write<T: Serialize>(key: &str, value: &T) {
    if let (Some(storage), Some(text)) = (storage(), json::to_string(value)) {
        let _ = storage.set_item(key, &text);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}
