//! Sign-in with the company's OpenID Provider: its bearer tokens are checked as JWTs against
//! the keys it publishes (found through its discovery document), and say who is calling.
//!
//! Only asymmetric signatures are accepted (RS256, PS256, ES256, EdDSA), so neither
//! `alg: none` nor an HS256 token "signed" with the provider's public key gets in.

pub mod flags;
pub mod identity;
pub mod keys;

use std::time::{Duration, Instant};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::{Mutex, OnceCell, RwLock};

pub use self::identity::{Identity, Settings as ClaimSettings};
use self::keys::{KeyCache, Lookup};

/// The signature algorithms a token may use.
pub const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
];

/// How far `exp` and `nbf` may be off, for clocks that disagree a little.
const LEEWAY_SECONDS: u64 = 60;

/// How long a call to the provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server needs to know about the provider.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The issuer exactly as its tokens' `iss` spell it.
    pub issuer: String,
    /// The `aud` values a token may carry (the client id, or the API's own audience).
    pub audiences: Vec<String>,
    pub claims: ClaimSettings,
}

/// Why a token was not accepted.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The token is not valid; the sentence says why.
    #[error("The bearer token {0}; sign in again.")]
    Invalid(String),
    /// The provider's keys could not be fetched.
    #[error(
        "The identity provider cannot be reached to check your sign-in ({0}); try again shortly."
    )]
    ProviderUnreachable(String),
}

/// The parts of the discovery document the server uses.
#[derive(Debug, Deserialize)]
struct Metadata {
    issuer: String,
    jwks_uri: String,
}

/// One OpenID Provider, with its keys cached.
pub struct Provider {
    settings: Settings,
    http: reqwest::Client,
    metadata: OnceCell<Metadata>,
    keys: RwLock<KeyCache>,
    /// Held while fetching keys, so that many tokens naming a new key cause one fetch.
    fetching: Mutex<()>,
}

impl Provider {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .build()?;
        Ok(Self {
            settings,
            http,
            metadata: OnceCell::new(),
            keys: RwLock::new(KeyCache::default()),
            fetching: Mutex::new(()),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// Who `token` speaks for, with the keys already at hand; `None` when they do not settle
    /// it (not fetched yet, or a key the cache lacks). Never waits.
    pub fn verify_cached(&self, token: &str) -> Option<Identity> {
        let (header_alg, kid) = header(token).ok()?;
        let keys = self.keys.try_read().ok()?;
        match keys.lookup(kid.as_deref(), Instant::now()) {
            Lookup::Found(jwk) => self.check(token, jwk, header_alg).ok(),
            _ => None,
        }
    }

    /// Who `token` speaks for, fetching the provider's keys when they are not at hand or the
    /// token names a key they lack.
    pub async fn verify(&self, token: &str) -> Result<Identity, Refusal> {
        let (alg, kid) = header(token)?;
        // Two rounds: the keys as they are, then after one fetch.
        for _ in 0..2 {
            let fetch = {
                let keys = self.keys.read().await;
                match keys.lookup(kid.as_deref(), Instant::now()) {
                    Lookup::Found(jwk) => return self.check(token, jwk, alg),
                    Lookup::NotLoaded => false,
                    Lookup::FetchAgain => true,
                    Lookup::Unknown => break,
                }
            };
            self.fetch_keys(fetch).await?;
        }
        Err(Refusal::Invalid(
            "is signed with a key the identity provider does not publish".to_owned(),
        ))
    }

    /// Fetch the key set; `refetch` says an unknown key id caused it.
    async fn fetch_keys(&self, refetch: bool) -> Result<(), Refusal> {
        let _one_at_a_time = self.fetching.lock().await;
        let now = Instant::now();
        // Another caller may have fetched while this one waited.
        if !refetch && !matches!(self.keys.read().await.lookup(None, now), Lookup::NotLoaded) {
            return Ok(());
        }
        let metadata = self.metadata.get_or_try_init(|| self.discover()).await?;
        let keys: JwkSet = self.get_json(&metadata.jwks_uri).await?;
        self.keys.write().await.store(keys, refetch, now);
        Ok(())
    }

    /// The discovery document, whose `issuer` must be the configured one exactly.
    async fn discover(&self) -> Result<Metadata, Refusal> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let metadata: Metadata = self.get_json(&url).await?;
        if metadata.issuer != self.settings.issuer {
            return Err(Refusal::ProviderUnreachable(format!(
                "its discovery document names the issuer {}, not {}",
                metadata.issuer, self.settings.issuer
            )));
        }
        Ok(metadata)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, Refusal> {
        let unreachable = |err: reqwest::Error| {
            tracing::warn!(%url, error = %err, "cannot fetch from the identity provider");
            Refusal::ProviderUnreachable(format!("{url} did not answer as expected"))
        };
        self.http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unreachable)?
            .json()
            .await
            .map_err(unreachable)
    }

    /// Check `token`'s signature with `jwk`, then its issuer, audience and times.
    fn check(&self, token: &str, jwk: &Jwk, alg: Algorithm) -> Result<Identity, Refusal> {
        if jwk
            .common
            .key_algorithm
            .is_some_and(|a| a.to_string().parse::<Algorithm>().ok() != Some(alg))
        {
            return Err(invalid("names a signature algorithm its key is not for"));
        }
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|_| invalid("is signed with a key the portal cannot read"))?;
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&self.settings.audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|err| {
                invalid(match err.kind() {
                    ErrorKind::ExpiredSignature => "has expired",
                    ErrorKind::ImmatureSignature => "is not valid yet",
                    ErrorKind::InvalidAudience => "is meant for another application",
                    ErrorKind::InvalidIssuer => "comes from another issuer",
                    ErrorKind::InvalidSignature => "has a signature that does not match",
                    ErrorKind::MissingRequiredClaim(_) => "lacks exp, iss or aud",
                    _ => "is not valid",
                })
            })?
            .claims;
        identity::identity(&claims, &self.settings.claims).map_err(Refusal::Invalid)
    }
}

/// The algorithm and key id a token's header names; only the accepted algorithms pass.
fn header(token: &str) -> Result<(Algorithm, Option<String>), Refusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("is not valid"))?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(Refusal::Invalid(format!(
            "is signed with {:?}; the portal accepts RS256, PS256, ES256 and EdDSA",
            header.alg
        )));
    }
    Ok((header.alg, header.kid))
}

fn invalid(why: &str) -> Refusal {
    Refusal::Invalid(why.to_owned())
}
