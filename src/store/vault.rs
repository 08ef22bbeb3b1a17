//! The vault: the encrypted bank on top of a [`Kv`] engine. It owns the record layout, the key
//! ring with its encryption counters, item versioning, and the bank snapshot digest.
//!
//! Layout (keys are clear and hold only public metadata; values are sealed unless noted):
//! - `h` — header, clear JSON: store format, how the master key is derived, wrapped data keys
//!   with their encryption counters.
//! - `s/<occupation>` — the occupation's standard (sealed JSON).
//! - `r/<id>/<version:010>` — every version of every entry (sealed JSON of [`Entry`]).
//! - `x/<occupation>/<level>/<id>` — the current version of each entry: a clear part
//!   (kind, version, clause code, type, status) and a sealed [`Meta`] part (content hash,
//!   difficulty, importance, enemy group, … — what assembly selects on without opening items).

use super::crypto::{self, Argon2Params, KeySource, Place, SecretKey};
use super::kv::{Batch, Kv, SledKv};
use crate::error::{Error, Result};
use crate::model::{
    Difficulty, Entry, EntryKind, Importance, Level, OccupationCode, Standard, Status,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

/// On-disk layout version of the store.
pub const STORE_FORMAT: u32 = 1;
/// Encryptions under one data key before a new one is made: far below the 2^32 limit for random
/// 96-bit nonces under AES-GCM (NIST SP 800-38D).
pub const ROTATE_AFTER: u64 = 1 << 31;

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
struct Header {
    format: u32,
    kdf: Kdf,
    keys: Vec<WrappedKey>,
    active: u32,
}

/// Tunables; the defaults are what the CLI uses.
#[derive(Clone, Debug)]
pub struct VaultOptions {
    pub rotate_after: u64,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            rotate_after: ROTATE_AFTER,
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
}

/// The current version of one entry as the index knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub kind: EntryKind,
    pub id: String,
    pub version: u32,
    pub occupation: OccupationCode,
    pub level: Level,
    pub clause: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub status: Status,
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
    kv: Box<dyn Kv>,
    header: Header,
    keys: BTreeMap<u32, SecretKey>,
    opts: VaultOptions,
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

fn rec_key(id: &str, version: u32) -> String {
    format!("r/{id}/{version:010}")
}
fn idx_key(occ: &OccupationCode, level: Level, id: &str) -> String {
    format!("x/{occ}/{}/{id}", level.code())
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

fn meta_of(e: &Entry) -> Meta {
    let mut m = Meta {
        hash: hex::encode(e.content_hash()),
        ..Meta::default()
    };
    match e {
        Entry::Item(i) => {
            m.difficulty = Some(i.difficulty);
            m.p = i.p;
            m.importance = i.importance;
            m.enemy = i.enemy.clone();
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

fn public_of(e: &Entry) -> IndexEntry {
    IndexEntry {
        kind: e.kind(),
        id: e.id().to_string(),
        version: e.version(),
        occupation: e.occupation().clone(),
        level: e.level(),
        clause: e.clause().to_string(),
        type_label: e.type_label().to_string(),
        status: e.status(),
        meta: Meta::default(),
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

impl Vault {
    /// Creates a new store in `dir` (which must not hold one) protected by `key`.
    pub fn create(dir: &Path, key: &KeySource, opts: VaultOptions) -> Result<Vault> {
        if dir.join("db").exists() {
            return Err(Error::StoreExists(dir.to_path_buf()));
        }
        Vault::create_in(Box::new(SledKv::open(dir)?), key, opts)
    }

    /// Creates a new vault on any engine.
    pub fn create_in(kv: Box<dyn Kv>, key: &KeySource, opts: VaultOptions) -> Result<Vault> {
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
        };
        let vault = Vault {
            kv,
            header,
            keys: BTreeMap::from([(1, dk)]),
            opts,
        };
        vault.kv.apply(vec![vault.header_put()])?;
        vault.kv.flush()?;
        Ok(vault)
    }

    /// Opens the store in `dir` with `key`.
    pub fn open(dir: &Path, key: &KeySource, opts: VaultOptions) -> Result<Vault> {
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
        let master = master_from(key, &header.kdf)?;
        let mut keys = BTreeMap::new();
        for k in &header.keys {
            keys.insert(
                k.id,
                crypto::unwrap(&master, k.id, &k.wrapped, key.describe())?,
            );
        }
        Ok(Vault {
            kv,
            header,
            keys,
            opts,
        })
    }

    fn header_put(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        (
            b"h".to_vec(),
            Some(serde_json::to_vec(&self.header).expect("header serialises")),
        )
    }

    /// Reserves `n` encryptions, making new data keys as counters approach the limit. Returns
    /// (key id, how many) segments in order; the caller writes the header in its batch.
    fn allocate(&mut self, mut n: u64, master: Option<&SecretKey>) -> Result<Vec<(u32, u64)>> {
        let mut out = Vec::new();
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
            out.push((active, take));
            n -= take;
        }
        Ok(out)
    }

    fn new_data_key(&mut self, master: Option<&SecretKey>) -> Result<()> {
        // The master key is not kept in memory; a new data key is wrapped by the same wrapping
        // that protects the active one: we re-derive nothing and instead wrap under a key
        // encryption key held only for the call.
        let master = master.ok_or_else(|| {
            Error::Crypto("data key exhausted; reopen the vault to rotate".into())
        })?;
        let id = self.header.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        let dk = SecretKey::random()?;
        self.header.keys.push(WrappedKey {
            id,
            wrapped: crypto::wrap(master, id, &dk)?,
            count: 0,
        });
        self.keys.insert(id, dk);
        self.header.active = id;
        Ok(())
    }

    fn key(&self, id: u32, record: &str) -> Result<&SecretKey> {
        self.keys.get(&id).ok_or_else(|| Error::Tampered {
            record: record.to_string(),
        })
    }

    fn open_record(
        &self,
        tree: &str,
        key: &str,
        version: u32,
        bytes: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let kid = crypto::envelope_key_id(key, bytes)?;
        crypto::open(
            self.key(kid, key)?,
            &Place {
                tree,
                key: key.as_bytes(),
                version,
            },
            bytes,
        )
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
                let key = String::from_utf8_lossy(&k).into_owned();
                let plain = self.open_record("s", &key, 0, &v)?;
                serde_json::from_slice(&plain).map_err(|e| corrupt(&key, e))
            })
            .collect()
    }

    fn decode_index(&self, k: &[u8], v: &[u8]) -> Result<IndexEntry> {
        let key = String::from_utf8_lossy(k).into_owned();
        if v.len() < 4 {
            return Err(corrupt(&key, "index value too short"));
        }
        let n = u32::from_be_bytes(v[..4].try_into().expect("4 bytes")) as usize;
        if v.len() < 4 + n {
            return Err(corrupt(&key, "index value truncated"));
        }
        let mut ix: IndexEntry =
            serde_json::from_slice(&v[4..4 + n]).map_err(|e| corrupt(&key, e))?;
        if idx_key(&ix.occupation, ix.level, &ix.id) != key {
            return Err(Error::Tampered { record: key });
        }
        let plain = self.open_record("x", &key, ix.version, &v[4 + n..])?;
        ix.meta = serde_json::from_slice(&plain).map_err(|e| corrupt(&key, e))?;
        Ok(ix)
    }

    /// Current entries, optionally only one occupation (and level), in key order.
    pub fn index(
        &self,
        occupation: Option<&OccupationCode>,
        level: Option<Level>,
    ) -> Result<Vec<IndexEntry>> {
        let prefix = match (occupation, level) {
            (Some(o), Some(l)) => format!("x/{o}/{}/", l.code()),
            (Some(o), None) => format!("x/{o}/"),
            _ => "x/".to_string(),
        };
        let raw = self.kv.scan_prefix(prefix.as_bytes())?;
        raw.par_iter()
            .map(|(k, v)| self.decode_index(k, v))
            .collect::<Result<Vec<_>>>()
            .map(|v| {
                if level.is_some() && occupation.is_none() {
                    v.into_iter().filter(|e| Some(e.level) == level).collect()
                } else {
                    v
                }
            })
    }

    /// All stored versions of an entry, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<u32>> {
        let prefix = format!("r/{id}/");
        Ok(self
            .kv
            .scan_prefix(prefix.as_bytes())?
            .into_iter()
            .filter_map(|(k, _)| String::from_utf8_lossy(&k[prefix.len()..]).parse().ok())
            .collect())
    }

    /// One entry: the given version, or the newest.
    pub fn entry(&self, id: &str, version: Option<u32>) -> Result<Entry> {
        let not_found = || Error::NotFound {
            what: "entry",
            id: match version {
                Some(v) => format!("{id} version {v}"),
                None => id.to_string(),
            },
        };
        if !crate::model::is_valid_id(id) {
            return Err(not_found());
        }
        let version = match version {
            Some(v) => v,
            None => *self.versions(id)?.last().ok_or_else(not_found)?,
        };
        let key = rec_key(id, version);
        let bytes = self.kv.get(key.as_bytes())?.ok_or_else(not_found)?;
        let plain = self.open_record("r", &key, version, &bytes)?;
        serde_json::from_slice(&plain).map_err(|e| corrupt(&key, e))
    }

    /// The entries an index listing points at, decrypted in parallel.
    pub fn entries(&self, index: &[IndexEntry]) -> Result<Vec<Entry>> {
        index
            .par_iter()
            .map(|ix| self.entry(&ix.id, Some(ix.version)))
            .collect()
    }

    /// The bank snapshot digest: SHA-256 over every standard and the (kind, id, version, content
    /// hash) of every current entry, in a fixed order. Equal banks have equal digests wherever
    /// they are stored and whatever key protects them.
    pub fn digest(&self) -> Result<BankDigest> {
        let mut standards = self.standards()?;
        standards.sort_by(|a, b| a.occupation.code.cmp(&b.occupation.code));
        let mut index = self.index(None, None)?;
        index.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(digest_of(
            &standards,
            index
                .iter()
                .map(|i| (i.kind, i.id.as_str(), i.version, i.meta.hash.as_str())),
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
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let current: HashMap<String, IndexEntry> = self
            .index(None, None)?
            .into_iter()
            .map(|i| (i.id.clone(), i))
            .collect();
        let stored: HashMap<OccupationCode, Standard> = self
            .standards()?
            .into_iter()
            .map(|s| (s.occupation.code.clone(), s))
            .collect();

        let mut changed_standards = Vec::new();
        for s in standards {
            if stored.get(&s.occupation.code) == Some(s) {
                report.standards_unchanged += 1;
            } else {
                changed_standards.push(s);
            }
        }
        report.standards_written = changed_standards.len();

        let mut batch: Batch = Vec::new();
        let mut todo: Vec<(Entry, Meta)> = Vec::new();
        for (mut e, declared) in entries {
            let meta = meta_of(&e);
            match current.get(e.id()) {
                Some(cur) if cur.meta.hash == meta.hash => report.unchanged += 1,
                Some(cur) => {
                    e.set_version(cur.version + 1);
                    let old = idx_key(&cur.occupation, cur.level, &cur.id);
                    if old != idx_key(e.occupation(), e.level(), e.id()) {
                        batch.push((old.into_bytes(), None));
                    }
                    report.new_versions += 1;
                    todo.push((e, meta));
                }
                None => {
                    e.set_version(declared.unwrap_or(1));
                    report.added += 1;
                    todo.push((e, meta));
                }
            }
        }
        if !report.changed_anything() {
            return Ok(report);
        }
        let saved = self.header.clone();
        let result = self.write_entries(&mut batch, &changed_standards, &todo, master, progress);
        if result.is_err() {
            self.header = saved;
        }
        result.map(|_| report)
    }

    fn write_entries(
        &mut self,
        batch: &mut Batch,
        standards: &[&Standard],
        todo: &[(Entry, Meta)],
        master: Option<&SecretKey>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        let segments = self.allocate(2 * todo.len() as u64 + standards.len() as u64, master)?;
        // Expand segments into one key id per encryption, in order.
        let mut ids = segments
            .into_iter()
            .flat_map(|(id, n)| std::iter::repeat_n(id, n as usize));
        for s in standards {
            let id = ids.next().expect("allocated");
            let key = std_key(&s.occupation.code);
            let json = serde_json::to_vec(s).expect("standards serialise");
            let sealed = crypto::seal(
                self.key(id, &key)?,
                id,
                &Place {
                    tree: "s",
                    key: key.as_bytes(),
                    version: 0,
                },
                &json,
            )?;
            batch.push((key.into_bytes(), Some(sealed)));
        }
        let pairs: Vec<(u32, u32)> = todo
            .iter()
            .map(|_| {
                (
                    ids.next().expect("allocated"),
                    ids.next().expect("allocated"),
                )
            })
            .collect();
        let done = std::sync::atomic::AtomicU64::new(0);
        let records: Vec<[super::kv::Put; 2]> = todo
            .par_iter()
            .zip(pairs.par_iter())
            .map(|((e, meta), (k1, k2))| {
                let records = entry_records(
                    e,
                    meta,
                    |place, json| crypto::seal(self.key(*k1, "r")?, *k1, place, json),
                    |place, json| crypto::seal(self.key(*k2, "x")?, *k2, place, json),
                )?;
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(1024) {
                    progress(n);
                }
                Ok(records)
            })
            .collect::<Result<_>>()?;
        progress(todo.len() as u64);
        batch.reserve(records.len() * 2 + 1);
        for [a, b] in records {
            batch.push(a);
            batch.push(b);
        }
        batch.push(self.header_put());
        self.kv.apply(std::mem::take(batch))?;
        self.kv.flush()
    }

    /// Rewraps every data key under a new master key. The bank itself is not re-encrypted.
    /// After this, only `new` opens the store.
    pub fn rotate_master(&mut self, new: &KeySource) -> Result<()> {
        let kdf = match new {
            KeySource::File(_) => Kdf::KeyFile,
            KeySource::Passphrase(_) => Kdf::Argon2id(Argon2Params::new_random()?),
        };
        let master = master_from(new, &kdf)?;
        let mut header = self.header.clone();
        header.kdf = kdf;
        for k in &mut header.keys {
            k.wrapped = crypto::wrap(&master, k.id, self.key(k.id, "h")?)?;
        }
        let saved = std::mem::replace(&mut self.header, header);
        let r = self
            .kv
            .apply(vec![self.header_put()])
            .and_then(|_| self.kv.flush());
        if r.is_err() {
            self.header = saved;
        }
        r
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

/// The two records of one entry version: `r/<id>/<version>` (the entry) and its index entry
/// (clear public part, then the sealed [`Meta`]). `seal_r` / `seal_x` seal each payload.
fn entry_records(
    e: &Entry,
    meta: &Meta,
    seal_r: impl Fn(&Place, &[u8]) -> Result<Vec<u8>>,
    seal_x: impl Fn(&Place, &[u8]) -> Result<Vec<u8>>,
) -> Result<[super::kv::Put; 2]> {
    let rkey = rec_key(e.id(), e.version());
    let json = zeroize::Zeroizing::new(serde_json::to_vec(e).expect("entries serialise"));
    let place = Place { tree: "r", key: rkey.as_bytes(), version: e.version() };
    let rec = seal_r(&place, &json)?;
    let xkey = idx_key(e.occupation(), e.level(), e.id());
    let public = serde_json::to_vec(&public_of(e)).expect("index serialises");
    let mjson = zeroize::Zeroizing::new(serde_json::to_vec(meta).expect("meta serialises"));
    let place = Place { tree: "x", key: xkey.as_bytes(), version: e.version() };
    let sealed = seal_x(&place, &mjson)?;
    let mut val = Vec::with_capacity(4 + public.len() + sealed.len());
    val.extend_from_slice(&(public.len() as u32).to_be_bytes());
    val.extend_from_slice(&public);
    val.extend_from_slice(&sealed);
    Ok([(rkey.into_bytes(), Some(rec)), (xkey.into_bytes(), Some(val))])
}

/// Benchmark baseline only: the same records as an import writes, built by the same code, but
/// with the payloads left in clear. Never used by the vault itself.
#[doc(hidden)]
pub fn plaintext_records(entries: &[Entry]) -> Vec<super::kv::Put> {
    let clear = |_: &Place, json: &[u8]| Ok(json.to_vec());
    entries
        .par_iter()
        .map(|e| entry_records(e, &meta_of(e), clear, clear).expect("clear records cannot fail"))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// The digest over standards (sorted by occupation) and (kind, id, version, hash) rows sorted by id.
pub fn digest_of<'a>(
    standards: &[Standard],
    rows: impl Iterator<Item = (EntryKind, &'a str, u32, &'a str)>,
) -> BankDigest {
    let mut h = Sha256::new();
    h.update(b"qbank-bank-digest-v1\n");
    for s in standards {
        let json = serde_json::to_vec(s).expect("standards serialise");
        h.update(
            format!(
                "standard {} {}\n",
                s.occupation.code,
                hex::encode(Sha256::digest(&json))
            )
            .as_bytes(),
        );
    }
    for (kind, id, version, hash) in rows {
        h.update(format!("{} {id} {version} {hash}\n", kind.as_str()).as_bytes());
    }
    BankDigest(h.finalize().into())
}
