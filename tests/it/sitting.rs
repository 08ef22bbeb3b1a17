//! Sittings end to end: the catalog gate, sealed packages and their refusals, per-organisation
//! copies, the release, leak tracing, the usage ledger and the audit log.

use crate::sample_store;
use qbank::Error;
use qbank::model::OrgStatus;
use qbank::ops::org;
use qbank::ops::sitting::{self, SittingOutcome};
use qbank::ops::{Quiet, StoreConfig};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub(crate) const NANJING: &str = "S000032100001"; // may certify 5, 4, 3
pub(crate) const SUZHOU: &str = "Y000132050002"; // may certify 5, 4 — not 3
pub(crate) const WUXI: &str = "S000032020003"; // may certify 5..1

pub(crate) struct Fixture {
    pub dir: PathBuf,
    pub cfg: StoreConfig,
    pub keys: PathBuf,
}

pub(crate) fn fixture(dir: &Path) -> Fixture {
    let cfg = sample_store(dir);
    let keys = dir.join("orgs");
    for (id, name, kind, scope) in [
        (NANJING, "南京金陵职业技能培训学校", "S", "6-31-01-03:5,4,3"),
        (SUZHOU, "苏州恒达电气设备有限公司", "Y", "6-31-01-03:5,4"),
        (WUXI, "无锡技师学院", "S", "6-31-01-03:5,4,3,2,1"),
    ] {
        crate::register(&cfg, &keys, id, name, kind, scope);
    }
    Fixture {
        dir: dir.to_path_buf(),
        cfg,
        keys,
    }
}

/// Writes a plan; `orgs` are (id, ["6-31-01-03/4", …]).
pub(crate) fn plan(
    f: &Fixture,
    id: &str,
    start: &str,
    papers: &[&str],
    orgs: &[(&str, &[&str])],
) -> PathBuf {
    let bps = crate::sample_bank().join("6-31-01-03");
    let mut s = format!(
        "format = 1\n[sitting]\nid = \"{id}\"\ntitle = \"测试批次\"\nstart = {start}\nend = 2100-01-01T17:00:00+08:00\nseed = 7\nblueprints = [\"{}\", \"{}\"]\n",
        bps.display(),
        f.dir.join("bp").display()
    );
    for p in papers {
        s += &format!("[[paper]]\nblueprint = \"{p}\"\n");
    }
    for (o, runs) in orgs {
        let runs: Vec<String> = runs.iter().map(|r| format!("\"{r}\"")).collect();
        s += &format!(
            "[[organisation]]\nid = \"{o}\"\nruns = [{}]\n",
            runs.join(", ")
        );
    }
    std::fs::create_dir_all(f.dir.join("bp")).unwrap();
    let p = f.dir.join(format!("{id}.toml"));
    std::fs::write(&p, s).unwrap();
    p
}

pub(crate) const PAST: &str = "2026-01-10T09:00:00+08:00";

fn audit_len(cfg: &StoreConfig) -> usize {
    cfg.open().unwrap().audit_entries().unwrap().len()
}

pub(crate) fn run(f: &Fixture, plan: &Path, name: &str) -> SittingOutcome {
    sitting::run(&f.cfg, plan, &f.dir.join(name), &Quiet).expect("sitting")
}

pub(crate) fn release(f: &Fixture, id: &str) -> PathBuf {
    let p = f.dir.join(format!("{id}.release.json"));
    sitting::release(&f.cfg, id, &p, None).expect("release");
    p
}

/// Issues the keys release of a sitting (early: the test plans end in 2100) beside its papers
/// release (`<id>.keys-release.json`), where `unseal` finds it.
pub(crate) fn release_keys(f: &Fixture, id: &str) -> PathBuf {
    let p = f.dir.join(format!("{id}.keys-release.json"));
    sitting::release_keys(&f.cfg, id, &p, Some("测试：答案提前开启")).expect("keys release");
    p
}

/// Opens a package with `release` and, when `release_keys` issued one beside it, the keys
/// release too.
pub(crate) fn unseal(
    f: &Fixture,
    out: &str,
    org: &str,
    sitting_dir: &str,
    release: &Path,
    to: &str,
) -> qbank::Result<PathBuf> {
    let to = f.dir.join(to);
    let sd = f.dir.join(sitting_dir);
    let _ = out;
    let keys = release.with_file_name(
        release
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .replace(".release.json", ".keys-release.json"),
    );
    sitting::unseal_with(
        &sd.join("packages").join(format!("{org}.qpkg")),
        &f.keys.join(format!("{org}.key")),
        release,
        keys.is_file().then_some(keys.as_path()),
        Some(&sd.join("bureau.pub")),
        &to,
    )?;
    Ok(to)
}

