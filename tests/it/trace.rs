//! Leak tracing over the demo sitting: every theory copy traces to itself from its own complete
//! paper.md, from a re-typed 12-question fragment and from a fragment with OCR-like noise.

use crate::sample_store;
use qbank::ops::{Quiet, sitting};
use serde_json::Value;
use std::path::{Path, PathBuf};

const ORGS: [(&str, &str, &str, &str); 3] = [
    (
        "S000032100001",
        "南京金陵职业技能培训学校",
        "S",
        "6-31-01-03:5,4,3 6-18-01-01:5,4 S3200001",
    ),
    (
        "Y000132050002",
        "苏州恒达电气设备有限公司",
        "Y",
        "6-31-01-03:5,4",
    ),
    (
        "S000032020003",
        "无锡技师学院",
        "S",
        "6-31-01-03:5,4,3,2,1 6-18-01-01:5,4",
    ),
];

/// The demo sitting (the committed plan), released and opened by every organisation; the theory
/// copy folders (`<org>/<blueprint>/Fnn`).
fn demo(dir: &Path) -> (qbank::ops::StoreConfig, Vec<PathBuf>) {
    let cfg = sample_store(dir);
    let keys = dir.join("orgs");
    for (id, name, kind, scope) in ORGS {
        crate::register(&cfg, &keys, id, name, kind, scope);
    }
    let plan = crate::sample_bank().join("sittings/2026-11-dg.toml");
    sitting::run(&cfg, &plan, &dir.join("sit"), &Quiet).unwrap();
    let rel = dir.join("release.json");
    sitting::release(&cfg, "JS-2026-11-DG", &rel, Some("测试")).unwrap();
    let mut copies = Vec::new();
    for (id, ..) in ORGS {
        let to = dir.join("open").join(id);
        sitting::unseal(
            &dir.join(format!("sit/packages/{id}.qpkg")),
            &keys.join(format!("{id}.key")),
            &rel,
            Some(&dir.join("sit/bureau.pub")),
            &to,
        )
        .unwrap();
        for bp in ["dg5-theory", "dg4-theory", "dg3-theory"] {
            for f in 1..=3 {
                let d = to.join(format!("{bp}/F{f:02}"));
                if d.join("paper.md").is_file() {
                    copies.push(d);
                }
            }
        }
    }
    (cfg, copies)
}

fn items(copy_dir: &Path) -> (String, Vec<Value>) {
    let paper: Value =
        serde_json::from_slice(&std::fs::read(copy_dir.join("paper.json")).unwrap()).unwrap();
    let code = paper["copy"]["copy"].as_str().unwrap().to_string();
    let items = paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().clone())
        .collect();
    (code, items)
}

/// Twelve consecutive questions from `from`, re-typed: half-width punctuation, no spaces, other
/// numbering and option labels.
fn retyped(items: &[Value], from: usize) -> String {
    let retype = |s: &str| {
        s.replace('（', "(")
            .replace('）', ")")
            .replace('，', ",")
            .replace('。', ".")
            .replace('、', ",")
            .replace('：', ":")
            .replace(' ', "")
    };
    let mut leak = String::from("网传理论题（部分）\n");
    for (k, i) in items[from..from + 12].iter().enumerate() {
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
    leak
}

/// OCR-like noise: every 13th character misread, every 29th lost, spaces scattered.
fn ocr(text: &str) -> String {
    let mut out = String::new();
    for (k, c) in text.chars().enumerate() {
        if k % 29 == 28 {
            continue;
        }
        if k % 13 == 12 && !c.is_whitespace() {
            out.push(match c {
                '0' => 'O',
                '1' => 'l',
                '。' => '.',
                _ => '口',
            });
        } else {
            out.push(c);
        }
        if k % 7 == 6 {
            out.push(' ');
        }
    }
    out
}

#[test]
fn every_copy_of_the_demo_sitting_traces_to_itself() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, copies) = demo(t.path());
    assert_eq!(copies.len(), 9, "the demo sitting has nine theory copies");
    let mut misses = Vec::new();
    for dir in &copies {
        let (code, items) = items(dir);
        let whole = std::fs::read_to_string(dir.join("paper.md")).unwrap();
        let from = (items.len() / 3).min(items.len() - 12);
        let fragment = retyped(&items, from);
        for (what, leak) in [
            ("paper.md", whole),
            ("re-typed fragment", fragment.clone()),
            ("OCR-noisy fragment", ocr(&fragment)),
        ] {
            let (_, r) = sitting::trace_leak(&cfg, &leak, &[]).unwrap();
            if r.consistent != vec![code.clone()] {
                let best: Vec<String> = r
                    .ranking
                    .iter()
                    .take(2)
                    .map(|m| {
                        format!(
                            "{} held {} order {}/{} options {}/{}",
                            m.copy,
                            m.held,
                            m.order_agree,
                            m.order_pairs,
                            m.options_agree,
                            m.options_seen
                        )
                    })
                    .collect();
                misses.push(format!(
                    "{code} from its {what}: consistent {:?}; found {}; best {best:?}",
                    r.consistent,
                    r.found.len()
                ));
            }
        }
    }
    assert!(
        misses.is_empty(),
        "{} of 27 traces missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
