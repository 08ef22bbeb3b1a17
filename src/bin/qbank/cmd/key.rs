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
                    "请给出 --new-key-file 文件，或设置 QBANK_NEW_PASSPHRASE".into(),
                ));
            }
        },
    };
    let records = qbank::ops::rotate_key(&g.store()?, &new)?;
    if g.json {
        crate::output::json(
            &serde_json::json!({ "rotated": true, "reencrypted": true, "records": records }),
        );
    } else {
        // Exactly what is true: the store folder was rewritten, so the old key (and any old
        // header copy) opens nothing in it; copies and backups made before still open with it.
        crate::outln!(
            "已用新{}的新数据密钥重新加密全部 {records} 条记录，存储文件夹已整体重写；旧密钥及旧头部副本均无法再读取本存储。注意：轮换前制作的备份或副本仍可用旧密钥打开，请一并销毁。",
            match new {
                KeySource::File(_) => "密钥文件",
                KeySource::Passphrase(_) => "口令",
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
