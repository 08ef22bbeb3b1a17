//! Files sealed in the portal's browser page to the bureau (`QBANK-UPLOAD/1`): an item writer's
//! workbook or TOML with its figures, or an organisation's response file or feedback, sealed
//! with @hpke/core in the page so the portal only ever holds ciphertext. Pure over bytes.
//!
//! File: `"QBANK-UPLOAD/1\n" ‖ 32-byte encapsulated key ‖ HPKE ciphertext`, base mode,
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, to the bureau's X25519 key (the one in
//! `bureau.pub`); info `"qbank-upload/1"`, associated data the magic line; plaintext
//! `u32 BE meta length ‖ meta JSON ‖ file bytes ‖ figure bytes…` (the figures' lengths in the
//! meta, as a submission's). The page's script (`src/portalserver/portal.js`) writes exactly
//! this; `tests/browser/check-portal.cjs` seals in Chromium and the vault opens it.
//!
//! Base mode has no sender key: the file proves only that it was sealed to the bureau. Who sent
//! it is what the portal's signed inbox says (organisation and user), and the vault requires the
//! meta to name the same.

use super::keys::{Aead, Kdf, Kem, OrgPublic, OrgSecret};
use super::submission::{Attachment, SubmissionMeta};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub const MAGIC: &[u8] = b"QBANK-UPLOAD/1\n";
const INFO: &[u8] = b"qbank-upload/1";
pub const FORMAT: u32 = 1;

/// What an upload holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadKind {
    /// Supplementary questions (TOML or Excel, with figures).
    Submission,
    /// A response file (CSV) of a paper-based sitting.
    Responses,
    /// A feedback report (CSV).
    Feedback,
}

impl UploadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadKind::Submission => "submission",
            UploadKind::Responses => "responses",
            UploadKind::Feedback => "feedback",
        }
    }
    pub fn parse(s: &str) -> Option<UploadKind> {
        [
            UploadKind::Submission,
            UploadKind::Responses,
            UploadKind::Feedback,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            UploadKind::Submission => "补充试题",
            UploadKind::Responses => "作答数据",
            UploadKind::Feedback => "试题反馈",
        }
    }
}

/// The meta the page writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadMeta {
    pub format: u32,
    pub kind: UploadKind,
    pub organisation: String,
    /// The portal user (login name) who sealed it.
    pub user: String,
    /// The writer's name, for a submission.
    #[serde(default)]
    pub writer: String,
    pub file_name: String,
    pub sealed_at: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl UploadMeta {
    /// The meta a submission's checks read.
    pub fn as_submission(&self) -> SubmissionMeta {
        SubmissionMeta {
            format: super::submission::FORMAT,
            organisation: self.organisation.clone(),
            writer: if self.writer.trim().is_empty() {
                self.user.clone()
            } else {
                self.writer.clone()
            },
            file_name: self.file_name.clone(),
            sealed_at: self.sealed_at.clone(),
            attachments: self.attachments.clone(),
        }
    }
}

/// Whether `bytes` is an upload sealed in the browser.
pub fn is_upload(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

fn refused(why: &str) -> Error {
    Error::PackageRefused(why.to_string())
}

/// Seals as the page does (for tests and tools).
pub fn seal(meta: &UploadMeta, payload: &[u8], bureau: &OrgPublic) -> Result<Vec<u8>> {
    let m = serde_json::to_vec(meta).expect("upload meta serialises");
    let mut plain = Zeroizing::new(Vec::with_capacity(4 + m.len() + payload.len()));
    plain.extend_from_slice(&(m.len() as u32).to_be_bytes());
    plain.extend_from_slice(&m);
    plain.extend_from_slice(payload);
    let (enc, ct) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &bureau.hpke()?,
        INFO,
        &plain,
        MAGIC,
    )
    .map_err(|e| Error::Crypto(format!("HPKE seal: {e}")))?;
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&hpke::Serializable::to_bytes(&enc));
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens an upload with the bureau's key: its meta and payload.
pub fn open(bytes: &[u8], bureau: &OrgSecret) -> Result<(UploadMeta, Zeroizing<Vec<u8>>)> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| refused("这不是在门户页面中加密的上传文件（应以 QBANK-UPLOAD/1 开头）"))?;
    if rest.len() < 32 + 16 {
        return Err(refused("上传文件不完整（被截断）"));
    }
    let enc = <<Kem as hpke::Kem>::EncappedKey as hpke::Deserializable>::from_bytes(&rest[..32])
        .map_err(|_| refused("上传文件的封装密钥格式错误"))?;
    let plain = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &bureau.hpke()?,
            &enc,
            INFO,
            &rest[32..],
            MAGIC,
        )
        .map_err(|_| refused("上传文件无法用本鉴定中心的密钥打开：加密给了其他密钥，或已被改动"))?,
    );
    let bad = || refused("上传文件格式错误");
    if plain.len() < 4 {
        return Err(bad());
    }
    let n = u32::from_be_bytes(plain[..4].try_into().expect("4 bytes")) as usize;
    if plain.len() - 4 < n {
        return Err(bad());
    }
    let meta: UploadMeta = serde_json::from_slice(&plain[4..4 + n])
        .map_err(|e| refused(&format!("上传文件的说明部分无法读取：{e}")))?;
    if meta.format != FORMAT {
        return Err(refused(&format!(
            "上传文件的格式为 {}，本版本只读格式 {FORMAT}",
            meta.format
        )));
    }
    Ok((meta, Zeroizing::new(plain[4 + n..].to_vec())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_opens_with_the_bureaus_key_only_and_not_when_altered() {
        let bureau = OrgSecret::generate("bureau").unwrap();
        let other = OrgSecret::generate("bureau").unwrap();
        let meta = UploadMeta {
            format: FORMAT,
            kind: UploadKind::Submission,
            organisation: "S000032100001".into(),
            user: "wr-wang".into(),
            writer: "王建国".into(),
            file_name: "a.toml".into(),
            sealed_at: "2026-12-01T00:00:00Z".into(),
            attachments: Vec::new(),
        };
        let sealed = seal(&meta, b"format = 1", &bureau.public().unwrap()).unwrap();
        let (m, p) = open(&sealed, &bureau).unwrap();
        assert_eq!((m, p.as_slice()), (meta, &b"format = 1"[..]));
        assert!(open(&sealed, &other).is_err());
        let mut bad = sealed.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert_eq!(open(&bad, &bureau).unwrap_err().exit_code(), 6);
        assert!(open(&sealed[..40], &bureau).is_err());
    }
}
