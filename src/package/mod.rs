//! Sealed packages for evaluation organisations and the signed release that opens them. Pure
//! functions over bytes (plus OS randomness).
//!
//! Package file (`.qpkg`):
//! ```text
//! "QBANK-PACKAGE/3\n" ‖ u32 BE manifest length ‖ manifest JSON ‖ 64-byte Ed25519 signature
//!   ‖ content: 32-byte HPKE encapsulated key ‖ 48-byte HPKE ciphertext of the key share
//!              ‖ 12-byte nonce ‖ AES-256-GCM ciphertext of the documents
//! ```
//! - The clear manifest names ids, codes, times, key fingerprints and document paths only: no
//!   digest of any document (a practical set's documents depend on public fields and the drawn
//!   tasks, so their digests could be matched against enumerated candidates before the
//!   release). It carries `content_sha256`, the SHA-256 of the content bytes above, so the
//!   signature binds the manifest to this ciphertext.
//! - The signature covers `"qbank-manifest/2" ‖ 0 ‖ manifest`.
//! - A random 32-byte key share is sealed to the organisation's X25519 key with HPKE (RFC 9180,
//!   base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM), info
//!   `"qbank-package/2" ‖ 0 ‖ sitting ‖ 0 ‖ organisation`, associated data the *binding*:
//!   SHA-256 of the manifest with `content_sha256` empty.
//! - The documents are encrypted once, with AES-256-GCM under
//!   `HKDF-SHA256(salt "qbank-package/2", ikm = key share ‖ release key, info = sitting ‖ 0 ‖
//!   organisation)` and the binding as associated data. The release key is the organisation's
//!   own (each organisation of a sitting has one; the signed release carries each sealed to its
//!   organisation, and leaves out a suspended one). Opening needs the organisation's private key
//!   (for the share and for its release key) and the release; a manifest swapped from another
//!   package changes the binding and fails; the document paths are checked against the
//!   manifest after decryption (the AEAD tag authenticates their bytes).
//! - The plaintext is a list of `[u16 name length][name][u64 length][bytes]` documents,
//!   ending with a `.pad` entry of zero bytes that rounds the plaintext up to a multiple of
//!   64 KiB, so the package's length tells an insider little about which tasks it holds.
//!
//! Packages of format 2 (`QBANK-PACKAGE/2`, whose clear manifests listed document digests) are
//! refused with a message saying so.

pub mod keys;
pub mod person;
mod release;
pub mod submission;

pub use release::{Release, read_release, seal_release_key, sign_release};

use crate::error::{Error, Result};
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use keys::{Aead, BureauKey, BureauPublic, Kdf, Kem, OrgPublic, OrgSecret};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use keys::{fingerprint, read_org_public};

const MAGIC: &[u8] = b"QBANK-PACKAGE/3\n";
const OLD_MAGIC: &[u8] = b"QBANK-PACKAGE/2\n";
/// The `format` of package manifests this version writes and reads.
pub const MANIFEST_FORMAT: u32 = 2;
/// Release formats: 1 carried one release key for the whole sitting; 2 carries one per
/// organisation, each sealed to it.
pub const RELEASE_FORMAT: u32 = 2;
const SHARE_CT: usize = 32 + 16;
const MANIFEST_DOMAIN: &str = "qbank-manifest/2";

/// A package's documents: (path inside the package, bytes).
pub type Documents = Vec<(String, Vec<u8>)>;

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
    /// Document paths in the package (their digests stay inside the encryption).
    pub documents: Vec<String>,
    /// SHA-256 (hex) of the package's content bytes (HPKE share and ciphertext), so the signed
    /// manifest names the exact ciphertext it came with.
    pub content_sha256: String,
}

pub(crate) fn refused(reason: impl Into<String>) -> Error {
    Error::PackageRefused(reason.into())
}

fn info(sitting: &str, org: &str) -> Vec<u8> {
    format!("qbank-package/2\0{sitting}\0{org}").into_bytes()
}

