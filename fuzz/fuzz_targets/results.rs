//! Fuzz target: sealed 机考 results (`.qres`) opened as `qbank analysis` opens them, with the
//! fixed test bureau key and the fixed test organisation key as the registered key of the
//! organisation they name; what opens is then read as the response file it carries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static K: OnceLock<qbank::package::keys::OrgSecret> = OnceLock::new();
    let key = K.get_or_init(qbank_fuzz::bureau_submission_key);
    if let Ok((_, files)) = qbank::package::results::open(data, key, |org| {
        if org == qbank_fuzz::ORG {
            qbank_fuzz::org_key().public()
        } else {
            Err(qbank::Error::Usage("not registered".into()))
        }
    }) {
        let _ = qbank::ops::parse::response_file("results.csv", &files.responses);
    }
});
