//! The portal's people: an organisation's administrator enrolled with the one-time code the
//! bureau's letter gave, the users an administrator makes, sign-in with Argon2id passwords and
//! lock-out after failed tries (and a one-time code for those who switched it on, `totp.rs`),
//! and sessions (the cookie's token is random; only its SHA-256 is
//! stored, so a copy of the database opens no session). Every sign-in, refusal and change is
//! logged.

use super::totp::Check;
use super::{Site, db, unix};
use crate::error::{Error, Result};
use crate::portal::rules::{self, Role, User};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A session token's stored form.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The CSRF value of a session: derived from its secret token, so it needs no storage and any
/// node can check it.
pub fn csrf_of(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"qbank-portal-csrf/1\0");
    h.update(token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

fn new_token() -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| Error::Crypto(format!("系统随机数不可用：{e}")))?;
    Ok(hex::encode(b))
}

fn refused(m: &str) -> Error {
    Error::Identity(m.to_string())
}

/// Argon2 off the async threads.
async fn verify_blocking(phc: String, secret: String) -> bool {
    tokio::task::spawn_blocking(move || crate::ops::phc::verify(&phc, &secret))
        .await
        .unwrap_or(false)
}

async fn hash_blocking(secret: String) -> Result<String> {
    tokio::task::spawn_blocking(move || crate::ops::phc::hash(&secret))
        .await
        .map_err(|e| Error::Crypto(e.to_string()))?
}

/// A hash of a random secret, verified when the login is unknown so that an unknown login
/// takes as long as a wrong password.
fn dummy() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            new_token()
                .and_then(|t| crate::ops::phc::hash(&t))
                .unwrap_or_default()
        })
        .clone()
}

fn user_of(r: &sqlx::any::AnyRow) -> User {
    User {
        id: r.get::<i64, _>("id"),
        login: r.get("login"),
        name: r.get("name"),
        organisation: r.get::<Option<String>, _>("organisation"),
        role: Role::parse(&r.get::<String, _>("role")).unwrap_or(Role::Writer),
    }
}

/// A new user's details.
pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

fn check_new(u: &NewUser<'_>) -> Result<()> {
    if !rules::login_ok(u.login) {
        return Err(Error::Usage(
            "登录名应为 3–32 个小写字母、数字或 . _ -，以字母或数字开头".into(),
        ));
    }
    let name = u.name.trim();
    if name.is_empty() || name.chars().count() > 32 {
        return Err(Error::Usage("姓名应为 1–32 个字".into()));
    }
    if let Some(p) = rules::password_problem(u.login, u.password) {
        return Err(Error::Usage(p.into()));
    }
    Ok(())
}

