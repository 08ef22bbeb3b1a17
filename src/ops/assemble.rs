//! `qbank assemble` and `qbank verify`: load blueprints and the pool's metadata from the store,
//! run the pure assembler, decrypt only the picked entries, and write papers, answer keys,
//! manifests and a quality report; or rebuild papers from their manifests and compare.

use super::{Progress, StoreConfig, read_bank_files};
use crate::assemble::{
    self, Allocation, Candidate, ENGINE, Infeasible, PracticalForm, Quality, TaskCandidate,
    TheoryForm, TopicCandidate, overlap_matrix,
};
use crate::bankfile;
use crate::error::{Error, Result};
use crate::model::{
    Answer, Blueprint, BlueprintKind, Difficulty, Entry, EntryKind, Importance, Level, Standard,
    default_p, standard_parent,
};
use crate::store::{IndexEntry, Vault};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What was built for one blueprint.
pub struct Built {
    pub blueprint: Blueprint,
    pub allocation: Option<Allocation>,
    /// The theory forms' balance, bound and gap (None for practical sets).
    pub quality: Option<Quality>,
    pub theory: Vec<TheoryForm>,
    pub practical: Vec<PracticalForm>,
}

/// Files for one form, and its manifest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub engine: String,
    pub qbank: String,
    pub bank_digest: String,
    pub blueprint_digest: String,
    pub blueprint: Blueprint,
    pub seed: u64,
    pub form: u32,
    pub occupation: String,
    pub level: u8,
    pub kind: String,
    /// (id, version) of every entry used, in paper order.
    pub items: Vec<(String, u32)>,
    /// Entry ids the usage ledger excluded (cooldown, exposure limit) when the form was built.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<String>,
    /// SHA-256 of each file of the form.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct AssembleOutcome {
    pub out: PathBuf,
    pub seed: u64,
    pub bank_digest: String,
    pub blueprints: Vec<BlueprintSummary>,
}

