//! Sealed submissions from item writers: a bank TOML file or an Excel workbook, with the writer's
//! organisation and name, sealed to the bureau's X25519 key and authenticated with the sending
//! organisation's registered X25519 key, so it can travel by mail or upload without exposing its
//! questions or who wrote them, and nobody without that organisation's private key can seal one
//! in its name. Pure over bytes (plus OS randomness).
//!
//! File (`.qsub`, format 2): `"QBANK-SUBMISSION/2\n" ‖ 32-byte encapsulated key ‖ HPKE
//! ciphertext` (base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, to the bureau;
//! info `"qbank-submission/2"`, associated data the magic line) of the *envelope*
//! `u16 BE organisation length ‖ organisation id ‖ 32-byte encapsulated key ‖ inner ciphertext`.
//! The inner ciphertext is HPKE in **auth mode** (RFC 9180 §5.1.3) from the organisation's key
//! to the bureau's, info `"qbank-submission/2" ‖ 0 ‖ "auth" ‖ 0 ‖ organisation`, associated
//! data the magic line, of `u32 BE meta length ‖ meta JSON ‖ file bytes`. The outer layer hides
//! which organisation submitted from whoever carries the file; the inner one opens only with the
//! public key registered for the organisation it names, and the meta must name the same one.
//!
//! Format 1 (`QBANK-SUBMISSION/1`, base mode only: anyone holding `bureau.pub` could seal one
//! in any organisation's name) is refused with a message saying so.

use super::keys::{Aead, Kdf, Kem, OrgPublic, OrgSecret};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

const MAGIC: &[u8] = b"QBANK-SUBMISSION/2\n";
const OLD_MAGIC: &[u8] = b"QBANK-SUBMISSION/1\n";
const INFO: &[u8] = b"qbank-submission/2";
/// The `format` of the meta this version writes.
pub const FORMAT: u32 = 2;
/// The longest organisation id an envelope may name (ids are at most 32 characters).
const MAX_ORG: usize = 64;

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
    /// The figure files the submitted file refers to, in the order their bytes follow the
    /// file's in the payload (absent when there are none: such a meta is as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A figure file sent with a submission: its name as the submitted file refers to it
/// (`fig/a.svg`) and its length in bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub len: u64,
}

/// The figure files of a submission by name, borrowed from its payload.
pub type Attached<'a> = std::collections::BTreeMap<String, &'a [u8]>;

/// At most this many figure files travel with one submission, and at most this many bytes.
pub const MAX_ATTACHMENTS: usize = 256;
pub const MAX_ATTACHMENT_BYTES: u64 = 32 << 20;

/// The payload of an opened submission split into the submitted file and its figure files
/// (name → bytes), as the meta lists them. A list that does not add up to the payload, names
/// a file twice, or exceeds the limits is refused (`PackageRefused`).
pub fn split<'a>(meta: &SubmissionMeta, payload: &'a [u8]) -> Result<(&'a [u8], Attached<'a>)> {
    let total = meta
        .attachments
        .iter()
        .try_fold(0u64, |n, a| n.checked_add(a.len))
        .unwrap_or(u64::MAX);
    if meta.attachments.len() > MAX_ATTACHMENTS || total > MAX_ATTACHMENT_BYTES {
        return Err(refused(&format!(
            "投稿附带的图形文件过多或过大（至多 {MAX_ATTACHMENTS} 个、共 {} MiB），已拒收",
            MAX_ATTACHMENT_BYTES >> 20
        )));
    }
    let Some(main) = (payload.len() as u64).checked_sub(total) else {
        return Err(refused(
            "the submission's attachment list does not match its payload",
        ));
    };
    let (file, mut rest) = payload.split_at(main as usize);
    let mut out = std::collections::BTreeMap::new();
    for a in &meta.attachments {
        let (bytes, tail) = rest.split_at(a.len as usize);
        rest = tail;
        if out.insert(a.name.clone(), bytes).is_some() {
            return Err(refused(&format!(
                "投稿附带的图形文件 {} 出现两次，已拒收",
                a.name
            )));
        }
    }
    Ok((file, out))
}

/// A kind of file sealed to the bureau in two layers (this module's format): its magic line
/// (also the associated data) and HPKE info. Submissions and 机考 results are two kinds, so one
/// never opens as the other.
#[derive(Clone, Copy)]
pub(crate) struct Kind {
    pub magic: &'static [u8],
    pub info: &'static [u8],
    /// What the file is, in messages ("投稿", "机考成绩").
    pub what: &'static str,
}

const SUBMISSION: Kind = Kind {
    magic: MAGIC,
    info: INFO,
    what: "投稿",
};

fn auth_info(kind: Kind, org: &str) -> Vec<u8> {
    let mut v = kind.info.to_vec();
    v.extend_from_slice(b"\0auth\0");
    v.extend_from_slice(org.as_bytes());
    v
}

