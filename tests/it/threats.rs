//! The attacks of the security review (issue 11), each as a regression test: what an
//! organisation holding the public files, or someone reading the clear audit log or the output
//! folders, could learn or forge before the fixes.

use crate::sitting::{NANJING, PAST, SUZHOU, WUXI, fixture, plan, release, run, unseal};
use qbank::model::OrgStatus;
use qbank::ops::org;
use qbank::ops::sitting::SittingRecord;
use sha2::{Digest, Sha256};
use std::path::Path;

fn hex_sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Everything of a package readable without any key: its bytes before the ciphertext, as
/// text. (The whole file is scanned: the digests, if any, are hex in the clear manifest.)
fn clear_text(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

/// Attack 1: an organisation that saw a practical set's tasks in an earlier sitting enumerates
/// candidate `paper.json` files and matches them against the SHA-256 digests the clear manifest
/// listed. No digest of any document may be readable before the release, and the clear reports
/// of `sitting` name no drawn task or topic.
#[test]
fn clear_manifests_and_reports_give_away_no_document_digest_or_drawn_task() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-LEAK",
        PAST,
        &["dg4-theory", "dg4-practical"],
        &[(NANJING, &["6-31-01-03/4"]), (SUZHOU, &["6-31-01-03/4"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-LEAK");
    let opened = unseal(&f, "", NANJING, "sit", &rel, "opened").unwrap();
    let pkg = f.dir.join("sit/packages").join(format!("{NANJING}.qpkg"));
    let clear = clear_text(&pkg);
    let summary = std::fs::read_to_string(f.dir.join("sit/sitting.json")).unwrap();
    let docs = crate::files_under(&opened);
    assert!(docs.len() > 10);
    for (name, bytes) in &docs {
        if name == "package-manifest.json" {
            continue;
        }
        let d = hex_sha256(bytes);
        assert!(
            !clear.contains(&d),
            "the clear package names the digest of {name}"
        );
        assert!(
            !summary.contains(&d),
            "sitting.json names the digest of {name}"
        );
    }
    // the tasks drawn into the practical sets are named in no clear report
    let mut tasks = Vec::new();
    for (name, bytes) in &docs {
        if name.starts_with("dg4-practical") && name.ends_with("paper.json") {
            let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            for m in v["modules"].as_array().unwrap() {
                for t in m["tasks"].as_array().unwrap() {
                    tasks.push(t["id"].as_str().unwrap().to_string());
                }
            }
        }
    }
    assert!(!tasks.is_empty());
    for r in std::fs::read_dir(f.dir.join("sit/reports")).unwrap() {
        let r = r.unwrap().path();
        let text = std::fs::read_to_string(&r).unwrap();
        for id in &tasks {
            assert!(
                !text.contains(id.as_str()),
                "{} names drawn task {id}",
                r.display()
            );
        }
    }
}

/// Attack 2: copy permutations came from public values (the seed travels in every package's
/// form manifest), so Nanjing could compute Suzhou's copy, leak it and let `trace` name Suzhou.
#[test]
fn one_organisation_cannot_compute_another_organisations_copy() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-FRAME",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"]), (SUZHOU, &["6-31-01-03/5"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-FRAME");
    let opened = unseal(&f, "", NANJING, "sit", &rel, "opened").unwrap();
    // what Nanjing holds: its own copy (form shape, option counts) and the form manifest's seed
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(opened.join("dg5-theory/F01/form-manifest.json")).unwrap(),
    )
    .unwrap();
    let seed = manifest["seed"]
        .as_u64()
        .expect("the form manifest names its seed");
    let copies = qbank::ops::issued::issued(&f.cfg, "T-FRAME").unwrap();
    let own = copies.iter().find(|c| c.organisation == NANJING).unwrap();
    let victim = copies.iter().find(|c| c.organisation == SUZHOU).unwrap();
    let mut option_counts = vec![0; own.questions.len()];
    let mut sections = Vec::new();
    for q in &own.questions {
        option_counts[q.at] = q.options.len();
        if sections.len() <= q.section {
            sections.resize(q.section + 1, 0);
        }
        sections[q.section] += 1;
    }
    let guess = qbank::assemble::copy_plan_of(
        qbank::assemble::FIRST_ENGINE,
        seed,
        &["T-FRAME", SUZHOU, "dg5-theory", "1", "0"],
        &sections,
        &option_counts,
    );
    let actual: Vec<usize> = victim.questions.iter().map(|q| q.at).collect();
    assert_ne!(
        guess.order, actual,
        "Suzhou's copy is computable from public values"
    );
}

/// Attack 3: an organisation suspended after its sitting was sealed still opened its package at
/// the release. The release now leaves it out; `org suspend` names the sittings it affects.
#[test]
fn suspension_after_sealing_revokes_the_package_at_the_release() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-REVOKE",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"]), (SUZHOU, &["6-31-01-03/5"])],
    );
    run(&f, &p, "sit");
    let s = org::suspend(&f.cfg, SUZHOU, "考务违规").unwrap();
    assert_eq!(s.affected, vec!["T-REVOKE".to_string()]);
    let rel = release(&f, "T-REVOKE");
    let err = unseal(&f, "", SUZHOU, "sit", &rel, "suzhou").unwrap_err();
    assert_eq!(err.exit_code(), 5, "{err}");
    assert!(!f.dir.join("suzhou").exists());
    // the organisations still in good standing open theirs
    unseal(&f, "", NANJING, "sit", &rel, "nanjing").unwrap();
    // Wuxi takes no part: suspending it affects no sitting
    let w = org::suspend(&f.cfg, WUXI, "年检未通过").unwrap();
    assert!(w.affected.is_empty());
    // once released, nothing more is affected
    org::set_status(&f.cfg, NANJING, OrgStatus::Suspended, "x").unwrap();
}

