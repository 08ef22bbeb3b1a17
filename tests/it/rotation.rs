//! Key rotation (issue 11 part 5): after `key rotate` the old master key reads nothing of the
//! store, not even with a stale header copy, and a rotation killed at any step leaves a store that
//! opens with one of the two keys and completes when run again.

use crate::{digest, sample_store};
use qbank::ops::StoreConfig;
use qbank::store::{KeySource, Kv, SledKv, Vault, VaultOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every byte of every file under `dir`.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            out.extend(std::fs::read(e.path()).unwrap());
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

fn key_path(cfg: &StoreConfig) -> PathBuf {
    let KeySource::File(k) = &cfg.key else {
        unreachable!()
    };
    k.clone()
}

#[test]
fn the_old_key_with_a_stale_header_copy_reads_nothing_after_rotation() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let before = digest(&cfg);
    // the attacker's copy of the store (and so of its header) before the rotation
    let copy = t.path().join("copy");
    copy_dir(&cfg.dir, &copy);
    let old_header = SledKv::open(&copy).unwrap().get(b"h").unwrap().unwrap();
    let old: serde_json::Value = serde_json::from_slice(&old_header).unwrap();
    let wrapped: Vec<String> = old["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["wrapped"].as_str().unwrap().to_string())
        .collect();
    assert!(!wrapped.is_empty());

    let new_key = t.path().join("new.key");
    qbank::ops::rotate_key(&cfg, &KeySource::File(new_key.clone())).unwrap();
    let rotated = StoreConfig::new(cfg.dir.clone(), KeySource::File(new_key));
    assert_eq!(before, digest(&rotated));

    // No old wrapping is left anywhere in the rotated store's files (sled's log included).
    let raw = all_bytes(&cfg.dir);
    let hay = String::from_utf8_lossy(&raw);
    for w in &wrapped {
        assert!(
            !hay.contains(w.as_str()),
            "an old wrapped data key is still in the store's files"
        );
    }
    // Nothing retired or half-written beside it.
    let siblings: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("store."))
        .collect();
    assert!(siblings.is_empty(), "left beside the store: {siblings:?}");

    // The header trick: put the old header back into the rotated store and open it with the old
    // key. The old data keys unwrap, but no record is sealed under them any more.
    {
        let kv = SledKv::open(&cfg.dir).unwrap();
        kv.apply(vec![(b"h".to_vec(), Some(old_header.clone()))])
            .unwrap();
        kv.flush().unwrap();
    }
    let attempt = Vault::open(&cfg.dir, &cfg.key, VaultOptions::default())
        .and_then(|v| v.digest().map(|d| d.to_string()));
    assert!(
        attempt.is_err(),
        "the old key and an old header copy opened the rotated store"
    );
    let out = t.path().join("exported");
    assert!(qbank::ops::export(&cfg, &out, &qbank::ops::Quiet).is_err());
    // and every raw value sealed in the rotated store names a data key the old header lacks
    let old_ids: Vec<u64> = old["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_u64().unwrap())
        .collect();
    let kv = SledKv::open(&cfg.dir).unwrap();
    kv.visit_prefix(b"", &mut |k, v| {
        if let Some(id) = qbank::store::crypto::envelope_key_id(v) {
            assert!(
                !old_ids.contains(&(id as u64)),
                "record {} is still sealed under old data key {id}",
                String::from_utf8_lossy(k)
            );
        }
        Ok(())
    })
    .unwrap();
}

fn cli_rotate(cfg: &StoreConfig, key: &Path, new_key: &Path, abort_at: Option<&str>) -> bool {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qbank"));
    c.args(["--store", cfg.dir.to_str().unwrap(), "--key-file"])
        .arg(key)
        .args(["key", "rotate", "--new-key-file"])
        .arg(new_key)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(p) = abort_at {
        c.env(qbank::ops::fault::VAR, p);
    }
    c.status().unwrap().success()
}

#[test]
fn a_rotation_killed_at_any_step_opens_with_one_key_and_completes_when_run_again() {
    for point in ["rotate:written", "rotate:retired", "rotate:swapped"] {
        let t = tempfile::tempdir().unwrap();
        let cfg = sample_store(t.path());
        let before = digest(&cfg);
        let old_key = key_path(&cfg);
        let new_key = t.path().join("new.key");
        assert!(
            !cli_rotate(&cfg, &old_key, &new_key, Some(point)),
            "{point}"
        );
        let with_new = StoreConfig::new(cfg.dir.clone(), KeySource::File(new_key.clone()));
        let old_opens = cfg.open().is_ok();
        let new_opens = new_key.exists() && with_new.open().is_ok();
        assert!(old_opens != new_opens, "{point}: exactly one key opens");
        let now = if old_opens { &cfg } else { &with_new };
        assert_eq!(before, digest(now), "{point}");
        if old_opens {
            // run again: it completes
            assert!(cli_rotate(&cfg, &old_key, &new_key, None), "{point}");
        }
        assert!(cfg.open().is_err(), "{point}");
        assert_eq!(before, digest(&with_new), "{point}");
        let left: Vec<String> = std::fs::read_dir(t.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("store."))
            .collect();
        assert!(left.is_empty(), "{point}: left beside the store: {left:?}");
    }
}

#[test]
fn rotation_refuses_a_store_folder_holding_other_files_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let before = digest(&cfg);
    std::fs::write(cfg.dir.join("notes.txt"), "mine").unwrap();
    let new_key = t.path().join("new.key");
    let err = qbank::ops::rotate_key(&cfg, &KeySource::File(new_key.clone())).unwrap_err();
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert!(!new_key.exists(), "no stray key file");
    assert_eq!(before, digest(&cfg));
    assert!(cfg.dir.join("notes.txt").exists());
}
