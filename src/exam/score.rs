//! Scoring a 机考: objective answers against the copy's key (判断, 单选 and 多选 all or nothing,
//! 填空 blank by blank), subjective ones from examiners' marks (one examiner, or two with a third
//! when they differ by more than the threshold), each candidate's total, and the responses in the
//! format `qbank analysis` reads (`candidate,copy,1,2,…`: letters and √/× as the copy prints
//! them, scores for 填空 and subjective questions).

use super::event::Value;
pub use super::marks::{Resolution, resolve};
use super::state::Exam;
use crate::document::{KeyAnswer, PaperItem, TheoryKey};
use crate::model::{Answer, ItemType};
use std::collections::HashMap;

fn judge_key(s: &str) -> Option<bool> {
    match s.trim() {
        "√" | "✓" | "对" | "正确" | "T" => Some(true),
        "×" | "✗" | "错" | "错误" | "F" => Some(false),
        _ => None,
    }
}

fn letters_key(s: &str) -> Vec<usize> {
    let mut v: Vec<usize> = s
        .chars()
        .filter(|c| c.is_ascii_uppercase())
        .map(|c| (c as u8 - b'A') as usize)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Normalised blank text: spaces dropped, full-width ASCII folded to half-width.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// The points an objective answer earns against the key (None for a subjective question).
pub fn objective(item: &PaperItem, key: &KeyAnswer, v: Option<&Value>) -> Option<f64> {
    if item.item_type.is_subjective() {
        return None;
    }
    let Some(v) = v else { return Some(0.0) };
    let got = match (&key.answer, v) {
        (Answer::Text(k), Value::Judge(b)) => judge_key(k) == Some(*b),
        (Answer::Text(k), Value::Choice(c)) => !c.is_empty() && letters_key(k) == *c,
        (Answer::Blanks(k), Value::Blanks(b)) if !k.is_empty() => {
            let right = k
                .iter()
                .zip(b.iter().chain(std::iter::repeat(&String::new())))
                .filter(|(k, b)| {
                    k.split('/')
                        .any(|alt| norm(alt) == norm(b) && !norm(b).is_empty())
                })
                .count();
            let each = item.points / k.len() as f64;
            return Some((each * right as f64 * 2.0).floor() / 2.0);
        }
        _ => false,
    };
    Some(if got { item.points } else { 0.0 })
}

/// One candidate's result.
#[derive(Clone, Debug, PartialEq)]
pub struct CandResult {
    pub ticket: String,
    pub name: String,
    pub seat: String,
    /// Per copy question number, the points earned (None: subjective and not yet marked).
    pub points: Vec<(u32, Option<f64>)>,
    pub total: f64,
    /// Subjective answers still waiting for a mark.
    pub unmarked: usize,
    /// Whether the candidate logged in at all (缺考 otherwise).
    pub present: bool,
    pub forced: bool,
}

impl CandResult {
    /// 缺考, 待阅卷, 强制交卷 or 已交卷, as the scores and the sheets print it.
    pub fn status(&self) -> &'static str {
        if !self.present {
            "缺考"
        } else if self.unmarked > 0 {
            "待阅卷"
        } else if self.forced {
            "强制交卷"
        } else {
            "已交卷"
        }
    }
}

/// Scores every candidate on the roster.
pub fn results(exam: &Exam, key: &TheoryKey) -> Vec<CandResult> {
    let keys: HashMap<u32, &KeyAnswer> = key.answers.iter().map(|a| (a.n, a)).collect();
    exam.config
        .roster
        .iter()
        .map(|c| {
            let st = &exam.cands[&c.ticket];
            let mut points = Vec::new();
            let mut unmarked = 0;
            for item in exam.questions() {
                let v = st
                    .answers
                    .get(&item.n)
                    .map(|(_, v)| v)
                    .filter(|v| **v != Value::Clear);
                let p = if item.item_type.is_subjective() {
                    if v.is_none() {
                        Some(0.0) // nothing written: nothing to mark
                    } else {
                        let marks = st.marks.get(&item.n).map(Vec::as_slice).unwrap_or(&[]);
                        match resolve(marks, exam.config.double_marking, exam.config.threshold) {
                            Resolution::Final(s) => Some(s),
                            Resolution::Needs(_) => {
                                unmarked += 1;
                                None
                            }
                        }
                    }
                } else {
                    keys.get(&item.n).and_then(|k| objective(item, k, v))
                };
                points.push((item.n, p));
            }
            let total = points.iter().filter_map(|(_, p)| *p).sum();
            CandResult {
                ticket: c.ticket.clone(),
                name: c.name.clone(),
                seat: c.seat.clone(),
                points,
                total,
                unmarked,
                present: st.logins > 0,
                forced: st.submitted.is_some_and(|(_, f)| f),
            }
        })
        .collect()
}

/// The cell `qbank analysis` reads for an answer: √/× for 判断, the copy's letters for choices,
/// and for 填空 and subjective questions the points (`scored`, from `results`).
fn cell(item: &PaperItem, v: Option<&Value>, scored: Option<f64>) -> String {
    match (item.item_type, v) {
        (_, None | Some(Value::Clear))
            if !matches!(item.item_type, ItemType::Fill) && !item.item_type.is_subjective() =>
        {
            String::new()
        }
        (ItemType::Judge, Some(Value::Judge(b))) => (if *b { "√" } else { "×" }).into(),
        (ItemType::Single | ItemType::Multiple, Some(Value::Choice(c))) => {
            c.iter().map(|&o| (b'A' + o as u8) as char).collect()
        }
        _ => scored.map(fmt_points).unwrap_or_default(),
    }
}

fn fmt_points(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}")
    }
}

/// The response file of the exam as `qbank analysis` reads it: one row per candidate who sat
/// it, in roster order. `results` (from the key) is needed when the paper has 填空 or subjective
/// questions: their cells are the points earned.
pub fn responses_csv(exam: &Exam, results: Option<&[CandResult]>) -> String {
    let mut out = String::from("candidate,copy");
    let items: Vec<&PaperItem> = exam.questions().collect();
    for i in &items {
        out.push_str(&format!(",{}", i.n));
    }
    out.push('\n');
    let by: HashMap<&str, &CandResult> = results
        .unwrap_or(&[])
        .iter()
        .map(|r| (r.ticket.as_str(), r))
        .collect();
    for c in &exam.config.roster {
        let st = &exam.cands[&c.ticket];
        if st.logins == 0 {
            continue;
        }
        out.push_str(&format!("{},{}", c.ticket, exam.config.copy));
        for item in &items {
            let v = st.answers.get(&item.n).map(|(_, v)| v);
            let scored = by
                .get(c.ticket.as_str())
                .and_then(|r| r.points.iter().find(|(n, _)| *n == item.n))
                .and_then(|(_, p)| *p);
            out.push(',');
            out.push_str(&cell(item, v, scored));
        }
        out.push('\n');
    }
    out
}

/// Whether the paper needs the key for its response file (填空 or subjective questions).
pub fn needs_key(exam: &Exam) -> bool {
    exam.questions()
        .any(|i| i.item_type == ItemType::Fill || i.item_type.is_subjective())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_compare_without_spaces_or_full_width_letters() {
        assert_eq!(norm(" ＡＣ 220Ｖ "), "ac220v");
        assert_eq!(letters_key("B D"), vec![1, 3]);
        assert_eq!(judge_key("×"), Some(false));
    }
}
