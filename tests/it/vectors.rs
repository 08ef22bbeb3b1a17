//! Frozen vectors of qbank's own package and release formats (`tests/data/vectors/package/`):
//! made once by this version (`QBANK_BLESS_VECTORS=1 cargo test --test it vectors::`) and opened
//! by every later one; each `fail_*` variant must be refused with the right exit code. The keys
//! there are test keys, made for these files only.

use qbank::package::keys::{BureauKey, BureauPublic, OrgSecret};
use qbank::package::{self, Checkpoint, PackageManifest, Release};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ORG: &str = "S000000000001";
const SITTING: &str = "VECTOR-1";
const DOC: (&str, &str) = ("v-theory/F01/paper.md", "# 测试卷\n\n1. 测试题干（  ）。\n");

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors/package")
}

fn manifest() -> PackageManifest {
    PackageManifest {
        format: package::MANIFEST_FORMAT,
        sitting: SITTING.into(),
        title: "测试向量".into(),
        organisation: ORG.into(),
        organisation_name: "测试机构".into(),
        organisation_key: String::new(),
        start: "2026-01-01T09:00:00+08:00".into(),
        end: "2026-01-01T17:00:00+08:00".into(),
        bureau_key: String::new(),
        release_key_sha256: String::new(),
        audit: Checkpoint {
            seq: 1,
            hash: "0".repeat(64),
        },
        papers: Vec::new(),
        documents: Vec::new(),
        content_sha256: String::new(),
    }
}

fn release(bureau: &BureauKey, keys: BTreeMap<String, String>, withheld: Vec<String>) -> String {
    package::sign_release(
        &Release {
            format: package::RELEASE_FORMAT,
            sitting: SITTING.into(),
            start: "2026-01-01T09:00:00+08:00".into(),
            released_at: "2026-01-01T09:00:00+08:00".into(),
            early: false,
            reason: None,
            release_key: None,
            keys,
            withheld,
            bureau_key: bureau.public().fingerprint(),
            audit: Checkpoint {
                seq: 2,
                hash: "0".repeat(64),
            },
        },
        bureau,
    )
}

/// Splits a package into (manifest JSON, signature, content) by its documented layout.
fn parts(pkg: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let rest = &pkg[16..];
    let n = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
    let rest = &rest[4..];
    (
        rest[..n].to_vec(),
        rest[n..n + 64].to_vec(),
        rest[n + 64..].to_vec(),
    )
}

fn join(magic: &[u8], manifest: &[u8], sig: &[u8], content: &[u8]) -> Vec<u8> {
    let mut out = magic.to_vec();
    out.extend_from_slice(&(manifest.len() as u32).to_be_bytes());
    out.extend_from_slice(manifest);
    out.extend_from_slice(sig);
    out.extend_from_slice(content);
    out
}

fn bless(d: &Path) {
    let _ = std::fs::remove_dir_all(d);
    std::fs::create_dir_all(d).unwrap();
    let org = OrgSecret::generate(ORG).unwrap();
    org.write_pair(d).unwrap();
    let bureau = BureauKey::generate().unwrap();
    std::fs::write(
        d.join("bureau.pub"),
        bureau.public().file_text("测试", None),
    )
    .unwrap();
    let rk = package::new_release_key().unwrap();
    let docs = vec![(DOC.0.to_string(), DOC.1.as_bytes().to_vec())];
    let pk = org.public().unwrap();
    let pkg = package::seal(manifest(), &docs, &pk, &rk, &bureau).unwrap();
    std::fs::write(d.join("package.qpkg"), &pkg).unwrap();
    let sealed = package::seal_release_key(ORG, &pk, SITTING, &rk).unwrap();
    let keys = BTreeMap::from([(ORG.to_string(), sealed)]);
    std::fs::write(d.join("release.json"), release(&bureau, keys, Vec::new())).unwrap();
    // refused variants
    let mut flipped = pkg.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 1;
    std::fs::write(d.join("fail_flipped_byte.qpkg"), flipped).unwrap();
    let other = package::seal(
        manifest(),
        &[(DOC.0.to_string(), b"other".to_vec())],
        &pk,
        &rk,
        &bureau,
    )
    .unwrap();
    let (m, s, _) = parts(&other);
    let (_, _, c) = parts(&pkg);
    std::fs::write(
        d.join("fail_swapped_manifest.qpkg"),
        join(b"QBANK-PACKAGE/3\n", &m, &s, &c),
    )
    .unwrap();
    // a manifest of another format, correctly signed
    let (m, _, c) = parts(&pkg);
    let mut v: serde_json::Value = serde_json::from_slice(&m).unwrap();
    v["format"] = 1.into();
    let m = serde_json::to_vec(&v).unwrap();
    let s = bureau.sign("qbank-manifest/2", &m);
    std::fs::write(
        d.join("fail_format.qpkg"),
        join(b"QBANK-PACKAGE/3\n", &m, &s, &c),
    )
    .unwrap();
    let impostor = OrgSecret::generate(ORG).unwrap();
    let imp = d.join("impostor");
    impostor.write_pair(&imp).unwrap();
    std::fs::rename(imp.join(format!("{ORG}.key")), d.join("fail_wrong_key.key")).unwrap();
    std::fs::remove_dir_all(&imp).unwrap();
    let forger = BureauKey::generate().unwrap();
    let sealed = package::seal_release_key(ORG, &pk, SITTING, &rk).unwrap();
    let keys = BTreeMap::from([(ORG.to_string(), sealed)]);
    std::fs::write(
        d.join("fail_forged_release.json"),
        release(&forger, keys, Vec::new()),
    )
    .unwrap();
    std::fs::write(
        d.join("fail_withheld_release.json"),
        release(&bureau, BTreeMap::new(), vec![ORG.to_string()]),
    )
    .unwrap();
}

