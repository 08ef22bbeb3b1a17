//! `qbank exam`: a 机考 at the evaluation organisation, over an opened theory copy. `init`
//! makes the exam's log from the copy, the roster and the times; `open` reads it back (the log
//! verified, the paper checked against the one it was made for); `live` runs it for the server;
//! `results` scores it once the keys are open and writes the results, the score sheets and the
//! response file `qbank analysis` reads, sealed to the bureau.

mod journal;
pub mod live;
pub mod marking;
pub mod results;

pub use journal::Journal;

use crate::document::{self, TheoryPaper};
use crate::error::{Error, Result};
use crate::exam::{Event, Exam, ExamConfig, Record, event};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// What `qbank exam init` needs.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// The opened theory copy (`…/<blueprint>/Fnn/`, holding `paper.json`).
    pub copy: PathBuf,
    /// The roster (CSV; 准考证号, 姓名, 证件号后四位, 座位号).
    pub roster: PathBuf,
    pub db: PathBuf,
    pub start: Timestamp,
    /// 考试时长; the paper's own when None.
    pub minutes: Option<u32>,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub double_marking: bool,
    pub threshold: f64,
}

/// What `init` made.
pub struct InitOutcome {
    pub copy: String,
    pub candidates: usize,
    pub questions: usize,
    pub start: Timestamp,
    pub minutes: u32,
    /// The proctor's code, shown once (only its Argon2id hash is kept).
    pub proctor_code: Zeroizing<String>,
    /// The examiners' marking code (阅卷码), shown once.
    pub marking_code: Zeroizing<String>,
}

/// The largest `paper.json` read: a theory copy with figures is far smaller.
const MAX_PAPER: usize = 64 << 20;

/// Reads a copy's `paper.json` (with its digest) and refuses anything but a theory copy.
pub fn read_paper(dir: &Path) -> Result<(TheoryPaper, String)> {
    let path = dir.join("paper.json");
    let bytes = super::files::read_regular(&path, MAX_PAPER)?;
    let paper: TheoryPaper = document::load(&bytes, &path.display().to_string(), "theory paper")?;
    if paper.copy.is_none() {
        return Err(Error::Usage(format!(
            "{} 不是某个机构的试卷副本（没有 copy 字段）：机考须用解封后的机构副本",
            path.display()
        )));
    }
    Ok((paper, hex::encode(Sha256::digest(&bytes))))
}

/// Reads a roster file's bytes (CSV as Excel saves it): the candidates, or every problem by line.
pub(crate) fn parse_roster(name: &str, bytes: &[u8]) -> Result<Vec<crate::exam::Candidate>> {
    if bytes.starts_with(b"PK\x03\x04") {
        // Excel keeps 15 significant digits of a number: a 16–18 digit 准考证号 typed into a
        // number cell is already altered there, so the roster travels as CSV with text columns
        return Err(Error::Invalid(vec![crate::bankfile::Diagnostic {
            file: name.to_string(),
            line: 1,
            message: "考生名单是 Excel 工作簿：请先把准考证号和证件号后四位两列设为“文本”格式，再“另存为 CSV UTF-8（逗号分隔）”，用该 CSV 建立考试".into(),
        }]));
    }
    let mut problems = Vec::new();
    let csv = super::csvfile::parse(name, bytes, &mut problems)?;
    match crate::exam::roster::parse(&csv.header, &csv.rows) {
        Ok(r) if problems.is_empty() => Ok(r),
        Ok(_) => Err(Error::Invalid(problems)),
        Err(p) => {
            problems.extend(
                p.into_iter()
                    .map(|(line, message)| crate::bankfile::Diagnostic {
                        file: csv.name.clone(),
                        line,
                        message,
                    }),
            );
            Err(Error::Invalid(problems))
        }
    }
}

