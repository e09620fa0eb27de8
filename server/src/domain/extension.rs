//! When an assignment may be extended, and to when: only where its policy allows it, only
//! within `EXTENSION_WINDOW_DAYS` of its end, and by as long as the policy grants access.

use chrono::{DateTime, TimeDelta, Utc};
use portal_api::{AssignmentState, EXTENSION_WINDOW_DAYS, Expiration};

use super::clock;
use super::lifecycle::Refusal;

/// An assignment and its policy, as the rules for extending it see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionView {
    pub package_name: String,
    pub state: AssignmentState,
    pub end: Option<DateTime<Utc>>,
    pub allow_extension: bool,
    pub expiration: Expiration,
}

/// How long before its end an assignment may be extended.
pub fn window() -> TimeDelta {
    TimeDelta::days(i64::from(EXTENSION_WINDOW_DAYS))
}

/// The first moment an extension may be asked for; `None` when the assignment can never be
/// extended (its policy does not allow it, it does not end, or it already ends on the
/// policy's last day).
pub fn extendable_from(view: &ExtensionView) -> Option<DateTime<Utc>> {
    if !view.allow_extension || view.state != AssignmentState::Delivered {
        return None;
    }
    let end = view.end?;
    if let Expiration::AfterDateTime { end_date_time } = &view.expiration
        && clock::parse(end_date_time).is_none_or(|last| last <= end)
    {
        return None;
    }
    Some(end - window())
}

/// Whether the assignment may be extended at `now`, and its new end if so (`None`: it no
/// longer ends, because its policy no longer sets an end).
pub fn check_extension(
    view: &ExtensionView,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Refusal> {
    let name = &view.package_name;
    if view.state != AssignmentState::Delivered {
        return Err(Refusal::Conflict(format!(
            "Your access to {name} has {}; request the package again instead.",
            match view.state {
                AssignmentState::Revoked => "been removed",
                _ => "expired",
            }
        )));
    }
    if !view.allow_extension {
        return Err(Refusal::Forbidden(format!(
            "The policy of your access to {name} does not allow extending it; request the \
             package again once it has ended."
        )));
    }
    let Some(end) = view.end else {
        return Err(Refusal::Conflict(format!(
            "Your access to {name} does not expire, so there is nothing to extend."
        )));
    };
    let from = end - window();
    if now < from {
        return Err(Refusal::Conflict(format!(
            "Your access to {name} ends on {}; you can ask to extend it from {} on, \
             {EXTENSION_WINDOW_DAYS} days before it ends.",
            clock::format(end),
            clock::format(from)
        )));
    }
    match &view.expiration {
        Expiration::NoExpiration => Ok(None),
        Expiration::AfterDuration { duration_days } => {
            Ok(Some(end + TimeDelta::days(i64::from(*duration_days))))
        }
        Expiration::AfterDateTime { end_date_time } => match clock::parse(end_date_time) {
            Some(last) if last > end => Ok(Some(last)),
            _ => Err(Refusal::Conflict(format!(
                "The policy of your access to {name} ends all access on {end_date_time}; it \
                 cannot be extended beyond that."
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        clock::parse(text).expect("a time")
    }

    fn sixty_days_ending(end: &str) -> ExtensionView {
        ExtensionView {
            package_name: "Sales CRM".into(),
            state: AssignmentState::Delivered,
            end: Some(at(end)),
            allow_extension: true,
            expiration: Expiration::AfterDuration { duration_days: 60 },
        }
    }

    #[test]
    fn within_fourteen_days_of_its_end_access_extends_by_the_policys_duration() {
        let view = sixty_days_ending("2026-12-31T00:00:00Z");
        let new_end = check_extension(&view, at("2026-12-20T00:00:00Z"));
        assert_eq!(new_end, Ok(Some(at("2027-03-01T00:00:00Z"))));
    }

    #[test]
    fn too_early_is_refused_naming_the_day_it_becomes_possible() {
        let view = sixty_days_ending("2026-12-31T00:00:00Z");
        let refusal = check_extension(&view, at("2026-12-01T00:00:00Z")).unwrap_err();
        let Refusal::Conflict(message) = refusal else {
            panic!("expected 409, got {refusal:?}")
        };
        assert!(message.contains("2026-12-17T00:00:00Z"), "{message}");
        assert_eq!(
            extendable_from(&view),
            Some(at("2026-12-17T00:00:00Z")),
            "the same day the assignment shows"
        );
    }

    #[test]
    fn a_policy_that_does_not_allow_it_forbids_it() {
        let mut view = sixty_days_ending("2026-12-31T00:00:00Z");
        view.allow_extension = false;
        let refusal = check_extension(&view, at("2026-12-30T00:00:00Z")).unwrap_err();
        assert!(matches!(refusal, Refusal::Forbidden(_)));
        assert_eq!(extendable_from(&view), None);
    }

    #[test]
    fn expired_access_and_access_without_end_cannot_be_extended() {
        let mut expired = sixty_days_ending("2026-12-31T00:00:00Z");
        expired.state = AssignmentState::Expired;
        assert!(matches!(
            check_extension(&expired, at("2027-01-01T00:00:00Z")),
            Err(Refusal::Conflict(m)) if m.contains("expired")
        ));
        let mut endless = sixty_days_ending("2026-12-31T00:00:00Z");
        endless.end = None;
        assert!(matches!(
            check_extension(&endless, at("2026-12-30T00:00:00Z")),
            Err(Refusal::Conflict(_))
        ));
    }

    #[test]
    fn a_fixed_last_day_caps_the_extension() {
        let mut view = sixty_days_ending("2026-12-31T00:00:00Z");
        view.expiration = Expiration::AfterDateTime {
            end_date_time: "2027-01-15T00:00:00Z".into(),
        };
        assert_eq!(
            check_extension(&view, at("2026-12-30T00:00:00Z")),
            Ok(Some(at("2027-01-15T00:00:00Z")))
        );
        assert_eq!(extendable_from(&view), Some(at("2026-12-17T00:00:00Z")));
        view.expiration = Expiration::AfterDateTime {
            end_date_time: "2026-12-31T00:00:00Z".into(),
        };
        assert!(check_extension(&view, at("2026-12-30T00:00:00Z")).is_err());
        assert_eq!(
            extendable_from(&view),
            None,
            "access that ends on the policy's last day offers no Extend"
        );
    }
}
