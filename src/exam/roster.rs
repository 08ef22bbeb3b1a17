//! The roster of a 机考 (考生名单): 准考证号, 姓名, 证件号后四位 and 座位号 per candidate, read from
//! the rows of a CSV or workbook sheet by its Chinese header, every problem named by row.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One candidate on the roster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// 准考证号: the login name, and the `candidate` column of the results.
    pub ticket: String,
    pub name: String,
    /// 证件号后四位: the second factor at login (digits, or a final X).
    pub id4: String,
    pub seat: String,
}

/// The header names, in the order the template prints them.
pub const COLUMNS: [&str; 4] = ["准考证号", "姓名", "证件号后四位", "座位号"];

/// The longest 准考证号 accepted (national tickets have 16–18 characters).
const MAX_TICKET: usize = 32;

/// Reads the roster from a header row and data rows (each with its line number). Returns every
/// problem as (line, message) if there is any: a missing column, an empty or overlong field, a
/// malformed 证件号后四位, a 准考证号 or 座位号 given twice.
pub fn parse(
    header: &[String],
    rows: &[(usize, Vec<String>)],
) -> Result<Vec<Candidate>, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    for (name, c) in COLUMNS.iter().zip(&cols) {
        if c.is_none() {
            problems.push((
                1,
                format!("缺少“{name}”列（表头应为：{}）", COLUMNS.join(",")),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let cols: Vec<usize> = cols.into_iter().flatten().collect();
    let mut out: Vec<Candidate> = Vec::new();
    let mut tickets: HashMap<String, usize> = HashMap::new();
    let mut seats: HashMap<String, usize> = HashMap::new();
    for (line, row) in rows {
        let line = *line;
        let field = |i: usize| {
            row.get(cols[i])
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let (ticket, name, id4, seat) = (field(0), field(1), field(2).to_uppercase(), field(3));
        if ticket.is_empty() && name.is_empty() && id4.is_empty() && seat.is_empty() {
            continue; // a blank line left by a spreadsheet
        }
        let mut ok = true;
        for (v, n) in [(&ticket, 0), (&name, 1), (&seat, 3)] {
            if v.is_empty() {
                problems.push((line, format!("“{}”为空", COLUMNS[n])));
                ok = false;
            } else if v.chars().count() > MAX_TICKET {
                problems.push((line, format!("“{}”超过 {MAX_TICKET} 个字符", COLUMNS[n])));
                ok = false;
            }
        }
        if !ticket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            problems.push((
                line,
                format!("准考证号 {ticket} 只能由字母、数字和连字符组成"),
            ));
            ok = false;
        }
        let id_ok = id4.len() == 4
            && id4
                .char_indices()
                .all(|(i, c)| c.is_ascii_digit() || (i == 3 && c == 'X'));
        if !id_ok {
            problems.push((
                line,
                format!("证件号后四位应为 4 位数字（末位可为 X），此处为“{id4}”"),
            ));
            ok = false;
        }
        if let Some(first) = tickets.get(&ticket) {
            problems.push((line, format!("准考证号 {ticket} 已在第 {first} 行出现")));
            ok = false;
        }
        if let Some(first) = seats.get(&seat) {
            problems.push((line, format!("座位号 {seat} 已在第 {first} 行出现")));
            ok = false;
        }
        if ok {
            tickets.insert(ticket.clone(), line);
            seats.insert(seat.clone(), line);
            out.push(Candidate {
                ticket,
                name,
                id4,
                seat,
            });
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push((1, "名单中没有考生".into()));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&str]) -> Vec<(usize, Vec<String>)> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 2, l.split(',').map(String::from).collect()))
            .collect()
    }

    fn head() -> Vec<String> {
        "座位号,准考证号,姓名,证件号后四位"
            .split(',')
            .map(String::from)
            .collect()
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let r = parse(&head(), &rows(&["01,2026001,李明,123x", ",,,"])).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].ticket, "2026001");
        assert_eq!(r[0].id4, "123X");
        assert_eq!(r[0].seat, "01");
    }

    #[test]
    fn every_bad_row_is_named_by_its_line() {
        let e = parse(
            &head(),
            &rows(&[
                "01,2026001,李明,1234",
                "02,2026001,王芳,12a4",
                "01,2026003,,5678",
            ]),
        )
        .unwrap_err();
        let lines: Vec<usize> = e.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 3, 4, 4], "{e:?}");
        assert!(e.iter().any(|(_, m)| m.contains("已在第 2 行出现")));
        let missing = parse(&["准考证号".to_string()], &[]).unwrap_err();
        assert_eq!(missing.len(), 3);
    }
}
