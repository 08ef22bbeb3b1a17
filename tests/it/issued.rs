//! A past sitting is what was issued: analysis and tracing read the copies its record holds, so
//! no change to the bank afterwards (a new item, a suspension, a revision) changes what the same
//! response files or the same leaked fragment say; records sealed before the copies were kept
//! are rebuilt from their recorded entry versions.

use crate::analysis::{A, B, json, opened, responses};
use qbank::analysis::Thresholds;
use qbank::model::Status;
use qbank::ops::{StoreConfig, issued, sitting};
use qbank::store::AuditEvent;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub(crate) const SITTING: &str = "T-AN";

/// A deterministic mix of right and wrong answers: candidate c answers right when
/// (c + hash(id)) % 40 < c, else one option letter on (or the other 判断 mark).
fn answer(c: usize, id: &str, kind: &str, options: &[String], key: &str) -> String {
    let h = id.bytes().fold(0usize, |a, b| a * 31 + b as usize) % 40;
    if (c + h) % 40 < c {
        return key.to_string();
    }
    match kind {
        "判断" => if key == "√" { "×" } else { "√" }.into(),
        "单选" | "多选" => {
            let k = (key.as_bytes()[0] - b'A') as usize;
            ((b'A' + ((k + 1 + c % 2) % options.len()) as u8) as char).to_string()
        }
        _ => String::new(),
    }
}

/// Twelve consecutive questions of a copy, as someone would type them out.
fn fragment(copy_dir: &Path) -> String {
    let paper = json(&copy_dir.join("paper.json"));
    let items: Vec<Value> = paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().clone())
        .collect();
    let mut leak = String::new();
    for (k, i) in items[20..32].iter().enumerate() {
        leak += &format!("{}. {}\n", k + 1, i["stem"].as_str().unwrap());
        for (j, o) in i["options"].as_array().into_iter().flatten().enumerate() {
            leak += &format!("{}. {}  ", (b'A' + j as u8) as char, o.as_str().unwrap());
        }
        leak += "\n";
    }
    leak
}

pub(crate) struct Past {
    pub cfg: StoreConfig,
    pub files: Vec<PathBuf>,
    leak: String,
    pub copy_b: String,
    /// The statistics and the trace as first computed.
    pub stats: Value,
    consistent: Vec<String>,
}

pub(crate) fn analyse(cfg: &StoreConfig, files: &[PathBuf]) -> Value {
    let out = qbank::ops::analysis::run(cfg, files, &[], &Thresholds::default()).unwrap();
    serde_json::to_value(&out.report).unwrap()
}

pub(crate) fn past(dir: &Path) -> Past {
    let (cfg, copy_a, copy_b) = opened(dir);
    let files = vec![
        responses(dir, "a.csv", &copy_a, 0..40, answer),
        responses(dir, "b.csv", &copy_b, 0..40, answer),
    ];
    let leak = fragment(&copy_b);
    let stats = analyse(&cfg, &files);
    let (_, r) = sitting::trace_leak(&cfg, &leak, &[]).unwrap();
    Past {
        cfg,
        files,
        leak,
        copy_b: format!("{B}-dg5-theory-F01"),
        stats,
        consistent: r.consistent,
    }
}

impl Past {
    fn still_the_same(&self, after: &str) {
        let again = analyse(&self.cfg, &self.files);
        assert!(
            again == self.stats,
            "after {after}: the same response files give other statistics"
        );
        let (_, r) = sitting::trace_leak(&self.cfg, &self.leak, &[]).unwrap();
        assert_eq!(r.consistent, self.consistent, "after {after}");
    }

    /// An entry version printed on the sitting's copies, and its [[item]] block in the bank file:
    /// the `k`-th printed question without a figure (a block copied into a file elsewhere
    /// would lose its figure file), counting from the start of copy 0.
    fn printed_item(&self, k: usize) -> (String, String) {
        let copies = issued::issued(&self.cfg, SITTING).unwrap();
        let text = ["theory-5.toml", "theory-5-figures.toml"]
            .map(|f| {
                std::fs::read_to_string(crate::sample_bank().join("6-31-01-03").join(f)).unwrap()
            })
            .join("\n");
        copies[0]
            .questions
            .iter()
            .filter_map(|q| {
                let block = text
                    .split("[[item]]")
                    .find(|b| b.contains(&format!("id = \"{}\"", q.id)))?
                    .trim_end()
                    .to_string();
                (!block.contains("[[item.figure]]")).then(|| (q.id.clone(), block))
            })
            .nth(k)
            .unwrap()
    }
}

