//! The bank screens itself: `check` and `import` report near-duplicate pairs inside an
//! occupation-level (unless marked `distinct`), the assembler never puts both items of a pair on
//! one form, and numeric options are reported when copies could shuffle them.

use crate::{copy_sample, new_store, sample_bank};
use qbank::model::{Entry, Level};
use qbank::ops::bankscreen::{NearPair, near_pairs};
use qbank::ops::{Quiet, StoreConfig, build, read_blueprints};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// Re-typed copies of sample 四级 items (the same question, new ids): re-punctuated, reworded by
/// a word, options reordered. Each is a near-duplicate of the item named in the comment.
const PLANTED: &str = r#"
[[item]]
id = "DG4-9001"   # DG4-0065
clause = "J.2.5"
type = "单选"
difficulty = "medium"
stem = "在金属容器内、锅炉内等特别危险场所使用的手持照明灯，电压不应超过（  ）。"
options = ["24 V", "12 V", "42 V", "36 V"]
answer = "B"

[[item]]
id = "DG4-9002"   # DG4-0101
clause = "2.1.1"
type = "单选"
difficulty = "easy"
stem = "在电动机控制电路中，热继电器主要用作（  ）保护。"
options = ["欠电压", "过载", "短路", "失电压"]
answer = "B"

[[item]]
id = "DG4-9003"   # DG4-0002
clause = "J.1.1"
type = "单选"
difficulty = "medium"
stem = "社会主义职业道德的核心是（ ）。"
options = ["爱岗敬业", "为人民服务", "集体主义", "诚实守信"]
answer = "B"
"#;

fn planted_bank(dir: &Path, distinct: bool) -> std::path::PathBuf {
    let bank = copy_sample(dir);
    let f = bank.join("6-31-01-03/theory-4-f5.toml");
    let mut text = std::fs::read_to_string(&f).unwrap();
    let mut planted = PLANTED.to_string();
    if distinct {
        planted = planted.replace(
            "id = \"DG4-9003\"   # DG4-0002",
            "id = \"DG4-9003\"\ndistinct = [\"DG4-0002\"]",
        );
    }
    text.push_str(&planted);
    std::fs::write(&f, text).unwrap();
    bank
}

fn pairs_of(cfg: &StoreConfig, level: u8) -> Vec<NearPair> {
    let v = cfg.open().unwrap();
    let index = v
        .index(None, Level::from_code(level).map(Into::into))
        .unwrap();
    let entries = v.entries(&index).unwrap();
    let items: Vec<&qbank::model::TheoryItem> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Item(i) => Some(i),
            _ => None,
        })
        .collect();
    near_pairs(&items)
}

#[test]
fn check_and_import_report_near_duplicate_pairs_and_distinct_silences_one() {
    let t = tempfile::tempdir().unwrap();
    let bank = planted_bank(t.path(), false);
    let r = qbank::ops::check(std::slice::from_ref(&bank)).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let near: Vec<&str> = r
        .warnings
        .iter()
        .filter(|w| w.message.contains("near-duplicate"))
        .map(|w| w.message.as_str())
        .collect();
    for (new, old) in [
        ("DG4-9001", "DG4-0065"),
        ("DG4-9002", "DG4-0101"),
        ("DG4-9003", "DG4-0002"),
    ] {
        assert!(
            near.iter()
                .any(|m| m.contains(&format!("{new}: near-duplicate of {old}"))),
            "{new}/{old} not reported: {near:?}"
        );
    }
    // the cleaned sample bank holds no pair, and names its file and line
    assert_eq!(near.len(), 3, "{near:?}");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.file.ends_with("theory-4-f5.toml") && w.line > 1)
    );
    // marked distinct: not reported
    let t2 = tempfile::tempdir().unwrap();
    let bank2 = planted_bank(t2.path(), true);
    let r2 = qbank::ops::check(std::slice::from_ref(&bank2)).unwrap();
    let near2 = r2
        .warnings
        .iter()
        .filter(|w| w.message.contains("near-duplicate"))
        .count();
    assert_eq!(near2, 2);
    // import reports the pairs against the items already in the store too
    let cfg = new_store(&t2.path().join("s"));
    qbank::ops::import(&cfg, &[sample_bank()], &Quiet).unwrap();
    let out = qbank::ops::import(
        &cfg,
        &[
            bank2.join("6-31-01-03/theory-4-f5.toml"),
            bank2.join("6-31-01-03/standard.toml"),
        ],
        &Quiet,
    )
    .unwrap();
    let near3: Vec<&str> = out
        .warnings
        .iter()
        .filter(|w| w.message.contains("near-duplicate"))
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(near3.len(), 2, "{near3:?}");
    assert!(
        near3
            .iter()
            .any(|m| m.contains("DG4-9002: near-duplicate of DG4-0101"))
    );
}

#[test]
fn the_sample_bank_has_no_near_duplicate_pair_left() {
    let r = qbank::ops::check(&[sample_bank()]).unwrap();
    let near: Vec<String> = r
        .warnings
        .iter()
        .filter(|w| w.message.contains("near-duplicate"))
        .map(|w| w.to_string())
        .collect();
    assert!(near.is_empty(), "{near:#?}");
}

#[test]
fn twenty_five_seeds_never_put_a_near_duplicate_pair_on_one_four_level_form() {
    let t = tempfile::tempdir().unwrap();
    let bank = planted_bank(t.path(), false);
    let cfg = new_store(&t.path().join("s"));
    qbank::ops::import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    let pairs = pairs_of(&cfg, 4);
    let planted: BTreeSet<(&str, &str)> =
        pairs.iter().map(|p| (p.a.as_str(), p.b.as_str())).collect();
    assert_eq!(
        planted,
        BTreeSet::from([
            ("DG4-0002", "DG4-9003"),
            ("DG4-0065", "DG4-9001"),
            ("DG4-0101", "DG4-9002"),
        ])
    );
    let v = cfg.open().unwrap();
    let standards = v.standards().unwrap();
    let bp = read_blueprints(
        &[bank.join("6-31-01-03/blueprint-theory-4.toml")],
        &standards,
    )
    .unwrap()
    .remove(0);
    let mut both_drawn = 0;
    for seed in 1..=25u64 {
        let built = build(&v, &standards, &bp, seed, &BTreeSet::new())
            .unwrap()
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        for f in &built.theory {
            let ids: HashSet<&str> = f.items.iter().map(|i| i.id.as_str()).collect();
            for p in &pairs {
                assert!(
                    !(ids.contains(p.a.as_str()) && ids.contains(p.b.as_str())),
                    "seed {seed} form {}: {} and {} on one form",
                    f.form,
                    p.a,
                    p.b
                );
            }
        }
        // both items of a pair still reach the sitting's papers, on different forms
        let all: HashSet<&str> = built
            .theory
            .iter()
            .flat_map(|f| f.items.iter().map(|i| i.id.as_str()))
            .collect();
        both_drawn += pairs
            .iter()
            .filter(|p| all.contains(p.a.as_str()) && all.contains(p.b.as_str()))
            .count();
    }
    assert!(
        both_drawn > 0,
        "the pairs were never tested: no seed drew both items"
    );
}
