//! `/scim/v2/Groups`: what makes groups a SCIM resource type. Membership decides who may
//! request under policies scoped to a group, at the moment they request.

use serde_json::Value;

use super::resource::Resource;
use crate::scim::schema::{GroupInput, GroupRecord, InvalidValue, group_input, group_json};
use crate::state::AppState;
use crate::store::scim::{self as store, GroupAttr, Window, Written};

/// The groups the identity provider keeps.
pub struct Groups;

impl Resource for Groups {
    const NAME: &'static str = "group";
    const FILTERABLE: &'static str = "id, externalId and displayName";
    type Attr = GroupAttr;
    type Record = GroupRecord;
    type Input = GroupInput;

    fn attr(name: &str) -> Option<GroupAttr> {
        match name {
            "id" => Some(GroupAttr::Id),
            "externalid" => Some(GroupAttr::ExternalId),
            "displayname" => Some(GroupAttr::DisplayName),
            _ => None,
        }
    }

    fn json(record: &GroupRecord, base: &str) -> Value {
        group_json(record, base)
    }

    fn input(json: &Value) -> Result<GroupInput, InvalidValue> {
        group_input(json)
    }

    async fn find(
        state: &AppState,
        conditions: &[(GroupAttr, String)],
        window: Window,
    ) -> sqlx::Result<(u64, Vec<GroupRecord>)> {
        store::groups(&state.db, conditions, window).await
    }

    async fn one(state: &AppState, id: &str) -> sqlx::Result<Option<GroupRecord>> {
        store::group(&state.db, id).await
    }

    async fn create(state: &AppState, input: &GroupInput) -> sqlx::Result<Written<GroupRecord>> {
        store::create_group(&state.db, input).await
    }

    async fn replace(
        state: &AppState,
        id: &str,
        input: &GroupInput,
    ) -> sqlx::Result<Written<GroupRecord>> {
        store::replace_group(&state.db, id, input).await
    }

    async fn delete(state: &AppState, id: &str) -> sqlx::Result<bool> {
        store::delete_group(&state.db, id).await
    }
}