#[derive(Debug, Serialize)]
pub struct BlueprintSummary {
    pub id: String,
    pub dir: String,
    pub forms: u32,
    pub report: Value,
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The blueprint's digest, scheme 2 (`model::canon`): `jcs:` ‖ hex SHA-256(`"qbank-blueprint/2"`
/// ‖ 0 ‖ RFC 8785 JSON of the blueprint).
pub fn blueprint_digest(b: &Blueprint) -> String {
    crate::model::canon::tagged(crate::model::canon::canonical_sha256(
        "qbank-blueprint/2",
        b,
    ))
}

/// Whether `digest` is the digest of `b` in the scheme `digest` names: scheme 2 (`jcs:`), or
/// scheme 1 (plain hex: SHA-256 of `serde_json` of the blueprint, written before the canonical
/// form), so manifests made by earlier versions keep verifying.
pub fn blueprint_digest_matches(b: &Blueprint, digest: &str) -> bool {
    if crate::model::canon::is_canonical(digest) {
        blueprint_digest(b) == digest
    } else {
        sha(&serde_json::to_vec(b).expect("blueprints serialise")) == digest
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_vec_pretty(v).expect("json");
    s.push(b'\n');
    s
}

/// Reads and validates blueprint files against the store's standards.
pub fn read_blueprints(paths: &[PathBuf], standards: &[Standard]) -> Result<Vec<Blueprint>> {
    Ok(read_blueprints_at(paths, standards)?.0)
}

/// Where each blueprint is written: blueprint id → `file:line`, for diagnoses.
pub(crate) type BlueprintPlaces = BTreeMap<String, String>;

/// As [`read_blueprints`], with where each one is written.
pub(crate) fn read_blueprints_at(
    paths: &[PathBuf],
    standards: &[Standard],
) -> Result<(Vec<Blueprint>, BlueprintPlaces)> {
    let files = read_bank_files(paths)?;
    let (bank, problems) = bankfile::check(&files, standards);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    if bank.blueprints.is_empty() {
        return Err(Error::Usage(
            "no blueprint ([blueprint] table) found in the given files".into(),
        ));
    }
    let places = bank
        .blueprints
        .iter()
        .map(|b| (b.value.id.to_string(), format!("{}:{}", b.file, b.line)))
        .collect();
    Ok((
        bank.blueprints.into_iter().map(|b| b.value).collect(),
        places,
    ))
}

fn candidates(
    std: &Standard,
    index: &[IndexEntry],
    overlay: Option<&str>,
) -> (Vec<Candidate>, Vec<TaskCandidate>, Vec<TopicCandidate>) {
    let mut items = Vec::new();
    let mut tasks = Vec::new();
    let mut topics = Vec::new();
    for e in index {
        // an enterprise's own items go only into that enterprise's papers
        if e.meta.overlay.is_some() && e.meta.overlay.as_deref() != overlay {
            continue;
        }
        match e.kind {
            EntryKind::Item => {
                let Some(t) = crate::model::ItemType::parse(&e.type_label) else {
                    continue;
                };
                let difficulty = e.meta.difficulty.unwrap_or(Difficulty::Medium);
                let point = std.point(e.level, &e.clause);
                items.push(Candidate {
                    id: e.id.clone(),
                    version: e.version,
                    clause: e.clause.clone(),
                    item_type: t,
                    difficulty,
                    p: e.meta.p.unwrap_or(default_p(difficulty)),
                    importance: e
                        .meta
                        .importance
                        .or(point.map(|p| p.importance))
                        .unwrap_or(Importance::Y),
                    enemy: e.meta.enemy.clone(),
                    status: e.status,
                });
            }
            EntryKind::Task => tasks.push(TaskCandidate {
                id: e.id.clone(),
                version: e.version,
                modules: e.meta.modules.clone(),
                minutes: e.meta.minutes.unwrap_or(0),
                points: e.meta.points.unwrap_or(100.0),
                work_types: e.meta.work_types.clone(),
                site: e.meta.site.clone(),
                status: e.status,
            }),
            EntryKind::Defence => topics.push(TopicCandidate {
                id: e.id.clone(),
                version: e.version,
                module: e.meta.modules.first().cloned().unwrap_or_default(),
                status: e.status,
            }),
        }
    }
    (items, tasks, topics)
}

/// How many consecutive sittings `bp` can sustain at `cooldown` (its own when None), by counting
/// the store's current pool (index metadata only); None for practical blueprints.
pub fn sustain_of(
    vault: &Vault,
    standards: &[Standard],
    bp: &Blueprint,
    cooldown: Option<u32>,
) -> Result<Option<assemble::Sustain>> {
    let Some(std) = standards
        .iter()
        .find(|s| s.occupation.code == bp.occupation)
    else {
        return Ok(None);
    };
    let index = vault.index(Some(&bp.occupation), Some(bp.level))?;
    let (items, _, _) = candidates(std, &index, bp.overlay.as_deref());
    Ok(assemble::sustainable(
        bp,
        &items,
        cooldown.unwrap_or(bp.cooldown),
    ))
}

/// The near-duplicate pairs among the theory items of one occupation-level's index. The items
/// are decrypted for the screen in memory only; what reaches the assembler is the pairs' ids.
fn near_pairs_of(vault: &Vault, index: &[IndexEntry]) -> Result<Vec<super::bankscreen::NearPair>> {
    let items: Vec<IndexEntry> = index
        .iter()
        .filter(|e| e.kind == EntryKind::Item)
        .cloned()
        .collect();
    let entries = vault.entries(&items)?;
    let theory: Vec<&crate::model::TheoryItem> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Item(i) => Some(i),
            _ => None,
        })
        .collect();
    Ok(super::bankscreen::near_pairs(&theory))
}

/// Builds every form of `bp` from the store's current bank: selection on metadata, with the
/// level's near-duplicate pairs joined into the enemy groups.
pub fn build(
    vault: &Vault,
    standards: &[Standard],
    bp: &Blueprint,
    seed: u64,
    excluded: &BTreeSet<String>,
) -> Result<std::result::Result<Built, Infeasible>> {
    let std = standards
        .iter()
        .find(|s| s.occupation.code == bp.occupation)
        .ok_or_else(|| {
            Error::Usage(format!(
                "the store has no standard for occupation {}",
                bp.occupation
            ))
        })?;
    let index = vault.index(Some(&bp.occupation), Some(bp.level))?;
    let (mut items, tasks, topics) = candidates(std, &index, bp.overlay.as_deref());
    if bp.is_theory() {
        let pairs = near_pairs_of(vault, &index)?;
        super::bankscreen::join_enemies(&mut items, &pairs);
    }
    Ok(match &bp.kind {
        BlueprintKind::Theory { .. } => assemble::assemble_theory(std, bp, &items, excluded, seed)
            .map(|(a, forms, q)| Built {
                blueprint: bp.clone(),
                allocation: Some(a),
                quality: Some(q),
                theory: forms,
                practical: Vec::new(),
            }),
        BlueprintKind::Practical { .. } => {
            assemble::assemble_practical(std, bp, &tasks, &topics, excluded, seed).map(|forms| {
                Built {
                    blueprint: bp.clone(),
                    allocation: None,
                    quality: None,
                    theory: Vec::new(),
                    practical: forms,
                }
            })
        }
    })
}

