//! Sittings (考试批次): plan → assemble every paper (in parallel) honouring the usage ledger →
//! one permuted copy per organisation → printable documents → one sealed package per
//! organisation; then the signed release at the start, and leak tracing afterwards. The sitting
//! record, its ledger entries and its audit entry are written in one atomic batch.

use super::assemble::{
    BlueprintPlaces, RenderedForm, blueprint_digest, read_blueprints_at, render,
};
use super::issued::{CopySource, Issued, IssuedCopy, copy_code, copy_plans, issue};
use super::org::{now, organisations};
use super::{Progress, StoreConfig, read_bank_files};
use crate::assemble::CopyPlan;
use crate::bankfile::{SourceFile, parse_sitting};
use crate::document::{self, CopyInfo, FormDocuments};
use crate::error::{Error, Result};
use crate::model::{
    Blueprint, Grade, OccupationCode, OrgStatus, Organisation, SittingPlan, Standard,
};
use crate::package::keys::{OrgPublic, OrgSecret, Secret32};
use crate::package::{self, Checkpoint, PackageManifest, PaperRef, Release};
use crate::render::{self, DocHeader};
use crate::store::{AuditEvent, Vault};
use crate::trace::{self, CopyText, PrintedQuestion, TraceReport};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// One blueprint of a sitting, as built.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SittingPaper {
    pub blueprint: Blueprint,
    pub blueprint_digest: String,
    /// Ids the ledger excluded when it was built.
    pub excluded: Vec<String>,
    /// (form, items) as assembled.
    pub forms: Vec<(u32, Vec<(String, u32)>)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PackageRecord {
    pub organisation: String,
    pub file: String,
    pub sha256: String,
    pub copies: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReleaseRecord {
    pub at: String,
    pub early: bool,
    pub reason: Option<String>,
    /// The signed release file, as issued.
    pub file: String,
}

/// The sealed record of a sitting (`t/<id>`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SittingRecord {
    pub plan: SittingPlan,
    pub plan_digest: String,
    pub seed: u64,
    pub bank_digest: String,
    pub created: String,
    /// Records sealed before per-organisation release keys: the sitting's one release key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_key: Option<Secret32>,
    /// Each organisation's release key (its package opens only with it; the release carries it
    /// sealed to the organisation, or leaves it out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub release_keys: BTreeMap<String, Secret32>,
    /// The secret the copies were drawn from (absent from records sealed before it existed,
    /// whose copies came from the public seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_secret: Option<Secret32>,
    pub papers: Vec<SittingPaper>,
    pub packages: Vec<PackageRecord>,
    pub checkpoint: Checkpoint,
    pub release: Option<ReleaseRecord>,
    /// Every organisation copy of every theory form as issued: the entry version at each
    /// printed position and the option order. Absent from records sealed before it was kept
    /// (those are rebuilt from `papers`, see `issued.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<IssuedCopy>,
}

/// One ledger entry (`u/<occupation>/<level>/<seq:012>`): what a sitting used.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub sitting: String,
    pub blueprint: String,
    pub items: Vec<(String, u32)>,
}

fn sitting_key(id: &str) -> String {
    format!("t/{id}")
}

fn ledger_prefix(occ: &OccupationCode, level: Grade) -> String {
    format!("u/{occ}/{}/", level.key())
}

/// Entry ids a new paper of `bp` may not use: those in the last `cooldown` sittings of its
/// occupation-level, and those already used in `max_exposures` sittings.
pub fn exclusions(vault: &Vault, bp: &Blueprint) -> Result<BTreeSet<String>> {
    let entries: Vec<(String, LedgerEntry)> =
        vault.records(&ledger_prefix(&bp.occupation, bp.level))?;
    // sittings in ledger order (keys carry the audit sequence number), newest last
    let mut sittings: Vec<&str> = Vec::new();
    for (_, e) in &entries {
        if !sittings.contains(&e.sitting.as_str()) {
            sittings.push(&e.sitting);
        }
    }
    let recent: BTreeSet<&str> = sittings
        .iter()
        .rev()
        .take(bp.cooldown as usize)
        .copied()
        .collect();
    let mut out = BTreeSet::new();
    let mut exposures: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (_, e) in &entries {
        for (id, _) in &e.items {
            if recent.contains(e.sitting.as_str()) {
                out.insert(id.clone());
            }
            exposures.entry(id).or_default().insert(&e.sitting);
        }
    }
    if let Some(limit) = bp.max_exposures {
        for (id, s) in exposures {
            if s.len() >= limit as usize {
                out.insert(id.to_string());
            }
        }
    }
    Ok(out)
}

/// What `qbank sitting PLAN --check` found: the plan is valid against the catalog and the
/// blueprints, and per paper the consecutive sittings its pool sustains at the cooldown it would
/// run with (the plan's relaxed one, else the blueprint's) and at the blueprint's own.
#[derive(Debug, Serialize)]
pub struct PlanCheck {
    pub sitting: String,
    pub papers: Vec<PaperCheck>,
}