/// Seals a submission file to the bureau, authenticated with the organisation's own key
/// (`sender`, whose organisation the meta must name).
pub fn seal(
    meta: &SubmissionMeta,
    file: &[u8],
    sender: &OrgSecret,
    bureau: &OrgPublic,
) -> Result<Vec<u8>> {
    if meta.organisation != sender.organisation {
        return Err(Error::Usage(format!(
            "投稿声明的机构 {} 与机构私钥文件的机构 {} 不符",
            meta.organisation, sender.organisation
        )));
    }
    let m = serde_json::to_vec(meta).expect("meta serialises");
    seal_as(SUBMISSION, &m, file, sender, bureau)
}

/// Seals `meta` (JSON) and `file` as a file of `kind`, from `sender` to `bureau`.
pub(crate) fn seal_as(
    kind: Kind,
    m: &[u8],
    file: &[u8],
    sender: &OrgSecret,
    bureau: &OrgPublic,
) -> Result<Vec<u8>> {
    let org = sender.organisation.as_bytes();
    if org.is_empty() || org.len() > MAX_ORG {
        return Err(Error::Usage("机构备案号长度不正确".into()));
    }
    let mut plain = Zeroizing::new(Vec::with_capacity(4 + m.len() + file.len()));
    plain.extend_from_slice(&(m.len() as u32).to_be_bytes());
    plain.extend_from_slice(m);
    plain.extend_from_slice(file);
    let pk_r = bureau.hpke()?;
    let sk_s = sender.hpke()?;
    let pk_s = sender.public()?.hpke()?;
    let seal_err = |e: hpke::HpkeError| Error::Crypto(format!("HPKE seal: {e}"));
    let (enc_in, inner) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Auth((sk_s, pk_s)),
        &pk_r,
        &auth_info(kind, &sender.organisation),
        &plain,
        kind.magic,
    )
    .map_err(seal_err)?;
    drop(plain);
    let mut envelope = Vec::with_capacity(2 + org.len() + 32 + inner.len());
    envelope.extend_from_slice(&(org.len() as u16).to_be_bytes());
    envelope.extend_from_slice(org);
    envelope.extend_from_slice(&hpke::Serializable::to_bytes(&enc_in));
    envelope.extend_from_slice(&inner);
    let (enc, ct) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &pk_r,
        kind.info,
        &envelope,
        kind.magic,
    )
    .map_err(seal_err)?;
    let mut out = kind.magic.to_vec();
    out.extend_from_slice(&hpke::Serializable::to_bytes(&enc));
    out.extend_from_slice(&ct);
    Ok(out)
}

fn encapped(b: &[u8], what: &str) -> Result<<Kem as hpke::Kem>::EncappedKey> {
    <<Kem as hpke::Kem>::EncappedKey as hpke::Deserializable>::from_bytes(b)
        .map_err(|_| refused(&format!("{what}的封装密钥格式错误")))
}

fn refused(why: &str) -> Error {
    Error::PackageRefused(why.to_string())
}

/// The organisation a sealed file says it comes from, read from its outer layer with the
/// bureau's key, before its origin is checked (for error messages and the registry look-up).
fn envelope(
    kind: Kind,
    bytes: &[u8],
    bureau: &OrgSecret,
) -> Result<(String, <Kem as hpke::Kem>::EncappedKey, Vec<u8>)> {
    let what = kind.what;
    let rest = bytes.strip_prefix(kind.magic).ok_or_else(|| {
        refused(&format!(
            "这不是 qbank 封装的{what}文件（应以 {} 开头）",
            String::from_utf8_lossy(kind.magic).trim()
        ))
    })?;
    if rest.len() < 32 + 16 {
        return Err(refused(&format!("{what}文件不完整（被截断）")));
    }
    let enc = encapped(&rest[..32], what)?;
    let env = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &bureau.hpke()?,
            &enc,
            kind.info,
            &rest[32..],
            kind.magic,
        )
        .map_err(|_| {
            refused(&format!(
                "{what}文件无法用本鉴定中心的密钥打开：封装给了其他密钥，或已被改动"
            ))
        })?,
    );
    let malformed = || refused(&format!("{what}文件格式错误"));
    if env.len() < 2 {
        return Err(malformed());
    }
    let n = u16::from_be_bytes([env[0], env[1]]) as usize;
    if n == 0 || n > MAX_ORG || env.len() < 2 + n + 32 + 16 {
        return Err(malformed());
    }
    let org = std::str::from_utf8(&env[2..2 + n])
        .map_err(|_| malformed())?
        .to_string();
    let enc_in = encapped(&env[2 + n..2 + n + 32], what)?;
    Ok((org, enc_in, env[2 + n + 32..].to_vec()))
}

