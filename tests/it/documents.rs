//! The printed documents of a sitting's practical and defence sets, as an organisation opens
//! them: each audience gets only its own text (no examiner check point on the candidate's tasks
//! document, no reference point on the candidates' 答辩题签), marking sheets print whole or half
//! points that add up to each task's own points with the weighting to the module, and the printed
//! 考核总时间 is the sum of the drawn tasks' minutes.

use crate::sitting::{PAST, WUXI, fixture, plan, release, release_keys, run, unseal};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sample bank's entries of one kind (`task`, `defence`) by id, as the TOML files write them.
fn bank_entries(kind: &str) -> BTreeMap<String, toml::Value> {
    let dir = crate::sample_bank().join("6-31-01-03");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let v: toml::Value = toml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        for t in v.get(kind).and_then(|x| x.as_array()).into_iter().flatten() {
            let id = t["id"].as_str().unwrap().to_string();
            out.insert(id, t.clone());
        }
    }
    out
}

/// The examiner's lines of a bank task text: those after its `…考评员检查要点` heading.
fn examiner_lines(text: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| !l.contains("考评员检查要点"));
    lines.next();
    lines
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// One sitting of practical sets (四级, 三级, 二级) and the 二级 defence set, opened by the
/// organisation: the form folders.
fn opened(dir: &Path) -> Vec<PathBuf> {
    let f = fixture(dir);
    let p = plan(
        &f,
        "T-DOCS",
        PAST,
        &[
            "dg4-practical",
            "dg3-practical",
            "dg2-practical",
            "dg2-defence",
        ],
        &[(WUXI, &["6-31-01-03/4", "6-31-01-03/3", "6-31-01-03/2"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-DOCS");
    release_keys(&f, "T-DOCS");
    let o = unseal(&f, "", WUXI, "sit", &rel, "o").unwrap();
    let mut forms = Vec::new();
    for bp in [
        "dg4-practical",
        "dg3-practical",
        "dg2-practical",
        "dg2-defence",
    ] {
        for e in std::fs::read_dir(o.join(bp)).unwrap() {
            forms.push(e.unwrap().path());
        }
    }
    forms.sort();
    forms
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&read(p)).unwrap()
}

/// The texts between `start` and the next `end` after it, everywhere in `s`.
fn cells<'a>(s: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    s.split(start)
        .skip(1)
        .filter_map(|x| x.split(end).next())
        .collect()
}

#[test]
fn the_candidates_tasks_document_prints_no_examiner_text() {
    let t = tempfile::tempdir().unwrap();
    let tasks = bank_entries("task");
    let mut checked = 0;
    for form in opened(t.path()) {
        if !form.join("tasks.html").exists() {
            continue;
        }
        let paper = json(&form.join("paper.json"));
        let key = json(&form.join("key.json"));
        let marking = read(&form.join("marking.html"));
        for doc in ["tasks.html", "tasks.md", "notice.html", "notice.md"] {
            let text = read(&form.join(doc));
            assert!(
                !text.contains("考评员检查要点"),
                "{}/{doc} prints the examiners' section",
                form.display()
            );
            for m in paper["modules"].as_array().unwrap() {
                for task in m["tasks"].as_array().unwrap() {
                    let id = task["id"].as_str().unwrap();
                    let lines = examiner_lines(tasks[id]["text"].as_str().unwrap());
                    assert!(
                        !lines.is_empty(),
                        "{id} has check points in the sample bank"
                    );
                    for l in &lines {
                        assert!(
                            !text.contains(l.as_str()),
                            "{}/{doc} prints {id}'s check point {l}",
                            form.display()
                        );
                        // …which the examiners' marking sheet prints instead
                        assert!(marking.contains(l.as_str()), "{id}: {l}");
                    }
                    checked += 1;
                }
            }
        }
        // the key holds them, the paper does not
        for mk in key["marking"].as_array().unwrap() {
            assert!(!mk["checks"].as_str().unwrap().is_empty());
        }
    }
    assert!(checked > 0);
}

#[test]
fn the_defence_candidate_document_holds_no_reference_point() {
    let t = tempfile::tempdir().unwrap();
    let topics = bank_entries("defence");
    let mut seen = 0;
    for form in opened(t.path()) {
        if !form.join("defence.html").exists() {
            continue;
        }
        let paper = json(&form.join("paper.json"));
        let key_html = read(&form.join("defence-key.html"));
        let key_md = read(&form.join("defence-key.md"));
        for doc in ["defence.html", "defence.md"] {
            let text = read(&form.join(doc));
            assert!(
                !text.contains("参考要点") && !text.contains("考评员用"),
                "{doc}"
            );
            for d in paper["defence"].as_array().unwrap() {
                let id = d["id"].as_str().unwrap();
                for r in topics[id]["reference"].as_array().unwrap() {
                    let r = r.as_str().unwrap();
                    assert!(!text.contains(r), "{}/{doc} prints {r}", form.display());
                    // the examiners' table prints the point's text and its （N分） as its 配分
                    let point = match r.rfind('（') {
                        Some(at) if r.ends_with("分）") => &r[..at],
                        _ => r,
                    };
                    assert!(
                        !text.contains(point),
                        "{}/{doc} prints {point}",
                        form.display()
                    );
                    assert!(
                        key_html.contains(point) && key_md.contains(point),
                        "{point}"
                    );
                }
                seen += 1;
            }
        }
        assert!(key_html.contains("绝密★考评员用") && key_html.contains("答辩参考要点"));
        // the package lists the examiners' document like the others
        let manifest = read(&form.join("../../package-manifest.json"));
        assert!(manifest.contains("defence-key.html") && manifest.contains("defence-key.md"));
    }
    assert!(seen > 0);
}

/// Whether `x` (as printed) is a whole or half point.
fn half_point(x: &str) -> bool {
    let v: f64 = x
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {x:?}"));
    (v * 2.0).fract() == 0.0
}

#[test]
fn marking_sheets_print_half_points_that_add_up_to_each_tasks_own_points() {
    let t = tempfile::tempdir().unwrap();
    let tasks = bank_entries("task");
    let mut sheets = 0;
    for form in opened(t.path()) {
        if !form.join("marking.html").exists() {
            continue;
        }
        let html = read(&form.join("marking.html"));
        let md = read(&form.join("marking.md"));
        let paper = json(&form.join("paper.json"));
        let key = json(&form.join("key.json"));
        let module_points: BTreeMap<String, f64> = paper["modules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let f = m["function"].as_str().unwrap().to_string();
                (f, m["points"].as_f64().unwrap())
            })
            .collect();
        for sheet in html.split("<section class=\"sheet").skip(1) {
            let sheet = sheet.split("</section>").next().unwrap();
            let id = cells(sheet, "data-id=\"", "\"")[0];
            let task = &tasks[id];
            let own = task["points"]
                .as_float()
                .unwrap_or_else(|| task["points"].as_integer().unwrap() as f64);
            let pts = cells(sheet, "<td class=\"c pts\">", "<");
            assert!(!pts.is_empty(), "{id}");
            assert!(pts.iter().all(|p| half_point(p)), "{id}: {pts:?}");
            let sum: f64 = pts.iter().map(|p| p.parse::<f64>().unwrap()).sum();
            let total = cells(sheet, "total-pts\">", "<")[0];
            assert_eq!(
                sum, own,
                "{id}: the rubric adds up to the task's own points"
            );
            assert_eq!(total.parse::<f64>().unwrap(), own, "{id}");
            // the printed rubric is the bank's, deductions and all
            for (line, r) in pts.iter().zip(task["rubric"].as_array().unwrap()) {
                let written = r["points"]
                    .as_float()
                    .unwrap_or_else(|| r["points"].as_integer().unwrap() as f64);
                assert_eq!(line.parse::<f64>().unwrap(), written, "{id}");
            }
            // the weighting to the module's points, with the box for the weighted score
            let mk = key["marking"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["id"] == id)
                .unwrap();
            let module = module_points[mk["module"].as_str().unwrap()];
            assert_eq!(mk["points"].as_f64().unwrap(), module);
            assert_eq!(mk["task_points"].as_f64().unwrap(), own);
            let line = format!(
                "本题满分{own}分，按权重折算为本模块{module}分：折算分＝得分×{}",
                module / own
            );
            assert!(sheet.contains(&line), "{id}: {line}");
            assert!(md.contains(&line), "{id}: {line}");
            assert!(sheet.contains("折算分"));
            sheets += 1;
        }
        // the set's total of weighted scores
        let summary = html
            .split("<section class=\"summary")
            .nth(1)
            .expect("成绩汇总表");
        assert!(summary.contains("成绩汇总表"));
        let total = cells(summary, "set-total pts\">", "<")[0];
        assert_eq!(
            total.parse::<f64>().unwrap(),
            module_points.values().sum::<f64>()
        );
        assert!(
            cells(summary, "<td class=\"c pts\">", "<")
                .iter()
                .all(|p| half_point(p))
        );
        assert!(md.contains("成绩汇总表"));
    }
    assert!(sheets > 0);
}

#[test]
fn the_printed_total_time_is_the_sum_of_the_tasks_minutes() {
    let t = tempfile::tempdir().unwrap();
    let mut sets = 0;
    for form in opened(t.path()) {
        if !form.join("tasks.html").exists() {
            continue;
        }
        let paper = json(&form.join("paper.json"));
        // one task a module here (必考): the candidate does every task
        let minutes: u64 = paper["modules"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["tasks"].as_array().unwrap())
            .map(|t| t["minutes"].as_u64().unwrap())
            .sum();
        assert!(
            minutes <= paper["minutes"].as_u64().unwrap(),
            "within the limit"
        );
        for doc in ["tasks.html", "tasks.md", "notice.html", "notice.md"] {
            let text = read(&form.join(doc));
            let printed = cells(&text, "考核总时间：", " 分钟");
            assert!(!printed.is_empty(), "{doc}");
            for p in printed {
                assert_eq!(p, minutes.to_string(), "{}/{doc}", form.display());
            }
            assert!(
                text.contains(&format!("考核总时间 {minutes} 分钟")) || doc.starts_with("notice")
            );
        }
        sets += 1;
    }
    assert!(sets >= 3);
}

#[test]
fn the_candidates_list_names_each_item_once_with_the_tasks_needing_it() {
    let t = tempfile::tempdir().unwrap();
    for form in opened(t.path()) {
        if !form.join("notice.md").exists() {
            continue;
        }
        let md = read(&form.join("notice.md"));
        let list = md.split("## 二、考生准备").nth(1).unwrap();
        let rows: Vec<Vec<&str>> = list
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| 序号"))
            .map(|l| l.split(" | ").collect())
            .collect();
        assert!(!rows.is_empty());
        let mut names: Vec<&str> = rows.iter().map(|r| r[1]).collect();
        for r in &rows {
            assert!(!r[2].trim_end_matches(" |").trim().is_empty(), "备注 {r:?}");
            let outside: String = r[1]
                .split('（')
                .map(|x| x.rsplit('）').next().unwrap())
                .collect();
            assert!(!outside.contains('、'), "one item a row: {}", r[1]);
        }
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "{}: an item twice", form.display());
        for (a, b) in names.iter().zip(names.iter().skip(1)) {
            assert!(!b.starts_with(a), "{a} and {b}");
        }
    }
}
