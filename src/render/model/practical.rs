//! The practical part of the format-neutral view: modules and tasks as printed, merged site
//! equipment and 考生准备 rows, marking sheets with their weighting and the set's total, and defence
//! topics with their reference points.

use super::{DASH, cn_num, dash, finite, fmt_num};
use crate::document::{PracticalKey, PracticalPaper, TaskMarking, TopicReference};

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
    pub figures: Vec<crate::render::rich::Fig>,
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
                        figures: crate::render::rich::figs(&t.figures),
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

/// Total practical minutes (考核总时间): the sum over modules of the time of the task drawn there
/// (of the longest one an N选一 module may draw), as the set records it — never the blueprint's
/// limit, which the assembler kept it within.
pub(crate) fn practical_minutes(paper: &PracticalPaper) -> String {
    paper.task_minutes.to_string()
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

/// One row of the 考生准备 list: an item and the tasks that need it (备注).
pub(crate) struct CandidateRow {
    pub name: String,
    pub remark: String,
}

/// Splits a candidate line into its items at `、`, `，` and `；` outside brackets
/// (`圆珠笔、铅笔` → two items; `电工通用工具一套（含剥线钳、压线钳）` stays one; `活络扳手、套筒扳手各一套`
/// → `活络扳手一套`, `套筒扳手一套`).
pub(crate) fn candidate_parts(line: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut depth, mut cur) = (0usize, String::new());
    for c in line.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && matches!(c, '、' | '，' | '；' | ',' | ';') {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    let mut parts: Vec<String> = parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    // `活络扳手、套筒扳手各一套`: the quantity after 各 belongs to every item
    if parts.len() > 1
        && let Some(last) = parts.last()
        && let Some((head, qty)) = last.rsplit_once('各')
        && !head.is_empty()
        && !qty.is_empty()
        && qty.chars().count() <= 4
    {
        let (head, qty) = (head.to_string(), qty.to_string());
        let n = parts.len();
        parts[n - 1] = head;
        for p in &mut parts {
            p.push_str(&qty);
        }
    }
    parts
}

/// Candidate items (考生准备) across tasks, one item a row, in first-seen order: lines are split
/// into their items, an item written twice is listed once, and an item that another one only
/// details (`电工通用工具一套` and `电工通用工具一套（含剥线钳、压线钳）`) is listed once, as the
/// detailed one. 备注 names the tasks needing it (各试题通用 when every task of a set with several
/// does).
pub(crate) fn candidate_items(mods: &[Module]) -> Vec<CandidateRow> {
    let mut rows: Vec<(String, Vec<usize>)> = Vec::new();
    let mut tasks = 0;
    for t in mods.iter().flat_map(|m| m.tasks.iter()) {
        tasks += 1;
        for line in &t.candidate {
            for item in candidate_parts(line) {
                let pos = rows
                    .iter()
                    .position(|(x, _)| x.starts_with(&item) || item.starts_with(x.as_str()));
                match pos {
                    Some(k) => {
                        let (name, seqs) = &mut rows[k];
                        if item.chars().count() > name.chars().count() {
                            *name = item;
                        }
                        if !seqs.contains(&t.seq) {
                            seqs.push(t.seq);
                        }
                    }
                    None => rows.push((item, vec![t.seq])),
                }
            }
        }
    }
    rows.into_iter()
        .map(|(name, seqs)| CandidateRow {
            name,
            remark: if tasks > 1 && seqs.len() == tasks {
                "各试题通用".to_string()
            } else {
                seq_list(&seqs)
            },
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Practical marking
// ---------------------------------------------------------------------------------------------

pub(crate) struct Rubric {
    pub element: String,
    /// As the bank writes it, out of the sheet's `task_points`.
    pub marks: Option<f64>,
    pub criteria: String,
}

/// One 评分记录表.
pub(crate) struct Sheet {
    pub seq: Option<usize>,
    pub id: String,
    pub title: String,
    pub module: String,
    pub minutes: Option<f64>,
    /// The module points the task's score is weighted to.
    pub points: Option<f64>,
    /// What the rubric adds up to as written (本题满分).
    pub task_points: Option<f64>,
    pub rubric: Vec<Rubric>,
    /// The examiner's check points (考评员检查要点), empty when there are none.
    pub checks: String,
    /// The module's choice rule (`必考`, `3选1`).
    pub choice: String,
    pub figures: Vec<crate::render::rich::Fig>,
}

impl Sheet {
    /// Sum of the rubric's marks (the totals row).
    pub fn rubric_total(&self) -> f64 {
        self.rubric.iter().filter_map(|r| r.marks).sum()
    }

    /// The weighting line: "本题满分100分，按权重折算为本模块15分：折算分＝得分×0.15".
    pub fn weighting(&self) -> String {
        let full = self.task_points.unwrap_or_else(|| self.rubric_total());
        match self.points {
            Some(p) => format!(
                "本题满分{}分，按权重折算为本模块{}分：折算分＝得分{}",
                fmt_num(full),
                fmt_num(p),
                factor_text(p, full)
            ),
            None => format!("本题满分{}分。", fmt_num(full)),
        }
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

/// The weighting factor as printed: "×0.15" when it has at most four decimals, else "×17/80".
pub(crate) fn factor_text(points: f64, task_points: f64) -> String {
    if task_points.is_nan() || task_points <= 0.0 {
        return DASH.to_string();
    }
    let f = points / task_points;
    let r = (f * 10_000.0).round() / 10_000.0;
    if (r - f).abs() < 1e-12 {
        let s = format!("{r:.4}");
        format!("×{}", s.trim_end_matches('0').trim_end_matches('.'))
    } else {
        format!("×{}/{}", fmt_num(points), fmt_num(task_points))
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
                marks: finite(r.marks),
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
                task_points: mk.and_then(|x| finite(x.task_points)),
                rubric: mk.map(rubric_of).unwrap_or_default(),
                checks: mk.map(|x| x.checks.clone()).unwrap_or_default(),
                choice: m.choice.clone(),
                figures: mk
                    .map(|x| crate::render::rich::figs(&x.figures))
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
            task_points: finite(x.task_points),
            rubric: rubric_of(x),
            checks: x.checks.clone(),
            choice: String::new(),
            figures: crate::render::rich::figs(&x.figures),
        });
    }
    out
}

/// The set's total of weighted scores (成绩汇总): the sum of the modules' points.
pub(crate) fn set_points(paper: &PracticalPaper) -> f64 {
    paper.modules.iter().map(|m| m.points).sum()
}

/// The note a summary row of an N选一 module carries.
pub(crate) fn summary_note(s: &Sheet) -> String {
    match s.choice.trim() {
        "" | "必考" => String::new(),
        c => format!("{c}，抽中者填写"),
    }
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
    pub figures: Vec<crate::render::rich::Fig>,
}

/// One reference point as the 答辩评分表 prints it: its text without the trailing
/// "（15分）" and the points that gave.
pub(crate) struct RefPoint {
    pub text: String,
    pub points: Option<f64>,
}

impl Topic {
    /// The reference points with their points (配分), read from each point's trailing
    /// "（N分）" as the bank writes them.
    pub fn points(&self) -> Vec<RefPoint> {
        self.reference.iter().map(|r| ref_point(r)).collect()
    }

    /// The topic's full marks: the sum of its points' 配分 when every point has one, else 100
    /// (the national 答辩 scale).
    pub fn full_marks(&self) -> f64 {
        let pts: Vec<Option<f64>> = self.points().iter().map(|p| p.points).collect();
        if !pts.is_empty() && pts.iter().all(Option::is_some) {
            pts.into_iter().flatten().sum()
        } else {
            100.0
        }
    }
}

/// Splits a reference point's trailing "（N分）" / "(N分)" off its text.
pub(crate) fn ref_point(r: &str) -> RefPoint {
    let t = r.trim_end();
    for (open, close) in [("（", "）"), ("(", ")")] {
        let Some(body) = t.strip_suffix(close) else {
            continue;
        };
        let Some(at) = body.rfind(open) else { continue };
        let points = body[at + open.len()..]
            .strip_suffix('分')
            .and_then(|n| n.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0 && (v * 2.0).fract() == 0.0);
        if let Some(v) = points {
            return RefPoint {
                text: body[..at].trim_end().to_string(),
                points: Some(v),
            };
        }
    }
    RefPoint {
        text: t.to_string(),
        points: None,
    }
}

/// The 评分标准 of a reference point worth `points`: whole or half points a marker can award.
pub(crate) fn ref_criteria(points: Option<f64>) -> String {
    match points {
        Some(p) => format!(
            "答出要点且表述准确、结合实际得{}分；要点不全或表述不够准确酌情扣分，最低0分；未答或答错不得分",
            super::fmt_num(p)
        ),
        None => "按要点答出的完整、准确程度酌情给分".to_string(),
    }
}

/// How the 综合评审 total comes from the topics' scores, printed on the 答辩评分表.
pub(crate) fn defence_total_rule(topics: usize) -> String {
    if topics == 1 {
        "综合评审成绩 = 该题平均分".to_string()
    } else {
        format!("综合评审成绩 = {topics} 题平均分之和 ÷ {topics}")
    }
}

/// Minutes of the defence per topic: the set's time less its tasks' time, shared equally by
/// its topics (whole minutes); None when the set gives no time to the defence.
pub(crate) fn minutes_per_topic(paper: &PracticalPaper) -> Option<u32> {
    let n = u32::try_from(paper.defence.len()).ok().filter(|n| *n > 0)?;
    let minutes = paper.head().minutes;
    let defence = if paper.modules.is_empty() {
        minutes
    } else {
        minutes.checked_sub(paper.task_minutes)?
    };
    Some(defence / n).filter(|m| *m > 0)
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
                    let mut f = crate::render::rich::figs(&d.figures);
                    let more = r
                        .map(|r| crate::render::rich::figs(&r.figures))
                        .unwrap_or_default();
                    f.extend(
                        more.into_iter()
                            .map(|x| crate::render::rich::Fig { after: false, ..x }),
                    );
                    f
                },
            }
        })
        .collect()
}
