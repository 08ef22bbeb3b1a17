//! Assembly: golden papers from fixed seeds, thread-count independence, hard constraints over
//! many seeds, infeasibility diagnoses, and verify against a changed bank.

use crate::{copy_sample, digest, sample_bank, sample_store};
use qbank::Error;
use qbank::assemble::{TaskCandidate, TopicCandidate, assemble_practical};
use qbank::model::{Blueprint, BlueprintKind, Choice, Level, ModuleRule, Status};
use qbank::ops::{Built, Quiet, StoreConfig, build, read_blueprints};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const SEED: u64 = 20261128;

fn blueprints_dir() -> PathBuf {
    sample_bank().join("6-31-01-03")
}

/// Every blueprint of the sample bank: 电工 (6-31-01-03) and 车工 (6-18-01-01).
fn sample_blueprints(cfg: &StoreConfig) -> Vec<Blueprint> {
    let vault = cfg.open().unwrap();
    let dirs = [blueprints_dir(), sample_bank().join("6-18-01-01")];
    read_blueprints(&dirs, &vault.standards().unwrap()).unwrap()
}

fn built(cfg: &StoreConfig, bp: &Blueprint, seed: u64, excluded: &BTreeSet<String>) -> Built {
    let vault = cfg.open().unwrap();
    let standards = vault.standards().unwrap();
    build(&vault, &standards, bp, seed, excluded)
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A compact, reviewable text of what a blueprint built: one line per item or task.
fn golden_text(b: &Built) -> String {
    let mut s = format!("blueprint {} seed {SEED}\n", b.blueprint.id);
    for f in &b.theory {
        s += &format!("form {} mean_p {:.4}\n", f.form, f.mean_p());
        for i in &f.items {
            s += &format!(
                "  {} v{} {} {} {} {} {:?}\n",
                i.id,
                i.version,
                i.clause,
                i.item_type,
                i.points,
                i.difficulty.as_str(),
                i.importance
            );
        }
    }
    for f in &b.practical {
        s += &format!("set {} minutes {}\n", f.form, f.minutes);
        for m in &f.modules {
            for t in &m.tasks {
                s += &format!(
                    "  module {} {} {} points: {} v{} ({} min)\n",
                    m.function, m.choice, m.points, t.id, t.version, t.minutes
                );
            }
        }
        for (id, v) in &f.defence {
            s += &format!("  defence {id} v{v}\n");
        }
    }
    s
}

#[test]
fn golden_papers_from_a_fixed_seed_do_not_drift() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden");
    let bless = std::env::var("QBANK_BLESS").is_ok_and(|v| v == "1");
    let mut drift = Vec::new();
    for bp in sample_blueprints(&cfg) {
        let text = golden_text(&built(&cfg, &bp, SEED, &BTreeSet::new()));
        let file = dir.join(format!("{}.txt", bp.id));
        if bless {
            std::fs::write(&file, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&file).unwrap_or_else(|_| {
            panic!("missing golden {}; run with QBANK_BLESS=1", file.display())
        });
        if want != text {
            let first = want
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            drift.push(format!(
                "{}: first difference at line {}:\n  want {}\n  got  {}",
                bp.id,
                first + 1,
                want.lines().nth(first).unwrap_or(""),
                text.lines().nth(first).unwrap_or("")
            ));
        }
    }
    assert!(
        drift.is_empty(),
        "assembly output changed (a determinism break, or an intended change: re-bless with QBANK_BLESS=1):\n{}",
        drift.join("\n")
    );
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let qbank::store::KeySource::File(key) = &cfg.key else {
        unreachable!()
    };
    let run = |threads: &str, out: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_qbank"))
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "--store",
                cfg.dir.to_str().unwrap(),
                "--key-file",
                key.to_str().unwrap(),
                "assemble",
                "--seed",
                "7",
                "--out",
            ])
            .arg(t.path().join(out))
            .arg(blueprints_dir())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        crate::files_under(&t.path().join(out))
    };
    let one = run("1", "one");
    let four = run("4", "four");
    assert!(one.len() >= 20, "every form wrote paper, key and manifest");
    assert_eq!(one, four);
}

