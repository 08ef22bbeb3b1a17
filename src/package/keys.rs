//! Key material outside the vault: an organisation's X25519 key pair (HPKE recipient) and the
//! bureau's Ed25519 signing key, with their file formats and fingerprints.

use crate::error::{Error, Result};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hpke::{Deserializable, Kem as _, Serializable};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;
use zeroize::Zeroizing;

/// A 32-byte symmetric secret kept in a sealed vault record (a sitting's release keys and copy
/// secret): zeroized on drop, `Debug` prints `[redacted]`, serialised as hex only inside sealed
/// records.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret32(Zeroizing<[u8; 32]>);

impl Secret32 {
    /// 32 fresh bytes from the OS.
    pub fn random() -> Result<Secret32> {
        Ok(Secret32(random32()?))
    }
    pub fn from_bytes(b: [u8; 32]) -> Secret32 {
        Secret32(Zeroizing::new(b))
    }
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Secret32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let h = Zeroizing::new(hex::encode(self.0.as_ref()));
        s.serialize_str(&h)
    }
}

impl<'de> Deserialize<'de> for Secret32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let h = Zeroizing::new(String::deserialize(d)?);
        let v = Zeroizing::new(
            hex::decode(h.as_bytes()).map_err(|_| serde::de::Error::custom("secret is not hex"))?,
        );
        let arr: [u8; 32] = v
            .as_slice()
            .try_into()
            .map_err(|_| serde::de::Error::custom("secret is not 32 bytes"))?;
        Ok(Secret32::from_bytes(arr))
    }
}

/// The HPKE suite of sealed packages: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
pub type Kem = hpke::kem::X25519HkdfSha256;
pub type Kdf = hpke::kdf::HkdfSha256;
pub type Aead = hpke::aead::AesGcm256;

fn random32() -> Result<Zeroizing<[u8; 32]>> {
    let mut b = Zeroizing::new([0u8; 32]);
    getrandom::fill(b.as_mut()).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
    Ok(b)
}

/// A short, printable fingerprint of public key bytes: the first 16 hex digits of SHA-256.
pub fn fingerprint(public: &[u8]) -> String {
    hex::encode(&Sha256::digest(public)[..8])
}

fn parse_hex32(s: &str, what: &str, path: &Path) -> Result<Zeroizing<[u8; 32]>> {
    let bad = || Error::KeyFile {
        path: path.to_path_buf(),
        reason: format!("`{what}` must be 64 hex digits"),
    };
    let v = Zeroizing::new(hex::decode(s.trim()).map_err(|_| bad())?);
    let arr: [u8; 32] = v.as_slice().try_into().map_err(|_| bad())?;
    Ok(Zeroizing::new(arr))
}

/// A warning (for the user, in Chinese) when a secret key file can be read by its group or by
/// other users; None when it is private to its owner, missing, or on a system without modes.
pub fn key_file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "警告：密钥文件 {} 的权限为 {mode:04o}，同组或其他用户可读；请执行 chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

/// The largest key file read (key files are a few hundred bytes).
const MAX_KEY_FILE: u64 = 64 << 10;

/// Reads a key file: a regular file (never a FIFO, which would block) of at most 64 KiB. A key
/// file that is missing, unreadable or not a file is a key problem (exit 5), named by its path.
pub(crate) fn read_key_bytes(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    use std::io::Read;
    let bad = |reason: String| Error::KeyFile {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(bad("is not a regular file".into()));
    }
    let f = std::fs::File::open(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let mut bytes = Zeroizing::new(Vec::new());
    f.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(format!("cannot be read: {e}")))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(bad(format!(
            "is larger than {MAX_KEY_FILE} bytes; is this a key file?"
        )));
    }
    Ok(bytes)
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let bytes = read_key_bytes(path)?;
    let text = Zeroizing::new(
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::KeyFile {
            path: path.to_path_buf(),
            reason: format!("not a {what} file: not UTF-8 text"),
        })?,
    );
    // the parser's own message may quote the file's values (key material): give the line only
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            1 + text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
        });
        Error::KeyFile {
            path: path.to_path_buf(),
            reason: format!("not a {what} file (line {line})"),
        }
    })
}

