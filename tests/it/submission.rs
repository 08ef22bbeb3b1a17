//! Item writers' submissions end to end: sealing, validation with file:line / file:row messages,
//! near-duplicate screening, the four-eyes review, feedback and revision.

use crate::sample_store;
use qbank::Error;
use qbank::model::{Source, Status};
use qbank::ops::StoreConfig;
use qbank::ops::org;
use qbank::ops::revise;
use qbank::ops::submission::{self, Decision, QueueStatus};
use std::path::{Path, PathBuf};

const ORG: &str = "S000032100001";

fn setup(dir: &Path) -> (StoreConfig, PathBuf) {
    let cfg = sample_store(dir);
    let keys = dir.join("orgs");
    crate::register(
        &cfg,
        &keys,
        ORG,
        "南京金陵职业技能培训学校",
        "S",
        "6-31-01-03:5,4,3",
    );
    let bureau = dir.join("bureau.pub");
    org::export_bureau_key(&cfg, &bureau).unwrap();
    (cfg, bureau)
}

/// Two genuine new 四级 items (distinct from the bank's, on the same topics).
const GOOD: &str = r#"format = 1
occupation = "6-31-01-03"
level = 4

[[item]]
id = "SUB4-0001"
clause = "2.1.1"
type = "单选"
difficulty = "medium"
stem = "热继电器动作后采用手动复位方式时，应在故障排除后按下（  ）使其复位。"
options = ["停止按钮", "复位按钮", "启动按钮", "急停按钮"]
answer = "B"
explanation = "手动复位方式的热继电器需按复位按钮后触头才恢复。"

[[item]]
id = "SUB4-0002"
clause = "2.1.1"
type = "判断"
difficulty = "easy"
stem = "熔断器在电动机控制电路中既能作短路保护，也能可靠地作长期过载保护。"
answer = "×"
explanation = "熔断器躲不过启动电流，只作短路保护。"
"#;

/// Seals `bytes` as ORG's writer 王建国, with ORG's key (in `dir/orgs`, pinned to the bureau).
fn seal(dir: &Path, bureau: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    seal_as(dir, bureau, ORG, name, bytes, "王建国").unwrap()
}

pub(crate) fn seal_as(
    dir: &Path,
    bureau: &Path,
    org: &str,
    name: &str,
    bytes: &[u8],
    writer: &str,
) -> qbank::Result<PathBuf> {
    let f = dir.join(name);
    std::fs::write(&f, bytes).unwrap();
    let out = dir.join(format!("{name}.qsub"));
    let key = dir.join("orgs").join(format!("{org}.key"));
    let with = submission::SealWith {
        org_key: &key,
        bureau_key: Some(bureau),
        organisation: Some(org),
    };
    submission::seal(&f, with, writer, &out)
}

fn queue_len(cfg: &StoreConfig) -> usize {
    submission::queue(cfg, None).unwrap().len()
}

