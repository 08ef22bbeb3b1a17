//! Signed bundles that carry files across the air gap between the offline vault and the portal:
//! the outbox (`QBANK-OUTBOX/1`, signed by the bureau: catalog, packages, releases, enrolment
//! codes' hashes, submission statuses) and the inbox (`QBANK-INBOX/1`, signed by the portal's
//! key: what organisations uploaded, each file still sealed to the bureau). Pure over bytes.
//!
//! File: `magic line ‖ header line ‖ part bytes…`. The header line is the JSON
//! `{"manifest": M, "signature": hex}`; `M` names the bundle's kind, sequence number, time,
//! signer's fingerprint, a typed `meta` and every part (name, kind, length, SHA-256) in the
//! order their bytes follow. The Ed25519 signature (strict verification) is over
//! `"qbank-outbox/1" | "qbank-inbox/1" ‖ 0 ‖ RFC 8785 JSON of M`, so a part added, dropped,
//! reordered or altered, or a bundle of one kind passed off as the other, is refused.

use super::refused;
use crate::error::Result;
use crate::model::canon::canonical_json;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The format of the manifest this version writes.
pub const FORMAT: u32 = 1;
/// The longest header line read (the manifest of thousands of parts fits well within it).
const MAX_HEADER: usize = 16 << 20;
/// The most parts one bundle may list.
const MAX_PARTS: usize = 100_000;

/// Which way a bundle crosses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Vault → portal, signed by the bureau.
    Outbox,
    /// Portal → vault, signed by the portal's key.
    Inbox,
}

impl Direction {
    fn magic(self) -> &'static [u8] {
        match self {
            Direction::Outbox => b"QBANK-OUTBOX/1\n",
            Direction::Inbox => b"QBANK-INBOX/1\n",
        }
    }
    /// The signature's domain label.
    pub fn domain(self) -> &'static str {
        match self {
            Direction::Outbox => "qbank-outbox/1",
            Direction::Inbox => "qbank-inbox/1",
        }
    }
    /// The bundle's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Outbox => "发往门户的数据包",
            Direction::Inbox => "门户回传的数据包",
        }
    }
}

/// One file in a bundle, as its manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartInfo {
    /// A relative name (`packages/JS-2026-11-DG/S000032100001.qpkg`).
    pub name: String,
    /// What the part is; the reader decides what it accepts.
    pub kind: String,
    pub len: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// What a bundle's signature covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest<M> {
    pub format: u32,
    pub direction: Direction,
    /// Counts up by one per bundle its signer makes, so an old one cannot be replayed as new.
    pub seq: u64,
    /// RFC 3339.
    pub made: String,
    /// The signer's key fingerprint.
    pub signer: String,
    pub meta: M,
    pub parts: Vec<PartInfo>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header<M> {
    manifest: Manifest<M>,
    signature: String,
}

/// A file to put in a bundle.
pub struct Part {
    pub name: String,
    pub kind: String,
    pub bytes: Vec<u8>,
}

/// An opened bundle: its verified manifest and each part's bytes, borrowed from the file.
pub struct Opened<'a, M> {
    pub manifest: Manifest<M>,
    bodies: Vec<&'a [u8]>,
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether a part name is a plain relative path: no `..`, no absolute path, no backslash or
/// control character, at most 200 bytes.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('/')
        && !name.chars().any(|c| c == '\\' || c.is_control())
        && name
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// Writes a bundle: the manifest made from `parts`, signed by `sign` (domain, message).
pub fn write<M: Serialize + Clone>(
    direction: Direction,
    seq: u64,
    made: &str,
    signer: &str,
    meta: &M,
    parts: &[Part],
    sign: impl Fn(&str, &[u8]) -> [u8; 64],
) -> Vec<u8> {
    let manifest = Manifest {
        format: FORMAT,
        direction,
        seq,
        made: made.to_string(),
        signer: signer.to_string(),
        meta: meta.clone(),
        parts: parts
            .iter()
            .map(|p| PartInfo {
                name: p.name.clone(),
                kind: p.kind.clone(),
                len: p.bytes.len() as u64,
                sha256: sha256_hex(&p.bytes),
            })
            .collect(),
    };
    let signature = hex::encode(sign(direction.domain(), &canonical_json(&manifest)));
    let header = serde_json::to_vec(&Header {
        manifest,
        signature,
    })
    .expect("a bundle header serialises");
    let total: usize = parts.iter().map(|p| p.bytes.len()).sum();
    let mut out = Vec::with_capacity(direction.magic().len() + header.len() + 1 + total);
    out.extend_from_slice(direction.magic());
    out.extend_from_slice(&header);
    out.push(b'\n');
    for p in parts {
        out.extend_from_slice(&p.bytes);
    }
    out
}