/// Writes `bytes` to a new file readable only by its owner (0600), synced; refuses to overwrite.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| Error::io("create key file", path, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io("write key file", path, e))
}

/// An organisation's public key (X25519), as registered in the catalog.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgPublic(pub [u8; 32]);

impl OrgPublic {
    pub fn hpke(&self) -> Result<<Kem as hpke::Kem>::PublicKey> {
        <Kem as hpke::Kem>::PublicKey::from_bytes(&self.0)
            .map_err(|_| Error::Crypto("organisation public key is not a valid X25519 key".into()))
    }
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }
}

impl fmt::Debug for OrgPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgPublic({})", self.fingerprint())
    }
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn a_group_or_world_readable_key_file_is_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("k.key");
        std::fs::write(&p, b"x").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let w = super::key_file_warning(&p).expect("0644 is warned about");
        assert!(w.contains("0644"), "{w}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(super::key_file_warning(&p), None);
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgPublicFile {
    organisation: String,
    x25519_public: String,
}

/// The private key file's fields: wiped on drop (the hex text is key material).
#[derive(Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct OrgSecretFile {
    organisation: String,
    x25519_secret: String,
    /// The bureau's Ed25519 key pinned at registration (`qbank org pin`): what packages,
    /// releases and catalogs must be signed by. Absent in key files made before pinning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bureau_ed25519: Option<String>,
    /// The bureau's X25519 key pinned with it: what submissions are sealed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bureau_x25519: Option<String>,
}

/// An organisation's private key. Made and kept on the organisation's side (`qbank org keygen`);
/// it never enters the vault.
pub struct OrgSecret {
    pub organisation: String,
    secret: Zeroizing<[u8; 32]>,
    /// The bureau keys this organisation pinned at registration (from its key file).
    pin: Option<BureauPin>,
}

impl fmt::Debug for OrgSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgSecret({}, [redacted])", self.organisation)
    }
}

