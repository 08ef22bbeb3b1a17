//! `qbank feedback import`: organisations' reports on items, all or nothing. A report names the
//! item either by bank id and version (`organisation,item,version,kind,text`) or as the
//! organisation saw it — its copy code and the printed question number
//! (`[sitting,]organisation,copy,question,kind,text`) — mapped through the sitting's record to
//! the entry version printed there. Importing the same report again stores nothing.

use super::StoreConfig;
use super::issued::{IssuedCopy, copies_of};
use super::org::now;
use super::revise::{Feedback, FeedbackKind};
use super::sitting::SittingRecord;
use crate::bankfile::Diagnostic;
use crate::error::{Error, Result};
use crate::model::Organisation;
use crate::store::AuditEvent;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What `feedback import` did.
#[derive(Debug, Serialize)]
pub struct FeedbackOutcome {
    pub file: String,
    pub encoding: String,
    /// New reports stored.
    pub imported: usize,
    /// Reports already stored (or repeated in the file), not stored again.
    pub already: usize,
}

const BY_ITEM: [&str; 5] = ["organisation", "item", "version", "kind", "text"];
const BY_COPY: [&str; 5] = ["organisation", "copy", "question", "kind", "text"];
const HEADERS: &str = "organisation,item,version,kind,text — or organisation,copy,question,kind,text (the copy code and question number as printed), optionally after a sitting column";

/// How rows name the item.
pub(crate) enum Layout {
    ByItem,
    /// With a leading sitting column or not.
    ByCopy {
        sitting: bool,
    },
}

pub(crate) fn layout(head: &[String]) -> Option<Layout> {
    if head == BY_ITEM {
        Some(Layout::ByItem)
    } else if head == BY_COPY {
        Some(Layout::ByCopy { sitting: false })
    } else if head.first().is_some_and(|h| h == "sitting") && head[1..] == BY_COPY {
        Some(Layout::ByCopy { sitting: true })
    } else {
        None
    }
}

/// Every issued copy of every sitting, by copy code: (sitting, copy).
fn copies_by_code(
    vault: &crate::store::Vault,
) -> Result<BTreeMap<String, Vec<(String, IssuedCopy)>>> {
    let mut out: BTreeMap<String, Vec<(String, IssuedCopy)>> = BTreeMap::new();
    for (_, rec) in vault.records::<SittingRecord>("t/")? {
        for c in copies_of(vault, &rec)? {
            out.entry(c.copy.clone())
                .or_default()
                .push((rec.plan.id.clone(), c));
        }
    }
    Ok(out)
}

/// Imports feedback reports — all or nothing; reports already stored are not stored again.
pub fn import_feedback(cfg: &StoreConfig, file: &Path) -> Result<FeedbackOutcome> {
    let mut problems = Vec::new();
    let f = super::csvfile::read(file, &mut problems)?;
    import_read(cfg, f, problems, None)
}

/// Imports a feedback report received as bytes (sealed in the portal's page and opened by the
/// vault), named `name` in every message; as `import_feedback`. With `mark`, the outcome is
/// also kept under that key in the same commit (the portal inbox's record of the upload).
pub fn import_feedback_bytes(
    cfg: &StoreConfig,
    name: &str,
    bytes: &[u8],
    mark: Option<&str>,
) -> Result<FeedbackOutcome> {
    let mut problems = Vec::new();
    let f = super::csvfile::parse(name, bytes, &mut problems)?;
    import_read(cfg, f, problems, mark)
}