/// The content key: both the organisation's key share and the release key go into it.
fn content_key(share: &[u8], release_key: &[u8; 32], sitting: &str, org: &str) -> Aes256Gcm {
    let mut ikm = Zeroizing::new(Vec::with_capacity(64));
    ikm.extend_from_slice(share);
    ikm.extend_from_slice(release_key);
    let mut k = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<Sha256>::new(Some(b"qbank-package/2"), &ikm)
        .expand(format!("{sitting}\0{org}").as_bytes(), k.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    Aes256Gcm::new((&*k).into())
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

/// Seals `docs` for one organisation. `manifest.documents`, `content_sha256` and the key
/// fingerprints are filled in here.
pub fn seal(
    mut manifest: PackageManifest,
    docs: &[(String, Vec<u8>)],
    org: &OrgPublic,
    release_key: &[u8; 32],
    bureau: &BureauKey,
) -> Result<Vec<u8>> {
    manifest.format = MANIFEST_FORMAT;
    manifest.organisation_key = org.fingerprint();
    manifest.bureau_key = bureau.public().fingerprint();
    manifest.release_key_sha256 = sha256_hex(release_key);
    manifest.documents = docs.iter().map(|(n, _)| n.clone()).collect();
    manifest.content_sha256 = String::new();
    let aad = binding(&manifest);
    let share = new_release_key()?; // 32 fresh random bytes
    let (enc, share_ct) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &org.hpke()?,
        &info(&manifest.sitting, &manifest.organisation),
        share.as_ref(),
        &aad,
    )
    .map_err(|e| Error::Crypto(format!("HPKE seal: {e}")))?;
    let mut n = [0u8; 12];
    getrandom::fill(&mut n).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
    let cipher = content_key(
        share.as_ref(),
        release_key,
        &manifest.sitting,
        &manifest.organisation,
    );
    let body_len: usize = docs.iter().map(|(n, b)| 10 + n.len() + b.len()).sum();
    let mut content = Vec::with_capacity(32 + SHARE_CT + 12 + body_len + 16);
    content.extend_from_slice(&hpke::Serializable::to_bytes(&enc));
    content.extend_from_slice(&share_ct);
    content.extend_from_slice(&n);
    let body = content.len();
    archive_into(&mut content, docs);
    pad_into(&mut content, body_len);
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(n), &aad, content[body..].as_mut().into())
        .map_err(|_| Error::Crypto("AES-GCM encryption failed".into()))?;
    content.extend_from_slice(&tag);
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

/// The parts of a package file, before anything is verified.
struct Parts<'a> {
    manifest: &'a [u8],
    signature: &'a [u8],
    /// Everything after the signature (what `content_sha256` covers).
    content: &'a [u8],
    enc: &'a [u8],
    share: &'a [u8],
    nonce: &'a [u8],
    ciphertext: &'a [u8],
}

fn split(pkg: &[u8]) -> Result<Parts<'_>> {
    if pkg.starts_with(OLD_MAGIC) {
        return Err(refused(
            "这是旧版封装包（QBANK-PACKAGE/2，其明文清单列出文档摘要），本版本不再打开；请向鉴定中心索取新封装包",
        ));
    }
    let rest = pkg
        .strip_prefix(MAGIC)
        .ok_or_else(|| refused("this is not a qbank sealed package (QBANK-PACKAGE/3)"))?;
    let short = || refused("the package is truncated");
    if rest.len() < 4 {
        return Err(short());
    }
    let n = u32::from_be_bytes(rest[..4].try_into().expect("4")) as usize;
    let rest = &rest[4..];
    let head = n + 64 + 32 + SHARE_CT + 12;
    if rest.len() < head + 16 {
        return Err(short());
    }
    Ok(Parts {
        manifest: &rest[..n],
        signature: &rest[n..n + 64],
        content: &rest[n + 64..],
        enc: &rest[n + 64..n + 96],
        share: &rest[n + 96..n + 96 + SHARE_CT],
        nonce: &rest[head - 12..head],
        ciphertext: &rest[head..],
    })
}

