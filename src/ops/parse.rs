//! The parsing entry point of every file a user hands qbank, over bytes and without a store:
//! the exact functions the commands call before they open the vault, gathered so that the fuzz
//! targets (`fuzz/`) drive the real code and nothing else. No logic of its own.

use crate::bankfile::{Diagnostic, SourceFile};
use crate::error::Result;

/// A response file (`candidate,copy,1,2,…`) as `qbank analysis` reads it: decoded, split, its
/// header's question columns checked. The problems it has (each `file:line`).
pub fn response_file(name: &str, bytes: &[u8]) -> Result<Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let f = super::csvfile::parse(name, bytes, &mut problems)?;
    super::analysis::question_columns(&f, &mut problems);
    Ok(problems)
}

/// A feedback file as `qbank feedback import` reads it before it looks anything up: decoded,
/// split, its header one of the layouts. Whether the header is one (and the row problems).
pub fn feedback_file(name: &str, bytes: &[u8]) -> Result<(bool, Vec<Diagnostic>)> {
    let mut problems = Vec::new();
    let f = super::csvfile::parse(name, bytes, &mut problems)?;
    Ok((super::feedback::layout(&f.header).is_some(), problems))
}

/// An item writer's workbook (the submission template) as `qbank check` and `submission import`
/// read it: measured, unpacked under bounds, its first sheet turned into bank files (one per
/// row), or the problems by row. Check the files with [`crate::bankfile::check`].
pub fn workbook(name: &str, bytes: &[u8]) -> std::result::Result<Vec<SourceFile>, Vec<Diagnostic>> {
    super::submission::excel_to_toml(name, bytes).map(|v| v.into_iter().map(|(f, _)| f).collect())
}

/// A 机考 roster as `qbank exam init` reads it: decoded, split, every row checked. The number of
/// candidates.
pub fn roster_file(name: &str, bytes: &[u8]) -> Result<usize> {
    super::exam::parse_roster(name, bytes).map(|r| r.len())
}
