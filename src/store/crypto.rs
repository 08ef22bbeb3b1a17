//! Envelope encryption at rest. A master key (a 32-byte key file, or a passphrase through
//! Argon2id) wraps data keys; records are sealed under a data key with AES-256-GCM, a random
//! 96-bit nonce, and associated data binding the ciphertext to its place (tree, record key,
//! version, key id, format), so a ciphertext moved to another record does not open.

use crate::error::{Error, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use std::fmt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Record envelope format: `[ENVELOPE_V][key id u32 BE][nonce 12][ciphertext‖tag]`.
pub const ENVELOPE_V: u8 = 1;
const NONCE: usize = 12;
const HEAD: usize = 1 + 4 + NONCE;

/// A 256-bit key, wiped on drop, never printed.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl SecretKey {
    pub fn random() -> Result<SecretKey> {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(k.as_mut()).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
        Ok(SecretKey(k))
    }
    pub fn from_bytes(b: [u8; 32]) -> SecretKey {
        SecretKey(Zeroizing::new(b))
    }
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// The expanded cipher for this key, labelled with the key id it is stored under.
    pub fn cipher(&self, id: u32) -> Cipher {
        Cipher {
            id,
            aead: Aes256Gcm::new(&Key::<Aes256Gcm>::from(*self.0)),
        }
    }
}

/// An AES-256-GCM key, expanded once and reused for many records; wiped on drop.
pub struct Cipher {
    id: u32,
    aead: Aes256Gcm,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cipher(key id {}, [redacted])", self.id)
    }
}

impl Cipher {
    pub fn id(&self) -> u32 {
        self.id
    }
}

/// Where the master key comes from (a clone of a passphrase is zeroized on drop too).
#[derive(Clone)]
pub enum KeySource {
    /// A file holding exactly 32 random bytes.
    File(PathBuf),
    /// A passphrase, stretched with Argon2id and the store's salt.
    Passphrase(Zeroizing<String>),
}

impl KeySource {
    pub fn describe(&self) -> &'static str {
        match self {
            KeySource::File(_) => "key file",
            KeySource::Passphrase(_) => "passphrase",
        }
    }

    /// Refuses a key that must never be used: an empty (or all-blank) passphrase would derive a
    /// key anyone can guess. A key problem (exit 5), checked before anything is made or read.
    pub fn check(&self) -> Result<()> {
        match self {
            KeySource::Passphrase(p) if p.trim().is_empty() => {
                Err(Error::EmptyPassphrase("the passphrase"))
            }
            _ => Ok(()),
        }
    }
}

/// Creates a new key file with 32 random bytes, readable by its owner only (0600).
pub fn create_key_file(path: &Path) -> Result<()> {
    let key = SecretKey::random()?;
    crate::package::keys::write_private(path, key.bytes())
}

pub fn read_key_file(path: &Path) -> Result<SecretKey> {
    let bytes = crate::package::keys::read_key_bytes(path)?;
    let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| Error::KeyFile {
        path: path.to_path_buf(),
        reason: format!(
            "expected exactly 32 bytes, found {}; is this a qbank key file?",
            bytes.len()
        ),
    })?;
    Ok(SecretKey::from_bytes(arr))
}

/// Argon2id parameters, stored in clear with the store so the same passphrase gives the same key.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Argon2Params {
    pub salt: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Argon2Params {
    /// Above OWASP's minimum for Argon2id (19 MiB, 2 passes): 64 MiB, 3 passes, 1 lane (RFC 9106's
    /// second recommended option, single-laned). The cost is stored with the salt in the
    /// store's header, so stores made with other costs keep opening and a later version may
    /// raise it.
    pub fn new_random() -> Result<Argon2Params> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
        Ok(Argon2Params {
            salt: hex::encode(salt),
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        })
    }
    pub fn derive(&self, passphrase: &str) -> Result<SecretKey> {
        if passphrase.trim().is_empty() {
            return Err(Error::EmptyPassphrase("the passphrase"));
        }
        let salt = hex::decode(&self.salt).map_err(|_| Error::Corrupt {
            record: "header".into(),
            reason: "Argon2 salt is not hex".into(),
        })?;
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| Error::Crypto(format!("Argon2 parameters: {e}")))?;
        let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        a.hash_password_into(passphrase.as_bytes(), &salt, out.as_mut())
            .map_err(|e| Error::Crypto(format!("Argon2: {e}")))?;
        Ok(SecretKey(out))
    }
}

fn nonce() -> Result<[u8; NONCE]> {
    let mut n = [0u8; NONCE];
    getrandom::fill(&mut n).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
    Ok(n)
}

/// Where a record lives; all of it is authenticated as associated data. `extra` binds clear
/// bytes stored next to the ciphertext (an index page's public part).
pub struct Place<'a> {
    pub tree: &'a str,
    pub key: &'a [u8],
    pub version: u32,
    pub extra: &'a [u8],
}

impl<'a> Place<'a> {
    pub fn new(tree: &'a str, key: &'a [u8], version: u32) -> Place<'a> {
        Place {
            tree,
            key,
            version,
            extra: &[],
        }
    }
}

