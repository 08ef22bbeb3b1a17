//! A form's documents from the entry versions it picked: the typed theory paper and key (items,
//! clause paths, answers, scaled marking schemes, explanations) or practical set and key (modules,
//! tasks — the candidate's text on the paper, the examiner's check points in the key —, site
//! equipment, rubrics as written with the task's weighting, defence topics and their reference
//! points), their file
//! bytes, and the form's manifest.

use super::{Built, Manifest, blueprint_digest, sha};
use crate::assemble::{ENGINE, PracticalForm, TheoryForm};
use crate::document::{
    self, DocFigure, DocKind, FormDocuments, Head, KeyAnswer, PaperItem, PaperModule, PaperSection,
    PaperTask, PaperTopic, PracticalKey, PracticalPaper, RubricMark, SchemeMark, TaskMarking,
    TheoryKey, TheoryPaper, TopicReference,
};
use crate::error::Result;
use crate::model::{
    Answer, Blueprint, BlueprintKind, Entry, Grade, PracticalTask, Standard, TheoryItem,
};
use crate::store::{IndexEntry, Vault};
use std::collections::{BTreeSet, HashMap};

fn clause_path(std: &Standard, level: Grade, code: &str) -> Vec<String> {
    std.clause(level, code)
        .map(|c| {
            vec![
                c.function.name.clone(),
                c.content.name.clone(),
                c.point.name.clone(),
            ]
        })
        .unwrap_or_default()
}

/// The item's marking scheme with its relative marks scaled to `points` (to 0.01).
fn scheme(i: &crate::model::TheoryItem, points: f64) -> Vec<SchemeMark> {
    let total: f64 = i.scheme.iter().map(|s| s.marks).sum();
    i.scheme
        .iter()
        .map(|s| SchemeMark {
            step: s.step.clone(),
            marks: (s.marks * points / total * 100.0).round() / 100.0,
        })
        .collect()
}

fn head(std: &Standard, bp: &Blueprint, form: u32) -> Head {
    Head {
        occupation: bp.occupation.to_string(),
        occupation_name: std.occupation.name.clone(),
        level: bp.level,
        level_name: bp.level.to_string(),
        kind: if bp.is_theory() {
            DocKind::Theory
        } else {
            DocKind::Practical
        },
        blueprint: bp.id.clone(),
        form,
        minutes: bp.minutes,
        standard: std.id.clone(),
        copy: None,
    }
}

/// An item's texts that may place figures: on the paper (stem, options), in the key (answer,
/// explanation, scheme) and all of them. A figure only the key places never reaches the paper.
fn item_texts(i: &TheoryItem) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
    let paper: Vec<&str> = std::iter::once(i.stem.as_str())
        .chain(i.options.iter().map(String::as_str))
        .collect();
    let mut key: Vec<&str> = i.scheme.iter().map(|s| s.step.as_str()).collect();
    key.extend(i.explanation.as_deref());
    if let Answer::Text(t) = &i.answer {
        key.push(t);
    }
    let every = paper.iter().chain(key.iter()).copied().collect();
    (paper, key, every)
}

/// A task's texts: the candidate's text on the paper; the examiner's check points and the rubric
/// in the marking sheet; and all.
fn task_texts<'a>(
    t: &'a PracticalTask,
    candidate: &'a str,
    checks: &'a str,
) -> (Vec<&'a str>, Vec<&'a str>, Vec<&'a str>) {
    let paper = vec![candidate];
    let mut key: Vec<&str> = vec![checks];
    key.extend(
        t.rubric
            .iter()
            .flat_map(|r| [r.element.as_str(), r.criteria.as_str()]),
    );
    let every = paper.iter().chain(key.iter()).copied().collect();
    (paper, key, every)
}