#[test]
fn a_sealed_submission_is_queued_reviewed_by_two_and_enters_the_bank() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, bureau) = setup(t.path());
    let sealed = seal(t.path(), &bureau, "writer.toml", GOOD.as_bytes());
    // the sealed file does not show its content or its writer
    let raw = std::fs::read(&sealed).unwrap();
    for secret in ["热继电器动作后", "王建国"] {
        assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()));
    }
    let r = submission::import(&cfg, &sealed, qbank::screen::DEFAULT_THRESHOLD, false).unwrap();
    assert_eq!(r.items, ["SUB4-0001", "SUB4-0002"]);
    let q = submission::queued(&cfg, "SUB4-0001").unwrap();
    assert_eq!(
        (q.writer.as_str(), q.status),
        ("王建国", QueueStatus::Pending)
    );
    assert_eq!(q.origin, "writer.toml:5");
    // nor does the store or its audit log
    let audit = serde_json::to_string(&cfg.open().unwrap().audit_entries().unwrap()).unwrap();
    assert!(!audit.contains("王建国"));
    for (_, bytes) in crate::files_under(&cfg.dir) {
        for secret in ["王建国", "热继电器动作后"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        }
    }

    // 四眼原则: one reviewer cannot accept alone, nor twice
    let li = crate::reviewer(&cfg, t.path(), "li-shen");
    let zhang = crate::reviewer(&cfg, t.path(), "zhang-shen");
    let a =
        submission::review(&cfg, "SUB4-0001", &li, Decision::Accept, "", Status::Active).unwrap();
    assert_eq!((a.status, a.entered_bank), (QueueStatus::Pending, None));
    assert!(qbank::ops::show(&cfg, "SUB4-0001", None).is_err());
    let e = submission::review(&cfg, "SUB4-0001", &li, Decision::Accept, "", Status::Active)
        .unwrap_err();
    assert!(e.to_string().contains("四眼原则"), "{e}");
    let b = submission::review(
        &cfg,
        "SUB4-0001",
        &zhang,
        Decision::Accept,
        "同意",
        Status::Active,
    )
    .unwrap();
    assert_eq!(
        (b.status, b.entered_bank),
        (QueueStatus::Accepted, Some(Status::Active))
    );
    let (entry, versions) = qbank::ops::show(&cfg, "SUB4-0001", None).unwrap();
    assert_eq!(versions, vec![1]);
    assert_eq!(entry.status(), Status::Active);
    let qbank::model::Entry::Item(item) = entry else {
        panic!("an item")
    };
    assert_eq!(item.source, Source::Organisation(ORG.into()));

    // changes requested: the writer may resubmit that item; a rejected one may not come back
    let e = submission::review(
        &cfg,
        "SUB4-0002",
        &li,
        Decision::RequestChanges,
        "",
        Status::Pilot,
    )
    .unwrap_err();
    assert!(e.to_string().contains("--comment"), "{e}");
    submission::review(
        &cfg,
        "SUB4-0002",
        &li,
        Decision::RequestChanges,
        "解析请补充熔断器的安秒特性",
        Status::Pilot,
    )
    .unwrap();
    let again = seal(
        t.path(),
        &bureau,
        "writer2.toml",
        GOOD.replace(
            "躲不过启动电流，只作短路保护",
            "按安秒特性躲过启动电流，只能作短路保护",
        )
        .as_bytes(),
    );
    // SUB4-0001 is in the bank now: resubmitting it is refused, naming the id
    let e = submission::import(&cfg, &again, 0.75, false).unwrap_err();
    assert!(
        e.to_string()
            .contains("SUB4-0001: the bank already has an entry with this id"),
        "{e}"
    );
}

#[test]
fn submissions_with_errors_are_refused_with_their_lines_and_nothing_is_queued() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, bureau) = setup(t.path());
    let bad = GOOD
        // a 鉴定点 that does not exist at 四级
        .replace(
            "clause = \"2.1.1\"\ntype = \"单选\"",
            "clause = \"9.9.9\"\ntype = \"单选\"",
        )
        // an answer a 判断 item cannot have
        .replace("answer = \"×\"", "answer = \"C\"");
    let sealed = seal(t.path(), &bureau, "bad.toml", bad.as_bytes());
    let e = submission::import(&cfg, &sealed, 0.75, false).unwrap_err();
    let msg = e.to_string();
    // the problems, named by the sealed file they came in (and exiting as invalid input)
    assert!(
        matches!(&e, Error::In { file, source } if file == &sealed && matches!(**source, Error::Invalid(_))),
        "{msg}"
    );
    assert_eq!(e.exit_code(), 3);
    assert!(msg.contains("bad.toml:7:"), "{msg}");
    assert!(
        msg.contains("bad.toml:21: SUB4-0002: a 判断 answer is"),
        "{msg}"
    );
    // options repeated
    let dup_opts = GOOD.replace(
        r#"["停止按钮", "复位按钮", "启动按钮", "急停按钮"]"#,
        r#"["停止按钮", "复位按钮", "复位按钮", "急停按钮"]"#,
    );
    let e = submission::import(
        &cfg,
        &seal(t.path(), &bureau, "opts.toml", dup_opts.as_bytes()),
        0.75,
        false,
    )
    .unwrap_err();
    assert!(e.to_string().contains("opts.toml:"), "{e}");
    assert_eq!(queue_len(&cfg), 0);

    // a bank item re-punctuated, its options reordered, under a new id: a near-duplicate naming
    // the bank item and the score
    let copy = r#"format = 1
occupation = "6-31-01-03"
level = 4

