//! Issue 11 part 6, identities proved, not asserted: each attack as a regression test. An
//! organisation (or anyone) holding only the public files tried to submit items in another
//! organisation's name, and to make evaluators trust a substituted `bureau.pub`.

use crate::sitting::{NANJING, PAST, SUZHOU, fixture, plan, release, run};
use qbank::Error;
use qbank::package::keys::{BureauKey, BureauPublic, OrgSecret};
use qbank::package::submission::{self as sealed, SubmissionMeta};
use qbank::package::{self, Checkpoint, PackageManifest, Release};
use std::collections::BTreeMap;
use std::path::Path;

/// One new 五级 item: a valid submission for either organisation.
const ITEM: &str = r#"format = 1
occupation = "6-31-01-03"
level = 5

[[item]]
id = "FORGE-0001"
clause = "J.2.1"
type = "判断"
difficulty = "medium"
stem = "冒名投稿测试：配电箱检修前须在总开关处挂“禁止合闸，有人工作”标志牌。"
answer = "√"
"#;

fn meta(org: &str) -> SubmissionMeta {
    SubmissionMeta {
        format: 2,
        organisation: org.into(),
        writer: "冒名者".into(),
        file_name: "forged.toml".into(),
        sealed_at: "2026-11-01T00:00:00Z".into(),
        attachments: Vec::new(),
    }
}

/// A submission in the format qbank wrote before the fix (`QBANK-SUBMISSION/1`: HPKE base mode
/// to the bureau's X25519 key, nothing of the sender's), naming `org`: all it takes is bureau.pub.
fn old_format_forgery(bureau_pub: &Path, org: &str) -> Vec<u8> {
    type Kem = hpke::kem::X25519HkdfSha256;
    let magic = b"QBANK-SUBMISSION/1\n";
    let to = BureauPublic::read_encryption_key(bureau_pub).unwrap();
    let mut m = meta(org);
    m.format = 1;
    let m = serde_json::to_vec(&m).unwrap();
    let mut plain = (m.len() as u32).to_be_bytes().to_vec();
    plain.extend_from_slice(&m);
    plain.extend_from_slice(ITEM.as_bytes());
    let (enc, ct) = hpke::single_shot_seal::<hpke::aead::AesGcm256, hpke::kdf::HkdfSha256, Kem>(
        &hpke::OpModeS::Base,
        &to.hpke().unwrap(),
        b"qbank-submission/1",
        &plain,
        magic,
    )
    .unwrap();
    let mut out = magic.to_vec();
    out.extend_from_slice(&hpke::Serializable::to_bytes(&enc));
    out.extend_from_slice(&ct);
    out
}

