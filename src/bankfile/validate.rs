//! Parsing and validation of a set of bank files. Every problem in every file is reported (not
//! just the first), each with the line it is on, so an item writer can fix a file in one pass.

use super::raw::{self, Cell, EntryFile, Probe, StandardFile};
use super::{Diagnostic, FORMAT, Lines, SourceFile};
use crate::model::{
    Answer, DefenceTopic, Entry, Grade, ItemType, Level, Media, OccupationCode, PracticalTask,
    Source, Standard, StandardKind, Status, TheoryItem, WeightRow, WeightTable, is_valid_id,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use toml::Spanned;

/// The most minutes a task may take (a day).
pub const MAX_MINUTES: u32 = 24 * 60;
/// The most points a task, a rubric line or a scheme step may be worth.
pub const MAX_POINTS: f64 = 1000.0;
/// The highest version a file may state (versions count revisions; this leaves room to count on).
pub const MAX_VERSION: u32 = 1_000_000;

/// A value with the place it came from.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub value: T,
    pub file: String,
    pub line: usize,
    /// The `version` the file states (written by `qbank export`), if any.
    pub declared_version: Option<u32>,
}

/// Everything a set of files holds, once valid.
#[derive(Clone, Debug, Default)]
pub struct ParsedBank {
    pub standards: Vec<Located<Standard>>,
    pub entries: Vec<Located<Entry>>,
    /// Blueprints found among the files (validated; not part of the bank itself).
    pub blueprints: Vec<Located<crate::model::Blueprint>>,
}

enum Parsed {
    Standard(Box<Located<Standard>>),
    Entries(Box<EntryFile>),
    Blueprint,
    /// A sitting plan: checked on its own (`parse_sitting`), not part of the bank.
    Sitting,
    /// The register of standards: checked on its own (`parse_register`).
    Register,
    Failed,
}

pub(super) struct Sink<'a> {
    pub(super) file: &'a SourceFile,
    pub(super) lines: Lines,
    pub(super) out: Vec<Diagnostic>,
}

impl Sink<'_> {
    pub(super) fn at(&mut self, offset: usize, message: impl Into<String>) {
        self.out.push(Diagnostic {
            file: self.file.path.clone(),
            line: self.lines.line(offset),
            message: message.into(),
        });
    }
    pub(super) fn span<T>(&mut self, s: &Spanned<T>, message: impl Into<String>) {
        self.at(s.span().start, message)
    }
}

/// Parses and validates `files`. Items are checked against the standards among the files, or
/// else against `known` (standards already in a store). Returns what parsed and every problem
/// found; the bank is usable only when the problem list is empty.
pub fn check(files: &[SourceFile], known: &[Standard]) -> (ParsedBank, Vec<Diagnostic>) {
    check_with(files, known, &super::figure::NoFigures)
}

/// [`check`], reading the entries' figure files through `figures`.
pub fn check_with(
    files: &[SourceFile],
    known: &[Standard],
    figures: &dyn super::figure::FigureSource,
) -> (ParsedBank, Vec<Diagnostic>) {
    let parsed: Vec<(Parsed, Vec<Diagnostic>)> = files.par_iter().map(parse_file).collect();
    let mut diags = Vec::new();
    let mut bank = ParsedBank::default();
    let mut entry_files = Vec::new();
    let mut blueprint_files = Vec::new();
    let mut standards: BTreeMap<OccupationCode, (String, usize)> = BTreeMap::new();
    for (i, (p, d)) in parsed.into_iter().enumerate() {
        diags.extend(d);
        match p {
            Parsed::Standard(s) => {
                let code = s.value.occupation.code.clone();
                if let Some((f, l)) = standards.get(&code) {
                    diags.push(Diagnostic {
                        file: s.file.clone(),
                        line: s.line,
                        message: format!(
                            "a second standard for occupation {code}; the first is at {f}:{l}"
                        ),
                    });
                } else {
                    standards.insert(code, (s.file.clone(), s.line));
                    bank.standards.push(*s);
                }
            }
            Parsed::Entries(e) => entry_files.push((i, e)),
            Parsed::Blueprint => blueprint_files.push(i),
            Parsed::Sitting => {
                if let Err(d) = super::sitting::parse_sitting(&files[i]) {
                    diags.extend(d);
                }
            }
            Parsed::Register => {
                if let Err(d) = super::register::parse_register(&files[i]) {
                    diags.extend(d);
                }
            }
            Parsed::Failed => {}
        }
    }
    let by_occupation: HashMap<&OccupationCode, &Standard> = known
        .iter()
        .map(|s| (&s.occupation.code, s))
        .chain(
            bank.standards
                .iter()
                .map(|s| (&s.value.occupation.code, &s.value)),
        )
        .collect();

    for i in blueprint_files {
        let mut sink = Sink {
            file: &files[i],
            lines: Lines::new(&files[i].text),
            out: Vec::new(),
        };
        if let Some(b) = super::blueprint::parse(&mut sink, &by_occupation) {
            bank.blueprints.push(b);
        }
        diags.extend(sink.out);
    }
    let results: Vec<(Vec<Located<Entry>>, Vec<Diagnostic>)> = entry_files
        .par_iter()
        .map(|(i, ef)| entries_of(&files[*i], ef, &by_occupation, figures))
        .collect();
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    for (entries, d) in results {
        diags.extend(d);
        for e in entries {
            let id = e.value.id().to_string();
            if let Some((f, l)) = seen.get(&id) {
                diags.push(Diagnostic {
                    file: e.file.clone(),
                    line: e.line,
                    message: format!("id {id} is already used at {f}:{l}"),
                });
                continue;
            }
            seen.insert(id, (e.file.clone(), e.line));
            bank.entries.push(e);
        }
    }
    diags.sort();
    (bank, diags)
}

