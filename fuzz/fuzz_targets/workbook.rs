//! Fuzz target: an item writer's workbook (.xlsx) read as `qbank check` and `submission import`
//! read it, and the bank files it becomes checked against the sample standard.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(files) = qbank::ops::parse::workbook("fuzz.xlsx", data) {
        let _ = qbank::bankfile::check(&files, qbank_fuzz::standards());
    }
});
