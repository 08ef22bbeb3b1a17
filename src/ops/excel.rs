//! The Excel template of item writers' submissions: its columns (with the optional 图片 column of
//! figure files), and its rows made into bank TOML — one virtual bank file per occupation-level,
//! each line remembering the row it came from, so that every problem names the workbook's row.

use crate::bankfile::{Diagnostic, SourceFile};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The columns of the Excel template, in order (row 1 holds these headers).
pub const EXCEL_COLUMNS: [&str; 15] = [
    "编号",
    "职业编码",
    "等级",
    "鉴定点",
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "答案",
    "难度",
    "解析",
    "评分要点",
];

/// An optional 16th column: the figures of the item, `文件名=图题` (or only the file name),
/// separated by `；`, each file beside the workbook (e.g. `fig/a.svg=电动机正反转控制电路`).
pub const EXCEL_FIGURE_COLUMN: &str = "图片";

/// The bank files a submitted file stands for: the TOML text itself, or one per occupation-level
/// made from a workbook's rows (with the rows' lines).
type Sources = (Vec<SourceFile>, Vec<(SourceFile, Vec<usize>)>);

pub(crate) fn sources_of(name: &str, file: &[u8]) -> Result<Sources> {
    if name.ends_with(".xlsx") {
        let v = excel_to_toml(name, file).map_err(Error::Invalid)?;
        Ok((v.iter().map(|(f, _)| f.clone()).collect(), v))
    } else {
        let text = String::from_utf8(file.to_vec())
            .map_err(|_| Error::Usage(format!("{name}: not UTF-8 text")))?;
        Ok((
            vec![SourceFile {
                path: name.to_string(),
                text,
            }],
            Vec::new(),
        ))
    }
}

/// The bank files of a file about to be sealed, if it reads as one (else the bureau's check
/// reports what is wrong with it).
pub(crate) fn submitted_sources(name: &str, file: &[u8]) -> Option<Vec<SourceFile>> {
    sources_of(name, file).ok().map(|(f, _)| f)
}

