//! Results of a 机考 once it is over: every candidate scored (objective answers against the
//! copy's key, opened with the keys release; subjective ones from examiners' marks), the
//! response file in the analysis format, the scores, a printable score sheet per candidate, and
//! all of it with the exam's log sealed to the bureau (`.qres`) for `qbank analysis`.

use super::Opened;
use crate::document::{self, TheoryKey};
use crate::error::{Error, Result};
use crate::exam::score::{self, CandResult};
use crate::exam::{Exam, Phase};
use crate::package::keys::{OrgSecret, pinned_bureau};
use crate::package::results::{self as sealed, ResultsFiles, ResultsMeta};
use jiff::Timestamp;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Reads the copy's `key.json` (opened with the keys release) and checks it is this exam's.
pub fn read_key(dir: &Path, exam: &Exam) -> Result<TheoryKey> {
    let path = dir.join("key.json");
    if !path.is_file() {
        return Err(Error::Usage(format!(
            "{} 中没有 key.json：答案在答案发布后才能解封（qbank unseal --keys-release），解封后再评分",
            dir.display()
        )));
    }
    let bytes = super::super::files::read_regular(&path, 64 << 20)?;
    let key: TheoryKey = document::load(&bytes, &path.display().to_string(), "theory key")?;
    let same = key
        .copy
        .as_ref()
        .is_some_and(|c| c.copy == exam.config.copy)
        && key.answers.len() == exam.questions().count()
        && key.answers.iter().all(|a| {
            exam.question(a.n)
                .is_some_and(|q| q.id == a.id && q.version == a.version)
        });
    if !same {
        return Err(Error::Usage(format!(
            "{} 不是副本 {} 的答案",
            path.display(),
            exam.config.copy
        )));
    }
    Ok(key)
}

/// Candidates still answering at `now`: results wait for them.
pub fn still_sitting(exam: &Exam, now: Timestamp) -> Vec<String> {
    exam.config
        .roster
        .iter()
        .filter(|c| exam.cands[&c.ticket].logins > 0)
        .filter(|c| !matches!(exam.phase(&c.ticket, now), Phase::Closed))
        .map(|c| c.ticket.clone())
        .collect()
}

/// The scores as a CSV: 座位号, 准考证号, 姓名, each question's points, 总分, 状态.
pub fn scores_csv(exam: &Exam, results: &[CandResult]) -> String {
    let mut out = String::from("座位号,准考证号,姓名");
    for q in exam.questions() {
        out.push_str(&format!(",{}", q.n));
    }
    out.push_str(",总分,状态\n");
    for r in results {
        out.push_str(&format!("{},{},{}", r.seat, r.ticket, r.name));
        for (_, p) in &r.points {
            out.push(',');
            if let Some(p) = p {
                out.push_str(&format!("{p}"));
            }
        }
        let status = r.status();
        out.push_str(&format!(",{},{status}\n", r.total));
    }
    out
}

/// Writes the room's 成绩汇总表 (`summary.html`) and a 成绩单 per candidate who sat
/// (`score-<准考证号>.html`), 0600 (they hold the key), for the archive and `qbank pdf`.
pub fn write_sheets(
    exam: &Exam,
    key: &TheoryKey,
    results: &[CandResult],
    dir: &Path,
) -> Result<()> {
    let c = &exam.config;
    let org = format!("{} {}", c.organisation, c.organisation_name)
        .trim()
        .to_string();
    let date = crate::ops::org::beijing_time(&c.start.to_string());
    let title = format!(
        "{}（{}）{} 理论知识考试",
        c.occupation_name, c.occupation, c.level
    );
    let h = crate::render::DocHeader {
        title: &title,
        sitting: &c.sitting,
        organisation: &org,
        copy: &c.copy,
        date: &date,
    };
    let files = super::super::files::write_file;
    files(
        &dir.join("summary.html"),
        crate::render::results::score_summary_html(results, &h).as_bytes(),
    )?;
    for r in results.iter().filter(|r| r.present) {
        let answers = exam.cands[&r.ticket]
            .answers
            .iter()
            .map(|(q, (_, v))| (*q, v.clone()))
            .collect();
        let html = crate::render::results::score_sheet_html(&exam.paper, key, r, &answers, &h);
        files(
            &dir.join(format!("score-{}.html", r.ticket)),
            html.as_bytes(),
        )?;
    }
    Ok(())
}