fn json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn the_catalog_gate_refuses_unregistered_and_suspended_organisations_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    org::set_status(&f.cfg, WUXI, OrgStatus::Suspended, "现场检查发现考务不规范").unwrap();
    let before = audit_len(&f.cfg);
    let p = plan(
        &f,
        "T-GATE",
        PAST,
        &["dg4-theory", "dg3-theory"],
        &[
            (NANJING, &["6-31-01-03/4", "6-31-01-03/3"]),
            (SUZHOU, &["6-31-01-03/4", "6-31-01-03/3"]),
            (WUXI, &["6-31-01-03/3"]),
        ],
    );
    let err = sitting::run(&f.cfg, &p, &f.dir.join("out"), &Quiet).unwrap_err();
    let Error::Invalid(d) = &err else {
        panic!("expected plan problems, got {err}")
    };
    let text = err.to_string();
    assert_eq!(d.len(), 2, "{text}");
    assert!(
        text.contains(&format!("organisation {SUZHOU} (苏州恒达电气设备有限公司) is not registered to certify 6-31-01-03 三级/高级工")),
        "{text}"
    );
    assert!(
        text.contains(&format!("organisation {WUXI} (无锡技师学院) is suspended")),
        "{text}"
    );
    assert!(text.contains("现场检查发现考务不规范"), "{text}");
    // each problem names the plan line of its organisation
    let plan_text = std::fs::read_to_string(&p).unwrap();
    for diag in d {
        let line = plan_text.lines().nth(diag.line - 1).unwrap();
        assert!(line.starts_with("[[organisation]]"), "{diag}");
    }
    assert!(!f.dir.join("out").exists());
    assert_eq!(audit_len(&f.cfg), before);
    assert!(sitting::list(&f.cfg).unwrap().is_empty());

    // fixed: Suzhou runs only 四级, Wuxi reinstated
    org::set_status(&f.cfg, WUXI, OrgStatus::Active, "整改完成").unwrap();
    let p = plan(
        &f,
        "T-GATE2",
        PAST,
        &["dg4-theory", "dg3-theory"],
        &[
            (NANJING, &["6-31-01-03/4", "6-31-01-03/3"]),
            (SUZHOU, &["6-31-01-03/4"]),
            (WUXI, &["6-31-01-03/3"]),
        ],
    );
    let r = run(&f, &p, "out");
    assert_eq!(r.packages.len(), 3);
    let copies: BTreeMap<&str, usize> = r
        .packages
        .iter()
        .map(|p| (p.organisation.as_str(), p.copies.len()))
        .collect();
    // 四级 has three forms, 三级 one: each organisation holds only its occupation-levels
    assert_eq!(copies[NANJING], 4);
    assert_eq!(copies[SUZHOU], 3);
    assert_eq!(copies[WUXI], 1);
    // the same plan again does nothing; a different plan under the same id is refused
    let again = sitting::run(&f.cfg, &p, &f.dir.join("out2"), &Quiet).unwrap();
    assert!(again.already);
    let n = audit_len(&f.cfg);
    let changed = std::fs::read_to_string(&p)
        .unwrap()
        .replace("seed = 7", "seed = 8");
    std::fs::write(&p, changed).unwrap();
    let err = sitting::run(&f.cfg, &p, &f.dir.join("out3"), &Quiet).unwrap_err();
    assert!(matches!(err, Error::Exists { .. }), "{err}");
    assert_eq!(audit_len(&f.cfg), n);
}

