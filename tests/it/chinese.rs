//! What a person reads on the CLI is Chinese: `list`, `review list`, `review show` and
//! `audit list` show statuses, decisions and operations in Chinese (no Rust enum name, no
//! status code, no raw JSON), levels as 四级/中级工, and their columns line up by display
//! width (a CJK character takes two terminal columns).

use crate::sample_store;
use qbank::model::Status;
use qbank::ops::org;
use qbank::ops::submission::{self, Decision};
use std::path::Path;
use std::process::Command;
use unicode_width::UnicodeWidthStr;

const ORG: &str = "S000032100001";

const ITEMS: &str = r#"format = 1
occupation = "6-31-01-03"
level = 4

[[item]]
id = "ZH4-0001"
clause = "2.1.1"
type = "单选"
difficulty = "medium"
stem = "热继电器动作后采用手动复位方式时，应在故障排除后按下（  ）使其复位。"
options = ["停止按钮", "复位按钮", "启动按钮", "急停按钮"]
answer = "B"

[[item]]
id = "ZH4-0002"
clause = "2.1.1"
type = "判断"
difficulty = "easy"
stem = "熔断器在电动机控制电路中既能作短路保护，也能可靠地作长期过载保护。"
answer = "×"
"#;

/// Words a user must never read in human output: Rust enum names (`{:?}`), status and
/// decision codes that are only the JSON form, and English counters.
const FORBIDDEN: &[&str] = &[
    "Pending",
    "ChangesRequested",
    "RequestChanges",
    "Accepted",
    "Rejected",
    "WrongKey",
    "Suspended",
    "pending",
    "changes-requested",
    "request-changes",
    "accepted",
    "active",
    "suspended",
    "pilot",
    "entr(ies)",
    "item(s)",
    "reviews ",
    "{\"",
];

fn run(dir: &Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_qbank"))
        .current_dir(dir)
        .env_remove("QBANK_STORE")
        .env_remove("QBANK_PASSPHRASE")
        .args(["--store", "store", "--key-file", "master.key"])
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn no_english_codes(what: &str, out: &str) {
    for w in FORBIDDEN {
        assert!(!out.contains(w), "{what} shows `{w}`:\n{out}");
    }
}

/// The cells of a table line (runs of two or more spaces separate them) with their display
/// columns: (start, end, text).
fn cells(line: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut col = 0;
    let mut cell = String::new();
    let mut start = 0;
    let mut spaces = 0;
    for ch in line.chars() {
        if ch == ' ' {
            spaces += 1;
        } else {
            if spaces >= 2 && !cell.is_empty() {
                let c = std::mem::take(&mut cell);
                out.push((start, start + c.width(), c));
            }
            if cell.is_empty() {
                start = col;
            } else {
                cell.extend(std::iter::repeat_n(' ', spaces));
            }
            spaces = 0;
            cell.push(ch);
        }
        col += ch.to_string().width();
    }
    if !cell.is_empty() {
        out.push((start, start + cell.width(), cell));
    }
    out
}

/// Every row of the table has the header's columns, each starting where the header's does
/// (left-aligned) or ending where it does (right-aligned), by display width.
fn aligned(what: &str, table: &[&str]) {
    let head = cells(table[0]);
    assert!(head.len() >= 3, "{what}: {}", table[0]);
    let rows: Vec<_> = table.iter().map(|l| cells(l)).collect();
    for (r, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), head.len(), "{what} line {r}: {}", table[r]);
    }
    for k in 0..head.len() {
        let starts = rows.iter().all(|row| row[k].0 == head[k].0);
        let ends = rows.iter().all(|row| row[k].1 == head[k].1);
        assert!(
            starts || ends,
            "{what}: column {k} ({}) does not line up:\n{}",
            head[k].2,
            table.join("\n")
        );
    }
}