/// Where `export` reads the key and the organisation's key, and what it writes.
pub struct ExportTo<'a> {
    /// The opened copy holding `key.json`.
    pub key: &'a Path,
    pub org_key: &'a Path,
    pub bureau_key: Option<&'a Path>,
    /// The sealed results (`.qres`).
    pub out: &'a Path,
    /// The scores in clear (CSV, 0600), for the organisation's archive.
    pub scores: Option<&'a Path>,
    /// A folder for the 成绩汇总表 and the 成绩单 (HTML).
    pub sheets: Option<&'a Path>,
}

/// What `export` wrote.
pub struct Exported {
    pub file: PathBuf,
    pub candidates: usize,
    pub absent: usize,
    pub log_entries: usize,
}

/// Seals the results to the bureau: refused while anyone is still answering or a subjective
/// answer waits for its marks, and nothing is written then. `key` is the opened copy with
/// `key.json`; the response file needs it only for 填空 and subjective questions, the scores
/// always.
pub fn export(opened: &Opened, to: &ExportTo) -> Result<Exported> {
    let ExportTo {
        key: key_dir,
        org_key,
        bureau_key: bureau_pub,
        out,
        scores: scores_out,
        sheets,
    } = *to;
    let exam = &opened.exam;
    let now = Timestamp::now();
    let sitting = still_sitting(exam, now);
    if !sitting.is_empty() {
        return Err(Error::Usage(format!(
            "考试尚未结束：{} 名考生仍在作答（{}）；交卷或时间到后再导出",
            sitting.len(),
            sitting.join("、")
        )));
    }
    let key = read_key(key_dir, exam)?;
    let results = score::results(exam, &key);
    let unmarked: usize = results.iter().map(|r| r.unmarked).sum();
    if unmarked > 0 {
        return Err(Error::Usage(format!(
            "还有 {unmarked} 道主观题作答未评定（阅卷页面 /mark）；评完后再导出"
        )));
    }
    let sender = OrgSecret::read(org_key)?;
    let pin = pinned_bureau(&sender, org_key, bureau_pub)?;
    let responses = Zeroizing::new(score::responses_csv(exam, Some(&results)).into_bytes());
    let scores = Zeroizing::new(scores_csv(exam, &results).into_bytes());
    let mut log = Zeroizing::new(Vec::new());
    for r in &opened.records {
        log.extend_from_slice(&serde_json::to_vec(r).expect("records serialise"));
        log.push(b'\n');
    }
    let meta = ResultsMeta {
        format: sealed::FORMAT,
        organisation: exam.config.organisation.clone(),
        sitting: exam.config.sitting.clone(),
        copy: exam.config.copy.clone(),
        exported_at: now.to_string(),
        candidates: results.iter().filter(|r| r.present).count(),
        log_head: opened
            .records
            .last()
            .map(|r| r.hash.clone())
            .unwrap_or_default(),
        responses_len: responses.len() as u64,
        scores_len: scores.len() as u64,
        log_len: log.len() as u64,
    };
    let files = ResultsFiles {
        responses,
        scores,
        log,
    };
    let bytes = sealed::seal(&meta, &files, &sender, &pin.encryption)?;
    super::super::files::write_file(out, &bytes)?;
    if let Some(p) = scores_out {
        super::super::files::write_file(p, &files.scores)?;
    }
    if let Some(dir) = sheets {
        write_sheets(exam, &key, &results, dir)?;
    }
    Ok(Exported {
        file: out.to_path_buf(),
        candidates: meta.candidates,
        absent: results.iter().filter(|r| !r.present).count(),
        log_entries: opened.records.len(),
    })
}
