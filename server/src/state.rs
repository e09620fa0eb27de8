//! What every handler can reach: the database, the configuration, the token issuers and the
//! clock.

use std::sync::Arc;

use crate::auth::Tokens;
use crate::config::Config;
use crate::domain::Clock;
use crate::domain::notifications::{Links, Outgoing};
use crate::store::Db;

/// Shared by all handlers through `State<AppState>`; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub tokens: Arc<Tokens>,
    /// Every rule that depends on the time asks this clock, so tests can move it.
    pub clock: Clock,
}

impl AppState {
    /// Links into the portal, for emails.
    pub fn links(&self) -> Links {
        Links::new(&self.config.public_url())
    }

    /// How the emails a new request causes are written.
    pub fn outgoing(&self) -> Outgoing {
        Outgoing {
            links: self.links(),
            approval_emails_per_hour: self.config.approval_emails_per_hour,
        }
    }
}