impl OrgSecret {
    /// A fresh key pair for `organisation`.
    pub fn generate(organisation: &str) -> Result<OrgSecret> {
        let ikm = random32()?;
        let (sk, _) = Kem::derive_keypair(ikm.as_ref());
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&sk.to_bytes());
        Ok(OrgSecret {
            organisation: organisation.to_string(),
            secret,
            pin: None,
        })
    }

    /// A key from its secret bytes (the bureau's own X25519 key, kept sealed in the vault).
    pub fn from_secret(organisation: &str, secret: &[u8]) -> Result<OrgSecret> {
        let arr: [u8; 32] = secret
            .try_into()
            .map_err(|_| Error::Crypto("stored X25519 key has the wrong length".into()))?;
        Ok(OrgSecret {
            organisation: organisation.to_string(),
            secret: Zeroizing::new(arr),
            pin: None,
        })
    }

    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.as_ref()
    }

    pub fn hpke(&self) -> Result<<Kem as hpke::Kem>::PrivateKey> {
        <Kem as hpke::Kem>::PrivateKey::from_bytes(self.secret.as_ref())
            .map_err(|_| Error::Crypto("organisation key is not a valid X25519 key".into()))
    }

    pub fn public(&self) -> Result<OrgPublic> {
        let pk = Kem::sk_to_pk(&self.hpke()?);
        let mut b = [0u8; 32];
        b.copy_from_slice(&pk.to_bytes());
        Ok(OrgPublic(b))
    }

    /// The bureau keys pinned in this organisation's key file, if any.
    pub fn pinned(&self) -> Option<&BureauPin> {
        self.pin.as_ref()
    }

    /// The text of this key's private key file (with its pin, if any): key material.
    fn secret_text(&self) -> Zeroizing<String> {
        let file = OrgSecretFile {
            organisation: self.organisation.clone(),
            x25519_secret: hex::encode(self.secret.as_ref()),
            bureau_ed25519: self.pin.as_ref().map(|p| p.signing.hex()),
            bureau_x25519: self.pin.as_ref().map(|p| p.encryption.hex()),
        };
        let body = Zeroizing::new(toml::to_string(&file).expect("key file serialises"));
        let pinned = match &self.pin {
            Some(p) => format!(
                "# The bureau keys below were pinned at registration (pin {}): qbank verifies\n\
                 # packages and releases, and seals submissions, with these keys only.\n",
                p.fingerprint()
            ),
            None => String::new(),
        };
        Zeroizing::new(format!(
            "# qbank organisation private key (X25519, for HPKE). Keep it secret and backed up:\n\
             # it opens the sealed papers sent to this organisation. Never send it to anyone.\n{pinned}{}",
            body.as_str()
        ))
    }

    /// Writes `<dir>/<org>.key` (0600) and `<dir>/<org>.pub`; refuses to overwrite either.
    pub fn write_pair(&self, dir: &Path) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        let key = dir.join(format!("{}.key", self.organisation));
        let public = dir.join(format!("{}.pub", self.organisation));
        if public.exists() {
            return Err(Error::io(
                "create",
                &public,
                std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            ));
        }
        write_private(&key, self.secret_text().as_bytes())?;
        let pk = self.public()?;
        let pub_text = format!(
            "# qbank organisation public key: send this file to the bureau to register.\n\
             # fingerprint {}\n{}",
            pk.fingerprint(),
            toml::to_string(&OrgPublicFile {
                organisation: self.organisation.clone(),
                x25519_public: pk.hex(),
            })
            .expect("key file serialises")
        );
        std::fs::write(&public, pub_text).map_err(|e| Error::io("write", &public, e))?;
        Ok((key, public))
    }

    /// Pins `pin` (the bureau's keys, checked by the caller against the fingerprint the bureau
    /// gave at registration) into the key file at `path`, rewritten in place (0600, synced,
    /// renamed over the old file). Pinning the same keys again changes nothing; a key file that
    /// already pins other keys is refused (a key problem): re-pinning is a deliberate act.
    pub fn pin_into(path: &Path, pin: &BureauPin) -> Result<bool> {
        let mut k = OrgSecret::read(path)?;
        match &k.pin {
            Some(p) if p == pin => return Ok(false),
            Some(p) => {
                return Err(Error::KeyFile {
                    path: path.to_path_buf(),
                    reason: format!(
                        "已固定另一鉴定中心公钥（固定值 {}）；如确需更换，请向鉴定中心核实后用新的私钥文件重新固定",
                        p.fingerprint()
                    ),
                });
            }
            None => {}
        }
        k.pin = Some(pin.clone());
        let tmp = path.with_extension("key.pinning");
        let _ = std::fs::remove_file(&tmp);
        write_private(&tmp, k.secret_text().as_bytes())?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("replace key file", path, e))?;
        Ok(true)
    }

    pub fn read(path: &Path) -> Result<OrgSecret> {
        let f: OrgSecretFile = read_toml(path, "qbank organisation private key")?;
        let pin = match (&f.bureau_ed25519, &f.bureau_x25519) {
            (None, None) => None,
            (Some(ed), Some(x)) => Some(BureauPin::from_hex(ed, x).ok_or_else(|| {
                Error::KeyFile {
                    path: path.to_path_buf(),
                    reason: "the pinned bureau keys (`bureau_ed25519`, `bureau_x25519`) are not valid keys".into(),
                }
            })?),
            _ => {
                return Err(Error::KeyFile {
                    path: path.to_path_buf(),
                    reason: "a pin needs both `bureau_ed25519` and `bureau_x25519`".into(),
                });
            }
        };
        let s = OrgSecret {
            organisation: f.organisation.clone(),
            secret: parse_hex32(&f.x25519_secret, "x25519_secret", path)?,
            pin,
        };
        s.hpke().map_err(|_| Error::KeyFile {
            path: path.to_path_buf(),
            reason: "not a valid X25519 private key".into(),
        })?;
        Ok(s)
    }
}