fn parse_file(file: &SourceFile) -> (Parsed, Vec<Diagnostic>) {
    let mut sink = Sink {
        file,
        lines: Lines::new(&file.text),
        out: Vec::new(),
    };
    let probe: Probe = match toml::from_str(&file.text) {
        Ok(p) => p,
        Err(e) => {
            sink.at(
                super::error_offset(&e, &file.text),
                format!("not valid TOML: {}", super::toml_message(&e)),
            );
            return (Parsed::Failed, sink.out);
        }
    };
    match &probe.format {
        None => {
            sink.at(
                0,
                format!("missing `format = {FORMAT}` at the top of the file"),
            );
            return (Parsed::Failed, sink.out);
        }
        Some(f) => {
            match f.get_ref().as_integer() {
                Some(n) if n == i64::from(FORMAT) => {}
                Some(n) if n > i64::from(FORMAT) => {
                    sink.span(f, format!("format {n} is newer than this qbank reads (format {FORMAT}); upgrade qbank"));
                    return (Parsed::Failed, sink.out);
                }
                _ => {
                    sink.span(f, format!("format must be {FORMAT}"));
                    return (Parsed::Failed, sink.out);
                }
            }
        }
    }
    let parsed = if probe.blueprint.is_some() {
        Parsed::Blueprint
    } else if probe.sitting.is_some() {
        Parsed::Sitting
    } else if probe.register.is_some() {
        Parsed::Register
    } else if probe.standard.is_some() {
        match toml::from_str::<StandardFile>(&file.text) {
            Ok(sf) => standard_of(&mut sink, sf),
            Err(e) => {
                sink.at(
                    super::error_offset(&e, &sink.file.text),
                    super::toml_message(&e),
                );
                Parsed::Failed
            }
        }
    } else {
        match toml::from_str::<EntryFile>(&file.text) {
            Ok(ef) => Parsed::Entries(Box::new(ef)),
            Err(e) => {
                sink.at(
                    super::error_offset(&e, &sink.file.text),
                    super::toml_message(&e),
                );
                Parsed::Failed
            }
        }
    };
    (parsed, sink.out)
}

fn table_of(
    sink: &mut Sink,
    name: &str,
    levels: &[Grade],
    rows: Vec<Spanned<raw::WeightRowIn>>,
) -> (WeightTable, Vec<usize>) {
    let mut out = WeightTable::default();
    let offsets = rows.iter().map(|r| r.span().start).collect();
    let mut seen = HashSet::new();
    for r in rows {
        let span = r.span();
        let r = r.into_inner();
        if !seen.insert(r.row.clone()) {
            sink.at(
                span.start,
                format!("{name} weight row {} appears twice", r.row),
            );
        }
        if r.values.len() != levels.len() && levels == [Grade::Unleveled] {
            sink.at(
                span.start,
                format!(
                    "{name} 权重行 {}：专项职业能力考核规范不分等级，values 只写一个数值",
                    r.row
                ),
            );
        } else if r.values.len() != levels.len() {
            sink.at(
                span.start,
                format!(
                    "{name} weight row {} has {} values for {} levels",
                    r.row,
                    r.values.len(),
                    levels.len()
                ),
            );
        }
        let values = r
            .values
            .iter()
            .map(|c| match c {
                Cell::Percent(n) if (0..=100).contains(n) => Some(*n as u8),
                Cell::Percent(n) => {
                    sink.at(
                        span.start,
                        format!("{name} weight row {}: {n} is not a percentage", r.row),
                    );
                    None
                }
                Cell::Dash(s) if matches!(s.as_str(), "—" | "-" | "－") => None,
                Cell::Dash(s) => {
                    sink.at(
                        span.start,
                        format!(
                            "{name} weight row {}: `{s}` is neither a percentage nor \"—\"",
                            r.row
                        ),
                    );
                    None
                }
            })
            .collect();
        out.rows.push(WeightRow { row: r.row, values });
    }
    (out, offsets)
}

