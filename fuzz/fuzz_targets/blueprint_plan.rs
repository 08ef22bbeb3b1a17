//! Fuzz target: a blueprint or a sitting plan, checked against the sample standard as `qbank
//! check` does, and parsed as a plan as `qbank sitting` does. Must never panic, abort or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = qbank::bankfile::SourceFile {
        path: "fuzz.toml".into(),
        text: text.into(),
    };
    let _ = qbank::bankfile::check(std::slice::from_ref(&file), qbank_fuzz::standards());
    let _ = qbank::bankfile::parse_sitting(&file);
});