/// Every hard constraint, checked on one built theory blueprint.
fn check_theory(
    b: &Built,
    pool: &HashMap<String, (Status, Option<String>, qbank::model::Grade)>,
    excluded: &BTreeSet<String>,
) {
    let BlueprintKind::Theory { sections, .. } = &b.blueprint.kind else {
        unreachable!()
    };
    let n: usize = sections.iter().map(|s| s.count as usize).sum();
    let limit = (b.blueprint.max_overlap * n as f64 + 1e-9).floor() as usize;
    for f in &b.theory {
        for (k, s) in sections.iter().enumerate() {
            assert_eq!(
                f.items
                    .iter()
                    .filter(|i| i.section == k && i.item_type == s.item_type)
                    .count(),
                s.count as usize
            );
        }
        assert!((f.items.iter().map(|i| i.points).sum::<f64>() - 100.0).abs() < 1e-9);
        let ids: HashSet<&str> = f.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), n, "no item twice");
        let mut enemies = HashSet::new();
        for i in &f.items {
            let (status, enemy, level) = &pool[&i.id];
            assert_eq!(*status, Status::Active);
            assert_eq!(*level, b.blueprint.level);
            assert!(!excluded.contains(&i.id), "cooldown");
            if let Some(e) = enemy {
                assert!(
                    enemies.insert(e.clone()),
                    "enemy group {e} twice in form {}",
                    f.form
                );
            }
        }
    }
    let m = qbank::assemble::overlap_matrix(&b.theory);
    for (a, row) in m.iter().enumerate() {
        for (c, &k) in row.iter().enumerate() {
            assert!(
                a == c || k <= limit,
                "forms {a} and {c} share {k} > {limit}"
            );
        }
    }
}

#[test]
fn hard_constraints_hold_on_many_seeds_with_cooldown_and_status_changes() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    // suspend a few items and retire one, so status matters
    let f = bank.join("6-31-01-03/theory-4-f2.toml");
    let text = std::fs::read_to_string(&f).unwrap();
    let text = text
        .replacen(
            "id = \"DG4-0105\"",
            "id = \"DG4-0105\"\nstatus = \"suspended\"",
            1,
        )
        .replacen(
            "id = \"DG4-0150\"",
            "id = \"DG4-0150\"\nstatus = \"retired\"",
            1,
        );
    std::fs::write(&f, text).unwrap();
    let cfg = crate::new_store(&t.path().join("s"));
    qbank::ops::import(&cfg, &[bank], &Quiet).unwrap();
    let vault = cfg.open().unwrap();
    let pool: HashMap<String, (Status, Option<String>, qbank::model::Grade)> = vault
        .index(None, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.id.clone(), (e.status, e.meta.enemy.clone(), e.level)))
        .collect();
    drop(vault);
    let bp = sample_blueprints(&cfg)
        .into_iter()
        .find(|b| b.id == "dg4-theory")
        .unwrap();
    let ids: Vec<&String> = pool.keys().filter(|k| k.starts_with("DG4-0")).collect();
    for seed in 0..25u64 {
        // a different tenth of the bank cooled down each time
        let excluded: BTreeSet<String> = ids
            .iter()
            .filter(|id| {
                (id.len() as u64 + seed + id.bytes().map(u64::from).sum::<u64>()).is_multiple_of(10)
            })
            .map(|s| s.to_string())
            .collect();
        let b = built(&cfg, &bp, seed, &excluded);
        check_theory(&b, &pool, &excluded);
        assert!(b.theory.iter().all(|f| {
            f.items
                .iter()
                .all(|i| i.id != "DG4-0105" && i.id != "DG4-0150")
        }));
        let means: Vec<f64> = b.theory.iter().map(|f| f.mean_p()).collect();
        let spread = means.iter().cloned().fold(f64::MIN, f64::max)
            - means.iter().cloned().fold(f64::MAX, f64::min);
        assert!(
            spread <= 0.02,
            "seed {seed}: forms are parallel within 0.02 (spread {spread})"
        );
    }
}

