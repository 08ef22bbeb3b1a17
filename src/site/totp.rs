//! One-time codes for administrators and the bureau's operator (optional, RFC 6238): setting
//! up (a new secret waits until a code from the app confirms it), switching off (with a current
//! code), and the check at sign-in. The secret is kept sealed (AES-256-GCM, the user's id in
//! the associated data) under a key derived from the portal's own key file, so a copy of the
//! database — a backup, a PostgreSQL dump — yields no secret; every node reads the same key
//! file. Each step's code is taken once.

use super::{Site, db, unix};
use crate::error::{Error, Result};
use crate::portal::rules::{Role, User};
use crate::portal::totp;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use jiff::Timestamp;
use sqlx::Row;
use zeroize::Zeroizing;

/// The label of the sealing key derived from `portal.key`.
pub const KEY_LABEL: &str = "qbank-portal totp-seal/1";

/// Whether a user's one-time codes are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TotpState {
    Off,
    /// A secret was made and waits for its first code.
    Pending,
    On,
}

/// Who may switch one-time codes on: the people who manage others.
pub fn may_use(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Operator)
}

fn aad(user_id: i64) -> Vec<u8> {
    format!("qbank-portal-totp/1\0{user_id}").into_bytes()
}

fn refused(m: &str) -> Error {
    Error::Identity(m.to_string())
}

/// What the sign-in check found.
pub(super) enum Check {
    /// No codes for this user.
    NotNeeded,
    /// The code was right (and its step is now used).
    Passed,
    Missing,
    Wrong,
}

impl Site {
    fn totp_cipher(&self) -> Result<Aes256Gcm> {
        let k = self.totp_key.get().ok_or_else(|| {
            Error::Usage("门户未载入其密钥文件 portal.key，无法核对动态口令".into())
        })?;
        Ok(Aes256Gcm::new((&**k).into()))
    }

    /// Loads the sealing key (from `portal.key`, `setup::open`).
    pub fn set_totp_key(&self, key: Zeroizing<[u8; 32]>) {
        let _ = self.totp_key.set(key);
    }

    fn seal_secret(&self, user_id: i64, secret: &[u8]) -> Result<String> {
        let mut n = [0u8; 12];
        getrandom::fill(&mut n).map_err(|e| Error::Crypto(format!("系统随机数不可用：{e}")))?;
        let ct = self
            .totp_cipher()?
            .encrypt(
                &Nonce::from(n),
                Payload {
                    msg: secret,
                    aad: &aad(user_id),
                },
            )
            .map_err(|_| Error::Crypto("AES-GCM 加密失败".into()))?;
        Ok(hex::encode([&n[..], &ct].concat()))
    }

