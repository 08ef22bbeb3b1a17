//! 专项职业能力考核规范 (a standard kind with no levels): the sample `banks/S3200001` checks clean,
//! its entries and blueprint carry no level, a catalog scope and a plan name the code alone, the
//! rendered documents say 专项职业能力考核 and no level, and export → import keeps the digest.

use qbank::bankfile;
use qbank::model::{Entry, Grade, parse_occupation_level, parse_scope};
use qbank::ops::{Quiet, sitting};
use std::path::{Path, PathBuf};

const CODE: &str = "S3200001";
const ORG: &str = "S000032100009";

fn sample() -> PathBuf {
    crate::sample_bank().join(CODE)
}

#[test]
fn the_sample_special_ability_checks_clean_and_nothing_in_it_has_a_level() {
    let files = qbank::ops::read_bank_files(&[sample()]).unwrap();
    let (bank, problems) = bankfile::check(&files, &[]);
    assert!(problems.is_empty(), "{problems:?}");
    let std = &bank.standards[0].value;
    assert!(std.is_unleveled() && std.occupation.levels.is_empty());
    assert!(std.occupation.code.is_special() && std.occupation.code_edition.is_none());
    assert_eq!(std.grades(), vec![Grade::Unleveled]);
    assert!(
        std.requirements
            .as_deref()
            .is_some_and(|r| r.contains("操作技能考核"))
    );
    let tasks: Vec<_> = bank
        .entries
        .iter()
        .filter_map(|e| match &e.value {
            Entry::Task(t) => Some(t),
            _ => None,
        })
        .collect();
    assert!(tasks.len() >= 4, "at least four practical tasks");
    for t in &tasks {
        assert_eq!(t.level, Grade::Unleveled, "{}", t.id);
        let sum: f64 = t.rubric.iter().map(|r| r.points).sum();
        assert!((sum - t.points).abs() < 1e-9, "{}: rubric adds up", t.id);
        assert!(!t.site.is_empty() && t.minutes > 0, "{}", t.id);
        // an unleveled entry serialises (and so hashes) without any level field
        let json = serde_json::to_value(t).unwrap();
        assert!(json.get("level").is_none(), "{}", t.id);
    }
    assert_eq!(bank.blueprints.len(), 1);
    assert_eq!(bank.blueprints[0].value.level, Grade::Unleveled);
}

#[test]
fn scopes_and_plans_name_a_special_ability_by_its_code_alone() {
    let (occ, grades) = parse_scope(CODE).unwrap();
    assert_eq!((occ.as_str(), grades), (CODE, vec![Grade::Unleveled]));
    assert!(
        parse_scope("S3200001:4").is_none(),
        "a special ability has no levels"
    );
    assert!(
        parse_scope("6-31-01-03").is_none(),
        "a 大典 occupation needs its levels"
    );
    assert_eq!(
        parse_occupation_level(CODE).map(|(_, g)| g),
        Some(Grade::Unleveled)
    );
    assert!(parse_occupation_level("S3200001/4").is_none());
    assert!(parse_occupation_level("6-31-01-03").is_none());
}

fn plan(dir: &Path, runs: &str) -> PathBuf {
    let p = dir.join("plan.toml");
    let text = format!(
        "format = 1\n[sitting]\nid = \"T-ZX\"\ntitle = \"2026年12月江苏省专项职业能力考核（电动自行车维修）\"\n\
         start = 2026-01-10T09:00:00+08:00\nend = 2100-01-01T17:00:00+08:00\nseed = 11\n\
         blueprints = [\"{}\"]\n[[paper]]\nblueprint = \"ddz-practical\"\n\
         [[organisation]]\nid = \"{ORG}\"\nruns = [\"{runs}\"]\n",
        sample().display()
    );
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn an_unleveled_sitting_is_certified_sealed_and_rendered_as_zhuanxiang_without_level_words() {
    let t = tempfile::tempdir().unwrap();
    let cfg = crate::new_store(&t.path().join("s"));
    qbank::ops::import(&cfg, &[sample()], &Quiet).unwrap();
    let keys = t.path().join("orgs");
    crate::register(&cfg, &keys, ORG, "常州电动自行车维修培训学校", "S", CODE);

    // a plan naming a level for the special ability does not parse
    let bad = plan(t.path(), "S3200001/4");
    assert!(sitting::run(&cfg, &bad, &t.path().join("bad"), &Quiet).is_err());

    let p = plan(t.path(), CODE);
    let out = t.path().join("sit");
    sitting::run(&cfg, &p, &out, &Quiet).expect("sitting");
    let rel = t.path().join("rel.json");
    sitting::release(&cfg, "T-ZX", &rel, None).expect("release");
    let open = t.path().join("open");
    sitting::unseal(
        &out.join("packages").join(format!("{ORG}.qpkg")),
        &keys.join(format!("{ORG}.key")),
        &rel,
        Some(&out.join("bureau.pub")),
        &open,
    )
    .expect("unseal");

    let docs: Vec<(String, Vec<u8>)> = crate::files_under(&open);
    let printed: Vec<&(String, Vec<u8>)> = docs
        .iter()
        .filter(|(p, _)| p.ends_with(".md") || p.ends_with(".html"))
        .collect();
    // notice, tasks and marking sheet of each of the two forms, in HTML and Markdown
    assert_eq!(
        printed.len(),
        12,
        "{:?}",
        docs.iter().map(|d| &d.0).collect::<Vec<_>>()
    );
    for (path, bytes) in printed {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains("专项职业能力考核"),
            "{path} says 专项职业能力考核"
        );
        for word in [
            "五级",
            "四级",
            "三级",
            "二级",
            "一级",
            "初级工",
            "中级工",
            "高级工",
            "技师",
            "等级认定",
        ] {
            assert!(!text.contains(word), "{path} prints the level word {word}");
        }
    }
    let paper: serde_json::Value =
        serde_json::from_slice(&std::fs::read(open.join("ddz-practical/F01/paper.json")).unwrap())
            .unwrap();
    assert_eq!(paper["level"], serde_json::Value::Null);
    assert_eq!(paper["level_name"], "专项职业能力考核");
}

#[test]
fn export_then_import_of_a_special_ability_keeps_the_bank_digest() {
    let t = tempfile::tempdir().unwrap();
    let cfg = crate::new_store(&t.path().join("a"));
    qbank::ops::import(&cfg, &[sample()], &Quiet).unwrap();
    let exported = t.path().join("export");
    qbank::ops::export(&cfg, &exported, &Quiet).unwrap();
    let std = std::fs::read_to_string(exported.join(CODE).join("standard.toml")).unwrap();
    assert!(
        !std.contains("levels") && !std.contains("code_edition"),
        "{std}"
    );
    let again = crate::new_store(&t.path().join("b"));
    qbank::ops::import(&again, std::slice::from_ref(&exported), &Quiet).unwrap();
    assert_eq!(crate::digest(&cfg), crate::digest(&again));
    // and the exported files check clean, with no level in the entry file
    let files = qbank::ops::read_bank_files(&[exported]).unwrap();
    let (_, problems) = bankfile::check(&files, &[]);
    assert!(problems.is_empty(), "{problems:?}");
}