/// Makes a new exam's log: nothing is written if the copy, the roster or the options are wrong.
pub fn init(o: &InitOptions) -> Result<InitOutcome> {
    let (paper, digest) = read_paper(&o.copy)?;
    let info = paper.copy.clone().expect("checked");
    let bytes = super::files::read_regular(&o.roster, super::csvfile::MAX_CSV_BYTES)?;
    let roster = parse_roster(&o.roster.display().to_string(), &bytes)?;
    let minutes = o.minutes.unwrap_or(paper.minutes);
    if !(1..=600).contains(&minutes) {
        return Err(Error::Usage(format!(
            "考试时长 {minutes} 分钟不合理（应为 1 至 600 分钟）"
        )));
    }
    if !(o.threshold >= 0.0 && o.threshold.is_finite()) {
        return Err(Error::Usage("双评误差阈值应为不小于 0 的分数".into()));
    }
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|e| Error::Crypto(format!("系统随机数不可用：{e}")))?;
    let code = Zeroizing::new(proctor_code()?);
    let marking = Zeroizing::new(proctor_code()?);
    let config = ExamConfig {
        format: event::CONFIG_FORMAT,
        sitting: info.sitting.clone(),
        organisation: info.organisation.clone(),
        organisation_name: organisation_name(&o.copy, &info.organisation),
        occupation: info.occupation.clone(),
        occupation_name: info.occupation_name.clone(),
        level: info.level,
        copy: info.copy.clone(),
        paper_sha256: digest,
        start: o.start,
        minutes,
        shuffle_questions: o.shuffle_questions,
        shuffle_options: o.shuffle_options,
        salt: hex::encode(salt),
        proctor: hash_code(&code)?,
        marking: hash_code(&marking)?,
        double_marking: o.double_marking,
        threshold: o.threshold,
        roster,
    };
    let candidates = config.roster.len();
    let open = Record::new(
        &event::GENESIS,
        1,
        Timestamp::now(),
        Event::Open(Box::new(config)),
    );
    let mut j = Journal::open(&o.db, true)?;
    if let Err(e) = j.append(std::slice::from_ref(&open)) {
        drop(j);
        let _ = std::fs::remove_file(&o.db);
        return Err(e);
    }
    Ok(InitOutcome {
        copy: info.copy,
        candidates,
        questions: paper.sections.iter().map(|s| s.items.len()).sum(),
        start: o.start,
        minutes,
        proctor_code: code,
        marking_code: marking,
    })
}

/// The organisation's name from the manifest `unseal` writes at the top of its output
/// (`<out>/package-manifest.json`, two folders above a copy), when it names the same
/// organisation; empty otherwise (the pages then show the code alone).
fn organisation_name(copy: &Path, id: &str) -> String {
    let Some(top) = copy.parent().and_then(Path::parent) else {
        return String::new();
    };
    let Ok(bytes) = super::files::read_regular(&top.join("package-manifest.json"), 1 << 20) else {
        return String::new();
    };
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if v["organisation"].as_str() == Some(id) {
        v["organisation_name"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(64)
            .collect()
    } else {
        String::new()
    }
}

/// Eight digits in two groups, e.g. `4821-0937`: read out by the chief examiner, typed once.
fn proctor_code() -> Result<String> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| Error::Crypto(format!("系统随机数不可用：{e}")))?;
    let d: String = b.iter().map(|x| char::from(b'0' + x % 10)).collect();
    Ok(format!("{}-{}", &d[..4], &d[4..]))
}

fn hash_code(code: &str) -> Result<String> {
    crate::ops::phc::hash(code)
}

/// Whether `code` is the proctor's code.
pub fn proctor_code_ok(config: &ExamConfig, code: &str) -> bool {
    code_ok(&config.proctor, code)
}

/// Whether `code` is the examiners' marking code.
pub fn marking_code_ok(config: &ExamConfig, code: &str) -> bool {
    code_ok(&config.marking, code)
}

fn code_ok(phc: &str, code: &str) -> bool {
    crate::ops::phc::verify(phc, code)
}

/// An exam read back: its log verified and replayed over the copy it was made for.
pub struct Opened {
    pub exam: Exam,
    pub journal: Journal,
    pub records: Vec<Record>,
}

/// Opens the exam at `db` over the copy in `copy`, or the in-memory baseline's log when
/// `memory` (benchmarks only).
pub fn open(db: &Path, copy: &Path) -> Result<Opened> {
    let (paper, digest) = read_paper(copy)?;
    let journal = Journal::open(db, false)?;
    let records = journal.load()?;
    let exam = crate::exam::state::replay(&records, paper).map_err(|seq| Error::Tampered {
        record: format!(
            "{} 第 {seq} 条（考试记录的哈希链断开或被改动）",
            db.display()
        ),
    })?;
    if exam.config.format > event::CONFIG_FORMAT {
        return Err(Error::Usage(format!(
            "{} 由更新版本的 qbank 建立（考试记录格式 {}，本版本支持 {}）：请用同一版本或更新的 qbank 开考",
            db.display(),
            exam.config.format,
            event::CONFIG_FORMAT
        )));
    }
    if exam.config.paper_sha256 != digest {
        return Err(Error::Usage(format!(
            "{} 中的试卷与建立本场机考时的试卷不同（{} 的摘要不符）：请使用建立考试时的副本",
            copy.display(),
            exam.config.copy
        )));
    }
    Ok(Opened {
        exam,
        journal,
        records,
    })
}
