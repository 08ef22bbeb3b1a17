//! `qbank analysis`: organisations' response files (CSV, one row per candidate, answers as printed
//! on their copy) mapped back through each copy's permutation to bank item versions, analysed
//! (classical statistics, Rasch, flags), stored sealed per item version for revision, and
//! reported as text, JSON or an HTML page with SVG charts.

use super::StoreConfig;
use super::issued::{Issued, IssuedCopy, IssuedQuestion};
use super::sitting::sitting_records;
use crate::analysis::{self, FormData, ItemSpec, Report, Response, Thresholds};
use crate::bankfile::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{Answer, ItemType, TheoryItem};
use crate::store::AuditEvent;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The stored result for one item version (`n/<id>/<version:010>`), newest analysis wins.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredStats {
    pub analysed: String,
    pub sittings: Vec<String>,
    pub stats: analysis::ItemStats,
    /// Why an examiner closed its flags without a revision (`revise ITEM --dismiss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed: Option<String>,
}

/// What `qbank analysis` produced.
#[derive(Debug, Serialize)]
pub struct AnalysisOutcome {
    pub files: usize,
    /// (file, the encoding it was read in).
    pub encodings: Vec<(String, String)>,
    pub candidates: usize,
    pub thresholds: Thresholds,
    pub report: Report,
    /// The stem, options (bank order) and key of every flagged item version, for the HTML
    /// report only (a vault output): never in `--json`.
    #[serde(skip)]
    pub texts: BTreeMap<(String, u32), analysis::ItemText>,
}

fn judge(v: &str) -> Option<usize> {
    match v {
        "√" | "✓" | "对" | "正确" | "T" | "t" | "Y" | "y" => Some(0),
        "×" | "✗" | "x" | "X" | "错" | "错误" | "F" | "f" | "N" | "n" => Some(1),
        _ => None,
    }
}