[[item]]
id = "SUB4-0100"
clause = "2.1.1"
type = "单选"
difficulty = "easy"
stem = "热继电器在电动机控制电路中，主要用作（  ）保护"
options = ["过载", "短路", "失电压", "欠电压"]
answer = "A"
"#;
    let e = submission::import(
        &cfg,
        &seal(t.path(), &bureau, "copy.toml", copy.as_bytes()),
        0.75,
        false,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("copy.toml:5: SUB4-0100: near-duplicate of DG4-0101 (similarity"),
        "{msg}"
    );
    // the same question twice in one submission
    let twice = format!(
        "{GOOD}\n[[item]]\nid = \"SUB4-0003\"\nclause = \"2.1.1\"\ntype = \"单选\"\ndifficulty = \"medium\"\nstem = \"热继电器动作后采用手动复位方式时, 应在故障排除后按下(  )使其复位.\"\noptions = [\"复位按钮\", \"停止按钮\", \"急停按钮\", \"启动按钮\"]\nanswer = \"A\"\n"
    );
    let e = submission::import(
        &cfg,
        &seal(t.path(), &bureau, "twice.toml", twice.as_bytes()),
        0.75,
        false,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("SUB4-0003: near-duplicate of SUB4-0001"),
        "{e}"
    );
    assert_eq!(queue_len(&cfg), 0);
    // another bureau's keys beside the files: the writer's side refuses them (not the pinned
    // ones), and a submission sealed to them does not open here
    let other = sample_store(&t.path().join("other"));
    let other_pub = t.path().join("other.pub");
    org::export_bureau_key(&other, &other_pub).unwrap();
    let e = seal_as(
        t.path(),
        &other_pub,
        ORG,
        "good.toml",
        GOOD.as_bytes(),
        "王",
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 6, "{e}");
    let elsewhere = t.path().join("elsewhere.qsub");
    let sender =
        qbank::package::keys::OrgSecret::read(&t.path().join(format!("orgs/{ORG}.key"))).unwrap();
    let to = qbank::package::keys::BureauPublic::read_encryption_key(&other_pub).unwrap();
    let meta = qbank::package::submission::SubmissionMeta {
        format: 2,
        organisation: ORG.into(),
        writer: "王".into(),
        file_name: "good.toml".into(),
        sealed_at: "2026-01-01T00:00:00Z".into(),
        attachments: Vec::new(),
    };
    std::fs::write(
        &elsewhere,
        qbank::package::submission::seal(&meta, GOOD.as_bytes(), &sender, &to).unwrap(),
    )
    .unwrap();
    let e = submission::import(&cfg, &elsewhere, 0.75, false).unwrap_err();
    assert!(
        e.to_string().contains("投稿文件无法用本鉴定中心的密钥打开"),
        "{e}"
    );
    assert_eq!(queue_len(&cfg), 0);
}

fn workbook(rows: &[[&str; 15]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in submission::EXCEL_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn the_excel_template_is_read_and_its_errors_name_the_row() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, bureau) = setup(t.path());
    let good = [
        [
            "SUBX-0001",
            "6-31-01-03",
            "4",
            "2.1.1",
            "单选",
            "接触器的主触头一般接在（  ）中。",
            "控制电路",
            "主电路",
            "信号电路",
            "照明电路",
            "",
            "B",
            "easy",
            "主触头通断主电路电流。",
            "",
        ],
        [
            "SUBX-0002",
            "6-31-01-03",
            "四级",
            "2.1.1",
            "判断",
            "按钮联锁的正反转控制电路可以不按停止按钮直接换向。",
            "",
            "",
            "",
            "",
            "",
            "√",
            "medium",
            "",
            "",
        ],
        [
            "SUBX-0003",
            "6-31-01-03",
            "4",
            "2.1.1",
            "简答",
            "简述三相异步电动机正反转控制电路中设置接触器联锁的目的。",
            "",
            "",
            "",
            "",
            "",
            "防止两个接触器同时吸合造成电源相间短路。",
            "medium",
            "",
            "说明两接触器同时吸合的后果=2；指出联锁防止相间短路=3",
        ],
    ];
    let r = submission::import(
        &cfg,
        &seal(t.path(), &bureau, "book.xlsx", &workbook(&good)),
        0.75,
        false,
    )
    .unwrap();
    assert_eq!(r.items, ["SUBX-0001", "SUBX-0002", "SUBX-0003"]);
    assert_eq!(
        submission::queued(&cfg, "SUBX-0002").unwrap().origin,
        "book.xlsx:row 3"
    );
    // row 3: a 判断 answer that is not √/×; row 4: a scheme without marks
    let mut bad = good;
    bad[0][0] = "SUBY-0001";
    bad[1][0] = "SUBY-0002";
    bad[2][0] = "SUBY-0003";
    bad[1][11] = "对";
    bad[2][14] = "说明后果";
    let e = submission::import(
        &cfg,
        &seal(t.path(), &bureau, "bad.xlsx", &workbook(&bad)),
        0.75,
        false,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("bad.xlsx:4: 评分要点 `说明后果`"),
        "{e}"
    );
    bad[2][14] = "说明后果=2";
    let e = submission::import(
        &cfg,
        &seal(t.path(), &bureau, "bad.xlsx", &workbook(&bad)),
        0.75,
        false,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("bad.xlsx:3: row 3:"), "{msg}");
    assert_eq!(queue_len(&cfg), 3);
}

