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