const HEAD: &str = "format = 1\noccupation = \"6-31-01-03\"\nlevel = 5\n";

#[test]
fn analysis_and_trace_of_a_past_sitting_do_not_change_when_the_bank_does() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    assert_eq!(p.consistent, vec![p.copy_b.clone()]);
    let stats = p.stats["items"].as_array().unwrap();
    assert_eq!(stats.len(), 100, "every printed question, no other");

    // a new item enters the bank, in the clause and type of a printed one
    let (_, block) = p.printed_item(3);
    let bank = crate::copy_sample(t.path());
    let file = bank.join("6-31-01-03/theory-5.toml");
    let new_block = block
        .replacen(
            &block[block.find("id = ").unwrap()..][..15],
            "id = \"DG5-0999\"",
            1,
        )
        .replace("stem = \"", "stem = \"（新题）");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text += &format!("\n[[item]]{new_block}\n");
    std::fs::write(&file, text).unwrap();
    let r = qbank::ops::import(&p.cfg, &[bank], &qbank::ops::Quiet).unwrap();
    assert_eq!((r.report.added, r.report.new_versions), (1, 0), "{r:?}");
    p.still_the_same("a new item");

    // a printed item is suspended
    let (victim, _) = p.printed_item(0);
    qbank::ops::set_entry_status(&p.cfg, &victim, Status::Suspended, "考后发现答案错误").unwrap();
    p.still_the_same("a suspension");

    // a printed item is revised (its explanation rewritten): a new version
    let (revised, block) = p.printed_item(7);
    let edited = t.path().join("edit.toml");
    let block = match block.find("explanation = \"") {
        Some(at) => format!(
            "{}explanation = \"（修订）{}",
            &block[..at],
            &block[at + 15..]
        ),
        None => format!("{block}\nexplanation = \"（修订）补充解析。\""),
    };
    std::fs::write(&edited, format!("{HEAD}[[item]]{block}\n")).unwrap();
    let r = qbank::ops::revise::revise(&p.cfg, &revised, &edited, "补充解析").unwrap();
    assert_eq!(r.version, 2);
    p.still_the_same("a revision");
    // the statistics stay with the version that was printed
    let analysed: Vec<(String, u64)> = stats
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().into(),
                s["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(analysed.contains(&(revised, 1)));
    assert!(!analysed.iter().any(|(id, _)| id == "DG5-0999"));
}

/// Rewrites the sitting's record as the qbank before this change sealed it: without `copies`.
fn as_first_written(cfg: &StoreConfig) {
    let mut vault = cfg.open().unwrap();
    let key = format!("t/{SITTING}");
    let mut rec: Value = vault.get_record(&key).unwrap().unwrap();
    assert!(rec["copies"].is_array(), "this qbank records the copies");
    rec.as_object_mut().unwrap().remove("copies");
    let put = vault.put_record(&key, &rec).unwrap();
    vault
        .commit(
            vec![put],
            AuditEvent::new("test-old-record", serde_json::json!({})),
        )
        .unwrap();
}

#[test]
fn a_sitting_sealed_before_records_held_its_copies_is_rebuilt_from_its_recorded_versions() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    let recorded = issued::issued(&p.cfg, SITTING).unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!(
        recorded.iter().map(|c| c.copy.as_str()).collect::<Vec<_>>(),
        vec![format!("{A}-dg5-theory-F01"), p.copy_b.clone()]
    );
    as_first_written(&p.cfg);
    assert_eq!(issued::issued(&p.cfg, SITTING).unwrap(), recorded);
    // and a bank change afterwards changes nothing either
    let victim = recorded[1].questions[9].id.clone();
    qbank::ops::set_entry_status(&p.cfg, &victim, Status::Suspended, "停用").unwrap();
    assert_eq!(issued::issued(&p.cfg, SITTING).unwrap(), recorded);
    p.still_the_same("a suspension (old record)");
}