#[test]
fn feedback_and_revision_keep_old_versions_and_resolve_the_reports() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, _) = setup(t.path());
    let fb = t.path().join("feedback.csv");
    std::fs::write(
        &fb,
        format!("organisation,item,version,kind,text\n{ORG},DG4-0101,1,答案错误,标准答案应为C\n{ORG},DG4-0102,1,typo,整定\n"),
    )
    .unwrap();
    assert_eq!(revise::import_feedback(&cfg, &fb).unwrap().imported, 2);
    // bad rows: unknown item version and kind; nothing imported
    std::fs::write(
        &fb,
        format!("organisation,item,version,kind,text\n{ORG},DG4-0101,7,typo,x\n{ORG},DG4-0101,1,nonsense,x\n"),
    )
    .unwrap();
    let e = revise::import_feedback(&cfg, &fb).unwrap_err().to_string();
    assert!(
        e.contains("feedback.csv:2: DG4-0101 has no version 7"),
        "{e}"
    );
    assert!(e.contains("feedback.csv:3: kind `nonsense`"), "{e}");
    let cases = revise::list(&cfg).unwrap();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].id, "DG4-0101", "a wrong key comes first");
    // revise DG4-0101 from an edited file
    let edited = t.path().join("edit.toml");
    std::fs::write(
        &edited,
        "format = 1\noccupation = \"6-31-01-03\"\nlevel = 4\n[[item]]\nid = \"DG4-0101\"\nclause = \"2.1.1\"\ntype = \"单选\"\ndifficulty = \"easy\"\np = 0.88\nstem = \"热继电器在电动机控制电路中主要用作（  ）保护。\"\noptions = [\"短路\", \"欠电压\", \"过载\", \"失电压\"]\nanswer = \"C\"\nexplanation = \"热继电器利用电流热效应，反时限动作，用于过载保护。\"\n",
    )
    .unwrap();
    let r = revise::revise(&cfg, "DG4-0101", &edited, "补充解析").unwrap();
    assert_eq!((r.version, r.resolved_feedback), (2, 1));
    let h = revise::history(&cfg, "DG4-0101").unwrap();
    assert_eq!(h[0].reason, "补充解析");
    assert!(
        h[0].evidence[0].contains("标准答案应为C"),
        "{:?}",
        h[0].evidence
    );
    let (old, versions) = qbank::ops::show(&cfg, "DG4-0101", Some(1)).unwrap();
    assert_eq!(versions, vec![1, 2]);
    assert_eq!(old.version(), 1);
    assert_eq!(revise::list(&cfg).unwrap().len(), 1);
    // the same file again changes nothing and is refused
    let e = revise::revise(&cfg, "DG4-0101", &edited, "again").unwrap_err();
    assert!(e.to_string().contains("does not change DG4-0101"), "{e}");
}

#[test]
fn the_committed_excel_template_checks_clean_against_the_sample_standard() {
    let template = crate::sample_bank().join("templates/submission-template.xlsx");
    let r = qbank::ops::check(&[template, crate::sample_standard()]).unwrap();
    assert_eq!((r.entries, r.problems.len()), (3, 0), "{:?}", r.problems);
    // and a broken copy is reported by row
    let t = tempfile::tempdir().unwrap();
    let mut rows = [[""; 15]; 1];
    rows[0] = [
        "X-1",
        "6-31-01-03",
        "4",
        "2.1.1",
        "单选",
        "没有括号的题干。",
        "甲",
        "乙",
        "丙",
        "",
        "",
        "B",
        "",
        "",
        "",
    ];
    let book = t.path().join("mine.xlsx");
    std::fs::write(&book, workbook(&rows)).unwrap();
    let r = qbank::ops::check(&[book.clone(), crate::sample_standard()]).unwrap();
    assert!(
        r.problems
            .iter()
            .any(|d| d.file == book.display().to_string()
                && d.line == 2
                && d.message.starts_with("row 2: X-1:")),
        "{:?}",
        r.problems
    );
}

