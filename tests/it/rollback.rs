//! Issue 11 part 4: rollback of the store by someone with write access to its folder (not the
//! key). Each attack passed `audit verify` before: (a) an old sealed record put back, (b) the usage
//! ledger deleted, (c) the audit tail cut together with the header, (d) an old copy of the whole
//! store restored. (a)–(c) are now refused at open by the header's per-tree digests; (d), and (c)
//! done with every record rolled back too, is found by `audit verify --anchor` with a package or
//! release issued later.

use crate::sitting::{NANJING, PAST, SUZHOU, fixture, plan, release, run};
use qbank::Error;
use qbank::model::OrgStatus;
use qbank::ops::{Quiet, StoreConfig, org, sitting};
use qbank::store::{Kv, SledKv};
use std::path::{Path, PathBuf};

/// Raw access to the store folder, as the attacker has it.
fn raw<T>(cfg: &StoreConfig, f: impl FnOnce(&SledKv) -> T) -> T {
    let kv = SledKv::open(&cfg.dir).unwrap();
    let out = f(&kv);
    kv.flush().unwrap();
    out
}

fn get(cfg: &StoreConfig, key: &str) -> Vec<u8> {
    raw(cfg, |kv| kv.get(key.as_bytes()).unwrap().unwrap())
}

fn put(cfg: &StoreConfig, key: &str, value: Vec<u8>) {
    raw(cfg, |kv| {
        kv.apply(vec![(key.as_bytes().to_vec(), Some(value))])
            .unwrap()
    })
}

/// The open is refused as a rollback (exit 6) naming `tree`, and `audit verify` reports it.
fn refused_as_rollback(cfg: &StoreConfig, tree: &str) {
    let e = cfg.open().expect_err("a rolled-back store opened");
    assert!(matches!(e, Error::RolledBack(_)), "{e}");
    assert_eq!(e.exit_code(), 6, "{e}");
    assert!(e.to_string().contains(tree), "{e}");
    let r = cfg.open_for_verify().unwrap().verify_audit().unwrap();
    assert!(
        r.problems.iter().any(|p| p.starts_with(tree)),
        "{:?}",
        r.problems
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// (a) An organisation suspended, then its old sealed record (active) put back: it opened as
/// active, and `sitting` would have sealed papers for it.
#[test]
fn an_old_organisation_record_put_back_is_refused_at_open_and_by_audit_verify() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let key = format!("o/{SUZHOU}");
    let active = get(&f.cfg, &key);
    org::set_status(&f.cfg, SUZHOU, OrgStatus::Suspended, "考务违规").unwrap();
    let suspended = get(&f.cfg, &key);
    put(&f.cfg, &key, active);
    refused_as_rollback(&f.cfg, "o/");
    // the record as the vault wrote it opens again
    put(&f.cfg, &key, suspended);
    let v = f.cfg.open().unwrap();
    assert!(v.verify_audit().unwrap().problems.is_empty());
}

/// (b) The usage ledger deleted: a sitting the cooldown refused then went through.
#[test]
fn a_deleted_usage_ledger_is_refused_so_a_cooldown_refused_sitting_cannot_go_through() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let orgs: &[(&str, &[&str])] = &[(NANJING, &["6-31-01-03/5"])];
    let p1 = plan(&f, "T-R1", PAST, &["dg5-theory"], orgs);
    run(&f, &p1, "one");
    // the 五级 pool is too small for a second sitting under the blueprint's cooldown 2
    let p2 = plan(&f, "T-R2", PAST, &["dg5-theory"], orgs);
    let e = sitting::run(&f.cfg, &p2, &f.dir.join("two"), &Quiet).unwrap_err();
    assert_eq!(e.exit_code(), 3, "{e}");
    let ledger: Vec<Vec<u8>> = raw(&f.cfg, |kv| {
        kv.scan_prefix(b"u/")
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    });
    assert!(!ledger.is_empty());
    raw(&f.cfg, |kv| {
        kv.apply(ledger.iter().map(|k| (k.clone(), None)).collect())
            .unwrap()
    });
    refused_as_rollback(&f.cfg, "u/");
    let e = sitting::run(&f.cfg, &p2, &f.dir.join("two"), &Quiet).unwrap_err();
    assert!(matches!(e, Error::RolledBack(_)), "{e}");
    assert!(!f.dir.join("two").exists());
}

