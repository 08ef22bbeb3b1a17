//! Fuzz target: a feedback report file as `qbank feedback import` reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = qbank::ops::parse::feedback_file("fuzz.csv", data);
});