fn standard_of(sink: &mut Sink, sf: StandardFile) -> Parsed {
    let occ_line = sf.occupation.span().start;
    let occupation = sf.occupation.into_inner();
    let unleveled = sf.standard.kind == StandardKind::SpecialAbility;
    super::grades::occupation_head(sink, occ_line, &occupation, unleveled);
    let (levels_span, weight_levels) =
        super::grades::weight_columns(sink, occ_line, sf.weights.levels, unleveled);
    let level_ok = |l: Option<Level>| l.is_none_or(|l| occupation.levels.contains(&l));
    // Duplicate and parent checks use sets: linear in the size of the standard.
    let mut functions = Vec::new();
    let mut function_codes: HashSet<String> = HashSet::new();
    for f in sf.function {
        if !function_codes.insert(f.get_ref().code.clone()) {
            sink.span(
                &f,
                format!("function code {} defined twice", f.get_ref().code),
            );
        }
        if f.get_ref().code.contains('.') || f.get_ref().code.is_empty() {
            sink.span(
                &f,
                format!(
                    "function code `{}` must be a single segment such as 2 or J",
                    f.get_ref().code
                ),
            );
        }
        functions.push(f.into_inner());
    }
    let mut contents: Vec<crate::model::Content> = Vec::new();
    let mut content_keys: HashSet<(String, Option<Level>)> = HashSet::new();
    for c in sf.content {
        let v = c.get_ref();
        let parent = crate::model::standard_function(&v.code);
        if !function_codes.contains(parent) || v.code.matches('.').count() != 1 {
            sink.span(
                &c,
                format!(
                    "content {} does not sit under a defined function (expected code F.n)",
                    v.code
                ),
            );
        }
        if !level_ok(v.level) {
            sink.span(
                &c,
                format!(
                    "content {} is for a level the occupation does not use",
                    v.code
                ),
            );
        }
        if unleveled && v.level.is_some() {
            sink.span(
                &c,
                format!(
                    "工作内容 {}：专项职业能力考核规范不分等级，不写 level",
                    v.code
                ),
            );
        } else if !unleveled && (parent == "J") != v.level.is_none() {
            sink.span(
                &c,
                format!(
                    "content {}: 基本要求 (J) contents have no level, all others need one",
                    v.code
                ),
            );
        }
        if !content_keys.insert((v.code.clone(), v.level)) {
            sink.span(
                &c,
                format!("content {} defined twice for the same level", v.code),
            );
        }
        contents.push(c.into_inner());
    }
    let mut points: Vec<crate::model::Point> = Vec::new();
    let mut point_keys: HashSet<(String, Option<Level>)> = HashSet::new();
    for p in sf.point {
        let v = p.get_ref();
        let parent = crate::model::standard_parent(&v.code).unwrap_or("");
        if !content_keys.contains(&(parent.to_string(), v.level))
            || v.code.matches('.').count() != 2
        {
            sink.span(&p, format!("鉴定点 {} does not sit under a content of the same level (expected code F.n.m)", v.code));
        }
        if unleveled && v.level.is_some() {
            sink.span(
                &p,
                format!(
                    "鉴定点 {}：专项职业能力考核规范不分等级，不写 level",
                    v.code
                ),
            );
        }
        if !point_keys.insert((v.code.clone(), v.level)) {
            sink.span(
                &p,
                format!("鉴定点 {} defined twice for the same level", v.code),
            );
        }
        points.push(p.into_inner());
    }
    for l in weight_levels.iter().filter_map(|g| g.level()) {
        if !occupation.levels.contains(&l) {
            sink.at(
                levels_span,
                format!(
                    "weight table column {} is a level the occupation does not use",
                    l.grade_name()
                ),
            );
        }
    }
    for l in occupation.levels.iter().filter(|_| !unleveled) {
        if !weight_levels.contains(&Grade::Level(*l)) {
            sink.at(
                levels_span,
                format!("weight tables have no column for {}", l.grade_name()),
            );
        }
    }
    let (theory_weights, theory_at) = table_of(sink, "theory", &weight_levels, sf.weights.theory);
    let (skill_weights, skill_at) = table_of(sink, "skill", &weight_levels, sf.weights.skill);
    let std = Standard {
        kind: sf.standard.kind,
        id: sf.standard.id,
        edition: sf.standard.edition,
        title: sf.standard.title,
        sample_data: sf.standard.sample_data,
        requirements: sf.standard.requirements,
        occupation,
        functions,
        contents,
        points,
        weight_levels,
        theory_weights,
        skill_weights,
    };
    // every code a weight row may name, per level: the parents of that level's 鉴定点
    let mut prefixes: HashMap<Grade, HashSet<&str>> = HashMap::new();
    for level in std.weight_levels.iter().collect::<HashSet<_>>() {
        let set = prefixes.entry(*level).or_default();
        for p in std.points_at(*level) {
            let mut code = p.code.as_str();
            while let Some((parent, _)) = code.rsplit_once('.') {
                set.insert(parent);
                code = parent;
            }
        }
    }
    for (name, table, at) in [
        ("theory", &std.theory_weights, &theory_at),
        ("skill", &std.skill_weights, &skill_at),
    ] {
        for (r, &offset) in table.rows.iter().zip(at.iter()) {
            let known = if name == "theory" && r.row.starts_with("J.") {
                content_keys.contains(&(r.row.clone(), None))
            } else {
                r.row != "J" && function_codes.contains(&r.row)
            };
            if !known {
                sink.at(offset, format!("{name} weight row `{}` is not a function (or, in the theory table, a J.n content)", r.row));
            }
        }
        for (col, level) in std.weight_levels.iter().enumerate() {
            let sum: u32 = table
                .rows
                .iter()
                .filter_map(|r| r.values.get(col).copied().flatten())
                .map(u32::from)
                .sum();
            // a 专项职业能力 assessed by practical tasks alone has no theory table
            let no_theory = name == "theory" && table.rows.is_empty() && std.is_unleveled();
            if sum != 100 && !no_theory {
                sink.at(
                    levels_span,
                    format!(
                        "{name} weight column {} sums to {sum}, not 100",
                        level.grade_name()
                    ),
                );
            }
            for (r, &offset) in table.rows.iter().zip(at.iter()) {
                if r.values.get(col).copied().flatten().unwrap_or(0) == 0 {
                    continue;
                }
                if !prefixes
                    .get(level)
                    .is_some_and(|p| p.contains(r.row.as_str()))
                {
                    sink.at(offset, format!("{name} weight row {} is weighted at {} but has no 鉴定点 at that level", r.row, level.grade_name()));
                }
            }
        }
    }
    Parsed::Standard(Box::new(Located {
        value: std,
        file: sink.file.path.clone(),
        line: sink.lines.line(occ_line),
        declared_version: None,
    }))
}