/// Option texts of the answer of question `n` in an unsealed copy.
fn answer_texts(copy_dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let paper = json(&copy_dir.join("paper.json"));
    let key = json(&copy_dir.join("key.json"));
    let answers: BTreeMap<u64, String> = key["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| Some((a["n"].as_u64()?, a["answer"].as_str()?.to_string())))
        .collect();
    let mut out = BTreeMap::new();
    for s in paper["sections"].as_array().unwrap() {
        for i in s["items"].as_array().unwrap() {
            let Some(opts) = i["options"].as_array().filter(|o| !o.is_empty()) else {
                continue;
            };
            let a = &answers[&i["n"].as_u64().unwrap()];
            let texts = a
                .bytes()
                .map(|c| opts[(c - b'A') as usize].as_str().unwrap().to_string())
                .collect();
            out.insert(i["id"].as_str().unwrap().to_string(), texts);
        }
    }
    out
}

fn print_order(copy_dir: &Path) -> Vec<(String, Vec<String>)> {
    let paper = json(&copy_dir.join("paper.json"));
    paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().clone())
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["options"]
                    .as_array()
                    .map(|o| o.iter().map(|x| x.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn organisations_open_distinct_permuted_copies_whose_keys_match() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-COPY",
        PAST,
        &["dg4-theory", "dg4-practical"],
        &[(NANJING, &["6-31-01-03/4"]), (SUZHOU, &["6-31-01-03/4"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-COPY");
    release_keys(&f, "T-COPY");
    let a = unseal(&f, "", NANJING, "sit", &rel, "a").unwrap();
    let b = unseal(&f, "", SUZHOU, "sit", &rel, "b").unwrap();
    for form in ["F01", "F02", "F03"] {
        let (ca, cb) = (
            a.join("dg4-theory").join(form),
            b.join("dg4-theory").join(form),
        );
        let (oa, ob) = (print_order(&ca), print_order(&cb));
        // same form: the same questions, in different orders, with options shuffled too
        let ids =
            |o: &[(String, Vec<String>)]| o.iter().map(|x| x.0.clone()).collect::<BTreeSet<_>>();
        assert_eq!(ids(&oa), ids(&ob));
        assert_eq!(oa.len(), 90);
        assert_ne!(
            oa.iter().map(|x| &x.0).collect::<Vec<_>>(),
            ob.iter().map(|x| &x.0).collect::<Vec<_>>()
        );
        let opts_b: BTreeMap<&String, &Vec<String>> = ob.iter().map(|(i, o)| (i, o)).collect();
        assert!(oa.iter().any(|(i, o)| !o.is_empty() && opts_b[i] != o));
        // every choice answer points at the same option texts in both copies
        let (ka, kb) = (answer_texts(&ca), answer_texts(&cb));
        assert_eq!(ka.len(), 70);
        assert_eq!(ka, kb);
        // printable documents for the copy, with the copy code
        let html = std::fs::read_to_string(ca.join("paper.html")).unwrap();
        assert_eq!(html.matches("class=\"q\"").count(), 90);
        assert!(html.contains(&format!("{NANJING}-dg4-theory-{form}")));
        assert!(ca.join("key.md").is_file() && ca.join("copy.json").is_file());
    }
    // practical sets: the three documents
    for doc in [
        "notice.html",
        "tasks.html",
        "marking.html",
        "notice.md",
        "tasks.md",
        "marking.md",
    ] {
        assert!(a.join("dg4-practical/F01").join(doc).is_file(), "{doc}");
    }
    // the same sitting opened twice gives the same documents (deterministic copies)
    let a2 = unseal(&f, "", NANJING, "sit", &rel, "a2").unwrap();
    assert_eq!(crate::files_under(&a), crate::files_under(&a2));
}

#[test]
fn unseal_refuses_wrong_keys_tampering_swaps_and_forged_or_missing_releases() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let future = "2099-01-10T09:00:00+08:00";
    let p1 = plan(
        &f,
        "T-ONE",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"]), (SUZHOU, &["6-31-01-03/5"])],
    );
    let p2 = plan(
        &f,
        "T-TWO",
        future,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"])],
    );
    run(&f, &p1, "one");
    let rel1 = release(&f, "T-ONE");
    // the demo bank's dg5 pool is too small for two sittings under cooldown 2; T-TWO uses a copy
    // of the blueprint without cooldown
    let bp =
        std::fs::read_to_string(crate::sample_bank().join("6-31-01-03/blueprint-theory-5.toml"))
            .unwrap()
            .replace("id = \"dg5-theory\"", "id = \"dg5-nocool\"")
            .replace("cooldown = 2", "cooldown = 0");
    std::fs::write(f.dir.join("bp/bp5.toml"), bp).unwrap();
    let p2text = std::fs::read_to_string(&p2)
        .unwrap()
        .replace("\"dg5-theory\"", "\"dg5-nocool\"");
    std::fs::write(&p2, p2text).unwrap();
    run(&f, &p2, "two");

    let pkg = f.dir.join("one/packages").join(format!("{NANJING}.qpkg"));
    let bureau = f.dir.join("one/bureau.pub");
    let key = f.keys.join(format!("{NANJING}.key"));
    let out = f.dir.join("opened");
    let try_open =
        |pkg: &Path, key: &Path, rel: &Path| sitting::unseal(pkg, key, rel, Some(&bureau), &out);

    // another organisation's key
    let e = try_open(&pkg, &f.keys.join(format!("{SUZHOU}.key")), &rel1).unwrap_err();
    // named by the package file, exiting as a key problem
    assert!(
        matches!(&e, Error::In { file, source } if file == &pkg && matches!(**source, Error::WrongOrgKey { .. })),
        "{e}"
    );
    assert_eq!(e.exit_code(), 5);
    // a key file claiming the right organisation but holding another key
    let impostor = f.dir.join("impostor");
    org::keygen(NANJING, &impostor).unwrap();
    crate::pin(&f.cfg, &impostor, NANJING);
    let e = try_open(&pkg, &impostor.join(format!("{NANJING}.key")), &rel1).unwrap_err();
    assert!(matches!(e, Error::PackageKey(_)), "{e}");
    assert!(e.to_string().contains("私钥不符或发布文件被改动"), "{e}");
    // a flipped byte: in the content, and in the manifest
    let bytes = std::fs::read(&pkg).unwrap();
    for at in [bytes.len() - 1, bytes.len() / 2, 40] {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        let tampered = f.dir.join("tampered.qpkg");
        std::fs::write(&tampered, &b).unwrap();
        let e = try_open(&tampered, &key, &rel1).unwrap_err();
        assert!(
            matches!(e, Error::PackageRefused(_) | Error::PackageKey(_)),
            "byte {at}: {e}"
        );
    }
    // the manifest of another package (same organisation, another sitting), with its release
    let rel2 = f.dir.join("two.release.json");
    let e = sitting::release(&f.cfg, "T-TWO", &rel2, None).unwrap_err();
    assert!(matches!(e, Error::TooEarly(_)), "{e}");
    assert!(
        e.to_string()
            .contains("starts at 2099-01-10T09:00:00+08:00"),
        "{e}"
    );
    assert!(!rel2.exists());
    let n = audit_len(&f.cfg);
    sitting::release(&f.cfg, "T-TWO", &rel2, Some("演练：提前发布")).unwrap();
    let last = f
        .cfg
        .open()
        .unwrap()
        .audit_entries()
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.op.as_str(), audit_len(&f.cfg)),
        ("release-early", n + 1)
    );
    assert_eq!(last.details["reason"], "演练：提前发布");
    let pkg2 = std::fs::read(f.dir.join("two/packages").join(format!("{NANJING}.qpkg"))).unwrap();
    let split = |b: &[u8]| {
        let m = b"QBANK-PACKAGE/2\n".len();
        let n = u32::from_be_bytes(b[m..m + 4].try_into().unwrap()) as usize;
        m + 4 + n + 64
    };
    let mut swapped = pkg2[..split(&pkg2)].to_vec();
    swapped.extend_from_slice(&bytes[split(&bytes)..]);
    let sw = f.dir.join("swapped.qpkg");
    std::fs::write(&sw, &swapped).unwrap();
    let e = try_open(&sw, &key, &rel2).unwrap_err();
    assert!(
        matches!(e, Error::PackageKey(_) | Error::PackageRefused(_)),
        "{e}"
    );
    // a release of another sitting
    let e = try_open(&pkg, &key, &rel2).unwrap_err();
    assert!(
        e.to_string().contains("the release is for sitting T-TWO"),
        "{e}"
    );
    // a forged release: edited payload, and one signed by another bureau
    let text = std::fs::read_to_string(&rel1).unwrap();
    let forged = f.dir.join("forged.json");
    std::fs::write(&forged, text.replace("T-ONE", "T-ONE ")).unwrap();
    let e = try_open(&pkg, &key, &forged).unwrap_err();
    assert!(e.to_string().contains("not signed by the bureau"), "{e}");
    let other = sample_store(&f.dir.join("other-bureau"));
    let theirs =
        qbank::package::read_release(&text, &f.cfg.open().unwrap().bureau_public().unwrap())
            .unwrap();
    let resigned =
        qbank::package::sign_release(&theirs, other.open().unwrap().bureau_key().unwrap());
    std::fs::write(&forged, resigned).unwrap();
    let e = try_open(&pkg, &key, &forged).unwrap_err();
    assert!(e.to_string().contains("not signed by the bureau"), "{e}");
    // none of the refusals wrote anything
    assert!(!out.exists());
    // and the genuine package, key and release open
    try_open(&pkg, &key, &rel1).unwrap();
    assert!(out.join("dg5-theory/F01/paper.html").is_file());
}

fn retype(s: &str) -> String {
    s.replace('（', "(")
        .replace('）', ")")
        .replace('，', ",")
        .replace('。', ".")
        .replace('、', ",")
        .replace('：', ":")
        .replace(' ', "")
}

#[test]
fn trace_names_the_copy_a_retyped_twelve_question_fragment_comes_from() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-TRACE",
        PAST,
        &["dg4-theory"],
        &[
            (NANJING, &["6-31-01-03/4"]),
            (SUZHOU, &["6-31-01-03/4"]),
            (WUXI, &["6-31-01-03/4"]),
        ],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-TRACE");
    let opened = unseal(&f, "", SUZHOU, "sit", &rel, "s").unwrap();
    let paper = json(&opened.join("dg4-theory/F02/paper.json"));
    let items: Vec<Value> = paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().clone())
        .collect();
    // twelve consecutive questions, re-typed: half-width punctuation, other numbering and labels
    let mut leak = String::from("网传2026年11月电工四级理论题（部分）\n");
    for (k, i) in items[30..42].iter().enumerate() {
        leak += &format!("第{}题 {}\n", k + 1, retype(i["stem"].as_str().unwrap()));
        for (j, o) in i["options"].as_array().into_iter().flatten().enumerate() {
            leak += &format!(
                "({}) {}   ",
                (b'a' + j as u8) as char,
                retype(o.as_str().unwrap())
            );
        }
        leak += "\n";
    }
    let (searched, r) = sitting::trace_leak(&f.cfg, &leak, &[]).unwrap();
    assert_eq!(searched, vec!["T-TRACE"]);
    assert_eq!(r.found.len(), 12, "{:?}", r.found);
    assert_eq!(
        r.consistent,
        vec![format!("{SUZHOU}-dg4-theory-F02")],
        "{:#?}",
        &r.ranking[..2]
    );
    let best = &r.ranking[0];
    assert_eq!(best.positions, (31..=42).collect::<Vec<usize>>());
    // the other organisations' copies of the same form hold the questions in another order
    for m in &r.ranking[1..] {
        assert!(!m.consistent);
    }
}

