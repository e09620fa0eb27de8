//! Where the API is. The app is served by the server that also answers the API, so the
//! default is the same origin.

/// The base of every API call.
pub fn api_base() -> &'static str {
    portal_api::API_PREFIX
}