/// Part 6, attack 1: anyone holding the public `bureau.pub` sealed a submission "as" Nanjing
/// (and Suzhou, holding its own key, did too); the vault queued it under Nanjing's name. Now a
/// submission must open with the key registered for the organisation it names: the old format,
/// a fresh key claiming Nanjing, Suzhou's own key claiming Nanjing, and an unregistered or
/// suspended organisation are refused, in Chinese, and nothing is stored or audited.
#[test]
fn a_submission_sealed_in_another_organisations_name_is_refused_and_nothing_is_stored() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let bureau_pub = t.path().join("bureau.pub");
    qbank::ops::org::export_bureau_key(&f.cfg, &bureau_pub).unwrap();
    let to = BureauPublic::read_encryption_key(&bureau_pub).unwrap();
    let audit_len = || f.cfg.open().unwrap().audit_entries().unwrap().len();
    let before = audit_len();
    let suzhou = OrgSecret::read(&f.keys.join(format!("{SUZHOU}.key"))).unwrap();
    let stranger = OrgSecret::generate(NANJING).unwrap();
    let mut as_suzhou = meta(NANJING);
    as_suzhou.organisation = NANJING.into();
    let suzhou_as_nanjing = {
        // Suzhou's key bytes under Nanjing's name (the library refuses a meta naming another
        // organisation than the key's, so the forger relabels its key)
        OrgSecret::from_secret(NANJING, suzhou.secret_bytes()).unwrap()
    };
    let forgeries: Vec<(&str, Vec<u8>)> = vec![
        ("old format", old_format_forgery(&bureau_pub, NANJING)),
        (
            "a fresh key",
            sealed::seal(&meta(NANJING), ITEM.as_bytes(), &stranger, &to).unwrap(),
        ),
        (
            "Suzhou's key",
            sealed::seal(&as_suzhou, ITEM.as_bytes(), &suzhou_as_nanjing, &to).unwrap(),
        ),
    ];
    for (what, bytes) in forgeries {
        let p = t.path().join("forged.qsub");
        std::fs::write(&p, bytes).unwrap();
        let e = qbank::ops::submission::import(&f.cfg, &p, 0.75, false)
            .expect_err(&format!("a forgery with {what} is refused"));
        assert_eq!(e.exit_code(), 6, "{what}: {e}");
        assert!(
            e.to_string().contains("拒收") || e.to_string().contains("不再接受"),
            "{what}: {e}"
        );
        assert!(e.to_string().contains("forged.qsub"), "{what}: {e}");
    }
    // an organisation not in the catalog, with its own key: its origin cannot be verified
    let unknown = OrgSecret::generate("S999999999999").unwrap();
    let p = t.path().join("unknown.qsub");
    std::fs::write(
        &p,
        sealed::seal(&meta("S999999999999"), ITEM.as_bytes(), &unknown, &to).unwrap(),
    )
    .unwrap();
    let e = qbank::ops::submission::import(&f.cfg, &p, 0.75, false).unwrap_err();
    assert!(e.to_string().contains("未在目录中登记"), "{e}");
    // a suspended organisation, with its own registered key
    qbank::ops::org::set_status(&f.cfg, SUZHOU, qbank::model::OrgStatus::Suspended, "测试")
        .unwrap();
    let p = t.path().join("suspended.qsub");
    std::fs::write(
        &p,
        sealed::seal(&meta(SUZHOU), ITEM.as_bytes(), &suzhou, &to).unwrap(),
    )
    .unwrap();
    let e = qbank::ops::submission::import(&f.cfg, &p, 0.75, false).unwrap_err();
    assert!(e.to_string().contains("已被暂停"), "{e}");
    // nothing was queued, and only the suspension was audited
    assert!(
        qbank::ops::submission::queue(&f.cfg, None)
            .unwrap()
            .is_empty()
    );
    assert_eq!(audit_len(), before + 1);
    // the genuine organisation, with its own key, is queued
    let nanjing = OrgSecret::read(&f.keys.join(format!("{NANJING}.key"))).unwrap();
    let p = t.path().join("genuine.qsub");
    std::fs::write(
        &p,
        sealed::seal(&meta(NANJING), ITEM.as_bytes(), &nanjing, &to).unwrap(),
    )
    .unwrap();
    let r = qbank::ops::submission::import(&f.cfg, &p, 0.75, false).unwrap();
    assert_eq!((r.organisation.as_str(), r.items.len()), (NANJING, 1));
}