fn clause_path(std: &Standard, level: Level, code: &str) -> Vec<String> {
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

fn scheme_json(i: &crate::model::TheoryItem, points: f64) -> Value {
    let total: f64 = i.scheme.iter().map(|s| s.marks).sum();
    Value::Array(
        i.scheme
            .iter()
            .map(|s| json!({ "step": s.step, "marks": (s.marks * points / total * 100.0).round() / 100.0 }))
            .collect(),
    )
}

/// Renders one form's files: (name, bytes) pairs, paper first.
fn render_theory(
    std: &Standard,
    bp: &Blueprint,
    form: &TheoryForm,
    entries: &HashMap<(String, u32), Entry>,
) -> Vec<(String, Vec<u8>)> {
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
            let mut item = json!({
                "n": n, "id": p.id, "version": p.version, "clause": p.clause,
                "clause_path": clause_path(std, bp.level, &p.clause), "type": p.item_type,
                "points": p.points, "difficulty": p.difficulty, "p": p.p, "importance": p.importance,
                "stem": i.stem, "options": i.options,
            });
            if i.fixed_order {
                item["fixed_order"] = json!(true);
            }
            items.push(item);
            let answer = match &i.answer {
                Answer::Text(t) => json!(t),
                Answer::Blanks(b) => json!(b),
            };
            let mut a = json!({ "n": n, "id": p.id, "version": p.version, "answer": answer });
            if !i.scheme.is_empty() {
                a["scheme"] = scheme_json(i, p.points);
            }
            if let Some(x) = &i.explanation {
                a["explanation"] = json!(x);
            }
            answers.push(a);
        }
        paper_sections.push(json!({ "type": sec.item_type, "count": sec.count, "points_each": sec.points, "items": items }));
    }
    let head = head_json(std, bp, form.form);
    let mut paper = head.clone();
    paper["sections"] = Value::Array(paper_sections);
    let mut key = head;
    key["answers"] = Value::Array(answers);
    vec![
        ("paper.json".into(), pretty(&paper)),
        ("key.json".into(), pretty(&key)),
    ]
}

fn head_json(std: &Standard, bp: &Blueprint, form: u32) -> Value {
    json!({
        "occupation": bp.occupation, "occupation_name": std.occupation.name,
        "level": bp.level.code(), "level_name": bp.level.to_string(),
        "kind": if bp.is_theory() { "theory" } else { "practical" },
        "blueprint": bp.id, "form": form, "minutes": bp.minutes,
        "standard": std.id,
    })
}

fn render_practical(
    std: &Standard,
    bp: &Blueprint,
    form: &PracticalForm,
    entries: &HashMap<(String, u32), Entry>,
) -> Vec<(String, Vec<u8>)> {
    let mut modules = Vec::new();
    let mut marking = Vec::new();
    for m in &form.modules {
        let mut tasks = Vec::new();
        for t in &m.tasks {
            let Some(Entry::Task(task)) = entries.get(&(t.id.clone(), t.version)) else {
                continue;
            };
            tasks.push(json!({
                "id": t.id, "version": t.version, "title": task.title, "minutes": t.minutes,
                "points": m.points, "text": task.text, "site": task.site, "candidate": task.candidate,
                "work_types": task.work_types,
            }));
            marking.push(json!({
                "module": m.function, "id": t.id, "version": t.version, "title": task.title, "points": m.points,
                "rubric": task.rubric.iter().map(|r| json!({
                    "element": r.element, "points": (r.points * t.scale * 100.0).round() / 100.0, "criteria": r.criteria,
                })).collect::<Vec<_>>(),
            }));
        }
        modules.push(json!({ "function": m.function, "name": m.name, "choice": m.choice, "weight": m.weight, "points": m.points, "tasks": tasks }));
    }
    let mut defence = Vec::new();
    let mut defence_key = Vec::new();
    for (id, v) in &form.defence {
        if let Some(Entry::Defence(d)) = entries.get(&(id.clone(), *v)) {
            let module_name = std.function(&d.module).map(|f| f.name.clone());
            defence.push(json!({ "id": id, "version": v, "module": d.module, "module_name": module_name, "topic": d.topic }));
            defence_key.push(json!({ "id": id, "version": v, "reference": d.reference }));
        }
    }
    let head = head_json(std, bp, form.form);
    let mut paper = head.clone();
    paper["modules"] = Value::Array(modules);
    paper["task_minutes"] = json!(form.minutes);
    paper["defence"] = Value::Array(defence);
    let mut key = head;
    key["marking"] = Value::Array(marking);
    key["defence"] = Value::Array(defence_key);
    vec![
        ("paper.json".into(), pretty(&paper)),
        ("key.json".into(), pretty(&key)),
    ]
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

/// One form's files (paper first, then key) and its manifest.
pub struct RenderedForm {
    pub form: u32,
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
        let files = if bp.is_theory() {
            render_theory(
                std,
                bp,
                built.theory.iter().find(|f| f.form == form).expect("form"),
                &entries,
            )
        } else {
            render_practical(
                std,
                bp,
                built
                    .practical
                    .iter()
                    .find(|f| f.form == form)
                    .expect("form"),
                &entries,
            )
        };
        let manifest = Manifest {
            engine: ENGINE.into(),
            qbank: env!("CARGO_PKG_VERSION").into(),
            bank_digest: bank_digest.into(),
            blueprint_digest: blueprint_digest(bp),
            blueprint: bp.clone(),
            seed,
            form,
            occupation: bp.occupation.to_string(),
            level: bp.level.code(),
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
            files,
            manifest,
        });
    }
    Ok(out)
}