#[test]
fn the_allocation_matches_the_weight_table_exactly_for_the_sample_levels() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    for bp in sample_blueprints(&cfg)
        .into_iter()
        .filter(|b| b.is_theory())
    {
        let b = built(&cfg, &bp, SEED, &BTreeSet::new());
        let a = b.allocation.as_ref().unwrap();
        for r in &a.rows {
            assert_eq!(
                r.points,
                f64::from(r.weight),
                "{} row {}: points {} vs weight {}",
                bp.id,
                r.row,
                r.points,
                r.weight
            );
        }
    }
}

fn write_blueprint(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("format = 1\n{body}")).unwrap();
    p
}

#[test]
fn infeasible_blueprints_get_a_diagnosis_and_no_papers() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(&t.path().join("s"));
    let cases = [
        (
            "[blueprint]\nid = \"too-many-multi\"\noccupation = \"6-31-01-03\"\nlevel = 4\nkind = \"theory\"\nminutes = 90\n[[section]]\ntype = \"多选\"\ncount = 100\npoints = 1\n",
            "section 多选 needs 100 items; the bank has only ",
        ),
        (
            "[blueprint]\nid = \"disjoint\"\noccupation = \"6-31-01-03\"\nlevel = 5\nkind = \"theory\"\nminutes = 90\nforms = 3\nmax_overlap = 0.0\n[[section]]\ntype = \"单选\"\ncount = 80\npoints = 1\n[[section]]\ntype = \"判断\"\ncount = 20\npoints = 1\n",
            "proof: 3 forms must share at least ",
        ),
        (
            "[blueprint]\nid = \"short\"\noccupation = \"6-31-01-03\"\nlevel = 4\nkind = \"practical\"\nminutes = 100\n",
            "even the shortest eligible tasks take 270 minutes in all, over the limit of 100 minutes",
        ),
        (
            "[blueprint]\nid = \"no-site\"\noccupation = \"6-31-01-03\"\nlevel = 5\nkind = \"practical\"\nminutes = 600\nsite = [\"万用表\"]\n",
            "others need equipment the site lacks",
        ),
    ];
    for (i, (body, expect)) in cases.iter().enumerate() {
        let bp = write_blueprint(t.path(), &format!("bp{i}.toml"), body);
        let out = t.path().join(format!("out{i}"));
        match qbank::ops::assemble(&cfg, &[bp], 1, None, &out, false, &Quiet) {
            Err(Error::Infeasible(v)) => {
                let text = v.iter().map(|x| x.to_string()).collect::<String>();
                assert!(
                    text.contains(expect),
                    "case {i}: expected `{expect}` in:\n{text}"
                );
            }
            other => panic!(
                "case {i}: expected a diagnosis, got {:?}",
                other.map(|o| o.out)
            ),
        }
        assert!(
            !out.exists(),
            "nothing is written when a blueprint cannot be met"
        );
    }
}

