//! Frozen vectors of the store format (`tests/data/vectors/store/`): every key–value pair of a
//! small store, as JSON `{"pairs": [[key, value hex], …]}`, loaded into the in-memory engine and
//! opened with the test key `master.key` by every later qbank.
//!
//! - `store-format-2.json`: made by qbank at 6a2aff8 (store format 2: MAC'd header, no tree
//!   digests; scheme-1 content hashes, `serde_json` of the entry) with the CLI — `init`,
//!   `import` of the sample standard, `org add S000000000002`, `org suspend`, `import` of
//!   `format-2-bank/` (the standard and three 五级 items) — then dumped
//!   (`QBANK_BLESS_V2=<store folder>`). It must open, verify, keep the bank digest that qbank
//!   printed (`V2_DIGEST`), find the same bank files unchanged, and upgrade to today's format
//!   with its next change.
//! - `store-format-3.json` and its `fail_*` variants: made by this version
//!   (`QBANK_BLESS_VECTORS=1 cargo test --test it store_vectors::`): an organisation record
//!   written, then rewritten (suspended), then a usage-ledger record, each in its own commit. The
//!   `fail_*` files are rollbacks of it that must be refused with exit 6: the old organisation
//!   record put back, the ledger deleted, the header of the commit before put back with the log
//!   cut to its head.
//!
//! The record values are small JSON documents written through the vault's own API: the vectors
//! pin the store format (header, MAC, tree digests, envelopes, audit chain), not record schemas.

use qbank::ops::StoreConfig;
use qbank::store::{AuditEvent, KeySource, Kv, MemKv, Vault, VaultOptions};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors/store")
}

type Pairs = Vec<(String, Vec<u8>)>;

fn dump(kv: &dyn Kv) -> Pairs {
    kv.scan_prefix(b"")
        .unwrap()
        .into_iter()
        .map(|(k, v)| (String::from_utf8(k).unwrap(), v))
        .collect()
}

fn write(path: &Path, pairs: &Pairs) {
    let mut s = String::from("{\"pairs\": [\n");
    for (n, (k, v)) in pairs.iter().enumerate() {
        let sep = if n + 1 == pairs.len() { "" } else { "," };
        s += &format!(
            "  [{}, \"{}\"]{sep}\n",
            serde_json::json!(k),
            hex::encode(v)
        );
    }
    s += "]}\n";
    std::fs::write(path, s).unwrap();
}

