//! Sealed packages for evaluation organisations and the signed releases that open them. Pure
//! functions over bytes (plus OS randomness).
//!
//! Package file (`.qpkg`, two sections opened by two releases):
//! ```text
//! "QBANK-PACKAGE/4\n" ‖ u32 BE manifest length ‖ manifest JSON ‖ 64-byte Ed25519 signature
//!   ‖ content: 32-byte HPKE encapsulated key ‖ 48-byte HPKE ciphertext of the key share
//!              ‖ u64 BE length of the papers section ‖ papers section ‖ keys section
//! section = 12-byte nonce ‖ AES-256-GCM ciphertext of its documents
//! ```
//! - **Two stages.** The *papers* section holds everything candidates and examiners need during
//!   the sitting; the *keys* section the theory answer keys and marking schemes (which document
//!   goes where is decided by `ops::sitting::stage_of`, the one place of that rule). The papers
//!   section opens with the organisation's papers release key (the release issued at the start);
//!   the keys section with its keys-release key, a second, independent random key carried only by
//!   the keys release (issued at the plan's `keys_release`, by default the end). So whoever holds
//!   the papers release during the sitting cannot open the answers.
//! - The clear manifest (format 3) names ids, codes, times, key fingerprints and document paths
//!   only (`documents` of the papers section, `key_documents` of the keys section): no digest of
//!   any document (a practical set's documents depend on public fields and the drawn tasks, so
//!   their digests could be matched against enumerated candidates before the release). It
//!   carries `content_sha256`, the SHA-256 of the content bytes above, so the signature binds the
//!   manifest to this ciphertext; `release_key_sha256` and `keys_release_key_sha256`, digests of
//!   the two random release keys; and `keys_at`, the keys release time.
//! - The signature covers `"qbank-manifest/2" ‖ 0 ‖ manifest`.
//! - A random 32-byte key share is sealed to the organisation's X25519 key with HPKE (RFC 9180,
//!   base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM), info
//!   `"qbank-package/4" ‖ 0 ‖ sitting ‖ 0 ‖ organisation`, associated data the *binding*:
//!   SHA-256 of the manifest with `content_sha256` empty.
//! - Each section is encrypted with AES-256-GCM under
//!   `HKDF-SHA256(salt "qbank-package/4", ikm = key share ‖ release key of its stage,
//!   info = stage ‖ 0 ‖ sitting ‖ 0 ‖ organisation)` (stage `papers` or `keys`) with associated
//!   data binding ‖ stage. Each release key is the organisation's own (each organisation of a
//!   sitting has one per stage; each signed release carries its stage's keys sealed to their
//!   organisations, and leaves out a suspended one). Opening a section needs the organisation's
//!   private key (for the share and for its release key) and that stage's release; a manifest
//!   swapped from another package changes the binding and fails; the document paths are checked
//!   against the manifest after decryption (the AEAD tag authenticates their bytes).
//! - Each section's plaintext is a list of `[u16 name length][name][u64 length][bytes]`
//!   documents, ending with a `.pad` entry of zero bytes that rounds it up to a multiple of
//!   64 KiB, so the package's length tells an insider little about which tasks it holds.
//!
//! Packages of format 3 (`QBANK-PACKAGE/3`, manifest format 2: one section holding every
//! document, content key `HKDF(salt "qbank-package/2", share ‖ release key, sitting ‖ 0 ‖
//! organisation)`, share info `"qbank-package/2" ‖ …`) are still read: their one release opens
//! everything, keys included, as before. Packages of format 2 (`QBANK-PACKAGE/2`, whose clear
//! manifests listed document digests) are refused with a message saying so.

pub mod bundle;
pub mod keys;
pub mod person;
mod release;
pub mod results;
pub mod submission;
pub mod upload;

pub use release::{Release, read_release, seal_release_key, seal_stage_key, sign_release};

