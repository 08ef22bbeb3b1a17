//! The vault: the encrypted bank on top of a [`Kv`] engine. It owns the record layout, the key
//! ring with its encryption counters, item versioning, and the bank snapshot digest.
//!
//! Layout (keys are clear and hold only public metadata; values are sealed unless noted):
//! - `h` — header, clear JSON: store format, how the master key is derived, wrapped data keys
//!   with their encryption counters, the audit head; from format 2 authenticated by `mac`,
//!   HMAC-SHA256 under a key derived from the master key (HKDF-SHA256, info
//!   `qbank-header-mac/1`) over `"qbank-header/1" ‖ 0 ‖` the header's JSON without `mac`.
//! - `s/<occupation>` — the occupation's standard (sealed JSON).
//! - `g/<segment:012>` — an immutable segment: the entry versions one import wrote for one
//!   occupation-level (up to about [`SEGMENT_BYTES`]), each sealed on its own as the logical record
//!   `r/<id>/<version:010>` and framed as `[u16 id len][id][u32 version][u32 len][sealed]`.
//!   sled's cost is per insert, so a segment per import and occupation-level, rather than a
//!   database key per version, is what keeps a 10^6-item import within seconds.
//! - `x/<occupation>/<level>` — the index page of one occupation-level: the current version of
//!   each of its entries, as a clear part (id, kind, version, clause code, type, status) and one
//!   sealed list of [`Meta`] (content hash, difficulty, importance, enemy group, … — what assembly
//!   selects on without opening items). The clear part is authenticated as associated data.
//!   One page per occupation-level keeps imports to about one database write per entry, and
//!   lets an assembler load a whole pool with one read and one decryption.

use super::audit::AuditEvent;
use super::crypto::{self, Argon2Params, Cipher, KeySource, Place, SecretKey};
use super::kv::{Batch, Kv, SledKv};
use crate::error::{Error, Result};
use crate::model::canon;
use crate::model::{
    Difficulty, Entry, EntryKind, Grade, Importance, OccupationCode, Standard, Status,
};
use crate::package::keys::BureauKey;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// On-disk layout version of the store.
/// 2: the header carries a MAC. Format-1 headers open without one and are written as format 2
/// (with a MAC) by the next change.
/// 3: the header names a digest of every covered tree of records (`trees`, see `trees.rs`), so
/// an old record put back or a record deleted is refused at open. Format-2 headers open without
/// them (nothing to check) and get them from the next change.
pub const STORE_FORMAT: u32 = 3;
/// Encryptions under one data key before a new one is made: far below the 2^32 limit for random
/// 96-bit nonces under AES-GCM (NIST SP 800-38D).
pub const ROTATE_AFTER: u64 = 1 << 31;
/// Segments are cut once their sealed records pass this size: sled writes values up to about
/// 128 KiB inline and larger ones as separate blob files, which is several times slower.
pub const SEGMENT_BYTES: usize = 96 * 1024;

#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Kdf {
    KeyFile,
    Argon2id(Argon2Params),
}

impl Kdf {
    fn describe(&self) -> &'static str {
        match self {
            Kdf::KeyFile => "key file",
            Kdf::Argon2id(_) => "passphrase",
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
struct WrappedKey {
    id: u32,
    wrapped: String,
    /// Encryptions made under this key so far.
    count: u64,
}

#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Header {
    format: u32,
    kdf: Kdf,
    keys: Vec<WrappedKey>,
    active: u32,
    /// Number of the next segment to write.
    #[serde(default)]
    next_segment: u64,
    /// The last audit log entry (0 and zeros before the first).
    #[serde(default)]
    pub(super) audit: super::audit::Head,
    /// Format 3: per covered tree of records, the digest of what it holds (see `trees.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) trees: Option<super::trees::TreeDigests>,
    /// HMAC-SHA256 of the rest of the header (hex); absent from format-1 headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mac: Option<String>,
}

/// The key the header is authenticated with, derived from the master key.
fn header_key(master: &SecretKey) -> SecretKey {
    let mut k = zeroize::Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<Sha256>::new(None, master.bytes())
        .expand(b"qbank-header-mac/1", k.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    SecretKey::from_bytes(*k)
}

/// The header's MAC (hex) over everything but `mac`.
fn header_mac(key: &SecretKey, header: &Header) -> String {
    use hmac::{KeyInit, Mac};
    let mut h = header.clone();
    h.mac = None;
    let mut m = hmac::Hmac::<Sha256>::new_from_slice(key.bytes()).expect("any key length");
    m.update(b"qbank-header/1\0");
    m.update(&serde_json::to_vec(&h).expect("header serialises"));
    hex::encode(m.finalize().into_bytes())
}

impl Header {
    /// The clear header's own consistency, checked at open so that an edited header is a typed
    /// `Corrupt` error (exit 6) rather than a panic on the next write.
    fn validate(&self) -> Result<()> {
        let mut ids = std::collections::BTreeSet::new();
        for k in &self.keys {
            if !ids.insert(k.id) {
                return Err(corrupt("h", format!("data key {} is listed twice", k.id)));
            }
        }
        if !ids.contains(&self.active) {
            return Err(corrupt(
                "h",
                format!(
                    "the active data key {} is not in the key ring ({} key(s)); restore the store from a backup",
                    self.active,
                    self.keys.len()
                ),
            ));
        }
        Ok(())
    }
}

/// Tunables; the defaults are what the CLI uses.
#[derive(Clone, Debug)]
pub struct VaultOptions {
    pub rotate_after: u64,
    /// Refuse at open a store whose records are not those its header names (`trees.rs`).
    /// `audit verify` opens without it and reports the trees among its problems instead.
    pub check_trees: bool,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            rotate_after: ROTATE_AFTER,
            check_trees: true,
        }
    }
}

/// Selection metadata of an entry, sealed in the index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<Difficulty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enemy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work_types: Vec<String>,
    /// Names of the site equipment a task needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub site: Vec<String>,
    /// The enterprise whose own bank the item belongs to (never drawn for provincial papers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<String>,
}