#[test]
fn a_printed_version_the_store_does_not_hold_is_a_clear_error() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    let mut vault = p.cfg.open().unwrap();
    let key = format!("t/{SITTING}");
    let mut rec: Value = vault.get_record(&key).unwrap().unwrap();
    let id = rec["copies"][1]["questions"][4]["id"]
        .as_str()
        .unwrap()
        .to_string();
    rec["copies"][1]["questions"][4]["version"] = 9.into();
    let put = vault.put_record(&key, &rec).unwrap();
    vault
        .commit(
            vec![put],
            AuditEvent::new("test-damage", serde_json::json!({})),
        )
        .unwrap();
    drop(vault);
    let e = qbank::ops::analysis::run(&p.cfg, &p.files, &[], &Thresholds::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("copy {} printed {id} version 9", p.copy_b)),
        "{msg}"
    );
    assert!(matches!(e, qbank::Error::Corrupt { .. }), "{msg}");
}

#[test]
fn the_same_response_files_in_another_order_give_bit_identical_statistics() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    // the files the other way round, and the rows of each file reversed
    let mut files = Vec::new();
    for (k, f) in p.files.iter().rev().enumerate() {
        let text = std::fs::read_to_string(f).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].reverse();
        let to = t.path().join(format!("reordered-{k}.csv"));
        std::fs::write(&to, lines.join("\n") + "\n").unwrap();
        files.push(to);
    }
    let again = analyse(&p.cfg, &files);
    assert_eq!(again.to_string(), p.stats.to_string());
}

#[test]
fn verify_checks_an_opened_copy_against_what_its_sitting_issued() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, copy_a, _) = opened(t.path());
    let v = qbank::ops::verify(&cfg, &copy_a).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].copy.as_deref(),
        Some(format!("{A}-dg5-theory-F01").as_str())
    );
    assert!(v[0].identical, "{:?}", v[0].differences);
    // the bank changes: the copy is still exactly what was issued
    let victim = issued::issued(&cfg, SITTING).unwrap()[0].questions[0]
        .id
        .clone();
    qbank::ops::set_entry_status(&cfg, &victim, Status::Suspended, "停用").unwrap();
    assert!(qbank::ops::verify(&cfg, &copy_a).unwrap()[0].identical);
    // an edited copy.json (two questions' places swapped) is not
    let path = copy_a.join("copy.json");
    let mut c = json(&path);
    let qs = c["questions"].as_array_mut().unwrap();
    let (a, b) = (qs[0]["id"].clone(), qs[1]["id"].clone());
    qs[0]["id"] = b;
    qs[1]["id"] = a;
    std::fs::write(&path, serde_json::to_vec(&c).unwrap()).unwrap();
    let v = qbank::ops::verify(&cfg, &copy_a).unwrap();
    assert!(!v[0].identical && !v[0].genuine);
    assert!(
        v[0].differences[0].starts_with("question 1: "),
        "{:?}",
        v[0].differences
    );
}

/// A record exactly as the qbank before per-sitting copy secrets sealed it (frozen: made by
/// that version from the sample bank, `tests/data/vectors/sitting-record-first-engine.json`,
/// against the 五级 bank files of then, `tests/data/vectors/first-engine-bank/`):
/// without its `copies`, it is rebuilt from the public seed with the first engine's generator to
/// exactly the copies it recorded, and it still opens as today's record.
#[test]
fn a_record_sealed_by_the_first_engine_rebuilds_exactly_from_the_frozen_vector() {
    let t = tempfile::tempdir().unwrap();
    // the bank the record was sealed against: the sample 五级 items as they were then (later
    // edits of the sample bank would be new versions in a real store)
    let cfg = crate::new_store(t.path());
    let bank = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/vectors/first-engine-bank");
    qbank::ops::import(&cfg, &[bank], &qbank::ops::Quiet).expect("import the frozen bank");
    let frozen: Value = serde_json::from_str(include_str!(
        "../data/vectors/sitting-record-first-engine.json"
    ))
    .unwrap();
    let copies: Vec<issued::IssuedCopy> = serde_json::from_value(frozen["copies"].clone()).unwrap();
    assert_eq!(copies.len(), 2);
    let mut vault = cfg.open().unwrap();
    let key = format!("t/{SITTING}");
    let mut old = frozen.clone();
    old.as_object_mut().unwrap().remove("copies");
    let put = vault.put_record(&key, &old).unwrap();
    vault
        .commit(
            vec![put],
            AuditEvent::new("test-old-record", serde_json::json!({})),
        )
        .unwrap();
    let rec: sitting::SittingRecord = vault.get_record(&key).unwrap().unwrap();
    assert!(rec.release_key.is_some() && rec.copy_secret.is_none() && rec.copies.is_empty());
    drop(vault);
    assert_eq!(issued::issued(&cfg, SITTING).unwrap(), copies);
}