#[test]
fn an_enterprise_overlay_item_is_drawn_only_into_that_enterprises_papers() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, bureau) = setup(t.path());
    let ent = "Y000132050002";
    let keys = t.path().join("orgs");
    crate::register(
        &cfg,
        &keys,
        ent,
        "苏州恒达电气设备有限公司",
        "Y",
        "6-31-01-03:5",
    );
    let own = r#"format = 1
occupation = "6-31-01-03"
level = 5

[[item]]
id = "HD5-0001"
clause = "J.2.1"
type = "判断"
difficulty = "medium"
p = 0.7
stem = "本公司总装车间的配电箱检修前，须在总开关处挂“禁止合闸，有人工作”标志牌并上锁。"
answer = "√"
"#;
    let sealed = seal_as(t.path(), &bureau, ent, "own.toml", own.as_bytes(), "周工").unwrap();
    // a training organisation cannot keep an own bank
    let e = submission::import(
        &cfg,
        &seal(t.path(), &bureau, "x.toml", GOOD.as_bytes()),
        0.75,
        true,
    )
    .unwrap_err();
    assert!(e.to_string().contains("not an employer"), "{e}");
    submission::import(&cfg, &sealed, 0.75, true).unwrap();
    for r in ["jia-shen", "yi-shen"] {
        let k = crate::reviewer(&cfg, t.path(), r);
        submission::review(&cfg, "HD5-0001", &k, Decision::Accept, "", Status::Active).unwrap();
    }
    let (e, _) = qbank::ops::show(&cfg, "HD5-0001", None).unwrap();
    let qbank::model::Entry::Item(i) = e else {
        panic!()
    };
    assert_eq!(i.overlay.as_deref(), Some(ent));
    // provincial blueprint: never drawn; the enterprise's blueprint: drawn
    let text =
        std::fs::read_to_string(crate::sample_bank().join("6-31-01-03/blueprint-theory-5.toml"))
            .unwrap();
    let own_bp = t.path().join("bp-own.toml");
    std::fs::write(
        &own_bp,
        text.replace(
            "id = \"dg5-theory\"",
            &format!("id = \"dg5-{ent}\"\noverlay = \"{ent}\""),
        ),
    )
    .unwrap();
    let prov_bp = crate::sample_bank().join("6-31-01-03/blueprint-theory-5.toml");
    let mut drawn_own = 0;
    // J.2 (safety) gets a few of the twenty 判断 from nine in the pool: over 24 seeds the item
    // must turn up in the enterprise's papers, and never in a provincial one
    for seed in 1..=24 {
        for (bp, own) in [(&prov_bp, false), (&own_bp, true)] {
            let out = t.path().join(format!("p-{seed}-{own}"));
            qbank::ops::assemble(
                &cfg,
                std::slice::from_ref(bp),
                seed,
                None,
                &out,
                false,
                &qbank::ops::Quiet,
            )
            .unwrap();
            let dir = std::fs::read_dir(&out)
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            let m = std::fs::read_to_string(dir.join("form-01/manifest.json")).unwrap();
            if own {
                drawn_own += usize::from(m.contains("HD5-0001"));
            } else {
                assert!(
                    !m.contains("HD5-0001"),
                    "a provincial paper drew an enterprise's own item"
                );
            }
        }
    }
    assert!(
        drawn_own > 0,
        "the enterprise's own papers never drew its item"
    );
}

/// A 四级 图形题 whose stem shows `fig/zfz.svg` (the sample bank's reversing circuit).
const WITH_FIGURE: &str = r#"format = 1
occupation = "6-31-01-03"
level = 4

[[item]]
id = "SUB4-F001"
clause = "2.1.1"
type = "单选"
difficulty = "medium"
stem = "{{图1}}所示正反转控制电路中，KM1与KM2线圈支路互串对方常闭辅助触点的作用是（  ）。"
options = ["自锁", "电气互锁", "过载保护", "失压保护"]
answer = "B"
explanation = "互串常闭辅助触点使两接触器不能同时吸合，称为电气互锁。"

[[item.figure]]
file = "fig/zfz.svg"
caption = "正反转控制电路"
"#;