/// The current version of one entry as the index knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub kind: EntryKind,
    pub id: String,
    pub version: u32,
    pub occupation: OccupationCode,
    pub level: Grade,
    pub clause: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub status: Status,
    /// Where each stored version lives: (version, segment number), oldest first.
    pub stored: Vec<(u32, u64)>,
    #[serde(skip)]
    pub meta: Meta,
}

/// Identifies exactly which standards and entry versions a bank snapshot holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BankDigest(pub [u8; 32]);

impl fmt::Display for BankDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", hex::encode(self.0))
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// The bank digest after the import.
    pub digest: String,
    pub added: usize,
    pub new_versions: usize,
    pub unchanged: usize,
    pub standards_written: usize,
    pub standards_unchanged: usize,
}

impl ImportReport {
    pub fn changed_anything(&self) -> bool {
        self.added + self.new_versions + self.standards_written > 0
    }
}

pub struct Vault {
    pub(super) kv: Box<dyn Kv>,
    pub(super) header: Header,
    pub(super) keys: BTreeMap<u32, (SecretKey, Cipher)>,
    pub(super) opts: VaultOptions,
    /// The bureau's signing key, opened from `k/bureau`.
    pub(super) bureau: Option<BureauKey>,
    /// Authenticates the header (derived from the master key at open).
    pub(super) header_key: SecretKey,
    /// The registered person whose key signs this vault's audit entries (`signers.rs`).
    pub(super) signer: Option<std::sync::Arc<crate::package::person::PersonSecret>>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never prints key material.
        f.debug_struct("Vault")
            .field("format", &self.header.format)
            .field("data_keys", &self.header.keys.len())
            .finish_non_exhaustive()
    }
}

type Cell = (OccupationCode, Grade);

/// The logical name of an entry version, bound into its seal.
pub(super) fn rec_key(id: &str, version: u32) -> String {
    format!("r/{id}/{version:010}")
}
fn seg_key(seg: u64) -> String {
    format!("g/{seg:012}")
}
fn page_key(occ: &OccupationCode, level: Grade) -> String {
    format!("x/{occ}/{}", level.key())
}
fn std_key(occ: &OccupationCode) -> String {
    format!("s/{occ}")
}

fn corrupt(record: &str, reason: impl fmt::Display) -> Error {
    Error::Corrupt {
        record: record.to_string(),
        reason: reason.to_string(),
    }
}

fn meta_with_hash(e: &Entry, hash: String) -> Meta {
    let mut m = Meta {
        hash,
        ..Meta::default()
    };
    match e {
        Entry::Item(i) => {
            m.difficulty = Some(i.difficulty);
            m.p = i.p;
            m.importance = i.importance;
            m.enemy = i.enemy.clone();
            m.overlay = i.overlay.clone();
        }
        Entry::Task(t) => {
            m.minutes = Some(t.minutes);
            m.points = Some(t.points);
            m.modules = t.modules.clone();
            m.work_types = t.work_types.clone();
            m.site = t.site.iter().map(|s| s.name.clone()).collect();
        }
        Entry::Defence(d) => m.modules = vec![d.module.clone()],
    }
    m
}

fn index_entry(e: &Entry, meta: Meta) -> IndexEntry {
    IndexEntry {
        kind: e.kind(),
        id: e.id().to_string(),
        version: e.version(),
        occupation: e.occupation().clone(),
        level: e.level(),
        clause: e.clause().to_string(),
        type_label: e.type_label().to_string(),
        status: e.status(),
        stored: Vec::new(),
        meta,
    }
}

fn master_from(source: &KeySource, kdf: &Kdf) -> Result<SecretKey> {
    match (source, kdf) {
        (KeySource::File(p), Kdf::KeyFile) => crypto::read_key_file(p),
        (KeySource::Passphrase(s), Kdf::Argon2id(params)) => params.derive(s),
        (given, expected) => Err(Error::KeyKindMismatch {
            given: given.describe(),
            expected: expected.describe(),
        }),
    }
}

/// Seals one entry version under its logical name `r/<id>/<version>`.
fn seal_entry(e: &Entry, seal: impl Fn(&Place, &[u8]) -> Result<Vec<u8>>) -> Result<Vec<u8>> {
    let key = rec_key(e.id(), e.version());
    let json = zeroize::Zeroizing::new(serde_json::to_vec(e).expect("entries serialise"));
    seal(&Place::new("r", key.as_bytes(), e.version()), &json)
}

/// Frames sealed entry versions into one segment value.
pub(super) fn segment_value<'a>(
    records: impl Iterator<Item = (&'a str, u32, &'a [u8])>,
) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, version, sealed) in records {
        out.extend_from_slice(&(id.len() as u16).to_be_bytes());
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(sealed.len() as u32).to_be_bytes());
        out.extend_from_slice(sealed);
    }
    out
}

/// The framed records of a segment value.
pub(super) fn segment_records<'a>(
    key: &str,
    mut v: &'a [u8],
) -> Result<Vec<(&'a str, u32, &'a [u8])>> {
    let bad = || corrupt(key, "segment framing is broken");
    let mut out = Vec::new();
    while !v.is_empty() {
        let take = |v: &mut &'a [u8], n: usize| -> Result<&'a [u8]> {
            if v.len() < n {
                return Err(bad());
            }
            let (a, b) = v.split_at(n);
            *v = b;
            Ok(a)
        };
        let n = u16::from_be_bytes(take(&mut v, 2)?.try_into().expect("2")) as usize;
        let id = std::str::from_utf8(take(&mut v, n)?).map_err(|_| bad())?;
        let version = u32::from_be_bytes(take(&mut v, 4)?.try_into().expect("4"));
        let len = u32::from_be_bytes(take(&mut v, 4)?.try_into().expect("4")) as usize;
        out.push((id, version, take(&mut v, len)?));
    }
    Ok(out)
}

/// Encodes an index page: `[u32 BE n][n bytes clear JSON][sealed JSON of the metas]`, the clear
/// part bound into the seal's associated data.
fn page_value(
    key: &str,
    entries: &[&IndexEntry],
    seal: impl Fn(&Place, &[u8]) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let public = serde_json::to_vec(entries).expect("index serialises");
    let metas: Vec<&Meta> = entries.iter().map(|e| &e.meta).collect();
    let mjson = zeroize::Zeroizing::new(serde_json::to_vec(&metas).expect("meta serialises"));
    let place = Place {
        extra: &public,
        ..Place::new("x", key.as_bytes(), 0)
    };
    let sealed = seal(&place, &mjson)?;
    let mut val = Vec::with_capacity(4 + public.len() + sealed.len());
    val.extend_from_slice(&(public.len() as u32).to_be_bytes());
    val.extend_from_slice(&public);
    val.extend_from_slice(&sealed);
    Ok(val)
}

