//! The human-authored bank format (TOML, format 1; see `banks/README.md`): parsing with source
//! positions, validation of every rule an item writer must meet, and writing entries back out.
//! Pure: callers pass file names and text in and get values or `file:line` diagnostics back.

mod blueprint;
pub mod figure;
mod grades;
mod raw;
mod register;
mod sitting;
mod validate;
mod write;

pub use register::parse_register;
pub use sitting::parse_sitting;
pub use validate::{Located, ParsedBank, check, check_with};
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

/// Where a TOML error is: its span, or — for an error without one (the parser's recursion
/// limit on dotted keys) — the most deeply nested line, not line 1.
pub(crate) fn error_offset(e: &toml::de::Error, text: &str) -> usize {
    e.span().map_or_else(|| deepest_line(text), |s| s.start)
}

/// The byte offset of the start of the most deeply nested line of a TOML text: nesting is the
/// depth of `[`/`{` outside strings and comments plus the dots of the key or table header on
/// the line. One linear pass; used to place a parse error that comes without a position (the
/// recursion limit), never to decide whether a file is valid.
pub(crate) fn deepest_line(text: &str) -> usize {
    #[derive(PartialEq)]
    enum In {
        Code,
        Comment,
        Basic,
        Literal,
        MultiBasic,
        MultiLiteral,
    }
    fn triple(b: &[u8], i: usize, q: u8) -> bool {
        b.len() >= i + 3 && b[i..i + 3] == [q, q, q]
    }
    let b = text.as_bytes();
    let (mut state, mut depth, mut dots, mut in_key) = (In::Code, 0usize, 0usize, true);
    let (mut line_start, mut line_max) = (0usize, 0usize);
    let (mut best, mut best_at) = (0usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match state {
            In::Code => match c {
                b'#' => state = In::Comment,
                b'"' if triple(b, i, b'"') => {
                    state = In::MultiBasic;
                    i += 2;
                }
                b'\'' if triple(b, i, b'\'') => {
                    state = In::MultiLiteral;
                    i += 2;
                }
                b'"' => state = In::Basic,
                b'\'' => state = In::Literal,
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'=' => in_key = false,
                b'.' if in_key => dots += 1,
                _ => {}
            },
            In::Comment => {}
            In::Basic | In::MultiBasic if c == b'\\' => i += 1,
            In::Basic if c == b'"' => state = In::Code,
            In::Literal if c == b'\'' => state = In::Code,
            In::MultiBasic if triple(b, i, b'"') => {
                state = In::Code;
                i += 2;
            }
            In::MultiLiteral if triple(b, i, b'\'') => {
                state = In::Code;
                i += 2;
            }
            _ => {}
        }
        line_max = line_max.max(depth + dots);
        if c == b'\n' || i + 1 >= b.len() {
            if line_max > best {
                (best, best_at) = (line_max, line_start);
            }
            if matches!(state, In::Comment | In::Basic | In::Literal) {
                state = In::Code;
            }
            (dots, in_key, line_start, line_max) = (0, true, i + 1, depth);
        }
        i += 1;
    }
    best_at
}

#[cfg(test)]
mod deepest_tests {
    #[test]
    fn the_deepest_line_is_found_outside_strings() {
        let text = "format = 1\ns = \"[[[[.....\"\n\n\n[a.b.c.d.e]\nx = [1.5, 2.5, 3.5]\n";
        let at = super::deepest_line(text);
        assert_eq!(super::Lines::new(text).line(at), 5);
        assert_eq!(super::deepest_line(""), 0);
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
