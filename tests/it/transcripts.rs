//! CLI transcripts (snapbox): the exact exit code, stdout and stderr of `qbank` for every exit
//! code 0–7 the README lists and for each class of refusal — bank files, blueprints, keys,
//! stores, packages, releases, submissions, organisations' CSV files, output folders. Each
//! refusal names its file. Paths are relative (the commands run in a temporary folder) and the
//! few varying parts (times, digests of fresh keys) are `[..]`.

use snapbox::cmd::Command;
use snapbox::str;
use std::path::Path;

fn qbank(dir: &Path) -> Command {
    Command::new(snapbox::cmd::cargo_bin!("qbank"))
        .current_dir(dir)
        .env_remove("QBANK_STORE")
        .env_remove("QBANK_KEY_FILE")
        .env_remove("QBANK_PASSPHRASE")
        .env_remove("QBANK_NEW_PASSPHRASE")
}

/// Runs a setup command that must succeed.
fn ok(dir: &Path, args: &[&str]) {
    qbank(dir).args(args).assert().success();
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn transcripts_without_a_store() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    crate::copy_sample(d);
    // 0: a valid bank
    qbank(d)
        .args(["check", "bank"])
        .assert()
        .code(0)
        .stdout_eq(str![[r#"
已检查 31 个文件、1 个标准、879 个条目：问题 0 个，警告 0 个

"#]])
        .stderr_eq(str![]);
    // 1: check finds problems, each file:line; a file that is not UTF-8 is one of them
    write(d, "latin1.toml", b"format = 1\n# caf\xe9\n");
    write(
        d,
        "bad.toml",
        "format = 1\noccupation = \"6-31-01-03\"\nlevel = 4\n\n[[item]]\nid = \"X-1\"\nclause = \"9.9.9\"\ntype = \"判断\"\ndifficulty = \"easy\"\nstem = \"题干\"\nanswer = \"√\"\n",
    );
    qbank(d)
        .args([
            "check",
            "latin1.toml",
            "bad.toml",
            "bank/6-31-01-03/standard.toml",
        ])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
latin1.toml:2: not UTF-8 text (byte 17 is not valid UTF-8); save the file as UTF-8
bad.toml:7: X-1: clause 9.9.9 is not a 鉴定点 of 四级 in GZB 6-31-01-03
bad.toml:10: X-1: a 判断 stem is a complete statement ending in 。
已检查 3 个文件、1 个标准、0 个条目：问题 3 个，警告 0 个

"#]])
        .stderr_eq(str![]);
    // 1: a workbook that is no workbook is a problem of its own, by name
    write(d, "items.xlsx", b"PK\x03\x04 not a zip");
    qbank(d)
        .args(["check", "items.xlsx", "bank/6-31-01-03/standard.toml"])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
items.xlsx:0: not a readable Excel workbook (.xlsx)[..]
已检查 2 个文件、1 个标准、0 个条目：问题 1 个，警告 0 个

"#]]);
    // 2: bad arguments, before anything runs
    qbank(d)
        .args([
            "assemble",
            "bank/6-31-01-03/blueprint-theory-5.toml",
            "--seed",
            "1",
            "--out",
            "p",
            "--forms",
            "0",
        ])
        .assert()
        .code(2)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value '0' for '--forms <FORMS>': 0 is not in 1..=1000

For more information, try '--help'.

"#]]);
    qbank(d)
        .args(["frobnicate"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: unrecognized subcommand 'frobnicate'
...
"#]]);
    // 4: no store
    qbank(d)
        .args(["status"])
        .assert()
        .code(4)
        .stderr_eq(str![[r#"
错误：qbank-store 处没有存储：请用 `qbank init` 创建，或用 --store / QBANK_STORE 指向已有的存储

"#]]);
    // 5: an empty passphrase would derive a guessable key; nothing is created
    qbank(d)
        .env("QBANK_PASSPHRASE", "")
        .args(["init"])
        .assert()
        .code(5)
        .stderr_eq(str![[r#"
错误：QBANK_PASSPHRASE 已设置但为空：请给出口令，或改用密钥文件（--key-file）

"#]]);
    assert!(!d.join("qbank-store").exists());
    // 3: a file named on the command line that is a FIFO is refused by name, never opened
    #[cfg(unix)]
    {
        let fifo = d.join("fifo.toml");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        qbank(d)
            .args(["check", "fifo.toml"])
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(3)
            .stderr_eq(str![[r#"
错误：fifo.toml: not a regular file (a FIFO, socket or device); bank files are plain text files

"#]]);
    }
}

/// A store with the sample bank, two organisations (keys in `keys/`), and two sealed sittings
/// for 南京 (T-ONE released early, T-TWO in the future and not released).
fn sealed_world(d: &Path) {
    crate::copy_sample(d);
    ok(d, &["import", "--init", "bank"]);
    for id in ["S000032100001", "Y000132050002"] {
        ok(d, &["org", "keygen", "--id", id, "--out", "keys"]);
        ok(
            d,
            &[
                "org",
                "add",
                "--id",
                id,
                "--name",
                "测试机构",
                "--kind",
                &id[..1],
                "--category",
                if id.starts_with('S') {
                    "training"
                } else {
                    "enterprise"
                },
                "--region",
                "江苏省南京市",
                "--certify",
                "6-31-01-03:5",
                "--public-key",
                &format!("keys/{id}.pub"),
            ],
        );
    }
    crate::pin_cli(d, &["S000032100001", "Y000132050002"]);
    // the second sitting uses a copy of the 五级 blueprint without cooldown (the pool is small)
    let bp = std::fs::read_to_string(d.join("bank/6-31-01-03/blueprint-theory-5.toml"))
        .unwrap()
        .replace("id = \"dg5-theory\"", "id = \"dg5-nocool\"")
        .replace("cooldown = 2", "cooldown = 0");
    std::fs::create_dir_all(d.join("bp")).unwrap();
    write(d, "bp/bp5.toml", bp);
    for (id, bp) in [("T-ONE", "dg5-theory"), ("T-TWO", "dg5-nocool")] {
        write(
            d,
            &format!("{id}.toml"),
            format!(
                "format = 1\n[sitting]\nid = \"{id}\"\ntitle = \"测试\"\nstart = 2099-06-01T09:00:00+08:00\nend = 2099-06-01T17:00:00+08:00\nseed = 3\nblueprints = [\"bank/6-31-01-03\", \"bp\"]\n[[paper]]\nblueprint = \"{bp}\"\n[[organisation]]\nid = \"S000032100001\"\nruns = [\"6-31-01-03/5\"]\n[[organisation]]\nid = \"Y000132050002\"\nruns = [\"6-31-01-03/5\"]\n"
            ),
        );
        ok(d, &["sitting", &format!("{id}.toml"), "--out", id]);
    }
    ok(
        d,
        &[
            "release",
            "T-ONE",
            "--out",
            "T-ONE.release.json",
            "--early-reason",
            "演练",
        ],
    );
}

fn unseal(d: &Path, pkg: &str, key: &str, release: &str) -> snapbox::cmd::OutputAssert {
    qbank(d)
        .args([
            "unseal",
            pkg,
            "--org-key",
            key,
            "--release",
            release,
            "--bureau-key",
            "T-ONE/bureau.pub",
            "--out",
            "opened",
        ])
        .assert()
}

const PKG: &str = "T-ONE/packages/S000032100001.qpkg";
const KEY: &str = "keys/S000032100001.key";
const REL: &str = "T-ONE.release.json";

#[test]
fn transcripts_with_a_store_and_sealed_packages() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    sealed_world(d);

    // 3: a bank file that is not UTF-8, at import; nothing is changed
    write(d, "latin1.toml", b"format = 1\n# caf\xe9\n");
    qbank(d)
        .args(["import", "latin1.toml"])
        .assert()
        .code(3)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
错误：发现 1 个问题，未做任何改动：
  latin1.toml:2: not UTF-8 text (byte 17 is not valid UTF-8); save the file as UTF-8

"#]]);
    // 3: an infeasible blueprint names its file and line
    let bp = std::fs::read_to_string(d.join("bank/6-31-01-03/blueprint-practical-4.toml"))
        .unwrap()
        .replace("minutes = 360", "minutes = 1");
    write(d, "short.toml", bp);
    qbank(d)
        .args(["assemble", "short.toml", "--seed", "1", "--out", "p"])
        .assert()
        .code(3)
        .stderr_eq(str![[r#"
错误：short.toml:5: blueprint dg4-practical cannot be met; nothing was built:
  - even the shortest eligible tasks take 270 minutes in all, over the limit of 1 minutes


"#]]);
    assert!(!d.join("p").exists());
    // 3: a release before the start; no release file
    qbank(d)
        .args(["release", "T-TWO", "--out", "T-TWO.release.json"])
        .assert()
        .code(3)
        .stderr_eq(str![[r#"
错误：sitting T-TWO starts at 2099-06-01T09:00:00+08:00[..]

"#]]);
    assert!(!d.join("T-TWO.release.json").exists());

    // 4: no such entry; a store that exists
    qbank(d)
        .args(["show", "NOPE-1"])
        .assert()
        .code(4)
        .stderr_eq(str![[r#"
错误：存储中没有条目 `NOPE-1`

"#]]);
    qbank(d).args(["init"]).assert().code(4).stderr_eq(str![[r#"
错误：qbank-store 处已有存储，拒绝覆盖

"#]]);

    // 5: key problems, each naming the key file
    qbank(d)
        .args(["--key-file", "missing.key", "status"])
        .assert()
        .code(5)
        .stderr_eq(str![[r#"
错误：密钥文件 missing.key：cannot be read: No such file or directory (os error 2)

"#]]);
    write(d, "garbage.key", "not a key");
    qbank(d)
        .args(["--key-file", "garbage.key", "status"])
        .assert()
        .code(5)
        .stderr_eq(str![[r#"
警告：密钥文件 garbage.key 的权限为 0644，同组或其他用户可读；请执行 chmod 600 garbage.key
错误：密钥文件 garbage.key：expected exactly 32 bytes, found 9; is this a qbank key file?

"#]]);
    write(d, "other.key", [7u8; 32]);
    qbank(d)
        .args(["--key-file", "other.key", "status"])
        .assert()
        .code(5)
        .stderr_eq(str![[r#"
警告：密钥文件 other.key 的权限为 0644，同组或其他用户可读；请执行 chmod 600 other.key
错误：密钥错误：该密钥文件解不开本存储的数据密钥；未读取或改动任何内容

"#]]);
    qbank(d)
        .env("QBANK_PASSPHRASE", "")
        .args(["status"])
        .assert()
        .code(5)
        .stderr_eq(str![[r#"
错误：QBANK_PASSPHRASE 已设置但为空：请给出口令，或改用密钥文件（--key-file）

"#]]);
    // 5: another organisation's key, named by the package
    unseal(d, PKG, "keys/Y000132050002.key", REL)
        .code(5)
        .stderr_eq(str![[r#"
错误：T-ONE/packages/S000032100001.qpkg: 此封装包属于机构 S000032100001，但给出的是机构 Y000132050002 的密钥；未写入任何文件

"#]]);

    // 6: a changed byte in the package
    let bytes = std::fs::read(d.join(PKG)).unwrap();
    let mut b = bytes.clone();
    let last = b.len() - 1;
    b[last] ^= 1;
    write(d, "tampered.qpkg", &b);
    unseal(d, "tampered.qpkg", KEY, REL)
        .code(6)
        .stderr_eq(str![[r#"
错误：已拒绝：tampered.qpkg: the package's content is not the ciphertext its signed manifest names (altered, or swapped from another package)；未写入任何文件

"#]]);
    // 6: the manifest (and its signature) of the same organisation's package of another sitting
    let other = std::fs::read(d.join("T-TWO/packages/S000032100001.qpkg")).unwrap();
    let head = |b: &[u8]| {
        let m = b"QBANK-PACKAGE/2\n".len();
        m + 4 + u32::from_be_bytes(b[m..m + 4].try_into().unwrap()) as usize + 64
    };
    let mut swapped = other[..head(&other)].to_vec();
    swapped.extend_from_slice(&bytes[head(&bytes)..]);
    write(d, "swapped.qpkg", &swapped);
    unseal(d, "swapped.qpkg", KEY, REL)
        .code(6)
        .stderr_eq(str![[r#"
错误：已拒绝：swapped.qpkg: the release is for sitting T-ONE, the package for sitting T-TWO；未写入任何文件

"#]]);
    // 6: a forged release, a release file that is none, a package file that is none
    let rel = std::fs::read_to_string(d.join(REL)).unwrap();
    write(d, "forged.json", rel.replace("T-ONE", "T-ONF"));
    unseal(d, PKG, KEY, "forged.json").code(6).stderr_eq(str![[r#"
错误：已拒绝：forged.json: the release is not signed by the bureau key [..] (forged or altered)；未写入任何文件

"#]]);
    write(d, "junk.json", "{}");
    unseal(d, PKG, KEY, "junk.json").code(6).stderr_eq(str![[r#"
错误：已拒绝：junk.json: this is not a qbank release file；未写入任何文件

"#]]);
    write(d, "junk.qpkg", "hello");
    unseal(d, "junk.qpkg", KEY, REL).code(6).stderr_eq(str![[r#"
错误：已拒绝：junk.qpkg: this is not a qbank sealed package (QBANK-PACKAGE/4 or /3)；未写入任何文件

"#]]);
    assert!(!d.join("opened").exists(), "no refusal wrote anything");
    // 0: the genuine package opens
    unseal(d, PKG, KEY, REL).code(0).stderr_eq(str![]);
    assert!(d.join("opened/dg5-theory/F01/paper.html").is_file());

    // submissions: a file that is none (6), one from an organisation not in the catalog (6: its
    // origin cannot be verified against a registered key)
    write(d, "junk.qsub", "hello");
    qbank(d)
        .args(["submission", "import", "junk.qsub"])
        .assert()
        .code(6)
        .stderr_eq(str![[r#"
错误：已拒绝：junk.qsub: 这不是 qbank 封装的投稿文件（应以 QBANK-SUBMISSION/2 开头）；未写入任何文件

"#]]);
    ok(
        d,
        &["org", "keygen", "--id", "S999999999999", "--out", "keys"],
    );
    crate::pin_cli(d, &["S999999999999"]);
    ok(
        d,
        &[
            "submission",
            "seal",
            "bank/6-31-01-03/theory-5.toml",
            "--org-key",
            "keys/S999999999999.key",
            "--bureau-key",
            "T-ONE/bureau.pub",
            "--writer",
            "王",
            "--out",
            "stranger.qsub",
        ],
    );
    qbank(d)
        .args(["submission", "import", "stranger.qsub"])
        .assert()
        .code(6)
        .stderr_eq(str![[r#"
错误：已拒绝：stranger.qsub: 投稿所称机构 S999999999999 未在目录中登记，已拒收，未存储任何内容；未写入任何文件

"#]]);

    // 3: organisations' CSV files, by file:line
    write(d, "responses.csv", "candidate,copy,1,x\n1,C,A,B\n");
    qbank(d)
        .args(["analysis", "responses.csv"])
        .assert()
        .code(3)
        .stderr_eq(str![[r#"
错误：发现 1 个问题，未做任何改动：
  responses.csv:1: column 4: `x` is not a question number

"#]]);
    write(d, "feedback.csv", "who,what\nS1,x\n");
    qbank(d)
        .args(["feedback", "import", "feedback.csv"])
        .assert()
        .code(3)
        .stderr_eq(str![[r#"
错误：发现 1 个问题，未做任何改动：
  feedback.csv:1: the header must be: [..]

"#]]);

    // 7: an output folder that cannot be made (its parent is a file)
    qbank(d)
        .args(["export", "--out", "qbank.key/bank"])
        .assert()
        .code(7)
        .stderr_eq(str![[r#"
错误：无法[..] qbank.key/bank[..]

"#]]);

    // 0: the log verifies after all of it
    qbank(d)
        .args(["audit", "verify"])
        .assert()
        .code(0)
        .stdout_eq(str![[r#"
审计日志完整：共 7 条，链接与签名均已验证；最新为第 7 条 [..]

"#]]);
}