/// Opens a sealed submission with the bureau's key and checks its origin: `sender` gives the
/// public key registered for the organisation the submission names (or refuses it: unknown,
/// suspended); the inner layer must open with that key in HPKE auth mode, and the meta must name
/// the same organisation. A submission sealed by anyone else in that organisation's name is
/// refused (`PackageRefused`, exit 6); nothing is returned of it.
pub fn open(
    bytes: &[u8],
    bureau: &OrgSecret,
    sender: impl FnOnce(&str) -> Result<OrgPublic>,
) -> Result<(SubmissionMeta, Zeroizing<Vec<u8>>)> {
    if bytes.starts_with(OLD_MAGIC) {
        return Err(refused(
            "这是旧格式投稿（QBANK-SUBMISSION/1，未经机构密钥认证，任何持有 bureau.pub 者均可冒名封装），本版本不再接受；请用机构私钥重新封装（qbank submission seal --org-key）",
        ));
    }
    let (org, m, rest) = open_as(SUBMISSION, bytes, bureau, sender)?;
    let meta: SubmissionMeta =
        serde_json::from_slice(&m).map_err(|_| refused("投稿的说明部分格式错误"))?;
    if meta.organisation != org {
        return Err(refused(&format!(
            "投稿声明的机构 {} 与认证它的机构密钥（{org}）不符，已拒收",
            meta.organisation
        )));
    }
    Ok((meta, rest))
}

/// What `open_as` returns: the authenticating organisation, the meta JSON and the rest.
pub(crate) type Opened = (String, Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>);

/// Opens a file of `kind`: the organisation that authenticated it, its meta JSON and the rest.
pub(crate) fn open_as(
    kind: Kind,
    bytes: &[u8],
    bureau: &OrgSecret,
    sender: impl FnOnce(&str) -> Result<OrgPublic>,
) -> Result<Opened> {
    let what = kind.what;
    let (org, enc_in, inner) = envelope(kind, bytes, bureau)?;
    let pk_s = sender(&org)?.hpke()?;
    let plain = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Auth(pk_s),
            &bureau.hpke()?,
            &enc_in,
            &auth_info(kind, &org),
            &inner,
            kind.magic,
        )
        .map_err(|_| {
            refused(&format!(
                "{what}来源无法验证：它不是用机构 {org} 登记的密钥封装的（冒名或被改动），已拒收，未存储任何内容"
            ))
        })?,
    );
    if plain.len() < 4 {
        return Err(refused(&format!("{what}文件格式错误")));
    }
    let n = u32::from_be_bytes(plain[..4].try_into().expect("4")) as usize;
    if plain.len() < 4 + n {
        return Err(refused(&format!("{what}文件格式错误")));
    }
    Ok((
        org,
        Zeroizing::new(plain[4..4 + n].to_vec()),
        Zeroizing::new(plain[4 + n..].to_vec()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(org: &str) -> SubmissionMeta {
        SubmissionMeta {
            format: FORMAT,
            organisation: org.into(),
            attachments: Vec::new(),
            writer: "w".into(),
            file_name: "a.toml".into(),
            sealed_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    /// An attachment list that does not add up to the payload (longer, overflowing, a name
    /// twice, too many) is refused, whatever the sender wrote in it; one that does is split.
    #[test]
    fn attachment_lists_that_do_not_add_up_are_refused() {
        let at = |lens: &[(&str, u64)]| {
            let mut m = meta("S000032100001");
            m.attachments = lens
                .iter()
                .map(|(n, l)| Attachment {
                    name: (*n).into(),
                    len: *l,
                })
                .collect();
            m
        };
        let payload = b"main-file<svg/>PNG";
        let (file, figs) = split(&at(&[("a.svg", 6), ("b.png", 3)]), payload).unwrap();
        assert_eq!(file, b"main-file");
        assert_eq!(figs["a.svg"], b"<svg/>");
        assert_eq!(figs["b.png"], b"PNG");
        for bad in [
            at(&[("a.svg", 100)]),
            at(&[("a.svg", u64::MAX), ("b.svg", 2)]),
            at(&[("a.svg", 1), ("a.svg", 1)]),
            at(&vec![("a.svg", 0); MAX_ATTACHMENTS + 1]),
        ] {
            assert!(matches!(
                split(&bad, payload),
                Err(Error::PackageRefused(_))
            ));
        }
    }

    #[test]
    fn only_the_registered_key_of_the_named_organisation_opens_a_submission() {
        let bureau = OrgSecret::generate("bureau").unwrap();
        let a = OrgSecret::generate("A").unwrap();
        let b = OrgSecret::generate("B").unwrap();
        let to = bureau.public().unwrap();
        let sealed = seal(&meta("A"), b"x", &a, &to).unwrap();
        let (m, f) = open(&sealed, &bureau, |o| {
            assert_eq!(o, "A");
            a.public()
        })
        .unwrap();
        assert_eq!((m.organisation.as_str(), f.as_slice()), ("A", &b"x"[..]));
        // B's key claiming to be A: the registry gives A's key, the auth layer fails
        let forged_key = OrgSecret::from_secret("A", b.secret_bytes()).unwrap();
        let forged = seal(&meta("A"), b"x", &forged_key, &to).unwrap();
        let e = open(&forged, &bureau, |_| a.public()).unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e}");
        // the meta cannot name another organisation than the key's
        assert!(seal(&meta("A"), b"x", &b, &to).is_err());
    }
}