#[test]
fn verify_says_identical_then_detects_a_changed_bank_and_an_edited_paper() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let cfg = crate::new_store(&t.path().join("s"));
    qbank::ops::import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    let out = t.path().join("papers");
    let bp = blueprints_dir().join("blueprint-theory-4.toml");
    qbank::ops::assemble(&cfg, &[bp], SEED, None, &out, false, &Quiet).unwrap();
    let v = qbank::ops::verify(&cfg, &out).unwrap();
    assert_eq!(v.len(), 3);
    assert!(v.iter().all(|v| v.identical), "{v:?}");

    // edit a paper on disk
    let paper = out.join("dg4-theory/form-02/paper.json");
    let text = std::fs::read_to_string(&paper).unwrap();
    std::fs::write(
        &paper,
        text.replacen("\"points\": 1.0", "\"points\": 2.0", 1),
    )
    .unwrap();
    let v = qbank::ops::verify(&cfg, &paper).unwrap();
    assert_eq!(v.len(), 1);
    assert!(
        !v[0].identical
            && v[0]
                .differences
                .iter()
                .any(|d| d.contains("paper.json on disk differs")),
        "{v:?}"
    );

    // change an item that form 1 uses, in the bank
    let manifest: qbank::ops::Manifest = serde_json::from_slice(
        &std::fs::read(out.join("dg4-theory/form-01/manifest.json")).unwrap(),
    )
    .unwrap();
    let used = manifest
        .items
        .iter()
        .map(|(id, _)| id.clone())
        .find(|id| id.starts_with("DG4-01"))
        .unwrap();
    let f = bank.join("6-31-01-03/theory-4-f2.toml");
    let text = std::fs::read_to_string(&f).unwrap();
    let at = text.find(&format!("id = \"{used}\"")).unwrap();
    let stem_at = at + text[at..].find("stem = \"").unwrap() + "stem = \"".len();
    let mut changed = text.clone();
    changed.insert_str(stem_at, "（修订）");
    std::fs::write(&f, changed).unwrap();
    let before = digest(&cfg);
    qbank::ops::import(&cfg, &[bank], &Quiet).unwrap();
    assert_ne!(before, digest(&cfg));
    let v = qbank::ops::verify(&cfg, &out.join("dg4-theory/form-01")).unwrap();
    assert!(!v[0].identical);
    assert!(
        v[0].differences
            .iter()
            .any(|d| d.contains("the bank changed")),
        "{v:?}"
    );
    // but the paper is still genuine: it is exactly what its recorded (old) versions render to,
    // and the edited paper of form 2 is not
    assert!(v[0].genuine, "{v:?}");
    let v = qbank::ops::verify(&cfg, &paper).unwrap();
    assert!(!v[0].genuine && !v[0].identical, "{v:?}");
}

/// `field` removed from the object at `at` (a JSON pointer) of the JSON file `path`, or set to `to`.
fn break_field(path: &Path, at: &str, field: &str, to: Option<serde_json::Value>) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let obj = v.pointer_mut(at).and_then(|o| o.as_object_mut()).unwrap();
    match to {
        None => assert!(
            obj.remove(field).is_some(),
            "{at}/{field} in {}",
            path.display()
        ),
        Some(x) => {
            obj.insert(field.into(), x);
        }
    }
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

#[test]
fn verify_refuses_a_paper_key_practical_or_defence_set_missing_a_field_by_file_and_field() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let cfg = crate::new_store(&t.path().join("s"));
    qbank::ops::import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    let out = t.path().join("papers");
    let bps: Vec<PathBuf> = [
        "blueprint-theory-4.toml",
        "blueprint-practical-4.toml",
        "blueprint-defence-2.toml",
    ]
    .iter()
    .map(|b| blueprints_dir().join(b))
    .collect();
    qbank::ops::assemble(&cfg, &bps, SEED, Some(1), &out, false, &Quiet).unwrap();
    let v = qbank::ops::verify(&cfg, &out).unwrap();
    assert!(v.iter().all(|v| v.identical), "{v:?}");
    // (file, pointer, field, replacement or removal, the field path the refusal names)
    let cases: [(&str, &str, &str, Option<serde_json::Value>, &str); 7] = [
        (
            "dg4-theory/form-01/paper.json",
            "/sections/0/items/3",
            "version",
            None,
            "sections[0].items[3].version",
        ),
        (
            "dg4-theory/form-01/paper.json",
            "/sections/1/items/0",
            "points",
            Some(serde_json::json!("一分")),
            "sections[1].items[0].points",
        ),
        (
            "dg4-theory/form-01/key.json",
            "/answers/5",
            "answer",
            None,
            "answers[5].answer",
        ),
        (
            "dg4-practical/form-01/paper.json",
            "/modules/0/tasks/0",
            "site",
            None,
            "modules[0].tasks[0].site",
        ),
        (
            "dg4-practical/form-01/key.json",
            "/marking/0/rubric/0",
            "marks",
            Some(serde_json::json!(null)),
            "marking[0].rubric[0].marks",
        ),
        (
            "dg4-practical/form-01/key.json",
            "/marking/0",
            "task_points",
            None,
            "marking[0].task_points",
        ),
        (
            "dg2-defence/form-01/paper.json",
            "/defence/0",
            "topic",
            None,
            "defence[0].topic",
        ),
    ];
    for (file, at, field, to, want) in cases {
        let path = out.join(file);
        let good = std::fs::read(&path).unwrap();
        break_field(&path, at, field, to);
        let v = qbank::ops::verify(&cfg, &path).unwrap();
        assert_eq!(v.len(), 1);
        let named = format!("{}: not a valid", path.display());
        assert!(
            !v[0].identical
                && !v[0].genuine
                && v[0]
                    .differences
                    .iter()
                    .any(|d| d.starts_with(&named) && d.contains(&format!("field `{want}`"))),
            "{file}: {v:?}"
        );
        std::fs::write(&path, good).unwrap();
    }
    // put back, every form verifies again
    let v = qbank::ops::verify(&cfg, &out).unwrap();
    assert!(
        v.iter().all(|v| v.identical && v.differences.is_empty()),
        "{v:?}"
    );
}

