//! Frozen vectors of qbank's own package and release formats. `tests/data/vectors/package-4/`
//! (`QBANK-PACKAGE/4` with its papers and keys sections, releases of format 3) is made by this
//! version (`QBANK_BLESS_VECTORS=1 cargo test --test it vectors::`) and opened by every later
//! one; `tests/data/vectors/package/` (`QBANK-PACKAGE/3`, format-2 releases) was made by the
//! qbank before the keys stage and can no longer be remade (this version writes only format 4),
//! so it is never blessed again. Each `fail_*` variant must be refused with the right exit code.
//! The keys there are test keys, made for these files only.

use qbank::package::keys::{BureauKey, BureauPublic, OrgSecret};
use qbank::package::{self, Checkpoint, PackageManifest, Release, Stage, StageKeys};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ORG: &str = "S000000000001";
const SITTING: &str = "VECTOR-1";
const DOC: (&str, &str) = ("v-theory/F01/paper.md", "# 测试卷\n\n1. 测试题干（  ）。\n");

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors/package")
}

fn open(d: &Path, pkg: &str, key: &str, rel: &str) -> qbank::Result<package::Documents> {
    let bureau = BureauPublic::read(&d.join("bureau.pub"))?;
    let org = OrgSecret::read(&d.join(key))?;
    let r = package::read_release(&std::fs::read_to_string(d.join(rel)).unwrap(), &bureau)?;
    package::open(&std::fs::read(d.join(pkg)).unwrap(), &org, &r, &bureau).map(|(_, docs)| docs)
}

/// The `QBANK-PACKAGE/3` vectors, made before the keys stage: they still open whole with their
/// one release, and their refused variants stay refused.
#[test]
fn frozen_package_and_release_open_and_every_fail_variant_is_refused_with_its_exit_code() {
    let d = dir();
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
    // an old package has no keys section: a keys release has nothing to open there
    let d4 = staged::dir();
    let bureau = BureauPublic::read(&d.join("bureau.pub")).unwrap();
    let org = OrgSecret::read(&d.join(&key)).unwrap();
    let text = std::fs::read_to_string(d4.join("keys-release.json")).unwrap();
    let r4 =
        package::read_release(&text, &BureauPublic::read(&d4.join("bureau.pub")).unwrap()).unwrap();
    let pkg = std::fs::read(d.join("package.qpkg")).unwrap();
    assert!(package::open_keys(&pkg, &org, &r4, &bureau).is_err());
}

/// Frozen vectors of the two-stage package (`QBANK-PACKAGE/4`, manifest format 3) and its two
/// releases (format 3, `stage` papers and keys), `tests/data/vectors/package-4/`.
mod staged {
    use super::*;

    pub(super) const KEY_DOC: (&str, &str) = ("v-theory/F01/key.md", "# 答案\n\n1. A\n");
    const START: &str = "2026-01-01T09:00:00+08:00";
    const KEYS_AT: &str = "2026-01-01T17:00:00+08:00";

