//! SCIM 2.0 (RFC 7643/7644) as a service provider needs it, without HTTP or SQL: filters,
//! PATCH, and the User and Group resources with the discovery documents.

pub mod filter;
pub mod patch;
pub mod schema;

/// The most resources one list response holds.
pub const MAX_COUNT: u32 = 1000;

/// The page size when the client names none.
pub const DEFAULT_COUNT: u32 = 100;