fn sample_svg() -> Vec<u8> {
    std::fs::read(crate::sample_bank().join("6-31-01-03/fig/DG4-zfz-interlock.svg")).unwrap()
}

/// Issue 13 part 1: submissions carry figures. A TOML submission referring to a figure beside
/// it was refused at import ("figures are not read here"); now the figure travels sealed with
/// it, is checked by the vault like a bank folder's, and enters the queue with the entry. A
/// figure left behind is refused at sealing, naming it; a hostile SVG is refused at import by
/// name, and nothing is queued.
#[test]
fn a_submitted_figure_travels_sealed_and_is_checked_like_a_bank_folders() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, bureau) = setup(t.path());
    std::fs::create_dir_all(t.path().join("fig")).unwrap();
    // left behind: refused before anything is sealed
    let e = seal_as(
        t.path(),
        &bureau,
        ORG,
        "f.toml",
        WITH_FIGURE.as_bytes(),
        "王建国",
    );
    let msg = e.unwrap_err().to_string();
    assert!(
        msg.contains("fig/zfz.svg") && msg.contains("未封装"),
        "{msg}"
    );
    assert!(!t.path().join("f.toml.qsub").exists());
    // beside it: sealed with it, and it reaches the queue with its bytes
    std::fs::write(t.path().join("fig/zfz.svg"), sample_svg()).unwrap();
    let sealed = seal(t.path(), &bureau, "f.toml", WITH_FIGURE.as_bytes());
    let raw = std::fs::read(&sealed).unwrap();
    assert!(
        !raw.windows(8).any(|w| w == b"<svg xml"),
        "the figure travels sealed"
    );
    submission::import(&cfg, &sealed, 0.75, false).unwrap();
    let q = submission::queued(&cfg, "SUB4-F001").unwrap();
    let qbank::model::Entry::Item(item) = &q.entry else {
        panic!("an item")
    };
    assert_eq!(item.figures.len(), 1);
    assert_eq!(item.figures[0].data, sample_svg());
    assert_eq!(item.figures[0].caption, "正反转控制电路");
    // a hostile SVG is refused at import by the figure's name; nothing is queued
    let hostile = WITH_FIGURE
        .replace("SUB4-F001", "SUB4-F002")
        .replace("fig/zfz.svg", "fig/evil.svg");
    std::fs::write(
        t.path().join("fig/evil.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#,
    )
    .unwrap();
    let sealed = seal(t.path(), &bureau, "evil.toml", hostile.as_bytes());
    let before = queue_len(&cfg);
    let e = submission::import(&cfg, &sealed, 0.75, false).unwrap_err();
    assert!(
        e.to_string().contains("fig/evil.svg") && e.to_string().contains("script"),
        "{e}"
    );
    assert_eq!(queue_len(&cfg), before);
}

/// The Excel template's optional 图片 column names figure files beside the workbook
/// (`文件=图题`); they travel sealed with it and enter the queue with the item.
#[test]
fn an_excel_submission_carries_the_figures_its_picture_column_names() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, bureau) = setup(t.path());
    std::fs::create_dir_all(t.path().join("fig")).unwrap();
    std::fs::write(t.path().join("fig/zfz.svg"), sample_svg()).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let mut head = submission::EXCEL_COLUMNS.to_vec();
    head.push(submission::EXCEL_FIGURE_COLUMN);
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let row = [
        "SUBX-F001",
        "6-31-01-03",
        "四级",
        "2.1.1",
        "单选",
        "{{图1}}所示电路中，KM1、KM2线圈支路互串对方常闭辅助触点的作用是（  ）。",
        "自锁",
        "电气互锁",
        "过载保护",
        "失压保护",
        "",
        "B",
        "medium",
        "两接触器不能同时吸合。",
        "",
        "fig/zfz.svg=正反转控制电路",
    ];
    for (c, v) in row.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
    }
    let sealed = seal(
        t.path(),
        &bureau,
        "book.xlsx",
        &wb.save_to_buffer().unwrap(),
    );
    submission::import(&cfg, &sealed, 0.75, false).unwrap();
    let q = submission::queued(&cfg, "SUBX-F001").unwrap();
    let qbank::model::Entry::Item(item) = &q.entry else {
        panic!("an item")
    };
    assert_eq!(
        (item.figures.len(), item.figures[0].caption.as_str()),
        (1, "正反转控制电路")
    );
    assert_eq!(item.figures[0].data, sample_svg());
}
