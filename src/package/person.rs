//! Personal Ed25519 key pairs of the bureau's reviewers and operators: made on the person's own
//! medium (`qbank person keygen`), registered in the vault by their public half (`person add`),
//! and used to sign each review decision, so the vault can tell two registered people from one
//! person under two names. Pure over bytes (plus OS randomness).
//!
//! Files: `<id>.key` (TOML `person`, `ed25519_secret`, 0600) and `<id>.pub` (`person`,
//! `ed25519_public`). Signatures cover `domain ‖ 0 ‖ message` (`verify_strict`).

use super::keys::{fingerprint, read_key_bytes, write_private};
use crate::error::{Error, Result};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct SecretFile {
    person: String,
    ed25519_secret: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicFile {
    person: String,
    ed25519_public: String,
}

fn message(domain: &str, msg: &[u8]) -> Vec<u8> {
    let mut m = domain.as_bytes().to_vec();
    m.push(0);
    m.extend_from_slice(msg);
    m
}

fn bad(path: &Path, reason: &str) -> Error {
    Error::KeyFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn read_text(path: &Path) -> Result<Zeroizing<String>> {
    let bytes = read_key_bytes(path)?;
    Ok(Zeroizing::new(String::from_utf8(bytes.to_vec()).map_err(
        |_| bad(path, "not a qbank personal key file: not UTF-8 text"),
    )?))
}

fn hex32(s: &str) -> Option<Zeroizing<[u8; 32]>> {
    let v = Zeroizing::new(hex::decode(s.trim()).ok()?);
    Some(Zeroizing::new(v.as_slice().try_into().ok()?))
}

/// A person's private signing key (a reviewer's or operator's), never in the vault. A clone
/// holds its own copy, zeroized on drop like the original.
#[derive(Clone)]
pub struct PersonSecret {
    pub person: String,
    key: SigningKey,
}

impl fmt::Debug for PersonSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonSecret({}, [redacted])", self.person)
    }
}

impl PersonSecret {
    pub fn generate(person: &str) -> Result<PersonSecret> {
        let mut b = Zeroizing::new([0u8; 32]);
        getrandom::fill(b.as_mut()).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
        Ok(PersonSecret {
            person: person.into(),
            key: SigningKey::from_bytes(&b),
        })
    }

    pub fn public(&self) -> PersonPublic {
        PersonPublic(self.key.verifying_key())
    }

    pub fn sign(&self, domain: &str, msg: &[u8]) -> [u8; 64] {
        self.key.sign(&message(domain, msg)).to_bytes()
    }

    /// A 256-bit key for `label`, derived from the signing key (HKDF-SHA256): one secret file
    /// keeps both, and the derived key says nothing about the signing key.
    pub fn derive_key(&self, label: &str) -> Zeroizing<[u8; 32]> {
        let seed = Zeroizing::new(self.key.to_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<sha2::Sha256>::new(Some(b"qbank-derived-key/1"), seed.as_ref())
            .expand(label.as_bytes(), out.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }

    /// Writes `<dir>/<id>.key` (0600) and `<dir>/<id>.pub`; refuses to overwrite either.
    pub fn write_pair(&self, dir: &Path) -> Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        let key = dir.join(format!("{}.key", self.person));
        let public = dir.join(format!("{}.pub", self.person));
        if public.exists() {
            return Err(Error::io(
                "create",
                &public,
                std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            ));
        }
        let body = Zeroizing::new(
            toml::to_string(&SecretFile {
                person: self.person.clone(),
                ed25519_secret: hex::encode(self.key.to_bytes()),
            })
            .expect("key file serialises"),
        );
        let text = Zeroizing::new(format!(
            "# qbank personal signing key (Ed25519). Keep it on your own medium: it signs your\n\
             # review decisions in the vault. Never give it to anyone.\n{}",
            body.as_str()
        ));
        write_private(&key, text.as_bytes())?;
        let pk = self.public();
        let pub_text = format!(
            "# qbank personal public key: give this file to the bureau to be registered.\n\
             # fingerprint {}\n{}",
            pk.fingerprint(),
            toml::to_string(&PublicFile {
                person: self.person.clone(),
                ed25519_public: pk.hex(),
            })
            .expect("key file serialises")
        );
        std::fs::write(&public, pub_text).map_err(|e| Error::io("write", &public, e))?;
        Ok((key, public))
    }

    pub fn read(path: &Path) -> Result<PersonSecret> {
        let text = read_text(path)?;
        let f: SecretFile = toml::from_str(&text)
            .map_err(|_| bad(path, "not a qbank personal private key file"))?;
        let b = hex32(&f.ed25519_secret)
            .ok_or_else(|| bad(path, "`ed25519_secret` must be 64 hex digits"))?;
        Ok(PersonSecret {
            person: f.person.clone(),
            key: SigningKey::from_bytes(&b),
        })
    }
}

/// A person's public verification key, as registered in the vault.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonPublic(pub VerifyingKey);

impl fmt::Debug for PersonPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonPublic({})", self.fingerprint())
    }
}

impl PersonPublic {
    pub fn hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0.to_bytes())
    }
    pub fn from_hex(s: &str) -> Option<PersonPublic> {
        let b = hex32(s)?;
        VerifyingKey::from_bytes(&b).ok().map(PersonPublic)
    }
    /// Strict Ed25519 verification under a domain label.
    pub fn verify(&self, domain: &str, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(arr) = <[u8; 64]>::try_from(sig) else {
            return false;
        };
        self.0
            .verify_strict(&message(domain, msg), &Signature::from_bytes(&arr))
            .is_ok()
    }
    /// Reads a `.pub` file: (person id, key).
    pub fn read(path: &Path) -> Result<(String, PersonPublic)> {
        let text = read_text(path)?;
        let f: PublicFile =
            toml::from_str(&text).map_err(|_| bad(path, "not a qbank personal public key file"))?;
        let pk = PersonPublic::from_hex(&f.ed25519_public)
            .ok_or_else(|| bad(path, "`ed25519_public` is not a valid Ed25519 public key"))?;
        Ok((f.person, pk))
    }
}

#[cfg(test)]
mod tests {
    use super::PersonSecret;

    #[test]
    fn derived_keys_are_fixed_per_key_and_label_and_differ_otherwise() {
        let a = PersonSecret::generate("portal").unwrap();
        let b = PersonSecret::generate("portal").unwrap();
        assert_eq!(*a.derive_key("x"), *a.clone().derive_key("x"));
        assert_ne!(*a.derive_key("x"), *a.derive_key("y"));
        assert_ne!(*a.derive_key("x"), *b.derive_key("x"));
    }
}