/// `（  ）` (full-width, any blank inside) or `(  )` marks where a choice answer goes.
fn has_answer_brackets(stem: &str) -> bool {
    let chars: Vec<char> = stem.chars().collect();
    chars.iter().enumerate().any(|(i, c)| {
        matches!(c, '（' | '(')
            && chars[i + 1..]
                .iter()
                .find(|c| !matches!(c, ' ' | '\u{3000}'))
                .is_some_and(|c| matches!(c, '）' | ')'))
    })
}

fn entries_of(
    file: &SourceFile,
    ef: &EntryFile,
    standards: &HashMap<&OccupationCode, &Standard>,
    figure_source: &dyn super::figure::FigureSource,
) -> (Vec<Located<Entry>>, Vec<Diagnostic>) {
    let mut sink = Sink {
        file,
        lines: Lines::new(&file.text),
        out: Vec::new(),
    };
    let occupation = ef.occupation.get_ref().clone();
    let Some(std) = standards.get(&occupation).copied() else {
        sink.span(&ef.occupation, format!("no standard for occupation {occupation}: check or import its standard.toml together with this file"));
        return (Vec::new(), sink.out);
    };
    let Some(level) = super::grades::entry_grade(&mut sink, std, ef) else {
        return (Vec::new(), sink.out);
    };
    let points = point_levels(std);
    let functions: HashSet<&str> = std.functions.iter().map(|f| f.code.as_str()).collect();
    // the skill weight table's rows assessed at this level, for the tasks' modules
    let assessed: HashSet<&str> = std
        .skill_modules(level)
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    let mut out = Vec::new();
    let mut push = |sink: &mut Sink,
                    offset: usize,
                    id: &Spanned<String>,
                    version: Option<u32>,
                    entry: Entry| {
        if !is_valid_id(id.get_ref()) {
            sink.span(
                id,
                format!(
                    "id `{}` must be 1–64 letters, digits, '-', '_' or '.'",
                    id.get_ref()
                ),
            );
        }
        if version == Some(0) {
            sink.at(offset, format!("{}: version starts at 1", id.get_ref()));
        }
        if let Some(v) = version.filter(|v| *v > MAX_VERSION) {
            sink.at(
                offset,
                format!(
                    "{}: version {v} is past {MAX_VERSION}, the most an entry may reach",
                    id.get_ref()
                ),
            );
        }
        out.push(Located {
            value: entry,
            file: file.path.clone(),
            line: sink.lines.line(offset),
            declared_version: version,
        });
    };
    for it in &ef.item {
        let start = it.span().start;
        let it = it.get_ref();
        let id = it.id.get_ref().clone();
        let before = sink.out.len();
        check_item(&mut sink, std, &points, level, it);
        let mut texts: Vec<&str> = vec![it.stem.get_ref()];
        texts.extend(
            it.options
                .iter()
                .flat_map(|o| o.get_ref().iter().map(String::as_str)),
        );
        texts.extend(it.explanation.as_deref());
        texts.extend(
            it.scheme
                .iter()
                .flat_map(|s| s.get_ref().iter().map(|s| s.step.as_str())),
        );
        if let Answer::Text(t) = it.answer.get_ref() {
            texts.push(t);
        }
        let figures = figures_of(&mut sink, figure_source, &it.id, &it.figure, &texts);
        markup_of(&mut sink, it.stem.span().start, &id, it.stem.get_ref());
        for t in &texts[1..] {
            markup_of(&mut sink, it.id.span().start, &id, t);
        }
        if sink.out.len() > before {
            continue;
        }
        let item = TheoryItem {
            id,
            version: it.version.unwrap_or(1),
            occupation: occupation.clone(),
            level,
            clause: it.clause.get_ref().clone(),
            item_type: it.item_type,
            stem: it.stem.get_ref().clone(),
            options: it
                .options
                .as_ref()
                .map(|o| o.get_ref().clone())
                .unwrap_or_default(),
            answer: it.answer.get_ref().clone(),
            scheme: it
                .scheme
                .as_ref()
                .map(|s| s.get_ref().clone())
                .unwrap_or_default(),
            difficulty: it.difficulty,
            p: it.p.as_ref().map(|p| *p.get_ref()),
            importance: it.importance,
            explanation: it.explanation.clone(),
            source: it.source.clone().unwrap_or(Source::Provincial),
            status: it.status.unwrap_or(Status::Active),
            enemy: it.enemy.clone(),
            tags: it.tags.clone(),
            overlay: it.overlay.clone(),
            fixed_order: it.fixed_order,
            distinct: it.distinct.clone(),
            cites: cites_of(&mut sink, &it.id, &it.cites),
            figures,
        };
        push(&mut sink, start, &it.id, it.version, Entry::Item(item));
    }
    for t in &ef.task {
        let start = t.span().start;
        let t = t.get_ref();
        let id = t.id.get_ref();
        let before = sink.out.len();
        if t.modules.get_ref().is_empty() {
            sink.span(
                &t.modules,
                format!("{id}: a task assesses at least one module (职业功能)"),
            );
        }
        for m in t.modules.get_ref() {
            if !assessed.contains(m.as_str()) {
                sink.span(
                    &t.modules,
                    format!(
                        "{id}: module {m} is not assessed in the skill weight table at {}",
                        level.grade_name()
                    ),
                );
            }
        }
        if !(1..=MAX_MINUTES).contains(t.minutes.get_ref()) {
            sink.span(
                &t.minutes,
                format!("{id}: minutes must be between 1 and {MAX_MINUTES}"),
            );
        }
        let points = *t.points.get_ref();
        if !(points > 0.0 && points <= MAX_POINTS) {
            sink.span(
                &t.points,
                format!("{id}: points must be a number above 0 and at most {MAX_POINTS}"),
            );
        }
        if t.text.get_ref().trim().is_empty() {
            sink.span(&t.text, format!("{id}: the task text is empty"));
        }
        if t.rubric.get_ref().is_empty() {
            sink.span(&t.rubric, format!("{id}: a task needs a rubric (评分要素)"));
        }
        // `!(x > 0)` is also true for NaN: non-finite points are refused, never stored
        let lines_ok = t
            .rubric
            .get_ref()
            .iter()
            .all(|r| r.points > 0.0 && r.points <= MAX_POINTS);
        if !lines_ok
            || t.rubric
                .get_ref()
                .iter()
                .any(|r| r.element.trim().is_empty() || r.criteria.trim().is_empty())
        {
            sink.span(
                &t.rubric,
                format!(
                    "{id}: every rubric line needs an element, points above 0 and at most {MAX_POINTS}, and criteria"
                ),
            );
        }
        // a marker awards a rubric line's points as written: whole or half points only. The
        // element is named by its place, not its text: a diagnostic may travel (a submission's
        // refusal goes back through the portal) and must carry no content
        if lines_ok
            && let Some((k, r)) = t
                .rubric
                .get_ref()
                .iter()
                .enumerate()
                .find(|(_, r)| (r.points * 2.0).fract() != 0.0)
        {
            sink.span(
                &t.rubric,
                format!(
                    "{id}：第 {} 个评分要素配分 {} 分，配分须为整分或半分（考评员按所列配分评分）",
                    k + 1,
                    r.points
                ),
            );
        }
        let sum: f64 = t.rubric.get_ref().iter().map(|r| r.points).sum();
        if lines_ok && points.is_finite() && (sum - points).abs() > 1e-9 {
            sink.span(
                &t.rubric,
                format!(
                    "{id}: rubric points sum to {sum}, but the task is worth {}",
                    t.points.get_ref()
                ),
            );
        }
        if t.site.get_ref().is_empty() {
            sink.span(
                &t.site,
                format!("{id}: list the site equipment and materials (考场准备)"),
            );
        }
        let mut texts: Vec<&str> = vec![t.text.get_ref()];
        texts.extend(t.rubric.get_ref().iter().map(|r| r.criteria.as_str()));
        texts.extend(t.rubric.get_ref().iter().map(|r| r.element.as_str()));
        let figures = figures_of(&mut sink, figure_source, &t.id, &t.figure, &texts);
        markup_of(&mut sink, t.text.span().start, id, t.text.get_ref());
        for x in &texts[1..] {
            markup_of(&mut sink, t.rubric.span().start, id, x);
        }
        if sink.out.len() > before {
            continue;
        }
        let task = PracticalTask {
            id: id.clone(),
            version: t.version.unwrap_or(1),
            occupation: occupation.clone(),
            level,
            modules: t.modules.get_ref().clone(),
            work_types: t.work_types.clone(),
            title: t.title.clone(),
            minutes: *t.minutes.get_ref(),
            points: *t.points.get_ref(),
            text: t.text.get_ref().clone(),
            candidate: t.candidate.clone(),
            site: t.site.get_ref().clone(),
            rubric: t.rubric.get_ref().clone(),
            source: t.source.clone().unwrap_or_default(),
            status: t.status.unwrap_or(Status::Active),
            cites: cites_of(&mut sink, &t.id, &t.cites),
            figures,
        };
        push(&mut sink, start, &t.id, t.version, Entry::Task(task));
    }
    for d in &ef.defence {
        let start = d.span().start;
        let d = d.get_ref();
        let id = d.id.get_ref();
        let before = sink.out.len();
        if !level.has_defence() {
            sink.span(
                &d.id,
                format!("{id}: defence topics (答辩) are for 二级 and 一级 only"),
            );
        }
        if !functions.contains(d.module.get_ref().as_str()) || d.module.get_ref() == "J" {
            sink.span(
                &d.module,
                format!(
                    "{id}: module {} is not a function of the standard",
                    d.module.get_ref()
                ),
            );
        }
        if d.topic.get_ref().trim().is_empty() {
            sink.span(&d.topic, format!("{id}: the topic is empty"));
        }
        let mut texts: Vec<&str> = vec![d.topic.get_ref()];
        texts.extend(d.reference.iter().map(String::as_str));
        let figures = figures_of(&mut sink, figure_source, &d.id, &d.figure, &texts);
        markup_of(&mut sink, d.topic.span().start, id, d.topic.get_ref());
        for x in &texts[1..] {
            markup_of(&mut sink, d.id.span().start, id, x);
        }
        if sink.out.len() > before {
            continue;
        }
        let topic = DefenceTopic {
            id: id.clone(),
            version: d.version.unwrap_or(1),
            occupation: occupation.clone(),
            level,
            module: d.module.get_ref().clone(),
            topic: d.topic.get_ref().clone(),
            reference: d.reference.clone(),
            source: d.source.clone().unwrap_or_default(),
            status: d.status.unwrap_or(Status::Active),
            cites: cites_of(&mut sink, &d.id, &d.cites),
            figures,
        };
        push(&mut sink, start, &d.id, d.version, Entry::Defence(topic));
    }
    (out, sink.out)
}

