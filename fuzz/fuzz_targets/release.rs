//! Fuzz target: a release file read and verified as `qbank unseal` reads it, against the fixed
//! test bureau key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static B: OnceLock<qbank::package::keys::BureauPublic> = OnceLock::new();
    let bureau = B.get_or_init(|| qbank_fuzz::bureau_key().public());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = qbank::package::read_release(text, bureau);
    }
});
