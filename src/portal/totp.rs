//! Time-based one-time passwords (RFC 6238 over RFC 4226: HMAC-SHA1, 30-second steps, six
//! digits — what every authenticator app takes from an `otpauth://` link), pure: the code of a
//! step, the check of a typed code against the steps around now (one either side, for clocks
//! a little apart) that refuses any step already used, and the secret's Base32 form.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// The seconds one code lasts.
pub const STEP_SECS: i64 = 30;
/// The secret's length (RFC 4226 recommends 160 bits).
pub const SECRET_LEN: usize = 20;

/// The time step of a Unix time.
pub fn step_of(unix: i64) -> u64 {
    (unix.max(0) / STEP_SECS) as u64
}

/// The six-digit code of `secret` at time step `step` (RFC 4226 dynamic truncation).
pub fn code(secret: &[u8], step: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]);
    bin % 1_000_000
}

/// The step a typed code belongs to, if it is the code of now's step or of one either side
/// and that step is later than `last_used` (a code works once). Spaces in what was typed are
/// ignored; anything but six digits is no code.
pub fn check(secret: &[u8], typed: &str, unix: i64, last_used: u64) -> Option<u64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    let now = step_of(unix);
    // constant-time enough: the three candidates are always computed and compared
    let mut hit = None;
    for s in [now.saturating_sub(1), now, now + 1] {
        if code(secret, s) == n && s > last_used && hit.is_none() {
            hit = Some(s);
        }
    }
    hit
}

/// RFC 4648 Base32 without padding, as authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` link an authenticator app reads from the QR code: issuer and account
/// percent-encoded.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let esc = |s: &str| crate::text::url_escape(s);
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        esc(issuer),
        esc(account),
        base32(secret),
        esc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B (SHA-1 key "12345678901234567890"), last six of its eight digits.
    #[test]
    fn codes_match_the_rfc_6238_vectors() {
        let k = b"12345678901234567890";
        for (t, eight) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(code(k, step_of(t)), eight % 1_000_000, "T = {t}");
        }
    }

    #[test]
    fn a_code_works_within_one_step_either_side_and_only_once() {
        let k = b"12345678901234567890";
        let t = 1111111109;
        let c = format!("{:06}", code(k, step_of(t)));
        assert_eq!(check(k, &c, t, 0), Some(step_of(t)));
        assert_eq!(check(k, &c, t + 30, 0), Some(step_of(t)), "next step");
        assert_eq!(check(k, &c, t - 30, 0), Some(step_of(t)), "clock behind");
        assert_eq!(check(k, &c, t + 90, 0), None, "three steps late");
        assert_eq!(check(k, &c, t, step_of(t)), None, "replayed");
        let spaced = format!("{} {}", &c[..3], &c[3..]);
        assert_eq!(check(k, &spaced, t, 0), Some(step_of(t)));
        assert_eq!(check(k, "12345", t, 0), None);
        assert_eq!(check(k, "abcdef", t, 0), None);
        assert_eq!(check(k, "", t, 0), None);
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        let u = otpauth_uri("江苏职业技能鉴定门户", "admin-a", b"12345678901234567890");
        assert!(u.starts_with("otpauth://totp/%E6%B1%9F"), "{u}");
        assert!(
            u.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"),
            "{u}"
        );
    }
}