#[derive(Debug, Serialize)]
pub struct PaperCheck {
    pub blueprint: String,
    pub cooldown: u32,
    pub blueprint_cooldown: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown_reason: Option<String>,
    /// None for practical sets.
    pub sustain: Option<crate::assemble::Sustain>,
    /// Items the usage ledger excludes now (cooldown, exposure limit).
    pub excluded: usize,
}

/// The blueprints of a plan's `blueprints` folders (paths relative to the plan file) by id, with
/// where each is written; only files holding a `[blueprint]` table are read as blueprints.
fn plan_blueprints(
    plan: &SittingPlan,
    plan_path: &Path,
    standards: &[Standard],
) -> Result<(BTreeMap<String, Blueprint>, BlueprintPlaces)> {
    let base = plan_path.parent().unwrap_or(Path::new("."));
    let bp_paths: Vec<PathBuf> = plan.blueprints.iter().map(|p| base.join(p)).collect();
    let bp_files: Vec<PathBuf> = read_bank_files(&bp_paths)?
        .into_iter()
        .filter(|f| f.text.contains("[blueprint]"))
        .map(|f| PathBuf::from(f.path))
        .collect();
    let (bps, places) = read_blueprints_at(&bp_files, standards)?;
    Ok((bps.into_iter().map(|b| (b.id.clone(), b)).collect(), places))
}

/// Checks a plan without assembling anything: the plan's rules, the catalog gate, and how many
/// consecutive sittings each paper's pool can sustain under its cooldown. Writes nothing.
pub fn check(cfg: &StoreConfig, plan_path: &Path) -> Result<PlanCheck> {
    let plan = read_plan(plan_path)?;
    let vault = cfg.open()?;
    let standards = vault.standards()?;
    let (all_bps, _) = plan_blueprints(&plan, plan_path, &standards)?;
    let catalog: BTreeMap<String, Organisation> = organisations(&vault)?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let problems = check_plan(plan_path, &plan, &all_bps, &catalog);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut papers = Vec::new();
    for p in &plan.papers {
        let mut b = all_bps[&p.blueprint].clone();
        let own = b.cooldown;
        if let Some(n) = p.forms {
            b.forms = n;
        }
        if let Some(c) = p.cooldown {
            b.cooldown = c;
        }
        papers.push(PaperCheck {
            blueprint: b.id.clone(),
            cooldown: b.cooldown,
            blueprint_cooldown: own,
            cooldown_reason: p.cooldown_reason.clone(),
            sustain: super::assemble::sustain_of(&vault, &standards, &b, None)?,
            excluded: exclusions(&vault, &b)?.len(),
        });
    }
    Ok(PlanCheck {
        sitting: plan.id,
        papers,
    })
}

/// What `qbank sitting` did.
#[derive(Debug, Serialize)]
pub struct SittingOutcome {
    pub sitting: String,
    pub out: PathBuf,
    pub seed: u64,
    pub bank_digest: String,
    /// The plan was already sealed with identical content; nothing was done.
    pub already: bool,
    /// The plan was already sealed but its output was never moved into place (a run stopped
    /// between its commit and the final rename): this run moved the sealed packages to `out`.
    pub completed: bool,
    pub packages: Vec<PackageRecord>,
    pub papers: Vec<(String, u32)>,
}

fn read_plan(path: &Path) -> Result<SittingPlan> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    parse_sitting(&SourceFile {
        path: path.display().to_string(),
        text,
    })
    .map_err(Error::Invalid)
}

fn plan_problem(plan_path: &Path, line: usize, message: String) -> crate::bankfile::Diagnostic {
    crate::bankfile::Diagnostic {
        file: plan_path.display().to_string(),
        line,
        message,
    }
}