/// The entry's figures, each read through `source` and checked (name, type sniffed from the
/// bytes and matching the name, size and pixel limits, the SVG allowlist); every `{{图N}}` of
/// `texts` must name one of them. Problems are placed at the figure's line (the references at
/// the entry's id) and name the figure file.
fn figures_of(
    sink: &mut Sink,
    source: &dyn super::figure::FigureSource,
    id: &Spanned<String>,
    figures: &[Spanned<raw::FigureIn>],
    texts: &[&str],
) -> Vec<crate::model::Figure> {
    use super::figure::{MAX_FIGURES_PER_ENTRY, inspect, valid_name};
    let idv = id.get_ref();
    if figures.len() > MAX_FIGURES_PER_ENTRY {
        sink.span(
            id,
            format!("{idv}: 图形至多 {MAX_FIGURES_PER_ENTRY} 个 (at most {MAX_FIGURES_PER_ENTRY} figures per entry)"),
        );
        return Vec::new();
    }
    for t in texts {
        let (refs, bad) = crate::model::figure_refs(t);
        if bad {
            sink.span(
                id,
                format!("{idv}: 图形引用格式错误，应写作 {{{{图1}}}} (malformed figure reference)"),
            );
        }
        if let Some(n) = refs.iter().find(|n| **n > figures.len()) {
            sink.span(
                id,
                format!(
                    "{idv}: 引用了 {{{{图{n}}}}}，但只有 {} 个图形 (figure {n} is referenced but the entry has {})",
                    figures.len(),
                    figures.len()
                ),
            );
        }
    }
    let mut out = Vec::new();
    for f in figures {
        let fi = f.get_ref();
        let name = fi.file.get_ref();
        let shown: String = name.chars().take(200).collect();
        if !valid_name(name) {
            sink.span(
                &fi.file,
                format!(
                    "{idv}: 图形文件名 `{shown}` 须为题库文件所在文件夹下的相对路径（不含 ..），扩展名 .svg/.png/.jpg (figure file name)"
                ),
            );
            continue;
        }
        if let Some(w) = &fi.width
            && !(10..=400).contains(w.get_ref())
        {
            sink.span(
                w,
                format!("{idv}: 图形 {shown} 的 width 是毫米数，须在 10 到 400 之间 (width in mm)"),
            );
        }
        if fi.caption.chars().count() > 200 {
            sink.span(
                f,
                format!("{idv}: 图形 {shown} 的图题超过 200 字 (caption too long)"),
            );
        }
        let bytes = match source.read(&sink.file.path, name) {
            Ok(b) => b,
            Err(m) => {
                sink.span(&fi.file, format!("{idv}: 图形 {shown}: {m}"));
                continue;
            }
        };
        let found = match inspect(&bytes) {
            Ok(i) => i,
            Err(m) => {
                sink.span(&fi.file, format!("{idv}: 图形 {shown} 被拒绝: {m}"));
                continue;
            }
        };
        if Media::of_name(name) != Some(found.media) {
            sink.span(
                &fi.file,
                format!(
                    "{idv}: 图形 {shown} 的内容是 {}，与扩展名不符 (the bytes are {}, not what the name says)",
                    found.media.name(),
                    found.media.name()
                ),
            );
            continue;
        }
        out.push(crate::model::Figure {
            file: name.clone(),
            caption: fi.caption.clone(),
            width: fi.width.as_ref().map(|w| *w.get_ref()),
            media: found.media,
            data: bytes,
        });
    }
    out
}