use crate::error::{Error, Result};
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use keys::{Aead, BureauKey, BureauPublic, Kdf, Kem, OrgPublic, OrgSecret};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use keys::{fingerprint, read_org_public};

const MAGIC: &[u8] = b"QBANK-PACKAGE/4\n";
/// Still read: one section, opened by one release.
const MAGIC_3: &[u8] = b"QBANK-PACKAGE/3\n";
const OLD_MAGIC: &[u8] = b"QBANK-PACKAGE/2\n";
/// The `format` of package manifests this version writes (inside `QBANK-PACKAGE/4`).
pub const MANIFEST_FORMAT: u32 = 3;
/// The manifest format of `QBANK-PACKAGE/3`, still read.
pub const MANIFEST_FORMAT_3: u32 = 2;
/// Release formats: 1 carried one release key for the whole sitting; 2 carries one per
/// organisation, each sealed to it; 3 adds the stage it opens (papers or keys).
pub const RELEASE_FORMAT: u32 = 3;
const SHARE_CT: usize = 32 + 16;
const MANIFEST_DOMAIN: &str = "qbank-manifest/2";

/// A package's documents: (path inside the package, bytes).
pub type Documents = Vec<(String, Vec<u8>)>;

/// The two stages a package opens in, each with its own signed release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Everything candidates and examiners need during the sitting; released at the start.
    Papers,
    /// Theory answer keys and marking schemes; released at the keys time (default: the end).
    Keys,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Papers => "papers",
            Stage::Keys => "keys",
        }
    }
}

/// The point of the audit log a package or release was made at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: u64,
    pub hash: String,
}

/// One paper copy in a package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperRef {
    pub occupation: String,
    pub level: crate::model::Grade,
    pub kind: String,
    pub blueprint: String,
    pub form: u32,
    /// The organisation's copy code, e.g. `S000032100001-dg4-theory-F01`.
    pub copy: String,
}

/// What a package holds and for whom; signed by the bureau, readable without any key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageManifest {
    pub format: u32,
    pub sitting: String,
    pub title: String,
    pub organisation: String,
    pub organisation_name: String,
    /// Fingerprint of the organisation key the package is sealed to.
    pub organisation_key: String,
    /// RFC 3339: the release may not be issued before this.
    pub start: String,
    pub end: String,
    pub bureau_key: String,
    /// SHA-256 of the organisation's release key for this sitting (a random key: the digest
    /// tells nothing about the content), so a release for another sitting is told apart.
    pub release_key_sha256: String,
    pub audit: Checkpoint,
    pub papers: Vec<PaperRef>,
    /// Document paths in the package's papers section (their digests stay inside the
    /// encryption).
    pub documents: Vec<String>,
    /// Format 3: SHA-256 of the organisation's keys-release key (a second random key).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keys_release_key_sha256: String,
    /// Format 3: RFC 3339, the keys release may not be issued before this.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keys_at: String,
    /// Format 3: document paths in the keys section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_documents: Vec<String>,
    /// SHA-256 (hex) of the package's content bytes (HPKE share and ciphertext), so the signed
    /// manifest names the exact ciphertext it came with.
    pub content_sha256: String,
}

pub(crate) fn refused(reason: impl Into<String>) -> Error {
    Error::PackageRefused(reason.into())
}

fn info(v: Version, sitting: &str, org: &str) -> Vec<u8> {
    let label = match v {
        Version::V3 => "qbank-package/2",
        Version::V4 => "qbank-package/4",
    };
    format!("{label}\0{sitting}\0{org}").into_bytes()
}