#[test]
fn defence_topics_are_drawn_for_technicians_spread_over_modules() {
    let files = qbank::ops::read_bank_files(&[sample_bank()]).unwrap();
    let (bank, _) = qbank::bankfile::check(&files, &[]);
    let std = crate::dg_standard(&bank);
    let topics: Vec<TopicCandidate> = bank
        .entries
        .iter()
        .filter_map(|e| match &e.value {
            qbank::model::Entry::Defence(d) if d.level == Level::from_code(2).unwrap() => {
                Some(TopicCandidate {
                    id: d.id.clone(),
                    version: d.version,
                    module: d.module.clone(),
                    status: d.status,
                })
            }
            _ => None,
        })
        .collect();
    assert!(topics.len() >= 3);
    let task = |id: &str, module: &str, minutes: u32| TaskCandidate {
        id: id.into(),
        version: 1,
        modules: vec![module.into()],
        minutes,
        points: 100.0,
        work_types: vec!["维修电工".into()],
        site: vec![],
        status: Status::Active,
    };
    let tasks = vec![
        task("T1", "5", 90),
        task("T2", "7", 60),
        task("T3", "7", 60),
        task("T4", "5", 120),
    ];
    let bp = Blueprint {
        id: "dg2-practical".into(),
        occupation: std.occupation.code.clone(),
        level: Level::from_code(2).unwrap().into(),
        minutes: 240,
        forms: 1,
        max_overlap: 1.0,
        cooldown: 0,
        max_exposures: None,
        overlay: None,
        kind: BlueprintKind::Practical {
            modules: vec![
                ModuleRule {
                    function: "5".into(),
                    choice: Choice::Compulsory,
                },
                ModuleRule {
                    function: "7".into(),
                    choice: Choice::OneOf(2),
                },
            ],
            site: None,
            talent: None,
            defence_topics: 2,
        },
    };
    let forms = assemble_practical(std, &bp, &tasks, &topics, &BTreeSet::new(), 3).unwrap();
    let f = &forms[0];
    assert_eq!(f.defence.len(), 2);
    let modules: HashSet<&str> = f
        .defence
        .iter()
        .map(|(id, _)| topics.iter().find(|t| &t.id == id).unwrap().module.as_str())
        .collect();
    assert_eq!(modules.len(), 2, "two topics from two different modules");
    assert_eq!(f.modules.iter().map(|m| m.points).sum::<f64>(), 100.0);
    assert_eq!(
        (f.modules[0].points, f.modules[1].points),
        (63.0, 37.0),
        "25 : 15 scaled to 100, largest remainder"
    );
    assert_eq!(f.modules[1].tasks.len(), 2, "二选一 carries both tasks");
    assert!(f.minutes <= 240);
}
