//! Format-neutral view of papers and keys: the typed documents' fields as printed (number
//! formatting, section headings and rules, merged site equipment, marking sheets and defence
//! topics) shared by the HTML and Markdown renderers; the practical part is in `model/practical.rs`.

use crate::document::{Head, TheoryKey, TheoryPaper};

mod practical;
use crate::model::Answer as KeyValue;
pub(crate) use practical::*;

/// Placeholder printed where a value is missing.
pub(crate) const DASH: &str = "—";

/// Notes printed on every theory paper (national wording); the first one gets the time.
pub(crate) fn theory_notes(minutes: &str) -> [String; 4] {
    [
        format!("考试时间：{minutes}分钟。"),
        "请首先按要求在试卷的标封处填写您的姓名、准考证号和所在单位的名称。".to_string(),
        "请仔细阅读各种题目的回答要求，在规定的位置填写您的答案。".to_string(),
        "不要在试卷上乱写乱画，不要在标封区填写无关的内容。".to_string(),
    ]
}

/// Replaces an empty (or all-whitespace) string by the dash placeholder.
pub(crate) fn dash(s: String) -> String {
    if s.trim().is_empty() {
        DASH.to_string()
    } else {
        s
    }
}

/// Formats a score or count: integers without decimals, otherwise up to two decimals.
pub(crate) fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return DASH.to_string();
    }
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        let s = format!("{r:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Optional number formatted, or the dash placeholder.
pub(crate) fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_num).unwrap_or_else(|| DASH.to_string())
}

/// A finite number (a non-finite one prints as missing).
fn finite(x: f64) -> Option<f64> {
    Some(x).filter(|x| x.is_finite())
}

/// Chinese numeral for 1..=99 (一, 二, …, 十, 十一, 二十, …); arabic beyond.
pub(crate) fn cn_num(i: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match i {
        1..=9 => D[i].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", D[i % 10]),
        20..=99 => {
            let tail = if i.is_multiple_of(10) { "" } else { D[i % 10] };
            format!("{}十{}", D[i / 10], tail)
        }
        _ => i.to_string(),
    }
}

/// Option label: A, B, C, … (then A1-style fallbacks past Z, which never happen in practice).
pub(crate) fn opt_label(i: usize) -> String {
    match u8::try_from(i) {
        Ok(b) if b < 26 => char::from(b'A' + b).to_string(),
        _ => format!("O{}", i + 1),
    }
}

/// The theory paper's heading: 职业技能等级认定, or 专项职业能力考核 for a paper of no level.
pub(crate) fn theory_title(paper: &crate::document::TheoryPaper) -> &'static str {
    if paper.level.is_unleveled() {
        "专项职业能力考核 理论知识考试试卷"
    } else {
        "职业技能等级认定 理论知识考试试卷"
    }
}

/// Common identification of a paper or key: "电工（6-31-01-03）", level name, form.
pub(crate) struct PaperInfo {
    pub occupation: String,
    pub level_name: String,
    pub form: String,
    pub minutes: String,
}

