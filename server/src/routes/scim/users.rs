//! `/scim/v2/Users`: what makes users a SCIM resource type. Deactivating or deleting a user,
//! or changing their manager, changes their requests and access in the same transaction
//! (see `store::scim`).

use serde_json::Value;

use super::resource::Resource;
use crate::scim::schema::{InvalidValue, UserInput, UserRecord, user_input, user_json};
use crate::state::AppState;
use crate::store::scim::{self as store, Moment, UserAttr, Window, Written};

/// The users the identity provider keeps.
pub struct Users;

impl Resource for Users {
    const NAME: &'static str = "user";
    const FILTERABLE: &'static str = "id, userName, externalId and displayName";
    type Attr = UserAttr;
    type Record = UserRecord;
    type Input = UserInput;

    fn attr(name: &str) -> Option<UserAttr> {
        match name {
            "id" => Some(UserAttr::Id),
            "username" => Some(UserAttr::UserName),
            "externalid" => Some(UserAttr::ExternalId),
            "displayname" => Some(UserAttr::DisplayName),
            _ => None,
        }
    }

    fn json(record: &UserRecord, base: &str) -> Value {
        user_json(record, base)
    }

    fn input(json: &Value) -> Result<UserInput, InvalidValue> {
        user_input(json)
    }

    async fn find(
        state: &AppState,
        conditions: &[(UserAttr, String)],
        window: Window,
    ) -> sqlx::Result<(u64, Vec<UserRecord>)> {
        store::users(&state.db, conditions, window).await
    }

    async fn one(state: &AppState, id: &str) -> sqlx::Result<Option<UserRecord>> {
        store::user(&state.db, id).await
    }

    async fn create(state: &AppState, input: &UserInput) -> sqlx::Result<Written<UserRecord>> {
        store::create_user(&state.db, input).await
    }

    async fn replace(
        state: &AppState,
        id: &str,
        input: &UserInput,
    ) -> sqlx::Result<Written<UserRecord>> {
        let links = state.links();
        let at = Moment {
            now: state.clock.now(),
            links: &links,
        };
        store::replace_user(&state.db, id, input, at).await
    }

    async fn delete(state: &AppState, id: &str) -> sqlx::Result<bool> {
        let links = state.links();
        let at = Moment {
            now: state.clock.now(),
            links: &links,
        };
        store::delete_user(&state.db, id, at).await
    }
}
