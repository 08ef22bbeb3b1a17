//! Sealed packages for evaluation organisations and the signed release that opens them. Pure
//! functions over bytes (plus OS randomness).
//!
//! Package file (`.qpkg`):
//! ```text
//! "QBANK-PACKAGE/2\n" ‖ u32 BE manifest length ‖ manifest JSON ‖ 64-byte Ed25519 signature
//!   ‖ 32-byte HPKE encapsulated key ‖ 48-byte HPKE ciphertext of the key share
//!   ‖ 12-byte nonce ‖ AES-256-GCM ciphertext of the documents
//! ```
//! - The signature covers `"qbank-manifest/1" ‖ 0 ‖ manifest`.
//! - A random 32-byte key share is sealed to the organisation's X25519 key with HPKE (RFC 9180,
//!   base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM), info
//!   `"qbank-package/2" ‖ 0 ‖ sitting ‖ 0 ‖ organisation`, associated data the *binding*:
//!   SHA-256 of the manifest without its document digests.
//! - The documents are encrypted once, with AES-256-GCM under
//!   `HKDF-SHA256(salt "qbank-package/2", ikm = key share ‖ release key, info = sitting ‖ 0 ‖
//!   organisation)` and the binding as associated data. Opening therefore needs both the
//!   organisation's private key (for the share) and the sitting's release key (published at the
//!   start); a manifest swapped from another package changes the binding and fails, and every
//!   document is checked against its signed digest after decryption.
//! - The plaintext is a list of `[u16 name length][name][u64 length][bytes]` documents, each also
//!   listed with its SHA-256 in the signed manifest.
//!
//! One AES pass over the content (rather than two nested layers) keeps sealing within 2× of raw
//! AES-256-GCM on the same bytes; the release-key layer is the key derivation.

pub mod keys;
pub mod submission;

use crate::error::{Error, Result};
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use keys::{Aead, BureauKey, BureauPublic, Kdf, Kem, OrgPublic, OrgSecret};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

pub use keys::{fingerprint, read_org_public};

const MAGIC: &[u8] = b"QBANK-PACKAGE/2\n";
const SHARE_CT: usize = 32 + 16;
const MANIFEST_DOMAIN: &str = "qbank-manifest/1";
const RELEASE_DOMAIN: &str = "qbank-release/1";

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
    pub level: u8,
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
    /// SHA-256 of the sitting's release key, so a release for another sitting is told apart.
    pub release_key_sha256: String,
    pub audit: Checkpoint,
    pub papers: Vec<PaperRef>,
    /// Document path → SHA-256 (hex).
    pub documents: BTreeMap<String, String>,
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
    pub release_key: String,
    pub bureau_key: String,
    pub audit: Checkpoint,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseFile {
    /// The release as exact JSON text, so the signature covers these bytes.
    payload: String,
    signature: String,
}

fn refused(reason: impl Into<String>) -> Error {
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

/// What the content's encryption is bound to: the manifest without its document digests
/// (sitting, organisation, keys, times, audit checkpoint, papers). The digests themselves are
/// signed and checked after decryption; leaving them out of the binding lets hashing run
/// alongside encryption.
fn binding(manifest: &PackageManifest) -> [u8; 32] {
    let mut m = manifest.clone();
    m.documents = BTreeMap::new();
    Sha256::digest(serde_json::to_vec(&m).expect("manifest serialises")).into()
}

/// Seals `docs` for one organisation. `manifest.documents` and the key fingerprints are filled
/// in here.
pub fn seal(
    mut manifest: PackageManifest,
    docs: &[(String, Vec<u8>)],
    org: &OrgPublic,
    release_key: &[u8; 32],
    bureau: &BureauKey,
) -> Result<Vec<u8>> {
    manifest.organisation_key = org.fingerprint();
    manifest.bureau_key = bureau.public().fingerprint();
    manifest.release_key_sha256 = sha256_hex(release_key);
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
    // The manifest's length is known before its digests are: every digest is 64 hex digits.
    manifest.documents = docs
        .iter()
        .map(|(n, _)| (n.clone(), "0".repeat(64)))
        .collect();
    let mlen = serde_json::to_vec(&manifest)
        .expect("manifest serialises")
        .len();
    // One buffer: the head (manifest and signature filled in last), then the documents copied in
    // once and encrypted in place while a second core hashes them for the manifest.
    let body_len: usize = docs.iter().map(|(n, b)| 10 + n.len() + b.len()).sum();
    let mut out =
        Vec::with_capacity(MAGIC.len() + 4 + mlen + 64 + 32 + SHARE_CT + 12 + body_len + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(mlen as u32).to_be_bytes());
    let mat = out.len();
    out.resize(mat + mlen + 64, 0);
    out.extend_from_slice(&hpke::Serializable::to_bytes(&enc));
    out.extend_from_slice(&share_ct);
    out.extend_from_slice(&n);
    let body = out.len();
    archive_into(&mut out, docs);
    let (tag, digests) = rayon::join(
        || cipher.encrypt_inout_detached(&Nonce::from(n), &aad, out[body..].as_mut().into()),
        || {
            docs.par_iter()
                .map(|(n, b)| (n.clone(), sha256_hex(b)))
                .collect::<Vec<_>>()
        },
    );
    let tag = tag.map_err(|_| Error::Crypto("AES-GCM encryption failed".into()))?;
    out.extend_from_slice(&tag);
    manifest.documents = digests.into_iter().collect();
    let mjson = serde_json::to_vec(&manifest).expect("manifest serialises");
    if mjson.len() != mlen {
        return Err(Error::Crypto(
            "internal: manifest length changed while sealing".into(),
        ));
    }
    let sig = bureau.sign(MANIFEST_DOMAIN, &mjson);
    out[mat..mat + mlen].copy_from_slice(&mjson);
    out[mat + mlen..mat + mlen + 64].copy_from_slice(&sig);
    Ok(out)
}

/// The parts of a package file, before anything is verified.
struct Parts<'a> {
    manifest: &'a [u8],
    signature: &'a [u8],
    enc: &'a [u8],
    share: &'a [u8],
    nonce: &'a [u8],
    ciphertext: &'a [u8],
}

fn split(pkg: &[u8]) -> Result<Parts<'_>> {
    let rest = pkg
        .strip_prefix(MAGIC)
        .ok_or_else(|| refused("this is not a qbank sealed package (QBANK-PACKAGE/2)"))?;
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
    serde_json::from_slice(p.manifest).map_err(|_| refused("the package manifest is malformed"))
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
    let rk = Zeroizing::new(
        hex::decode(&release.release_key).map_err(|_| refused("the release key is malformed"))?,
    );
    let rk: [u8; 32] = rk
        .as_slice()
        .try_into()
        .map_err(|_| refused("the release key is malformed"))?;
    let rk = Zeroizing::new(rk);
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
    let docs = unarchive(&plain)?;
    let listed: BTreeMap<String, String> = docs
        .iter()
        .map(|(n, b)| (n.clone(), sha256_hex(b)))
        .collect();
    if listed != manifest.documents {
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