/// The quality report of one blueprint's forms.
pub fn report(std: &Standard, built: &Built) -> Value {
    let bp = &built.blueprint;
    if !bp.is_theory() {
        let sets: Vec<Value> = built
            .practical
            .iter()
            .map(|f| json!({
                "form": f.form, "task_minutes": f.minutes, "limit": bp.minutes,
                "modules": f.modules.iter().map(|m| json!({ "function": m.function, "choice": m.choice, "points": m.points, "tasks": m.tasks.iter().map(|t| &t.id).collect::<Vec<_>>() })).collect::<Vec<_>>(),
                "work_types": f.modules.iter().flat_map(|m| m.tasks.iter().flat_map(|t| t.work_types.iter())).collect::<BTreeSet<_>>(),
                "defence": f.defence.iter().map(|d| &d.0).collect::<Vec<_>>(),
            }))
            .collect();
        let ids: Vec<BTreeSet<&str>> = built
            .practical
            .iter()
            .map(|f| f.task_ids().into_iter().collect())
            .collect();
        let overlap: Vec<Vec<usize>> = ids
            .iter()
            .map(|a| ids.iter().map(|b| a.intersection(b).count()).collect())
            .collect();
        return json!({ "blueprint": bp.id, "kind": "practical", "sets": sets, "overlap": overlap });
    }
    let alloc = built.allocation.as_ref().expect("theory has an allocation");
    let points_at: usize = std.points_at(bp.level).count();
    let forms: Vec<Value> = built
        .theory
        .iter()
        .map(|f| {
            let total: f64 = f.items.iter().map(|i| i.points).sum();
            let mut mix = BTreeMap::new();
            for d in Difficulty::ALL {
                let pts: f64 = f
                    .items
                    .iter()
                    .filter(|i| i.difficulty == *d)
                    .map(|i| i.points)
                    .sum();
                mix.insert(d.as_str(), (pts / total * 1000.0).round() / 10.0);
            }
            let x: f64 = f
                .items
                .iter()
                .filter(|i| i.importance == Importance::X)
                .map(|i| i.points)
                .sum();
            let mut rows = Vec::new();
            for r in &alloc.rows {
                let pts: f64 = f
                    .items
                    .iter()
                    .filter(|i| {
                        crate::model::standard_function(&i.clause) == r.row
                            || standard_parent(&i.clause) == Some(r.row.as_str())
                    })
                    .map(|i| i.points)
                    .sum();
                rows.push(json!({ "row": r.row, "weight": r.weight, "points": pts }));
            }
            let points_used: BTreeSet<&str> = f.items.iter().map(|i| i.clause.as_str()).collect();
            json!({
                "form": f.form, "items": f.items.len(), "points": total,
                "mean_p": (f.mean_p() * 10000.0).round() / 10000.0,
                "difficulty_percent_of_points": mix,
                "x_percent_of_points": (x / total * 1000.0).round() / 10.0,
                "points_covered": points_used.len(), "points_at_level": points_at,
                "fit": rows,
            })
        })
        .collect();
    let means: Vec<f64> = built.theory.iter().map(TheoryForm::mean_p).collect();
    let spread = means.iter().cloned().fold(f64::MIN, f64::max)
        - means.iter().cloned().fold(f64::MAX, f64::min);
    json!({
        "blueprint": bp.id, "kind": "theory", "allocation": alloc, "forms": forms,
        "mean_p_spread": (spread * 10000.0).round() / 10000.0,
        "overlap": overlap_matrix(&built.theory),
        "quality": built.quality.as_ref().map(quality_json),
    })
}

