//! The signed release of a sitting (`release.json`): published at the start, it carries each
//! organisation's release key sealed (HPKE) to that organisation, and names the organisations
//! left out (suspended). Format 1 (records sealed before per-organisation keys) carried one key
//! for everyone.

use super::keys::{Aead, BureauKey, BureauPublic, Kdf, Kem, OrgPublic, OrgSecret};
use super::{Checkpoint, RELEASE_FORMAT, refused};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const RELEASE_KEY_INFO: &str = "qbank-release-key/1";
const RELEASE_DOMAIN: &str = "qbank-release/1";

/// The signed release of a sitting: the release key, published at the start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub format: u32,
    pub sitting: String,
    pub start: String,
    pub released_at: String,
    /// Released before `start` by an explicit, audited override.
    pub early: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Format 1: the sitting's one release key (hex), readable by anyone once released.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_key: Option<String>,
    /// Format 2: organisation → its release key sealed to its X25519 key (hex of HPKE
    /// encapsulated key ‖ ciphertext), for organisations in good standing at the release.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, String>,
    /// Format 2: organisations of the sitting whose key was left out (suspended at the release).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
    pub bureau_key: String,
    pub audit: Checkpoint,
}

fn release_key_info(sitting: &str, org: &str) -> Vec<u8> {
    format!("{RELEASE_KEY_INFO}\0{sitting}\0{org}").into_bytes()
}

/// Seals an organisation's release key to its X25519 key, for a format-2 release.
pub fn seal_release_key(
    org_id: &str,
    org: &OrgPublic,
    sitting: &str,
    key: &[u8; 32],
) -> Result<String> {
    let info = release_key_info(sitting, org_id);
    let (enc, ct) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &org.hpke()?,
        &info,
        key,
        &info,
    )
    .map_err(|e| Error::Crypto(format!("HPKE seal: {e}")))?;
    let mut out = hpke::Serializable::to_bytes(&enc).to_vec();
    out.extend_from_slice(&ct);
    Ok(hex::encode(out))
}

impl Release {
    /// The release key of `org`'s package: format 1's one key, or format 2's key sealed to the
    /// organisation, opened with its private key. A release that leaves the organisation out
    /// (suspended at the release) is a key problem naming it.
    pub fn key_for(&self, org: &OrgSecret) -> Result<Zeroizing<[u8; 32]>> {
        let bad = || refused("the release key is malformed");
        let bytes = match (self.format, &self.release_key) {
            (1, Some(k)) => Zeroizing::new(hex::decode(k).map_err(|_| bad())?),
            (2, _) => {
                let Some(sealed) = self.keys.get(&org.organisation) else {
                    return Err(Error::PackageKey(format!(
                        "发布文件不含机构 {} 的发布密钥（该机构已被暂停，或不属于考试批次 {}）",
                        org.organisation, self.sitting
                    )));
                };
                let raw = hex::decode(sealed).map_err(|_| bad())?;
                if raw.len() < 32 {
                    return Err(bad());
                }
                let enc = <<Kem as hpke::Kem>::EncappedKey as hpke::Deserializable>::from_bytes(
                    &raw[..32],
                )
                .map_err(|_| bad())?;
                let info = release_key_info(&self.sitting, &org.organisation);
                Zeroizing::new(
                    hpke::single_shot_open::<Aead, Kdf, Kem>(
                        &hpke::OpModeR::Base,
                        &org.hpke()?,
                        &enc,
                        &info,
                        &raw[32..],
                        &info,
                    )
                    .map_err(|_| {
                        Error::PackageKey(format!(
                            "机构 {} 的发布密钥无法用所给私钥打开（私钥不符或发布文件被改动）",
                            org.organisation
                        ))
                    })?,
                )
            }
            _ => {
                return Err(refused(format!(
                    "release format {} is not supported",
                    self.format
                )));
            }
        };
        let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| bad())?;
        Ok(Zeroizing::new(arr))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseFile {
    /// The release as exact JSON text, so the signature covers these bytes.
    payload: String,
    signature: String,
}

/// Signs a release into the text of a release file.
pub fn sign_release(release: &Release, bureau: &BureauKey) -> String {
    let payload = serde_json::to_string(release).expect("release serialises");
    let sig = bureau.sign(RELEASE_DOMAIN, payload.as_bytes());
    let mut s = serde_json::to_string_pretty(&ReleaseFile {
        payload,
        signature: hex::encode(sig),
    })
    .expect("release file serialises");
    s.push('\n');
    s
}

/// Reads a release file and verifies the bureau's signature on it.
pub fn read_release(text: &str, bureau: &BureauPublic) -> Result<Release> {
    let f: ReleaseFile =
        serde_json::from_str(text).map_err(|_| refused("this is not a qbank release file"))?;
    let sig = hex::decode(&f.signature).unwrap_or_default();
    if !bureau.verify(RELEASE_DOMAIN, f.payload.as_bytes(), &sig) {
        return Err(refused(format!(
            "the release is not signed by the bureau key {} (forged or altered)",
            bureau.fingerprint()
        )));
    }
    let r: Release =
        serde_json::from_str(&f.payload).map_err(|_| refused("the release is malformed"))?;
    if !(1..=RELEASE_FORMAT).contains(&r.format) {
        return Err(refused(format!(
            "发布文件格式 {} 不受支持（本版本读取格式 1–{RELEASE_FORMAT}）",
            r.format
        )));
    }
    let start = r.start.parse::<jiff::Timestamp>();
    let at = r.released_at.parse::<jiff::Timestamp>();
    match (start, at) {
        (Ok(s), Ok(a)) if a >= s || r.early => Ok(r),
        (Ok(_), Ok(_)) => Err(refused(format!(
            "the release of sitting {} is dated {} , before the start {}",
            r.sitting, r.released_at, r.start
        ))),
        _ => Err(refused("the release's times are malformed")),
    }
}