/// Formulas (`$…$`, each parsed as LaTeX) and pipe tables (every row as wide as the header) of
/// one text, problems at `at`. Messages count formulas, never quote them.
fn markup_of(sink: &mut Sink, at: usize, id: &str, text: &str) {
    use crate::model::markup::{Block, MAX_FORMULA_BYTES, Span, blocks, math_spans};
    if !text.contains('$') && !text.contains('|') {
        return;
    }
    match math_spans(text) {
        None => sink.at(
            at,
            format!("{id}: 公式缺少结尾的 $（字面的 $ 写作 \\$） (a $ formula is not closed)"),
        ),
        Some(spans) => {
            let formulas = spans.iter().filter_map(|s| match s {
                Span::Math(m) => Some(*m),
                Span::Text(_) => None,
            });
            for (k, m) in formulas.enumerate() {
                if m.len() > MAX_FORMULA_BYTES || !latex_parses(m) {
                    sink.at(
                        at,
                        format!(
                            "{id}: 第 {} 个公式无法解析（$…$ 内写 LaTeX 子集，如 $U_2$、$\\frac{{a}}{{b}}$、$\\Omega$） (malformed formula {})",
                            k + 1,
                            k + 1
                        ),
                    );
                }
            }
        }
    }
    if blocks(text)
        .iter()
        .any(|b| matches!(b, Block::Table { ragged: true, .. }))
    {
        sink.at(
            at,
            format!("{id}: 表格有一行的列数与表头不同 (a table row has another number of cells than its header)"),
        );
    }
}

