//! Access packages: what a user requests, and the resource roles each one grants.

use serde::{Deserialize, Serialize};

/// An access package as the catalog and the request pane show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccessPackage {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub catalog: CatalogRef,
    /// Hidden packages are never listed or found by search, but open from their link.
    pub is_hidden: bool,
    pub resource_roles: Vec<ResourceRole>,
    /// The caller's request for this package that is still open (pending or scheduled), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_request_id: Option<String>,
    /// The caller's active assignment of this package, if they already have it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_id: Option<String>,
    /// For administrators only, on `GET /accessPackages/{id}`: the resource roles that have no
    /// connector, whose grants are recorded by the portal and told to no system ("recorded
    /// only"). Absent for everyone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_only: Option<Vec<ResourceRole>>,
}

/// The catalog a package belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CatalogRef {
    pub id: String,
    pub display_name: String,
}

/// A short reference to a package, as requests and assignments name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PackageRef {
    pub id: String,
    pub display_name: String,
}

/// One role on one resource that the package grants, e.g. "Member" of group "Sales".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResourceRole {
    pub display_name: String,
    pub resource: Resource,
}

/// A group, application or site whose roles packages grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    pub display_name: String,
    pub resource_type: ResourceKind,
}

/// What kind of thing a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    Group,
    Application,
    Site,
}

impl ResourceKind {
    /// The word a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Group => "Group",
            Self::Application => "Application",
            Self::Site => "SharePoint site",
        }
    }
}

/// How long requests for a package waited for their decision, from its past requests: body of
/// `GET /accessPackages/{id}/decisionTime`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DecisionTime {
    /// How many approved or denied requests the figures come from.
    pub sample_size: u32,
    /// Half of those requests were decided within this many hours. Absent when fewer than
    /// `MIN_DECISION_SAMPLE` requests were decided: too little history to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_hours: Option<f64>,
    /// Nine in ten of those requests were decided within this many hours; absent like
    /// `medianHours`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90_hours: Option<f64>,
}

/// The fewest decided requests from which a decision time is given.
pub const MIN_DECISION_SAMPLE: u32 = 5;
