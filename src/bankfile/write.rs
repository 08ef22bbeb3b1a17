//! Writing standards and entries back to the bank format (`qbank export`): one standard file per
//! occupation and one file per occupation, level and kind, in a stable order, so that the output
//! re-imports to the same bank digest.

use super::FORMAT;
use super::raw::{
    Cell, DefenceOut, EntryFileOut, ItemOut, StandardFileOut, StandardHead, TaskOut, WeightRowOut,
    WeightsOut,
};
use crate::model::{Entry, EntryKind, Level, OccupationCode, Standard, WeightTable};
use std::collections::BTreeMap;

/// A file to write: a relative path (`6-31-01-03/theory-4.toml`) and its text.
#[derive(Clone, Debug)]
pub struct ExportFile {
    pub path: String,
    pub text: String,
}

fn rows(t: &WeightTable) -> Vec<WeightRowOut> {
    t.rows
        .iter()
        .map(|r| WeightRowOut {
            row: r.row.clone(),
            values: r
                .values
                .iter()
                .map(|v| v.map_or(Cell::Dash("—".into()), |n| Cell::Percent(i64::from(n))))
                .collect(),
        })
        .collect()
}

fn standard_text(s: &Standard) -> String {
    let out = StandardFileOut {
        format: FORMAT,
        standard: StandardHead {
            kind: s.kind,
            id: s.id.clone(),
            edition: s.edition.clone(),
            title: s.title.clone(),
            sample_data: s.sample_data.clone(),
        },
        occupation: &s.occupation,
        function: &s.functions,
        content: &s.contents,
        point: &s.points,
        weights: WeightsOut {
            levels: s.weight_levels.clone(),
            theory: rows(&s.theory_weights),
            skill: rows(&s.skill_weights),
        },
    };
    toml::to_string(&out).expect("standards always serialise to TOML")
}

/// Renders standards and entries as bank files. Entries are grouped by occupation, level and
/// kind and sorted by id inside each file.
pub fn export_files(standards: &[Standard], entries: &[Entry]) -> Vec<ExportFile> {
    let mut files: Vec<ExportFile> = standards
        .iter()
        .map(|s| ExportFile {
            path: format!("{}/standard.toml", s.occupation.code),
            text: standard_text(s),
        })
        .collect();
    let mut groups: BTreeMap<(OccupationCode, Level, EntryKind), Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        groups
            .entry((e.occupation().clone(), e.level(), e.kind()))
            .or_default()
            .push(e);
    }
    for ((occupation, level, kind), mut es) in groups {
        es.sort_by(|a, b| a.id().cmp(b.id()));
        let mut out = EntryFileOut {
            format: FORMAT,
            occupation: occupation.clone(),
            level,
            item: Vec::new(),
            task: Vec::new(),
            defence: Vec::new(),
        };
        for e in es {
            match e.clone() {
                Entry::Item(i) => out.item.push(ItemOut {
                    id: i.id,
                    version: i.version,
                    clause: i.clause,
                    item_type: i.item_type,
                    difficulty: i.difficulty,
                    p: i.p,
                    importance: i.importance,
                    status: i.status,
                    source: i.source,
                    stem: i.stem,
                    options: i.options,
                    answer: i.answer,
                    explanation: i.explanation,
                    enemy: i.enemy,
                    tags: i.tags,
                    overlay: i.overlay,
                    fixed_order: i.fixed_order,
                    distinct: i.distinct,
                    scheme: i.scheme,
                    cites: i.cites,
                }),
                Entry::Task(t) => out.task.push(TaskOut {
                    id: t.id,
                    version: t.version,
                    modules: t.modules,
                    work_types: t.work_types,
                    title: t.title,
                    minutes: t.minutes,
                    points: t.points,
                    status: t.status,
                    source: t.source,
                    text: t.text,
                    candidate: t.candidate,
                    site: t.site,
                    rubric: t.rubric,
                    cites: t.cites,
                }),
                Entry::Defence(d) => out.defence.push(DefenceOut {
                    id: d.id,
                    version: d.version,
                    module: d.module,
                    status: d.status,
                    source: d.source,
                    topic: d.topic,
                    reference: d.reference,
                    cites: d.cites,
                }),
            }
        }
        let stem = match kind {
            EntryKind::Item => "theory",
            EntryKind::Task => "tasks",
            EntryKind::Defence => "defence",
        };
        files.push(ExportFile {
            path: format!("{occupation}/{stem}-{}.toml", level.code()),
            text: toml::to_string(&out).expect("entries always serialise to TOML"),
        });
    }
    files
}