/// Whether the LaTeX parser reads `m` without an error (a panic in it counts as an error).
pub(crate) fn latex_parses(m: &str) -> bool {
    if m.trim().is_empty() {
        return false;
    }
    std::panic::catch_unwind(|| {
        let storage = pulldown_latex::Storage::new();
        pulldown_latex::Parser::new(m, &storage).all(|e| e.is_ok())
    })
    .unwrap_or(false)
}

/// The entry's citations, each checked for a standard number (`GB 50303-2015 5.1.7`); a
/// malformed one is a problem at the `cites` line.
fn cites_of(
    sink: &mut Sink,
    id: &Spanned<String>,
    cites: &Option<Spanned<Vec<String>>>,
) -> Vec<String> {
    let Some(cites) = cites else {
        return Vec::new();
    };
    for c in cites.get_ref() {
        if crate::model::Citation::parse(c).is_none() {
            sink.span(
                cites,
                format!(
                    "{}: 引用 `{c}` 缺少标准编号，应写作 `GB 50303-2015 5.1.7`（代号 编号-年份 条款） (citation names no standard number)",
                    id.get_ref()
                ),
            );
        }
    }
    cites.get_ref().clone()
}

/// The levels each 鉴定点 code is defined for (None: 基本要求, every level), so that an item's
/// clause is looked up in constant time however large the standard.
fn point_levels(std: &Standard) -> HashMap<&str, Vec<Option<Level>>> {
    let mut m: HashMap<&str, Vec<Option<Level>>> = HashMap::new();
    for p in &std.points {
        m.entry(p.code.as_str()).or_default().push(p.level);
    }
    m
}