/// Reads an organisation's public key file: (organisation id, key).
pub fn read_org_public(path: &Path) -> Result<(String, OrgPublic)> {
    let f: OrgPublicFile = read_toml(path, "qbank organisation public key")?;
    let b = parse_hex32(&f.x25519_public, "x25519_public", path)?;
    let pk = OrgPublic(*b);
    pk.hpke().map_err(|_| Error::KeyFile {
        path: path.to_path_buf(),
        reason: "not a valid X25519 public key".into(),
    })?;
    Ok((f.organisation, pk))
}

/// The bureau's Ed25519 signing key. It lives sealed inside the vault.
pub struct BureauKey(SigningKey);

impl fmt::Debug for BureauKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BureauKey({}, [redacted])", self.public().fingerprint())
    }
}

impl BureauKey {
    pub fn generate() -> Result<BureauKey> {
        let b = random32()?;
        Ok(BureauKey(SigningKey::from_bytes(&b)))
    }
    pub fn from_secret(b: &[u8]) -> Result<BureauKey> {
        let arr: [u8; 32] = b
            .try_into()
            .map_err(|_| Error::Crypto("stored bureau key has the wrong length".into()))?;
        let arr = Zeroizing::new(arr);
        Ok(BureauKey(SigningKey::from_bytes(&arr)))
    }
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }
    pub fn public(&self) -> BureauPublic {
        BureauPublic(self.0.verifying_key())
    }
    /// Signs `msg` under a domain label, so a signature for one purpose never verifies another.
    pub fn sign(&self, domain: &str, msg: &[u8]) -> [u8; 64] {
        self.0.sign(&domain_message(domain, msg)).to_bytes()
    }
}

fn domain_message(domain: &str, msg: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(domain.len() + 1 + msg.len());
    m.extend_from_slice(domain.as_bytes());
    m.push(0);
    m.extend_from_slice(msg);
    m
}

/// The bureau's public verification key, published with the catalog.
#[derive(Clone, PartialEq, Eq)]
pub struct BureauPublic(pub VerifyingKey);

impl fmt::Debug for BureauPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BureauPublic({})", self.fingerprint())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BureauPublicFile {
    bureau: String,
    ed25519_public: String,
    /// The bureau's X25519 key that item writers seal submissions to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x25519_public: Option<String>,
}

impl BureauPublic {
    pub fn hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0.to_bytes())
    }
    pub fn from_hex(s: &str) -> Option<BureauPublic> {
        let v = hex::decode(s).ok()?;
        let arr: [u8; 32] = v.as_slice().try_into().ok()?;
        VerifyingKey::from_bytes(&arr).ok().map(BureauPublic)
    }
    /// Strict Ed25519 verification (`verify_strict`: no small-order keys, canonical encodings).
    pub fn verify(&self, domain: &str, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(arr) = <[u8; 64]>::try_from(sig) else {
            return false;
        };
        self.0
            .verify_strict(&domain_message(domain, msg), &Signature::from_bytes(&arr))
            .is_ok()
    }
    /// The text of `bureau.pub`: the Ed25519 key, and the X25519 key submissions are sealed to.
    pub fn file_text(&self, bureau: &str, encryption: Option<&OrgPublic>) -> String {
        format!(
            "# qbank bureau public keys: Ed25519 verifies sealed packages, releases and audit\n\
             # checkpoints (fingerprint {}); X25519 receives item writers' sealed submissions.\n{}",
            self.fingerprint(),
            toml::to_string(&BureauPublicFile {
                bureau: bureau.to_string(),
                ed25519_public: self.hex(),
                x25519_public: encryption.map(OrgPublic::hex),
            })
            .expect("key file serialises")
        )
    }

    /// Reads the X25519 key submissions are sealed to from a `bureau.pub` file.
    pub fn read_encryption_key(path: &Path) -> Result<OrgPublic> {
        let f: BureauPublicFile = read_toml(path, "qbank bureau public key")?;
        let hex_key = f.x25519_public.ok_or_else(|| Error::KeyFile {
            path: path.to_path_buf(),
            reason: "this bureau.pub has no x25519_public key; ask the bureau for a current one"
                .into(),
        })?;
        let b = parse_hex32(&hex_key, "x25519_public", path)?;
        let pk = OrgPublic(*b);
        pk.hpke().map_err(|_| Error::KeyFile {
            path: path.to_path_buf(),
            reason: "`x25519_public` is not a valid X25519 public key".into(),
        })?;
        Ok(pk)
    }
    pub fn read(path: &Path) -> Result<BureauPublic> {
        let f: BureauPublicFile = read_toml(path, "qbank bureau public key")?;
        BureauPublic::from_hex(f.ed25519_public.trim()).ok_or_else(|| Error::KeyFile {
            path: path.to_path_buf(),
            reason: "`ed25519_public` is not a valid Ed25519 public key".into(),
        })
    }
}

