//! The human-authored bank format (TOML, format 1; see `banks/README.md`): parsing with source
//! positions, validation of every rule an item writer must meet, and writing entries back out.
//! Pure: callers pass file names and text in and get values or `file:line` diagnostics back.

mod blueprint;
mod raw;
mod sitting;
mod validate;
mod write;

pub use sitting::parse_sitting;
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

/// Byte offsets of line starts, for turning spans into 1-based line numbers in O(log n).
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Lines(starts)
    }
    /// 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn offsets_map_to_their_lines() {
        let l = Lines::new("a\nbc\n\nd");
        let lines: Vec<usize> = (0..8).map(|o| l.line(o)).collect();
        assert_eq!(lines, vec![1, 1, 2, 2, 2, 3, 4, 4]);
    }
}

/// A TOML or serde error message without the values it quotes: `invalid type: string "…"`
/// would echo question content into a diagnostic. Every double-quoted part becomes `"…"`;
/// field names (in backticks) stay.
pub(crate) fn toml_message(e: &toml::de::Error) -> String {
    redact_quoted(e.message())
}

fn redact_quoted(m: &str) -> String {
    let mut out = String::with_capacity(m.len());
    let mut chars = m.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        out.push_str("\"…\"");
        let mut escaped = false;
        for d in chars.by_ref() {
            match d {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => break,
                _ => escaped = false,
            }
        }
    }
    out
}

#[cfg(test)]
mod redact_tests {
    #[test]
    fn quoted_values_are_left_out_of_messages() {
        assert_eq!(
            super::redact_quoted(r#"invalid type: string "自锁\"互锁", expected u32"#),
            r#"invalid type: string "…", expected u32"#
        );
        assert_eq!(
            super::redact_quoted("unknown field `colour`"),
            "unknown field `colour`"
        );
    }
}
