//! The portal's pure core: what crosses the air gap (`crossing.rs`: the outbox's and inbox's
//! typed meta and part kinds) and the portal's rules (`rules.rs`: roles, who may see and fetch
//! what, when a release is due, accounts and lock-outs) and what its pages show (`views.rs`), one-time codes for administrators (`totp.rs`, RFC 6238). No IO: times come in as arguments.

pub mod crossing;
pub mod rules;
pub mod totp;
pub mod views;

pub use crossing::{InboxMeta, OutboxMeta, PartKind};
pub use rules::{Role, User};
