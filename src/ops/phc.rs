//! Argon2id hashes (PHC strings) of the short secrets people type: the 机考's proctor and
//! marking codes, the portal's passwords and enrolment codes. Only the hash is ever kept.

use crate::error::{Error, Result};

/// The Argon2id PHC string of `secret` (argon2's default cost, a fresh salt).
pub fn hash(secret: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h: argon2::password_hash::phc::PasswordHash| h.to_string())
        .map_err(|e| Error::Crypto(e.to_string()))
}

/// Whether `secret` (surrounding blanks ignored) matches the PHC string `phc`; false for an
/// unreadable one.
pub fn verify(phc: &str, secret: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    argon2::password_hash::phc::PasswordHash::new(phc)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(secret.trim().as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}
