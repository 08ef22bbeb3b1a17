//! User-level workflows, one function per operation: read what the user named, call the pure
//! layers, write back through the vault atomically. The CLI is a thin shell over these.

pub mod analysis;
mod assemble;
mod attachments;
pub mod audit;
mod bank;
pub mod bankscreen;
pub mod calibrate;
mod csvfile;
pub mod exam;
mod excel;
pub mod fault;
pub mod feedback;
mod files;
pub mod issued;
pub mod org;
pub mod parse;
pub mod pdf;
pub mod person;
pub mod phc;
pub mod portal;
pub mod revise;
pub mod sitting;
mod status;
pub mod submission;
mod workbook;

pub use assemble::{
    AssembleOutcome, Built, Manifest, Verdict, assemble, build, read_blueprints, render, report,
    report_text, verify,
};
pub use bank::{
    CheckReport, ImportOutcome, ListFilter, StatusNote, StatusOutcome, check, export, generate,
    import, init, list, rotate_key, set_entry_status, show,
};
pub use files::{MAX_BANK_FILE_BYTES, read_bank_files};
pub use status::{
    OutdatedCite, PointCount, StatusReport, outdated_citations, read_register, status,
};

use crate::error::Result;
use crate::package::person::PersonSecret;
use crate::store::{KeySource, Vault, VaultOptions};
use std::path::PathBuf;
use std::sync::Arc;

/// Which store, and how to unlock it.
pub struct StoreConfig {
    pub dir: PathBuf,
    pub key: KeySource,
    /// The registered operator whose personal key signs every change made through this
    /// configuration (`--operator-key`); required once an operator is registered.
    pub operator: Option<Arc<PersonSecret>>,
}

impl StoreConfig {
    /// A configuration with no operator key.
    pub fn new(dir: impl Into<PathBuf>, key: KeySource) -> StoreConfig {
        StoreConfig {
            dir: dir.into(),
            key,
            operator: None,
        }
    }

    pub fn open(&self) -> Result<Vault> {
        let mut v = Vault::open(&self.dir, &self.key, VaultOptions::default())?;
        if let Some(op) = &self.operator {
            v.sign_as(op.clone());
        }
        Ok(v)
    }

    /// Opens the store for `audit verify`: records that are not those the header names are
    /// reported by [`Vault::verify_audit`] rather than refused at open.
    pub fn open_for_verify(&self) -> Result<Vault> {
        let opts = VaultOptions {
            check_trees: false,
            ..VaultOptions::default()
        };
        Vault::open(&self.dir, &self.key, opts)
    }
}

/// Progress of a long operation, reported to whoever shows it (a bar on a terminal, or nothing).
pub trait Progress: Sync {
    fn phase(&self, name: &str, total: u64);
    fn set(&self, done: u64);
    fn finish(&self);
}

/// Shows nothing.
pub struct Quiet;
impl Progress for Quiet {
    fn phase(&self, _: &str, _: u64) {}
    fn set(&self, _: u64) {}
    fn finish(&self) {}
}

/// A regular file of at most `max` bytes (for the portal's side, which reads bundles).
pub fn read_bounded(p: &std::path::Path, max: usize) -> crate::error::Result<Vec<u8>> {
    files::read_regular(p, max)
}

/// A folder readable by its owner only (0700), created if missing.
pub fn create_private_dir(dir: &std::path::Path) -> crate::error::Result<()> {
    files::create_private_dir(dir)
}
