//! Anchors: the signed audit checkpoints carried out of the vault in issued packages (the
//! manifest's `audit`) and releases (the release's `audit`). A store folder can be rolled back as
//! a whole — an old copy restored, or the header put back with the log cut to its head, both of
//! which verify on their own — but a file issued later names an entry the rolled-back log does not
//! hold (or holds with another hash). `qbank audit verify --anchor FILE` checks each such file:
//! its signature against the vault's bureau key, then that the log holds the entry it names with
//! the hash it names. An anchor proves the log reached its entry; a rollback to a point after the
//! newest anchor the operator keeps is not detected (THREATS.md).

use super::vault::Vault;
use crate::error::{Error, Result};
use crate::package::{self, Checkpoint};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Anchor files above this size are refused unread (packages are a few MiB).
pub const MAX_ANCHOR_BYTES: u64 = 1 << 30;

/// One anchor file checked against the log.
#[derive(Clone, Debug, Serialize)]
pub struct AnchorCheck {
    pub file: PathBuf,
    /// `package` or `release`.
    pub kind: &'static str,
    /// The sitting the file belongs to.
    pub sitting: String,
    /// The audit entry the file was issued at.
    pub checkpoint: Checkpoint,
    /// What is wrong, if anything (Chinese, for the operator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Reads an anchor file: a sealed package or a release, signed by `bureau`. Returns its kind,
/// sitting and checkpoint. A file of neither kind, or not signed by `bureau`, is refused.
fn read_anchor(
    path: &Path,
    bureau: &crate::package::keys::BureauPublic,
) -> Result<(&'static str, String, Checkpoint)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(Error::Usage(format!(
            "{}：锚点必须是普通文件（封装包 .qpkg 或发布文件 release.json）",
            path.display()
        )));
    }
    if meta.len() > MAX_ANCHOR_BYTES {
        return Err(Error::Usage(format!(
            "{}：文件过大（{} 字节），不是封装包或发布文件",
            path.display(),
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    if bytes.starts_with(b"QBANK-PACKAGE/") {
        let m = package::read_manifest(&bytes, bureau).map_err(|e| e.naming(path))?;
        return Ok(("package", m.sitting, m.audit));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::PackageRefused(format!(
            "{}: 不是封装包或发布文件，不能作为锚点",
            path.display()
        ))
    })?;
    let r = package::read_release(text, bureau).map_err(|e| e.naming(path))?;
    Ok(("release", r.sitting, r.audit))
}

impl Vault {
    /// The hash the log stores for entry `seq`, if it holds that entry and it is readable.
    fn logged_hash(&self, seq: u64) -> Result<Option<String>> {
        let Some(raw) = self.kv.get(format!("a/{seq:012}").as_bytes())? else {
            return Ok(None);
        };
        Ok(serde_json::from_slice::<serde_json::Value>(&raw)
            .ok()
            .and_then(|v| v.get("hash").and_then(|h| h.as_str()).map(str::to_string)))
    }

    /// Checks each anchor file against the log (see the module comment). A file that is not a
    /// package or release signed by this vault's bureau key is an error naming it; a file that
    /// is, but names history the log does not hold, is a problem in its [`AnchorCheck`].
    pub fn check_anchors(&self, files: &[PathBuf]) -> Result<Vec<AnchorCheck>> {
        let bureau = self.bureau_public()?;
        let head = self.checkpoint();
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            let (kind, sitting, cp) = read_anchor(file, &bureau)?;
            let problem = if cp.seq > head.seq {
                Some(format!(
                    "{}（考试批次 {sitting} 的{}）签发于审计日志第 {} 条，而存储中的日志只到第 {} 条：存储被回滚（恢复了旧副本，或日志尾部连同存储头被截去）",
                    file.display(),
                    kind_name(kind),
                    cp.seq,
                    head.seq
                ))
            } else {
                match self.logged_hash(cp.seq)? {
                    Some(h) if h == cp.hash => None,
                    Some(_) => Some(format!(
                        "{}（考试批次 {sitting} 的{}）所记的审计日志第 {} 条与存储中的不同：日志历史被改写",
                        file.display(),
                        kind_name(kind),
                        cp.seq
                    )),
                    None => Some(format!(
                        "{}（考试批次 {sitting} 的{}）所记的审计日志第 {} 条在存储中缺失",
                        file.display(),
                        kind_name(kind),
                        cp.seq
                    )),
                }
            };
            out.push(AnchorCheck {
                file: file.clone(),
                kind,
                sitting,
                checkpoint: cp,
                problem,
            });
        }
        Ok(out)
    }
}

impl Vault {
    /// [`Vault::verify_audit`], then each anchor file against the log; the anchors' problems
    /// join the report's.
    pub fn verify_audit_anchored(&self, files: &[PathBuf]) -> Result<super::AuditReport> {
        let mut r = self.verify_audit()?;
        r.anchors = self.check_anchors(files)?;
        r.problems
            .extend(r.anchors.iter().filter_map(|a| a.problem.clone()));
        Ok(r)
    }
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "package" => "封装包",
        _ => "发布文件",
    }
}