#[test]
fn later_sittings_honour_cooldown_and_exposure_limits_from_the_ledger() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    // a small 五级 paper (30 of the 135 items) with cooldown 1 and at most 2 exposures
    std::fs::create_dir_all(f.dir.join("bp")).unwrap();
    std::fs::write(
        f.dir.join("bp/mini.toml"),
        "format = 1\n[blueprint]\nid = \"dg5-mini\"\noccupation = \"6-31-01-03\"\nlevel = 5\nkind = \"theory\"\nminutes = 60\nforms = 1\ncooldown = 1\nmax_exposures = 2\n[[section]]\ntype = \"单选\"\ncount = 20\npoints = 3\n[[section]]\ntype = \"判断\"\ncount = 10\npoints = 4\n",
    )
    .unwrap();
    let mut used: Vec<BTreeSet<String>> = Vec::new();
    for (n, id) in ["T-L1", "T-L2", "T-L3"].iter().enumerate() {
        let p = plan(&f, id, PAST, &["dg5-mini"], &[(NANJING, &["6-31-01-03/5"])]);
        run(&f, &p, &format!("s{n}"));
        let rel = release(&f, id);
        let o = unseal(&f, "", NANJING, &format!("s{n}"), &rel, &format!("o{n}")).unwrap();
        let m = json(&o.join("dg5-mini/F01/form-manifest.json"));
        let items: BTreeSet<String> = m["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x[0].as_str().unwrap().to_string())
            .collect();
        let excluded: BTreeSet<String> = m["excluded"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        assert_eq!(items.len(), 30);
        assert!(items.is_disjoint(&excluded));
        if n > 0 {
            // cooldown 1: nothing of the sitting before
            assert!(
                items.is_disjoint(&used[n - 1]),
                "sitting {id} reuses items of the last one"
            );
            assert!(used[n - 1].is_subset(&excluded));
        }
        used.push(items);
    }
    // exposure limit 2: an item used in sittings 1 and 3 is never drawn again, even after its
    // cooldown has passed
    let twice: BTreeSet<String> = used[0].intersection(&used[2]).cloned().collect();
    let v = f.cfg.open().unwrap();
    let bp = qbank::ops::read_blueprints(&[f.dir.join("bp/mini.toml")], &v.standards().unwrap())
        .unwrap();
    let ex = sitting::exclusions(&v, &bp[0]).unwrap();
    assert!(twice.is_subset(&ex));
    assert!(used[2].is_subset(&ex)); // cooldown
    let once_only: BTreeSet<&String> = used[1]
        .difference(&used[0])
        .filter(|i| !used[2].contains(*i))
        .collect();
    assert!(
        once_only.iter().all(|i| !ex.contains(*i)),
        "items used once, outside the cooldown, stay available"
    );
}

#[test]
fn audit_verify_catches_edited_removed_and_reordered_entries() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let v = f.cfg.open().unwrap();
    let r = v.verify_audit().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // init, import, three org-add
    let ops: Vec<String> = v
        .audit_entries()
        .unwrap()
        .into_iter()
        .map(|e| e.op)
        .collect();
    assert_eq!(ops, ["init", "import", "org-add", "org-add", "org-add"]);
    let kv = v.engine();
    let key = |n: u64| format!("a/{n:012}").into_bytes();
    let orig3 = kv.get(&key(3)).unwrap().unwrap();
    let orig4 = kv.get(&key(4)).unwrap().unwrap();
    let problems = |kv: &dyn qbank::store::Kv| {
        let _ = kv;
        v.verify_audit().unwrap().problems.join("\n")
    };
    // edited: another organisation id in entry 3
    let edited = String::from_utf8(orig3.clone())
        .unwrap()
        .replace(NANJING, "S000032999999");
    kv.apply(vec![(key(3), Some(edited.into_bytes()))]).unwrap();
    let p = problems(kv);
    assert!(
        p.contains("a/000000000003: content does not match its hash (the entry was edited)"),
        "{p}"
    );
    // removed
    kv.apply(vec![(key(3), None)]).unwrap();
    let p = problems(kv);
    assert!(
        p.contains("a/000000000004: entry 4 where 3 was expected"),
        "{p}"
    );
    // reordered: entries 3 and 4 swapped
    kv.apply(vec![
        (key(3), Some(orig4.clone())),
        (key(4), Some(orig3.clone())),
    ])
    .unwrap();
    let p = problems(kv);
    assert!(p.contains("a/000000000003: holds entry 4 (moved)"), "{p}");
    // the tail cut off
    kv.apply(vec![
        (key(3), Some(orig3)),
        (key(4), Some(orig4)),
        (key(5), None),
    ])
    .unwrap();
    let p = problems(kv);
    assert!(p.contains("entries at the end were removed"), "{p}");
}