fn read(name: &str) -> Pairs {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir().join(name)).unwrap()).unwrap();
    v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                hex::decode(p[1].as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

fn engine(pairs: &Pairs) -> MemKv {
    let kv = MemKv::default();
    for (k, v) in pairs {
        kv.raw_put(k.as_bytes(), v.clone());
    }
    kv
}

fn key() -> KeySource {
    KeySource::File(dir().join("master.key"))
}

fn open(pairs: &Pairs) -> qbank::Result<Vault> {
    Vault::open_in(Box::new(engine(pairs)), &key(), VaultOptions::default())
}

fn with(pairs: &Pairs, key: &str, value: Option<Vec<u8>>) -> Pairs {
    let mut out: Pairs = pairs.iter().filter(|(k, _)| k != key).cloned().collect();
    if let Some(v) = value {
        out.push((key.to_string(), v));
        out.sort();
    }
    out
}

const ORG: &str = "o/S000000000001";
/// The bank digest qbank at 6a2aff8 printed for the store of `store-format-2.json`.
const V2_DIGEST: &str = "sha256:b58ff5b392a95f951f97662a0e53e62dfebe6d287d17126153fa735d99580afc";
const LEDGER: &str = "u/6-31-01-03/5/000000000004-v5";

fn bless(d: &Path) {
    std::fs::create_dir_all(d).unwrap();
    if !d.join("master.key").exists() {
        qbank::store::crypto::create_key_file(&d.join("master.key")).unwrap();
    }
    let mut v =
        Vault::create_in(Box::new(MemKv::default()), &key(), VaultOptions::default()).unwrap();
    let put = v
        .put_record(
            ORG,
            &serde_json::json!({"id": "S000000000001", "status": "active"}),
        )
        .unwrap();
    v.commit(
        vec![put],
        AuditEvent::new("org add", serde_json::json!({})).by("vector"),
    )
    .unwrap();
    let active = v.engine().get(ORG.as_bytes()).unwrap().unwrap();
    let put = v
        .put_record(
            ORG,
            &serde_json::json!({"id": "S000000000001", "status": "suspended"}),
        )
        .unwrap();
    v.commit(
        vec![put],
        AuditEvent::new("org suspend", serde_json::json!({})).by("vector"),
    )
    .unwrap();
    let header_before = v.engine().get(b"h").unwrap().unwrap();
    let put = v.put_record(LEDGER, &[("V-0001", 1)]).unwrap();
    v.commit(
        vec![put],
        AuditEvent::new("sitting", serde_json::json!({})).by("vector"),
    )
    .unwrap();
    let pairs = dump(v.engine());
    write(&d.join("store-format-3.json"), &pairs);
    write(
        &d.join("fail_old_record.json"),
        &with(&pairs, ORG, Some(active)),
    );
    write(
        &d.join("fail_deleted_ledger.json"),
        &with(&pairs, LEDGER, None),
    );
    write(
        &d.join("fail_rolled_back_header.json"),
        &with(
            &with(&pairs, "h", Some(header_before)),
            "a/000000000004",
            None,
        ),
    );
    if let Some(v2) = std::env::var_os("QBANK_BLESS_V2") {
        let kv = qbank::store::SledKv::open(Path::new(&v2)).unwrap();
        write(&d.join("store-format-2.json"), &dump(&kv));
    }
}

fn header(v: &Vault) -> serde_json::Value {
    serde_json::from_slice(&v.engine().get(b"h").unwrap().unwrap()).unwrap()
}

#[test]
fn frozen_stores_open_and_every_rolled_back_variant_is_refused_with_exit_6() {
    let d = dir();
    if std::env::var_os("QBANK_BLESS_VECTORS").is_some() {
        bless(&d);
    }
    let pairs = read("store-format-3.json");
    let v = open(&pairs).expect("the frozen format-3 store opens");
    assert_eq!(header(&v)["format"], 3);
    let r = v.verify_audit().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.entries, 4);
    let org: serde_json::Value = v.get_record(ORG).unwrap().unwrap();
    assert_eq!(org["status"], "suspended");
    for (name, tree) in [
        ("fail_old_record.json", "o/"),
        ("fail_deleted_ledger.json", "u/"),
        ("fail_rolled_back_header.json", "u/"),
    ] {
        let e = open(&read(name)).expect_err(name);
        assert!(matches!(e, qbank::Error::RolledBack(_)), "{name}: {e}");
        assert_eq!(e.exit_code(), 6, "{name}: {e}");
        assert!(e.to_string().contains(tree), "{name}: {e}");
    }
}

