//! What a change in the directory means for access: a person leaving (deactivated or
//! deleted) and a person's manager changing. Plain functions over what the store read; the
//! store writes their result in one transaction.

/// How an approver came to be on a request's stage (stored as `via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Named by the policy.
    SingleUser,
    /// As the requestor's manager; follows the manager while the stage is open.
    RequestorManager,
    /// A fallback approver of the stage, because its approvers left.
    Fallback,
    /// An owner of the package's catalog, because the stage's approvers left and it has no
    /// fallback approver.
    CatalogOwner,
}

impl Via {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleUser => "singleUser",
            Self::RequestorManager => "requestorManager",
            Self::Fallback => "fallback",
            Self::CatalogOwner => "catalogOwner",
        }
    }
}

/// An open stage (pending or not started) that the person leaving is an approver of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingStage {
    pub request_id: String,
    pub stage: i64,
    /// The stage's other approvers who can still sign in.
    pub others_active: Vec<String>,
    /// The policy stage's fallback approvers who can still sign in.
    pub fallback_active: Vec<String>,
    /// The catalog's owners who can still sign in.
    pub owners_active: Vec<String>,
}

/// Who is added to a stage so that it is not stranded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub request_id: String,
    pub stage: i64,
    pub to: Vec<String>,
    pub via: Via,
}

/// Who takes over a stage whose approver left: nobody while another approver remains, else
/// the stage's fallback approvers, else the catalog's owners; `None` when there is no one
/// (the stage then expires as any undecided one does).
pub fn handover(stage: &WaitingStage, leaving: &str) -> Option<Handover> {
    let others = stage.others_active.iter().any(|id| id != leaving);
    if others {
        return None;
    }
    let pick = |ids: &[String], via| {
        let to: Vec<String> = ids.iter().filter(|id| *id != leaving).cloned().collect();
        (!to.is_empty()).then(|| Handover {
            request_id: stage.request_id.clone(),
            stage: stage.stage,
            to,
            via,
        })
    };
    pick(&stage.fallback_active, Via::Fallback)
        .or_else(|| pick(&stage.owners_active, Via::CatalogOwner))
}

/// An open stage of one of the requests of the person whose manager changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerStage {
    pub request_id: String,
    pub stage: i64,
    /// Whether the policy's stage names "the requestor's manager".
    pub resolves_manager: bool,
    /// Who is on the stage as the manager now.
    pub via_manager: Vec<String>,
    /// Who else is on the stage (named by the policy, or taking over).
    pub others: Vec<String>,
}

/// The change to one stage when the requestor's manager becomes `new_manager`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reresolved {
    pub request_id: String,
    pub stage: i64,
    pub remove: Vec<String>,
    pub add: Option<String>,
}

/// A stage that resolves the manager follows them: the old manager leaves the stage and the
/// new one joins it (unless already there in another role). With no new manager, the old one
/// stays, so the stage is not left without approvers.
pub fn reresolve(stage: &ManagerStage, new_manager: Option<&str>) -> Option<Reresolved> {
    if !stage.resolves_manager {
        return None;
    }
    let new_manager = new_manager?;
    if stage.via_manager.iter().any(|id| id == new_manager) {
        return None;
    }
    let add = (!stage.others.iter().any(|id| id == new_manager)).then(|| new_manager.to_owned());
    Some(Reresolved {
        request_id: stage.request_id.clone(),
        stage: stage.stage,
        remove: stage.via_manager.clone(),
        add,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(others: &[&str], fallback: &[&str], owners: &[&str]) -> WaitingStage {
        let ids = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        WaitingStage {
            request_id: "r".into(),
            stage: 1,
            others_active: ids(others),
            fallback_active: ids(fallback),
            owners_active: ids(owners),
        }
    }

    #[test]
    fn a_stage_with_another_approver_left_is_not_handed_over() {
        assert_eq!(handover(&waiting(&["b"], &["f"], &["o"]), "a"), None);
    }

    #[test]
    fn a_stage_whose_approvers_all_left_goes_to_its_fallback_approvers() {
        let handed = handover(&waiting(&[], &["f"], &["o"]), "a").unwrap();
        assert_eq!(
            (handed.to, handed.via),
            (vec!["f".to_owned()], Via::Fallback)
        );
    }

    #[test]
    fn without_fallback_approvers_the_catalog_owners_take_the_stage() {
        let handed = handover(&waiting(&[], &["a"], &["o"]), "a").unwrap();
        assert_eq!(
            (handed.to, handed.via),
            (vec!["o".to_owned()], Via::CatalogOwner)
        );
        assert_eq!(handover(&waiting(&[], &[], &[]), "a"), None);
    }

    fn manager_stage(resolves: bool, via: &[&str], others: &[&str]) -> ManagerStage {
        let ids = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        ManagerStage {
            request_id: "r".into(),
            stage: 1,
            resolves_manager: resolves,
            via_manager: ids(via),
            others: ids(others),
        }
    }

    #[test]
    fn a_stage_of_the_requestors_manager_moves_to_the_new_manager() {
        let change = reresolve(&manager_stage(true, &["old"], &["named"]), Some("new")).unwrap();
        assert_eq!(change.remove, vec!["old".to_owned()]);
        assert_eq!(change.add.as_deref(), Some("new"));
    }

    #[test]
    fn a_stage_of_named_approvers_does_not_follow_the_manager() {
        assert_eq!(
            reresolve(&manager_stage(false, &[], &["old"]), Some("new")),
            None
        );
    }

    #[test]
    fn a_new_manager_already_named_on_the_stage_is_not_added_twice() {
        let change = reresolve(&manager_stage(true, &["old"], &["new"]), Some("new")).unwrap();
        assert_eq!(change.add, None);
        assert_eq!(change.remove, vec!["old".to_owned()]);
        assert_eq!(reresolve(&manager_stage(true, &["old"], &[]), None), None);
    }
}