#[test]
fn the_catalog_is_published_with_the_bureau_key_and_no_bank_content() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    org::set_status(&f.cfg, SUZHOU, OrgStatus::Suspended, "退出").unwrap();
    let out = f.dir.join("catalog");
    let r = org::publish(&f.cfg, &out).unwrap();
    assert_eq!(r.organisations, 3);
    let c = json(&out.join("catalog.json"));
    let rows = c["organisations"].as_array().unwrap();
    let suzhou = rows.iter().find(|o| o["id"] == SUZHOU).unwrap();
    assert_eq!(suzhou["status"], "暂停");
    let csv = std::fs::read_to_string(out.join("catalog.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.contains("6-31-01-03: 三级/高级工 四级/中级工 五级/初级工"));
    let html = std::fs::read_to_string(out.join("catalog.html")).unwrap();
    assert_eq!(html.matches("<tr").count(), 4);
    // the published bureau key verifies what the vault signs
    let pk = qbank::package::keys::BureauPublic::read(&out.join("bureau.pub")).unwrap();
    assert_eq!(pk, f.cfg.open().unwrap().bureau_public().unwrap());
}

/// RFC 9180 Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode. The
/// RFC's appendix has no AES-256-GCM vector for X25519; this one checks the KEM, the key
/// derivation and the key schedule our suite shares with it, through the same crate API.
#[test]
fn hpke_matches_rfc9180_test_vectors() {
    use hpke::{Deserializable, Kem, Serializable};
    type K = hpke::kem::X25519HkdfSha256;
    let h = |s: &str| hex::decode(s).unwrap();
    let (sk, pk) = K::derive_keypair(&h(
        "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
    ));
    // the crate keeps X25519 secrets clamped (RFC 7748); the RFC prints them unclamped
    let mut sk_rfc = h("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
    sk_rfc[0] &= 248;
    sk_rfc[31] = (sk_rfc[31] & 127) | 64;
    assert_eq!(sk.to_bytes().to_vec(), sk_rfc);
    assert_eq!(
        pk.to_bytes().to_vec(),
        h("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d")
    );
    let (_, pk_e) = K::derive_keypair(&h(
        "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
    ));
    let enc_bytes = h("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
    assert_eq!(pk_e.to_bytes().to_vec(), enc_bytes);
    let enc = <K as Kem>::EncappedKey::from_bytes(&enc_bytes).unwrap();
    let mut ctx = hpke::setup_receiver::<hpke::aead::AesGcm128, hpke::kdf::HkdfSha256, K>(
        &hpke::OpModeR::Base,
        &sk,
        &enc,
        &h("4f6465206f6e2061204772656369616e2055726e"),
    )
    .unwrap();
    let pt = ctx
        .open(
            &h("f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a"),
            &h("436f756e742d30"),
        )
        .unwrap();
    assert_eq!(
        pt,
        h("4265617574792069732074727574682c20747275746820626561757479")
    );
}

#[test]
fn technicians_get_defence_topic_sheets() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-DEF",
        PAST,
        &["dg2-defence"],
        &[(WUXI, &["6-31-01-03/2"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-DEF");
    let o = unseal(&f, "", WUXI, "sit", &rel, "o").unwrap();
    for form in ["F01", "F02"] {
        let dir = o.join("dg2-defence").join(form);
        let html = std::fs::read_to_string(dir.join("defence.html")).unwrap();
        // one sheet per topic; the examiners' 参考要点 in their own document
        assert_eq!(html.matches("class=\"topic\"").count(), 2, "{form}");
        assert!(!html.contains("参考要点"));
        let key = std::fs::read_to_string(dir.join("defence-key.html")).unwrap();
        assert!(key.contains("参考要点"));
        assert!(dir.join("defence.md").is_file() && dir.join("defence-key.md").is_file());
        // a 综合评审 set has no task documents
        assert!(!dir.join("tasks.html").exists() && !dir.join("marking.html").exists());
    }
}

#[test]
fn a_sitting_stopped_between_its_commit_and_its_rename_is_completed_by_the_rerun() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-RERUN",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"])],
    );
    let first = run(&f, &p, "out");
    let want = crate::files_under(&f.dir.join("out"));
    // as if the run had been killed after its commit, before the final rename
    std::fs::rename(f.dir.join("out"), f.dir.join(".out.partial")).unwrap();
    let again = run(&f, &p, "out");
    assert!(again.already && again.completed);
    assert_eq!(crate::files_under(&f.dir.join("out")), want);
    assert!(!f.dir.join(".out.partial").exists());
    assert_eq!(again.packages.len(), first.packages.len());
    // a second rerun, with the folder in place, changes nothing
    let third = run(&f, &p, "out");
    assert!(third.already && !third.completed);
    assert_eq!(crate::files_under(&f.dir.join("out")), want);
}

