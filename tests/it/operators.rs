//! Issue 11 part 6, operators proved, not asserted: the audit actor was whatever `$USER` (or
//! `QBANK_ACTOR`) said, so anyone with the master key made changes in anyone's name. Once an
//! operator is registered, every change is signed by a registered operator's personal key, the
//! entry names the verified person, and `audit verify` checks each signature again.

use qbank::Error;
use qbank::ops::StoreConfig;
use qbank::ops::person::{self, Role};
use qbank::package::person::PersonSecret;
use std::path::Path;
use std::sync::Arc;

fn register(cfg: &StoreConfig, people: &Path, id: &str, role: Role) -> qbank::Result<PersonSecret> {
    if !people.join(format!("{id}.key")).exists() {
        person::keygen(id, people)?;
    }
    person::add(
        cfg,
        id,
        &format!("人员{id}"),
        &[role],
        &people.join(format!("{id}.pub")),
    )?;
    PersonSecret::read(&people.join(format!("{id}.key")))
}

fn signed_by(cfg: &StoreConfig, who: &PersonSecret) -> StoreConfig {
    let mut c = StoreConfig::new(cfg.dir.clone(), cfg.key.clone());
    c.operator = Some(Arc::new(who.clone()));
    c
}

fn audit_len(cfg: &StoreConfig) -> usize {
    cfg.open().unwrap().audit_entries().unwrap().len()
}

#[test]
fn once_an_operator_is_registered_every_change_is_signed_by_one() {
    let t = tempfile::tempdir().unwrap();
    let cfg = crate::new_store(t.path());
    let people = t.path().join("people");
    // the attack, as it was: the log names whoever the environment says
    let e = person::add(&cfg, "x", "", &[], Path::new("none")).unwrap_err();
    assert!(matches!(e, Error::Usage(_)));
    // the first operator registers unsigned (nobody could sign yet)
    let li = register(&cfg, &people, "li-op", Role::Operator).unwrap();
    // from now on an unsigned change is refused, whoever QBANK_ACTOR names, and nothing changes
    let before = audit_len(&cfg);
    let e = register(&cfg, &people, "wang-shen", Role::Reviewer).unwrap_err();
    assert!(matches!(e, Error::Identity(_)) && e.exit_code() == 5, "{e}");
    assert!(e.to_string().contains("--operator-key"), "{e}");
    let e = qbank::ops::import(&cfg, &[crate::sample_bank()], &qbank::ops::Quiet).unwrap_err();
    assert!(matches!(e, Error::Identity(_)), "{e}");
    assert_eq!(audit_len(&cfg), before, "a refused change writes nothing");
    assert!(
        qbank::ops::list(&cfg, &Default::default())
            .unwrap()
            .is_empty()
    );
    // signed by the registered operator: done, and the entry names the verified person
    let as_li = signed_by(&cfg, &li);
    let wang = register(&as_li, &people, "wang-shen", Role::Reviewer).unwrap();
    qbank::ops::import(&as_li, &[crate::sample_bank()], &qbank::ops::Quiet).unwrap();
    let last = as_li
        .open()
        .unwrap()
        .audit_entries()
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!((last.op.as_str(), last.actor.as_str()), ("import", "li-op"));
    assert_eq!(last.signer.unwrap().key, li.public().fingerprint());
    // a reviewer's key does not sign an operator's action; a relabelled key is not li-op's;
    // a key nobody registered signs nothing
    let e = register(&signed_by(&cfg, &wang), &people, "zhou-op", Role::Operator).unwrap_err();
    assert!(e.to_string().contains("未登记为操作员"), "{e}");
    let forged = t.path().join("li-as-wang.key");
    crate::relabelled(&people.join("wang-shen.key"), &forged, "wang-shen", "li-op");
    let as_forged = signed_by(&cfg, &PersonSecret::read(&forged).unwrap());
    let e = register(&as_forged, &people, "zhou-op", Role::Operator).unwrap_err();
    assert!(e.to_string().contains("冒用身份"), "{e}");
    let stranger = PersonSecret::generate("sun-op").unwrap();
    let e = register(
        &signed_by(&cfg, &stranger),
        &people,
        "zhou-op",
        Role::Operator,
    );
    assert!(e.unwrap_err().to_string().contains("未在本库登记"));
    // the only operator cannot be revoked (nobody could sign again); with a second one they can,
    // and the revoked key signs nothing from then on
    let e = person::revoke(&as_li, "li-op", "调岗").unwrap_err();
    assert!(e.to_string().contains("唯一未吊销的操作员"), "{e}");
    let zhou = register(&as_li, &people, "zhou-op", Role::Operator).unwrap();
    person::revoke(&as_li, "li-op", "调岗").unwrap();
    let e = register(&as_li, &people, "qian-shen", Role::Reviewer).unwrap_err();
    assert!(e.to_string().contains("吊销"), "{e}");
    register(
        &signed_by(&cfg, &zhou),
        &people,
        "qian-shen",
        Role::Reviewer,
    )
    .unwrap();
    // the whole log verifies: every entry after li-op's registration is signed and checks out
    let vault = cfg.open_for_verify().unwrap();
    let r = vault.verify_audit().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let entries = vault.audit_entries().unwrap();
    let from = entries.iter().position(|e| e.op == "person-add").unwrap();
    assert!(entries[..=from].iter().all(|e| e.signer.is_none()));
    assert!(entries[from + 1..].iter().all(|e| e.signer.is_some()));
    assert_eq!(r.signed as usize, entries.len() - from - 1);
}
