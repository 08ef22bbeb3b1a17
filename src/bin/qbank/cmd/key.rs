//! `qbank key rotate`

use crate::cli::{Global, KeyCommand};
use qbank::store::KeySource;
use qbank::{Error, Result};
use std::process::ExitCode;
use zeroize::Zeroizing;

pub fn exec(g: &Global, k: KeyCommand) -> Result<ExitCode> {
    let KeyCommand::Rotate { new_key_file } = k;
    let new = match new_key_file {
        Some(f) => KeySource::File(f),
        None => match std::env::var("QBANK_NEW_PASSPHRASE") {
            Ok(p) if !p.is_empty() => KeySource::Passphrase(Zeroizing::new(p)),
            _ => {
                return Err(Error::Usage(
                    "give --new-key-file FILE or set QBANK_NEW_PASSPHRASE".into(),
                ));
            }
        },
    };
    qbank::ops::rotate_key(&g.store()?, &new)?;
    if g.json {
        crate::output::json(&serde_json::json!({ "rotated": true }));
    } else {
        crate::outln!(
            "data keys rewrapped under the new {}; the old key no longer opens the store",
            new.describe()
        );
    }
    Ok(ExitCode::SUCCESS)
}