/// A section's content key: both the organisation's key share and the release key of the
/// section's stage go into it (`QBANK-PACKAGE/3`: one section, no stage).
fn content_key(
    v: Version,
    stage: Stage,
    share: &[u8],
    release_key: &[u8; 32],
    sitting: &str,
    org: &str,
) -> Aes256Gcm {
    let mut ikm = Zeroizing::new(Vec::with_capacity(64));
    ikm.extend_from_slice(share);
    ikm.extend_from_slice(release_key);
    let mut k = Zeroizing::new([0u8; 32]);
    let (salt, info): (&[u8], String) = match v {
        Version::V3 => (b"qbank-package/2", format!("{sitting}\0{org}")),
        Version::V4 => (
            b"qbank-package/4",
            format!("{}\0{sitting}\0{org}", stage.label()),
        ),
    };
    hkdf::Hkdf::<Sha256>::new(Some(salt), &ikm)
        .expand(info.as_bytes(), k.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    Aes256Gcm::new((&*k).into())
}

/// A section's associated data: the binding, and from format 4 its stage.
fn section_aad(v: Version, binding: &[u8; 32], stage: Stage) -> Vec<u8> {
    let mut aad = binding.to_vec();
    if v == Version::V4 {
        aad.push(0);
        aad.extend_from_slice(stage.label().as_bytes());
    }
    aad
}

pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// A fresh per-sitting release key.
pub fn new_release_key() -> Result<Zeroizing<[u8; 32]>> {
    let mut k = Zeroizing::new([0u8; 32]);
    getrandom::fill(k.as_mut()).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
    Ok(k)
}

fn archive_into(out: &mut Vec<u8>, docs: &[(String, Vec<u8>)]) {
    for (name, bytes) in docs {
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
    }
}

/// The plaintext is padded to a multiple of this many bytes.
const PAD: usize = 64 << 10;
const PAD_NAME: &str = ".pad";

/// Appends the `.pad` entry that rounds the archive written so far (`len` bytes) up to `PAD`.
fn pad_into(out: &mut Vec<u8>, len: usize) {
    let head = 2 + PAD_NAME.len() + 8;
    let target = (len + head).div_ceil(PAD) * PAD;
    let n = target - len - head;
    out.extend_from_slice(&(PAD_NAME.len() as u16).to_be_bytes());
    out.extend_from_slice(PAD_NAME.as_bytes());
    out.extend_from_slice(&(n as u64).to_be_bytes());
    out.resize(out.len() + n, 0);
}

fn unarchive(mut v: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let bad = || refused("the package's content is malformed");
    let mut out = Vec::new();
    while !v.is_empty() {
        let mut take = |n: usize| -> Result<&[u8]> {
            if v.len() < n {
                return Err(bad());
            }
            let (a, b) = v.split_at(n);
            v = b;
            Ok(a)
        };
        let n = u16::from_be_bytes(take(2)?.try_into().expect("2")) as usize;
        let name = String::from_utf8(take(n)?.to_vec()).map_err(|_| bad())?;
        let len = u64::from_be_bytes(take(8)?.try_into().expect("8"));
        let len = usize::try_from(len).map_err(|_| bad())?;
        out.push((name, take(len)?.to_vec()));
    }
    Ok(out)
}

/// What the content's encryption is bound to: the manifest without its content digest
/// (sitting, organisation, keys, times, audit checkpoint, papers, document paths).
fn binding(manifest: &PackageManifest) -> [u8; 32] {
    let mut m = manifest.clone();
    m.content_sha256 = String::new();
    Sha256::digest(serde_json::to_vec(&m).expect("manifest serialises")).into()
}

/// The release keys of one organisation's package, one per stage.
#[derive(Clone, Copy)]
pub struct StageKeys<'a> {
    pub papers: &'a [u8; 32],
    pub keys: &'a [u8; 32],
}

/// Encrypts one section (documents, padded) into `out`: nonce ‖ ciphertext ‖ tag.
fn seal_section(
    out: &mut Vec<u8>,
    cipher: &Aes256Gcm,
    aad: &[u8],
    docs: &[(String, Vec<u8>)],
) -> Result<()> {
    let mut n = [0u8; 12];
    getrandom::fill(&mut n).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
    out.extend_from_slice(&n);
    let body = out.len();
    let body_len: usize = docs.iter().map(|(n, b)| 10 + n.len() + b.len()).sum();
    archive_into(out, docs);
    pad_into(out, body_len);
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(n), aad, out[body..].as_mut().into())
        .map_err(|_| Error::Crypto("AES-GCM encryption failed".into()))?;
    out.extend_from_slice(&tag);
    Ok(())
}

