//! Small sealed records kept beside the bank — the bureau's signing key, the organisation
//! catalog, sittings and the usage ledger — each one JSON value sealed under the active data key
//! at its own place (`tree` = the key's first segment).

use super::crypto::{self, Place};
use super::kv::Put;
use super::vault::Vault;
use crate::error::{Error, Result};
use crate::package::keys::{BureauKey, BureauPublic, OrgSecret};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

/// Where the bureau's Ed25519 signing key is kept (sealed).
pub const BUREAU_KEY: &str = "k/bureau";
/// Where the bureau's X25519 key for item writers' sealed submissions is kept (sealed).
pub const BUREAU_ENCRYPTION_KEY: &str = "k/bureau-x25519";
/// The bureau's name in its public key file.
pub const BUREAU_NAME: &str = "江苏省人力资源和社会保障厅";

pub(super) fn tree_of(key: &str) -> &str {
    key.split('/').next().unwrap_or(key)
}

impl Vault {
    /// Seals `value` for record `key`; the caller commits the returned put (with the header,
    /// whose encryption counter this advances).
    pub fn put_record<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<Put> {
        let id = self.allocate(1, None)?[0];
        let json = Zeroizing::new(serde_json::to_vec(value).expect("records serialise"));
        let sealed = crypto::seal(
            self.cipher(id),
            &Place::new(tree_of(key), key.as_bytes(), 0),
            &json,
        )?;
        Ok((key.as_bytes().to_vec(), Some(sealed)))
    }

    /// Opens record `key`, if present.
    pub fn get_record<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let Some(v) = self.kv.get(key.as_bytes())? else {
            return Ok(None);
        };
        let plain = self.open_record(&Place::new(tree_of(key), key.as_bytes(), 0), &v)?;
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|e| Error::Corrupt {
                record: key.into(),
                reason: e.to_string(),
            })
    }

    /// Opens every record under `prefix`, in key order.
    pub fn records<T: DeserializeOwned>(&self, prefix: &str) -> Result<Vec<(String, T)>> {
        let mut out = Vec::new();
        self.kv.visit_prefix(prefix.as_bytes(), &mut |k, v| {
            let key = String::from_utf8_lossy(k).into_owned();
            let plain = self.open_record(&Place::new(tree_of(&key), k, 0), v)?;
            let t = serde_json::from_slice(&plain).map_err(|e| Error::Corrupt {
                record: key.clone(),
                reason: e.to_string(),
            })?;
            out.push((key, t));
            Ok(())
        })?;
        Ok(out)
    }

    /// Makes the bureau's Ed25519 signing key and X25519 submission key, returning their sealed
    /// records for the caller's batch (the signing key is usable at once).
    pub(super) fn make_bureau_keys(&mut self) -> Result<Vec<Put>> {
        let bureau = BureauKey::generate()?;
        let signing = Zeroizing::new(hex::encode(bureau.secret_bytes().as_ref()));
        let put = self.put_record(BUREAU_KEY, signing.as_str())?;
        let enc = OrgSecret::generate("bureau")?;
        let enc_hex = Zeroizing::new(hex::encode(enc.secret_bytes()));
        let put_enc = self.put_record(BUREAU_ENCRYPTION_KEY, enc_hex.as_str())?;
        self.bureau = Some(bureau);
        Ok(vec![put, put_enc])
    }

    pub(super) fn load_bureau_key(&self) -> Result<Option<BureauKey>> {
        let Some(hex_key) = self.get_record::<String>(BUREAU_KEY)? else {
            return Ok(None);
        };
        let hex_key = Zeroizing::new(hex_key);
        let bytes = Zeroizing::new(hex::decode(hex_key.as_str()).map_err(|e| Error::Corrupt {
            record: BUREAU_KEY.into(),
            reason: e.to_string(),
        })?);
        BureauKey::from_secret(&bytes).map(Some)
    }

    /// The bureau's signing key.
    pub fn bureau_key(&self) -> Result<&BureauKey> {
        self.bureau.as_ref().ok_or_else(|| {
            Error::Crypto("this store has no bureau signing key (made by an older qbank)".into())
        })
    }

    /// The bureau's public key, published with the catalog.
    pub fn bureau_public(&self) -> Result<BureauPublic> {
        Ok(self.bureau_key()?.public())
    }

    /// The bureau's X25519 key that opens item writers' sealed submissions.
    pub fn bureau_encryption_key(&self) -> Result<OrgSecret> {
        let hex_key = self
            .get_record::<String>(BUREAU_ENCRYPTION_KEY)?
            .map(Zeroizing::new)
            .ok_or_else(|| {
                Error::Crypto(
                    "this store has no bureau encryption key (made by an older qbank)".into(),
                )
            })?;
        let bytes = Zeroizing::new(hex::decode(hex_key.as_str()).map_err(|e| Error::Corrupt {
            record: BUREAU_ENCRYPTION_KEY.into(),
            reason: e.to_string(),
        })?);
        OrgSecret::from_secret("bureau", &bytes)
    }

    /// The text of `bureau.pub`: both public keys.
    pub fn bureau_file_text(&self) -> Result<String> {
        let enc = self.bureau_encryption_key()?.public()?;
        Ok(self.bureau_public()?.file_text(BUREAU_NAME, Some(&enc)))
    }
}