/// Part 6, attack 2: evaluators trusted whatever `bureau.pub` lay beside the packages, so an
/// attacker with only public files (the organisation's public key is in the catalog) made a
/// package of its own papers, a release and a `bureau.pub` of its own key, and `unseal` opened
/// them as the bureau's. Now organisation-side commands verify with the bureau keys pinned in
/// the organisation's key file at registration: the substituted key is refused whether it is
/// named or not, and `submission seal` refuses to seal to it.
#[test]
fn a_substituted_bureau_key_with_packages_and_releases_re_signed_by_it_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let p = plan(
        &f,
        "T-PIN",
        PAST,
        &["dg5-theory"],
        &[(NANJING, &["6-31-01-03/5"])],
    );
    run(&f, &p, "sit");
    let rel = release(&f, "T-PIN");
    // the attacker's bureau: its own signing and submission keys, written as bureau.pub
    let forger = BureauKey::generate().unwrap();
    let forger_x = OrgSecret::generate("bureau").unwrap();
    let evil = t.path().join("evil");
    std::fs::create_dir_all(evil.join("packages")).unwrap();
    std::fs::write(
        evil.join("bureau.pub"),
        forger.public().file_text(
            "江苏省人力资源和社会保障厅",
            Some(&forger_x.public().unwrap()),
        ),
    )
    .unwrap();
    // a package of the attacker's papers, sealed to Nanjing's public key from the catalog
    let (_, nanjing_pub) =
        qbank::package::read_org_public(&f.keys.join(format!("{NANJING}.pub"))).unwrap();
    let rk = package::new_release_key().unwrap();
    let manifest = PackageManifest {
        format: package::MANIFEST_FORMAT,
        sitting: "T-PIN".into(),
        title: "伪造批次".into(),
        organisation: NANJING.into(),
        organisation_name: "南京金陵职业技能培训学校".into(),
        organisation_key: String::new(),
        start: "2026-01-10T09:00:00+08:00".into(),
        end: "2100-01-01T17:00:00+08:00".into(),
        bureau_key: String::new(),
        release_key_sha256: String::new(),
        audit: Checkpoint {
            seq: 1,
            hash: "0".repeat(64),
        },
        papers: Vec::new(),
        documents: Vec::new(),
        keys_release_key_sha256: String::new(),
        keys_at: "2100-01-01T17:00:00+08:00".into(),
        key_documents: Vec::new(),
        content_sha256: String::new(),
    };
    let docs = vec![(
        "fake/paper.md".to_string(),
        "# 伪造试卷\n".as_bytes().to_vec(),
    )];
    let stage_keys = package::StageKeys {
        papers: &rk,
        keys: &rk,
    };
    let pkg = package::seal(manifest, &docs, &[], &nanjing_pub, stage_keys, &forger).unwrap();
    std::fs::write(evil.join(format!("packages/{NANJING}.qpkg")), pkg).unwrap();
    let sealed_rk =
        package::seal_stage_key(package::Stage::Papers, NANJING, &nanjing_pub, "T-PIN", &rk)
            .unwrap();
    let forged_release = package::sign_release(
        &Release {
            format: package::RELEASE_FORMAT,
            sitting: "T-PIN".into(),
            start: "2026-01-10T09:00:00+08:00".into(),
            released_at: "2026-01-10T09:00:00+08:00".into(),
            early: false,
            reason: None,
            release_key: None,
            keys: BTreeMap::from([(NANJING.to_string(), sealed_rk)]),
            withheld: Vec::new(),
            bureau_key: forger.public().fingerprint(),
            audit: Checkpoint {
                seq: 2,
                hash: "0".repeat(64),
            },
            stage: Some(package::Stage::Papers),
            keys_at: Some("2100-01-01T17:00:00+08:00".into()),
        },
        &forger,
    );
    let evil_rel = evil.join("release.json");
    std::fs::write(&evil_rel, forged_release).unwrap();
    // the genuine package re-signed by the attacker (its manifest signature replaced)
    let genuine = std::fs::read(t.path().join(format!("sit/packages/{NANJING}.qpkg"))).unwrap();
    let n = u32::from_be_bytes(genuine[16..20].try_into().unwrap()) as usize;
    let mut resigned = genuine.clone();
    let sig = forger.sign("qbank-manifest/2", &genuine[20..20 + n]);
    resigned[20 + n..20 + n + 64].copy_from_slice(&sig);
    std::fs::write(evil.join("resigned.qpkg"), resigned).unwrap();

    let key = f.keys.join(format!("{NANJING}.key"));
    let out = t.path().join("opened");
    let fake = evil.join(format!("packages/{NANJING}.qpkg"));
    let evil_pub = evil.join("bureau.pub");
    for (what, pkg, r, b) in [
        (
            "forged package, named key",
            &fake,
            &evil_rel,
            Some(evil_pub.as_path()),
        ),
        ("forged package, pinned key", &fake, &evil_rel, None),
        (
            "re-signed package, named key",
            &evil.join("resigned.qpkg"),
            &evil_rel,
            Some(&evil_pub),
        ),
        (
            "re-signed package, pinned key",
            &evil.join("resigned.qpkg"),
            &rel,
            None,
        ),
    ] {
        let e = qbank::ops::sitting::unseal(pkg, &key, r, b, &out)
            .expect_err(&format!("{what}: refused"));
        assert_eq!(e.exit_code(), 6, "{what}: {e}");
        assert!(!out.exists(), "{what}: nothing written");
    }
    // the substituted key in bureau.pub is named in Chinese as not the pinned one
    let e = qbank::ops::sitting::unseal(&fake, &key, &evil_rel, Some(&evil_pub), &out).unwrap_err();
    assert!(e.to_string().contains("不是本机构登记时固定的公钥"), "{e}");
    // a key file with no pin is refused as a key problem that says how to pin
    let unpinned = t.path().join("unpinned");
    qbank::ops::org::keygen(NANJING, &unpinned).unwrap();
    let e = qbank::ops::sitting::unseal(
        &t.path().join(format!("sit/packages/{NANJING}.qpkg")),
        &unpinned.join(format!("{NANJING}.key")),
        &rel,
        None,
        &out,
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::KeyFile { .. }) && e.to_string().contains("org pin"),
        "{e}"
    );
    // the writer's side will not seal items to the substituted key
    let item = t.path().join("item.toml");
    std::fs::write(&item, ITEM).unwrap();
    let with = qbank::ops::submission::SealWith {
        org_key: &key,
        bureau_key: Some(&evil_pub),
        organisation: None,
    };
    let e = qbank::ops::submission::seal(&item, with, "王", &t.path().join("x.qsub")).unwrap_err();
    assert_eq!(e.exit_code(), 6, "{e}");
    // pinning the substituted key against the bureau's pin is refused too
    let pin = qbank::ops::org::bureau_pin(&f.cfg).unwrap();
    let e = qbank::ops::org::pin(&unpinned.join(format!("{NANJING}.key")), &evil_pub, &pin)
        .unwrap_err();
    assert_eq!(e.exit_code(), 6, "{e}");
    // the genuine package opens with the pinned key, with or without the genuine bureau.pub
    qbank::ops::sitting::unseal(
        &t.path().join(format!("sit/packages/{NANJING}.qpkg")),
        &key,
        &rel,
        None,
        &out,
    )
    .unwrap();
}

