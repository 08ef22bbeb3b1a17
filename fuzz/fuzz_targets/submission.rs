//! Fuzz target: a sealed submission opened as `qbank submission import` opens it, with the
//! fixed test bureau key, and the fixed test organisation key as the registered key of the
//! organisation it names (the origin check).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static K: OnceLock<qbank::package::keys::OrgSecret> = OnceLock::new();
    let key = K.get_or_init(qbank_fuzz::bureau_submission_key);
    let _ = qbank::package::submission::open(data, key, |org| {
        if org == qbank_fuzz::ORG {
            qbank_fuzz::org_key().public()
        } else {
            Err(qbank::Error::Usage("not registered".into()))
        }
    });
});
