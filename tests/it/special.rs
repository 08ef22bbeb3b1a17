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
    plan_for(dir, runs, &sample(), "ddz-practical")
}

fn plan_for(dir: &Path, runs: &str, blueprints: &Path, paper: &str) -> PathBuf {
    let p = dir.join("plan.toml");
    let text = format!(
        "format = 1\n[sitting]\nid = \"T-ZX\"\ntitle = \"2026年12月江苏省专项职业能力考核（电动自行车维修）\"\n\
         start = 2026-01-10T09:00:00+08:00\nend = 2100-01-01T17:00:00+08:00\nseed = 11\n\
         blueprints = [\"{}\"]\n[[paper]]\nblueprint = \"{paper}\"\n\
         [[organisation]]\nid = \"{ORG}\"\nruns = [\"{runs}\"]\n",
        blueprints.display()
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

    let open = sit_and_open(&cfg, t.path(), &keys, &plan(t.path(), CODE));
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
    no_level_words(&printed);
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

/// Runs the plan, releases it and unseals the organisation's package; returns the opened folder.
fn sit_and_open(cfg: &qbank::ops::StoreConfig, dir: &Path, keys: &Path, plan: &Path) -> PathBuf {
    let out = dir.join("sit");
    sitting::run(cfg, plan, &out, &Quiet).expect("sitting");
    let rel = dir.join("rel.json");
    sitting::release(cfg, "T-ZX", &rel, None).expect("release");
    let keys_rel = dir.join("keys-rel.json");
    sitting::release_keys(cfg, "T-ZX", &keys_rel, Some("测试")).expect("keys release");
    let open = dir.join("open");
    sitting::unseal_with(
        &out.join("packages").join(format!("{ORG}.qpkg")),
        &keys.join(format!("{ORG}.key")),
        &rel,
        Some(&keys_rel),
        Some(&out.join("bureau.pub")),
        &open,
    )
    .expect("unseal");
    open
}

/// Every printed document says 专项职业能力考核 and no level word.
fn no_level_words(printed: &[&(String, Vec<u8>)]) {
    const LEVEL_WORDS: [&str; 10] = [
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
    ];
    for (path, bytes) in printed {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains("专项职业能力考核"),
            "{path} says 专项职业能力考核"
        );
        for word in LEVEL_WORDS {
            assert!(!text.contains(word), "{path} prints the level word {word}");
        }
    }
}

/// A short theory part (some 专项职业能力 have one): twelve 判断 items without a level.
const THEORY_ITEMS: [(&str, &str, &str); 12] = [
    (
        "2.1.1",
        "由4只12 V铅酸蓄电池串联组成的电池组，标称电压为48 V。",
        "√",
    ),
    (
        "2.1.1",
        "更换电池组中的落后电池时，新电池与其余电池的开路电压差越大越好。",
        "×",
    ),
    (
        "2.1.1",
        "用万用表测量蓄电池端电压时，应选用直流电压挡。",
        "√",
    ),
    (
        "2.1.2",
        "铅酸蓄电池充电应在通风良好的地方进行，不得在楼道内充电。",
        "√",
    ),
    (
        "2.1.2",
        "充电器与蓄电池只要插头能插上，不同电压的可以混用。",
        "×",
    ),
    (
        "2.2.1",
        "无刷直流电机的霍尔元件用于检测转子磁极的位置。",
        "√",
    ),
    (
        "2.2.1",
        "无刷直流电机的一只霍尔元件损坏，电机可能出现抖动、不转或起步无力。",
        "√",
    ),
    (
        "2.2.1",
        "更换霍尔元件时，安装方向可以任意，不影响电机换相。",
        "×",
    ),
    ("2.2.2", "霍尔式转把的信号电压随转把转角增大而升高。", "√"),
    (
        "2.2.2",
        "低电平刹车断电方式的控制器，捏下闸把时刹车信号线对地变为高电平。",
        "×",
    ),
    ("2.2.3", "拔插控制器插接件前应先关闭电门锁。", "√"),
    (
        "2.2.3",
        "查找线路故障时，可用螺丝刀短接控制器电源端子判断是否有电。",
        "×",
    ),
];

/// The sample standard with a theory weight table, the items above and a theory blueprint, both
/// without a level.
fn theory_bank(dir: &Path) -> PathBuf {
    let bank = dir.join("bank").join(CODE);
    std::fs::create_dir_all(&bank).unwrap();
    let std = std::fs::read_to_string(sample().join("standard.toml")).unwrap();
    let std = std.replacen(
        "[weights]\n",
        "[weights]\n\n[[weights.theory]]\nrow = \"2\"\nvalues = [100]\n",
        1,
    );
    std::fs::write(bank.join("standard.toml"), std).unwrap();
    let mut items = format!("format = 1\noccupation = \"{CODE}\"\n");
    for (i, (clause, stem, answer)) in THEORY_ITEMS.iter().enumerate() {
        items += &format!(
            "\n[[item]]\nid = \"DDZ-T{:02}\"\nclause = \"{clause}\"\ntype = \"判断\"\n\
             difficulty = \"medium\"\nstem = \"{stem}\"\nanswer = \"{answer}\"\n",
            i + 1
        );
    }
    std::fs::write(bank.join("theory.toml"), items).unwrap();
    let bp = format!(
        "format = 1\n[blueprint]\nid = \"ddz-theory\"\noccupation = \"{CODE}\"\nkind = \"theory\"\n\
         minutes = 30\n[[section]]\ntype = \"判断\"\ncount = 10\npoints = 10\n"
    );
    std::fs::write(bank.join("blueprint-theory.toml"), bp).unwrap();
    bank
}

#[test]
fn an_unleveled_theory_part_is_assembled_and_headed_zhuanxiang_without_level_words() {
    let t = tempfile::tempdir().unwrap();
    let bank = theory_bank(t.path());
    let files = qbank::ops::read_bank_files(std::slice::from_ref(&bank)).unwrap();
    let (parsed, problems) = bankfile::check(&files, &[]);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        parsed
            .entries
            .iter()
            .all(|e| e.value.level() == Grade::Unleveled)
    );
    let cfg = crate::new_store(&t.path().join("s"));
    qbank::ops::import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    let keys = t.path().join("orgs");
    crate::register(&cfg, &keys, ORG, "常州电动自行车维修培训学校", "S", CODE);
    let plan = plan_for(t.path(), CODE, &bank, "ddz-theory");
    let open = sit_and_open(&cfg, t.path(), &keys, &plan);
    let docs = crate::files_under(&open);
    let printed: Vec<&(String, Vec<u8>)> = docs
        .iter()
        .filter(|(p, _)| p.ends_with(".md") || p.ends_with(".html"))
        .collect();
    assert_eq!(
        printed.len(),
        5,
        "paper and key, HTML and Markdown, and the 答题卡"
    );
    no_level_words(&printed);
    let paper = docs.iter().find(|(p, _)| p.ends_with("paper.md")).unwrap();
    assert!(String::from_utf8_lossy(&paper.1).contains("专项职业能力考核 理论知识考试试卷"));
}