/// Seals a package for one organisation: `papers` into the section its papers release opens,
/// `keys` into the section only its keys release opens. `manifest.documents`,
/// `key_documents`, `content_sha256` and the key fingerprints are filled in here;
/// `manifest.keys_at` is the caller's.
pub fn seal(
    mut manifest: PackageManifest,
    papers: &[(String, Vec<u8>)],
    keys: &[(String, Vec<u8>)],
    org: &OrgPublic,
    release: StageKeys<'_>,
    bureau: &BureauKey,
) -> Result<Vec<u8>> {
    let v = Version::V4;
    manifest.format = MANIFEST_FORMAT;
    manifest.organisation_key = org.fingerprint();
    manifest.bureau_key = bureau.public().fingerprint();
    manifest.release_key_sha256 = sha256_hex(release.papers);
    manifest.keys_release_key_sha256 = sha256_hex(release.keys);
    manifest.documents = papers.iter().map(|(n, _)| n.clone()).collect();
    manifest.key_documents = keys.iter().map(|(n, _)| n.clone()).collect();
    manifest.content_sha256 = String::new();
    let bind = binding(&manifest);
    let share = new_release_key()?; // 32 fresh random bytes
    let (enc, share_ct) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &org.hpke()?,
        &info(v, &manifest.sitting, &manifest.organisation),
        share.as_ref(),
        &bind,
    )
    .map_err(|e| Error::Crypto(format!("HPKE seal: {e}")))?;
    let key = |stage, rk| {
        content_key(
            v,
            stage,
            share.as_ref(),
            rk,
            &manifest.sitting,
            &manifest.organisation,
        )
    };
    let mut first = Vec::new();
    seal_section(
        &mut first,
        &key(Stage::Papers, release.papers),
        &section_aad(v, &bind, Stage::Papers),
        papers,
    )?;
    let mut content = Vec::with_capacity(32 + SHARE_CT + 8 + first.len() + 12 + (64 << 10) + 16);
    content.extend_from_slice(&hpke::Serializable::to_bytes(&enc));
    content.extend_from_slice(&share_ct);
    content.extend_from_slice(&(first.len() as u64).to_be_bytes());
    content.extend_from_slice(&first);
    drop(first);
    seal_section(
        &mut content,
        &key(Stage::Keys, release.keys),
        &section_aad(v, &bind, Stage::Keys),
        keys,
    )?;
    manifest.content_sha256 = sha256_hex(&content);
    let mjson = serde_json::to_vec(&manifest).expect("manifest serialises");
    let sig = bureau.sign(MANIFEST_DOMAIN, &mjson);
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + mjson.len() + 64 + content.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(mjson.len() as u32).to_be_bytes());
    out.extend_from_slice(&mjson);
    out.extend_from_slice(&sig);
    out.extend_from_slice(&content);
    Ok(out)
}

/// The package formats this version reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    /// `QBANK-PACKAGE/3`: one section, opened by one release.
    V3,
    /// `QBANK-PACKAGE/4`: papers and keys sections.
    V4,
}

/// One encrypted section: its nonce and AES-GCM ciphertext (with tag).
struct Section<'a> {
    nonce: &'a [u8],
    ciphertext: &'a [u8],
}

/// The parts of a package file, before anything is verified.
struct Parts<'a> {
    version: Version,
    manifest: &'a [u8],
    signature: &'a [u8],
    /// Everything after the signature (what `content_sha256` covers).
    content: &'a [u8],
    enc: &'a [u8],
    share: &'a [u8],
    papers: Section<'a>,
    /// `QBANK-PACKAGE/4` only.
    keys: Option<Section<'a>>,
}