impl Site {
    async fn insert_user(&self, org: Option<&str>, u: &NewUser<'_>, now: Timestamp) -> Result<i64> {
        check_new(u)?;
        let taken = sqlx::query("SELECT id FROM users WHERE login = $1")
            .bind(u.login)
            .fetch_optional(self.pool())
            .await
            .map_err(db)?;
        if taken.is_some() {
            return Err(Error::Usage(format!(
                "登录名 {} 已被使用，请换一个",
                u.login
            )));
        }
        let hash = hash_blocking(u.password.to_string()).await?;
        let row = sqlx::query(
            "INSERT INTO users (login, name, organisation, role, password_hash, created) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(u.login)
        .bind(u.name.trim())
        .bind(org)
        .bind(u.role.as_str())
        .bind(hash)
        .bind(now.to_string())
        .fetch_one(self.pool())
        .await
        .map_err(db)?;
        Ok(row.get::<i64, _>(0))
    }

    /// Makes the bureau's operator account (from the portal's command line, not the web).
    pub async fn add_operator(
        &self,
        login: &str,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let u = NewUser {
            login,
            name,
            role: Role::Operator,
            password,
        };
        let id = self.insert_user(None, &u, now).await?;
        self.log(
            &now.to_string(),
            "portal",
            "operator-add",
            &format!("login={login}"),
        )
        .await?;
        Ok(id)
    }

    /// An organisation's administrator enrols with the code of the bureau's letter.
    pub async fn enrol(
        &self,
        org: &str,
        code: &str,
        u: &NewUser<'_>,
        now: Timestamp,
    ) -> Result<User> {
        let at = now.to_string();
        let row = sqlx::query(
            "SELECT code_hash, expires, used, failures, last_failure FROM enrolments WHERE organisation = $1",
        )
        .bind(org)
        .fetch_optional(self.pool())
        .await
        .map_err(db)?;
        let Some(row) = row else {
            let _ = verify_blocking(dummy(), code.into()).await;
            self.log(
                &at,
                "anonymous",
                "enrol-refused",
                &format!("organisation={org} reason=no-code"),
            )
            .await?;
            return Err(refused("备案号或注册码不正确"));
        };
        let failures: i64 = row.get(3);
        if let Some(until) = rules::locked_until(failures, row.get(4))
            && unix(now) < until
        {
            self.log(
                &at,
                "anonymous",
                "enrol-refused",
                &format!("organisation={org} reason=locked"),
            )
            .await?;
            return Err(refused(
                "尝试次数过多，该注册码已暂时锁定，请 15 分钟后再试",
            ));
        }
        if row.get::<Option<String>, _>(2).is_some() {
            self.log(
                &at,
                "anonymous",
                "enrol-refused",
                &format!("organisation={org} reason=used"),
            )
            .await?;
            return Err(refused(
                "该注册码已使用过；如需新的管理员，请向鉴定中心申请新的注册码",
            ));
        }
        let expires = row.get::<String, _>(1).parse::<Timestamp>().ok();
        if expires.is_none_or(|e| now >= e) {
            self.log(
                &at,
                "anonymous",
                "enrol-refused",
                &format!("organisation={org} reason=expired"),
            )
            .await?;
            return Err(refused("该注册码已过期，请向鉴定中心申请新的注册码"));
        }
        if !verify_blocking(row.get(0), code.to_string()).await {
            sqlx::query("UPDATE enrolments SET failures = failures + 1, last_failure = $1 WHERE organisation = $2")
                .bind(unix(now))
                .bind(org)
                .execute(self.pool())
                .await
                .map_err(db)?;
            self.log(
                &at,
                "anonymous",
                "enrol-refused",
                &format!("organisation={org} reason=wrong-code"),
            )
            .await?;
            return Err(refused("备案号或注册码不正确"));
        }
        let id = self.insert_user(Some(org), u, now).await?;
        sqlx::query("UPDATE enrolments SET used = $1, failures = 0 WHERE organisation = $2")
            .bind(&at)
            .bind(org)
            .execute(self.pool())
            .await
            .map_err(db)?;
        self.log(&at, u.login, "enrol", &format!("organisation={org}"))
            .await?;
        Ok(User {
            id,
            login: u.login.into(),
            name: u.name.trim().into(),
            organisation: Some(org.into()),
            role: Role::Admin,
        })
    }

    /// Signs in: a new session token (never one the browser brought: no fixation). A user with
    /// one-time codes on also needs the current code (`totp`); a wrong one counts as a failure.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        totp: Option<&str>,
        now: Timestamp,
    ) -> Result<(User, String)> {
        let at = now.to_string();
        let row = sqlx::query(
            "SELECT id, login, name, organisation, role, password_hash, active, failures, last_failure FROM users WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(self.pool())
        .await
        .map_err(db)?;
        let Some(row) = row else {
            let _ = verify_blocking(dummy(), password.into()).await;
            self.log(
                &at,
                "anonymous",
                "login-refused",
                &format!("login={} reason=unknown", printable(login)),
            )
            .await?;
            return Err(refused("登录名或密码不正确"));
        };
        let user = user_of(&row);
        if let Some(until) = rules::locked_until(row.get("failures"), row.get("last_failure"))
            && unix(now) < until
        {
            self.log(&at, &user.login, "login-refused", "reason=locked")
                .await?;
            return Err(refused(
                "密码错误次数过多，账户已暂时锁定，请 15 分钟后再试",
            ));
        }
        if !verify_blocking(row.get("password_hash"), password.to_string()).await {
            self.count_failure(&user, now, "reason=wrong-password")
                .await?;
            return Err(refused("登录名或密码不正确"));
        }
        if row.get::<i64, _>("active") == 0 {
            self.log(&at, &user.login, "login-refused", "reason=disabled")
                .await?;
            return Err(refused("该账户已被机构管理员停用"));
        }
        match self.totp_check(user.id, totp, now).await? {
            Check::NotNeeded | Check::Passed => {}
            Check::Missing => {
                self.log(&at, &user.login, "login-refused", "reason=totp-missing")
                    .await?;
                return Err(refused(
                    "此账户已启用动态口令，请同时输入验证器中显示的 6 位动态口令",
                ));
            }
            Check::Wrong => {
                self.count_failure(&user, now, "reason=wrong-totp").await?;
                return Err(refused(
                    "动态口令不正确或已使用过，请输入验证器中当前的口令",
                ));
            }
        }
        sqlx::query("UPDATE users SET failures = 0 WHERE id = $1")
            .bind(user.id)
            .execute(self.pool())
            .await
            .map_err(db)?;
        let token = new_token()?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created, seen) VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(unix(now))
        .execute(self.pool())
        .await
        .map_err(db)?;
        self.log(&at, &user.login, "login", "").await?;
        Ok((user, token))
    }

