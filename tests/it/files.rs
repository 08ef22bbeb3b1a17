//! Response and feedback files as organisations send them: malformed ones are refused with
//! `file:line` and nothing stored; GBK/GB18030, a UTF-8 BOM and CRLF are read; feedback names an
//! item by copy code and printed question number and is stored once however often it is sent.

use crate::issued::{SITTING, analyse, past};
use qbank::Error;
use qbank::analysis::Thresholds;
use qbank::ops::{issued, revise};
use std::path::Path;

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn malformed_response_files_are_refused_with_file_and_line_and_nothing_is_stored() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    let cfg = &p.cfg;
    let stored_before = qbank::ops::analysis::stored(cfg).unwrap();
    let audit_before = cfg.open().unwrap().audit_entries().unwrap().len();
    let refuse = |name: &str, edit: &dyn Fn(&mut Vec<String>), want: &[&str]| {
        let mut l = lines(&p.files[1]);
        edit(&mut l);
        let f = t.path().join(name);
        std::fs::write(&f, l.join("\n") + "\n").unwrap();
        let e = qbank::ops::analysis::run(
            cfg,
            &[p.files[0].clone(), f.clone()],
            &[],
            &Thresholds::default(),
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::Invalid(_)), "{msg}");
        for w in want {
            assert!(
                msg.contains(&format!("{}:{w}", f.display())),
                "{name}: {msg}"
            );
        }
        assert!(
            msg.starts_with(&format!("发现 {} 个问题", want.len())),
            "{name}: only these problems: {msg}"
        );
    };
    refuse(
        "more.csv",
        &|l| l[2].push_str(",A"),
        &["3: 103 field(s), but the header has 102"],
    );
    refuse(
        "fewer.csv",
        &|l| {
            let cut = l[4].rfind(',').unwrap();
            l[4].truncate(cut);
        },
        &["5: 101 field(s), but the header has 102"],
    );
    refuse(
        "twice.csv",
        &|l| l[0] = l[0].replacen(",5,", ",4,", 1),
        &["1: column 7: question 4 is already column 6"],
    );
    refuse(
        "word.csv",
        &|l| l[0] = l[0].replacen(",3,", ",三,", 1),
        &["1: column 5: `三` is not a question number"],
    );
    assert_eq!(
        qbank::ops::analysis::stored(cfg).unwrap().len(),
        stored_before.len()
    );
    assert_eq!(
        cfg.open().unwrap().audit_entries().unwrap().len(),
        audit_before
    );
}

#[test]
fn files_saved_by_excel_on_chinese_windows_are_read_and_garbage_gets_one_message() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    // GBK with CRLF (√ and × are not ASCII), and UTF-8 with a BOM and CRLF
    let text = std::fs::read_to_string(&p.files[1])
        .unwrap()
        .replace('\n', "\r\n");
    assert!(text.contains('√'));
    let gbk = t.path().join("gbk.csv");
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    std::fs::write(&gbk, &bytes).unwrap();
    let bom = t.path().join("bom.csv");
    std::fs::write(&bom, [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat()).unwrap();
    for (f, enc) in [(&gbk, "GB18030"), (&bom, "UTF-8 (BOM)")] {
        let files = [p.files[0].clone(), f.clone()];
        let out = qbank::ops::analysis::run(&p.cfg, &files, &[], &Thresholds::default()).unwrap();
        assert_eq!(out.encodings[1], (f.display().to_string(), enc.to_string()));
        assert_eq!(analyse(&p.cfg, &files), p.stats, "{enc}");
    }
    // not text in any encoding Excel writes: one message, naming the file and the fix
    let junk = t.path().join("junk.csv");
    let mut b = bytes.to_vec();
    b.extend_from_slice(b"000099,x,\xff\xfe\xff\r\n000100,y,\xff\r\n");
    std::fs::write(&junk, &b).unwrap();
    let e = qbank::ops::analysis::run(
        &p.cfg,
        std::slice::from_ref(&junk),
        &[],
        &Thresholds::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("发现 1 个问题"), "{e}");
    assert!(e.contains(&format!("{}:", junk.display())), "{e}");
    assert!(e.contains("CSV UTF-8"), "{e}");
}

