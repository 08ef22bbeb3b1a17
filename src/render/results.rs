//! A 机考's printed results: one 理论知识考试成绩单 per candidate (each question's answer, the
//! key, the points, section subtotals, the total, signatures) and the 成绩汇总表 of the room,
//! A4 HTML in the same print style as the papers, for the organisation's archive and `qbank pdf`.
//! Pure. A score sheet holds the key: it is written once the keys release has opened it.

use super::DocHeader;
use super::html::{doc_head, esc, page, sig_lines};
use super::model::fmt_num;
use crate::document::{TheoryKey, TheoryPaper};
use crate::exam::Value;
use crate::exam::score::CandResult;
use crate::model::{Answer, ItemType};
use std::collections::HashMap;
use std::fmt::Write;

/// A candidate's answer as the sheet prints it (the copy's letters).
fn shown(ty: ItemType, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Clear) => "未答".into(),
        Some(Value::Judge(b)) => (if *b { "√" } else { "×" }).into(),
        Some(Value::Choice(c)) => c.iter().map(|&o| (b'A' + o as u8) as char).collect(),
        Some(Value::Blanks(b)) => b.join("；"),
        Some(Value::Text(t)) if ty.is_subjective() => {
            format!("（文字作答 {} 字）", t.chars().count())
        }
        Some(Value::Text(t)) => t.clone(),
    }
}

fn key_text(a: &Answer, ty: ItemType) -> String {
    match a {
        _ if ty.is_subjective() => "见评分标准".into(),
        Answer::Text(t) => t.clone(),
        Answer::Blanks(b) => b.join("；"),
    }
}

/// One candidate's 成绩单.
pub fn score_sheet_html(
    paper: &TheoryPaper,
    key: &TheoryKey,
    r: &CandResult,
    answers: &HashMap<u32, Value>,
    h: &DocHeader,
) -> String {
    let keys: HashMap<u32, &crate::document::KeyAnswer> =
        key.answers.iter().map(|a| (a.n, a)).collect();
    let points: HashMap<u32, Option<f64>> = r.points.iter().copied().collect();
    let mut b = String::new();
    doc_head(
        &mut b,
        h,
        "理论知识考试成绩单（机考）",
        false,
        &[format!(
            "姓名：{}　准考证号：{}　座位号：{}　状态：{}",
            r.name,
            r.ticket,
            r.seat,
            r.status()
        )],
    );
    b.push_str("<table class=\"grid\"><thead><tr><th>题型</th><th>题数</th><th>满分</th><th>得分</th></tr></thead><tbody>");
    for sec in &paper.sections {
        let full: f64 = sec.items.iter().map(|i| i.points).sum();
        let got: f64 = sec
            .items
            .iter()
            .filter_map(|i| points.get(&i.n).copied().flatten())
            .sum();
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(sec.item_type.as_str()),
            sec.items.len(),
            fmt_num(full),
            fmt_num(got)
        );
    }
    let _ = write!(
        b,
        "<tr><th colspan=\"3\">总分</th><th>{}</th></tr></tbody></table>",
        fmt_num(r.total)
    );
    b.push_str("<h3>逐题得分（题号与选项字母按本机构副本）</h3><table class=\"grid\"><thead><tr><th>题号</th><th>题型</th><th>作答</th><th>标准答案</th><th>分值</th><th>得分</th></tr></thead><tbody>");
    for sec in &paper.sections {
        for it in &sec.items {
            let k = keys
                .get(&it.n)
                .map(|k| key_text(&k.answer, it.item_type))
                .unwrap_or_default();
            let p = points
                .get(&it.n)
                .copied()
                .flatten()
                .map(fmt_num)
                .unwrap_or_else(|| "待评".into());
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{p}</td></tr>",
                it.n,
                esc(it.item_type.as_str()),
                esc(&shown(it.item_type, answers.get(&it.n))),
                esc(&k),
                fmt_num(it.points)
            );
        }
    }
    b.push_str("</tbody></table>");
    sig_lines(&mut b);
    page("理论知识考试成绩单", h, false, &b)
}

/// The room's 成绩汇总表: every candidate on the roster with the total and status.
pub fn score_summary_html(results: &[CandResult], h: &DocHeader) -> String {
    let mut b = String::new();
    let present = results.iter().filter(|r| r.present).count();
    doc_head(
        &mut b,
        h,
        "理论知识考试成绩汇总表（机考）",
        false,
        &[format!(
            "应考 {} 人，实考 {present} 人，缺考 {} 人",
            results.len(),
            results.len() - present
        )],
    );
    b.push_str("<table class=\"grid\"><thead><tr><th>座位号</th><th>准考证号</th><th>姓名</th><th>总分</th><th>状态</th></tr></thead><tbody>");
    for r in results {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.seat),
            esc(&r.ticket),
            esc(&r.name),
            if r.present {
                fmt_num(r.total)
            } else {
                "—".into()
            },
            r.status()
        );
    }
    b.push_str("</tbody></table>");
    sig_lines(&mut b);
    page("理论知识考试成绩汇总表", h, false, &b)
}