impl PaperInfo {
    pub fn of(h: &Head) -> Self {
        let name = h.occupation_name.clone();
        let code = h.occupation.clone();
        let occupation = match (name.is_empty(), code.is_empty()) {
            (false, false) => format!("{name}（{code}）"),
            (false, true) => name,
            (true, false) => format!("（{code}）"),
            (true, true) => DASH.to_string(),
        };
        PaperInfo {
            occupation,
            level_name: dash(h.level_name.clone()),
            form: format!("第 {} 套", h.form),
            minutes: h.minutes.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Theory papers
// ---------------------------------------------------------------------------------------------

/// One question as printed.
pub(crate) struct Item {
    pub n: String,
    pub n_num: Option<i64>,
    pub id: String,
    pub ty: String,
    pub points: Option<f64>,
    pub stem: String,
    pub options: Vec<String>,
    pub figures: Vec<super::rich::Fig>,
}

impl Item {
    /// Subjective items get an answer area instead of options.
    pub fn is_subjective(&self) -> bool {
        is_subjective(&self.ty)
    }
}

pub(crate) fn is_subjective(ty: &str) -> bool {
    matches!(ty, "简答" | "计算" | "论述")
}

/// Objective types whose answers fit a compact grid.
pub(crate) fn is_grid_type(ty: &str) -> bool {
    matches!(ty, "判断" | "单选" | "多选")
}

/// One section of a theory paper.
pub(crate) struct Section {
    pub ty: String,
    pub items: Vec<Item>,
    pub points_each: Option<f64>,
    pub total: Option<f64>,
}

pub(crate) fn sections(paper: &TheoryPaper) -> Vec<Section> {
    paper
        .sections
        .iter()
        .map(|s| {
            let ty = s.item_type.as_str().to_string();
            let items: Vec<Item> = s
                .items
                .iter()
                .map(|it| Item {
                    n: it.n.to_string(),
                    n_num: Some(i64::from(it.n)),
                    id: it.id.clone(),
                    ty: it.item_type.as_str().to_string(),
                    points: finite(it.points),
                    stem: it.stem.clone(),
                    options: it.options.clone(),
                    figures: super::rich::figs(&it.figures),
                })
                .collect();
            let mut points_each = finite(s.points_each);
            if points_each.is_none() {
                // Uniform item points stand in for a missing points_each.
                let mut pts = items.iter().filter_map(|i| i.points);
                if let Some(first) = pts.next()
                    && items.iter().all(|i| i.points == Some(first))
                {
                    points_each = Some(first);
                }
            }
            let total = if items.iter().any(|i| i.points.is_some()) {
                Some(
                    items
                        .iter()
                        .map(|i| i.points.or(points_each).unwrap_or(0.0))
                        .sum(),
                )
            } else {
                points_each.map(|e| f64::from(s.count) * e)
            };
            Section {
                ty,
                items,
                points_each,
                total,
            }
        })
        .collect()
}

/// Printed name of a question type.
pub(crate) fn type_name(ty: &str) -> String {
    match ty {
        "判断" => "判断题".to_string(),
        "单选" => "单项选择题".to_string(),
        "多选" => "多项选择题".to_string(),
        "填空" => "填空题".to_string(),
        "简答" => "简答题".to_string(),
        "计算" => "计算题".to_string(),
        "论述" => "论述题".to_string(),
        "" => "试题".to_string(),
        t if t.ends_with('题') => t.to_string(),
        t => format!("{t}题"),
    }
}

/// Answering rule printed in the section heading.
fn type_rule(ty: &str) -> &'static str {
    match ty {
        "判断" => "将判断结果填入括号中。正确的填“√”，错误的填“×”。",
        "单选" => "选择一个正确的答案，将相应的字母填入题内的括号中。",
        "多选" => {
            "选择两个或两个以上正确的答案，将相应的字母填入题内的括号中。错选、少选、多选均不得分。"
        }
        "填空" => "将正确的答案填入题内的横线上。",
        "简答" | "论述" => "请将答案写在题下空白处。",
        "计算" => "要求写出计算公式、计算过程和计算结果。",
        _ => "",
    }
}

/// "第1题～第40题" (or "第81题" for a single item), computed from the item numbers.
pub(crate) fn range_text(items: &[Item]) -> String {
    let nums: Vec<i64> = items.iter().filter_map(|i| i.n_num).collect();
    let (lo, hi) = match (nums.iter().min(), nums.iter().max()) {
        (Some(lo), Some(hi)) => (lo.to_string(), hi.to_string()),
        _ => match (items.first(), items.last()) {
            (Some(a), Some(b)) if !a.n.is_empty() => (a.n.clone(), b.n.clone()),
            _ => return String::new(),
        },
    };
    if lo == hi {
        format!("第{lo}题")
    } else {
        format!("第{lo}题～第{hi}题")
    }
}

/// Short section title, e.g. "一、判断题".
pub(crate) fn section_title(idx: usize, sec: &Section) -> String {
    format!("{}、{}", cn_num(idx + 1), type_name(&sec.ty))
}

/// Full section heading, e.g.
/// "一、判断题（第1题～第40题。将判断结果填入括号中。…每题0.5分，满分20分。）".
pub(crate) fn section_heading(idx: usize, sec: &Section) -> String {
    let mut inner = String::new();
    let range = range_text(&sec.items);
    if !range.is_empty() {
        inner.push_str(&range);
        inner.push('。');
    }
    inner.push_str(type_rule(&sec.ty));
    if let Some(e) = sec.points_each {
        inner.push_str(&format!("每题{}分，", fmt_num(e)));
    }
    if let Some(t) = sec.total {
        inner.push_str(&format!("满分{}分。", fmt_num(t)));
    } else if inner.ends_with('，') {
        inner.pop();
        inner.push('。');
    }
    if inner.is_empty() {
        section_title(idx, sec)
    } else {
        format!("{}（{}）", section_title(idx, sec), inner)
    }
}

/// Answer-area height hint in lines for subjective items (grows with the marks).
pub(crate) fn answer_lines(item: &Item) -> usize {
    let pts = item.points.unwrap_or(5.0).clamp(1.0, 30.0);
    let base = if item.ty == "论述" { 10.0 } else { 6.0 };
    (base + pts).round() as usize
}

/// Options layout: columns per row given the longest option (4, 2 or 1).
pub(crate) fn option_columns(options: &[String]) -> usize {
    let longest = options.iter().map(|o| o.chars().count()).max().unwrap_or(0);
    if longest <= 9 && options.len() <= 4 {
        4
    } else if longest <= 20 {
        2
    } else {
        1
    }
}

// ---------------------------------------------------------------------------------------------
// Theory keys
// ---------------------------------------------------------------------------------------------

/// One answer of the key.
pub(crate) struct Answer {
    pub n: String,
    pub id: String,
    /// Single-string answer (blanks of 填空 numbered and joined).
    pub answer: String,
    pub scheme: Vec<(String, Option<f64>)>,
    pub explanation: String,
    pub figures: Vec<super::rich::Fig>,
}

pub(crate) fn answers(key: &TheoryKey) -> Vec<Answer> {
    key.answers
        .iter()
        .map(|a| {
            let answer = match &a.answer {
                KeyValue::Text(t) => t.clone(),
                KeyValue::Blanks(blanks) => blanks
                    .iter()
                    .enumerate()
                    .map(|(i, b)| format!("（{}）{}", i + 1, b))
                    .collect::<Vec<_>>()
                    .join("；"),
            };
            Answer {
                n: a.n.to_string(),
                id: a.id.clone(),
                answer,
                scheme: a
                    .scheme
                    .iter()
                    .map(|s| (s.step.clone(), finite(s.marks)))
                    .collect(),
                explanation: a.explanation.clone().unwrap_or_default(),
                figures: super::rich::figs(&a.figures),
            }
        })
        .collect()
}

/// A key section: the paper section's title plus its answers in item order.
pub(crate) struct KeySection<'a> {
    pub title: String,
    pub grid: bool,
    pub entries: Vec<(String, Option<&'a Answer>)>,
}

/// Groups the key's answers by the paper's sections (matched by `n`, then by `id`); answers
/// that match no item are appended in a final section so that every answer is listed.
pub(crate) fn key_sections<'a>(secs: &[Section], ans: &'a [Answer]) -> Vec<KeySection<'a>> {
    let mut used = vec![false; ans.len()];
    let mut out = Vec::new();
    for (idx, sec) in secs.iter().enumerate() {
        let mut entries = Vec::new();
        for item in &sec.items {
            let pos = ans
                .iter()
                .enumerate()
                .position(|(k, a)| !used[k] && !item.n.is_empty() && a.n == item.n)
                .or_else(|| {
                    ans.iter()
                        .enumerate()
                        .position(|(k, a)| !used[k] && !item.id.is_empty() && a.id == item.id)
                });
            if let Some(k) = pos {
                used[k] = true;
            }
            entries.push((item.n.clone(), pos.and_then(|k| ans.get(k))));
        }
        out.push(KeySection {
            title: section_title(idx, sec),
            grid: is_grid_type(&sec.ty),
            entries,
        });
    }
    let rest: Vec<(String, Option<&Answer>)> = ans
        .iter()
        .zip(used.iter())
        .filter(|(_, u)| !**u)
        .map(|(a, _)| (a.n.clone(), Some(a)))
        .collect();
    if !rest.is_empty() {
        let grid = rest
            .iter()
            .all(|(_, a)| a.is_some_and(|a| a.scheme.is_empty() && a.answer.chars().count() <= 6));
        out.push(KeySection {
            title: format!("{}、其他试题", cn_num(out.len() + 1)),
            grid,
            entries: rest,
        });
    }
    out
}