#[test]
fn a_frozen_format_2_store_opens_verifies_and_gets_tree_digests_with_its_next_change() {
    let old = read("store-format-2.json");
    let kv = engine(&old);
    let mut v = Vault::open_in(Box::new(kv), &key(), VaultOptions::default())
        .expect("a store made before format 3 opens");
    let h2 = v.engine().get(b"h").unwrap().unwrap();
    assert_eq!(header(&v)["format"], 2);
    assert!(header(&v).get("trees").is_none());
    let r = v.verify_audit().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.entries, 5);
    assert_eq!(v.standards().unwrap().len(), 1);
    // scheme-1 content hashes and bank digest, as the qbank that made the store computed them
    assert_eq!(v.digest().unwrap().to_string(), V2_DIGEST);
    for ix in v.index(None, None).unwrap() {
        let mut e = v.entry(&ix.id, None).unwrap();
        assert_eq!(e.content_hash_v1_in_place(), ix.meta.hash, "{}", ix.id);
    }
    let org: serde_json::Value = v.get_record("o/S000000000002").unwrap().unwrap();
    assert!(org.to_string().contains("suspended"), "{org}");
    // the next change writes format 3 with a digest of every tree the store holds
    let put = v
        .put_record("u/6-31-01-03/5/000000000005-v5", &[("V-1", 1)])
        .unwrap();
    v.commit(
        vec![put],
        AuditEvent::new("sitting", serde_json::json!({})).by("vector"),
    )
    .unwrap();
    let h = header(&v);
    assert_eq!(h["format"], 3);
    for t in ["k", "o", "s", "u"] {
        assert!(h["trees"][t].is_string(), "tree {t}: {h}");
    }
    let upgraded = dump(v.engine());
    drop(v);
    let v = open(&upgraded).unwrap();
    assert!(v.verify_audit().unwrap().problems.is_empty());
    drop(v);
    // the upgraded store is defended: its organisation record from before put back is refused
    let old_org = old
        .iter()
        .find(|(k, _)| k == "o/S000000000002")
        .unwrap()
        .1
        .clone();
    let before_upgrade_org = with(&upgraded, "o/S000000000002", Some(old_org));
    assert!(open(&before_upgrade_org).is_ok(), "unchanged record");
    let ledger_gone = with(&upgraded, "u/6-31-01-03/5/000000000005-v5", None);
    let e = open(&ledger_gone).unwrap_err();
    assert!(matches!(e, qbank::Error::RolledBack(_)), "{e}");
    // the format-2 header put back (its MAC is genuine) under the log format 3 went on with
    let e = open(&with(&upgraded, "h", Some(h2.clone()))).unwrap_err();
    assert!(matches!(e, qbank::Error::RolledBack(_)), "{e}");
    assert_eq!(e.exit_code(), 6);
    // with the log and the ledger cut back to it as well, this is the old store itself: a
    // whole-store rollback, which opens (found only by an anchor, THREATS.md)
    let cut = with(&with(&upgraded, "h", Some(h2)), "a/000000000006", None);
    let cut = with(&cut, "u/6-31-01-03/5/000000000005-v5", None);
    assert!(open(&cut).is_ok());
}

/// Digests of scheme 1 stay what they were: the bank files of the format-2 store, imported again
/// into it, are unchanged (no new version, the same digest); a changed item gets a new version
/// with a canonical (`jcs:`) hash, and the digest becomes scheme 2.
#[test]
fn the_bank_of_a_frozen_format_2_store_reimports_unchanged_and_a_change_is_hashed_canonically() {
    let t = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::new(t.path().join("store"), key());
    {
        let kv = qbank::store::SledKv::open(&cfg.dir).unwrap();
        kv.apply(
            read("store-format-2.json")
                .into_iter()
                .map(|(k, v)| (k.into_bytes(), Some(v)))
                .collect(),
        )
        .unwrap();
        kv.flush().unwrap();
    }
    let bank = dir().join("format-2-bank");
    let r = qbank::ops::import(&cfg, std::slice::from_ref(&bank), &qbank::ops::Quiet).unwrap();
    assert_eq!((r.report.added, r.report.new_versions), (0, 0));
    assert_eq!(r.report.unchanged, 3);
    assert_eq!(r.report.digest, V2_DIGEST);
    assert_eq!(cfg.open().unwrap().digest().unwrap().to_string(), V2_DIGEST);
    // a changed item
    let edited = t.path().join("bank/6-31-01-03");
    std::fs::create_dir_all(&edited).unwrap();
    for f in ["standard.toml", "theory-5.toml"] {
        std::fs::copy(bank.join("6-31-01-03").join(f), edited.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(edited.join("theory-5.toml")).unwrap();
    std::fs::write(
        edited.join("theory-5.toml"),
        text.replacen("difficulty = \"easy\"", "difficulty = \"medium\"", 1),
    )
    .unwrap();
    let r = qbank::ops::import(&cfg, &[t.path().join("bank")], &qbank::ops::Quiet).unwrap();
    assert_eq!((r.report.new_versions, r.report.unchanged), (1, 2));
    assert_ne!(r.report.digest, V2_DIGEST);
    let v = cfg.open().unwrap();
    let hashes: Vec<String> = v
        .index(None, None)
        .unwrap()
        .into_iter()
        .map(|ix| ix.meta.hash)
        .collect();
    assert_eq!(hashes.iter().filter(|h| h.starts_with("jcs:")).count(), 1);
    assert!(v.verify_audit().unwrap().problems.is_empty());
}