/// One theory form's paper and key from its picked entry versions.
pub(super) fn theory_documents(
    std: &Standard,
    bp: &Blueprint,
    form: &TheoryForm,
    entries: &HashMap<(String, u32), Entry>,
) -> (TheoryPaper, TheoryKey) {
    let BlueprintKind::Theory { sections, .. } = &bp.kind else {
        unreachable!("theory blueprint")
    };
    let mut n = 0;
    let mut paper_sections = Vec::new();
    let mut answers = Vec::new();
    for (s, sec) in sections.iter().enumerate() {
        let mut items = Vec::new();
        for p in form.items.iter().filter(|p| p.section == s) {
            n += 1;
            let Some(Entry::Item(i)) = entries.get(&(p.id.clone(), p.version)) else {
                continue;
            };
            let (paper_texts, key_texts, every) = item_texts(i);
            items.push(PaperItem {
                n,
                id: p.id.clone(),
                version: p.version,
                clause: p.clause.clone(),
                clause_path: clause_path(std, bp.level, &p.clause),
                item_type: p.item_type,
                points: p.points,
                difficulty: p.difficulty,
                p: p.p,
                importance: p.importance,
                stem: i.stem.clone(),
                options: i.options.clone(),
                fixed_order: i.fixed_order,
                figures: DocFigure::select(&i.figures, &paper_texts, &every, true),
            });
            answers.push(KeyAnswer {
                n,
                id: p.id.clone(),
                version: p.version,
                answer: i.answer.clone(),
                scheme: scheme(i, p.points),
                explanation: i.explanation.clone(),
                figures: DocFigure::select(&i.figures, &key_texts, &every, false),
            });
        }
        paper_sections.push(PaperSection {
            item_type: sec.item_type,
            count: sec.count,
            points_each: sec.points,
            items,
        });
    }
    let head = head(std, bp, form.form);
    (
        TheoryPaper {
            sections: paper_sections,
            ..TheoryPaper::headed(head.clone())
        },
        TheoryKey {
            answers,
            ..TheoryKey::headed(head)
        },
    )
}

/// One practical (or defence) set's paper and key from its picked entry versions.
fn practical_documents(
    std: &Standard,
    bp: &Blueprint,
    form: &PracticalForm,
    entries: &HashMap<(String, u32), Entry>,
) -> (PracticalPaper, PracticalKey) {
    let mut modules = Vec::new();
    let mut marking = Vec::new();
    for m in &form.modules {
        let mut tasks = Vec::new();
        for t in &m.tasks {
            let Some(Entry::Task(task)) = entries.get(&(t.id.clone(), t.version)) else {
                continue;
            };
            let (text, checks) = document::split_examiner_text(&task.text);
            let (paper_texts, key_texts, every) = task_texts(task, &text, &checks);
            tasks.push(PaperTask {
                id: t.id.clone(),
                version: t.version,
                title: task.title.clone(),
                minutes: t.minutes,
                points: m.points,
                text: text.clone(),
                site: task.site.clone(),
                candidate: task.candidate.clone(),
                work_types: task.work_types.clone(),
                figures: DocFigure::select(&task.figures, &paper_texts, &every, true),
            });
            marking.push(TaskMarking {
                module: m.function.clone(),
                id: t.id.clone(),
                version: t.version,
                title: task.title.clone(),
                points: m.points,
                task_points: t.task_points,
                rubric: task
                    .rubric
                    .iter()
                    .map(|r| RubricMark {
                        element: r.element.clone(),
                        marks: r.points,
                        criteria: r.criteria.clone(),
                    })
                    .collect(),
                checks: checks.clone(),
                figures: DocFigure::select(&task.figures, &key_texts, &every, false),
            });
        }
        modules.push(PaperModule {
            function: m.function.clone(),
            name: m.name.clone(),
            choice: m.choice.clone(),
            weight: m.weight,
            points: m.points,
            tasks,
        });
    }
    let mut defence = Vec::new();
    let mut defence_key = Vec::new();
    for (id, v) in &form.defence {
        if let Some(Entry::Defence(d)) = entries.get(&(id.clone(), *v)) {
            let key_texts: Vec<&str> = d.reference.iter().map(String::as_str).collect();
            let every: Vec<&str> = std::iter::once(d.topic.as_str())
                .chain(key_texts.iter().copied())
                .collect();
            defence.push(PaperTopic {
                id: id.clone(),
                version: *v,
                module: d.module.clone(),
                module_name: std.function(&d.module).map(|f| f.name.clone()),
                topic: d.topic.clone(),
                figures: DocFigure::select(&d.figures, &[&d.topic], &every, true),
            });
            defence_key.push(TopicReference {
                id: id.clone(),
                version: *v,
                reference: d.reference.clone(),
                figures: DocFigure::select(&d.figures, &key_texts, &every, false),
            });
        }
    }
    let head = head(std, bp, form.form);
    (
        PracticalPaper {
            modules,
            task_minutes: form.minutes,
            defence,
            ..PracticalPaper::headed(head.clone())
        },
        PracticalKey {
            marking,
            defence: defence_key,
            ..PracticalKey::headed(head)
        },
    )
}

