//! The encrypted store: round trips, versions, wrong keys, tampering, secrecy, key rotation.

use crate::{copy_sample, digest, new_store, sample_bank, sample_store};
use qbank::Error;
use qbank::model::Entry;
use qbank::ops::{Quiet, StoreConfig, export, import};
use qbank::store::{KeySource, MemKv, Vault, VaultOptions};
use std::path::Path;
use zeroize::Zeroizing;

#[test]
fn export_then_import_into_a_new_store_gives_the_same_digest() {
    let t = tempfile::tempdir().unwrap();
    let a = sample_store(&t.path().join("a"));
    let (files, d) = export(&a, &t.path().join("exported"), &Quiet).unwrap();
    assert!(files >= 6);
    let b = new_store(&t.path().join("b"));
    let outcome = import(&b, &[t.path().join("exported")], &Quiet).unwrap();
    assert_eq!(
        outcome.report.digest,
        digest(&b),
        "import reports the digest it made"
    );
    assert_eq!(d.to_string(), digest(&b));
    assert_eq!(digest(&a), digest(&b));
}

#[test]
fn reimporting_unchanged_files_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let before = digest(&cfg);
    let again = import(&cfg, &[sample_bank()], &Quiet).unwrap();
    assert!(!again.report.changed_anything());
    assert_eq!(again.report.digest, before);
    let entries = qbank::ops::check(&[sample_bank()]).unwrap().entries;
    assert_eq!(again.report.unchanged, entries);
    assert_eq!(before, digest(&cfg));
}

#[test]
fn a_changed_item_becomes_a_new_version_and_the_old_one_stays_readable() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let cfg = new_store(t.path());
    import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    let before = digest(&cfg);
    let v1 = cfg.open().unwrap().entry("DG4-0120", None).unwrap();
    let Entry::Item(old) = &v1 else {
        panic!("DG4-0120 is a theory item")
    };
    let file = bank.join("6-31-01-03/theory-4-f2.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let new_stem =
        "在接触器联锁的正反转控制电路中，应将对方接触器的（  ）串接在本接触器线圈回路中。";
    assert!(text.contains(&old.stem));
    std::fs::write(&file, text.replace(&old.stem, new_stem)).unwrap();

    let r = import(&cfg, &[bank], &Quiet).unwrap();
    assert_eq!((r.report.new_versions, r.report.added), (1, 0));
    assert_eq!(r.report.digest, digest(&cfg));
    let vault = cfg.open().unwrap();
    assert_eq!(vault.versions("DG4-0120").unwrap(), vec![1, 2]);
    let Entry::Item(now) = vault.entry("DG4-0120", None).unwrap() else {
        panic!()
    };
    assert_eq!((now.version, now.stem.as_str()), (2, new_stem));
    assert_eq!(vault.entry("DG4-0120", Some(1)).unwrap(), v1);
    assert_ne!(before, vault.digest().unwrap().to_string());
}

#[test]
fn a_bank_with_one_bad_file_imports_nothing_and_names_the_problem() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let cfg = sample_store(&t.path().join("s"));
    let before = digest(&cfg);
    // a new item in one file, and a broken answer in another
    let f5 = bank.join("6-31-01-03/theory-5.toml");
    let mut text = std::fs::read_to_string(&f5).unwrap();
    text.push_str("\n[[item]]\nid = \"NEW-0001\"\nclause = \"1.1.1\"\ntype = \"判断\"\ndifficulty = \"easy\"\nstem = \"螺口灯头的螺纹端应接零线。\"\nanswer = \"√\"\n");
    std::fs::write(&f5, text).unwrap();
    let f3 = bank.join("6-31-01-03/theory-3.toml");
    let text = std::fs::read_to_string(&f3).unwrap();
    let broken = text.replacen("answer = \"A\"", "answer = \"Q\"", 1);
    let line = broken.lines().position(|l| l == "answer = \"Q\"").unwrap() + 1;
    std::fs::write(&f3, broken).unwrap();

    let err = import(&cfg, &[bank], &Quiet).unwrap_err();
    let Error::Invalid(d) = &err else {
        panic!("{err}")
    };
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].file.ends_with("theory-3.toml") && d[0].line == line,
        "{}",
        d[0]
    );
    assert_eq!(before, digest(&cfg));
    assert!(cfg.open().unwrap().entry("NEW-0001", None).is_err());
}

#[test]
fn a_wrong_key_file_or_passphrase_is_refused_clearly() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let other = t.path().join("other.key");
    qbank::store::crypto::create_key_file(&other).unwrap();
    let wrong = StoreConfig::new(cfg.dir.clone(), KeySource::File(other));
    assert!(matches!(wrong.open(), Err(Error::WrongKey("key file"))));
    let pass = StoreConfig::new(
        cfg.dir.clone(),
        KeySource::Passphrase(Zeroizing::new("x".into())),
    );
    assert!(matches!(pass.open(), Err(Error::KeyKindMismatch { .. })));
    let short = t.path().join("short.key");
    std::fs::write(&short, b"not a key").unwrap();
    let e = StoreConfig::new(cfg.dir.clone(), KeySource::File(short))
        .open()
        .unwrap_err();
    assert!(
        e.to_string().contains("expected exactly 32 bytes, found 9"),
        "{e}"
    );
}