    pub(super) fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors/package-4")
    }

    fn manifest() -> PackageManifest {
        PackageManifest {
            format: package::MANIFEST_FORMAT,
            sitting: SITTING.into(),
            title: "测试向量".into(),
            organisation: ORG.into(),
            organisation_name: "测试机构".into(),
            organisation_key: String::new(),
            start: START.into(),
            end: KEYS_AT.into(),
            bureau_key: String::new(),
            release_key_sha256: String::new(),
            audit: Checkpoint {
                seq: 1,
                hash: "0".repeat(64),
            },
            papers: Vec::new(),
            documents: Vec::new(),
            keys_release_key_sha256: String::new(),
            keys_at: KEYS_AT.into(),
            key_documents: Vec::new(),
            content_sha256: String::new(),
        }
    }

    fn release(
        bureau: &BureauKey,
        stage: Stage,
        at: &str,
        keys: BTreeMap<String, String>,
        withheld: Vec<String>,
    ) -> String {
        package::sign_release(
            &Release {
                format: package::RELEASE_FORMAT,
                sitting: SITTING.into(),
                start: START.into(),
                released_at: at.into(),
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
                stage: Some(stage),
                keys_at: Some(KEYS_AT.into()),
            },
            bureau,
        )
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
        let (rp, rk) = (
            package::new_release_key().unwrap(),
            package::new_release_key().unwrap(),
        );
        let papers = vec![(DOC.0.to_string(), DOC.1.as_bytes().to_vec())];
        let keys = vec![(KEY_DOC.0.to_string(), KEY_DOC.1.as_bytes().to_vec())];
        let pk = org.public().unwrap();
        let both = StageKeys {
            papers: &rp,
            keys: &rk,
        };
        let pkg = package::seal(manifest(), &papers, &keys, &pk, both, &bureau).unwrap();
        std::fs::write(d.join("package.qpkg"), &pkg).unwrap();
        let sealed = |stage, k| {
            let s = package::seal_stage_key(stage, ORG, &pk, SITTING, k).unwrap();
            BTreeMap::from([(ORG.to_string(), s)])
        };
        let papers_release = release(
            &bureau,
            Stage::Papers,
            START,
            sealed(Stage::Papers, &rp),
            Vec::new(),
        );
        std::fs::write(d.join("release.json"), &papers_release).unwrap();
        std::fs::write(
            d.join("keys-release.json"),
            release(
                &bureau,
                Stage::Keys,
                KEYS_AT,
                sealed(Stage::Keys, &rk),
                Vec::new(),
            ),
        )
        .unwrap();
        // refused variants: a flipped byte in the keys section (the last bytes)
        let mut flipped = pkg.clone();
        let at = flipped.len() - 100;
        flipped[at] ^= 1;
        std::fs::write(d.join("fail_flipped_byte.qpkg"), flipped).unwrap();
        // a manifest of the old format inside the new magic, correctly signed
        let n = u32::from_be_bytes(pkg[16..20].try_into().unwrap()) as usize;
        let mut v: serde_json::Value = serde_json::from_slice(&pkg[20..20 + n]).unwrap();
        v["format"] = 2.into();
        let m = serde_json::to_vec(&v).unwrap();
        let mut old = b"QBANK-PACKAGE/4\n".to_vec();
        old.extend_from_slice(&(m.len() as u32).to_be_bytes());
        old.extend_from_slice(&m);
        old.extend_from_slice(&bureau.sign("qbank-manifest/2", &m));
        old.extend_from_slice(&pkg[20 + n + 64..]);
        std::fs::write(d.join("fail_format.qpkg"), old).unwrap();
        // the papers release with its stage edited to keys (signature kept)
        let mut f: serde_json::Value = serde_json::from_str(&papers_release).unwrap();
        let payload = f["payload"]
            .as_str()
            .unwrap()
            .replace("\"stage\":\"papers\"", "\"stage\":\"keys\"");
        assert!(payload.contains("\"stage\":\"keys\""));
        f["payload"] = payload.into();
        std::fs::write(
            d.join("fail_relabelled_release.json"),
            serde_json::to_string_pretty(&f).unwrap(),
        )
        .unwrap();
        // a keys release, genuinely signed, that carries the papers key
        std::fs::write(
            d.join("fail_papers_key_as_keys.json"),
            release(
                &bureau,
                Stage::Keys,
                KEYS_AT,
                sealed(Stage::Keys, &rp),
                Vec::new(),
            ),
        )
        .unwrap();
        // a keys release dated before the keys time, not marked early
        std::fs::write(
            d.join("fail_early_keys_release.json"),
            release(
                &bureau,
                Stage::Keys,
                START,
                sealed(Stage::Keys, &rk),
                Vec::new(),
            ),
        )
        .unwrap();
        // a keys release that withholds the organisation (suspended at the keys release)
        std::fs::write(
            d.join("fail_withheld_keys_release.json"),
            release(
                &bureau,
                Stage::Keys,
                KEYS_AT,
                BTreeMap::new(),
                vec![ORG.to_string()],
            ),
        )
        .unwrap();
    }

    fn release_at(d: &Path, rel: &str) -> qbank::Result<Release> {
        let bureau = BureauPublic::read(&d.join("bureau.pub"))?;
        package::read_release(&std::fs::read_to_string(d.join(rel)).unwrap(), &bureau)
    }

    fn open_keys(d: &Path, pkg: &str, rel: &str) -> qbank::Result<package::Documents> {
        let bureau = BureauPublic::read(&d.join("bureau.pub"))?;
        let org = OrgSecret::read(&d.join(format!("{ORG}.key")))?;
        let r = release_at(d, rel)?;
        package::open_keys(&std::fs::read(d.join(pkg)).unwrap(), &org, &r, &bureau)
    }

    #[test]
    fn frozen_two_stage_package_opens_by_stage_and_every_fail_variant_is_refused() {
        let d = dir();
        if std::env::var_os("QBANK_BLESS_VECTORS").is_some() {
            bless(&d);
        }
        let key = format!("{ORG}.key");
        let papers = vec![(DOC.0.to_string(), DOC.1.as_bytes().to_vec())];
        let keys = vec![(KEY_DOC.0.to_string(), KEY_DOC.1.as_bytes().to_vec())];
        // the papers release opens the papers and nothing of the keys
        let docs = open(&d, "package.qpkg", &key, "release.json").expect("papers open");
        assert_eq!(docs, papers);
        // the keys release opens the keys, and does not open the papers
        assert_eq!(
            open_keys(&d, "package.qpkg", "keys-release.json").unwrap(),
            keys
        );
        let e = open(&d, "package.qpkg", &key, "keys-release.json").unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e}");
        // the papers release does not open the keys section
        let e = open_keys(&d, "package.qpkg", "release.json").unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e}");
        for (pkg, rel, code) in [
            ("fail_flipped_byte.qpkg", "keys-release.json", 6),
            ("fail_format.qpkg", "keys-release.json", 6),
            ("package.qpkg", "fail_relabelled_release.json", 6),
            ("package.qpkg", "fail_papers_key_as_keys.json", 6),
            ("package.qpkg", "fail_early_keys_release.json", 6),
            ("package.qpkg", "fail_withheld_keys_release.json", 5),
        ] {
            let e = open_keys(&d, pkg, rel).expect_err(rel);
            assert_eq!(e.exit_code(), code, "{pkg} {rel}: {e}");
        }
        assert!(release_at(&d, "fail_relabelled_release.json").is_err());
        // the flipped byte lies in the keys section; the signed content digest covers both
        // sections, so the papers are refused too
        assert_eq!(
            open(&d, "fail_flipped_byte.qpkg", &key, "release.json").map_err(|e| e.exit_code()),
            Err(6),
            "the content digest covers both sections"
        );
        // the clear manifest names no digest of either document
        let text =
            String::from_utf8_lossy(&std::fs::read(d.join("package.qpkg")).unwrap()).into_owned();
        assert!(!text.contains(&package::sha256_hex(DOC.1.as_bytes())));
        assert!(!text.contains(&package::sha256_hex(KEY_DOC.1.as_bytes())));
    }
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