/// Reads and verifies a package's manifest (signature by `bureau`), without opening anything.
pub fn read_manifest(pkg: &[u8], bureau: &BureauPublic) -> Result<PackageManifest> {
    let p = split(pkg)?;
    if !bureau.verify(MANIFEST_DOMAIN, p.manifest, p.signature) {
        return Err(refused(format!(
            "the package manifest is not signed by the bureau key {} (altered, or from another bureau)",
            bureau.fingerprint()
        )));
    }
    let m: PackageManifest = serde_json::from_slice(p.manifest)
        .map_err(|_| refused("the package manifest is malformed"))?;
    if m.format != MANIFEST_FORMAT {
        return Err(refused(format!(
            "封装包清单格式 {} 不受支持（本版本读取格式 {MANIFEST_FORMAT}）",
            m.format
        )));
    }
    Ok(m)
}

/// Opens a package: verifies the manifest signature and the release, checks the key is the
/// organisation's, decrypts both layers and checks every document against the manifest.
pub fn open(
    pkg: &[u8],
    org: &OrgSecret,
    release: &Release,
    bureau: &BureauPublic,
) -> Result<(PackageManifest, Documents)> {
    let manifest = read_manifest(pkg, bureau)?;
    let p = split(pkg)?;
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
    let rk = release.key_for(org)?;
    if sha256_hex(rk.as_ref()) != manifest.release_key_sha256 {
        return Err(refused(
            "the release's key is not the one this package was sealed for",
        ));
    }
    let aad = binding(&manifest);
    let enc = <<Kem as hpke::Kem>::EncappedKey as hpke::Deserializable>::from_bytes(p.enc)
        .map_err(|_| refused("the package's encapsulated key is malformed"))?;
    let share = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &org.hpke()?,
            &enc,
            &info(&manifest.sitting, &manifest.organisation),
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
    let n: [u8; 12] = p.nonce.try_into().expect("12");
    let mut plain = Zeroizing::new(p.ciphertext.to_vec());
    content_key(&share, &rk, &manifest.sitting, &manifest.organisation)
        .decrypt_in_place(&Nonce::from(n), &aad, &mut *plain)
        .map_err(|_| {
            refused("the content does not open with this release and key (altered content, or a manifest from another package)")
        })?;
    let mut docs = unarchive(&plain)?;
    if docs.last().is_some_and(|(n, _)| n == PAD_NAME) {
        docs.pop();
    }
    let listed: Vec<&String> = docs.iter().map(|(n, _)| n).collect();
    if listed.len() != manifest.documents.len()
        || listed.iter().zip(&manifest.documents).any(|(a, b)| *a != b)
    {
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
    Ok((manifest, docs))
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
            content_sha256: String::new(),
        }
    }

    /// Two packages whose documents differ in length by a few KiB have the same length, and
    /// each opens to exactly its documents (the padding is dropped).
    #[test]
    fn package_length_does_not_follow_the_documents_length() {
        let org = OrgSecret::generate("O1").unwrap();
        let bureau = BureauKey::generate().unwrap();
        let rk = new_release_key().unwrap();
        let small = vec![("a/paper.json".to_string(), vec![1u8; 100])];
        let large = vec![("a/paper.json".to_string(), vec![2u8; 7000])];
        let seal_ =
            |d: &Documents| seal(manifest(), d, &org.public().unwrap(), &rk, &bureau).unwrap();
        let (p1, p2) = (seal_(&small), seal_(&large));
        assert_eq!(p1.len(), p2.len());
        let release = Release {
            format: 1,
            sitting: "S".into(),
            start: "2026-01-01T09:00:00+08:00".into(),
            released_at: "2026-01-01T09:00:00+08:00".into(),
            early: false,
            reason: None,
            release_key: Some(hex::encode(rk.as_ref())),
            keys: BTreeMap::new(),
            withheld: Vec::new(),
            bureau_key: String::new(),
            audit: Checkpoint {
                seq: 1,
                hash: "0".repeat(64),
            },
        };
        let (_, docs) = open(&p2, &org, &release, &bureau.public()).unwrap();
        assert_eq!(docs, large);
    }
}