/// A form's files: `paper.json` then `key.json`, in the on-disk format.
pub(super) fn files_of(docs: &FormDocuments) -> Vec<(String, Vec<u8>)> {
    let (paper, key) = match docs {
        FormDocuments::Theory(p, k) => (document::to_bytes(p), document::to_bytes(k)),
        FormDocuments::Practical(p, k) => (document::to_bytes(p), document::to_bytes(k)),
    };
    vec![("paper.json".into(), paper), ("key.json".into(), key)]
}

fn form_items(built: &Built) -> Vec<(u32, Vec<(String, u32)>)> {
    if built.blueprint.is_theory() {
        built
            .theory
            .iter()
            .map(|f| {
                (
                    f.form,
                    f.items.iter().map(|i| (i.id.clone(), i.version)).collect(),
                )
            })
            .collect()
    } else {
        built
            .practical
            .iter()
            .map(|f| {
                let mut v: Vec<(String, u32)> = f
                    .modules
                    .iter()
                    .flat_map(|m| m.tasks.iter().map(|t| (t.id.clone(), t.version)))
                    .collect();
                v.extend(f.defence.iter().cloned());
                (f.form, v)
            })
            .collect()
    }
}

/// One form's documents, their files (paper first, then key) and its manifest.
pub struct RenderedForm {
    pub form: u32,
    pub documents: FormDocuments,
    pub files: Vec<(String, Vec<u8>)>,
    pub manifest: Manifest,
}

/// Renders every form of `built` (paper, key, manifest) from decrypted entries.
pub fn render(
    vault: &Vault,
    std: &Standard,
    built: &Built,
    seed: u64,
    bank_digest: &str,
    excluded: &BTreeSet<String>,
) -> Result<Vec<RenderedForm>> {
    let forms = form_items(built);
    let wanted: BTreeSet<(String, u32)> =
        forms.iter().flat_map(|(_, v)| v.iter().cloned()).collect();
    let index = vault.index(
        Some(&built.blueprint.occupation),
        Some(built.blueprint.level),
    )?;
    let by_id: HashMap<&str, &IndexEntry> = index.iter().map(|e| (e.id.as_str(), e)).collect();
    let pick: Vec<IndexEntry> = wanted
        .iter()
        .filter_map(|(id, v)| {
            by_id
                .get(id.as_str())
                .filter(|e| e.version == *v)
                .map(|e| (*e).clone())
        })
        .collect();
    let entries: HashMap<(String, u32), Entry> = vault
        .entries(&pick)?
        .into_iter()
        .map(|e| ((e.id().to_string(), e.version()), e))
        .collect();
    let bp = &built.blueprint;
    let mut out = Vec::new();
    for (form, items) in forms {
        let documents = if bp.is_theory() {
            let (p, k) = theory_documents(
                std,
                bp,
                built.theory.iter().find(|f| f.form == form).expect("form"),
                &entries,
            );
            FormDocuments::Theory(p, k)
        } else {
            let (p, k) = practical_documents(
                std,
                bp,
                built
                    .practical
                    .iter()
                    .find(|f| f.form == form)
                    .expect("form"),
                &entries,
            );
            FormDocuments::Practical(p, k)
        };
        let files = files_of(&documents);
        let manifest = Manifest {
            engine: ENGINE.into(),
            qbank: env!("CARGO_PKG_VERSION").into(),
            bank_digest: bank_digest.into(),
            blueprint_digest: blueprint_digest(bp),
            blueprint: bp.clone(),
            seed,
            form,
            occupation: bp.occupation.to_string(),
            level: bp.level,
            kind: if bp.is_theory() {
                "theory"
            } else {
                "practical"
            }
            .into(),
            items,
            excluded: excluded.iter().cloned().collect(),
            files: files.iter().map(|(n, b)| (n.clone(), sha(b))).collect(),
        };
        out.push(RenderedForm {
            form,
            documents,
            files,
            manifest,
        });
    }
    Ok(out)
}
