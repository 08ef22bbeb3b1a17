//! Writing standards and entries back to the bank format (`qbank export`): one standard file per
//! occupation and one file per occupation, level and kind, in a stable order, so that the output
//! re-imports to the same bank digest.

use super::FORMAT;
use super::raw::{
    Cell, DefenceOut, EntryFileOut, FigureOut, ItemOut, StandardFileOut, StandardHead, TaskOut,
    WeightRowOut, WeightsOut,
};
use crate::model::{Entry, EntryKind, Figure, Grade, OccupationCode, Standard, WeightTable};
use std::collections::BTreeMap;

/// A file to write: a relative path (`6-31-01-03/theory-4.toml`) and its text, or — for a
/// figure (`6-31-01-03/fig/DG4-0412.svg`) — its bytes.
#[derive(Clone, Debug)]
pub struct ExportFile {
    pub path: String,
    pub text: String,
    /// A figure's bytes (then `text` is empty).
    pub binary: Option<Vec<u8>>,
}

impl ExportFile {
    /// The bytes to write.
    pub fn bytes(&self) -> &[u8] {
        self.binary.as_deref().unwrap_or(self.text.as_bytes())
    }
}

/// The figures' export shapes, their bytes claimed under the occupation's folder. A name that
/// another entry's different bytes already hold (two source folders with the same figure name)
/// is written as `fig/<id>-<n>.<ext>` instead, and the entry names that file.
fn figures_out(
    occupation: &OccupationCode,
    id: &str,
    figures: &[Figure],
    claimed: &mut BTreeMap<String, Vec<u8>>,
) -> Vec<FigureOut> {
    figures
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let mut name = f.file.clone();
            let free = |n: &str, claimed: &BTreeMap<String, Vec<u8>>| {
                claimed
                    .get(&format!("{occupation}/{n}"))
                    .is_none_or(|b| *b == f.data)
            };
            if !free(&name, claimed) {
                let ext = f.file.rsplit_once('.').map_or("bin", |(_, e)| e);
                name = format!("fig/{id}-{}.{ext}", k + 1);
            }
            claimed.insert(format!("{occupation}/{name}"), f.data.clone());
            FigureOut {
                file: name,
                caption: f.caption.clone(),
                width: f.width,
            }
        })
        .collect()
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
            requirements: s.requirements.clone(),
        },
        occupation: &s.occupation,
        function: &s.functions,
        content: &s.contents,
        point: &s.points,
        weights: WeightsOut {
            levels: s.weight_levels.iter().filter_map(|g| g.level()).collect(),
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
            binary: None,
        })
        .collect();
    let mut claimed: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut groups: BTreeMap<(OccupationCode, Grade, EntryKind), Vec<&Entry>> = BTreeMap::new();
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
            level: level.level(),
            item: Vec::new(),
            task: Vec::new(),
            defence: Vec::new(),
        };
        for e in es {
            let figure = figures_out(&occupation, e.id(), e.figures(), &mut claimed);
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
                    figure,
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
                    figure,
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
                    figure,
                }),
            }
        }
        let stem = match kind {
            EntryKind::Item => "theory",
            EntryKind::Task => "tasks",
            EntryKind::Defence => "defence",
        };
        files.push(ExportFile {
            path: format!("{occupation}/{stem}-{}.toml", level.key()),
            text: toml::to_string(&out).expect("entries always serialise to TOML"),
            binary: None,
        });
    }
    files.extend(claimed.into_iter().map(|(path, data)| ExportFile {
        path,
        text: String::new(),
        binary: Some(data),
    }));
    files
}