fn qbank(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_qbank"))
        .current_dir(dir)
        .env_remove("QBANK_PASSPHRASE")
        .env("QBANK_STORE", "store")
        .env("QBANK_KEY_FILE", "master.key")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn verify_with(dir: &Path, anchors: &[&PathBuf]) -> (i32, String) {
    let mut args = vec!["audit".to_string(), "verify".to_string()];
    for a in anchors {
        args.push("--anchor".into());
        args.push(a.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = qbank(dir, &args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// (c) and (d): the audit tail cut with the header put back, and a whole old copy of the store
/// restored. The first is refused at open (the records are not those the old header names); the
/// second verifies on its own, and is found by an anchor: the release issued after the copy names
/// an entry the restored log does not hold.
#[test]
fn a_cut_log_tail_or_a_restored_old_store_is_found_by_a_later_release_as_anchor() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let old_copy = f.dir.join("store-copy");
    copy_dir(&f.cfg.dir, &old_copy);
    let old_header = get(&f.cfg, "h");
    let old_head = f.cfg.open().unwrap().checkpoint().seq;
    let p = plan(
        &f,
        "T-ANCHOR",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-ANCHOR");
    let pkg = f.dir.join("sit/packages").join(format!("{NANJING}.qpkg"));
    // intact: both anchors agree
    let (code, out) = verify_with(&f.dir, &[&pkg, &rel]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("审计日志完整"), "{out}");
    assert!(out.contains("锚点一致：2 个"), "{out}");

    // (c) the header put back and the log cut to its head: refused at open
    let cut: Vec<Vec<u8>> = raw(&f.cfg, |kv| {
        kv.scan_prefix(b"a/")
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| {
                let seq: u64 = String::from_utf8_lossy(&k[2..]).parse().unwrap();
                seq > old_head
            })
            .collect()
    });
    assert!(!cut.is_empty());
    let saved: Vec<(Vec<u8>, Vec<u8>)> = raw(&f.cfg, |kv| {
        cut.iter()
            .map(|k| (k.clone(), kv.get(k).unwrap().unwrap()))
            .collect()
    });
    let new_header = get(&f.cfg, "h");
    raw(&f.cfg, |kv| {
        let mut b: Vec<_> = cut.iter().map(|k| (k.clone(), None)).collect();
        b.push((b"h".to_vec(), Some(old_header.clone())));
        kv.apply(b).unwrap()
    });
    refused_as_rollback(&f.cfg, "t/");
    let (code, out) = verify_with(&f.dir, &[&rel]);
    assert_eq!(code, 6, "{out}");
    raw(&f.cfg, |kv| {
        let mut b: Vec<_> = saved
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        b.push((b"h".to_vec(), Some(new_header.clone())));
        kv.apply(b).unwrap()
    });
    assert_eq!(verify_with(&f.dir, &[&rel]).0, 0);

    // (d) the whole store restored from the copy made before the sitting
    std::fs::remove_dir_all(&f.cfg.dir).unwrap();
    std::fs::rename(&old_copy, &f.cfg.dir).unwrap();
    let v = f.cfg.open().expect("an old copy of the whole store opens");
    assert!(
        v.verify_audit().unwrap().problems.is_empty(),
        "without an anchor the old copy verifies (stated in THREATS.md)"
    );
    assert!(
        v.get_record::<serde_json::Value>("t/T-ANCHOR")
            .unwrap()
            .is_none()
    );
    drop(v);
    let (code, out) = verify_with(&f.dir, &[&rel]);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("存储被回滚"), "{out}");
    assert!(out.contains("T-ANCHOR"), "{out}");
    // the package was sealed at the entry before the sitting's own: the copy still holds it,
    // so the package alone does not tell this rollback (the release does)
    let (code, out) = verify_with(&f.dir, &[&pkg]);
    assert_eq!(code, 0, "{out}");
    // a file not signed by this vault's bureau is no anchor
    let forged = f.dir.join("forged.json");
    std::fs::write(&forged, b"{}").unwrap();
    let (code, out) = verify_with(&f.dir, &[&forged]);
    assert_eq!(code, 6, "{out}");
}