    fn open_secret(&self, user_id: i64, sealed: &str) -> Result<Zeroizing<Vec<u8>>> {
        let bad = || {
            Error::Crypto(format!(
                "用户 {user_id} 的动态口令密钥无法解开（数据库被改动，或 portal.key 不是本门户的）"
            ))
        };
        let b = hex::decode(sealed).map_err(|_| bad())?;
        if b.len() < 12 + 16 {
            return Err(bad());
        }
        let n: [u8; 12] = b[..12].try_into().expect("12 bytes");
        self.totp_cipher()?
            .decrypt(
                &Nonce::from(n),
                Payload {
                    msg: &b[12..],
                    aad: &aad(user_id),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| bad())
    }

    async fn totp_row(&self, user_id: i64) -> Result<(Option<String>, Option<String>, i64)> {
        let r = sqlx::query(
            "SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await
        .map_err(db)?;
        Ok((r.get(0), r.get(1), r.get(2)))
    }

    pub async fn totp_state(&self, user: &User) -> Result<TotpState> {
        Ok(match self.totp_row(user.id).await? {
            (Some(_), _, _) => TotpState::On,
            (None, Some(_), _) => TotpState::Pending,
            _ => TotpState::Off,
        })
    }

    /// Makes a new secret waiting for its first code (replacing one that waited); codes already
    /// on stay on until switched off.
    pub async fn totp_begin(&self, user: &User, now: Timestamp) -> Result<()> {
        if !may_use(user.role) {
            return Err(refused("只有机构管理员和鉴定中心操作员可以启用动态口令"));
        }
        if self.totp_state(user).await? == TotpState::On {
            return Err(Error::Usage("动态口令已启用；如需更换，请先停用".into()));
        }
        let mut secret = Zeroizing::new([0u8; totp::SECRET_LEN]);
        getrandom::fill(secret.as_mut())
            .map_err(|e| Error::Crypto(format!("系统随机数不可用：{e}")))?;
        let sealed = self.seal_secret(user.id, secret.as_ref())?;
        sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2")
            .bind(sealed)
            .bind(user.id)
            .execute(self.pool())
            .await
            .map_err(db)?;
        self.log(&now.to_string(), &user.login, "totp-begin", "")
            .await
    }

    /// The secret waiting for its first code, to show once more on the set-up page.
    pub async fn totp_pending(&self, user: &User) -> Result<Option<Zeroizing<Vec<u8>>>> {
        match self.totp_row(user.id).await? {
            (None, Some(p), _) => Ok(Some(self.open_secret(user.id, &p)?)),
            _ => Ok(None),
        }
    }

    /// Switches codes on once a code of the waiting secret is typed.
    pub async fn totp_confirm(&self, user: &User, code: &str, now: Timestamp) -> Result<()> {
        let Some(secret) = self.totp_pending(user).await? else {
            return Err(Error::Usage("没有待确认的动态口令，请重新开始设置".into()));
        };
        let Some(step) = totp::check(&secret, code, unix(now), 0) else {
            self.log(
                &now.to_string(),
                &user.login,
                "totp-refused",
                "reason=confirm",
            )
            .await?;
            return Err(Error::Usage(
                "动态口令不正确：请核对手机时间，输入验证器中当前显示的 6 位数字".into(),
            ));
        };
        sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1 WHERE id = $2",
        )
        .bind(step as i64)
        .bind(user.id)
        .execute(self.pool())
        .await
        .map_err(db)?;
        self.log(&now.to_string(), &user.login, "totp-on", "").await
    }

    /// Switches codes off, with a current code.
    pub async fn totp_off(&self, user: &User, code: &str, now: Timestamp) -> Result<()> {
        match self.totp_check(user.id, Some(code), now).await? {
            Check::Passed => {}
            Check::NotNeeded => return Err(Error::Usage("动态口令未启用".into())),
            Check::Missing | Check::Wrong => {
                self.log(&now.to_string(), &user.login, "totp-refused", "reason=off")
                    .await?;
                return Err(Error::Usage("动态口令不正确，未停用".into()));
            }
        }
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0 WHERE id = $1",
        )
        .bind(user.id)
        .execute(self.pool())
        .await
        .map_err(db)?;
        self.log(&now.to_string(), &user.login, "totp-off", "")
            .await
    }

    /// Switches a user's codes off from the portal's command line (the bureau's operator, for
    /// someone who lost their phone, after checking who asks); logged.
    pub async fn totp_reset(&self, login: &str, now: Timestamp) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0 WHERE login = $1",
        )
        .bind(login)
        .execute(self.pool())
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound {
                what: "portal user",
                id: login.to_string(),
            });
        }
        self.log(
            &now.to_string(),
            "portal",
            "totp-reset",
            &format!("login={login}"),
        )
        .await
    }

    /// The sign-in check: a right code is taken (its step recorded, so it works once).
    pub(super) async fn totp_check(
        &self,
        user_id: i64,
        code: Option<&str>,
        now: Timestamp,
    ) -> Result<Check> {
        let (Some(sealed), _, last) = self.totp_row(user_id).await? else {
            return Ok(Check::NotNeeded);
        };
        let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
            return Ok(Check::Missing);
        };
        let secret = self.open_secret(user_id, &sealed)?;
        let Some(step) = totp::check(&secret, code, unix(now), last.max(0) as u64) else {
            return Ok(Check::Wrong);
        };
        // taken once, also by two nodes at the same instant: only one update finds the old step
        let taken = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
        )
        .bind(step as i64)
        .bind(user_id)
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(if taken.rows_affected() == 1 {
            Check::Passed
        } else {
            Check::Wrong
        })
    }
}