fn check_item(
    sink: &mut Sink,
    std: &Standard,
    points: &HashMap<&str, Vec<Option<Level>>>,
    level: Grade,
    it: &raw::ItemIn,
) {
    let id = it.id.get_ref();
    let clause = it.clause.get_ref();
    let levels = points.get(clause.as_str()).map_or(&[][..], Vec::as_slice);
    if !levels.iter().any(|l| l.is_none_or(|l| level == l)) {
        let elsewhere: Vec<&str> = levels
            .iter()
            .filter_map(|l| l.map(Level::grade_name))
            .collect();
        let hint = if elsewhere.is_empty() {
            String::new()
        } else {
            format!(" (it exists at {})", elsewhere.join(", "))
        };
        sink.span(
            &it.clause,
            format!(
                "{id}: clause {clause} is not a 鉴定点 of {} in {}{hint}",
                level.grade_name(),
                std.id
            ),
        );
    }
    let stem = it.stem.get_ref().trim();
    if stem.is_empty() {
        sink.span(&it.stem, format!("{id}: the stem is empty"));
    }
    if let Some(p) =
        it.p.as_ref()
            .filter(|p| !(*p.get_ref() > 0.0 && *p.get_ref() < 1.0))
    {
        sink.span(p, format!("{id}: p must lie strictly between 0 and 1"));
    }
    let options: &[String] = it
        .options
        .as_ref()
        .map(|o| o.get_ref().as_slice())
        .unwrap_or(&[]);
    let opt_at = it
        .options
        .as_ref()
        .map_or(it.stem.span().start, |o| o.span().start);
    let ty = it.item_type;
    if ty.has_options() {
        let (lo, hi) = if ty == ItemType::Single {
            (3, 5)
        } else {
            (4, 6)
        };
        if !(lo..=hi).contains(&options.len()) {
            sink.at(
                opt_at,
                format!(
                    "{id}: a {ty} item needs {lo}–{hi} options, found {}",
                    options.len()
                ),
            );
        }
        // one pass with a map (linear in the options, however many a file lists)
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(options.len());
        for (i, o) in options.iter().enumerate() {
            if o.trim().is_empty() {
                sink.at(opt_at, format!("{id}: option {} is empty", letter(i)));
            }
            match first.entry(o.trim()) {
                std::collections::hash_map::Entry::Occupied(j) => sink.at(
                    opt_at,
                    format!(
                        "{id}: options {} and {} are the same",
                        letter(*j.get()),
                        letter(i)
                    ),
                ),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
        if !has_answer_brackets(stem) {
            sink.span(
                &it.stem,
                format!("{id}: a {ty} stem must mark the answer place with （  ）"),
            );
        }
    } else if !options.is_empty() {
        sink.at(opt_at, format!("{id}: a {ty} item has no options"));
    }
    if it.fixed_order && !ty.has_options() {
        sink.span(
            &it.id,
            format!("{id}: fixed_order is for choice items (a {ty} item has no options)"),
        );
    }
    for other in &it.distinct {
        if other == id || !is_valid_id(other) {
            sink.span(
                &it.id,
                format!("{id}: distinct names `{other}`, which is not another item's id"),
            );
        }
    }
    let ans = it.answer.get_ref();
    let bad = |sink: &mut Sink, why: String| sink.span(&it.answer, format!("{id}: {why}"));
    match (ty, ans) {
        (ItemType::Judge, Answer::Text(a)) => {
            if a != "√" && a != "×" {
                bad(sink, "a 判断 answer is \"√\" or \"×\"".into());
            }
            if !stem.ends_with('。') {
                sink.span(
                    &it.stem,
                    format!("{id}: a 判断 stem is a complete statement ending in 。"),
                );
            }
        }
        (ItemType::Single, Answer::Text(a)) => {
            let ok = a.chars().count() == 1
                && a.chars()
                    .next()
                    .and_then(index_of)
                    .is_some_and(|i| i < options.len());
            if !ok {
                bad(
                    sink,
                    format!(
                        "a 单选 answer is one letter among A–{}",
                        letter(options.len().max(1) - 1)
                    ),
                );
            }
        }
        (ItemType::Multiple, Answer::Text(a)) => {
            let idx: Vec<Option<usize>> = a.chars().map(index_of).collect();
            let ok = idx.len() >= 2
                && idx.iter().all(|i| i.is_some_and(|i| i < options.len()))
                && idx.windows(2).all(|w| w[0] < w[1]);
            if !ok {
                bad(
                    sink,
                    format!(
                        "a 多选 answer is two or more distinct letters among A–{} in order, e.g. \"ACD\"",
                        letter(options.len().max(1) - 1)
                    ),
                );
            }
        }
        (ItemType::Fill, Answer::Blanks(b)) => {
            let blanks = stem.matches("____").count();
            if blanks == 0 || blanks != b.len() || b.iter().any(|x| x.trim().is_empty()) {
                bad(
                    sink,
                    format!(
                        "the stem has {blanks} blank(s) (____) but the answer lists {} non-empty value(s)",
                        b.len()
                    ),
                );
            }
        }
        (t, Answer::Text(a)) if t.is_subjective() => {
            if a.trim().is_empty() {
                bad(sink, "the reference answer (参考答案) is empty".into());
            }
        }
        (t, _) => bad(
            sink,
            format!("the answer has the wrong shape for a {t} item (see banks/README.md)"),
        ),
    }
    let scheme = it
        .scheme
        .as_ref()
        .map(|s| s.get_ref().as_slice())
        .unwrap_or(&[]);
    if ty.is_subjective() && scheme.is_empty() {
        sink.span(
            &it.answer,
            format!("{id}: a {ty} item needs a marking scheme (scheme = [{{ step, marks }}])"),
        );
    }
    if let Some(s) = &it.scheme {
        if s.get_ref()
            .iter()
            .any(|st| !(st.marks > 0.0 && st.marks <= MAX_POINTS) || st.step.trim().is_empty())
        {
            sink.span(
                s,
                format!("{id}: every scheme step needs a description and positive marks"),
            );
        }
        if !(ty.is_subjective() || ty == ItemType::Fill) {
            sink.span(
                s,
                format!("{id}: a {ty} item is marked by key and has no scheme"),
            );
        }
    }
}

fn letter(i: usize) -> char {
    (b'A' + i.min(25) as u8) as char
}

fn index_of(c: char) -> Option<usize> {
    c.is_ascii_uppercase().then(|| (c as u8 - b'A') as usize)
}

#[cfg(test)]
mod tests {
    use super::has_answer_brackets;

    #[test]
    fn answer_brackets_accept_fullwidth_and_blank_fill() {
        assert!(has_answer_brackets("电压的单位是（  ）。"));
        assert!(has_answer_brackets("电压的单位是（　）。"));
        assert!(has_answer_brackets("电压的单位是(  )。"));
        assert!(!has_answer_brackets("电压的单位（伏特）是什么？"));
        assert!(!has_answer_brackets("电压的单位是什么？"));
    }
}
