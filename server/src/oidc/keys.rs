//! The provider's signing keys (its JWKS), cached, and fetched again when a token names a key
//! the cache does not have — at most once per floor, so that tokens with made-up key ids cannot
//! make the server hammer the provider.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};

/// The least time between two fetches caused by an unknown key id.
pub const REFETCH_FLOOR: Duration = Duration::from_secs(30);

/// The keys last fetched, and when.
#[derive(Default)]
pub struct KeyCache {
    keys: Option<JwkSet>,
    /// When a fetch was last caused by an unknown key id; the first load does not count.
    last_refetch: Option<Instant>,
}

/// What the cache can say about the key a token names.
#[derive(Debug, PartialEq)]
pub enum Lookup<'a> {
    Found(&'a Jwk),
    /// No keys yet: fetch them.
    NotLoaded,
    /// The keys do not have it, and a fetch may find it.
    FetchAgain,
    /// The keys do not have it, and the floor forbids fetching again so soon.
    Unknown,
}

impl KeyCache {
    /// The key a token's header names. A token without `kid` may use the only key there is.
    pub fn lookup(&self, kid: Option<&str>, now: Instant) -> Lookup<'_> {
        let Some(keys) = &self.keys else {
            return Lookup::NotLoaded;
        };
        let found = match kid {
            Some(kid) => keys.find(kid),
            None if keys.keys.len() == 1 => keys.keys.first(),
            None => None,
        };
        match found {
            Some(jwk) => Lookup::Found(jwk),
            None if kid.is_some() && self.may_refetch(now) => Lookup::FetchAgain,
            None => Lookup::Unknown,
        }
    }

    fn may_refetch(&self, now: Instant) -> bool {
        self.last_refetch
            .is_none_or(|at| now.saturating_duration_since(at) >= REFETCH_FLOOR)
    }

    /// Keep `keys`, the signing keys among them; `refetch` says the fetch was caused by an
    /// unknown key id (and so counts against the floor).
    pub fn store(&mut self, keys: JwkSet, refetch: bool, now: Instant) {
        let signing = keys.keys.into_iter().filter(is_asymmetric).collect();
        self.keys = Some(JwkSet { keys: signing });
        if refetch {
            self.last_refetch = Some(now);
        }
    }
}

/// Only public keys of asymmetric algorithms: a symmetric (`oct`) key in a published key set
/// would let anyone who read it sign tokens.
fn is_asymmetric(jwk: &Jwk) -> bool {
    !matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(json: &str) -> JwkSet {
        serde_json::from_str(json).unwrap()
    }

    const ONE_RSA_KEY: &str = r#"{"keys":[{"kty":"RSA","kid":"one","n":"sXch","e":"AQAB"}]}"#;
    const TWO_RSA_KEYS: &str = r#"{"keys":[{"kty":"RSA","kid":"one","n":"sXch","e":"AQAB"},
        {"kty":"RSA","kid":"two","n":"sXch","e":"AQAB"}]}"#;

    #[test]
    fn nothing_is_found_before_the_keys_are_loaded() {
        let cache = KeyCache::default();
        assert_eq!(cache.lookup(Some("one"), Instant::now()), Lookup::NotLoaded);
    }

    #[test]
    fn a_key_is_found_by_its_id_and_a_token_without_one_uses_the_only_key() {
        let now = Instant::now();
        let mut cache = KeyCache::default();
        cache.store(keys(ONE_RSA_KEY), false, now);
        assert!(
            matches!(cache.lookup(Some("one"), now), Lookup::Found(k) if k.common.key_id.as_deref() == Some("one"))
        );
        assert!(matches!(cache.lookup(None, now), Lookup::Found(_)));

        cache.store(keys(TWO_RSA_KEYS), false, now);
        assert_eq!(cache.lookup(None, now), Lookup::Unknown);
    }

    #[test]
    fn an_unknown_key_id_fetches_again_at_most_once_per_floor() {
        let start = Instant::now();
        let mut cache = KeyCache::default();
        cache.store(keys(ONE_RSA_KEY), false, start);
        // The first load does not count: a rotation right after start is picked up.
        assert_eq!(cache.lookup(Some("new"), start), Lookup::FetchAgain);

        cache.store(keys(ONE_RSA_KEY), true, start);
        assert_eq!(
            cache.lookup(Some("new"), start + Duration::from_secs(1)),
            Lookup::Unknown
        );
        assert_eq!(
            cache.lookup(Some("new"), start + REFETCH_FLOOR),
            Lookup::FetchAgain
        );
    }

    #[test]
    fn symmetric_keys_in_a_published_key_set_are_never_used() {
        let now = Instant::now();
        let mut cache = KeyCache::default();
        cache.store(
            keys(r#"{"keys":[{"kty":"oct","kid":"shared","k":"c2VjcmV0"}]}"#),
            false,
            now,
        );
        assert!(!matches!(
            cache.lookup(Some("shared"), now),
            Lookup::Found(_)
        ));
    }
}
