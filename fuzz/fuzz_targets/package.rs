//! Fuzz target: a sealed package read and opened as `qbank unseal` does, with the fixed test
//! organisation key, bureau key and release the seed packages were sealed for; and its keys
//! section as `unseal --keys-release` opens it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Keys {
    org: qbank::package::keys::OrgSecret,
    bureau: qbank::package::keys::BureauPublic,
    release: qbank::package::Release,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| Keys {
        org: qbank_fuzz::org_key(),
        bureau: qbank_fuzz::bureau_key().public(),
        release: qbank_fuzz::release(),
    })
}

fuzz_target!(|data: &[u8]| {
    let k = keys();
    let _ = qbank::package::read_manifest(data, &k.bureau);
    let _ = qbank::package::open(data, &k.org, &k.release, &k.bureau);
    let _ = qbank::package::open_keys(data, &k.org, &k.release, &k.bureau);
});