#[test]
fn feedback_by_copy_and_printed_number_maps_to_the_printed_version_and_is_stored_once() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    let copies = issued::issued(&p.cfg, SITTING).unwrap();
    let copy_b = copies.iter().find(|c| c.copy == p.copy_b).unwrap();
    let org = &copy_b.organisation;
    let q7 = &copy_b.questions[6];
    let fb = t.path().join("反馈.csv");
    let text = format!(
        "organisation,copy,question,kind,text\r\n{org},{},7,答案错误,第7题标准答案应为B\r\n",
        p.copy_b
    );
    std::fs::write(&fb, encoding_rs::GBK.encode(&text).0).unwrap();
    let r = revise::import_feedback(&p.cfg, &fb).unwrap();
    assert_eq!(
        (r.imported, r.already, r.encoding.as_str()),
        (1, 0, "GB18030")
    );
    let cases = revise::list(&p.cfg).unwrap();
    let case = cases.iter().find(|c| c.id == q7.id).unwrap();
    assert_eq!(case.feedback.len(), 1);
    assert_eq!(case.feedback[0].version, q7.version);
    assert_eq!(case.feedback[0].printed, Some((p.copy_b.clone(), 7)));
    // the same file again, and the same report by item id: stored once, nothing audited
    let audit = p.cfg.open().unwrap().audit_entries().unwrap().len();
    let r = revise::import_feedback(&p.cfg, &fb).unwrap();
    assert_eq!((r.imported, r.already), (0, 1));
    let by_item = t.path().join("by-item.csv");
    std::fs::write(
        &by_item,
        format!(
            "organisation,item,version,kind,text\n{org},{},{},答案错误,第7题标准答案应为B\n",
            q7.id, q7.version
        ),
    )
    .unwrap();
    assert_eq!(
        revise::import_feedback(&p.cfg, &by_item).unwrap().imported,
        0
    );
    assert_eq!(p.cfg.open().unwrap().audit_entries().unwrap().len(), audit);
    let cases = revise::list(&p.cfg).unwrap();
    assert_eq!(
        cases.iter().find(|c| c.id == q7.id).unwrap().feedback.len(),
        1
    );
    // what an organisation can get wrong: another's copy, a number not printed, an unknown copy
    let other = &copies.iter().find(|c| c.copy != p.copy_b).unwrap().copy;
    std::fs::write(
        &fb,
        format!(
            "sitting,organisation,copy,question,kind,text\n{SITTING},{org},{other},1,typo,x\n{SITTING},{org},{},101,typo,x\n{SITTING},{org},NOPE-F01,1,typo,x\n",
            p.copy_b
        ),
    )
    .unwrap();
    let e = revise::import_feedback(&p.cfg, &fb)
        .unwrap_err()
        .to_string();
    let f = fb.display();
    assert!(
        e.contains(&format!("{f}:2: copy {other} is organisation")),
        "{e}"
    );
    assert!(
        e.contains(&format!(
            "{f}:3: question `101`: copy {} has questions 1–100",
            p.copy_b
        )),
        "{e}"
    );
    assert!(
        e.contains(&format!("{f}:4: copy `NOPE-F01` is not a copy")),
        "{e}"
    );
}

#[test]
fn calibrate_leaves_an_item_with_open_feedback_alone_until_it_is_dismissed() {
    let t = tempfile::tempdir().unwrap();
    let p = past(t.path());
    let copies = issued::issued(&p.cfg, SITTING).unwrap();
    let c = copies.iter().find(|c| c.copy == p.copy_b).unwrap();
    let q = &c.questions[2];
    let fb = t.path().join("fb.csv");
    std::fs::write(
        &fb,
        format!(
            "organisation,copy,question,kind,text\n{},{},3,表述歧义,题干有两种理解\n",
            c.organisation, c.copy
        ),
    )
    .unwrap();
    revise::import_feedback(&p.cfg, &fb).unwrap();
    let before = qbank::ops::show(&p.cfg, &q.id, None).unwrap();
    let r = revise::calibrate(&p.cfg, 50).unwrap();
    let s = r.skipped.iter().find(|s| s.id == q.id).unwrap();
    assert!(
        s.reasons.contains(&revise::SkipReason::OpenFeedback),
        "{s:?}"
    );
    assert!(r.skipped_for(revise::SkipReason::OpenFeedback) >= 1);
    assert!(!r.calibrated.iter().any(|x| x.id == q.id));
    assert_eq!(qbank::ops::show(&p.cfg, &q.id, None).unwrap(), before);
    assert!(revise::list(&p.cfg).unwrap().iter().any(|x| x.id == q.id));
    // dismissed with a reason, the report no longer holds it back
    let d = revise::dismiss(&p.cfg, &q.id, "经核对题干无歧义").unwrap();
    assert_eq!(d.feedback, 1);
    let r = revise::calibrate(&p.cfg, 50).unwrap();
    assert!(
        !r.skipped
            .iter()
            .any(|s| s.id == q.id && s.reasons.contains(&revise::SkipReason::OpenFeedback))
    );
}