/// The bureau's two public keys as an organisation pins them at registration: the Ed25519 key
/// that signs packages, releases and the audit log, and the X25519 key submissions are sealed
/// to. Its fingerprint (the *pin*, 64 hex digits) is what the bureau hands over at registration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BureauPin {
    pub signing: BureauPublic,
    pub encryption: OrgPublic,
}

impl BureauPin {
    /// SHA-256(`qbank-bureau-pin/1` ‖ 0 ‖ Ed25519 key ‖ X25519 key), all 64 hex digits (a
    /// shortened fingerprint could be matched by a searched-for key).
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"qbank-bureau-pin/1\0");
        h.update(self.signing.0.to_bytes());
        h.update(self.encryption.0);
        hex::encode(h.finalize())
    }

    fn from_hex(ed: &str, x: &str) -> Option<BureauPin> {
        let signing = BureauPublic::from_hex(ed.trim())?;
        let v = hex::decode(x.trim()).ok()?;
        let encryption = OrgPublic(v.as_slice().try_into().ok()?);
        encryption.hpke().ok()?;
        Some(BureauPin {
            signing,
            encryption,
        })
    }

    /// Both keys of a `bureau.pub` file.
    pub fn read(path: &Path) -> Result<BureauPin> {
        Ok(BureauPin {
            signing: BureauPublic::read(path)?,
            encryption: BureauPublic::read_encryption_key(path)?,
        })
    }

    /// Whether `given` (the words of a fingerprint as printed: any case, spaces or dashes
    /// between groups) is this pin's fingerprint.
    pub fn matches(&self, given: &str) -> bool {
        let g: String = given
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != ':')
            .collect::<String>()
            .to_ascii_lowercase();
        g == self.fingerprint()
    }
}

/// The bureau keys an organisation-side command uses: the ones pinned in the organisation's key
/// file, never a `bureau.pub` found beside the files. `given`, when the user names one, must be
/// the pinned keys (else refused, exit 6); a key file without a pin is a key problem (exit 5)
/// that says how to pin.
pub fn pinned_bureau(org: &OrgSecret, org_key: &Path, given: Option<&Path>) -> Result<BureauPin> {
    let Some(pin) = org.pinned() else {
        return Err(Error::KeyFile {
            path: org_key.to_path_buf(),
            reason: "未固定鉴定中心公钥：请用登记时鉴定中心给出的固定值执行 qbank org pin --org-key 该文件 --bureau-key bureau.pub --fingerprint 固定值".into(),
        });
    };
    if let Some(path) = given {
        let found = BureauPin::read(path)?;
        if &found != pin {
            return Err(Error::PackageRefused(format!(
                "{}: 该鉴定中心公钥（固定值 {}）不是本机构登记时固定的公钥（固定值 {}）；拒绝使用（可能被替换）",
                path.display(),
                found.fingerprint(),
                pin.fingerprint()
            )));
        }
    }
    Ok(pin.clone())
}
