//! Everything that touches the database and keys: the key–value engine ([`kv`]), envelope
//! encryption ([`crypto`]) and the vault's record layout, versioning and digest ([`vault`]).

pub mod anchor;
pub mod audit;
pub mod crypto;
pub mod kv;
pub mod records;
pub mod rotate;
pub mod signers;
pub mod trees;
pub mod vault;

pub use audit::{AuditEntry, AuditEvent, AuditReport};
pub use crypto::{KeySource, SecretKey};
pub use kv::{Kv, MemKv, SledKv};
pub use vault::{BankDigest, ImportReport, IndexEntry, Meta, Vault, VaultOptions};
