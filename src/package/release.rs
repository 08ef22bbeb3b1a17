//! The signed releases of a sitting (`release.json`, `keys-release.json`): each carries every
//! organisation's release key of its stage sealed (HPKE) to that organisation, and names the
//! organisations left out (suspended). Format 3 says which stage it opens (`stage`: `papers`,
//! issued at the start, or `keys`, issued at the keys time, by default the end) and binds it into
//! the signature domain (`qbank-release-papers/2`, `qbank-release-keys/2`) and into the HPKE info
//! its keys are sealed under, so a papers release cannot be passed off as a keys release.
//! Format 2 (records sealed before the keys stage) has no stage and opens a whole
//! `QBANK-PACKAGE/3`; format 1 (records sealed before per-organisation keys) carried one key for
//! everyone.

use super::keys::{Aead, BureauKey, BureauPublic, Kdf, Kem, OrgPublic, OrgSecret};
use super::{Checkpoint, RELEASE_FORMAT, Stage, refused};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const RELEASE_KEY_INFO: &str = "qbank-release-key/1";
const RELEASE_DOMAIN: &str = "qbank-release/1";
const STAGE_KEY_INFO: &str = "qbank-release-key/2";

/// The domain a release's signature is made in: one per stage from format 3.
fn domain(r: &Release) -> &'static str {
    match (r.format, r.stage) {
        (3.., Some(Stage::Papers)) => "qbank-release-papers/2",
        (3.., Some(Stage::Keys)) => "qbank-release-keys/2",
        (3.., None) => "qbank-release/2",
        _ => RELEASE_DOMAIN,
    }
}

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
    /// Format 3: which section of the packages this release opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Format 3: RFC 3339, the time from which the keys release may be issued (the plan's
    /// `keys_release`, by default its end); a keys release dated before it must be `early`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_at: Option<String>,
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
    seal_with(&release_key_info(sitting, org_id), org, key)
}

fn seal_with(info: &[u8], org: &OrgPublic, key: &[u8; 32]) -> Result<String> {
    let (enc, ct) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &org.hpke()?,
        info,
        key,
        info,
    )
    .map_err(|e| Error::Crypto(format!("HPKE seal: {e}")))?;
    let mut out = hpke::Serializable::to_bytes(&enc).to_vec();
    out.extend_from_slice(&ct);
    Ok(hex::encode(out))
}

/// Seals an organisation's release key of `stage` to its X25519 key, for a format-3 release:
/// the stage is in the HPKE info, so a key sealed for one stage does not open as the other's.
pub fn seal_stage_key(
    stage: Stage,
    org_id: &str,
    org: &OrgPublic,
    sitting: &str,
    key: &[u8; 32],
) -> Result<String> {
    seal_with(&stage_key_info(stage, sitting, org_id), org, key)
}

fn stage_key_info(stage: Stage, sitting: &str, org: &str) -> Vec<u8> {
    format!("{STAGE_KEY_INFO}\0{}\0{sitting}\0{org}", stage.label()).into_bytes()
}

impl Release {
    /// The stage this release opens: format 3 says; older releases open the papers (and, for a
    /// `QBANK-PACKAGE/3`, everything).
    pub fn stage(&self) -> Stage {
        self.stage.unwrap_or(Stage::Papers)
    }

    /// The release key of `org`'s package: format 1's one key, or format 2's key sealed to the
    /// organisation, opened with its private key. A release that leaves the organisation out
    /// (suspended at the release) is a key problem naming it.
    pub fn key_for(&self, org: &OrgSecret) -> Result<Zeroizing<[u8; 32]>> {
        let bad = || refused("the release key is malformed");
        let bytes = match (self.format, &self.release_key) {
            (1, Some(k)) => Zeroizing::new(hex::decode(k).map_err(|_| bad())?),
            (2 | 3, _) => {
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
                let info = match self.format {
                    2 => release_key_info(&self.sitting, &org.organisation),
                    _ => stage_key_info(self.stage(), &self.sitting, &org.organisation),
                };
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
    let sig = bureau.sign(domain(release), payload.as_bytes());
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
    // The payload is parsed before its signature is checked only to choose the signature's
    // domain (its stage); nothing of it is trusted until the signature verifies.
    let parsed: Option<Release> = serde_json::from_str(&f.payload).ok();
    let dom = parsed.as_ref().map_or(RELEASE_DOMAIN, domain);
    if !bureau.verify(dom, f.payload.as_bytes(), &sig) {
        return Err(refused(format!(
            "the release is not signed by the bureau key {} (forged or altered)",
            bureau.fingerprint()
        )));
    }
    let r = parsed.ok_or_else(|| refused("the release is malformed"))?;
    if !(1..=RELEASE_FORMAT).contains(&r.format) {
        return Err(refused(format!(
            "发布文件格式 {} 不受支持（本版本读取格式 1–{RELEASE_FORMAT}）",
            r.format
        )));
    }
    if (r.format >= 3) != (r.stage.is_some() && r.keys_at.is_some()) {
        return Err(refused("发布文件的阶段（stage、keys_at）与其格式不符"));
    }
    // A keys release may not be dated before the keys time, a papers release before the start.
    let (not_before, what) = match r.stage() {
        Stage::Keys => (r.keys_at.as_deref().unwrap_or(&r.start), "答案发布时间"),
        Stage::Papers => (r.start.as_str(), "开考时间"),
    };
    let start = not_before.parse::<jiff::Timestamp>();
    let at = r.released_at.parse::<jiff::Timestamp>();
    match (start, at) {
        (Ok(s), Ok(a)) if a >= s || r.early => Ok(r),
        (Ok(_), Ok(_)) => Err(refused(format!(
            "考试批次 {} 的发布文件签发于 {}，早于{what} {}",
            r.sitting, r.released_at, not_before
        ))),
        _ => Err(refused("the release's times are malformed")),
    }
}
