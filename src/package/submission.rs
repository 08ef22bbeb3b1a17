//! Sealed submissions from item writers: a bank TOML file or an Excel workbook, with the writer's
//! organisation and name, sealed to the bureau's X25519 key with HPKE (RFC 9180, base mode,
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) so it can travel by mail or upload
//! without exposing its questions or who wrote them. Pure over bytes (plus OS randomness).
//!
//! File (`.qsub`): `"QBANK-SUBMISSION/1\n" ‖ 32-byte encapsulated key ‖ HPKE ciphertext` of
//! `u32 BE meta length ‖ meta JSON ‖ file bytes`; info `"qbank-submission/1"`, associated data
//! the magic line.

use super::keys::{Aead, Kdf, Kem, OrgPublic, OrgSecret};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

const MAGIC: &[u8] = b"QBANK-SUBMISSION/1\n";
const INFO: &[u8] = b"qbank-submission/1";

/// Who submits what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubmissionMeta {
    pub format: u32,
    /// The submitting organisation's registration id.
    pub organisation: String,
    /// The item writer's name.
    pub writer: String,
    /// The original file name (its extension says TOML or Excel).
    pub file_name: String,
    pub sealed_at: String,
}

/// Seals a submission file to the bureau.
pub fn seal(meta: &SubmissionMeta, file: &[u8], bureau: &OrgPublic) -> Result<Vec<u8>> {
    let m = serde_json::to_vec(meta).expect("meta serialises");
    let mut plain = Zeroizing::new(Vec::with_capacity(4 + m.len() + file.len()));
    plain.extend_from_slice(&(m.len() as u32).to_be_bytes());
    plain.extend_from_slice(&m);
    plain.extend_from_slice(file);
    let (enc, ct) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &bureau.hpke()?,
        INFO,
        &plain,
        MAGIC,
    )
    .map_err(|e| Error::Crypto(format!("HPKE seal: {e}")))?;
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&hpke::Serializable::to_bytes(&enc));
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens a sealed submission with the bureau's key.
pub fn open(bytes: &[u8], bureau: &OrgSecret) -> Result<(SubmissionMeta, Zeroizing<Vec<u8>>)> {
    let refused = |why: &str| Error::PackageRefused(why.to_string());
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| refused("this is not a sealed qbank submission (QBANK-SUBMISSION/1)"))?;
    if rest.len() < 32 + 16 {
        return Err(refused("the submission is truncated"));
    }
    let enc = <<Kem as hpke::Kem>::EncappedKey as hpke::Deserializable>::from_bytes(&rest[..32])
        .map_err(|_| refused("the submission's encapsulated key is malformed"))?;
    let plain = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &bureau.hpke()?,
            &enc,
            INFO,
            &rest[32..],
            MAGIC,
        )
        .map_err(|_| {
            refused("the submission does not open with this bureau's key: sealed to another key, or altered")
        })?,
    );
    if plain.len() < 4 {
        return Err(refused("the submission is malformed"));
    }
    let n = u32::from_be_bytes(plain[..4].try_into().expect("4")) as usize;
    if plain.len() < 4 + n {
        return Err(refused("the submission is malformed"));
    }
    let meta: SubmissionMeta = serde_json::from_slice(&plain[4..4 + n])
        .map_err(|_| refused("the submission's description is malformed"))?;
    Ok((meta, Zeroizing::new(plain[4 + n..].to_vec())))
}