/// Checks the plan against the catalog and the blueprints; every problem, located.
fn check_plan(
    plan_path: &Path,
    plan: &SittingPlan,
    blueprints: &BTreeMap<String, Blueprint>,
    catalog: &BTreeMap<String, Organisation>,
) -> Vec<crate::bankfile::Diagnostic> {
    let mut out = Vec::new();
    let mut offered: BTreeSet<(OccupationCode, Grade)> = BTreeSet::new();
    for p in &plan.papers {
        match blueprints.get(&p.blueprint) {
            None => out.push(plan_problem(
                plan_path,
                p.line,
                format!(
                    "no blueprint `{}` in {}",
                    p.blueprint,
                    plan.blueprints.join(", ")
                ),
            )),
            Some(b) => {
                offered.insert((b.occupation.clone(), b.level));
                if let Some(c) = p.cooldown.filter(|c| *c >= b.cooldown) {
                    out.push(plan_problem(
                        plan_path,
                        p.line,
                        format!(
                            "{}: cooldown {c} does not relax the blueprint's cooldown {} (a plan may only shorten it)",
                            b.id, b.cooldown
                        ),
                    ));
                }
                if let Some(owner) = &b.overlay {
                    for o in plan.organisations.iter().filter(|o| {
                        o.id != *owner && o.runs.contains(&(b.occupation.clone(), b.level))
                    }) {
                        out.push(plan_problem(
                            plan_path,
                            o.line,
                            format!(
                                "blueprint {} draws on {owner}'s own bank (overlay); organisation {} may not receive it",
                                b.id, o.id
                            ),
                        ));
                    }
                }
            }
        }
    }
    for o in &plan.organisations {
        let Some(org) = catalog.get(&o.id) else {
            out.push(plan_problem(
                plan_path,
                o.line,
                format!(
                    "organisation {} is not in the catalog (register it with `qbank org add`)",
                    o.id
                ),
            ));
            continue;
        };
        if org.status == OrgStatus::Suspended {
            let why = org
                .history
                .last()
                .map(|h| format!(" since {} ({})", h.at, h.reason))
                .unwrap_or_default();
            out.push(plan_problem(
                plan_path,
                o.line,
                format!(
                    "organisation {} ({}) is suspended{why}; it may not receive papers",
                    o.id, org.name
                ),
            ));
        }
        for (occ, level) in &o.runs {
            if !org.may_certify(occ, *level) {
                out.push(plan_problem(
                    plan_path,
                    o.line,
                    format!(
                        "organisation {} ({}) is not registered to certify {occ} {level}",
                        o.id, org.name
                    ),
                ));
            }
            if !offered.contains(&(occ.clone(), *level)) {
                out.push(plan_problem(
                    plan_path,
                    o.line,
                    format!(
                        "organisation {} runs {} but the plan has no paper for it",
                        o.id,
                        level.scope(occ)
                    ),
                ));
            }
        }
    }
    out
}

fn pretty(v: &impl Serialize) -> Vec<u8> {
    let mut s = serde_json::to_vec_pretty(v).expect("json");
    s.push(b'\n');
    s
}