fn open(d: &Path, pkg: &str, key: &str, rel: &str) -> qbank::Result<package::Documents> {
    let bureau = BureauPublic::read(&d.join("bureau.pub"))?;
    let org = OrgSecret::read(&d.join(key))?;
    let r = package::read_release(&std::fs::read_to_string(d.join(rel)).unwrap(), &bureau)?;
    package::open(&std::fs::read(d.join(pkg)).unwrap(), &org, &r, &bureau).map(|(_, docs)| docs)
}

#[test]
fn frozen_package_and_release_open_and_every_fail_variant_is_refused_with_its_exit_code() {
    let d = dir();
    if std::env::var_os("QBANK_BLESS_VECTORS").is_some() {
        bless(&d);
    }
    let key = format!("{ORG}.key");
    let docs = open(&d, "package.qpkg", &key, "release.json").expect("the frozen package opens");
    assert_eq!(docs, vec![(DOC.0.to_string(), DOC.1.as_bytes().to_vec())]);
    for (pkg, key, rel, code) in [
        ("fail_flipped_byte.qpkg", key.as_str(), "release.json", 6),
        ("fail_swapped_manifest.qpkg", &key, "release.json", 6),
        ("fail_format.qpkg", &key, "release.json", 6),
        ("package.qpkg", "fail_wrong_key.key", "release.json", 5),
        ("package.qpkg", &key, "fail_forged_release.json", 6),
        ("package.qpkg", &key, "fail_withheld_release.json", 5),
    ] {
        let e = open(&d, pkg, key, rel).expect_err(pkg);
        assert_eq!(e.exit_code(), code, "{pkg} {key} {rel}: {e}");
    }
    // the clear manifest of the frozen package names no digest of its document
    let text =
        String::from_utf8_lossy(&std::fs::read(d.join("package.qpkg")).unwrap()).into_owned();
    assert!(!text.contains(&package::sha256_hex(DOC.1.as_bytes())));
}

/// Frozen vectors of the authenticated submission format (`QBANK-SUBMISSION/2`) and of an
/// organisation key file with pinned bureau keys (`tests/data/vectors/submission/`), made like
/// the package vectors (`QBANK_BLESS_VECTORS=1`). `fail_*` submissions must be refused as
/// failed verification (exit 6); the pinned key file must refuse a substituted bureau.pub.
mod submission {
    use qbank::package::keys::{BureauKey, BureauPin, OrgSecret, pinned_bureau, read_org_public};
    use qbank::package::submission::{self, SubmissionMeta};
    use std::path::{Path, PathBuf};