/// Reads the manifest without checking the signature or the parts: for telling a reader which
/// bundle (kind, sequence, signer) it was handed before it decides which key verifies it.
pub fn peek<M: DeserializeOwned>(direction: Direction, bytes: &[u8]) -> Result<Manifest<M>> {
    let (header, _) = split_header::<M>(direction, bytes)?;
    Ok(header.manifest)
}

fn split_header<M: DeserializeOwned>(
    direction: Direction,
    bytes: &[u8],
) -> Result<(Header<M>, &[u8])> {
    let magic = direction.magic();
    let Some(rest) = bytes.strip_prefix(magic) else {
        let other = match direction {
            Direction::Outbox => Direction::Inbox,
            Direction::Inbox => Direction::Outbox,
        };
        if bytes.starts_with(other.magic()) {
            return Err(refused(format!(
                "这是{}，不是{}",
                other.name(),
                direction.name()
            )));
        }
        return Err(refused(format!("不是{}（文件开头不符）", direction.name())));
    };
    let window = &rest[..rest.len().min(MAX_HEADER + 1)];
    let Some(end) = window.iter().position(|&b| b == b'\n') else {
        return Err(refused(format!("{}的清单缺失或过长", direction.name())));
    };
    let header: Header<M> = serde_json::from_slice(&rest[..end])
        .map_err(|e| refused(format!("{}的清单无法读取：{e}", direction.name())))?;
    if header.manifest.format != FORMAT {
        return Err(refused(format!(
            "{}的格式为 {}，本版本只读格式 {FORMAT}；请使用相应版本的 qbank",
            direction.name(),
            header.manifest.format
        )));
    }
    if header.manifest.direction != direction {
        return Err(refused(format!("{}的清单方向不符", direction.name())));
    }
    Ok((header, &rest[end + 1..]))
}

/// Opens a bundle: the header, the signature (checked by `verify`: domain, message,
/// signature), then every part's length and SHA-256. Nothing is returned unless all hold.
pub fn open<'a, M: DeserializeOwned + Serialize>(
    direction: Direction,
    bytes: &'a [u8],
    verify: impl Fn(&str, &[u8], &[u8]) -> bool,
) -> Result<Opened<'a, M>> {
    let name = direction.name();
    let (header, body) = split_header::<M>(direction, bytes)?;
    let sig = hex::decode(&header.signature).unwrap_or_default();
    if !verify(direction.domain(), &canonical_json(&header.manifest), &sig) {
        return Err(refused(format!(
            "{name}的签名无效（不是由所固定的密钥签发，或清单被改动）"
        )));
    }
    let manifest = header.manifest;
    if manifest.parts.len() > MAX_PARTS {
        return Err(refused(format!("{name}列出的文件过多")));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut total: u64 = 0;
    for p in &manifest.parts {
        if !safe_name(&p.name) {
            return Err(refused(format!("{name}中的文件名不安全：{:?}", p.name)));
        }
        if !seen.insert(p.name.as_str()) {
            return Err(refused(format!("{name}中的文件 {} 出现两次", p.name)));
        }
        total = total.saturating_add(p.len);
    }
    if total != body.len() as u64 {
        return Err(refused(format!(
            "{name}的长度不符：清单列出 {total} 字节，实有 {} 字节（文件被截断或附加了内容）",
            body.len()
        )));
    }
    let mut bodies = Vec::with_capacity(manifest.parts.len());
    let mut at = 0usize;
    for p in &manifest.parts {
        let end = at + p.len as usize;
        let part = &body[at..end];
        if sha256_hex(part) != p.sha256 {
            return Err(refused(format!(
                "{name}中的文件 {} 与清单的摘要不符",
                p.name
            )));
        }
        bodies.push(part);
        at = end;
    }
    Ok(Opened { manifest, bodies })
}

impl<'a, M> Opened<'a, M> {
    /// Each part as the manifest lists it, with its bytes.
    pub fn parts(&self) -> impl Iterator<Item = (&PartInfo, &'a [u8])> + '_ {
        self.manifest.parts.iter().zip(self.bodies.iter().copied())
    }
}
