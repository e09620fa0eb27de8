//! The rules of entitlement management, in plain Rust: who may request under a policy, what
//! makes a request valid, and how a request moves from state to state. Nothing here knows about
//! HTTP or SQL, so every rule is tested directly below where it is written.

pub mod clock;
pub mod decision;
pub mod directory;
pub mod extension;
pub mod fulfilment;
pub mod lifecycle;
pub mod notifications;
pub mod policy;
pub mod stats;
pub mod submission;

pub use clock::Clock;
pub use lifecycle::Refusal;
pub use policy::{Requestor, Scope};