/// Attack 7: the release key sat as a hex `String` in the sitting record, printed by `Debug`.
#[test]
fn the_sitting_record_prints_no_key_material() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-DEBUG",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-DEBUG");
    let rec: SittingRecord = f
        .cfg
        .open()
        .unwrap()
        .get_record("t/T-DEBUG")
        .unwrap()
        .unwrap();
    let printed = format!("{rec:?}");
    let key =
        qbank::package::keys::OrgSecret::read(&f.keys.join(format!("{NANJING}.key"))).unwrap();
    let bureau = qbank::package::keys::BureauPublic::read(&f.dir.join("sit/bureau.pub")).unwrap();
    let release =
        qbank::package::read_release(&std::fs::read_to_string(&rel).unwrap(), &bureau).unwrap();
    let k = release.key_for(&key).unwrap();
    assert!(
        !printed.contains(&hex::encode(k.as_ref())),
        "Debug prints the release key"
    );
    assert!(printed.contains("[redacted]"));
}

/// Attack 7: free-text reasons (one quoted a stem) were written into the clear audit log.
#[test]
fn reasons_for_revisions_and_suspensions_stay_out_of_the_clear_audit_log() {
    let t = tempfile::tempdir().unwrap();
    let cfg = crate::sample_store(t.path());
    let stem = "热继电器在电动机控制电路中主要用作（  ）保护。";
    qbank::ops::set_entry_status(
        &cfg,
        "DG4-0102",
        qbank::model::Status::Suspended,
        &format!("题干「{stem}」答案有误"),
    )
    .unwrap();
    let edited = t.path().join("edit.toml");
    std::fs::write(
        &edited,
        "format = 1\noccupation = \"6-31-01-03\"\nlevel = 4\n[[item]]\nid = \"DG4-0101\"\nclause = \"2.1.1\"\ntype = \"单选\"\ndifficulty = \"easy\"\np = 0.88\nstem = \"热继电器在电动机控制电路中主要用作（  ）保护。\"\noptions = [\"短路\", \"欠电压\", \"过载\", \"失电压\"]\nanswer = \"C\"\nexplanation = \"热继电器利用电流热效应，反时限动作，用于过载保护。\"\n",
    )
    .unwrap();
    qbank::ops::revise::revise(&cfg, "DG4-0101", &edited, &format!("原题干「{stem}」不清"))
        .unwrap();
    let log = serde_json::to_string(&cfg.open().unwrap().audit_entries().unwrap()).unwrap();
    assert!(
        !log.contains("热继电器"),
        "the clear audit log quotes the reason"
    );
    // the raw store holds it nowhere in clear either
    for (name, bytes) in crate::files_under(&cfg.dir) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("热继电器在电动机"),
            "{name}"
        );
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Attack 7: decrypted outputs were written 0644 in 0755 folders, readable by every local user.
#[cfg(unix)]
#[test]
fn decrypted_outputs_are_private_to_their_owner() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-MODES",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-MODES");
    let opened = unseal(&f, "", NANJING, "sit", &rel, "opened").unwrap();
    let exported = f.dir.join("exported");
    qbank::ops::export(&f.cfg, &exported, &qbank::ops::Quiet).unwrap();
    let papers = f.dir.join("papers");
    qbank::ops::assemble(
        &f.cfg,
        &[crate::sample_bank().join("6-31-01-03/blueprint-theory-4.toml")],
        7,
        None,
        &papers,
        false,
        &qbank::ops::Quiet,
    )
    .unwrap();
    for root in [&opened, &exported, &papers] {
        assert_eq!(mode(root), 0o700, "{}", root.display());
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    assert_eq!(mode(&p), 0o700, "{}", p.display());
                    stack.push(p);
                } else {
                    assert_eq!(mode(&p), 0o600, "{}", p.display());
                }
            }
        }
    }
}

