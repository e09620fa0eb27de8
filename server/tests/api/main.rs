//! The API's integration tests: the real server over HTTP, a fresh database per test, on
//! SQLite by default or on PostgreSQL when `PORTAL_TEST_POSTGRES_URL` is set.

mod approvals;
mod assignments;
mod auth;
mod authorization;
mod catalog;
mod concurrency;
mod conflicts;
mod decision_time;
mod durability;
mod extension;
mod generate;
mod helpers;
mod hosting;
mod import;
mod lifecycle;
mod limits;
mod notifications;
mod oidc;
mod openapi;
mod origins;
mod plans;
mod process;
mod requests;
mod scim;
mod security;
mod serving;
mod smtp_sink;
mod unreadable_input;
mod validation;
mod webhooks;
