//! Writes the seed corpora that need the fixed test keys (packages, releases, submissions):
//! `cargo +nightly run --example seeds` in `fuzz/`. Run once; the files are committed.

use qbank::package::keys::BureauPublic;
use qbank::package::submission::{SubmissionMeta, seal as seal_submission};
use qbank::package::{PackageManifest, PaperRef, seal, sign_release};
use qbank_fuzz::*;
use std::path::Path;

fn write(dir: &str, name: &str, bytes: &[u8]) {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(dir);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(name), bytes).unwrap();
}

fn main() {
    let bureau = bureau_key();
    let public: BureauPublic = bureau.public();
    let manifest = PackageManifest {
        format: 2,
        sitting: SITTING.into(),
        title: "fuzz".into(),
        organisation: ORG.into(),
        organisation_name: "fuzz".into(),
        organisation_key: String::new(),
        start: "2026-11-28T01:00:00Z".into(),
        end: "2026-11-28T03:00:00Z".into(),
        bureau_key: String::new(),
        release_key_sha256: String::new(),
        audit: release().audit,
        papers: vec![PaperRef {
            occupation: "6-31-01-03".into(),
            level: 4,
            kind: "theory".into(),
            blueprint: "dg4-theory".into(),
            form: 1,
            copy: "S000032100001-DG4-F01".into(),
        }],
        // filled in by `seal`
        documents: Vec::new(),
        content_sha256: String::new(),
    };
    let docs = vec![
        (
            "dg4-theory/F01/paper.md".to_string(),
            b"# paper\n1. x\n".to_vec(),
        ),
        (
            "dg4-theory/F01/copy.json".to_string(),
            b"{\"questions\":[]}".to_vec(),
        ),
    ];
    let org = org_key().public().unwrap();
    let pkg = seal(manifest, &docs, &org, &RELEASE_KEY, &bureau).unwrap();
    // The seed must open with the fixtures the target uses, or the fuzzer never gets past the
    // signature.
    qbank::package::open(&pkg, &org_key(), &release(), &public).unwrap();
    write("package", "valid.qpkg", &pkg);
    let text = sign_release(&release(), &bureau);
    qbank::package::read_release(&text, &public).unwrap();
    write("release", "valid.json", text.as_bytes());
    let mut early = release();
    early.early = true;
    early.reason = Some("fuzz".into());
    early.released_at = "2026-11-27T01:00:00Z".into();
    write(
        "release",
        "early.json",
        sign_release(&early, &bureau).as_bytes(),
    );
    let to = bureau_submission_key().public().unwrap();
    for (name, file) in [
        (
            "toml.qsub",
            &include_bytes!("../corpus/bank_file/theory-item.toml")[..],
        ),
        (
            "xlsx.qsub",
            &include_bytes!("../corpus/workbook/template.xlsx")[..],
        ),
    ] {
        let meta = SubmissionMeta {
            format: 2,
            organisation: ORG.into(),
            writer: "fuzz".into(),
            file_name: name.replace(".qsub", ""),
            sealed_at: "2026-11-01T00:00:00Z".into(),
            attachments: Vec::new(),
        };
        // authenticated with the organisation's fixed test key, as the target's registry has it
        let sealed = seal_submission(&meta, file, &org_key(), &to).unwrap();
        qbank::package::submission::open(&sealed, &bureau_submission_key(), |_| org_key().public())
            .unwrap();
        write("submission", name, &sealed);
    }
}