fn section(b: &[u8]) -> Option<Section<'_>> {
    (b.len() >= 12 + 16).then(|| Section {
        nonce: &b[..12],
        ciphertext: &b[12..],
    })
}

fn split(pkg: &[u8]) -> Result<Parts<'_>> {
    if pkg.starts_with(OLD_MAGIC) {
        return Err(refused(
            "这是旧版封装包（QBANK-PACKAGE/2，其明文清单列出文档摘要），本版本不再打开；请向鉴定中心索取新封装包",
        ));
    }
    let (version, rest) = if let Some(r) = pkg.strip_prefix(MAGIC) {
        (Version::V4, r)
    } else if let Some(r) = pkg.strip_prefix(MAGIC_3) {
        (Version::V3, r)
    } else {
        return Err(refused(
            "this is not a qbank sealed package (QBANK-PACKAGE/4 or /3)",
        ));
    };
    let short = || refused("the package is truncated");
    if rest.len() < 4 {
        return Err(short());
    }
    let n = u32::from_be_bytes(rest[..4].try_into().expect("4")) as usize;
    let rest = &rest[4..];
    let head = n.checked_add(64 + 32 + SHARE_CT).ok_or_else(short)?;
    if rest.len() < head {
        return Err(short());
    }
    let body = &rest[head..];
    let (papers, keys) = match version {
        Version::V3 => (section(body).ok_or_else(short)?, None),
        Version::V4 => {
            if body.len() < 8 {
                return Err(short());
            }
            let len = u64::from_be_bytes(body[..8].try_into().expect("8"));
            let body = &body[8..];
            let len = usize::try_from(len)
                .ok()
                .filter(|l| *l <= body.len())
                .ok_or_else(short)?;
            let (a, b) = body.split_at(len);
            (
                section(a).ok_or_else(short)?,
                Some(section(b).ok_or_else(short)?),
            )
        }
    };
    Ok(Parts {
        version,
        manifest: &rest[..n],
        signature: &rest[n..n + 64],
        content: &rest[n + 64..],
        enc: &rest[n + 64..n + 96],
        share: &rest[n + 96..n + 96 + SHARE_CT],
        papers,
        keys,
    })
}

fn manifest_of(p: &Parts<'_>, bureau: &BureauPublic) -> Result<PackageManifest> {
    if !bureau.verify(MANIFEST_DOMAIN, p.manifest, p.signature) {
        return Err(refused(format!(
            "the package manifest is not signed by the bureau key {} (altered, or from another bureau)",
            bureau.fingerprint()
        )));
    }
    let m: PackageManifest = serde_json::from_slice(p.manifest)
        .map_err(|_| refused("the package manifest is malformed"))?;
    let want = match p.version {
        Version::V3 => MANIFEST_FORMAT_3,
        Version::V4 => MANIFEST_FORMAT,
    };
    if m.format != want {
        return Err(refused(format!(
            "封装包清单格式 {} 不受支持（本版本读取格式 {MANIFEST_FORMAT} 与旧格式 {MANIFEST_FORMAT_3}）",
            m.format
        )));
    }
    Ok(m)
}

/// Reads and verifies a package's manifest (signature by `bureau`), without opening anything.
pub fn read_manifest(pkg: &[u8], bureau: &BureauPublic) -> Result<PackageManifest> {
    manifest_of(&split(pkg)?, bureau)
}

