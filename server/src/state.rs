//! What every handler can reach: the database and the configuration.

use std::sync::Arc;

use crate::auth::Tokens;
use crate::config::Config;
use crate::store::Db;

/// Shared by all handlers through `State<AppState>`; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub tokens: Arc<Tokens>,
}
