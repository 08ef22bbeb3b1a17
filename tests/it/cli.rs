//! CLI transcripts: exit codes, messages, and that a refused command changes nothing.

use crate::{copy_sample, sample_bank};
use std::path::Path;
use std::process::{Command, Output};

fn qbank(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qbank"))
        .current_dir(dir)
        .env_remove("QBANK_STORE")
        .env_remove("QBANK_KEY_FILE")
        .env_remove("QBANK_PASSPHRASE")
        .args(args)
        .output()
        .expect("run qbank")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn status_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json", "status"];
    args.extend_from_slice(extra);
    let o = qbank(dir, &args);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_demo_flow_works_with_default_store_and_key() {
    let t = tempfile::tempdir().unwrap();
    let bank = sample_bank();
    let o = qbank(t.path(), &["import", "--init", bank.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(t.path().join("qbank.key").exists() && t.path().join("qbank-store").is_dir());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.path().join("qbank.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private to its owner");
    }
    let s = status_json(t.path(), &[]);
    assert!(s["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(
        s["levels"]["6-31-01-03"]["4"]["points_covered"],
        s["levels"]["6-31-01-03"]["4"]["points_total"]
    );
    let o = qbank(
        t.path(),
        &[
            "--json",
            "list",
            "--level",
            "中级工",
            "--clause",
            "2.1",
            "--type",
            "多选",
        ],
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["type"] == "多选"
        && r["level"] == 4
        && r["clause"].as_str().unwrap().starts_with("2.1.")));
    assert!(
        rows.iter().all(|r| r.get("stem").is_none()),
        "list shows no content"
    );
    let o = qbank(t.path(), &["show", "DG4-0120"]);
    assert!(
        o.status.success() && text(&o).contains("答案："),
        "{}",
        text(&o)
    );
    let o = qbank(t.path(), &["show", "NOPE-1"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("存储中没有条目 `NOPE-1`"));
}

#[test]
fn a_wrong_key_exits_non_zero_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let bank = sample_bank();
    assert!(
        qbank(t.path(), &["import", "--init", bank.to_str().unwrap()])
            .status
            .success()
    );
    let before = status_json(t.path(), &[]);
    std::fs::write(t.path().join("wrong.key"), [7u8; 32]).unwrap();
    let edited = copy_sample(t.path());
    let o = qbank(
        t.path(),
        &[
            "--key-file",
            "wrong.key",
            "import",
            edited.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("密钥错误"), "{}", text(&o));
    assert_eq!(before, status_json(t.path(), &[]));
    // a passphrase against a key-file store
    let o = Command::new(env!("CARGO_BIN_EXE_qbank"))
        .current_dir(t.path())
        .env("QBANK_PASSPHRASE", "guess")
        .env_remove("QBANK_KEY_FILE")
        .args(["status"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("该存储以密钥文件创建"), "{}", text(&o));
}

#[test]
fn check_prints_file_line_messages_and_exits_1() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let f = bank.join("6-31-01-03/theory-5.toml");
    let text0 = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, text0.replacen("type = \"单选\"", "type = \"选择\"", 1)).unwrap();
    let o = qbank(t.path(), &["check", bank.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    let line = text0.lines().position(|l| l == "type = \"单选\"").unwrap() + 1;
    assert!(
        out.contains(&format!("theory-5.toml:{line}: unknown variant `选择`")),
        "{out}"
    );
    let o = qbank(t.path(), &["check", sample_bank().to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn commands_without_a_store_say_how_to_make_one() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("qbank.key"), [1u8; 32]).unwrap();
    let o = qbank(t.path(), &["status"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(text(&o).contains("qbank init"), "{}", text(&o));
    let o = qbank(t.path(), &["init"]);
    assert!(o.status.success());
    let o = qbank(t.path(), &["init"]);
    assert_eq!(o.status.code(), Some(4), "init never overwrites a store");
}

#[test]
fn gen_writes_a_synthetic_bank_that_checks_and_imports() {
    let t = tempfile::tempdir().unwrap();
    let o = qbank(
        t.path(),
        &["gen", "--items", "3000", "--seed", "9", "--out", "syn"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = qbank(t.path(), &["check", "syn"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = qbank(t.path(), &["import", "--init", "syn"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("新增 3030 条"), "{}", text(&o));
    // the same seed writes the same files
    assert!(
        qbank(
            t.path(),
            &["gen", "--items", "3000", "--seed", "9", "--out", "syn2"]
        )
        .status
        .success()
    );
    let a = std::fs::read(t.path().join("syn/9-90-00-00/theory-4.toml")).unwrap();
    let b = std::fs::read(t.path().join("syn2/9-90-00-00/theory-4.toml")).unwrap();
    assert_eq!(a, b);
}

#[test]
fn sitting_commands_map_refusals_to_exit_codes_and_write_nothing() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let bank = sample_bank();
    let ok = |args: &[&str]| {
        let o = qbank(d, args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        text(&o)
    };
    ok(&["import", "--init", bank.to_str().unwrap()]);
    for id in ["S000032100001", "Y000132050002"] {
        ok(&["org", "keygen", "--id", id, "--out", "keys"]);
    }
    ok(&[
        "org",
        "add",
        "--id",
        "S000032100001",
        "--name",
        "南京金陵职业技能培训学校",
        "--kind",
        "S",
        "--category",
        "training",
        "--region",
        "江苏省南京市",
        "--certify",
        "6-31-01-03:5",
        "--public-key",
        "keys/S000032100001.pub",
    ]);
    crate::pin_cli(d, &["S000032100001"]);
    let plan = format!(
        "format = 1\n[sitting]\nid = \"T-CLI\"\ntitle = \"测试\"\nstart = 2099-06-01T09:00:00+08:00\nend = 2099-06-01T17:00:00+08:00\nseed = 3\nblueprints = [\"{}\"]\n[[paper]]\nblueprint = \"dg5-theory\"\n[[organisation]]\nid = \"S000032100001\"\nruns = [\"6-31-01-03/5\"]\n",
        bank.join("6-31-01-03").display()
    );
    std::fs::write(d.join("plan.toml"), plan).unwrap();
    ok(&["sitting", "plan.toml", "--out", "sit"]);
    assert!(ok(&["sitting", "plan.toml", "--out", "sit2"]).contains("此前已按此计划封装"));
    // too early: exit 3, no release file
    let o = qbank(d, &["release", "T-CLI", "--out", "release.json"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("starts at 2099-06-01T09:00:00+08:00"));
    assert!(!d.join("release.json").exists());
    ok(&[
        "release",
        "T-CLI",
        "--out",
        "release.json",
        "--early-reason",
        "演练",
    ]);
    let unseal = |key: &str, pkg: &str| {
        qbank(
            d,
            &[
                "unseal",
                pkg,
                "--org-key",
                key,
                "--release",
                "release.json",
                "--bureau-key",
                "sit/bureau.pub",
                "--out",
                "opened",
            ],
        )
    };
    // another organisation's key: exit 5; a tampered package: exit 6; nothing written
    let pkg = "sit/packages/S000032100001.qpkg";
    let o = unseal("keys/Y000132050002.key", pkg);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let mut bytes = std::fs::read(d.join(pkg)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(d.join("bad.qpkg"), bytes).unwrap();
    let o = unseal("keys/S000032100001.key", "bad.qpkg");
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    assert!(!d.join("opened").exists());
    let o = unseal("keys/S000032100001.key", pkg);
    assert!(o.status.success(), "{}", text(&o));
    assert!(d.join("opened/dg5-theory/F01/paper.html").is_file());
    assert!(ok(&["audit", "verify"]).contains("审计日志完整"));
    let log = ok(&["audit", "list"]);
    assert!(
        log.contains("提前发布考试批次") && log.contains("演练"),
        "{log}"
    );
}
