//! Fixtures shared by the fuzz targets: the sample standard (parsed once, so items and
//! blueprints are checked against real clauses), fixed test keys that exist only here, and the
//! release the seed packages were sealed for. No parsing of its own: targets call the library.
#![forbid(unsafe_code)]

use qbank::model::Standard;
use qbank::package::keys::{BureauKey, OrgSecret};
use qbank::package::{Checkpoint, Release};
use std::sync::OnceLock;

/// The organisation the seed packages are sealed to.
pub const ORG: &str = "S000032100001";
/// The sitting of the seed packages and release.
pub const SITTING: &str = "JS-FUZZ-01";

/// The sample bank's standard (电工), as `check` parses it.
pub fn standards() -> &'static [Standard] {
    static S: OnceLock<Vec<Standard>> = OnceLock::new();
    S.get_or_init(|| {
        let file = qbank::bankfile::SourceFile {
            path: "standard.toml".into(),
            text: include_str!("../../banks/6-31-01-03/standard.toml").into(),
        };
        let (bank, problems) = qbank::bankfile::check(&[file], &[]);
        assert!(problems.is_empty(), "the sample standard checks");
        bank.standards.into_iter().map(|s| s.value).collect()
    })
}

/// The organisation's fixed test key.
pub fn org_key() -> OrgSecret {
    OrgSecret::from_secret(ORG, &[0x11; 32]).expect("32 bytes")
}

/// The bureau's fixed test signing key.
pub fn bureau_key() -> BureauKey {
    BureauKey::from_secret(&[0x22; 32]).expect("32 bytes")
}

/// The bureau's fixed test X25519 key (opens submissions).
pub fn bureau_submission_key() -> OrgSecret {
    OrgSecret::from_secret("bureau", &[0x33; 32]).expect("32 bytes")
}

/// The fixed test release key.
pub const RELEASE_KEY: [u8; 32] = [0x44; 32];

/// The release the seed packages open with.
pub fn release() -> Release {
    Release {
        format: 1,
        sitting: SITTING.into(),
        start: "2026-11-28T01:00:00Z".into(),
        released_at: "2026-11-28T01:00:00Z".into(),
        early: false,
        reason: None,
        release_key: Some(hex_lower(&RELEASE_KEY)),
        keys: Default::default(),
        withheld: Vec::new(),
        bureau_key: bureau_key().public().fingerprint(),
        audit: Checkpoint {
            seq: 7,
            hash: "0".repeat(64),
        },
        stage: None,
        keys_at: None,
    }
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
