//! The small markup of entry texts besides figures: formulas between `$…$` (a LaTeX subset:
//! sub/superscripts, `\frac`, `\sqrt`, Greek letters, `\mathrm{}` units; `\$` is a dollar sign)
//! and pipe tables (a `| a | b |` header line, a `|---|---|` line, then rows). Splitting only;
//! `bankfile` checks formulas with the LaTeX parser and `render` turns them into MathML.

/// A part of a text line run: plain text or a formula's LaTeX source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span<'a> {
    Text(&'a str),
    Math(&'a str),
}

/// The longest formula (LaTeX source bytes).
pub const MAX_FORMULA_BYTES: usize = 1000;

/// Splits `text` at `$…$`; `\$` stays text (the backslash is dropped when rendered). None when a
/// `$` has no closing `$`.
pub fn math_spans(text: &str) -> Option<Vec<Span<'_>>> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let (mut start, mut open): (usize, Option<usize>) = (0, None);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() && b[i + 1] == b'$' => i += 2,
            b'$' => {
                match open {
                    None => {
                        if i > start {
                            out.push(Span::Text(&text[start..i]));
                        }
                        open = Some(i + 1);
                    }
                    Some(o) => {
                        out.push(Span::Math(&text[o..i]));
                        open = None;
                        start = i + 1;
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if open.is_some() {
        return None;
    }
    if start < text.len() {
        out.push(Span::Text(&text[start..]));
    }
    Some(out)
}

/// A run of lines or a pipe table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block<'a> {
    Lines(&'a str),
    Table {
        header: Vec<&'a str>,
        rows: Vec<Vec<&'a str>>,
        /// Some row has another number of cells than the header.
        ragged: bool,
    },
}

fn cells(line: &str) -> Option<Vec<&str>> {
    let t = line.trim();
    let inner = t.strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

fn is_separator(line: &str) -> bool {
    cells(line).is_some_and(|c| {
        !c.is_empty()
            && c.iter().all(|c| {
                let c = c.trim_matches(':');
                !c.is_empty() && c.bytes().all(|b| b == b'-')
            })
    })
}

/// Splits `text` into runs of lines and pipe tables (a `|…|` line followed by a separator line
/// and any further `|…|` lines). Newlines between blocks stay in the line runs.
pub fn blocks(text: &str) -> Vec<Block<'_>> {
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |at, l| {
            let s = *at;
            *at += l.len();
            Some((s, l))
        })
        .collect();
    let mut out = Vec::new();
    let mut run_start = 0;
    let mut k = 0;
    while k < lines.len() {
        let (at, line) = lines[k];
        let next_sep = lines.get(k + 1).is_some_and(|(_, l)| is_separator(l));
        if let (Some(header), true) = (cells(line), next_sep) {
            if at > run_start {
                out.push(Block::Lines(&text[run_start..at]));
            }
            let mut rows = Vec::new();
            let mut j = k + 2;
            while let Some(r) = lines.get(j).and_then(|(_, l)| cells(l)) {
                rows.push(r);
                j += 1;
            }
            let ragged = rows.iter().any(|r| r.len() != header.len())
                || cells(lines[k + 1].1).is_some_and(|s| s.len() != header.len());
            out.push(Block::Table {
                header,
                rows,
                ragged,
            });
            run_start = lines.get(j).map_or(text.len(), |(a, _)| *a);
            k = j;
        } else {
            k += 1;
        }
    }
    if run_start < text.len() {
        out.push(Block::Lines(&text[run_start..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_split_out_and_an_unclosed_one_is_noticed() {
        assert_eq!(
            math_spans("电压 $U_2$ 为 20 V").unwrap(),
            vec![
                Span::Text("电压 "),
                Span::Math("U_2"),
                Span::Text(" 为 20 V")
            ]
        );
        assert_eq!(
            math_spans(r"价格 \$5").unwrap(),
            vec![Span::Text(r"价格 \$5")]
        );
        assert!(math_spans("$U_2 = 20").is_none());
    }

    #[test]
    fn pipe_tables_are_found_between_lines() {
        let b = blocks("如下表：\n| 参数 | 值 |\n|---|---|\n| Pr.1 | 50 |\n其余。");
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], Block::Lines("如下表：\n"));
        assert_eq!(
            b[1],
            Block::Table {
                header: vec!["参数", "值"],
                rows: vec![vec!["Pr.1", "50"]],
                ragged: false
            }
        );
        assert_eq!(b[2], Block::Lines("其余。"));
        let r = blocks("| a | b |\n|---|---|\n| 1 |\n");
        assert!(matches!(&r[0], Block::Table { ragged: true, .. }));
        assert_eq!(blocks("| 不是表 |"), vec![Block::Lines("| 不是表 |")]);
    }
}