    const ORG: &str = "S000000000001";
    const OTHER: &str = "S000000000002";
    const FILE: &str = "format = 1\noccupation = \"6-31-01-03\"\nlevel = 5\n";

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors/submission")
    }

    fn meta(org: &str) -> SubmissionMeta {
        SubmissionMeta {
            format: submission::FORMAT,
            organisation: org.into(),
            writer: "测试".into(),
            file_name: "items.toml".into(),
            sealed_at: "2026-01-01T00:00:00Z".into(),
            attachments: Vec::new(),
        }
    }

    fn bless(d: &Path) {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).unwrap();
        let bureau_x = OrgSecret::generate("bureau").unwrap();
        bureau_x.write_pair(d).unwrap();
        let signing = BureauKey::generate().unwrap();
        let to = bureau_x.public().unwrap();
        std::fs::write(
            d.join("bureau-keys.pub"),
            signing.public().file_text("测试", Some(&to)),
        )
        .unwrap();
        let org = OrgSecret::generate(ORG).unwrap();
        org.write_pair(d).unwrap();
        let other = OrgSecret::generate(OTHER).unwrap();
        other.write_pair(d).unwrap();
        let pin = BureauPin::read(&d.join("bureau-keys.pub")).unwrap();
        OrgSecret::pin_into(&d.join(format!("{ORG}.key")), &pin).unwrap();
        let forger = BureauKey::generate().unwrap();
        let forger_x = OrgSecret::generate("bureau").unwrap();
        std::fs::write(
            d.join("fail_substituted_bureau.pub"),
            forger
                .public()
                .file_text("测试", Some(&forger_x.public().unwrap())),
        )
        .unwrap();
        let good = submission::seal(&meta(ORG), FILE.as_bytes(), &org, &to).unwrap();
        std::fs::write(d.join("submission.qsub"), &good).unwrap();
        let mut flipped = good.clone();
        let at = flipped.len() - 20;
        flipped[at] ^= 1;
        std::fs::write(d.join("fail_flipped_byte.qsub"), flipped).unwrap();
        // a fresh key claiming ORG; OTHER's registered key relabelled as ORG
        let stranger = OrgSecret::generate(ORG).unwrap();
        std::fs::write(
            d.join("fail_forged_origin.qsub"),
            submission::seal(&meta(ORG), FILE.as_bytes(), &stranger, &to).unwrap(),
        )
        .unwrap();
        let relabelled = OrgSecret::from_secret(ORG, other.secret_bytes()).unwrap();
        std::fs::write(
            d.join("fail_other_organisations_key.qsub"),
            submission::seal(&meta(ORG), FILE.as_bytes(), &relabelled, &to).unwrap(),
        )
        .unwrap();
    }

    fn open(d: &Path, name: &str) -> qbank::Result<(SubmissionMeta, Vec<u8>)> {
        let bureau = OrgSecret::read(&d.join("bureau.key")).unwrap();
        let bytes = std::fs::read(d.join(name)).unwrap();
        submission::open(&bytes, &bureau, |org| {
            let (id, pk) = read_org_public(&d.join(format!("{org}.pub")))?;
            assert_eq!(id, org);
            Ok(pk)
        })
        .map(|(m, f)| (m, f.to_vec()))
    }

    #[test]
    fn frozen_submission_opens_and_forged_origins_are_refused() {
        let d = dir();
        if std::env::var_os("QBANK_BLESS_VECTORS").is_some() {
            bless(&d);
        }
        let (m, f) = open(&d, "submission.qsub").expect("the frozen submission opens");
        assert_eq!(
            (m.organisation.as_str(), f.as_slice()),
            (ORG, FILE.as_bytes())
        );
        for name in [
            "fail_flipped_byte.qsub",
            "fail_forged_origin.qsub",
            "fail_other_organisations_key.qsub",
        ] {
            let e = open(&d, name).expect_err(name);
            assert_eq!(e.exit_code(), 6, "{name}: {e}");
        }
        // the pinned key file: its pin is the frozen bureau keys; a substituted one is refused
        let key = d.join(format!("{ORG}.key"));
        let org = OrgSecret::read(&key).unwrap();
        let pin = pinned_bureau(&org, &key, Some(&d.join("bureau-keys.pub"))).unwrap();
        assert_eq!(pin, BureauPin::read(&d.join("bureau-keys.pub")).unwrap());
        let e =
            pinned_bureau(&org, &key, Some(&d.join("fail_substituted_bureau.pub"))).unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e}");
        // the package vectors' key file, made before pinning, still reads (with no pin)
        let old = super::dir().join(format!("{ORG}.key"));
        let e = pinned_bureau(&OrgSecret::read(&old).unwrap(), &old, None).unwrap_err();
        assert_eq!(e.exit_code(), 5, "{e}");
    }
}