/// The objective terms, the bound and the gap, rounded for the report (the exact values are
/// recomputed by `verify`, never read back).
fn quality_json(q: &Quality) -> Value {
    let r = |x: f64, k: f64| (x * k).round() / k;
    let t = &q.terms;
    json!({
        "objective": r(q.objective, 1e4),
        "lower_bound": r(q.bound, 1e4),
        "gap": r(q.gap, 1e4),
        "proven_optimal": q.gap <= 1e-9,
        "terms": {
            "function_points_off": r(t.function_points_off, 1e4),
            "difficulty_points_off": r(t.difficulty_points_off, 1e4),
            "mean_p_spread": r(t.mean_p_spread, 1e6),
            "mean_p_off_target": r(t.mean_p_off, 1e6),
            "x_points_short": r(t.x_points_short, 1e4),
            "content_items_off": t.content_items_off,
            "point_repeats": t.point_repeats,
        },
        "weights": {
            "function": assemble::W_FUNCTION, "difficulty": assemble::W_DIFFICULTY,
            "mean_p": assemble::W_MEAN_P, "x": assemble::W_X,
        },
        "search": { "chains": q.search.chains, "moves": q.search.moves, "reached_bound": q.search.reached_bound },
    })
}

/// Human text of a report.
pub fn report_text(built: &Built, report: &Value) -> String {
    report_text_as(built, report, false)
}

/// The report as a sitting writes it beside its sealed packages, in clear: practical and
/// defence sets by counts only (no drawn task or topic, its minutes or 工种, which would narrow
/// down what an unreleased package holds).
pub fn public_report_text(built: &Built, report: &Value) -> String {
    report_text_as(built, report, true)
}

fn report_text_as(built: &Built, report: &Value, public: bool) -> String {
    let mut s = format!(
        "blueprint {} ({} {})\n",
        built.blueprint.id, built.blueprint.occupation, built.blueprint.level
    );
    if let Some(a) = &built.allocation {
        s += &a.render();
        for f in report["forms"].as_array().into_iter().flatten() {
            s += &format!(
                "form {}: {} items, {} points, mean p {}, difficulty {} , X {}% of points, 鉴定点 {}/{}\n",
                f["form"],
                f["items"],
                f["points"],
                f["mean_p"],
                f["difficulty_percent_of_points"],
                f["x_percent_of_points"],
                f["points_covered"],
                f["points_at_level"]
            );
        }
        s += &format!("mean p spread between forms: {}\n", report["mean_p_spread"]);
        let q = &report["quality"];
        if !q.is_null() {
            let t = &q["terms"];
            s += &format!(
                "balance: objective {} = {}·D1 {} (weight table) + {}·D2 {} (difficulty mix) + {}·D3 {} (mean p spread){}; lower bound {}, gap {}{}\n",
                q["objective"],
                assemble::W_FUNCTION,
                t["function_points_off"],
                assemble::W_DIFFICULTY,
                t["difficulty_points_off"],
                assemble::W_MEAN_P,
                t["mean_p_spread"],
                if t["x_points_short"].as_f64().is_some_and(|x| x > 0.0)
                    || t["mean_p_off_target"].as_f64().is_some_and(|x| x > 0.0)
                {
                    format!(
                        " + X short {} + mean p off target {}",
                        t["x_points_short"], t["mean_p_off_target"]
                    )
                } else {
                    String::new()
                },
                q["lower_bound"],
                q["gap"],
                if q["proven_optimal"] == true {
                    " (optimal)"
                } else {
                    ""
                }
            );
            s += &format!(
                "工作内容 split off by {} item(s) in all, {} pair(s) of items sharing a 鉴定点; search: {} moves in {} chains\n",
                t["content_items_off"],
                t["point_repeats"],
                q["search"]["moves"],
                q["search"]["chains"]
            );
        }
    } else if public {
        for f in report["sets"].as_array().into_iter().flatten() {
            let n = |v: &Value| v.as_array().map_or(0, Vec::len);
            s += &format!(
                "set {}: {} module(s), {} defence topic(s), within the {}-minute limit\n",
                f["form"],
                n(&f["modules"]),
                n(&f["defence"]),
                f["limit"]
            );
        }
    } else {
        for f in report["sets"].as_array().into_iter().flatten() {
            s += &format!(
                "set {}: {} of {} minutes, modules {}, 工种 {}, defence {}\n",
                f["form"],
                f["task_minutes"],
                f["limit"],
                f["modules"],
                f["work_types"],
                f["defence"]
            );
        }
    }
    s += "overlap (shared entries between forms):\n";
    for row in report["overlap"].as_array().into_iter().flatten() {
        s += &format!(
            "  {}\n",
            row.as_array()
                .into_iter()
                .flatten()
                .map(|v| format!("{:>4}", v.as_u64().unwrap_or(0)))
                .collect::<String>()
        );
    }
    s
}