#[test]
fn review_show_audit_and_list_read_in_chinese_with_columns_aligned_by_display_width() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let cfg = sample_store(d);
    crate::register(
        &cfg,
        &d.join("orgs"),
        ORG,
        "南京金陵职业技能培训学校",
        "S",
        "6-31-01-03:5,4,3",
    );
    let bureau = d.join("bureau.pub");
    org::export_bureau_key(&cfg, &bureau).unwrap();
    let sealed =
        crate::submission::seal_as(d, &bureau, ORG, "writer.toml", ITEMS.as_bytes(), "王建国")
            .unwrap();
    submission::import(&cfg, &sealed, qbank::screen::DEFAULT_THRESHOLD, false).unwrap();
    // one item sent back for changes, the other accepted once (still pending a second reviewer)
    let r1 = crate::reviewer(&cfg, d, "rev-li");
    submission::review(
        &cfg,
        "ZH4-0001",
        &r1,
        Decision::RequestChanges,
        "选项表述需统一",
        Status::Pilot,
    )
    .unwrap();
    submission::review(&cfg, "ZH4-0002", &r1, Decision::Accept, "", Status::Pilot).unwrap();
    // an entry of the bank suspended, so `list` shows more than one status
    qbank::ops::set_entry_status(&cfg, "DG4-0101", Status::Suspended, "答案待核").unwrap();

    let queue = run(d, &["review", "list"]);
    no_english_codes("review list", &queue);
    assert!(
        queue.contains("退回修改") && queue.contains("待审核"),
        "{queue}"
    );
    let lines: Vec<&str> = queue.lines().collect();
    aligned("review list", &lines[..lines.len() - 1]);

    let show = run(d, &["review", "show", "ZH4-0001"]);
    no_english_codes("review show", &show);
    for label in [
        "试题编号：",
        "审核状态：退回修改",
        "提交机构：",
        "试题内容：",
        "审核记录",
    ] {
        assert!(show.contains(label), "review show lacks {label}:\n{show}");
    }
    assert!(
        show.contains("等级 四级/中级工") && show.contains("  B. 复位按钮"),
        "{show}"
    );
    assert!(show.contains("rev-li 退回修改"), "{show}");

    let log = run(d, &["audit", "list"]);
    no_english_codes("audit list", &log);
    for op in [
        "创建存储",
        "导入题库",
        "导入补充试题",
        "审核",
        "暂停使用试题",
    ] {
        assert!(log.contains(op), "audit list lacks {op}:\n{log}");
    }
    assert!(
        log.contains("审核结论：退回修改") && log.contains("新状态：暂停使用"),
        "{log}"
    );
    let lines: Vec<&str> = log.lines().collect();
    aligned("audit list", &lines[..lines.len() - 1]);

    let list = run(d, &["list", "--level", "4", "--clause", "2.1"]);
    no_english_codes("list", &list);
    assert!(list.contains("四级/中级工") && list.contains("暂停使用") && list.contains("在用"));
    let lines: Vec<&str> = list.lines().collect();
    aligned("list", &lines[..lines.len() - 1]);
    assert!(lines.last().unwrap().starts_with("共 "), "{list}");
}

#[test]
fn the_table_check_tells_character_padding_from_display_width_padding() {
    // padded by characters (what `{:<6}` does), a CJK cell pushes the next column right
    let by_chars = [
        format!("{:<6}{:<6}{}", "id", "level", "n"),
        format!("{:<6}{:<6}{}", "a", "四级/中级工", "1"),
    ];
    let rows: Vec<&str> = by_chars.iter().map(String::as_str).collect();
    let r = std::panic::catch_unwind(|| aligned("chars", &rows));
    assert!(r.is_err(), "padding by characters must not pass");
    let by_width = qbank::text::table(
        &[
            vec!["id".into(), "level".into(), "n".into()],
            vec!["a".into(), "四级/中级工".into(), "1".into()],
        ],
        &[],
    );
    let rows: Vec<&str> = by_width.iter().map(String::as_str).collect();
    aligned("width", &rows);
}