/// Part 6, attack 3: reviewers were free-text names, so one person accepted an item as 李审 and
/// again as 张审 and it entered the bank (四眼原则 satisfied by one person). Now every decision is
/// signed with the reviewer's personal key, which must be the key registered for that
/// reviewer; one key is one person. The same key under a second name, an unregistered key, a
/// second registration of the same key, a revoked key and a second decision by the same
/// person are all refused, and the item enters the bank only after two registered people.
#[test]
fn one_person_cannot_be_both_reviewers_of_four_eyes() {
    use qbank::model::Status;
    use qbank::ops::submission::{self as sub, Decision, QueueStatus};
    let t = tempfile::tempdir().unwrap();
    let f = fixture(t.path());
    let bureau_pub = t.path().join("bureau.pub");
    qbank::ops::org::export_bureau_key(&f.cfg, &bureau_pub).unwrap();
    let nanjing = OrgSecret::read(&f.keys.join(format!("{NANJING}.key"))).unwrap();
    let to = BureauPublic::read_encryption_key(&bureau_pub).unwrap();
    let p = t.path().join("genuine.qsub");
    std::fs::write(
        &p,
        sealed::seal(&meta(NANJING), ITEM.as_bytes(), &nanjing, &to).unwrap(),
    )
    .unwrap();
    sub::import(&f.cfg, &p, 0.75, false).unwrap();
    let id = "FORGE-0001";
    let li = crate::reviewer(&f.cfg, t.path(), "li-shen");
    crate::reviewer(&f.cfg, t.path(), "zhang-shen");
    let accept = |k: &qbank::package::person::PersonSecret| {
        sub::review(&f.cfg, id, k, Decision::Accept, "", Status::Active)
    };
    assert_eq!(accept(&li).unwrap().status, QueueStatus::Pending);
    // 李审's key under 张审's name (the key file relabelled)
    let people = t.path().join("people");
    let forged = t.path().join("zhang-as-li.key");
    crate::relabelled(
        &people.join("li-shen.key"),
        &forged,
        "li-shen",
        "zhang-shen",
    );
    let as_zhang = qbank::package::person::PersonSecret::read(&forged).unwrap();
    let e = accept(&as_zhang).unwrap_err();
    assert!(matches!(e, Error::Identity(_)) && e.exit_code() == 5, "{e}");
    assert!(e.to_string().contains("冒用身份"), "{e}");
    // a key nobody registered
    let stranger = qbank::package::person::PersonSecret::generate("wang-shen").unwrap();
    let e = accept(&stranger).unwrap_err();
    assert!(e.to_string().contains("未在本库登记"), "{e}");
    // 李审's public key registered a second time, under another id
    let copy = t.path().join("li-2.pub");
    crate::relabelled(&people.join("li-shen.pub"), &copy, "li-shen", "li-2");
    let e = qbank::ops::person::add(
        &f.cfg,
        "li-2",
        "李审二",
        &[qbank::ops::person::Role::Reviewer],
        &copy,
    )
    .unwrap_err();
    assert!(e.to_string().contains("一人一钥"), "{e}");
    // the same person again
    let e = accept(&li).unwrap_err();
    assert!(e.to_string().contains("四眼原则"), "{e}");
    // a revoked reviewer
    let zhang = qbank::package::person::PersonSecret::read(&people.join("zhang-shen.key")).unwrap();
    qbank::ops::person::revoke(&f.cfg, "zhang-shen", "离职").unwrap();
    assert!(accept(&zhang).unwrap_err().to_string().contains("吊销"));
    assert!(
        qbank::ops::show(&f.cfg, id, None).is_err(),
        "not in the bank yet"
    );
    // a second registered person enters it; the audit log names the verified reviewer and key
    let zhao = crate::reviewer(&f.cfg, t.path(), "zhao-shen");
    let r = accept(&zhao).unwrap();
    assert_eq!(r.entered_bank, Some(Status::Active));
    assert_eq!(r.accepted_by, ["li-shen", "zhao-shen"]);
    let last = f
        .cfg
        .open()
        .unwrap()
        .audit_entries()
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.op.as_str(), last.actor.as_str()),
        ("review-accept", "zhao-shen")
    );
    assert_eq!(
        last.details["reviewer_key"],
        zhao.public().fingerprint().as_str()
    );
    // each recorded acceptance carries a signature that verifies against the registered key
    let q = sub::queued(&f.cfg, id).unwrap();
    for rec in &q.reviews {
        let pk = if rec.reviewer == "li-shen" {
            li.public()
        } else {
            zhao.public()
        };
        let sig = hex::decode(rec.signature.as_ref().unwrap()).unwrap();
        let msg = sub::review_message(&q, rec.decision, &rec.comment, &rec.at);
        assert!(pk.verify(sub::REVIEW_DOMAIN, &msg, &sig));
    }
}