#[test]
fn a_passphrase_store_opens_only_with_its_passphrase() {
    let t = tempfile::tempdir().unwrap();
    let pass = |p: &str| {
        StoreConfig::new(
            t.path().join("s"),
            KeySource::Passphrase(Zeroizing::new(p.into())),
        )
    };
    qbank::ops::init(&pass("正确的口令 correct horse")).unwrap();
    import(&pass("正确的口令 correct horse"), &[sample_bank()], &Quiet).unwrap();
    assert!(matches!(
        pass("wrong").open(),
        Err(Error::WrongKey("passphrase"))
    ));
    assert!(
        pass("正确的口令 correct horse")
            .open()
            .unwrap()
            .entry("DG5-0001", None)
            .is_ok()
    );
}

fn flip_last_byte(v: &mut [u8]) {
    let n = v.len() - 1;
    v[n] ^= 0x01;
}

/// The framed records of a segment (`[u16 id len][id][u32 version][u32 len][sealed]`, see
/// src/store/vault.rs), parsed independently of the vault's own code.
fn frames(mut v: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
    let mut out = Vec::new();
    while !v.is_empty() {
        let n = u16::from_be_bytes([v[0], v[1]]) as usize;
        let id = String::from_utf8(v[2..2 + n].to_vec()).unwrap();
        let version = u32::from_be_bytes(v[2 + n..6 + n].try_into().unwrap());
        let len = u32::from_be_bytes(v[6 + n..10 + n].try_into().unwrap()) as usize;
        out.push((id, version, v[10 + n..10 + n + len].to_vec()));
        v = &v[10 + n + len..];
    }
    out
}

/// Applies `f` to the sealed bytes of `id`'s current version, rewriting its segment.
fn edit_record(vault: &Vault, id: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let ix = vault
        .index(None, None)
        .unwrap()
        .into_iter()
        .find(|e| e.id == id)
        .unwrap();
    let seg = ix.stored.last().unwrap().1;
    let key = format!("g/{seg:012}");
    let kv = vault.engine();
    let mut records = frames(&kv.get(key.as_bytes()).unwrap().unwrap());
    let r = records.iter_mut().find(|r| r.0 == id).unwrap();
    f(&mut r.2);
    let mut value = Vec::new();
    for (id, version, sealed) in records {
        value.extend_from_slice(&(id.len() as u16).to_be_bytes());
        value.extend_from_slice(id.as_bytes());
        value.extend_from_slice(&version.to_be_bytes());
        value.extend_from_slice(&(sealed.len() as u32).to_be_bytes());
        value.extend_from_slice(&sealed);
    }
    kv.apply(vec![(key.into_bytes(), Some(value))]).unwrap();
}

#[test]
fn a_flipped_byte_in_a_stored_value_is_an_error_naming_the_record() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    {
        let vault = cfg.open().unwrap();
        edit_record(&vault, "DG4-0120", |sealed| flip_last_byte(sealed));
        vault.engine().flush().unwrap();
    }
    let vault = cfg.open().unwrap();
    match vault.entry("DG4-0120", None) {
        Err(Error::Tampered { record }) => assert_eq!(record, "r/DG4-0120/0000000001"),
        other => panic!("expected a tamper error, got {other:?}"),
    }
    assert!(
        vault.entry("DG4-0121", None).is_ok(),
        "other records still open"
    );
    // the index page is authenticated too, its sealed part and its clear part
    let key = b"x/6-31-01-03/4";
    let original = vault.engine().get(key).unwrap().unwrap();
    let mut v = original.clone();
    flip_last_byte(&mut v);
    vault.engine().apply(vec![(key.to_vec(), Some(v))]).unwrap();
    let e = vault.index(None, None).unwrap_err();
    assert!(
        e.to_string().contains("记录 `x/6-31-01-03/4` 未通过认证"),
        "{e}"
    );
    // a same-length edit of the clear part (moving an item to another 鉴定点)
    let (from, to) = (br#""clause":"2.1.1""#, br#""clause":"2.1.2""#);
    let at = original
        .windows(from.len())
        .position(|w| w == from)
        .unwrap();
    let mut edited = original.clone();
    edited[at..at + to.len()].copy_from_slice(to);
    vault
        .engine()
        .apply(vec![(key.to_vec(), Some(edited))])
        .unwrap();
    assert!(matches!(
        vault.index(None, None),
        Err(Error::Tampered { .. })
    ));
}

