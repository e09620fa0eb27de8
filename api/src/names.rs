//! Enums that travel and are stored by name (`pendingApproval`, `userExtend`, `site`): each
//! name is spelled once, here, for the JSON (held to serde's by tests), the database and the
//! query strings; a name that is none of them is an error that says so, never a default.

use std::fmt;

/// A name that is not one of an enum's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What kind of name it should have been: "request state".
    pub kind: &'static str,
    pub name: String,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a {}", self.name, self.kind)
    }
}

impl std::error::Error for UnknownName {}

/// `as_str`, `FromStr`, `TryFrom<String>` (for reading database rows) and `NAMED` (every
/// variant) for an enum, from one list of names.
macro_rules! named {
    ($ty:ident, $kind:literal, { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in the order of the names.
            pub const NAMED: &'static [$ty] = &[$($ty::$variant),+];

            /// The name on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::names::UnknownName;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $($name => Ok($ty::$variant),)+
                    _ => Err($crate::names::UnknownName {
                        kind: $kind,
                        name: name.to_owned(),
                    }),
                }
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::names::UnknownName;

            fn try_from(name: String) -> Result<Self, Self::Error> {
                name.parse()
            }
        }
    };
}

use crate::{
    AssignmentState, FulfilmentState, RequestState, RequestType, ResourceKind, StageStatus,
};

named!(RequestType, "request type", { UserAdd = "userAdd", UserExtend = "userExtend" });

named!(RequestState, "request state", {
    Submitted = "submitted",
    PendingApproval = "pendingApproval",
    Scheduled = "scheduled",
    Delivered = "delivered",
    Denied = "denied",
    Canceled = "canceled",
    Expired = "expired",
});

named!(FulfilmentState, "fulfilment state", {
    Delivering = "delivering",
    Delivered = "delivered",
    PartiallyDelivered = "partiallyDelivered",
    DeliveryFailed = "deliveryFailed",
});

named!(StageStatus, "stage status", {
    NotStarted = "notStarted",
    Pending = "pending",
    Approved = "approved",
    Denied = "denied",
    Skipped = "skipped",
});

named!(AssignmentState, "assignment state", {
    Delivered = "delivered",
    Expired = "expired",
    Revoked = "revoked",
});

named!(ResourceKind, "resource type", {
    Group = "group",
    Application = "application",
    Site = "site",
});

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    fn agrees_with_serde<
        T: Serialize + Copy + std::str::FromStr<Err = UnknownName> + PartialEq + fmt::Debug,
    >(
        every: &[T],
        as_str: fn(T) -> &'static str,
    ) {
        for &value in every {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{}\"", as_str(value)));
            assert_eq!(as_str(value).parse::<T>(), Ok(value));
        }
    }

    #[test]
    fn every_name_is_the_one_serde_writes_and_reads_back() {
        agrees_with_serde(RequestType::NAMED, RequestType::as_str);
        agrees_with_serde(RequestState::NAMED, RequestState::as_str);
        agrees_with_serde(StageStatus::NAMED, StageStatus::as_str);
        agrees_with_serde(FulfilmentState::NAMED, FulfilmentState::as_str);
        agrees_with_serde(AssignmentState::NAMED, AssignmentState::as_str);
        agrees_with_serde(ResourceKind::NAMED, ResourceKind::as_str);
    }

    #[test]
    fn an_unknown_name_is_an_error_that_names_it() {
        let err = "approvedish".parse::<RequestState>().unwrap_err();
        assert_eq!(err.to_string(), "\"approvedish\" is not a request state");
    }
}