/// A TOML string literal (TOML basic strings take JSON's escapes).
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// Converts the Excel template's rows into bank TOML, one virtual file per occupation-level,
/// remembering which row each line came from.
pub(crate) fn excel_to_toml(
    name: &str,
    bytes: &[u8],
) -> std::result::Result<Vec<(SourceFile, Vec<usize>)>, Vec<Diagnostic>> {
    let at = |row: usize, message: String| Diagnostic {
        file: name.to_string(),
        line: row,
        message,
    };
    let mut headers = EXCEL_COLUMNS.to_vec();
    headers.push(EXCEL_FIGURE_COLUMN);
    let sheet = super::workbook::first_sheet(name, bytes, &headers)?;
    let mut rows = sheet.iter();
    let head: Vec<String> = match rows.next() {
        Some((1, r)) => r.iter().map(|c| c.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    let figure_column = head.get(15).is_some_and(|h| h == EXCEL_FIGURE_COLUMN);
    if head.len() < 15
        || head[..15] != EXCEL_COLUMNS
        || !(figure_column || head.get(15).is_none_or(|h| h.is_empty()))
    {
        return Err(vec![at(
            1,
            format!(
                "row 1 must hold the template's headers: {}",
                EXCEL_COLUMNS.join(", ")
            ),
        )]);
    }
    let mut problems = Vec::new();
    // (occupation, level) → (text, line → row)
    let mut groups: BTreeMap<(String, String), (String, Vec<usize>)> = BTreeMap::new();
    for (&row, r) in rows {
        let row = row as usize;
        let cell = |i: usize| r.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
        if (0..headers.len()).all(|i| cell(i).is_empty()) {
            continue;
        }
        // one virtual file per occupation-level, whichever way the level is written (4, 四级, 中级工)
        let occ = cell(1);
        let level =
            crate::model::Level::parse(&cell(2)).map_or_else(|| cell(2), |l| l.code().to_string());
        let g = groups
            .entry((occ.clone(), level.clone()))
            .or_insert_with(|| {
                if level.is_empty() {
                    // 专项职业能力: no level (check refuses a missing one for any other standard)
                    (
                        format!("format = 1\noccupation = {}\n", q(&occ)),
                        vec![row, row],
                    )
                } else {
                    (
                        format!(
                            "format = 1\noccupation = {}\nlevel = {}\n",
                            q(&occ),
                            q(&level)
                        ),
                        vec![row, row, row],
                    )
                }
            });
        let mut lines: Vec<String> = vec![
            "[[item]]".into(),
            format!("id = {}", q(&cell(0))),
            format!("clause = {}", q(&cell(3))),
            format!("type = {}", q(&cell(4))),
            format!("stem = {}", q(&cell(5))),
        ];
        let options: Vec<String> = (6..=10).map(cell).filter(|o| !o.is_empty()).collect();
        if !options.is_empty() {
            lines.push(format!(
                "options = [{}]",
                options.iter().map(|o| q(o)).collect::<Vec<_>>().join(", ")
            ));
        }
        let answer = cell(11);
        if cell(4) == "填空" {
            let blanks: Vec<String> = answer.split(['；', ';']).map(|b| q(b.trim())).collect();
            lines.push(format!("answer = [{}]", blanks.join(", ")));
        } else {
            lines.push(format!("answer = {}", q(&answer)));
        }
        let difficulty = match cell(12).as_str() {
            "" => "medium".to_string(),
            d => d.to_string(),
        };
        lines.push(format!("difficulty = {}", q(&difficulty)));
        if !cell(13).is_empty() {
            lines.push(format!("explanation = {}", q(&cell(13))));
        }
        let scheme = cell(14);
        if !scheme.is_empty() {
            let mut steps = Vec::new();
            for part in scheme
                .split(['；', ';', '\n'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                match part.rsplit_once(['=', '＝']) {
                    Some((step, marks)) if marks.trim().parse::<f64>().is_ok() => steps.push(
                        format!("{{ step = {}, marks = {} }}", q(step.trim()), marks.trim()),
                    ),
                    _ => problems.push(at(
                        row,
                        format!(
                            "评分要点 `{part}`: write each point as 要点=分值, separated by ；"
                        ),
                    )),
                }
            }
            lines.push(format!("scheme = [{}]", steps.join(", ")));
        }
        // figures last: each `[[item.figure]]` table closes the item's own keys
        if figure_column {
            for part in cell(15)
                .split(['；', ';', '\n'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let (file, caption) = match part.split_once(['=', '＝']) {
                    Some((f, c)) => (f.trim(), c.trim()),
                    None => (part, ""),
                };
                lines.push("[[item.figure]]".into());
                lines.push(format!("file = {}", q(file)));
                if !caption.is_empty() {
                    lines.push(format!("caption = {}", q(caption)));
                }
            }
        }
        for l in lines {
            g.0.push_str(&l);
            g.0.push('\n');
            g.1.push(row);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if groups.is_empty() {
        return Err(vec![at(2, "the workbook holds no items".into())]);
    }
    Ok(groups
        .into_iter()
        .map(|((occ, level), (text, map))| {
            (
                SourceFile {
                    path: if level.is_empty() {
                        format!("{name}[{occ}]")
                    } else {
                        format!("{name}[{occ}/{level}]")
                    },
                    text,
                },
                map,
            )
        })
        .collect())
}

/// The workbook row a line of a virtual file (made from a workbook) came from.
pub(crate) fn row_of(d: &Diagnostic, virtual_files: &[(SourceFile, Vec<usize>)]) -> Option<usize> {
    virtual_files
        .iter()
        .find(|(f, _)| f.path == d.file)
        .map(|(_, map)| map.get(d.line.saturating_sub(1)).copied().unwrap_or(0))
}

/// Names a diagnostic on a virtual file made from a workbook by the workbook and row.
pub(crate) fn to_row(
    d: Diagnostic,
    virtual_files: &[(SourceFile, Vec<usize>)],
    book: &str,
) -> Diagnostic {
    match row_of(&d, virtual_files) {
        Some(row) => Diagnostic {
            file: book.to_string(),
            line: row,
            message: format!("row {row}: {}", d.message),
        },
        None => d,
    }
}
