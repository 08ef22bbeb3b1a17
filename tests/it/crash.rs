//! Crash safety: a process killed with SIGKILL in the middle of a large import leaves a store
//! that opens, with every acknowledged import present and the killed one all there or absent.

use crate::{new_store, sample_bank};
use qbank::ops::Quiet;
use qbank::store::KeySource;
use qbank::synth::SynthConfig;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn sigkill_during_a_large_import_loses_nothing_acknowledged() {
    let t = tempfile::tempdir().unwrap();
    let cfg = new_store(t.path());
    qbank::ops::import(&cfg, &[sample_bank()], &Quiet).unwrap(); // acknowledged
    let acknowledged = crate::digest(&cfg);
    let sample_index = cfg.open().unwrap().index(None, None).unwrap();
    let sample_count = sample_index.len();
    let sample_occupations: std::collections::BTreeSet<String> = sample_index
        .iter()
        .map(|e| e.occupation.as_str().to_string())
        .collect();
    let syn = t.path().join("syn");
    let syn_cfg = SynthConfig {
        items: 40_000,
        occupations: 4,
        tasks_per_level: 2,
        seed: 11,
    };
    qbank::ops::generate(&syn, &syn_cfg).unwrap();
    let syn_total = syn_cfg.items + syn_cfg.occupations * 5 * syn_cfg.tasks_per_level;
    let KeySource::File(key) = &cfg.key else {
        unreachable!()
    };

    let mut killed_mid_way = 0;
    for delay_ms in [150u64, 600, 1200, 2500, 5000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qbank"))
            .args([
                "--store",
                cfg.dir.to_str().unwrap(),
                "--key-file",
                key.to_str().unwrap(),
                "import",
            ])
            .arg(&syn)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL on unix
        child.wait().unwrap();

        let vault = cfg.open().expect("the store opens after SIGKILL");
        let index = vault.index(None, None).expect("the index reads");
        let syn_present = index.len() - sample_count;
        assert!(
            syn_present == 0 || syn_present == syn_total,
            "an import is all or nothing: {syn_present} of {syn_total}"
        );
        let sample: Vec<_> = index
            .iter()
            .filter(|e| sample_occupations.contains(e.occupation.as_str()))
            .cloned()
            .collect();
        assert_eq!(
            sample.len(),
            sample_count,
            "the acknowledged import is intact"
        );
        vault
            .entries(&sample)
            .expect("every acknowledged entry decrypts");
        if syn_present == 0 {
            assert_eq!(acknowledged, vault.digest().unwrap().to_string());
            if !finished {
                killed_mid_way += 1;
            }
        } else {
            break; // the import completed before the kill; nothing more to interrupt
        }
    }
    assert!(killed_mid_way >= 1, "at least one import was interrupted");
}

/// Copies a folder tree (a stopped store, its key and the organisations' keys).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let q = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &q);
        } else {
            std::fs::copy(&p, &q).unwrap();
        }
    }
}

fn qbank_at(dir: &std::path::Path, args: &[&str], abort_at: Option<&str>) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qbank"));
    c.current_dir(dir)
        .env_remove("QBANK_STORE")
        .env_remove("QBANK_KEY_FILE")
        .env_remove("QBANK_PASSPHRASE")
        .env_remove(qbank::ops::fault::VAR)
        .args(args);
    if let Some(at) = abort_at {
        c.env(qbank::ops::fault::VAR, at);
    }
    c.output().unwrap()
}

fn ok_at(dir: &std::path::Path, args: &[&str]) -> String {
    let o = qbank_at(dir, args, None);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{args:?}: {text}");
    text
}

/// What an organisation can read of a finished sitting in `dir`: the output's file names, the
/// reports, and every document of every package once released and unsealed (the packages'
/// bytes differ between runs only by their fresh encryption; what they hold must not).
fn sitting_contents(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let out = dir.join("out");
    let mut seen: Vec<(String, Vec<u8>)> = crate::files_under(&out)
        .into_iter()
        .map(|(name, bytes)| {
            let keep = name.starts_with("reports/") || name == "bureau.pub";
            (name, if keep { bytes } else { Vec::new() })
        })
        .collect();
    ok_at(
        dir,
        &[
            "release",
            "T-CRASH",
            "--out",
            "release.json",
            "--early-reason",
            "测试",
        ],
    );
    for org in ["S000032100001", "Y000132050002"] {
        let to = format!("opened-{org}");
        ok_at(
            dir,
            &[
                "unseal",
                &format!("out/packages/{org}.qpkg"),
                "--org-key",
                &format!("keys/{org}.key"),
                "--release",
                "release.json",
                "--bureau-key",
                "out/bureau.pub",
                "--out",
                &to,
            ],
        );
        seen.extend(
            crate::files_under(&dir.join(&to))
                .into_iter()
                .filter(|(n, _)| n != "package-manifest.json")
                .map(|(n, b)| (format!("{to}/{n}"), b)),
        );
    }
    seen
}

