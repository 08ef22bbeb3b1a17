//! Format-neutral view of papers and keys: the typed documents' fields as printed (number
//! formatting, section headings and rules, merged site equipment, marking sheets and defence
//! topics) shared by the HTML and Markdown renderers.

use crate::document::{
    Head, PracticalKey, PracticalPaper, TaskMarking, TheoryKey, TheoryPaper, TopicReference,
};
use crate::model::Answer as KeyValue;

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

// ---------------------------------------------------------------------------------------------
// Practical papers
// ---------------------------------------------------------------------------------------------

pub(crate) struct Site {
    pub name: String,
    pub spec: String,
    pub qty: String,
}

pub(crate) struct Task {
    /// Sequential 试题 number across the whole paper (1-based).
    pub seq: usize,
    pub id: String,
    pub title: String,
    pub minutes: Option<f64>,
    pub points: Option<f64>,
    pub text: String,
    pub figures: Vec<super::rich::Fig>,
    pub site: Vec<Site>,
    pub candidate: Vec<String>,
}

pub(crate) struct Module {
    pub function: String,
    pub name: String,
    pub choice: String,
    pub weight: Option<f64>,
    pub points: Option<f64>,
    pub tasks: Vec<Task>,
}

impl Module {
    /// "必考" note or "本模块3选一，由考评员抽签确定".
    pub fn choice_note(&self) -> String {
        match self.choice.trim() {
            "" | "必考" => "本模块为必考模块。".to_string(),
            c => format!("本模块{c}，由考评员抽签确定。"),
        }
    }

    /// "模块一　继电控制电路装调维修".
    pub fn title(&self, idx: usize) -> String {
        format!("模块{}　{}", cn_num(idx + 1), dash(self.name.clone()))
    }
}