/// Checks the manifest, the organisation, the release's sitting and the content digest.
fn checked_manifest(
    p: &Parts<'_>,
    org: &OrgSecret,
    release: &Release,
    bureau: &BureauPublic,
) -> Result<PackageManifest> {
    let manifest = manifest_of(p, bureau)?;
    if manifest.organisation != org.organisation {
        return Err(Error::WrongOrgKey {
            package: manifest.organisation.clone(),
            key: org.organisation.clone(),
        });
    }
    if release.sitting != manifest.sitting {
        return Err(refused(format!(
            "the release is for sitting {}, the package for sitting {}",
            release.sitting, manifest.sitting
        )));
    }
    if sha256_hex(p.content) != manifest.content_sha256 {
        return Err(refused(
            "the package's content is not the ciphertext its signed manifest names (altered, or swapped from another package)",
        ));
    }
    Ok(manifest)
}

/// Opens the key share of a package for `org`.
fn open_share(
    p: &Parts<'_>,
    manifest: &PackageManifest,
    org: &OrgSecret,
) -> Result<Zeroizing<Vec<u8>>> {
    let aad = binding(manifest);
    let enc = <<Kem as hpke::Kem>::EncappedKey as hpke::Deserializable>::from_bytes(p.enc)
        .map_err(|_| refused("the package's encapsulated key is malformed"))?;
    let share = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &org.hpke()?,
            &enc,
            &info(p.version, &manifest.sitting, &manifest.organisation),
            p.share,
            &aad,
        )
        .map_err(|_| {
            Error::PackageKey(format!(
                "the package does not open with the key for {}: wrong organisation key, or the package was altered",
                org.organisation
            ))
        })?,
    );
    Ok(share)
}

/// Decrypts one section and checks its document paths against `listed`.
fn open_section(
    v: Version,
    stage: Stage,
    s: &Section<'_>,
    manifest: &PackageManifest,
    share: &[u8],
    rk: &[u8; 32],
    listed: &[String],
) -> Result<Documents> {
    let n: [u8; 12] = s.nonce.try_into().expect("12");
    let mut plain = Zeroizing::new(s.ciphertext.to_vec());
    content_key(v, stage, share, rk, &manifest.sitting, &manifest.organisation)
        .decrypt_in_place(
            &Nonce::from(n),
            &section_aad(v, &binding(manifest), stage),
            &mut *plain,
        )
        .map_err(|_| {
            refused("the content does not open with this release and key (altered content, or a manifest from another package)")
        })?;
    let mut docs = unarchive(&plain)?;
    if docs.last().is_some_and(|(n, _)| n == PAD_NAME) {
        docs.pop();
    }
    let names: Vec<&String> = docs.iter().map(|(n, _)| n).collect();
    if names.len() != listed.len() || names.iter().zip(listed).any(|(a, b)| *a != b) {
        return Err(refused(
            "the package's documents do not match its signed manifest",
        ));
    }
    if docs
        .iter()
        .any(|(n, _)| n.starts_with('/') || n.split('/').any(|c| c == ".." || c.is_empty()))
    {
        return Err(refused("the package names a document outside its folder"));
    }
    Ok(docs)
}

/// Opens a package's papers section with the papers release: verifies the manifest signature
/// and the release, checks the key is the organisation's, decrypts both layers and checks every
/// document against the manifest. A `QBANK-PACKAGE/3` opens whole (it has one section). A keys
/// release is refused here: it opens only the keys section (`open_keys`).
pub fn open(
    pkg: &[u8],
    org: &OrgSecret,
    release: &Release,
    bureau: &BureauPublic,
) -> Result<(PackageManifest, Documents)> {
    let p = split(pkg)?;
    if release.stage() != Stage::Papers {
        return Err(refused(
            "这是答案发布文件（stage keys），只开启答案部分；开启试卷部分须用试卷发布文件",
        ));
    }
    let manifest = checked_manifest(&p, org, release, bureau)?;
    let rk = release.key_for(org)?;
    if sha256_hex(rk.as_ref()) != manifest.release_key_sha256 {
        return Err(refused(
            "the release's key is not the one this package was sealed for",
        ));
    }
    let share = open_share(&p, &manifest, org)?;
    let docs = open_section(
        p.version,
        Stage::Papers,
        &p.papers,
        &manifest,
        &share,
        &rk,
        &manifest.documents,
    )?;
    Ok((manifest, docs))
}