fn date_label(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

/// The documents of one organisation copy of one form: the form's documents (permuted by `plan`
/// for a theory form) with `copy` saying whose they are, rendered, and the copy's `copy.json`.
fn copy_documents(
    dir: &str,
    form: &RenderedForm,
    plan: Option<&CopyPlan>,
    header: &DocHeader,
    mut copy: CopyInfo,
) -> Vec<(String, Vec<u8>)> {
    let mut docs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| docs.push((format!("{dir}/{name}"), bytes));
    match (&form.documents, plan) {
        (FormDocuments::Theory(paper, key), Some(plan)) => {
            let (mut p, mut k, questions) = document::permute(paper, key, plan);
            p.copy = Some(copy.clone());
            k.copy = Some(copy.clone());
            put(
                "paper.html",
                render::theory_paper_html(&p, header).into_bytes(),
            );
            put("paper.md", render::theory_paper_md(&p, header).into_bytes());
            put(
                "answer-sheet.html",
                render::theory_answer_sheet_html(&p, header).into_bytes(),
            );
            put(
                "key.html",
                render::theory_key_html(&p, &k, header).into_bytes(),
            );
            put("key.md", render::theory_key_md(&p, &k, header).into_bytes());
            put("paper.json", document::to_bytes(&p));
            put("key.json", document::to_bytes(&k));
            copy.questions = questions;
        }
        (FormDocuments::Theory(..), None) => {}
        (FormDocuments::Practical(paper, key), _) => {
            let mut p = paper.clone();
            let mut k = key.clone();
            p.copy = Some(copy.clone());
            k.copy = Some(copy.clone());
            if !p.modules.is_empty() {
                put(
                    "notice.html",
                    render::practical_notice_html(&p, header).into_bytes(),
                );
                put(
                    "notice.md",
                    render::practical_notice_md(&p, header).into_bytes(),
                );
                put(
                    "tasks.html",
                    render::practical_tasks_html(&p, header).into_bytes(),
                );
                put(
                    "tasks.md",
                    render::practical_tasks_md(&p, header).into_bytes(),
                );
                put(
                    "marking.html",
                    render::practical_marking_html(&p, &k, header).into_bytes(),
                );
                put(
                    "marking.md",
                    render::practical_marking_md(&p, &k, header).into_bytes(),
                );
            }
            if !p.defence.is_empty() {
                put(
                    "defence.html",
                    render::defence_html(&p, header).into_bytes(),
                );
                put("defence.md", render::defence_md(&p, header).into_bytes());
                put(
                    "defence-key.html",
                    render::defence_key_html(&p, &k, header).into_bytes(),
                );
                put(
                    "defence-key.md",
                    render::defence_key_md(&p, &k, header).into_bytes(),
                );
            }
            put("paper.json", document::to_bytes(&p));
            put("key.json", document::to_bytes(&k));
        }
    }
    put("copy.json", document::to_bytes(&copy));
    put("form-manifest.json", document::to_bytes(&form.manifest));
    docs
}

/// The hidden folder a sitting's output is written into before it is renamed to `out`.
fn sitting_partial(out: &Path) -> PathBuf {
    out.with_file_name(format!(
        ".{}.partial",
        out.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("sitting")
    ))
}

/// For a sitting already recorded: if `out` is absent or empty and the hidden folder beside it
/// holds exactly the packages the record names (every digest matching), the earlier run
/// committed but stopped before its final rename — move the folder into place now.
fn complete_output(out: &Path, packages: &[PackageRecord]) -> Result<bool> {
    let tmp = sitting_partial(out);
    if super::files::is_nonempty_dir(out)? || !tmp.is_dir() || !tmp.join("sitting.json").is_file() {
        return Ok(false);
    }
    for p in packages {
        let f = tmp.join(&p.file);
        match std::fs::read(&f) {
            Ok(bytes) if package::sha256_hex(&bytes) == p.sha256 => {}
            _ => return Ok(false),
        }
    }
    super::files::move_into_place(&tmp, out, false)?;
    Ok(true)
}

/// Plans, builds, renders and seals a sitting. `out` must be new or empty.
pub fn run(
    cfg: &StoreConfig,
    plan_path: &Path,
    out: &Path,
    progress: &dyn Progress,
) -> Result<SittingOutcome> {
    let plan = read_plan(plan_path)?;
    let plan_digest = package::sha256_hex(&serde_json::to_vec(&plan).expect("plan serialises"));
    let mut vault = cfg.open()?;
    if let Some(rec) = vault.get_record::<SittingRecord>(&sitting_key(&plan.id))? {
        if rec.plan_digest == plan_digest {
            let completed = complete_output(out, &rec.packages)?;
            return Ok(SittingOutcome {
                sitting: plan.id,
                out: out.to_path_buf(),
                seed: rec.seed,
                bank_digest: rec.bank_digest,
                already: true,
                completed,
                packages: rec.packages,
                papers: Vec::new(),
            });
        }
        return Err(Error::Exists {
            what: "sitting",
            id: format!(
                "{} (sealed {} from a different plan; give the new plan a new id)",
                plan.id, rec.created
            ),
        });
    }
    if super::files::is_nonempty_dir(out)? {
        return Err(Error::Usage(format!(
            "{} is not empty; write a sitting into a new or empty folder",
            out.display()
        )));
    }
    let standards = vault.standards()?;
    let (all_bps, places) = plan_blueprints(&plan, plan_path, &standards)?;
    let catalog: BTreeMap<String, Organisation> = organisations(&vault)?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let problems = check_plan(plan_path, &plan, &all_bps, &catalog);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let seed = match plan.seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
            u64::from_be_bytes(b) >> 11 // short enough to read out; recorded in the sitting
        }
    };
    let bps: Vec<Blueprint> = plan
        .papers
        .iter()
        .map(|p| {
            let mut b = all_bps[&p.blueprint].clone();
            if let Some(n) = p.forms {
                b.forms = n;
            }
            if let Some(c) = p.cooldown {
                b.cooldown = c;
            }
            b
        })
        .collect();
    let bank_digest = vault.digest()?.to_string();
    let (built, exclusions) =
        super::assemble::build_all(&vault, &standards, &bps, &places, seed, progress)?;
    progress.phase("rendering", built.len() as u64);
    let std_of = |occ: &OccupationCode| -> &Standard {
        standards
            .iter()
            .find(|s| s.occupation.code == *occ)
            .expect("built from it")
    };
    let rendered: Vec<Vec<RenderedForm>> = built
        .par_iter()
        .zip(exclusions.par_iter())
        .map(|(b, ex)| {
            render(
                &vault,
                std_of(&b.blueprint.occupation),
                b,
                seed,
                &bank_digest,
                ex,
            )
        })
        .collect::<Result<_>>()?;
    // Copy plans: one per (organisation, blueprint, form), distinct across organisations.
    let participants: Vec<(&Organisation, &crate::model::Participant)> = plan
        .organisations
        .iter()
        .map(|p| (&catalog[&p.id], p))
        .collect();
    // Copies are drawn from a secret of this sitting, kept only in its sealed record: the seed
    // travels in every form manifest, so copies drawn from it could be computed by anyone.
    let copy_secret = Secret32::random()?;
    let mut plans: HashMap<(String, String, u32), CopyPlan> = HashMap::new();
    let mut issued: Vec<IssuedCopy> = Vec::new();
    for (b, forms) in built.iter().zip(&rendered) {
        if !b.blueprint.is_theory() {
            continue;
        }
        let runs = (b.blueprint.occupation.clone(), b.blueprint.level);
        for f in forms {
            let FormDocuments::Theory(paper, _) = &f.documents else {
                continue;
            };
            let runners = participants
                .iter()
                .filter(|(_, p)| p.runs.contains(&runs))
                .map(|(o, _)| o.id.as_str());
            let (sections, options) = paper.shape();
            let fixed = paper.fixed_orders();
            // the entry versions as printed, in form order
            let printed: Vec<(String, u32)> = paper
                .items()
                .map(|(_, i)| (i.id.clone(), i.version))
                .collect();
            let cps = copy_plans(
                &CopySource::Secret(copy_secret.expose()),
                &plan.id,
                runners,
                &b.blueprint.id,
                f.form,
                &sections,
                &options,
            );
            for (org, mut cp) in cps {
                crate::assemble::keep_fixed(&mut cp, &fixed);
                issued.push(
                    issue(org, &b.blueprint, f.form, &printed, &cp).ok_or_else(|| {
                        Error::Usage(format!(
                            "{} F{:02}: the paper does not follow its blueprint's layout",
                            b.blueprint.id, f.form
                        ))
                    })?,
                );
                plans.insert((org.to_string(), b.blueprint.id.clone(), f.form), cp);
            }
        }
    }
    let release_keys: BTreeMap<String, Secret32> = participants
        .iter()
        .map(|(o, _)| Ok((o.id.clone(), Secret32::random()?)))
        .collect::<Result<_>>()?;
    let checkpoint = vault.checkpoint();
    let bureau = vault.bureau_key()?;
    progress.phase("sealing", participants.len() as u64);
    let sealed: Vec<(PackageRecord, Vec<u8>)> = participants
        .par_iter()
        .map(|(org, p)| {
            let mut docs = Vec::new();
            let mut papers = Vec::new();
            for (b, forms) in built.iter().zip(&rendered) {
                let bp = &b.blueprint;
                if !p.runs.contains(&(bp.occupation.clone(), bp.level)) {
                    continue;
                }
                let std = std_of(&bp.occupation);
                for f in forms {
                    let copy = copy_code(&org.id, &bp.id, f.form);
                    let orgname = format!("{} {}", org.id, org.name);
                    let date = date_label(&plan.start);
                    let header = DocHeader {
                        title: &plan.title,
                        sitting: &plan.id,
                        organisation: &orgname,
                        copy: &copy,
                        date: &date,
                    };
                    let info = CopyInfo {
                        sitting: plan.id.clone(),
                        organisation: org.id.clone(),
                        occupation: bp.occupation.to_string(),
                        occupation_name: std.occupation.name.clone(),
                        level: bp.level,
                        copy: copy.clone(),
                        blueprint: bp.id.clone(),
                        form: f.form,
                        questions: Vec::new(),
                    };
                    let dir = format!("{}/F{:02}", bp.id, f.form);
                    docs.extend(copy_documents(
                        &dir,
                        f,
                        plans.get(&(org.id.clone(), bp.id.clone(), f.form)),
                        &header,
                        info,
                    ));
                    papers.push(PaperRef {
                        occupation: bp.occupation.to_string(),
                        level: bp.level,
                        kind: if bp.is_theory() {
                            "theory"
                        } else {
                            "practical"
                        }
                        .into(),
                        blueprint: bp.id.clone(),
                        form: f.form,
                        copy,
                    });
                }
            }
            let pk = org_public(org)?;
            let manifest = PackageManifest {
                format: package::MANIFEST_FORMAT,
                sitting: plan.id.clone(),
                title: plan.title.clone(),
                organisation: org.id.clone(),
                organisation_name: org.name.clone(),
                organisation_key: String::new(),
                start: plan.start.clone(),
                end: plan.end.clone(),
                bureau_key: String::new(),
                release_key_sha256: String::new(),
                audit: checkpoint.clone(),
                papers: papers.clone(),
                documents: Vec::new(),
                content_sha256: String::new(),
            };
            let bytes =
                package::seal(manifest, &docs, &pk, release_keys[&org.id].expose(), bureau)?;
            Ok((
                PackageRecord {
                    organisation: org.id.clone(),
                    file: format!("packages/{}.qpkg", org.id),
                    sha256: package::sha256_hex(&bytes),
                    copies: papers.into_iter().map(|p| p.copy).collect(),
                },
                bytes,
            ))
        })
        .collect::<Result<_>>()?;
    // Write everything into a temporary folder, commit the vault, then move it into place
    // (a rerun of the same plan completes the move if the run stopped in between).
    let tmp = sitting_partial(out);
    let _ = std::fs::remove_dir_all(&tmp);
    let write = |rel: PathBuf, bytes: &[u8]| super::files::write_under(&tmp, rel, bytes);
    let result = (|| -> Result<()> {
        for (rec, bytes) in &sealed {
            write(PathBuf::from(&rec.file), bytes)?;
            super::fault::point("sitting:first-file");
        }
        let bureau_pub = bureau.public();
        write(
            PathBuf::from("bureau.pub"),
            vault.bureau_file_text()?.as_bytes(),
        )?;
        let summary = json!({
            "sitting": plan.id, "title": plan.title, "start": plan.start, "end": plan.end,
            "bureau_key": bureau_pub.fingerprint(), "bank_digest": bank_digest,
            "packages": sealed.iter().map(|(r, _)| json!({
                "organisation": r.organisation, "name": catalog[&r.organisation].name,
                "file": r.file, "sha256": r.sha256, "copies": r.copies,
            })).collect::<Vec<_>>(),
        });
        write(PathBuf::from("sitting.json"), &pretty(&summary))?;
        for (b, _) in built.iter().zip(&rendered) {
            let rep = super::assemble::report(std_of(&b.blueprint.occupation), b);
            write(
                Path::new("reports").join(format!("{}.txt", b.blueprint.id)),
                super::assemble::public_report_text(b, &rep).as_bytes(),
            )?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    super::fault::point("sitting:files-written");
    let packages: Vec<PackageRecord> = sealed.into_iter().map(|(r, _)| r).collect();
    let papers_rec: Vec<SittingPaper> = built
        .iter()
        .zip(&rendered)
        .zip(&exclusions)
        .map(|((b, forms), ex)| SittingPaper {
            blueprint: b.blueprint.clone(),
            blueprint_digest: blueprint_digest(&b.blueprint),
            excluded: ex.iter().cloned().collect(),
            forms: forms
                .iter()
                .map(|f| (f.form, f.manifest.items.clone()))
                .collect(),
        })
        .collect();
    let record = SittingRecord {
        plan: SittingPlan {
            seed: Some(seed),
            ..plan.clone()
        },
        plan_digest,
        seed,
        bank_digest: bank_digest.clone(),
        created: now(),
        release_key: None,
        release_keys,
        copy_secret: Some(copy_secret),
        papers: papers_rec.clone(),
        packages: packages.clone(),
        checkpoint,
        release: None,
        copies: issued,
    };
    let seq = vault.checkpoint().seq + 1;
    let mut batch = vec![vault.put_record(&sitting_key(&plan.id), &record)?];
    for p in &papers_rec {
        let items: Vec<(String, u32)> = p
            .forms
            .iter()
            .flat_map(|(_, items)| items.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let key = format!(
            "{}{seq:012}-{}",
            ledger_prefix(&p.blueprint.occupation, p.blueprint.level),
            p.blueprint.id
        );
        batch.push(vault.put_record(
            &key,
            &LedgerEntry {
                sitting: plan.id.clone(),
                blueprint: p.blueprint.id.clone(),
                items,
            },
        )?);
    }
    let audit = AuditEvent::new(
        "sitting",
        json!({
            "sitting": plan.id, "seed": seed, "bank_digest": bank_digest, "start": plan.start,
            "packages": packages.iter().map(|p| json!({ "organisation": p.organisation, "sha256": p.sha256 })).collect::<Vec<_>>(),
            "papers": papers_rec.iter().map(|p| json!({ "blueprint": p.blueprint.id, "forms": p.forms.len(), "excluded": p.excluded.len() })).collect::<Vec<_>>(),
            "cooldown_relaxed": plan.papers.iter().filter_map(|p| Some(json!({
                "blueprint": p.blueprint, "cooldown": p.cooldown?,
                "blueprint_cooldown": all_bps.get(&p.blueprint).map(|b| b.cooldown),
                "reason": p.cooldown_reason,
            }))).collect::<Vec<_>>(),
        }),
    );
    if let Err(e) = vault.commit(batch, audit) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    super::fault::point("sitting:committed");
    super::files::move_into_place(&tmp, out, false)?;
    super::fault::point("sitting:renamed");
    progress.finish();
    Ok(SittingOutcome {
        sitting: plan.id,
        out: out.to_path_buf(),
        seed,
        bank_digest,
        already: false,
        completed: false,
        packages,
        papers: papers_rec
            .iter()
            .map(|p| (p.blueprint.id.clone(), p.forms.len() as u32))
            .collect(),
    })
}

/// An organisation's registered X25519 key.
fn org_public(org: &Organisation) -> Result<OrgPublic> {
    Ok(OrgPublic(
        hex::decode(&org.public_key)
            .ok()
            .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
            .ok_or_else(|| Error::Corrupt {
                record: format!("o/{}", org.id),
                reason: "public key is malformed".into(),
            })?,
    ))
}

/// The sealed sittings not yet released that issued a package to `org`, by id.
pub(crate) fn unreleased_for(vault: &Vault, org: &str) -> Result<Vec<String>> {
    Ok(vault
        .records::<SittingRecord>("t/")?
        .into_iter()
        .filter(|(_, r)| r.release.is_none() && r.packages.iter().any(|p| p.organisation == org))
        .map(|(_, r)| r.plan.id)
        .collect())
}

/// Lists sittings (no secrets).
/// One sitting as `qbank sittings` lists it (fields in sorted order, as the `--json` output has
/// always had them).
#[derive(Debug, Serialize)]
pub struct SittingSummary {
    pub created: String,
    pub end: String,
    /// Organisations with a package.
    pub organisations: usize,
    /// Blueprint ids.
    pub papers: Vec<String>,
    /// When the release was issued; None while sealed.
    pub released: Option<String>,
    pub sitting: String,
    pub start: String,
    pub title: String,
}

pub fn list(cfg: &StoreConfig) -> Result<Vec<SittingSummary>> {
    let vault = cfg.open()?;
    Ok(vault
        .records::<SittingRecord>("t/")?
        .into_iter()
        .map(|(_, r)| SittingSummary {
            sitting: r.plan.id,
            title: r.plan.title,
            start: r.plan.start,
            end: r.plan.end,
            created: r.created,
            organisations: r.packages.len(),
            papers: r.papers.iter().map(|p| p.blueprint.id.clone()).collect(),
            released: r.release.as_ref().map(|x| x.at.clone()),
        })
        .collect())
}

/// What `qbank release` did.
#[derive(Debug, Serialize)]
pub struct ReleaseOutcome {
    pub sitting: String,
    pub file: PathBuf,
    pub released_at: String,
    pub early: bool,
    /// Issued before; the same release was written again.
    pub again: bool,
    /// Organisations of the sitting left out of the release (suspended): their packages stay shut.
    pub withheld: Vec<String>,
}

/// Issues the signed release of a sitting: only at or after its start, unless `early` names a
/// reason (audited).
pub fn release(
    cfg: &StoreConfig,
    sitting: &str,
    out: &Path,
    early: Option<&str>,
) -> Result<ReleaseOutcome> {
    let mut vault = cfg.open()?;
    let key = sitting_key(sitting);
    let mut rec: SittingRecord = vault.get_record(&key)?.ok_or_else(|| Error::NotFound {
        what: "sitting",
        id: sitting.into(),
    })?;
    if let Some(r) = &rec.release {
        super::files::write_file(out, r.file.as_bytes())?;
        let withheld = package::read_release(&r.file, &vault.bureau_public()?)
            .map_err(|_| Error::Corrupt {
                record: key.clone(),
                reason: "the recorded release does not verify".into(),
            })?
            .withheld;
        return Ok(ReleaseOutcome {
            sitting: sitting.into(),
            file: out.to_path_buf(),
            released_at: r.at.clone(),
            early: r.early,
            again: true,
            withheld,
        });
    }
    let start: jiff::Timestamp = rec.plan.start.parse().map_err(|_| Error::Corrupt {
        record: key.clone(),
        reason: "start time is malformed".into(),
    })?;
    let now_ts = jiff::Timestamp::now();
    let is_early = now_ts < start;
    if is_early {
        match early {
            None => {
                return Err(Error::TooEarly(format!(
                    "sitting {sitting} starts at {}; the release can be issued from then on (now {}). To release early, pass --early-reason \"...\" (recorded in the audit log)",
                    rec.plan.start,
                    now()
                )));
            }
            Some(r) if r.trim().is_empty() => {
                return Err(Error::Usage("--early-reason must not be empty".into()));
            }
            Some(_) => {}
        }
    }
    let at = now();
    // Each organisation in good standing gets its release key sealed to it; a suspended one is
    // left out, so its package stays shut. Records sealed before per-organisation keys have one
    // key for everyone (format 1): suspension cannot revoke those.
    let catalog: BTreeMap<String, Organisation> = organisations(&vault)?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let mut keys = BTreeMap::new();
    let mut withheld = Vec::new();
    for (org_id, k) in &rec.release_keys {
        match catalog.get(org_id) {
            Some(o) if o.status == OrgStatus::Active => {
                let sealed =
                    package::seal_release_key(org_id, &org_public(o)?, sitting, k.expose())?;
                keys.insert(org_id.clone(), sealed);
            }
            _ => withheld.push(org_id.clone()),
        }
    }
    let release = Release {
        format: if rec.release_key.is_some() {
            1
        } else {
            package::RELEASE_FORMAT
        },
        sitting: sitting.into(),
        start: rec.plan.start.clone(),
        released_at: at.clone(),
        early: is_early,
        reason: if is_early {
            early.map(str::to_string)
        } else {
            None
        },
        release_key: rec.release_key.as_ref().map(|k| hex::encode(k.expose())),
        keys,
        withheld: withheld.clone(),
        bureau_key: vault.bureau_public()?.fingerprint(),
        audit: vault.checkpoint(),
    };
    let text = package::sign_release(&release, vault.bureau_key()?);
    rec.release = Some(ReleaseRecord {
        at: at.clone(),
        early: is_early,
        reason: release.reason.clone(),
        file: text.clone(),
    });
    let put = vault.put_record(&key, &rec)?;
    vault.commit(
        vec![put],
        AuditEvent::new(
            if is_early { "release-early" } else { "release" },
            json!({ "sitting": sitting, "released_at": at, "start": rec.plan.start, "reason": release.reason, "withheld": withheld }),
        ),
    )?;
    super::files::write_file(out, text.as_bytes())?;
    Ok(ReleaseOutcome {
        sitting: sitting.into(),
        file: out.to_path_buf(),
        released_at: at,
        early: is_early,
        again: false,
        withheld,
    })
}

/// What `qbank unseal` wrote.
#[derive(Debug, Serialize)]
pub struct UnsealOutcome {
    pub sitting: String,
    pub organisation: String,
    pub out: PathBuf,
    pub documents: Vec<String>,
    pub papers: Vec<PaperRef>,
}

/// The evaluator's side: verify and open a package into `out` (new or empty). Nothing is
/// written unless every check passes.
pub fn unseal(
    package_path: &Path,
    org_key: &Path,
    release_path: &Path,
    bureau_key: Option<&Path>,
    out: &Path,
) -> Result<UnsealOutcome> {
    let org = OrgSecret::read(org_key)?;
    // the bureau key pinned at registration, never a bureau.pub that came with the package
    let bureau = crate::package::keys::pinned_bureau(&org, org_key, bureau_key)?.signing;
    let rbytes = super::files::read_regular(release_path, 1 << 20)?;
    let rtext = String::from_utf8(rbytes).map_err(|_| {
        Error::PackageRefused(format!(
            "{}: not a release (not UTF-8)",
            release_path.display()
        ))
    })?;
    let release = package::read_release(&rtext, &bureau).map_err(|e| e.naming(release_path))?;
    let pkg = super::files::read_regular(package_path, 1 << 30)?;
    let (manifest, docs) =
        package::open(&pkg, &org, &release, &bureau).map_err(|e| e.naming(package_path))?;
    let docs = Zeroizing::new(
        docs.into_iter()
            .map(|(n, b)| (n, Zeroizing::new(b)))
            .collect::<Vec<_>>(),
    );
    if super::files::is_nonempty_dir(out)? {
        return Err(Error::Usage(format!(
            "{} is not empty; unseal into a new or empty folder",
            out.display()
        )));
    }
    let tmp = out.with_file_name(format!(
        ".{}.partial",
        out.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("unsealed")
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    let r = (|| -> Result<()> {
        for (name, bytes) in docs.iter() {
            super::files::write_under(&tmp, name, bytes)?;
        }
        super::files::write_under(&tmp, "package-manifest.json", &pretty(&manifest))
    })();
    if let Err(e) = r {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    super::files::move_into_place(&tmp, out, false)?;
    Ok(UnsealOutcome {
        sitting: manifest.sitting.clone(),
        organisation: manifest.organisation.clone(),
        out: out.to_path_buf(),
        documents: docs.iter().map(|(n, _)| n.clone()).collect(),
        papers: manifest.papers,
    })
}

/// The sealed records of `sittings` (all when empty).
pub(crate) fn sitting_records(vault: &Vault, sittings: &[String]) -> Result<Vec<SittingRecord>> {
    let records: Vec<SittingRecord> = vault
        .records::<SittingRecord>("t/")?
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| sittings.is_empty() || sittings.contains(&r.plan.id))
        .collect();
    if records.is_empty() {
        return Err(Error::NotFound {
            what: "sitting",
            id: if sittings.is_empty() {
                "(any)".into()
            } else {
                sittings.join(", ")
            },
        });
    }
    Ok(records)
}

/// Traces `leak` against every organisation copy of the theory papers of `sittings` (all when
/// empty), as their records say they were issued.
pub fn trace_leak(
    cfg: &StoreConfig,
    leak: &str,
    sittings: &[String],
) -> Result<(Vec<String>, TraceReport)> {
    let vault = cfg.open()?;
    let records = sitting_records(&vault, sittings)?;
    let issued = Issued::load(&vault, &records)?;
    let copies: Vec<CopyText> = issued
        .copies
        .iter()
        .map(|(sitting, c)| CopyText {
            sitting: sitting.clone(),
            copy: c.copy.clone(),
            organisation: c.organisation.clone(),
            questions: c
                .questions
                .iter()
                .map(|q| {
                    let it = issued.item(q);
                    PrintedQuestion {
                        id: q.id.clone(),
                        stem: it.stem.clone(),
                        options: it.options.clone(),
                        printed: q.options.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let ids = records.iter().map(|r| r.plan.id.clone()).collect();
    Ok((ids, trace::trace(leak, &copies)))
}