#[test]
fn a_ciphertext_copied_onto_another_records_key_does_not_open() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let vault = cfg.open().unwrap();
    let kv = vault.engine();
    let mut a = Vec::new();
    edit_record(&vault, "DG4-0120", |sealed| a = sealed.clone());
    edit_record(&vault, "DG4-0121", |sealed| *sealed = a.clone());
    assert!(vault.entry("DG4-0120", None).is_ok());
    assert!(matches!(
        vault.entry("DG4-0121", None),
        Err(Error::Tampered { .. })
    ));
    // an index page copied onto another occupation-level is caught as well
    let x = kv.get(b"x/6-31-01-03/4").unwrap().unwrap();
    kv.apply(vec![(b"x/6-31-01-03/5".to_vec(), Some(x))])
        .unwrap();
    assert!(matches!(
        vault.index(None, None),
        Err(Error::Tampered { .. })
    ));
}

/// Every file the store wrote, as bytes.
fn store_bytes(dir: &Path) -> Vec<u8> {
    crate::files_under(dir)
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect()
}

#[test]
fn the_raw_store_files_contain_no_question_content() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let vault = cfg.open().unwrap();
    let entries = vault.entries(&vault.index(None, None).unwrap()).unwrap();
    drop(vault);
    let raw = store_bytes(&cfg.dir);
    assert!(raw.len() > 100_000, "the store holds the bank");
    let mut needles: Vec<String> = Vec::new();
    for e in &entries {
        match e {
            Entry::Item(i) => {
                needles.push(i.stem.clone());
                needles.extend(i.options.iter().filter(|o| o.chars().count() >= 6).cloned());
                needles.extend(i.explanation.clone());
            }
            Entry::Task(t) => {
                needles.push(t.title.clone());
                needles.extend(t.rubric.iter().map(|r| r.criteria.clone()));
            }
            Entry::Defence(d) => needles.push(d.topic.clone()),
        }
    }
    assert!(needles.len() > 1000);
    // Valid UTF-8 runs survive lossy decoding, so any stored clear text would be found.
    let haystack = String::from_utf8_lossy(&raw);
    for n in &needles {
        assert!(
            !haystack.contains(n.as_str()),
            "content found in clear in the store"
        );
    }
    let key = std::fs::read(t.path().join("master.key")).unwrap();
    assert!(
        !raw.windows(32).any(|w| w == key.as_slice()),
        "the master key is not in the store"
    );
}

#[test]
fn rotating_the_master_key_keeps_the_bank_and_retires_the_old_key() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let before = digest(&cfg);
    let new_key = t.path().join("new.key");
    qbank::ops::rotate_key(&cfg, &KeySource::File(new_key.clone())).unwrap();
    assert!(matches!(cfg.open(), Err(Error::WrongKey(_))));
    let rotated = StoreConfig::new(cfg.dir.clone(), KeySource::File(new_key));
    assert_eq!(before, digest(&rotated));
    // and on to a passphrase
    let pass = KeySource::Passphrase(Zeroizing::new("新口令".into()));
    qbank::ops::rotate_key(&rotated, &pass).unwrap();
    assert!(rotated.open().is_err());
    assert_eq!(before, digest(&StoreConfig::new(cfg.dir.clone(), pass)));
}

#[test]
fn data_keys_are_replaced_before_their_encryption_limit() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("k");
    qbank::store::crypto::create_key_file(&key_path).unwrap();
    let key = KeySource::File(key_path);
    let opts = VaultOptions {
        rotate_after: 50,
        ..VaultOptions::default()
    };
    let mut vault = Vault::create_in(Box::new(MemKv::default()), &key, opts).unwrap();
    let (standards, entries) = qbank::synth::bank(&qbank::synth::SynthConfig {
        items: 100,
        occupations: 1,
        tasks_per_level: 0,
        seed: 3,
    });
    let master = vault.master_key(&key).unwrap();
    vault
        .import(
            &standards,
            entries.into_iter().map(|e| (e, None)).collect(),
            Some(&master),
            &|_| {},
            qbank::store::AuditEvent::new("import", serde_json::json!({})),
        )
        .unwrap();
    let usage = vault.key_usage();
    // 108 encryptions: the bureau's two keys at creation, 100 entries, 5 index pages (one per
    // level), 1 standard
    assert_eq!(usage, vec![(1, 50), (2, 50), (3, 8)]);
    let index = vault.index(None, None).unwrap();
    assert_eq!(vault.entries(&index).unwrap().len(), 100);
    // without the master key, an exhausted key cannot be replaced: the import fails cleanly
    let (s2, e2) = qbank::synth::bank(&qbank::synth::SynthConfig {
        items: 100,
        occupations: 1,
        tasks_per_level: 0,
        seed: 4,
    });
    let before = vault.digest().unwrap();
    let r = vault.import(
        &s2,
        e2.into_iter().map(|e| (e, None)).collect(),
        None,
        &|_| {},
        qbank::store::AuditEvent::new("import", serde_json::json!({})),
    );
    assert!(r.is_err());
    assert_eq!(before, vault.digest().unwrap());
}
