//! Fuzz target: one bank file (standard, items, tasks, topics) checked as `qbank check` and
//! `import` check it, against the sample standard. Must never panic, abort or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Bytes that are not UTF-8 are refused by the reader before parsing (tested elsewhere).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = qbank::bankfile::SourceFile {
        path: "fuzz.toml".into(),
        text: text.into(),
    };
    let _ = qbank::bankfile::check(&[file], qbank_fuzz::standards());
});