/// Builds every blueprint in parallel, each with the exclusions the usage ledger gives it; any
/// infeasible blueprint fails the whole call with every diagnosis, each naming where its
/// blueprint is written (`places`).
pub(crate) fn build_all(
    vault: &Vault,
    standards: &[Standard],
    bps: &[Blueprint],
    places: &BlueprintPlaces,
    seed: u64,
    progress: &dyn Progress,
) -> Result<(Vec<Built>, Vec<BTreeSet<String>>)> {
    progress.phase("assembling", bps.len() as u64);
    let exclusions: Vec<BTreeSet<String>> = bps
        .iter()
        .map(|bp| super::sitting::exclusions(vault, bp))
        .collect::<Result<_>>()?;
    let built: Vec<std::result::Result<Built, Infeasible>> = bps
        .par_iter()
        .zip(exclusions.par_iter())
        .map(|(bp, excluded)| build(vault, standards, bp, seed, excluded))
        .collect::<Result<_>>()?;
    let failures: Vec<Infeasible> = built
        .iter()
        .filter_map(|b| b.as_ref().err().cloned())
        .map(|mut f| {
            f.at = places.get(&f.blueprint).cloned().unwrap_or_default();
            f
        })
        .collect();
    if !failures.is_empty() {
        progress.finish();
        return Err(Error::Infeasible(failures));
    }
    Ok((
        built.into_iter().map(|b| b.expect("checked")).collect(),
        exclusions,
    ))
}

/// Assembles every blueprint and writes all outputs under `out` (which must be new or empty).
/// Nothing is written unless every blueprint can be met.
pub fn assemble(
    cfg: &StoreConfig,
    blueprints: &[PathBuf],
    seed: u64,
    forms: Option<u32>,
    out: &Path,
    replace: bool,
    progress: &dyn Progress,
) -> Result<AssembleOutcome> {
    if super::files::is_nonempty_dir(out)? && !(replace && is_assembly_output(out)) {
        return Err(Error::Usage(format!(
            "{} is not empty; write papers into a new or empty folder{}",
            out.display(),
            if replace {
                " (--replace only replaces an earlier qbank assemble output)"
            } else {
                ", or pass --replace to replace an earlier output"
            }
        )));
    }
    let mut vault = cfg.open()?;
    let standards = vault.standards()?;
    let (mut bps, places) = read_blueprints_at(blueprints, &standards)?;
    if let Some(n) = forms {
        if !(1..=crate::model::MAX_FORMS).contains(&n) {
            return Err(Error::Usage(format!(
                "--forms must be between 1 and {} (as a blueprint's forms)",
                crate::model::MAX_FORMS
            )));
        }
        bps.iter_mut().for_each(|b| b.forms = n);
    }
    let bank_digest = vault.digest()?.to_string();
    let (built, exclusions) = build_all(&vault, &standards, &bps, &places, seed, progress)?;
    progress.phase("rendering", built.len() as u64);
    let tmp = super::files::partial_dir(out);
    let write = |rel: PathBuf, bytes: &[u8]| super::files::write_under(&tmp, rel, bytes);
    let mut summaries = Vec::new();
    for (b, excluded) in built.iter().zip(&exclusions) {
        let std = standards
            .iter()
            .find(|s| s.occupation.code == b.blueprint.occupation)
            .expect("found in build");
        let dir = b.blueprint.id.clone();
        for RenderedForm {
            form,
            files,
            manifest,
        } in render(&vault, std, b, seed, &bank_digest, excluded)?
        {
            let fdir = Path::new(&dir).join(format!("form-{form:02}"));
            for (name, bytes) in &files {
                write(fdir.join(name), bytes)?;
            }
            write(
                fdir.join("manifest.json"),
                &pretty(&serde_json::to_value(&manifest).expect("json")),
            )?;
        }
        let rep = report(std, b);
        write(Path::new(&dir).join("report.json"), &pretty(&rep))?;
        write(
            Path::new(&dir).join("report.txt"),
            report_text(b, &rep).as_bytes(),
        )?;
        summaries.push(BlueprintSummary {
            id: b.blueprint.id.clone(),
            dir,
            forms: b.blueprint.forms,
            report: rep,
        });
    }
    let forms: Vec<Value> = built
        .iter()
        .map(|b| json!({ "blueprint": b.blueprint.id, "forms": b.blueprint.forms, "blueprint_digest": blueprint_digest(&b.blueprint) }))
        .collect();
    if let Err(e) = vault.commit(
        Vec::new(),
        crate::store::AuditEvent::new(
            "assemble",
            json!({ "seed": seed, "bank_digest": bank_digest, "out": out.display().to_string(), "papers": forms }),
        ),
    ) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    super::files::move_into_place(&tmp, out, true)?;
    progress.finish();
    Ok(AssembleOutcome {
        out: out.to_path_buf(),
        seed,
        bank_digest,
        blueprints: summaries,
    })
}

