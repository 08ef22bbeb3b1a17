//! Text columns for people: padding by display width (a CJK character takes two terminal
//! columns, `unicode-width`), so tables of Chinese names line up in a terminal and in
//! `report.txt`; and percent-encoding of a value in a URL's query. Pure.

use unicode_width::UnicodeWidthStr;

/// The width `s` takes in a terminal (CJK characters count two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` followed by spaces up to `w` display columns (left-aligned); never truncated.
pub fn left(s: &str, w: usize) -> String {
    let mut out = String::from(s);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// Spaces up to `w` display columns, then `s` (right-aligned); never truncated.
pub fn right(s: &str, w: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(width(s))).collect();
    out.push_str(s);
    out
}

/// Rows of cells laid out in columns as wide as their widest cell, separated by two spaces;
/// the columns named in `right_aligned` (by index) are aligned right. Trailing spaces trimmed.
pub fn table(rows: &[Vec<String>], right_aligned: &[usize]) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let line: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(c, s)| {
                    if right_aligned.contains(&c) {
                        right(s, widths[c])
                    } else {
                        left(s, widths[c])
                    }
                })
                .collect();
            line.join("  ").trim_end().to_string()
        })
        .collect()
}

/// Percent-encoding of a query value (every byte outside the unreserved set).
pub fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_two_columns() {
        assert_eq!(width("四级/中级工"), 11);
        assert_eq!(left("判断", 6), "判断  ");
        assert_eq!(right("单选×1", 8), "  单选×1");
        assert_eq!(left("toolong", 3), "toolong");
    }

    #[test]
    fn a_table_lines_up_by_display_width() {
        let rows = vec![
            vec!["编号".to_string(), "状态".to_string(), "n".to_string()],
            vec!["DG4-0101".to_string(), "在用".to_string(), "12".to_string()],
            vec!["X".to_string(), "暂停使用".to_string(), "3".to_string()],
        ];
        let lines = table(&rows, &[2]);
        assert_eq!(lines[0], "编号      状态       n");
        assert_eq!(lines[1], "DG4-0101  在用      12");
        assert_eq!(lines[2], "X         暂停使用   3");
        assert!(lines.iter().all(|l| width(l) == width(&lines[0])));
    }
}