fn aad(place: &Place, key_id: u32) -> Vec<u8> {
    let mut a = Vec::with_capacity(48 + place.key.len() + place.extra.len());
    a.extend_from_slice(b"qbank-record\0");
    a.push(ENVELOPE_V);
    a.extend_from_slice(place.tree.as_bytes());
    a.push(0);
    a.extend_from_slice(&(place.key.len() as u32).to_be_bytes());
    a.extend_from_slice(place.key);
    a.extend_from_slice(&place.version.to_be_bytes());
    a.extend_from_slice(&key_id.to_be_bytes());
    a.extend_from_slice(&(place.extra.len() as u64).to_be_bytes());
    a.extend_from_slice(place.extra);
    a
}

/// Seals `plaintext` for `place` under `cipher`.
pub fn seal(cipher: &Cipher, place: &Place, plaintext: &[u8]) -> Result<Vec<u8>> {
    let n = nonce()?;
    let ad = aad(place, cipher.id);
    let ct = cipher
        .aead
        .encrypt(
            &Nonce::from(n),
            Payload {
                msg: plaintext,
                aad: &ad,
            },
        )
        .map_err(|_| Error::Crypto("AES-GCM encryption failed".into()))?;
    let mut out = Vec::with_capacity(HEAD + ct.len());
    out.push(ENVELOPE_V);
    out.extend_from_slice(&cipher.id.to_be_bytes());
    out.extend_from_slice(&n);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// The data key id an envelope names, if it is an envelope at all.
pub fn envelope_key_id(bytes: &[u8]) -> Option<u32> {
    (bytes.len() >= HEAD + 16 && bytes[0] == ENVELOPE_V)
        .then(|| u32::from_be_bytes(bytes[1..5].try_into().expect("4 bytes")))
}

/// Opens an envelope sealed for `place`. Any change to the bytes or the place fails, and so
/// does an envelope that names another key id than `cipher`'s.
pub fn open(cipher: &Cipher, place: &Place, bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let tampered = || Error::Tampered {
        record: String::from_utf8_lossy(place.key).into_owned(),
    };
    if envelope_key_id(bytes) != Some(cipher.id) {
        return Err(tampered());
    }
    let n: [u8; NONCE] = bytes[5..HEAD].try_into().expect("12 bytes");
    let ad = aad(place, cipher.id);
    cipher
        .aead
        .decrypt(
            &Nonce::from(n),
            Payload {
                msg: &bytes[HEAD..],
                aad: &ad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| tampered())
}

/// Wraps a data key under the master key (AES-256-GCM, AD names the data key id).
pub fn wrap(master: &SecretKey, id: u32, dk: &SecretKey) -> Result<String> {
    let key = format!("datakey/{id}");
    let sealed = seal(
        &master.cipher(0),
        &Place::new("keywrap", key.as_bytes(), 0),
        dk.bytes(),
    )?;
    Ok(hex::encode(sealed))
}

/// Unwraps a data key; failure means the master key is wrong (or the header was altered).
pub fn unwrap(
    master: &SecretKey,
    id: u32,
    wrapped: &str,
    source: &'static str,
) -> Result<SecretKey> {
    let bytes = hex::decode(wrapped).map_err(|_| Error::Corrupt {
        record: "h".into(),
        reason: format!("wrapped data key {id} is not hex"),
    })?;
    let key = format!("datakey/{id}");
    let plain = open(
        &master.cipher(0),
        &Place::new("keywrap", key.as_bytes(), 0),
        &bytes,
    )
    .map_err(|_| Error::WrongKey(source))?;
    let arr: [u8; 32] = plain.as_slice().try_into().map_err(|_| Error::Corrupt {
        record: "h".into(),
        reason: format!("data key {id} has the wrong length"),
    })?;
    Ok(SecretKey::from_bytes(arr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_record_opens_only_in_its_place() {
        let k = SecretKey::random().unwrap().cipher(7);
        let here = Place {
            extra: b"public",
            ..Place::new("r", b"r/A/1", 1)
        };
        let sealed = seal(&k, &here, b"stem").unwrap();
        assert_eq!(open(&k, &here, &sealed).unwrap().as_slice(), b"stem");
        for other in [
            Place {
                extra: b"public",
                ..Place::new("r", b"r/B/1", 1)
            },
            Place {
                extra: b"public",
                ..Place::new("r", b"r/A/1", 2)
            },
            Place {
                extra: b"public",
                ..Place::new("x", b"r/A/1", 1)
            },
            Place {
                extra: b"publiC",
                ..Place::new("r", b"r/A/1", 1)
            },
        ] {
            assert!(matches!(
                open(&k, &other, &sealed),
                Err(Error::Tampered { .. })
            ));
        }
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(
            open(&k, &here, &flipped),
            Err(Error::Tampered { .. })
        ));
        let mut relabelled = sealed;
        relabelled[4] ^= 1; // the key id is checked and authenticated
        assert!(open(&k, &here, &relabelled).is_err());
    }

    #[test]
    fn a_wrong_master_key_is_reported_as_such() {
        let (m1, m2, dk) = (
            SecretKey::random().unwrap(),
            SecretKey::random().unwrap(),
            SecretKey::random().unwrap(),
        );
        let w = wrap(&m1, 3, &dk).unwrap();
        assert_eq!(unwrap(&m1, 3, &w, "key file").unwrap().bytes(), dk.bytes());
        assert!(matches!(
            unwrap(&m2, 3, &w, "key file"),
            Err(Error::WrongKey(_))
        ));
        assert!(unwrap(&m1, 4, &w, "key file").is_err());
    }
}