/// Attack 7: an empty passphrase derived a guessable key; it is a key problem (exit 5) in the
/// library, not only in the CLI.
#[test]
fn an_empty_passphrase_is_refused_as_a_key_problem() {
    let t = tempfile::tempdir().unwrap();
    let cfg = qbank::ops::StoreConfig::new(
        t.path().join("store"),
        qbank::store::KeySource::Passphrase(zeroize::Zeroizing::new(String::new())),
    );
    let err = qbank::ops::init(&cfg).unwrap_err();
    assert_eq!(err.exit_code(), 5, "{err}");
    assert!(!cfg.dir.exists());
}

/// Every file name under `dir` (recursively), relative to it.
fn names_under(dir: &Path) -> Vec<String> {
    crate::files_under(dir)
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

/// Issue 14: an insider at an organisation (or anyone the papers release reached) opened the
/// answer keys together with the papers at the start and could pass answers to candidates during
/// the sitting. The papers release now opens only the papers section: no answer key is written
/// until the keys release, which is issued only from the keys time (default: the end) unless an
/// early reason is given (audited), and a papers release cannot be passed off as a keys release.
#[test]
fn an_insider_holding_the_papers_release_during_the_sitting_opens_no_answer_key() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-INSIDER",
        PAST,
        &["dg4-theory", "dg4-practical", "dg2-defence"],
        &[(WUXI, &["6-31-01-03/4", "6-31-01-03/2"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-INSIDER");
    let pkg = f.dir.join("sit/packages").join(format!("{WUXI}.qpkg"));
    let key = f.keys.join(format!("{WUXI}.key"));
    let bureau = f.dir.join("sit/bureau.pub");
    let open = |keys: Option<&Path>, to: &str| {
        qbank::ops::sitting::unseal_with(&pkg, &key, &rel, keys, Some(&bureau), &f.dir.join(to))
    };
    // the papers release alone: papers, marking sheets and defence sheets; no theory key
    let o = open(None, "papers").unwrap();
    assert!(!o.keys_opened);
    assert_eq!(o.keys_at.as_deref(), Some("2100-01-01T17:00:00+08:00"));
    let shut = o.keys_shut;
    assert!(
        shut > 9,
        "three theory keys of three files each, and the sets' key.json"
    );
    let names = names_under(&f.dir.join("papers"));
    assert!(
        !names
            .iter()
            .any(|n| n.rsplit('/').next().unwrap().starts_with("key.")),
        "{names:?}"
    );
    for form in ["F01", "F02", "F03"] {
        let d = format!("dg4-theory/{form}");
        assert!(names.contains(&format!("{d}/paper.html")), "{names:?}");
        for k in ["key.html", "key.md", "key.json"] {
            assert!(!names.contains(&format!("{d}/{k}")), "{d}/{k} opened early");
        }
    }
    for doc in [
        "dg4-practical/F01/marking.html",
        "dg4-practical/F01/tasks.html",
        "dg2-defence/F01/defence.html",
        "dg2-defence/F01/defence-key.html",
    ] {
        assert!(
            names.contains(&doc.to_string()),
            "{doc} is needed during the sitting"
        );
    }
    // the keys release before the keys time without a reason: refused, nothing issued
    let before = f.cfg.open().unwrap().audit_entries().unwrap().len();
    let keys_rel = f.dir.join("keys-release.json");
    let e = qbank::ops::sitting::release_keys(&f.cfg, "T-INSIDER", &keys_rel, None).unwrap_err();
    assert!(matches!(e, qbank::Error::TooEarly(_)), "{e}");
    assert!(e.to_string().contains("2100-01-01T17:00:00+08:00"), "{e}");
    assert!(!keys_rel.exists());
    assert_eq!(f.cfg.open().unwrap().audit_entries().unwrap().len(), before);
    // a papers release relabelled as a keys release (its stage edited, signature kept)
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rel).unwrap()).unwrap();
    let payload = file["payload"]
        .as_str()
        .unwrap()
        .replace("\"stage\":\"papers\"", "\"stage\":\"keys\"");
    assert!(payload.contains("\"stage\":\"keys\""));
    file["payload"] = payload.into();
    let relabelled = f.dir.join("relabelled.json");
    std::fs::write(&relabelled, file.to_string()).unwrap();
    let e = open(Some(&relabelled), "relabelled").unwrap_err();
    assert_eq!(e.exit_code(), 6, "{e}");
    assert!(!f.dir.join("relabelled").exists());
    // the papers release itself given as the keys release
    let e = open(Some(&rel), "twice").unwrap_err();
    assert_eq!(e.exit_code(), 6, "{e}");
    assert!(!f.dir.join("twice").exists());
    // an early keys release with a reason: issued, audited with its reason
    let r = qbank::ops::sitting::release_keys(&f.cfg, "T-INSIDER", &keys_rel, Some("考试提前结束"))
        .unwrap();
    assert!(r.early && !r.again);
    let last = f
        .cfg
        .open()
        .unwrap()
        .audit_entries()
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.op, "keys-release-early");
    assert_eq!(last.details["stage"], "keys");
    // the keys release alone, in place of the papers release, opens nothing
    let e = qbank::ops::sitting::unseal_with(
        &pkg,
        &key,
        &keys_rel,
        None,
        Some(&bureau),
        &f.dir.join("keys-only"),
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 6, "{e}");
    assert!(!f.dir.join("keys-only").exists());
    // both releases: the keys too
    let o = open(Some(&keys_rel), "both").unwrap();
    assert!(o.keys_opened && o.keys_shut == 0);
    let both = names_under(&f.dir.join("both"));
    for form in ["F01", "F02", "F03"] {
        for k in ["key.html", "key.md", "key.json"] {
            assert!(
                both.contains(&format!("dg4-theory/{form}/{k}")),
                "{form}/{k}"
            );
        }
    }
    assert_eq!(both.len(), names.len() + shut);
    assert!(both.contains(&"dg4-practical/F01/key.json".to_string()));
}