/// Whether `dir` holds only what `assemble` writes: blueprint folders with a report.
fn is_assembly_output(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut it| {
        it.all(|e| e.is_ok_and(|e| e.path().is_dir() && e.path().join("report.json").is_file()))
    })
}

/// The verdict on one form.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub manifest: String,
    pub blueprint: String,
    pub form: u32,
    /// The current bank, blueprint and seed rebuild exactly these files.
    pub identical: bool,
    /// The files are exactly what the entry versions the manifest records render to (true for a
    /// past paper whose items have since been revised: old versions are kept).
    pub genuine: bool,
    pub differences: Vec<String>,
    /// For an organisation copy of a sitting (its `copy.json`): the copy code; it was checked
    /// against the sitting's record, not rebuilt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
}

/// Re-renders a theory form from the entry versions its manifest records (not a new selection).
fn render_recorded(
    vault: &Vault,
    standards: &[Standard],
    m: &Manifest,
) -> Result<Option<crate::package::Documents>> {
    let bp = &m.blueprint;
    let BlueprintKind::Theory { sections, .. } = &bp.kind else {
        return Ok(None);
    };
    let Some(std) = standards
        .iter()
        .find(|s| s.occupation.code == bp.occupation)
    else {
        return Ok(None);
    };
    let mut section_of = Vec::new();
    for (k, sec) in sections.iter().enumerate() {
        section_of.extend(std::iter::repeat_n((k, sec.points), sec.count as usize));
    }
    if section_of.len() != m.items.len() {
        return Ok(None);
    }
    let mut entries = HashMap::new();
    let mut items = Vec::new();
    for ((id, version), (section, points)) in m.items.iter().zip(section_of) {
        let e = match vault.entry(id, Some(*version)) {
            Ok(e) => e,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Entry::Item(i) = &e else { return Ok(None) };
        let point = std.point(bp.level, &i.clause);
        items.push(crate::assemble::Picked {
            section,
            content: standard_parent(&i.clause).unwrap_or_default().to_string(),
            id: id.clone(),
            version: *version,
            clause: i.clause.clone(),
            item_type: i.item_type,
            points,
            difficulty: i.difficulty,
            p: i.p.unwrap_or(default_p(i.difficulty)),
            importance: i
                .importance
                .or(point.map(|p| p.importance))
                .unwrap_or(Importance::Y),
        });
        entries.insert((id.clone(), *version), e);
    }
    let form = TheoryForm {
        form: m.form,
        items,
    };
    Ok(Some(render_theory(std, bp, &form, &entries)))
}

fn manifests_under(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_dir() {
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io("list", path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.sort();
        for c in children {
            manifests_under(&c, out)?;
        }
    } else if path
        .file_name()
        .is_some_and(|n| n == "manifest.json" || n == "copy.json")
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Rebuilds each paper under `path` (a folder, a form folder, or one of a form's files) from its
/// manifest and the store, and compares.
pub fn verify(cfg: &StoreConfig, path: &Path) -> Result<Vec<Verdict>> {
    let mut manifests = Vec::new();
    let start = if path.is_file() {
        path.parent().unwrap_or(path).to_path_buf()
    } else {
        path.to_path_buf()
    };
    manifests_under(&start, &mut manifests)?;
    if manifests.is_empty() {
        return Err(Error::Usage(format!(
            "no manifest.json (assembled paper) or copy.json (opened sitting copy) under {}",
            start.display()
        )));
    }
    let vault = cfg.open()?;
    // organisation copies of a sitting: checked against what its record says was issued
    let (copies, manifests): (Vec<PathBuf>, Vec<PathBuf>) = manifests
        .into_iter()
        .partition(|p| p.file_name().is_some_and(|n| n == "copy.json"));
    let mut copy_verdicts = Vec::new();
    for c in &copies {
        copy_verdicts.extend(super::issued::verify_copy(&vault, c)?);
    }
    if manifests.is_empty() {
        return Ok(copy_verdicts);
    }
    let standards = vault.standards()?;
    let digest = vault.digest()?.to_string();
    let mut verdicts = Vec::new();
    // one rebuild per (blueprint, seed), shared by its forms
    let mut rebuilt_cache: HashMap<(String, u64, Vec<String>), Option<Vec<RenderedForm>>> =
        HashMap::new();
    for mpath in manifests {
        let text = std::fs::read(&mpath).map_err(|e| Error::io("read", &mpath, e))?;
        let m: Manifest = serde_json::from_slice(&text)
            .map_err(|e| Error::Usage(format!("{}: not a qbank manifest: {e}", mpath.display())))?;
        let mut diffs = Vec::new();
        if m.engine != ENGINE {
            diffs.push(format!(
                "built by {}, this qbank assembles with {ENGINE}",
                m.engine
            ));
        }
        if m.bank_digest != digest {
            diffs.push(format!(
                "the bank changed: the paper was drawn from {}, the store now holds {digest}",
                m.bank_digest
            ));
        }
        if !blueprint_digest_matches(&m.blueprint, &m.blueprint_digest) {
            diffs.push("the blueprint in the manifest does not match its digest".into());
        }
        let dir = mpath.parent().unwrap_or(Path::new("."));
        for (name, want) in &m.files {
            match std::fs::read(dir.join(name)) {
                Ok(b) if sha(&b) == *want => {}
                Ok(_) => diffs.push(format!(
                    "{name} on disk differs from the manifest (edited after assembly)"
                )),
                Err(_) => diffs.push(format!("{name} is missing")),
            }
        }
        let key = (m.blueprint_digest.clone(), m.seed, m.excluded.clone());
        let excluded: BTreeSet<String> = m.excluded.iter().cloned().collect();
        if !rebuilt_cache.contains_key(&key) {
            let forms = match build(&vault, &standards, &m.blueprint, m.seed, &excluded) {
                // e.g. a manifest for an occupation this store does not hold: a verdict, not an abort
                Err(Error::Usage(why)) => {
                    diffs.push(format!("cannot be rebuilt here: {why}"));
                    None
                }
                Err(e) => return Err(e),
                Ok(Err(inf)) => {
                    diffs.push(format!(
                        "cannot be rebuilt from the current bank: {}",
                        inf.reasons.join("; ")
                    ));
                    None
                }
                Ok(Ok(b)) => {
                    let std = standards
                        .iter()
                        .find(|s| s.occupation.code == m.blueprint.occupation)
                        .expect("built");
                    Some(render(&vault, std, &b, m.seed, &m.bank_digest, &excluded)?)
                }
            };
            rebuilt_cache.insert(key.clone(), forms);
        } else if rebuilt_cache[&key].is_none() {
            diffs.push("cannot be rebuilt from the current bank (see the other forms)".into());
        }
        if let Some(forms) = &rebuilt_cache[&key] {
            match forms.iter().find(|r| r.form == m.form) {
                None => diffs.push(format!("the blueprint no longer yields form {}", m.form)),
                Some(RenderedForm {
                    files,
                    manifest: again,
                    ..
                }) => {
                    let old: BTreeSet<&(String, u32)> = m.items.iter().collect();
                    let new: BTreeSet<&(String, u32)> = again.items.iter().collect();
                    let gone: Vec<String> = old
                        .difference(&new)
                        .map(|(i, v)| format!("{i} v{v}"))
                        .collect();
                    let came: Vec<String> = new
                        .difference(&old)
                        .map(|(i, v)| format!("{i} v{v}"))
                        .collect();
                    if !gone.is_empty() || !came.is_empty() {
                        diffs.push(format!(
                            "a rebuild picks different entries: without {} / with {}",
                            gone.join(", "),
                            came.join(", ")
                        ));
                    } else if m.items != again.items {
                        diffs.push("a rebuild orders the entries differently".into());
                    }
                    for (name, bytes) in files {
                        if m.files.get(name) != Some(&sha(bytes))
                            && gone.is_empty()
                            && came.is_empty()
                        {
                            diffs.push(format!(
                                "a rebuild renders {name} differently (entry content changed)"
                            ));
                        }
                    }
                }
            }
        }
        let on_disk_intact = !diffs
            .iter()
            .any(|d| d.contains("on disk differs") || d.contains("is missing"));
        let genuine = diffs.is_empty()
            || (on_disk_intact
                && render_recorded(&vault, &standards, &m)?.is_some_and(|files| {
                    files.iter().all(|(n, b)| m.files.get(n) == Some(&sha(b)))
                }));
        verdicts.push(Verdict {
            manifest: mpath.display().to_string(),
            blueprint: m.blueprint.id.clone(),
            form: m.form,
            identical: diffs.is_empty(),
            genuine,
            differences: diffs,
            copy: None,
        });
    }
    verdicts.extend(copy_verdicts);
    Ok(verdicts)
}