fn letters(v: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for c in v.chars().filter(|c| !matches!(c, ' ' | ',' | '，' | '、')) {
        let c = c.to_ascii_uppercase();
        if !c.is_ascii_uppercase() {
            return None;
        }
        out.push((c as u8 - b'A') as usize);
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The item spec of a question as its entry version was printed (options in the entry's order).
fn spec(q: &IssuedQuestion, item: &TheoryItem) -> (ItemSpec, String) {
    let answer = match &item.answer {
        Answer::Text(t) => t.as_str(),
        Answer::Blanks(_) => "",
    };
    let (options, key) = match q.item_type {
        ItemType::Judge => (2, judge(answer).into_iter().collect()),
        ItemType::Single | ItemType::Multiple => {
            (item.options.len(), letters(answer).unwrap_or_default())
        }
        _ => (0, Vec::new()),
    };
    (
        ItemSpec {
            id: q.id.clone(),
            version: q.version,
            max: q.points,
            options,
            key,
        },
        q.item_type.as_str().to_string(),
    )
}

/// One theory form of a sitting, with its item specs in form order.
struct FormSpecs {
    sitting: String,
    blueprint: String,
    form: u32,
    specs: Vec<(ItemSpec, String)>,
}

/// The forms of the issued copies (one per sitting, blueprint and form) and, per copy code, its
/// form and copy.
fn forms_of(issued: &Issued) -> (Vec<FormSpecs>, HashMap<&str, (usize, &IssuedCopy)>) {
    let mut forms: Vec<FormSpecs> = Vec::new();
    let mut at: HashMap<(&str, &str, u32), usize> = HashMap::new();
    let mut by_copy = HashMap::new();
    for (sitting, c) in &issued.copies {
        let fi = *at
            .entry((sitting.as_str(), c.blueprint.as_str(), c.form))
            .or_insert_with(|| {
                let mut qs: Vec<&IssuedQuestion> = c.questions.iter().collect();
                qs.sort_by_key(|q| q.at);
                forms.push(FormSpecs {
                    sitting: sitting.clone(),
                    blueprint: c.blueprint.clone(),
                    form: c.form,
                    specs: qs.into_iter().map(|q| spec(q, issued.item(q))).collect(),
                });
                forms.len() - 1
            });
        by_copy.insert(c.copy.as_str(), (fi, c));
    }
    (forms, by_copy)
}

/// Parses one answer cell for the item printed with options `perm` (form indices per letter).
fn parse_cell(
    v: &str,
    spec: &ItemSpec,
    kind: &str,
    perm: &[usize],
) -> std::result::Result<Response, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(Response::Missing);
    }
    match kind {
        "判断" => judge(v)
            .map(|o| Response::Chosen(vec![o]))
            .ok_or_else(|| format!("`{v}` is not a 判断 answer (√ or ×)")),
        "单选" | "多选" => {
            let printed =
                letters(v).ok_or_else(|| format!("`{v}` is not a choice of option letters"))?;
            let mut chosen = Vec::new();
            for j in printed {
                let f = perm.get(j).ok_or_else(|| {
                    format!(
                        "option {} does not exist (the question has {})",
                        (b'A' + j as u8) as char,
                        perm.len()
                    )
                })?;
                chosen.push(*f);
            }
            if kind == "单选" && chosen.len() > 1 {
                return Err(format!("`{v}`: a 单选 answer has one letter"));
            }
            chosen.sort_unstable();
            Ok(Response::Chosen(chosen))
        }
        _ => {
            let s: f64 = v.parse().map_err(|_| format!("`{v}` is not a score"))?;
            if !(0.0..=spec.max).contains(&s) {
                return Err(format!("score {s} is outside 0..={}", spec.max));
            }
            Ok(Response::Score(s))
        }
    }
}

/// One response file: its question columns and rows.
struct Input {
    file: String,
    /// (column index, printed question number) of each question column.
    columns: Vec<(usize, usize)>,
    rows: Vec<(usize, Vec<String>)>,
}

/// The question columns of a response file's header (`candidate,copy,1,2,…`), or None with its
/// problems: a column that is not a question number, or a question named twice. Each column
/// keeps its own index, so one bad column does not shift the ones after it.
pub(crate) fn question_columns(
    f: &super::csvfile::CsvFile,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<(usize, usize)>> {
    let head = &f.header;
    let problem = |message: String| Diagnostic {
        file: f.name.clone(),
        line: 1,
        message,
    };
    if head.len() < 3 || head[0] != "candidate" || head[1] != "copy" {
        problems.push(problem(
            "the header must be: candidate,copy,1,2,3,… (question numbers as printed)".into(),
        ));
        return None;
    }
    let mut columns: Vec<(usize, usize)> = Vec::new();
    // Question number → its first column: a duplicate is found in O(1), not by a scan.
    let mut first_column: HashMap<usize, usize> = HashMap::new();
    let mut ok = true;
    for (c, h) in head.iter().enumerate().skip(2) {
        match h.parse::<usize>() {
            Ok(n) if n >= 1 => {
                if let Some(&first) = first_column.get(&n) {
                    problems.push(problem(format!(
                        "column {}: question {n} is already column {}",
                        c + 1,
                        first + 1
                    )));
                    ok = false;
                } else {
                    first_column.insert(n, c);
                }
                columns.push((c, n));
            }
            _ => {
                problems.push(problem(format!(
                    "column {}: `{h}` is not a question number",
                    c + 1
                )));
                ok = false;
            }
        }
    }
    ok.then_some(columns)
}

/// A response file: a CSV as organisations type it, or the results of a 机考 sealed to the bureau
/// (`.qres`, `qbank exam export`), opened with the bureau's key, its origin checked against the
/// catalog, every row's copy required to be the examining organisation's own.
fn read_responses(
    vault: &crate::store::Vault,
    path: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Result<super::csvfile::CsvFile> {
    let bytes = super::files::read_regular(path, super::csvfile::MAX_CSV_BYTES)?;
    if crate::package::upload::is_upload(&bytes) {
        return read_upload(vault, path, &bytes, problems);
    }
    if !crate::package::results::is_results(&bytes) {
        return super::csvfile::parse(&path.display().to_string(), &bytes, problems);
    }
    let (meta, files) =
        crate::package::results::open(&bytes, &vault.bureau_encryption_key()?, |id| {
            super::org::registered_public(vault, id, "机考成绩").map(|(_, pk)| pk)
        })
        .map_err(|e| Error::In {
            file: path.to_path_buf(),
            source: Box::new(e),
        })?;
    let name = format!("{}（机考 {}）", path.display(), meta.copy);
    let f = super::csvfile::parse(&name, &files.responses, problems)?;
    let own = format!("{}-", meta.organisation);
    for (line, row) in &f.rows {
        if row.get(1).is_none_or(|c| !c.starts_with(&own)) {
            problems.push(Diagnostic {
                file: name.clone(),
                line: *line,
                message: format!(
                    "机考成绩由机构 {} 封装，此行的副本却不是该机构的",
                    meta.organisation
                ),
            });
        }
    }
    Ok(f)
}

/// A response file an organisation's administrator sealed in the portal's page: its
/// organisation (checked against the portal's signed inbox when it came in) must be registered,
/// and every row's copy must be that organisation's.
fn read_upload(
    vault: &crate::store::Vault,
    path: &Path,
    bytes: &[u8],
    problems: &mut Vec<Diagnostic>,
) -> Result<super::csvfile::CsvFile> {
    let in_file = |e: Error| Error::In {
        file: path.to_path_buf(),
        source: Box::new(e),
    };
    let (meta, payload) =
        crate::package::upload::open(bytes, &vault.bureau_encryption_key()?).map_err(in_file)?;
    if meta.kind != crate::package::upload::UploadKind::Responses {
        return Err(in_file(Error::PackageRefused(format!(
            "这是{}，不是作答数据",
            meta.kind.name()
        ))));
    }
    super::org::registered_public(vault, &meta.organisation, "作答数据").map_err(in_file)?;
    let name = format!(
        "{}（门户上传 {} {}）",
        path.display(),
        meta.organisation,
        meta.file_name
    );
    let f = super::csvfile::parse(&name, &payload, problems)?;
    own_copies(&f, &name, &meta.organisation, "作答数据由机构", problems);
    Ok(f)
}

/// Every row's copy must be `org`'s own.
fn own_copies(
    f: &super::csvfile::CsvFile,
    name: &str,
    org: &str,
    by: &str,
    problems: &mut Vec<Diagnostic>,
) {
    let own = format!("{org}-");
    for (line, row) in &f.rows {
        if row.get(1).is_none_or(|c| !c.starts_with(&own)) {
            problems.push(Diagnostic {
                file: name.to_string(),
                line: *line,
                message: format!("{by} {org} 上传，此行的副本却不是该机构的"),
            });
        }
    }
}

/// Reads response files, maps them to bank items, analyses them and stores the statistics.
pub fn run(
    cfg: &StoreConfig,
    files: &[PathBuf],
    sittings: &[String],
    thresholds: &Thresholds,
) -> Result<AnalysisOutcome> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut vault = cfg.open()?;
    // Read every file first: the copy codes decide which sittings to read.
    let mut inputs: Vec<Input> = Vec::new();
    let mut encodings = Vec::new();
    for path in files {
        let f = read_responses(&vault, path, &mut problems)?;
        encodings.push((f.name.clone(), f.encoding.to_string()));
        if let Some(columns) = question_columns(&f, &mut problems) {
            inputs.push(Input {
                file: f.name,
                columns,
                rows: f.rows,
            });
        }
    }
    // Only the sittings whose packages hold a copy named in the files. A copy code names the
    // organisation, blueprint and form, so the same code can exist in two sittings: then the
    // user must say which (`--sitting`).
    let named: std::collections::BTreeSet<&str> = inputs
        .iter()
        .flat_map(|i| i.rows.iter().map(|(_, r)| r[1].as_str()))
        .collect();
    let records: Vec<_> = sitting_records(&vault, sittings)?
        .into_iter()
        .filter(|r| {
            r.packages
                .iter()
                .any(|p| p.copies.iter().any(|c| named.contains(c.as_str())))
        })
        .collect();
    for code in &named {
        let holders: Vec<&str> = records
            .iter()
            .filter(|r| {
                r.packages
                    .iter()
                    .any(|p| p.copies.iter().any(|c| c == code))
            })
            .map(|r| r.plan.id.as_str())
            .collect();
        if holders.len() > 1 {
            return Err(Error::Usage(format!(
                "copy {code} exists in sittings {}; name the sitting with --sitting",
                holders.join(", ")
            )));
        }
    }
    let issued = Issued::load(&vault, &records)?;
    let (forms, by_copy) = forms_of(&issued);
    let mut rows: Vec<Vec<(String, String, Vec<Response>)>> = vec![Vec::new(); forms.len()];
    // a candidate is known by the organisation that examined them
    let mut seen: HashMap<(usize, String, String), (String, usize)> = HashMap::new();
    for Input {
        file,
        columns,
        rows: records,
    } in &inputs
    {
        for (line, rec) in records {
            let line = *line;
            let at = |message: String| Diagnostic {
                file: file.clone(),
                line,
                message,
            };
            let candidate = rec[0].clone();
            let copy = rec[1].as_str();
            let Some(&(fi, issued_copy)) = by_copy.get(copy) else {
                problems.push(at(format!(
                    "copy `{copy}` is not an organisation copy of the sittings analysed"
                )));
                continue;
            };
            if candidate.is_empty() {
                problems.push(at("the candidate is empty".into()));
                continue;
            }
            if let Some((f, l)) = seen.insert(
                (fi, issued_copy.organisation.clone(), candidate.clone()),
                (file.clone(), line),
            ) {
                problems.push(at(format!(
                    "candidate {candidate} already answered this form at {f}:{l}"
                )));
                continue;
            }
            let specs = &forms[fi].specs;
            let mut answers = vec![Response::Missing; specs.len()];
            for &(col, n) in columns {
                let cell = rec[col].as_str();
                let Some(q) = issued_copy.printed(n) else {
                    if !cell.trim().is_empty() {
                        problems.push(at(format!(
                            "question {n}: copy {copy} has {} questions",
                            issued_copy.questions.len()
                        )));
                    }
                    continue;
                };
                let (spec, kind) = &specs[q.at];
                match parse_cell(cell, spec, kind, &q.options) {
                    Ok(r) => answers[q.at] = r,
                    Err(m) => problems.push(at(format!("question {n} ({}): {m}", spec.id))),
                }
            }
            rows[fi].push((issued_copy.organisation.clone(), candidate, answers));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    // Candidates in one fixed order — by organisation, then candidate — whatever the order of
    // the files and of their rows, so every sum runs the same way: the same responses give
    // bit-identical statistics.
    for r in &mut rows {
        r.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    }
    let candidates: usize = rows.iter().map(Vec::len).sum();
    if candidates == 0 {
        return Err(Error::Usage("the response files hold no candidates".into()));
    }
    let data: Vec<FormData> = forms
        .into_iter()
        .zip(rows)
        .filter(|(_, r)| !r.is_empty())
        .map(|(f, r)| FormData {
            form: format!("{} {} F{:02}", f.sitting, f.blueprint, f.form),
            items: f.specs.into_iter().map(|(s, _)| s).collect(),
            responses: r.into_iter().map(|(_, _, a)| a).collect(),
        })
        .collect();
    let report = analysis::analyse(&data, thresholds);
    // store every item version's statistics (sealed) for the revision queue, with the audit entry
    let analysed = super::org::now();
    let ids: Vec<String> = records.iter().map(|r| r.plan.id.clone()).collect();
    let mut batch = Vec::new();
    for s in &report.items {
        batch.push(vault.put_record(
            &format!("n/{}/{:010}", s.id, s.version),
            &StoredStats {
                analysed: analysed.clone(),
                sittings: ids.clone(),
                stats: s.clone(),
                dismissed: None,
            },
        )?);
    }
    let flagged = report.items.iter().filter(|s| !s.flags.is_empty()).count();
    let texts = flagged_texts(&issued, &report);
    vault.commit(
        batch,
        AuditEvent::new(
            "analysis",
            json!({ "sittings": ids, "files": files.len(), "candidates": candidates, "items": report.items.len(), "flagged": flagged }),
        ),
    )?;
    Ok(AnalysisOutcome {
        files: files.len(),
        encodings,
        candidates,
        thresholds: thresholds.clone(),
        report,
        texts,
    })
}

/// The text of every flagged item version as the record's entry version holds it (options in
/// bank order).
fn flagged_texts(issued: &Issued, report: &Report) -> BTreeMap<(String, u32), analysis::ItemText> {
    let flagged: std::collections::BTreeSet<(&str, u32)> = report
        .items
        .iter()
        .filter(|s| !s.flags.is_empty())
        .map(|s| (s.id.as_str(), s.version))
        .collect();
    let mut texts = BTreeMap::new();
    for (_, c) in &issued.copies {
        for q in &c.questions {
            if !flagged.contains(&(q.id.as_str(), q.version)) {
                continue;
            }
            let item = issued.item(q);
            texts
                .entry((q.id.clone(), q.version))
                .or_insert_with(|| analysis::ItemText {
                    item_type: q.item_type.as_str().to_string(),
                    stem: item.stem.clone(),
                    options: item.options.clone(),
                    answer: match &item.answer {
                        Answer::Text(t) => t.clone(),
                        Answer::Blanks(b) => b.join("；"),
                    },
                });
        }
    }
    texts
}

/// Writes the HTML report (SVG charts, A4) for an analysis: it holds the stems of flagged items,
/// so it is written 0600 (in a 0700 folder it creates) like every decrypted output.
pub fn write_report(out: &Path, a: &AnalysisOutcome) -> Result<()> {
    super::files::write_file(
        out,
        crate::analysis::report_html(&a.report, &a.thresholds, &a.texts).as_bytes(),
    )
}

/// Item statistics stored by earlier analyses, by (id, version).
pub fn stored(cfg: &StoreConfig) -> Result<BTreeMap<(String, u32), StoredStats>> {
    let vault = cfg.open()?;
    Ok(vault
        .records::<StoredStats>("n/")?
        .into_iter()
        .map(|(_, s)| ((s.stats.id.clone(), s.stats.version), s))
        .collect())
}
