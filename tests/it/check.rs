//! `qbank check`: the data-driven cases in tests/data/check (see its README) and the sample bank.

use qbank::bankfile::{self, SourceFile};
use std::path::Path;

fn read(p: &Path) -> SourceFile {
    SourceFile {
        path: p.file_name().unwrap().to_string_lossy().into_owned(),
        text: std::fs::read_to_string(p).unwrap(),
    }
}

/// Runs one case file and compares its diagnostics with its `# expect LINE: TEXT` lines.
fn check_case(path: &Path) -> Vec<String> {
    let case = read(path);
    let expects: Vec<(usize, String)> = case
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("# expect "))
        .map(|l| {
            let (line, text) = l.split_once(": ").expect("# expect LINE: TEXT");
            (line.parse().expect("line number"), text.to_string())
        })
        .collect();
    let mut files = vec![case.clone()];
    if !case.text.contains("[standard]") {
        // cases of the 专项职业能力 sample name its code; all others the 电工 standard
        files.push(read(&if case.text.contains("\"S3200001\"") {
            crate::sample_bank().join("S3200001/standard.toml")
        } else {
            crate::sample_standard()
        }));
    }
    let (_, diags) = bankfile::check(&files, &[]);
    let mut got: Vec<_> = diags.into_iter().filter(|d| d.file == case.path).collect();
    let mut failures = Vec::new();
    for (line, text) in &expects {
        match got
            .iter()
            .position(|d| d.line == *line && d.message.contains(text.as_str()))
        {
            Some(i) => {
                got.remove(i);
            }
            None => failures.push(format!("{}: expected at line {line}: {text}", case.path)),
        }
    }
    failures.extend(got.iter().map(|d| format!("unexpected: {d}")));
    failures
}

#[test]
fn every_case_reports_exactly_its_expected_problems_at_their_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/check");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "the case folder is populated");
    let failures: Vec<String> = cases.iter().flat_map(|c| check_case(c)).collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_sample_bank_is_clean_and_big_enough_to_draw_parallel_papers() {
    let r = qbank::ops::check(&[crate::sample_bank()]).unwrap();
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    let files = qbank::ops::read_bank_files(&[crate::sample_bank()]).unwrap();
    let (bank, _) = bankfile::check(&files, &[]);
    let count = |level: u8, kind: qbank::model::EntryKind| {
        bank.entries
            .iter()
            .filter(|e| {
                e.value.level().level().map(|l| l.code()) == Some(level) && e.value.kind() == kind
            })
            .count()
    };
    use qbank::model::EntryKind::*;
    assert!(count(4, Item) >= 300, "四级 needs ≥ 300 items");
    assert!(
        count(5, Item) >= 100 && count(3, Item) >= 100,
        "五级 and 三级 need one paper each"
    );
    assert!(
        count(5, Task) + count(4, Task) + count(3, Task) >= 12,
        "≥ 12 practical tasks"
    );
    assert!(count(2, Defence) >= 3, "a few 技师 defence topics");
    // every 鉴定点 of 四级 has items
    let std = crate::dg_standard(&bank);
    let level = qbank::model::Level::from_code(4).unwrap();
    for p in std.points_at(level.into()) {
        assert!(
            bank.entries
                .iter()
                .any(|e| e.value.level() == level && e.value.clause() == p.code),
            "四级 鉴定点 {} has no items",
            p.code
        );
    }
}

#[test]
fn a_bank_file_round_trips_through_export_unchanged() {
    /// Figure files as the disk holds them, then as export wrote them.
    struct Files(std::collections::HashMap<String, Vec<u8>>);
    impl bankfile::figure::FigureSource for Files {
        fn read(&self, bank_file: &str, rel: &str) -> Result<Vec<u8>, String> {
            let dir = std::path::Path::new(bank_file).parent().unwrap();
            let path = dir.join(rel).display().to_string();
            self.0
                .get(&path)
                .cloned()
                .or_else(|| std::fs::read(&path).ok())
                .ok_or_else(|| "absent".to_string())
        }
    }
    let files = qbank::ops::read_bank_files(&[crate::sample_bank()]).unwrap();
    let disk = Files(Default::default());
    let (bank, diags) = bankfile::check_with(&files, &[], &disk);
    assert!(diags.is_empty(), "{diags:#?}");
    let standards: Vec<_> = bank.standards.iter().map(|s| s.value.clone()).collect();
    let entries: Vec<_> = bank.entries.iter().map(|e| e.value.clone()).collect();
    let all = bankfile::export_files(&standards, &entries);
    let written = Files(
        all.iter()
            .filter_map(|f| f.binary.clone().map(|b| (format!("/x/{}", f.path), b)))
            .collect(),
    );
    let exported: Vec<SourceFile> = all
        .into_iter()
        .filter(|f| f.binary.is_none())
        .map(|f| SourceFile {
            path: format!("/x/{}", f.path),
            text: f.text,
        })
        .collect();
    let (again, diags) = bankfile::check_with(&exported, &[], &written);
    assert!(diags.is_empty(), "{diags:#?}");
    let mut a = entries;
    let mut b: Vec<_> = again.entries.into_iter().map(|e| e.value).collect();
    a.sort_by(|x, y| x.id().cmp(y.id()));
    b.sort_by(|x, y| x.id().cmp(y.id()));
    assert_eq!(a, b);
    assert_eq!(standards[0], again.standards[0].value);
}
