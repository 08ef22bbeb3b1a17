//! 机考 results sealed to the bureau (`.qres`): the response file in the analysis format, the
//! per-candidate scores and the exam's hash-chained log, sealed like a submission — to the
//! bureau's X25519 key, authenticated with the examining organisation's key (HPKE auth mode) —
//! under their own magic line `QBANK-RESULTS/1` and info `qbank-results/1`, so a results file
//! never opens as a submission nor one as the other. They carry candidates' personal data (names,
//! 证件号后四位 in the log) and their answers: nobody but the bureau opens them.
//!
//! Inner payload: `u32 BE meta length ‖ meta JSON ‖ responses CSV ‖ scores CSV ‖ log JSONL`,
//! the three lengths in the meta.

use super::keys::{OrgPublic, OrgSecret};
use super::submission::{Kind, open_as, seal_as};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

const KIND: Kind = Kind {
    magic: b"QBANK-RESULTS/1\n",
    info: b"qbank-results/1",
    what: "机考成绩",
};

pub const FORMAT: u32 = 1;

/// What a results file is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultsMeta {
    pub format: u32,
    pub organisation: String,
    pub sitting: String,
    pub copy: String,
    pub exported_at: String,
    pub candidates: usize,
    /// The exam log's last hash: what the log in the file must end with.
    pub log_head: String,
    pub responses_len: u64,
    pub scores_len: u64,
    pub log_len: u64,
}

/// The three files a results file carries.
pub struct ResultsFiles {
    pub responses: Zeroizing<Vec<u8>>,
    pub scores: Zeroizing<Vec<u8>>,
    pub log: Zeroizing<Vec<u8>>,
}

/// Seals the results from the organisation `sender` to the bureau.
pub fn seal(
    meta: &ResultsMeta,
    files: &ResultsFiles,
    sender: &OrgSecret,
    bureau: &OrgPublic,
) -> Result<Vec<u8>> {
    if meta.organisation != sender.organisation {
        return Err(Error::Usage(format!(
            "考试属于机构 {}，机构私钥文件却是 {} 的：请用考试机构自己的私钥",
            meta.organisation, sender.organisation
        )));
    }
    let m = serde_json::to_vec(meta).expect("meta serialises");
    let mut body = Zeroizing::new(Vec::new());
    body.extend_from_slice(&files.responses);
    body.extend_from_slice(&files.scores);
    body.extend_from_slice(&files.log);
    seal_as(KIND, &m, &body, sender, bureau)
}

/// Whether `bytes` look like a results file (by its magic line).
pub fn is_results(bytes: &[u8]) -> bool {
    bytes.starts_with(KIND.magic)
}

/// Opens a results file with the bureau's key, its origin checked as a submission's is.
pub fn open(
    bytes: &[u8],
    bureau: &OrgSecret,
    sender: impl FnOnce(&str) -> Result<OrgPublic>,
) -> Result<(ResultsMeta, ResultsFiles)> {
    let (org, m, body) = open_as(KIND, bytes, bureau, sender)?;
    let bad = |why: &str| Error::PackageRefused(format!("机考成绩文件{why}"));
    let meta: ResultsMeta = serde_json::from_slice(&m).map_err(|_| bad("的说明部分格式错误"))?;
    if meta.organisation != org {
        return Err(bad(&format!(
            "声明的机构 {} 与认证它的机构密钥（{org}）不符，已拒收",
            meta.organisation
        )));
    }
    let (a, b, c) = (meta.responses_len, meta.scores_len, meta.log_len);
    let total = a.checked_add(b).and_then(|x| x.checked_add(c));
    if total != Some(body.len() as u64) {
        return Err(bad("的各部分长度与说明不符"));
    }
    let (a, b) = (a as usize, b as usize);
    Ok((
        meta,
        ResultsFiles {
            responses: Zeroizing::new(body[..a].to_vec()),
            scores: Zeroizing::new(body[a..a + b].to_vec()),
            log: Zeroizing::new(body[a + b..].to_vec()),
        },
    ))
}