/// Frozen vectors of sealed 机考 results (`QBANK-RESULTS/1`, `tests/data/vectors/results/`),
/// sealed with the submission vectors' keys (`QBANK_BLESS_VECTORS=1` remakes the results only).
/// The frozen file opens to its three parts; `fail_*` are refused as failed verification (exit
/// 6): a flipped byte, a key claiming the organisation, and a submission presented as results.
mod results {
    use qbank::package::keys::{OrgSecret, read_org_public};
    use qbank::package::results::{self, ResultsFiles, ResultsMeta};
    use std::path::{Path, PathBuf};
    use zeroize::Zeroizing;

    const ORG: &str = "S000000000001";
    const RESPONSES: &str = "candidate,copy,1,2\n1001,S000000000001-dg4-theory-F01,A,√\n";
    const SCORES: &str = "座位号,准考证号,姓名,1,2,总分,状态\n1,1001,测试,1,0,1,已交卷\n";
    const LOG: &str = "{\"seq\":1}\n";

    fn keys() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors/submission")
    }

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors/results")
    }

    fn files() -> ResultsFiles {
        ResultsFiles {
            responses: Zeroizing::new(RESPONSES.as_bytes().to_vec()),
            scores: Zeroizing::new(SCORES.as_bytes().to_vec()),
            log: Zeroizing::new(LOG.as_bytes().to_vec()),
        }
    }

    fn meta() -> ResultsMeta {
        ResultsMeta {
            format: results::FORMAT,
            organisation: ORG.into(),
            sitting: "T-VEC".into(),
            copy: format!("{ORG}-dg4-theory-F01"),
            exported_at: "2026-11-28T03:00:00Z".into(),
            candidates: 1,
            log_head: "00".repeat(32),
            responses_len: RESPONSES.len() as u64,
            scores_len: SCORES.len() as u64,
            log_len: LOG.len() as u64,
        }
    }

    fn bless(d: &Path) {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).unwrap();
        let to = OrgSecret::read(&keys().join("bureau.key"))
            .unwrap()
            .public()
            .unwrap();
        let org = OrgSecret::read(&keys().join(format!("{ORG}.key"))).unwrap();
        let good = results::seal(&meta(), &files(), &org, &to).unwrap();
        std::fs::write(d.join("results.qres"), &good).unwrap();
        let mut flipped = good.clone();
        let at = flipped.len() - 20;
        flipped[at] ^= 1;
        std::fs::write(d.join("fail_flipped_byte.qres"), flipped).unwrap();
        let stranger = OrgSecret::generate(ORG).unwrap();
        std::fs::write(
            d.join("fail_forged_origin.qres"),
            results::seal(&meta(), &files(), &stranger, &to).unwrap(),
        )
        .unwrap();
        std::fs::copy(
            keys().join("submission.qsub"),
            d.join("fail_submission_as_results.qres"),
        )
        .unwrap();
    }

    fn open(name: &str) -> qbank::Result<(ResultsMeta, ResultsFiles)> {
        let bureau = OrgSecret::read(&keys().join("bureau.key")).unwrap();
        let bytes = std::fs::read(dir().join(name)).unwrap();
        results::open(&bytes, &bureau, |org| {
            let (id, pk) = read_org_public(&keys().join(format!("{org}.pub")))?;
            assert_eq!(id, org);
            Ok(pk)
        })
    }

    #[test]
    fn frozen_results_open_and_forged_ones_are_refused() {
        if std::env::var_os("QBANK_BLESS_VECTORS").is_some() {
            bless(&dir());
        }
        let (m, f) = open("results.qres").expect("the frozen results open");
        assert_eq!(m, meta());
        assert_eq!(
            (
                f.responses.as_slice(),
                f.scores.as_slice(),
                f.log.as_slice()
            ),
            (RESPONSES.as_bytes(), SCORES.as_bytes(), LOG.as_bytes())
        );
        for name in [
            "fail_flipped_byte.qres",
            "fail_forged_origin.qres",
            "fail_submission_as_results.qres",
        ] {
            let Err(e) = open(name) else {
                panic!("{name} opened")
            };
            assert_eq!(e.exit_code(), 6, "{name}: {e}");
        }
    }
}