/// A plan for one 3-form 四级 paper run by NANJING, with `paper_extra` lines under `[[paper]]`.
fn dg4_plan(f: &Fixture, id: &str, seed: u64, paper_extra: &str) -> PathBuf {
    let bps = crate::sample_bank().join("6-31-01-03");
    let s = format!(
        "format = 1\n[sitting]\nid = \"{id}\"\ntitle = \"测试批次\"\nstart = {PAST}\nend = 2100-01-01T17:00:00+08:00\nseed = {seed}\nblueprints = [\"{}\"]\n[[paper]]\nblueprint = \"dg4-theory\"\n{paper_extra}\n[[organisation]]\nid = \"{NANJING}\"\nruns = [\"6-31-01-03/4\"]\n",
        bps.display()
    );
    let p = f.dir.join(format!("{id}.toml"));
    std::fs::write(&p, s).unwrap();
    p
}

const RELAX: &str =
    "cooldown = 1\ncooldown_reason = \"本月连续三次考试，经鉴定中心批准冷却期放宽为1次\"";

#[test]
fn copies_keep_fixed_order_options_in_place() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-FIXED",
        PAST,
        &["dg4-theory"],
        &[(NANJING, &["6-31-01-03/4"]), (SUZHOU, &["6-31-01-03/4"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-FIXED");
    let v = f.cfg.open().unwrap();
    let (mut fixed, mut shuffled) = (0, 0);
    for (org, to) in [(NANJING, "a"), (SUZHOU, "b")] {
        let o = unseal(&f, "", org, "sit", &rel, to).unwrap();
        for form in ["F01", "F02", "F03"] {
            let paper = json(&o.join("dg4-theory").join(form).join("paper.json"));
            for sec in paper["sections"].as_array().unwrap() {
                for q in sec["items"].as_array().unwrap() {
                    let id = q["id"].as_str().unwrap();
                    let version = q["version"].as_u64().unwrap() as u32;
                    let qbank::model::Entry::Item(item) = v.entry(id, Some(version)).unwrap()
                    else {
                        panic!("{id} is not a theory item")
                    };
                    let printed: Vec<String> = q["options"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap().to_string())
                        .collect();
                    if item.fixed_order {
                        fixed += 1;
                        assert_eq!(printed, item.options, "{org} {form} {id}: options moved");
                    } else if !item.options.is_empty() && printed != item.options {
                        shuffled += 1;
                    }
                }
            }
        }
    }
    assert!(fixed > 0, "no fixed_order item was drawn");
    assert!(shuffled > 0, "the other options were not shuffled");
}

#[test]
fn three_consecutive_four_level_sittings_assemble_with_the_cooldown_relaxed_to_one() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let mut used: Vec<BTreeSet<String>> = Vec::new();
    for n in 1..=3u64 {
        let id = format!("T-SEQ{n}");
        let p = dg4_plan(&f, &id, 100 + n, RELAX);
        let c = sitting::check(&f.cfg, &p).unwrap();
        assert_eq!(c.papers[0].cooldown, 1);
        assert_eq!(c.papers[0].blueprint_cooldown, 2);
        let s = c.papers[0].sustain.as_ref().unwrap();
        assert_eq!(s.sittings, None, "{}", s.words());
        run(&f, &p, &format!("s{n}"));
        let rel = release(&f, &id);
        let o = unseal(&f, "", NANJING, &format!("s{n}"), &rel, &format!("o{n}")).unwrap();
        let mut items = BTreeSet::new();
        for form in ["F01", "F02", "F03"] {
            let m = json(&o.join("dg4-theory").join(form).join("form-manifest.json"));
            assert_eq!(m["blueprint"]["cooldown"], 1);
            items.extend(
                m["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x[0].as_str().unwrap().to_string()),
            );
        }
        if let Some(last) = used.last() {
            assert!(items.is_disjoint(last), "{id} reuses the sitting before");
        }
        used.push(items);
    }
    // the relaxation and its reason are in each sitting's audit entry
    let audit = f.cfg.open().unwrap().audit_entries().unwrap();
    let relaxed: Vec<&Value> = audit
        .iter()
        .filter(|e| e.op == "sitting")
        .map(|e| &e.details["cooldown_relaxed"][0])
        .collect();
    assert_eq!(relaxed.len(), 3);
    for r in relaxed {
        assert_eq!(r["blueprint"], "dg4-theory");
        assert_eq!(r["cooldown"], 1);
        assert_eq!(r["blueprint_cooldown"], 2);
        assert!(r["reason"].as_str().unwrap().contains("鉴定中心批准"));
    }
}

#[test]
fn a_relaxed_cooldown_needs_a_reason_shortens_and_is_one_paper_only() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let refused = |name: &str, extra: &str, want: &str| {
        let p = dg4_plan(&f, name, 1, extra);
        let before = audit_len(&f.cfg);
        match sitting::run(&f.cfg, &p, &f.dir.join(name), &Quiet) {
            Err(Error::Invalid(d)) => assert!(
                d.iter().any(|d| d.message.contains(want) && d.line > 0),
                "{name}: {d:?}"
            ),
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(audit_len(&f.cfg), before);
    };
    refused("T-NOREASON", "cooldown = 1", "needs cooldown_reason");
    refused(
        "T-NOTSHORTER",
        "cooldown = 2\ncooldown_reason = \"x\"",
        "does not relax",
    );
    refused(
        "T-TWO",
        &format!("{RELAX}\n[[paper]]\nblueprint = \"dg5-theory\"\n{RELAX}"),
        "only one paper",
    );
}

#[test]
fn status_counts_the_sittings_each_blueprint_sustains_before_and_after_the_supplement() {
    let t = tempfile::tempdir().unwrap();
    let bps = crate::sample_bank().join("6-31-01-03");
    let dg4 = |cfg: &StoreConfig| {
        qbank::ops::status(cfg, 3, std::slice::from_ref(&bps), None)
            .unwrap()
            .sittings
            .into_iter()
            .find(|s| s.blueprint == "dg4-theory")
            .unwrap()
    };
    let now = sample_store(&t.path().join("now"));
    let s = dg4(&now);
    assert_eq!(
        (s.cooldown, s.sittings, s.disjoint),
        (2, Some(2), 2),
        "{}",
        s.words()
    );
    // the bank before the 四级 supplement: one sitting, then nothing under cooldown 2
    let before = crate::copy_sample(&t.path().join("b"));
    std::fs::remove_file(before.join("6-31-01-03/theory-4-more.toml")).unwrap();
    let cfg = crate::new_store(&t.path().join("before"));
    qbank::ops::import(&cfg, &[before], &Quiet).unwrap();
    let s = dg4(&cfg);
    assert_eq!((s.sittings, s.disjoint), (Some(1), 1), "{}", s.words());
    assert!(s.words().contains("至多连续 1 次"));
}
