//! Fuzz target: a 机考 roster (CSV) as `qbank exam init` reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = qbank::ops::parse::roster_file("roster.csv", data);
});