pub(crate) fn modules(paper: &PracticalPaper) -> Vec<Module> {
    let mut seq = 0;
    paper
        .modules
        .iter()
        .map(|m| Module {
            function: m.function.clone(),
            name: m.name.clone(),
            choice: m.choice.clone(),
            weight: Some(f64::from(m.weight)),
            points: finite(m.points),
            tasks: m
                .tasks
                .iter()
                .map(|t| {
                    seq += 1;
                    Task {
                        seq,
                        id: t.id.clone(),
                        title: t.title.clone(),
                        minutes: Some(f64::from(t.minutes)),
                        points: finite(t.points),
                        text: t.text.clone(),
                        figures: super::rich::figs(&t.figures),
                        site: t
                            .site
                            .iter()
                            .map(|s| Site {
                                name: s.name.clone(),
                                spec: s.spec.clone(),
                                qty: s.qty.clone(),
                            })
                            .collect(),
                        candidate: t.candidate.clone(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// Total practical minutes: the blueprint's time limit.
pub(crate) fn practical_minutes(paper: &PracticalPaper) -> String {
    paper.minutes.to_string()
}

/// One merged row of the site-equipment table.
pub(crate) struct EquipRow {
    pub name: String,
    pub spec: String,
    pub qty: String,
    pub remark: String,
}

fn seq_list(seqs: &[usize]) -> String {
    seqs.iter()
        .map(|s| format!("试题{s}"))
        .collect::<Vec<_>>()
        .join("、")
}

/// Joins distinct values; when they differ, each is tagged with the tasks using it.
fn merge_values(vals: &[(String, Vec<usize>)]) -> String {
    match vals {
        [] => String::new(),
        [(v, _)] => v.clone(),
        many => many
            .iter()
            .map(|(v, seqs)| format!("{}（{}）", dash(v.clone()), seq_list(seqs)))
            .collect::<Vec<_>>()
            .join("；"),
    }
}

fn add_value(vals: &mut Vec<(String, Vec<usize>)>, v: &str, seq: usize) {
    match vals.iter_mut().find(|(x, _)| x == v) {
        Some((_, seqs)) => {
            if !seqs.contains(&seq) {
                seqs.push(seq);
            }
        }
        None => vals.push((v.to_string(), vec![seq])),
    }
}

/// All site equipment across tasks, one row per distinct name, in first-seen order.
pub(crate) fn equipment(mods: &[Module]) -> Vec<EquipRow> {
    struct Acc {
        name: String,
        specs: Vec<(String, Vec<usize>)>,
        qtys: Vec<(String, Vec<usize>)>,
        seqs: Vec<usize>,
    }
    let mut acc: Vec<Acc> = Vec::new();
    for t in mods.iter().flat_map(|m| m.tasks.iter()) {
        for s in &t.site {
            let name = s.name.trim();
            let idx = match acc.iter().position(|a| a.name == name) {
                Some(i) => i,
                None => {
                    acc.push(Acc {
                        name: name.to_string(),
                        specs: Vec::new(),
                        qtys: Vec::new(),
                        seqs: Vec::new(),
                    });
                    acc.len() - 1
                }
            };
            if let Some(a) = acc.get_mut(idx) {
                add_value(&mut a.specs, s.spec.trim(), t.seq);
                add_value(&mut a.qtys, s.qty.trim(), t.seq);
                if !a.seqs.contains(&t.seq) {
                    a.seqs.push(t.seq);
                }
            }
        }
    }
    acc.into_iter()
        .map(|a| EquipRow {
            name: a.name,
            spec: merge_values(&a.specs),
            qty: merge_values(&a.qtys),
            remark: seq_list(&a.seqs),
        })
        .collect()
}

/// Candidate items across tasks, deduplicated (trimmed), in first-seen order.
pub(crate) fn candidate_items(mods: &[Module]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in mods.iter().flat_map(|m| m.tasks.iter()) {
        for c in &t.candidate {
            let c = c.trim();
            if !c.is_empty() && !out.iter().any(|x| x == c) {
                out.push(c.to_string());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Practical marking
// ---------------------------------------------------------------------------------------------

pub(crate) struct Rubric {
    pub element: String,
    pub points: Option<f64>,
    pub criteria: String,
}

/// One 评分记录表.
pub(crate) struct Sheet {
    pub seq: Option<usize>,
    pub id: String,
    pub title: String,
    pub module: String,
    pub minutes: Option<f64>,
    pub points: Option<f64>,
    pub rubric: Vec<Rubric>,
    pub figures: Vec<super::rich::Fig>,
}

impl Sheet {
    /// Sum of the rubric's points (the totals row).
    pub fn rubric_total(&self) -> f64 {
        self.rubric.iter().filter_map(|r| r.points).sum()
    }

    /// "试题1（DG4-P02）".
    pub fn label(&self) -> String {
        let id = if self.id.is_empty() {
            String::new()
        } else {
            format!("（{}）", self.id)
        };
        match self.seq {
            Some(s) => format!("试题{s}{id}"),
            None => format!("试题{id}"),
        }
    }
}

/// Marking sheets in paper task order; key entries without a paper task come last.
pub(crate) fn sheets(paper: &PracticalPaper, key: &PracticalKey) -> Vec<Sheet> {
    let mods = modules(paper);
    let marking = &key.marking;
    let mut used = vec![false; marking.len()];
    let rubric_of = |m: &TaskMarking| -> Vec<Rubric> {
        m.rubric
            .iter()
            .map(|r| Rubric {
                element: r.element.clone(),
                points: finite(r.points),
                criteria: r.criteria.clone(),
            })
            .collect()
    };
    let mut out = Vec::new();
    for m in &mods {
        for t in &m.tasks {
            let pos = marking
                .iter()
                .enumerate()
                .position(|(k, x)| !used[k] && !t.id.is_empty() && x.id == t.id);
            if let Some(k) = pos {
                used[k] = true;
            }
            let mk = pos.and_then(|k| marking.get(k));
            out.push(Sheet {
                seq: Some(t.seq),
                id: t.id.clone(),
                title: if t.title.is_empty() {
                    mk.map(|x| x.title.clone()).unwrap_or_default()
                } else {
                    t.title.clone()
                },
                module: module_label(&m.function, &m.name),
                minutes: t.minutes,
                points: t.points.or_else(|| mk.and_then(|x| finite(x.points))),
                rubric: mk.map(rubric_of).unwrap_or_default(),
                figures: mk
                    .map(|x| super::rich::figs(&x.figures))
                    .unwrap_or_default(),
            });
        }
    }
    for (x, _) in marking.iter().zip(used.iter()).filter(|(_, u)| !**u) {
        let module = x.module.clone();
        let name = mods
            .iter()
            .find(|m| !module.is_empty() && m.function == module)
            .map(|m| m.name.clone())
            .unwrap_or_default();
        out.push(Sheet {
            seq: None,
            id: x.id.clone(),
            title: x.title.clone(),
            module: module_label(&module, &name),
            minutes: None,
            points: finite(x.points),
            rubric: rubric_of(x),
            figures: super::rich::figs(&x.figures),
        });
    }
    out
}

/// "2 继电控制电路装调维修" from function number and module name.
pub(crate) fn module_label(function: &str, name: &str) -> String {
    match (function.is_empty(), name.is_empty()) {
        (false, false) => format!("{function}　{name}"),
        (false, true) => function.to_string(),
        (true, false) => name.to_string(),
        (true, true) => DASH.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Defence (答辩)
// ---------------------------------------------------------------------------------------------

pub(crate) struct Topic {
    pub id: String,
    pub module: String,
    pub topic: String,
    pub reference: Vec<String>,
    pub figures: Vec<super::rich::Fig>,
}

/// Defence topics of the paper, with reference points from the key (matched by id, then by
/// position when ids are missing).
pub(crate) fn topics(paper: &PracticalPaper, key: Option<&PracticalKey>) -> Vec<Topic> {
    let mods = modules(paper);
    let refs: &[TopicReference] = key.map(|k| k.defence.as_slice()).unwrap_or(&[]);
    paper
        .defence
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let id = d.id.clone();
            let module = d.module.clone();
            // the module's name from the set's modules, else as the topic names it itself
            let name = mods
                .iter()
                .find(|m| !module.is_empty() && m.function == module)
                .map(|m| m.name.clone())
                .unwrap_or_else(|| d.module_name.clone().unwrap_or_default());
            let r = if id.is_empty() {
                refs.get(i)
            } else {
                refs.iter().find(|r| r.id == id)
            };
            Topic {
                id,
                module: module_label(&module, &name),
                topic: d.topic.clone(),
                reference: r.map(|r| r.reference.clone()).unwrap_or_default(),
                figures: {
                    let mut f = super::rich::figs(&d.figures);
                    let more = r.map(|r| super::rich::figs(&r.figures)).unwrap_or_default();
                    f.extend(
                        more.into_iter()
                            .map(|x| super::rich::Fig { after: false, ..x }),
                    );
                    f
                },
            }
        })
        .collect()
}
