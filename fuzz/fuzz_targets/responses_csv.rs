//! Fuzz target: a response file (`candidate,copy,1,2,…`) as `qbank analysis` reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = qbank::ops::parse::response_file("fuzz.csv", data);
});