fn import_read(
    cfg: &StoreConfig,
    f: super::csvfile::CsvFile,
    mut problems: Vec<Diagnostic>,
    mark: Option<&str>,
) -> Result<FeedbackOutcome> {
    let name = f.name.clone();
    let Some(layout) = layout(&f.header) else {
        return Err(Error::Invalid(vec![Diagnostic {
            file: name,
            line: 1,
            message: format!("the header must be: {HEADERS}"),
        }]));
    };
    let mut vault = cfg.open()?;
    let copies = match layout {
        Layout::ByItem => BTreeMap::new(),
        Layout::ByCopy { .. } => copies_by_code(&vault)?,
    };
    let key = |f: &Feedback| {
        (
            f.organisation.clone(),
            f.item.clone(),
            f.version,
            f.kind,
            f.text.clone(),
        )
    };
    let mut known: BTreeSet<(String, String, u32, FeedbackKind, String)> = vault
        .records::<Feedback>("f/")?
        .iter()
        .map(|(_, f)| key(f))
        .collect();
    let mut reports = Vec::new();
    let mut already = 0;
    let received = now();
    for (line, r) in &f.rows {
        let mut bad = |m: String| {
            problems.push(Diagnostic {
                file: name.clone(),
                line: *line,
                message: m,
            })
        };
        let (named_sitting, r): (Option<&String>, &[String]) = match layout {
            Layout::ByCopy { sitting: true } => (r.first(), &r[1..]),
            _ => (None, r),
        };
        let (org, kind, text) = (r[0].clone(), r[3].clone(), r[4].clone());
        if vault
            .get_record::<Organisation>(&format!("o/{org}"))?
            .is_none()
        {
            bad(format!("organisation {org} is not in the catalog"));
            continue;
        }
        let (item, version, printed) = match layout {
            Layout::ByItem => {
                let (item, version) = (r[1].clone(), r[2].clone());
                let Ok(version) = version.parse::<u32>() else {
                    bad(format!("version `{version}` is not a number"));
                    continue;
                };
                match vault.versions(&item) {
                    Ok(v) if v.contains(&version) => {}
                    Ok(v) => {
                        bad(format!("{item} has no version {version} (versions {v:?})"));
                        continue;
                    }
                    Err(_) => {
                        bad(format!("no item {item} in the bank"));
                        continue;
                    }
                }
                (item, version, None)
            }
            Layout::ByCopy { .. } => {
                let (code, question) = (r[1].clone(), r[2].clone());
                let held = copies.get(&code).map_or(&[][..], Vec::as_slice);
                let mine: Vec<&(String, IssuedCopy)> = held
                    .iter()
                    .filter(|(s, _)| named_sitting.is_none_or(|w| w == s))
                    .collect();
                let c = match mine.as_slice() {
                    [] => {
                        bad(format!(
                            "copy `{code}` is not a copy of any sitting in the store"
                        ));
                        continue;
                    }
                    [(_, c)] => c,
                    more => {
                        let ids: Vec<&str> = more.iter().map(|(s, _)| s.as_str()).collect();
                        bad(format!(
                            "copy {code} exists in sittings {}; add a sitting column",
                            ids.join(", ")
                        ));
                        continue;
                    }
                };
                if c.organisation != org {
                    bad(format!(
                        "copy {code} is organisation {}'s, not {org}'s",
                        c.organisation
                    ));
                    continue;
                }
                let Some(q) = question.parse::<usize>().ok().and_then(|n| c.printed(n)) else {
                    bad(format!(
                        "question `{question}`: copy {code} has questions 1–{}",
                        c.questions.len()
                    ));
                    continue;
                };
                (q.id.clone(), q.version, Some((code, q.n)))
            }
        };
        let Some(kind) = FeedbackKind::parse(&kind) else {
            bad(format!(
                "kind `{kind}`: give wrong-key, ambiguous, outdated, out-of-scope, typo or other (答案错误 表述歧义 内容过时 超纲 错别字 其他)"
            ));
            continue;
        };
        if text.is_empty() {
            bad("the report's text is empty".into());
            continue;
        }
        let fb = Feedback {
            organisation: org,
            item,
            version,
            kind,
            text,
            received: received.clone(),
            resolved_by: None,
            dismissed: None,
            printed,
        };
        if known.insert(key(&fb)) {
            reports.push(fb);
        } else {
            already += 1;
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let outcome = FeedbackOutcome {
        file: name.clone(),
        encoding: f.encoding.to_string(),
        imported: reports.len(),
        already,
    };
    if reports.is_empty() {
        return Ok(outcome); // nothing new: nothing changes, nothing to audit
    }
    let seq = vault.checkpoint().seq + 1;
    let mut batch = Vec::new();
    for (k, f) in reports.iter().enumerate() {
        batch.push(vault.put_record(&format!("f/{}/{seq:012}-{k:04}", f.item), f)?);
    }
    if let Some(k) = mark {
        batch.push(vault.put_record(
            k,
            &json!({ "imported": outcome.imported, "already": outcome.already }),
        )?);
    }
    let orgs: BTreeSet<&str> = reports.iter().map(|f| f.organisation.as_str()).collect();
    vault.commit(
        batch,
        AuditEvent::new(
            "feedback-import",
            json!({ "file": name, "reports": reports.len(), "already": already, "organisations": orgs }),
        ),
    )?;
    Ok(outcome)
}