impl Vault {
    /// Creates a new store in `dir` (which must not hold one) protected by `key`.
    pub fn create(dir: &Path, key: &KeySource, opts: VaultOptions) -> Result<Vault> {
        key.check()?;
        if dir.join("db").exists() {
            return Err(Error::StoreExists(dir.to_path_buf()));
        }
        // What the folder held before, so that a failed create removes what it made (an empty
        // engine left behind would make the next `init` refuse a store that was never made).
        let before: Option<std::collections::BTreeSet<std::ffi::OsString>> = std::fs::read_dir(dir)
            .ok()
            .map(|d| d.flatten().map(|e| e.file_name()).collect());
        let r = SledKv::open(dir).and_then(|kv| Vault::create_in(Box::new(kv), key, opts));
        if r.is_err() {
            match &before {
                None => {
                    let _ = std::fs::remove_dir_all(dir);
                }
                Some(names) => {
                    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                        if !names.contains(&e.file_name()) {
                            let p = e.path();
                            let _ = if p.is_dir() {
                                std::fs::remove_dir_all(&p)
                            } else {
                                std::fs::remove_file(&p)
                            };
                        }
                    }
                }
            }
        }
        r
    }

    /// Creates a new vault on any engine.
    pub fn create_in(kv: Box<dyn Kv>, key: &KeySource, opts: VaultOptions) -> Result<Vault> {
        key.check()?;
        if kv.get(b"h")?.is_some() {
            return Err(Error::StoreExists("(engine)".into()));
        }
        let kdf = match key {
            KeySource::File(_) => Kdf::KeyFile,
            KeySource::Passphrase(_) => Kdf::Argon2id(Argon2Params::new_random()?),
        };
        let master = master_from(key, &kdf)?;
        let dk = SecretKey::random()?;
        let header = Header {
            format: STORE_FORMAT,
            kdf,
            keys: vec![WrappedKey {
                id: 1,
                wrapped: crypto::wrap(&master, 1, &dk)?,
                count: 0,
            }],
            active: 1,
            next_segment: 1,
            audit: Default::default(),
            trees: None,
            mac: None,
        };
        let cipher = dk.cipher(1);
        let mut vault = Vault {
            kv,
            header,
            keys: BTreeMap::from([(1, (dk, cipher))]),
            opts,
            bureau: None,
            header_key: header_key(&master),
            signer: None,
        };
        let puts = vault.make_bureau_keys()?;
        let fingerprint = vault.bureau_public()?.fingerprint();
        vault.commit(
            puts,
            AuditEvent::new(
                "init",
                serde_json::json!({ "bureau_key": fingerprint, "master_key": key.describe() }),
            ),
        )?;
        Ok(vault)
    }

    /// Opens the store in `dir` with `key`.
    pub fn open(dir: &Path, key: &KeySource, opts: VaultOptions) -> Result<Vault> {
        key.check()?;
        // a key rotation killed between its renames is completed first
        super::rotate::finish_interrupted(dir)?;
        if !dir.join("db").exists() {
            return Err(Error::NoStore(dir.to_path_buf()));
        }
        Vault::open_in(Box::new(SledKv::open(dir)?), key, opts).map_err(|e| match e {
            Error::NoStore(_) => Error::NoStore(dir.to_path_buf()),
            e => e,
        })
    }

    /// Opens a vault on any engine.
    pub fn open_in(kv: Box<dyn Kv>, key: &KeySource, opts: VaultOptions) -> Result<Vault> {
        let raw = kv
            .get(b"h")?
            .ok_or_else(|| Error::NoStore("(engine)".into()))?;
        let header: Header = serde_json::from_slice(&raw).map_err(|e| corrupt("h", e))?;
        if header.format > STORE_FORMAT {
            return Err(Error::StoreFormat {
                found: header.format,
                supported: STORE_FORMAT,
            });
        }
        header.validate()?;
        let master = master_from(key, &header.kdf)?;
        let mut keys = BTreeMap::new();
        for k in &header.keys {
            let dk = crypto::unwrap(&master, k.id, &k.wrapped, key.describe())?;
            let cipher = dk.cipher(k.id);
            keys.insert(k.id, (dk, cipher));
        }
        // The wrapped keys opened, so the master key is right: now the rest of the header
        // (counters, next segment, audit head) must be what this key last wrote.
        let hk = header_key(&master);
        if header.format >= 2 {
            let ok = header.mac.as_ref().is_some_and(|m| {
                let want = header_mac(&hk, &header);
                // constant-time enough for a 64-digit hex string compared once per open
                m.len() == want.len()
                    && m.bytes()
                        .zip(want.bytes())
                        .fold(0u8, |a, (x, y)| a | (x ^ y))
                        == 0
            });
            if !ok {
                return Err(Error::Tampered { record: "h".into() });
            }
        }
        let mut vault = Vault {
            kv,
            header,
            keys,
            opts,
            bureau: None,
            header_key: hk,
            signer: None,
        };
        if vault.header.format < STORE_FORMAT && vault.header.audit.seq > 0 {
            // an older header (format 1 without a MAC, format 2 without tree digests) is only
            // genuine under a log no later qbank wrote to
            let last = vault.audit_entry(vault.header.audit.seq)?;
            if last
                .and_then(|e| e.store)
                .is_some_and(|f| f > vault.header.format)
            {
                return Err(Error::Tampered { record: "h".into() });
            }
        }
        if vault.header.format >= 3 && vault.header.trees.is_none() {
            return Err(Error::Tampered { record: "h".into() });
        }
        if vault.opts.check_trees {
            vault.check_rollback()?;
        }
        vault.bureau = vault.load_bureau_key()?;
        Ok(vault)
    }

    pub(super) fn header_put(&self) -> super::kv::Put {
        let mut h = self.header.clone();
        h.format = STORE_FORMAT;
        h.mac = Some(header_mac(&self.header_key, &h));
        (
            b"h".to_vec(),
            Some(serde_json::to_vec(&h).expect("header serialises")),
        )
    }

    /// Reserves `n` encryptions, making new data keys as counters reach the limit. Returns one
    /// key id per encryption, in order; the caller writes the header in its batch.
    pub(super) fn allocate(&mut self, mut n: u64, master: Option<&SecretKey>) -> Result<Vec<u32>> {
        let mut out = Vec::with_capacity(n as usize);
        while n > 0 {
            let limit = self.opts.rotate_after.max(1);
            let active = self.header.active;
            let slot = self
                .header
                .keys
                .iter_mut()
                .find(|k| k.id == active)
                .expect("active key exists");
            let room = limit.saturating_sub(slot.count);
            if room == 0 {
                self.new_data_key(master)?;
                continue;
            }
            let take = room.min(n);
            slot.count += take;
            out.extend(std::iter::repeat_n(active, take as usize));
            n -= take;
        }
        Ok(out)
    }

    fn new_data_key(&mut self, master: Option<&SecretKey>) -> Result<()> {
        // The vault does not keep the master key after opening; a caller that may exhaust the
        // active data key passes it in (ops::import does).
        let master = master.ok_or_else(|| {
            Error::Crypto("the active data key reached its encryption limit; this operation needs the master key to make a new one".into())
        })?;
        let id = self.header.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        let dk = SecretKey::random()?;
        self.header.keys.push(WrappedKey {
            id,
            wrapped: crypto::wrap(master, id, &dk)?,
            count: 0,
        });
        let cipher = dk.cipher(id);
        self.keys.insert(id, (dk, cipher));
        self.header.active = id;
        Ok(())
    }

    pub(super) fn cipher(&self, id: u32) -> &Cipher {
        &self
            .keys
            .get(&id)
            .expect("allocated key ids are in the key ring")
            .1
    }

    /// Opens an envelope with the data key it names.
    pub(super) fn open_record(
        &self,
        place: &Place,
        bytes: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let tampered = || Error::Tampered {
            record: String::from_utf8_lossy(place.key).into_owned(),
        };
        let id = crypto::envelope_key_id(bytes).ok_or_else(tampered)?;
        let (_, cipher) = self.keys.get(&id).ok_or_else(tampered)?;
        crypto::open(cipher, place, bytes)
    }

    /// Ids of the data keys and their encryption counts (for `qbank status`).
    pub fn key_usage(&self) -> Vec<(u32, u64)> {
        self.header.keys.iter().map(|k| (k.id, k.count)).collect()
    }

    // ------------------------------------------------------------------ reading

    pub fn standards(&self) -> Result<Vec<Standard>> {
        self.kv
            .scan_prefix(b"s/")?
            .into_iter()
            .map(|(k, v)| {
                let plain = self.open_record(&Place::new("s", &k, 0), &v)?;
                serde_json::from_slice(&plain).map_err(|e| corrupt(&String::from_utf8_lossy(&k), e))
            })
            .collect()
    }

    fn decode_page(&self, k: &[u8], v: &[u8]) -> Result<Vec<IndexEntry>> {
        decode_page(k, v, &|place, bytes| self.open_record(place, bytes))
    }

    /// Current entries, optionally of one occupation and/or level, ordered by occupation, level
    /// and id.
    pub fn index(
        &self,
        occupation: Option<&OccupationCode>,
        level: Option<Grade>,
    ) -> Result<Vec<IndexEntry>> {
        let pages = match (occupation, level) {
            (Some(o), Some(l)) => {
                let key = page_key(o, l);
                self.kv
                    .get(key.as_bytes())?
                    .map(|v| (key.into_bytes(), v))
                    .into_iter()
                    .collect()
            }
            (Some(o), None) => self.kv.scan_prefix(format!("x/{o}/").as_bytes())?,
            (None, _) => self.kv.scan_prefix(b"x/")?,
        };
        let decoded = pages
            .par_iter()
            .filter(|(k, _)| level.is_none_or(|l| k.ends_with(format!("/{}", l.key()).as_bytes())))
            .map(|(k, v)| self.decode_page(k, v))
            .collect::<Result<Vec<_>>>()?;
        Ok(decoded.into_iter().flatten().collect())
    }

    /// The current index entry of `id`, wherever it is (reading one page at a time).
    fn locate(&self, id: &str) -> Result<IndexEntry> {
        let not_found = || Error::NotFound {
            what: "entry",
            id: id.to_string(),
        };
        if !crate::model::is_valid_id(id) {
            return Err(not_found());
        }
        let needle = format!("\"id\":\"{id}\"");
        let mut found = None;
        self.kv.visit_prefix(b"x/", &mut |k, v| {
            // the clear part names every id; open only the page that holds this one
            if found.is_none() && v.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found = self.decode_page(k, v)?.into_iter().find(|e| e.id == id);
            }
            Ok(())
        })?;
        found.ok_or_else(not_found)
    }

    /// All stored versions of an entry, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<u32>> {
        Ok(self.locate(id)?.stored.iter().map(|(v, _)| *v).collect())
    }

    /// One entry (the given version, or the current one) and all its stored versions.
    pub fn entry_with_versions(&self, id: &str, version: Option<u32>) -> Result<(Entry, Vec<u32>)> {
        let ix = self.locate(id)?;
        let versions = ix.stored.iter().map(|(v, _)| *v).collect();
        let version = version.unwrap_or(ix.version);
        let mut found = self.read_versions(&[(&ix, version)])?;
        Ok((found.pop().expect("one requested, one returned"), versions))
    }

    /// One entry: the given version, or the current one.
    pub fn entry(&self, id: &str, version: Option<u32>) -> Result<Entry> {
        let ix = self.locate(id)?;
        let version = version.unwrap_or(ix.version);
        let mut found = self.read_versions(&[(&ix, version)])?;
        Ok(found.pop().expect("one requested, one returned"))
    }

    /// The entries an index listing points at (their current versions), decrypted in parallel,
    /// each segment read once.
    pub fn entries(&self, index: &[IndexEntry]) -> Result<Vec<Entry>> {
        let wanted: Vec<(&IndexEntry, u32)> = index.iter().map(|ix| (ix, ix.version)).collect();
        self.read_versions(&wanted)
    }

    /// The given entry versions of one occupation-level (ids not on its page are looked up
    /// wherever they are), decrypted, each segment read once. Versions the store does not hold
    /// are left out: the caller names what it needed them for.
    pub fn entry_versions(
        &self,
        occupation: &OccupationCode,
        level: Grade,
        wanted: &[(String, u32)],
    ) -> Result<HashMap<(String, u32), Entry>> {
        let mut by_id: HashMap<String, IndexEntry> = self
            .index(Some(occupation), Some(level))?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        for (id, _) in wanted {
            if !by_id.contains_key(id) {
                match self.locate(id) {
                    Ok(ix) => {
                        by_id.insert(id.clone(), ix);
                    }
                    Err(Error::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let pick: Vec<(&IndexEntry, u32)> = wanted
            .iter()
            .filter_map(|(id, v)| {
                by_id
                    .get(id)
                    .filter(|ix| ix.stored.iter().any(|(s, _)| s == v))
                    .map(|ix| (ix, *v))
            })
            .collect();
        Ok(self
            .read_versions(&pick)?
            .into_iter()
            .map(|e| ((e.id().to_string(), e.version()), e))
            .collect())
    }

    /// Reads the given versions of indexed entries, in request order.
    fn read_versions(&self, wanted: &[(&IndexEntry, u32)]) -> Result<Vec<Entry>> {
        read_versions(self.kv.as_ref(), wanted, &|place, bytes| {
            self.open_record(place, bytes)
        })
    }

    /// The bank snapshot digest: SHA-256 over every standard and the (kind, id, version, content
    /// hash) of every current entry, in a fixed order. Equal banks have equal digests wherever
    /// they are stored and whatever key protects them.
    pub fn digest(&self) -> Result<BankDigest> {
        let mut standards = self.standards()?;
        standards.sort_by(|a, b| a.occupation.code.cmp(&b.occupation.code));
        // Page by page, keeping only what the digest needs (a 10^6-entry bank stays well under
        // 1 GiB here, where the full index would not).
        let mut rows: Vec<(String, EntryKind, u32, String)> = Vec::new();
        self.kv.visit_prefix(b"x/", &mut |k, v| {
            rows.extend(
                self.decode_page(k, v)?
                    .into_iter()
                    .map(|e| (e.id, e.kind, e.version, e.meta.hash)),
            );
            Ok(())
        })?;
        rows.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(digest_of(
            &standards,
            rows.iter()
                .map(|(id, kind, version, hash)| (*kind, id.as_str(), *version, hash.as_str())),
        ))
    }

    // ------------------------------------------------------------------ writing

    /// Imports standards and entries in one atomic batch. An entry whose content is unchanged is
    /// left alone; a changed entry gets the next version (older ones stay readable); a new entry
    /// starts at its declared version (from an export) or 1. `master` lets the vault make a new
    /// data key if the active one reaches its limit.
    pub fn import(
        &mut self,
        standards: &[Standard],
        entries: Vec<(Entry, Option<u32>)>,
        master: Option<&SecretKey>,
        progress: &(dyn Fn(u64) + Sync),
        audit: AuditEvent,
    ) -> Result<ImportReport> {
        self.import_with(standards, entries, master, progress, audit, Vec::new())
    }

    /// [`Vault::import`] with `extra` puts written in the same atomic batch (e.g. the review record
    /// that accepts a submitted item).
    pub fn import_with(
        &mut self,
        standards: &[Standard],
        entries: Vec<(Entry, Option<u32>)>,
        master: Option<&SecretKey>,
        progress: &(dyn Fn(u64) + Sync),
        mut audit: AuditEvent,
        extra: Batch,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut pages: BTreeMap<Cell, BTreeMap<String, IndexEntry>> = BTreeMap::new();
        let mut cell_of: HashMap<String, Cell> = HashMap::new();
        for ix in self.index(None, None)? {
            let cell = (ix.occupation.clone(), ix.level);
            cell_of.insert(ix.id.clone(), cell.clone());
            pages.entry(cell).or_default().insert(ix.id.clone(), ix);
        }
        let stored: HashMap<OccupationCode, Standard> = self
            .standards()?
            .into_iter()
            .map(|s| (s.occupation.code.clone(), s))
            .collect();
        let changed_standards: Vec<&Standard> = standards
            .iter()
            .filter(|s| stored.get(&s.occupation.code) != Some(*s))
            .collect();
        report.standards_written = changed_standards.len();
        report.standards_unchanged = standards.len() - changed_standards.len();

        let n = entries.len();
        let unique: HashSet<&str> = entries.iter().map(|(e, _)| e.id()).collect();
        if unique.len() != n {
            return Err(Error::Usage(
                "an import names the same entry id twice".into(),
            ));
        }
        drop(unique);
        // Hash contents in parallel, then walk the entries grouped by occupation-level (input
        // order inside a group), touching each cell's page once per group.
        let mut entries = entries;
        // Versions stored before the canonical form carry scheme-1 hashes: an entry is unchanged
        // against one of them when its scheme-1 hash is equal (so re-importing an unchanged bank
        // into an older store makes no new versions and keeps its digest).
        let legacy = pages
            .values()
            .flat_map(|p| p.values())
            .any(|ix| !canon::is_canonical(&ix.meta.hash));
        let hashed: Vec<(Meta, Option<String>)> = entries
            .par_iter_mut()
            .map(|(e, _)| {
                let v1 = legacy.then(|| e.content_hash_v1_in_place());
                let hash = e.content_hash_in_place();
                (meta_with_hash(e, hash), v1)
            })
            .collect();
        let (metas, v1_hashes): (Vec<Meta>, Vec<Option<String>>) = hashed.into_iter().unzip();
        let mut order: Vec<usize> = (0..n).collect();
        order.par_sort_by(|&a, &b| {
            let (x, y) = (&entries[a].0, &entries[b].0);
            (x.occupation(), x.level())
                .cmp(&(y.occupation(), y.level()))
                .then(a.cmp(&b))
        });
        let mut slots: Vec<Option<(Entry, Option<u32>, Meta)>> = entries
            .into_iter()
            .zip(metas)
            .map(|((e, d), m)| Some((e, d, m)))
            .collect();
        let mut v1_hashes = v1_hashes;
        let mut dirty: BTreeSet<Cell> = BTreeSet::new();
        let mut todo: BTreeMap<Cell, Vec<Entry>> = BTreeMap::new();
        let mut moved_out: Vec<(Cell, String)> = Vec::new();
        let mut i = 0;
        while i < n {
            let (first, _, _) = slots[order[i]].as_ref().expect("not taken yet");
            let cell: Cell = (first.occupation().clone(), first.level());
            let mut updates: Vec<IndexEntry> = Vec::new();
            let mut fresh: Vec<Entry> = Vec::new();
            while i < n {
                let (e, _, _) = slots[order[i]].as_ref().expect("not taken yet");
                if *e.occupation() != cell.0 || e.level() != cell.1 {
                    break;
                }
                let v1 = v1_hashes[order[i]].take();
                let (mut e, declared, meta) = slots[order[i]].take().expect("not taken yet");
                i += 1;
                let mut stored = Vec::new();
                match cell_of.get(e.id()) {
                    Some(old) => {
                        let cur = &pages[old][e.id()];
                        if cur.meta.hash == meta.hash || v1.as_ref() == Some(&cur.meta.hash) {
                            report.unchanged += 1;
                            continue;
                        }
                        e.set_version(cur.version + 1);
                        stored = cur.stored.clone();
                        report.new_versions += 1;
                        if *old != cell {
                            moved_out.push((old.clone(), e.id().to_string()));
                        }
                    }
                    None => {
                        e.set_version(declared.unwrap_or(1));
                        report.added += 1;
                    }
                }
                let mut ix = index_entry(&e, meta);
                ix.stored = stored;
                updates.push(ix);
                fresh.push(e);
            }
            if !fresh.is_empty() {
                let page = pages.entry(cell.clone()).or_default();
                for ix in updates {
                    page.insert(ix.id.clone(), ix);
                }
                dirty.insert(cell.clone());
                todo.insert(cell, fresh);
            }
        }
        for (old, id) in moved_out {
            if let Some(p) = pages.get_mut(&old) {
                p.remove(&id);
            }
            dirty.insert(old);
        }
        let mut all_standards: BTreeMap<OccupationCode, &Standard> =
            stored.iter().map(|(k, v)| (k.clone(), v)).collect();
        for s in standards {
            all_standards.insert(s.occupation.code.clone(), s);
        }
        let digest_now = |pages: &BTreeMap<Cell, BTreeMap<String, IndexEntry>>| {
            let standards: Vec<Standard> = all_standards.values().map(|s| (*s).clone()).collect();
            let mut rows: Vec<&IndexEntry> = pages.values().flat_map(|p| p.values()).collect();
            rows.par_sort_by(|a, b| a.id.cmp(&b.id));
            digest_of(
                &standards,
                rows.iter()
                    .map(|i| (i.kind, i.id.as_str(), i.version, i.meta.hash.as_str())),
            )
            .to_string()
        };
        if !report.changed_anything() {
            report.digest = digest_now(&pages);
            if !extra.is_empty() {
                self.commit(extra, audit)?;
            }
            return Ok(report);
        }
        report.digest = digest_now(&pages);
        audit.details["result"] = serde_json::to_value(&report).expect("report serialises");
        let saved = self.header.clone();
        let result = self.write(
            &changed_standards,
            &todo,
            &mut pages,
            &dirty,
            master,
            progress,
            (audit, extra),
        );
        if result.is_err() {
            self.header = saved;
        }
        result?;
        Ok(report)
    }

    // one private step of `import`, taking what it prepared; a struct would only rename them
    #[allow(clippy::too_many_arguments)]
    fn write(
        &mut self,
        standards: &[&Standard],
        todo: &BTreeMap<Cell, Vec<Entry>>,
        pages: &mut BTreeMap<Cell, BTreeMap<String, IndexEntry>>,
        dirty: &BTreeSet<Cell>,
        master: Option<&SecretKey>,
        progress: &(dyn Fn(u64) + Sync),
        (audit, extra): (AuditEvent, Batch),
    ) -> Result<()> {
        let entry_count: usize = todo.values().map(Vec::len).sum();
        let n = standards.len() + entry_count + dirty.len();
        let ids = self.allocate(n as u64, master)?;
        let (std_ids, rest) = ids.split_at(standards.len());
        let (entry_ids, page_ids) = rest.split_at(entry_count);
        let mut batch: Batch =
            Vec::with_capacity(standards.len() + dirty.len() + entry_count / 64 + 2);
        for (s, id) in standards.iter().zip(std_ids) {
            let key = std_key(&s.occupation.code);
            let json = serde_json::to_vec(s).expect("standards serialise");
            let sealed =
                crypto::seal(self.cipher(*id), &Place::new("s", key.as_bytes(), 0), &json)?;
            batch.push((key.into_bytes(), Some(sealed)));
        }
        // Seal every new version (in cell order, then file order), in parallel.
        let ordered: Vec<&Entry> = todo.values().flatten().collect();
        let done = std::sync::atomic::AtomicU64::new(0);
        let sealed = ordered
            .par_iter()
            .zip(entry_ids.par_iter())
            .map(|(e, id)| {
                let r = seal_entry(e, |place, json| crypto::seal(self.cipher(*id), place, json));
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(4096) {
                    progress(n);
                }
                r
            })
            .collect::<Result<Vec<_>>>()?;
        progress(entry_count as u64);
        // Cut each cell's records into segments of about SEGMENT_BYTES, numbered in order, and
        // record in the index where each version lives.
        let mut segments: Vec<(u64, std::ops::Range<usize>)> = Vec::new();
        let mut at = 0;
        for (cell, entries) in todo {
            let page = pages.get_mut(cell).expect("dirty cell has a page");
            let end = at + entries.len();
            while at < end {
                let seg = self.header.next_segment.max(1);
                self.header.next_segment = seg + 1;
                let start = at;
                let mut bytes = 0;
                while at < end && (at == start || bytes + sealed[at].len() <= SEGMENT_BYTES) {
                    bytes += sealed[at].len();
                    let e = ordered[at];
                    page.get_mut(e.id())
                        .expect("entry indexed")
                        .stored
                        .push((e.version(), seg));
                    at += 1;
                }
                segments.push((seg, start..at));
            }
        }
        let segment_puts: Vec<super::kv::Put> = segments
            .par_iter()
            .map(|(seg, range)| {
                let value = segment_value(
                    range
                        .clone()
                        .map(|i| (ordered[i].id(), ordered[i].version(), sealed[i].as_slice())),
                );
                (seg_key(*seg).into_bytes(), Some(value))
            })
            .collect();
        // Segments are never rewritten: a header whose next_segment was set back must not make
        // this import overwrite (and lose) the entries of an earlier one.
        for (seg, _) in &segments {
            let key = seg_key(*seg);
            if self.kv.get(key.as_bytes())?.is_some() {
                return Err(corrupt(
                    "h",
                    format!(
                        "next_segment names segment `{key}`, which already exists; nothing was written (restore the store from a backup)"
                    ),
                ));
            }
        }
        batch.extend(segment_puts);
        let dirty: Vec<&Cell> = dirty.iter().collect();
        let pages = &*pages;
        let page_puts = dirty
            .par_iter()
            .zip(page_ids.par_iter())
            .map(|((occ, level), id)| {
                let key = page_key(occ, *level);
                let entries: Vec<&IndexEntry> = pages
                    .get(&(occ.clone(), *level))
                    .map(|p| p.values().collect())
                    .unwrap_or_default();
                let value = if entries.is_empty() {
                    None
                } else {
                    Some(page_value(&key, &entries, |place, json| {
                        crypto::seal(self.cipher(*id), place, json)
                    })?)
                };
                Ok((key.into_bytes(), value))
            })
            .collect::<Result<Vec<_>>>()?;
        batch.extend(page_puts);
        batch.extend(extra);
        self.commit(batch, audit).map(|_| ())
    }

    /// An empty vault on `kv` for a rotation of this one to `new`: a new master key, one new
    /// data key (its id above every id of this vault, so no old envelope names it), the same
    /// segment counter and audit head. Nothing is written; the caller fills the engine and
    /// commits (see `rotate.rs`). Returns the vault and its master key.
    pub(super) fn empty_successor(
        &self,
        kv: Box<dyn Kv>,
        new: &KeySource,
    ) -> Result<(Vault, SecretKey)> {
        new.check()?;
        let kdf = match new {
            KeySource::File(_) => Kdf::KeyFile,
            KeySource::Passphrase(_) => Kdf::Argon2id(Argon2Params::new_random()?),
        };
        let master = master_from(new, &kdf)?;
        let id = self.header.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        let dk = SecretKey::random()?;
        let header = Header {
            format: STORE_FORMAT,
            kdf,
            keys: vec![WrappedKey {
                id,
                wrapped: crypto::wrap(&master, id, &dk)?,
                count: 0,
            }],
            active: id,
            next_segment: self.header.next_segment,
            audit: self.header.audit.clone(),
            trees: None,
            mac: None,
        };
        let cipher = dk.cipher(id);
        let vault = Vault {
            kv,
            header,
            keys: BTreeMap::from([(id, (dk, cipher))]),
            opts: self.opts.clone(),
            bureau: None,
            header_key: header_key(&master),
            signer: self.signer.clone(),
        };
        Ok((vault, master))
    }

    /// Derives the master key again from `key` (needed only to create new data keys).
    pub fn master_key(&self, key: &KeySource) -> Result<SecretKey> {
        master_from(key, &self.header.kdf)
    }

    /// Access to the engine, for tests that tamper with the stored bytes.
    pub fn engine(&self) -> &dyn Kv {
        self.kv.as_ref()
    }
}

/// Opens a sealed payload at its place (decryption in the vault; identity in the baseline).
type Open<'a> = dyn Fn(&Place, &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> + Sync + 'a;

/// Decodes an index page, opening its sealed part with `open`.
fn decode_page(k: &[u8], v: &[u8], open: &Open) -> Result<Vec<IndexEntry>> {
    let key = String::from_utf8_lossy(k).into_owned();
    if v.len() < 4 {
        return Err(corrupt(&key, "index page too short"));
    }
    let n = u32::from_be_bytes(v[..4].try_into().expect("4 bytes")) as usize;
    if v.len() < 4 + n {
        return Err(corrupt(&key, "index page truncated"));
    }
    let public = &v[4..4 + n];
    let place = Place {
        extra: public,
        ..Place::new("x", k, 0)
    };
    let plain = open(&place, &v[4 + n..])?;
    let mut entries: Vec<IndexEntry> =
        serde_json::from_slice(public).map_err(|e| corrupt(&key, e))?;
    let metas: Vec<Meta> = serde_json::from_slice(&plain).map_err(|e| corrupt(&key, e))?;
    if metas.len() != entries.len()
        || entries
            .iter()
            .any(|e| page_key(&e.occupation, e.level) != key)
    {
        return Err(Error::Tampered { record: key });
    }
    for (e, m) in entries.iter_mut().zip(metas) {
        e.meta = m;
    }
    Ok(entries)
}

/// Reads the given versions of indexed entries, in request order.
fn read_versions(kv: &dyn Kv, wanted: &[(&IndexEntry, u32)], open: &Open) -> Result<Vec<Entry>> {
    let mut by_segment: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (n, (ix, version)) in wanted.iter().enumerate() {
        let id = &ix.id;
        let seg = ix
            .stored
            .iter()
            .find(|(v, _)| v == version)
            .map(|(_, s)| *s)
            .ok_or_else(|| Error::NotFound {
                what: "entry",
                id: format!("{id} version {version}"),
            })?;
        by_segment.entry(seg).or_default().push(n);
    }
    let groups: Vec<(u64, Vec<usize>)> = by_segment.into_iter().collect();
    let opened = groups
        .par_iter()
        .map(|(seg, members)| {
            let key = seg_key(*seg);
            let value = kv
                .get(key.as_bytes())?
                .ok_or_else(|| corrupt(&key, "segment is missing"))?;
            let records: HashMap<(&str, u32), &[u8]> = segment_records(&key, &value)?
                .into_iter()
                .map(|(i, v, s)| ((i, v), s))
                .collect();
            members
                .par_iter()
                .map(|&n| {
                    let (ix, version) = wanted[n];
                    let id = ix.id.as_str();
                    let name = rec_key(id, version);
                    let sealed = records
                        .get(&(id, version))
                        .copied()
                        .ok_or_else(|| corrupt(&key, format!("{name} is not in this segment")))?;
                    let plain = open(&Place::new("r", name.as_bytes(), version), sealed)?;
                    let e: Entry = serde_json::from_slice(&plain).map_err(|e| corrupt(&name, e))?;
                    if e.id() != id || e.version() != version {
                        return Err(Error::Tampered { record: name });
                    }
                    Ok((n, e))
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let mut out: Vec<Option<Entry>> = vec![None; wanted.len()];
    for (n, e) in opened.into_iter().flatten() {
        out[n] = Some(e);
    }
    Ok(out
        .into_iter()
        .map(|e| e.expect("every request answered"))
        .collect())
}

/// Benchmark baseline only: reads every current entry of a store written with
/// [`plaintext_records`], by the same code as [`Vault::index`] and [`Vault::entries`] but
/// without decryption.
#[doc(hidden)]
pub fn plaintext_read_all(kv: &dyn Kv) -> Result<Vec<Entry>> {
    let clear: &Open = &|_, bytes| Ok(zeroize::Zeroizing::new(bytes.to_vec()));
    let pages = kv.scan_prefix(b"x/")?;
    let index: Vec<IndexEntry> = pages
        .par_iter()
        .map(|(k, v)| decode_page(k, v, clear))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let wanted: Vec<(&IndexEntry, u32)> = index.iter().map(|ix| (ix, ix.version)).collect();
    read_versions(kv, &wanted, clear)
}

/// Benchmark baseline only: the same database values an import of `entries` into an empty
/// store writes (segments and index pages, built by the same code) with the payloads left in
/// clear. Never used by the vault itself.
#[doc(hidden)]
pub fn plaintext_records(entries: &mut [Entry]) -> Vec<super::kv::Put> {
    let clear = |_: &Place, json: &[u8]| Ok(json.to_vec());
    let hashes: Vec<String> = entries
        .par_iter_mut()
        .map(Entry::content_hash_in_place)
        .collect();
    let entries: &[Entry] = entries;
    let hash_of: HashMap<(&str, u32), &String> = entries
        .iter()
        .zip(&hashes)
        .map(|(e, h)| ((e.id(), e.version()), h))
        .collect();
    let mut cells: BTreeMap<Cell, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        cells
            .entry((e.occupation().clone(), e.level()))
            .or_default()
            .push(e);
    }
    let mut out = Vec::new();
    let mut seg = 0;
    for ((occ, level), es) in cells {
        let mut index = Vec::new();
        let sealed: Vec<Vec<u8>> = es
            .par_iter()
            .map(|e| seal_entry(e, clear).expect("clear"))
            .collect();
        let mut at = 0;
        while at < es.len() {
            seg += 1;
            let (start, mut bytes) = (at, 0);
            while at < es.len() && (at == start || bytes + sealed[at].len() <= SEGMENT_BYTES) {
                bytes += sealed[at].len();
                at += 1;
            }
            let range = start..at;
            out.push((
                seg_key(seg).into_bytes(),
                Some(segment_value(range.clone().map(|i| {
                    (es[i].id(), es[i].version(), sealed[i].as_slice())
                }))),
            ));
            index.extend(range.map(|i| IndexEntry {
                stored: vec![(es[i].version(), seg)],
                ..index_entry(
                    es[i],
                    meta_with_hash(es[i], hash_of[&(es[i].id(), es[i].version())].clone()),
                )
            }));
        }
        let key = page_key(&occ, level);
        let refs: Vec<&IndexEntry> = index.iter().collect();
        out.push((
            key.clone().into_bytes(),
            Some(page_value(&key, &refs, clear).expect("clear")),
        ));
    }
    out
}

/// The digest over standards (sorted by occupation) and (kind, id, version, hash) rows sorted by
/// id. Two schemes, chosen by the rows (ARCHITECTURE.md, "Digests"):
/// - scheme 1, for a bank whose every entry carries a scheme-1 content hash (stored before the
///   canonical form; such a store keeps the digest its papers and sittings name):
///   SHA-256(`"qbank-bank-digest-v1\n"` ‖ per standard `"standard <code> <hex SHA-256 of its
///   serde_json>\n"` ‖ per row `"<kind> <id> <version> <hash>\n"`);
/// - scheme 2, for every other bank (any entry hashed canonically, or none at all):
///   SHA-256(`"qbank-bank-digest-v2\n"` ‖ per standard `"standard <code> jcs:<hex
///   SHA-256("qbank-standard/2" ‖ 0 ‖ RFC 8785 JSON)>\n"` ‖ the same rows, whose hashes say
///   their own scheme).
pub fn digest_of<'a>(
    standards: &[Standard],
    rows: impl Iterator<Item = (EntryKind, &'a str, u32, &'a str)>,
) -> BankDigest {
    let rows: Vec<(EntryKind, &str, u32, &str)> = rows.collect();
    let v1 = !rows.is_empty() && rows.iter().all(|r| !canon::is_canonical(r.3));
    let mut h = Sha256::new();
    if v1 {
        h.update(b"qbank-bank-digest-v1\n");
    } else {
        h.update(b"qbank-bank-digest-v2\n");
    }
    for s in standards {
        let d = if v1 {
            let json = serde_json::to_vec(s).expect("standards serialise");
            hex::encode(Sha256::digest(&json))
        } else {
            canon::tagged(canon::canonical_sha256("qbank-standard/2", s))
        };
        h.update(format!("standard {} {d}\n", s.occupation.code).as_bytes());
    }
    for (kind, id, version, hash) in rows {
        h.update(format!("{} {id} {version} {hash}\n", kind.as_str()).as_bytes());
    }
    BankDigest(h.finalize().into())
}