/// Suspension keeps revoking at the second stage: an organisation suspended after the papers
/// release is left out of the keys release, so its keys section stays shut; `org suspend` names
/// the sitting while its keys are unreleased.
#[test]
fn suspension_after_the_papers_release_withholds_the_keys() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-REVOKE2",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"]), (SUZHOU, &["6-31-01-03/5"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-REVOKE2");
    let s = org::suspend(&f.cfg, SUZHOU, "考务违规").unwrap();
    assert_eq!(s.affected, vec!["T-REVOKE2".to_string()]);
    let keys = crate::sitting::release_keys(&f, "T-REVOKE2");
    let text = std::fs::read_to_string(&keys).unwrap();
    assert!(text.contains(SUZHOU), "withheld names it");
    let e = unseal(&f, "", SUZHOU, "sit", &rel, "suzhou").unwrap_err();
    assert_eq!(e.exit_code(), 5, "{e}");
    assert!(!f.dir.join("suzhou").exists());
    // Nanjing opens both sections
    let n = unseal(&f, "", NANJING, "sit", &rel, "nanjing").unwrap();
    assert!(n.join("dg5-theory/F01/key.json").is_file());
    // once both are released, suspending affects nothing more
    let w = org::suspend(&f.cfg, NANJING, "x").unwrap();
    assert!(w.affected.is_empty(), "{:?}", w.affected);
}

/// The plan's `keys_release` sets the keys time (default: the end); one before the start is
/// refused with its line.
#[test]
fn a_plans_keys_release_time_governs_the_keys_release() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-KEYSAT",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"])],
    );
    let text = std::fs::read_to_string(&p).unwrap();
    let with = |at: &str| {
        text.replace(
            "end = 2100-01-01T17:00:00+08:00\n",
            &format!("end = 2100-01-01T17:00:00+08:00\nkeys_release = {at}\n"),
        )
    };
    std::fs::write(&p, with("2026-01-01T09:00:00+08:00")).unwrap();
    let e = qbank::ops::sitting::check(&f.cfg, &p).unwrap_err();
    assert!(
        e.to_string()
            .contains("keys_release must not be before start"),
        "{e}"
    );
    std::fs::write(&p, with("2026-01-10T12:00:00+08:00")).unwrap();
    run(&f, &p, "sit");
    release(&f, "T-KEYSAT");
    let keys_rel = f.dir.join("k.json");
    let r = qbank::ops::sitting::release_keys(&f.cfg, "T-KEYSAT", &keys_rel, None).unwrap();
    assert!(!r.early);
    let last = f
        .cfg
        .open()
        .unwrap()
        .audit_entries()
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.op, "keys-release");
    assert_eq!(last.details["keys_at"], "2026-01-10T12:00:00+08:00");
}
