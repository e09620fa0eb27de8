//! One module per route.

pub mod access;
pub mod approval;
pub mod approvals;
pub mod catalog;
pub mod lazy;
pub mod not_found;
pub mod package;
pub mod request;
pub mod requests;