    /// A failed sign-in: counted toward the lock-out and logged with its reason.
    async fn count_failure(&self, user: &User, now: Timestamp, reason: &str) -> Result<()> {
        sqlx::query("UPDATE users SET failures = failures + 1, last_failure = $1 WHERE id = $2")
            .bind(unix(now))
            .bind(user.id)
            .execute(self.pool())
            .await
            .map_err(db)?;
        self.log(&now.to_string(), &user.login, "login-refused", reason)
            .await
    }

    /// The user a session token belongs to, if it is live (idle at most 30 minutes, 12 hours at
    /// most) and the account active.
    pub async fn session(&self, token: &str, now: Timestamp) -> Result<Option<User>> {
        let th = token_hash(token);
        let row = sqlx::query(
            "SELECT u.id AS id, u.login AS login, u.name AS name, u.organisation AS organisation, u.role AS role, s.created AS created, s.seen AS seen, u.active AS active FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(&th)
        .fetch_optional(self.pool())
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let (created, seen): (i64, i64) = (row.get("created"), row.get("seen"));
        let t = unix(now);
        if t - seen > rules::SESSION_IDLE_SECS
            || t - created > rules::SESSION_MAX_SECS
            || row.get::<i64, _>("active") == 0
        {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(&th)
                .execute(self.pool())
                .await
                .map_err(db)?;
            return Ok(None);
        }
        if t - seen >= 60 {
            sqlx::query("UPDATE sessions SET seen = $1 WHERE token_hash = $2")
                .bind(t)
                .bind(&th)
                .execute(self.pool())
                .await
                .map_err(db)?;
        }
        Ok(Some(user_of(&row)))
    }

    pub async fn logout(&self, token: &str, user: &User, now: Timestamp) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(self.pool())
            .await
            .map_err(db)?;
        self.log(&now.to_string(), &user.login, "logout", "").await
    }

    /// An administrator makes an evaluator or an item writer of their organisation.
    pub async fn add_user(&self, admin: &User, u: &NewUser<'_>, now: Timestamp) -> Result<i64> {
        let org = admin.organisation.clone().unwrap_or_default();
        if !admin.may_manage(&org) || !matches!(u.role, Role::Evaluator | Role::Writer) {
            return Err(refused("只有机构管理员可以为本机构添加考评员或命题人员"));
        }
        let id = self.insert_user(Some(&org), u, now).await?;
        self.log(
            &now.to_string(),
            &admin.login,
            "user-add",
            &format!("login={} role={}", u.login, u.role.as_str()),
        )
        .await?;
        Ok(id)
    }

    /// An administrator disables (or enables again) a user of their organisation; a disabled
    /// user's sessions end.
    pub async fn set_active(
        &self,
        admin: &User,
        id: i64,
        active: bool,
        now: Timestamp,
    ) -> Result<()> {
        let org = admin.organisation.clone().unwrap_or_default();
        let row = sqlx::query("SELECT login, organisation, role FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(db)?;
        let Some(row) = row else {
            return Err(refused("没有这个用户"));
        };
        if !admin.may_manage(&org)
            || row.get::<Option<String>, _>(1).as_deref() != Some(&org)
            || id == admin.id
        {
            return Err(refused("只能停用或启用本机构的其他用户"));
        }
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active as i64)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(db)?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(self.pool())
                .await
                .map_err(db)?;
        }
        let login: String = row.get(0);
        self.log(
            &now.to_string(),
            &admin.login,
            if active {
                "user-enable"
            } else {
                "user-disable"
            },
            &format!("login={login}"),
        )
        .await
    }

    /// The users of an organisation: (id, login, name, role, active).
    pub async fn users(&self, org: &str) -> Result<Vec<(i64, String, String, Role, bool)>> {
        let rows = sqlx::query(
            "SELECT id, login, name, role, active FROM users WHERE organisation = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    Role::parse(&r.get::<String, _>(3)).unwrap_or(Role::Writer),
                    r.get::<i64, _>(4) != 0,
                )
            })
            .collect())
    }
}

/// A login name as the log may hold it: what a stranger typed, cut short and stripped of
/// anything but printable ASCII.
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(32)
        .collect()
}
