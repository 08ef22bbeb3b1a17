//! Items know their standard: `cites` round-trips, malformed citations and register fields are
//! refused at file:line, and entries citing a replaced standard are flagged.

use crate::{copy_sample, digest, new_store, sample_bank, sample_store};
use qbank::bankfile::{self, SourceFile};
use qbank::model::Entry;
use qbank::ops::{Quiet, export, import};
use std::path::Path;

const BASIC: &str = "6-31-01-03/theory-4-basic.toml";

/// Adds `line` right after the `id = "ID"` line of the bank file `file`.
fn add_after_id(bank: &Path, file: &str, id: &str, line: &str) -> usize {
    let path = bank.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let needle = format!("id = \"{id}\"\n");
    let at = text.find(&needle).expect("the item is in the file") + needle.len();
    let line_no = text[..at].lines().count() + 1;
    std::fs::write(&path, format!("{}{line}\n{}", &text[..at], &text[at..])).unwrap();
    line_no
}

#[test]
fn the_sample_bank_cites_standards_and_export_import_keeps_them_and_the_digest() {
    let t = tempfile::tempdir().unwrap();
    let a = sample_store(&t.path().join("a"));
    let e = a.open().unwrap().entry("DG4-0257", None).unwrap();
    assert_eq!(e.cites(), ["GB 50303-2015 5.1.1"]);
    let (_, d) = export(&a, &t.path().join("exported"), &Quiet).unwrap();
    let text = std::fs::read_to_string(t.path().join("exported/6-31-01-03/theory-4.toml")).unwrap();
    assert!(
        text.contains("cites = [\"GB 50303-2015 5.1.1\"]"),
        "export writes cites back"
    );
    let b = new_store(&t.path().join("b"));
    import(&b, &[t.path().join("exported")], &Quiet).unwrap();
    assert_eq!(d.to_string(), digest(&b));
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(
        b.open().unwrap().entry("DG4-0257", None).unwrap().cites(),
        ["GB 50303-2015 5.1.1"]
    );
}

#[test]
fn changing_cites_makes_a_new_version() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let cfg = new_store(t.path());
    import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    add_after_id(&bank, BASIC, "DG4-0073", "cites = [\"GB 50054-2011\"]");
    let r = import(&cfg, &[bank], &Quiet).unwrap();
    assert_eq!((r.report.new_versions, r.report.added), (1, 0));
    let e = cfg.open().unwrap().entry("DG4-0073", None).unwrap();
    assert_eq!(
        (e.version(), e.cites()),
        (2, &["GB 50054-2011".to_string()][..])
    );
}

#[test]
fn a_citation_without_a_standard_number_is_refused_at_its_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let line = add_after_id(
        &bank,
        BASIC,
        "DG4-0073",
        "cites = [\"建筑电气施工规范 5.1.7\"]",
    );
    let r = qbank::ops::check(&[bank]).unwrap();
    let p: Vec<_> = r
        .problems
        .iter()
        .filter(|d| d.message.contains("names no standard number"))
        .collect();
    assert_eq!(p.len(), 1, "{:?}", r.problems);
    assert!(p[0].file.ends_with("theory-4-basic.toml"), "{}", p[0]);
    assert_eq!(p[0].line, line);
    assert!(p[0].message.contains("DG4-0073"));
}

#[test]
fn the_register_refuses_unknown_fields_and_malformed_codes_by_line() {
    let text = "format = 1\n\n[[register]]\ncode = \"GB 50303-2015\"\ntitle = \"建筑电气工程施工质量验收规范\"\nstatus = \"现行\"\nnote = \"x\"\n";
    let f = SourceFile {
        path: "reg.toml".into(),
        text: text.into(),
    };
    let d = bankfile::parse_register(&f).unwrap_err();
    assert_eq!((d[0].file.as_str(), d[0].line), ("reg.toml", 7), "{d:?}");
    assert!(d[0].message.contains("unknown field"), "{}", d[0]);
    // also through `check`, which knows the file by its [[register]] tables
    let (_, diags) = bankfile::check(&[f], &[]);
    assert_eq!(diags.len(), 1);
    let bad = SourceFile {
        path: "reg.toml".into(),
        text: "format = 1\n[[register]]\ncode = \"GB50303\"\ntitle = \"t\"\nstatus = \"被替代\"\n"
            .into(),
    };
    let d = bankfile::parse_register(&bad).unwrap_err();
    let lines: Vec<usize> = d.iter().map(|d| d.line).collect();
    assert!(lines.contains(&3), "{d:?}");
    assert!(d.iter().any(|d| d.message.contains("replaced_by")), "{d:?}");
}

#[test]
fn the_sample_register_parses() {
    let r = qbank::ops::read_register(&sample_bank().join("standards-register.toml")).unwrap();
    let old = r.get("GB 50303-2002").unwrap();
    assert_eq!(old.replaced_by.as_deref(), Some("GB 50303-2015"));
}

#[test]
fn items_citing_a_replaced_standard_are_flagged_by_status_and_revise_list() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    add_after_id(&bank, BASIC, "DG4-0073", "cites = [\"JGJ 46-2005 8.2.10\"]");
    let cfg = new_store(t.path());
    import(&cfg, &[bank], &Quiet).unwrap();
    let register = sample_bank().join("standards-register.toml");

    let s = qbank::ops::status(&cfg, 3, &[], Some(&register)).unwrap();
    assert_eq!(s.outdated.len(), 1, "{:?}", s.outdated);
    let o = &s.outdated[0];
    assert_eq!(
        (o.id.as_str(), o.cite.as_str()),
        ("DG4-0073", "JGJ 46-2005 8.2.10")
    );
    assert!(o.words.contains("已被 JGJ/T 46-2024 替代"), "{}", o.words);
    let without = qbank::ops::status(&cfg, 3, &[], None).unwrap();
    assert!(without.outdated.is_empty());

    let reg = qbank::ops::read_register(&register).unwrap();
    let cases = qbank::ops::revise::list_with_register(&cfg, &reg).unwrap();
    let c = cases
        .iter()
        .find(|c| c.id == "DG4-0073")
        .expect("in the queue");
    assert_eq!(c.outdated.len(), 1);
    assert!(c.outdated[0].words.contains("JGJ/T 46-2024"));
    // the sample bank's own citations are all current
    let Entry::Item(_) = cfg.open().unwrap().entry("DG4-0257", None).unwrap() else {
        panic!("DG4-0257 is an item")
    };
    assert_eq!(cases.iter().filter(|c| !c.outdated.is_empty()).count(), 1);
}
