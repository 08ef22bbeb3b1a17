//! The human-authored bank format (TOML, format 1; see `banks/README.md`): parsing with source
//! positions, validation of every rule an item writer must meet, and writing entries back out.
//! Pure: callers pass file names and text in and get values or `file:line` diagnostics back.

mod raw;
mod validate;
mod write;

pub use validate::{Located, ParsedBank, check};
pub use write::{ExportFile, export_files};

use std::fmt;

/// The bank format version this build reads and writes.
pub const FORMAT: u32 = 1;

/// A bank file's name (as the user gave it) and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// One problem, located. Messages name ids, fields and codes, never question content.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, serde::Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