/// Opens a package's keys section with the keys release (same checks as `open`). A papers
/// release, or a package without a keys section (`QBANK-PACKAGE/3`), is refused.
pub fn open_keys(
    pkg: &[u8],
    org: &OrgSecret,
    keys_release: &Release,
    bureau: &BureauPublic,
) -> Result<Documents> {
    let p = split(pkg)?;
    let Some(section) = &p.keys else {
        return Err(refused(
            "此封装包为旧格式（QBANK-PACKAGE/3），没有单独的答案部分：答案已随试卷发布开启",
        ));
    };
    if keys_release.stage() != Stage::Keys {
        return Err(refused(
            "所给答案发布文件是试卷发布文件（stage papers），不能开启答案部分",
        ));
    }
    let manifest = checked_manifest(&p, org, keys_release, bureau)?;
    let rk = keys_release.key_for(org)?;
    if sha256_hex(rk.as_ref()) != manifest.keys_release_key_sha256 {
        return Err(refused(
            "the keys release's key is not the one this package's keys section was sealed for",
        ));
    }
    let share = open_share(&p, &manifest, org)?;
    open_section(
        p.version,
        Stage::Keys,
        section,
        &manifest,
        &share,
        &rk,
        &manifest.key_documents,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn manifest() -> PackageManifest {
        PackageManifest {
            format: MANIFEST_FORMAT,
            sitting: "S".into(),
            title: "t".into(),
            organisation: "O1".into(),
            organisation_name: "n".into(),
            organisation_key: String::new(),
            start: "2026-01-01T09:00:00+08:00".into(),
            end: "2026-01-01T17:00:00+08:00".into(),
            bureau_key: String::new(),
            release_key_sha256: String::new(),
            audit: Checkpoint {
                seq: 1,
                hash: "0".repeat(64),
            },
            papers: Vec::new(),
            documents: Vec::new(),
            keys_release_key_sha256: String::new(),
            keys_at: "2026-01-01T17:00:00+08:00".into(),
            key_documents: Vec::new(),
            content_sha256: String::new(),
        }
    }

    /// A format-3 release of `stage` carrying `key` sealed to `org`.
    fn release(stage: Stage, org: &OrgSecret, key: &[u8; 32]) -> Release {
        let sealed = seal_stage_key(stage, "O1", &org.public().unwrap(), "S", key).unwrap();
        Release {
            format: RELEASE_FORMAT,
            sitting: "S".into(),
            start: "2026-01-01T09:00:00+08:00".into(),
            released_at: "2026-01-01T17:00:00+08:00".into(),
            early: false,
            reason: None,
            release_key: None,
            keys: BTreeMap::from([("O1".to_string(), sealed)]),
            withheld: Vec::new(),
            bureau_key: String::new(),
            audit: Checkpoint {
                seq: 1,
                hash: "0".repeat(64),
            },
            stage: Some(stage),
            keys_at: Some("2026-01-01T17:00:00+08:00".into()),
        }
    }

    fn docs(name: &str, n: usize) -> Documents {
        vec![(name.to_string(), vec![1u8; n])]
    }

    /// Two packages whose documents differ in length by a few KiB have the same length, and
    /// each opens to exactly its documents (the padding is dropped); so do their keys sections.
    #[test]
    fn package_length_does_not_follow_the_documents_length() {
        let org = OrgSecret::generate("O1").unwrap();
        let bureau = BureauKey::generate().unwrap();
        let (rp, rk) = (new_release_key().unwrap(), new_release_key().unwrap());
        let both = StageKeys {
            papers: &rp,
            keys: &rk,
        };
        let seal_ = |p: &Documents, k: &Documents| {
            seal(manifest(), p, k, &org.public().unwrap(), both, &bureau).unwrap()
        };
        let small = docs("a/paper.json", 100);
        let large = docs("a/paper.json", 7000);
        let (p1, p2) = (
            seal_(&small, &docs("a/key.json", 10)),
            seal_(&large, &docs("a/key.json", 9000)),
        );
        assert_eq!(p1.len(), p2.len());
        let (_, opened) = open(
            &p2,
            &org,
            &release(Stage::Papers, &org, &rp),
            &bureau.public(),
        )
        .unwrap();
        assert_eq!(opened, large);
        let keys = open_keys(
            &p2,
            &org,
            &release(Stage::Keys, &org, &rk),
            &bureau.public(),
        )
        .unwrap();
        assert_eq!(keys, docs("a/key.json", 9000));
    }

    /// The keys section is sealed under the keys-release key: the papers release opens the
    /// papers only, is refused for the keys section, and the papers release key does not
    /// decrypt the keys section even when handed to it directly (no digest check in the way),
    /// nor does a keys release that carries the papers key.
    #[test]
    fn the_keys_section_does_not_open_with_the_papers_release_key() {
        let org = OrgSecret::generate("O1").unwrap();
        let bureau = BureauKey::generate().unwrap();
        let (rp, rk) = (new_release_key().unwrap(), new_release_key().unwrap());
        let papers = docs("t/F01/paper.json", 50);
        let keys = docs("t/F01/key.json", 50);
        let pkg = seal(
            manifest(),
            &papers,
            &keys,
            &org.public().unwrap(),
            StageKeys {
                papers: &rp,
                keys: &rk,
            },
            &bureau,
        )
        .unwrap();
        let b = bureau.public();
        let papers_release = release(Stage::Papers, &org, &rp);
        let (m, opened) = open(&pkg, &org, &papers_release, &b).unwrap();
        assert_eq!(opened, papers);
        assert!(!opened.iter().any(|(n, _)| n.contains("key")));
        assert_eq!(m.key_documents, vec!["t/F01/key.json".to_string()]);
        // the papers release given for the keys section
        let e = open_keys(&pkg, &org, &papers_release, &b).unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e}");
        // a keys release carrying the papers key
        let e = open_keys(&pkg, &org, &release(Stage::Keys, &org, &rp), &b).unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e}");
        // the papers key straight into the keys section's decryption
        let p = split(&pkg).unwrap();
        let m = checked_manifest(&p, &org, &papers_release, &b).unwrap();
        let share = open_share(&p, &m, &org).unwrap();
        let section = p.keys.as_ref().unwrap();
        let direct = open_section(
            p.version,
            Stage::Keys,
            section,
            &m,
            &share,
            &rp,
            &m.key_documents,
        );
        assert!(direct.is_err());
        // and the keys release opens the keys section only; it does not open the papers
        let keys_release = release(Stage::Keys, &org, &rk);
        assert_eq!(open_keys(&pkg, &org, &keys_release, &b).unwrap(), keys);
        assert!(open(&pkg, &org, &keys_release, &b).is_err());
    }

    /// Hostile lengths in the section header are refused, never a panic.
    #[test]
    fn a_hostile_section_length_is_refused() {
        let org = OrgSecret::generate("O1").unwrap();
        let bureau = BureauKey::generate().unwrap();
        let rp = new_release_key().unwrap();
        let pkg = seal(
            manifest(),
            &docs("a", 1),
            &[],
            &org.public().unwrap(),
            StageKeys {
                papers: &rp,
                keys: &rp,
            },
            &bureau,
        )
        .unwrap();
        let n = u32::from_be_bytes(pkg[16..20].try_into().unwrap()) as usize;
        let at = 20 + n + 64 + 32 + SHARE_CT;
        for len in [0u64, 27, u64::MAX, (pkg.len() - at) as u64] {
            let mut bad = pkg.clone();
            bad[at..at + 8].copy_from_slice(&len.to_be_bytes());
            assert!(read_manifest(&bad, &bureau.public()).is_err(), "{len}");
        }
    }
}