#[test]
fn a_sitting_aborted_at_each_step_is_completed_exactly_by_the_rerun() {
    let t = tempfile::tempdir().unwrap();
    let base = t.path().join("base");
    std::fs::create_dir_all(&base).unwrap();
    ok_at(
        &base,
        &["import", "--init", sample_bank().to_str().unwrap()],
    );
    for (id, kind, category) in [
        ("S000032100001", "S", "training"),
        ("Y000132050002", "Y", "enterprise"),
    ] {
        ok_at(&base, &["org", "keygen", "--id", id, "--out", "keys"]);
        ok_at(
            &base,
            &[
                "org",
                "add",
                "--id",
                id,
                "--name",
                "测试机构",
                "--kind",
                kind,
                "--category",
                category,
                "--region",
                "江苏省南京市",
                "--certify",
                "6-31-01-03:5",
                "--public-key",
                &format!("keys/{id}.pub"),
            ],
        );
    }
    crate::pin_cli(&base, &["S000032100001", "Y000132050002"]);
    std::fs::write(
        base.join("plan.toml"),
        format!(
            "format = 1\n[sitting]\nid = \"T-CRASH\"\ntitle = \"测试\"\nstart = 2099-06-01T09:00:00+08:00\nend = 2099-06-01T17:00:00+08:00\nseed = 5\nblueprints = [\"{}\"]\n[[paper]]\nblueprint = \"dg5-theory\"\n[[organisation]]\nid = \"S000032100001\"\nruns = [\"6-31-01-03/5\"]\n[[organisation]]\nid = \"Y000132050002\"\nruns = [\"6-31-01-03/5\"]\n",
            sample_bank().join("6-31-01-03").display()
        ),
    )
    .unwrap();
    let sitting = ["sitting", "plan.toml", "--out", "out"];

    // an uninterrupted run, from a copy of the same store
    let clean = t.path().join("clean");
    copy_tree(&base, &clean);
    ok_at(&clean, &sitting);
    // the log's length (its hashes differ: entries carry their times)
    let entries = |dir: &std::path::Path| {
        let v = ok_at(dir, &["audit", "verify"]);
        v.split('；').next().unwrap().to_string()
    };
    let audit_clean = entries(&clean);
    assert!(audit_clean.contains("审计日志完整"), "{audit_clean}");
    let want = sitting_contents(&clean);
    assert!(
        want.iter()
            .any(|(n, _)| n.ends_with("dg5-theory/F01/paper.html"))
    );

    for step in [
        "sitting:first-file",
        "sitting:files-written",
        "sitting:committed",
        "sitting:renamed",
    ] {
        let dir = t.path().join(step.replace(':', "-"));
        copy_tree(&base, &dir);
        let o = qbank_at(&dir, &sitting, Some(step));
        // killed there (by the signal, not an exit code): the fault point was reached
        assert_eq!(o.status.code(), None, "{step}: {:?}", o.status);
        let rerun = ok_at(&dir, &sitting);
        match step {
            "sitting:committed" => assert!(rerun.contains("尚未就位"), "{step}: {rerun}"),
            "sitting:renamed" => assert!(rerun.contains("此前已按此计划封装"), "{step}: {rerun}"),
            _ => assert!(!rerun.contains("此前已按此计划封装"), "{step}: {rerun}"),
        }
        assert!(
            !dir.join(".out.partial").exists(),
            "{step}: the hidden folder is gone"
        );
        // one sitting in the log, as after the uninterrupted run
        assert_eq!(entries(&dir), audit_clean, "{step}");
        // the same files, reports and documents outside the copies; each copy's own contents
        // come from the sitting's copy secret (a run that never committed draws a new one), so
        // they are checked against the record: every paper traces to its own copy
        let got = sitting_contents(&dir);
        assert_eq!(
            comparable(&got),
            comparable(&want),
            "{step}: output differs from an uninterrupted run"
        );
        for org in ["S000032100001", "Y000132050002"] {
            let paper = format!("opened-{org}/dg5-theory/F01/paper.md");
            assert!(got.iter().any(|(n, _)| *n == paper), "{step}: {paper}");
            let traced = ok_at(&dir, &["trace", &paper, "--sitting", "T-CRASH"]);
            assert!(
                traced.contains(&format!("{org}-dg5-theory-F01")),
                "{step}: {paper} does not trace to its copy: {traced}"
            );
        }
    }
}

/// What must not differ between two sittings of one plan whose copy secrets differ: every file
/// name, and the bytes of everything but the copies' documents.
fn comparable(seen: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    seen.iter()
        .map(|(n, b)| {
            let copy_doc = n.starts_with("opened-") && n.split('/').any(|p| p.starts_with('F'));
            (n.clone(), if copy_doc { Vec::new() } else { b.clone() })
        })
        .collect()
}
