//! The portal's workflows over its database (`qbank-portal`): one data-access layer, sqlx's Any
//! driver over SQLite (embedded, the default) or PostgreSQL (several nodes), with versioned
//! migrations per backend (`migrations/`). `accounts.rs`: enrolment, sign-in, sessions, users;
//! `crossing.rs`: the outbox imported, the inbox exported; `files.rs`: packages, releases and
//! uploads; `totp.rs`: administrators' one-time codes; `overview.rs`: the operator's view. Here: the connection, settings, the sealed-bytes store with its per-node cache, and
//! the portal's own hash-chained log. Nothing readable is stored: packages and uploads are
//! sealed, passwords and codes are Argon2id hashes, sessions are hashes of their tokens.

pub mod accounts;
pub mod crossing;
pub mod files;
pub mod overview;
pub mod setup;
pub mod totp;

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Which database the portal runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The bytes kept in memory per node (sealed packages, immutable by digest).
const CACHE_BYTES: usize = 1 << 30;

/// Bytes held, and the sealed bytes by digest.
type Cache = (usize, HashMap<String, Arc<[u8]>>);

/// The portal's database and this node's cache of sealed bytes.
pub struct Site {
    pool: AnyPool,
    pub backend: Backend,
    cache: Mutex<Cache>,
    /// Serialises this node's log appends (the database serialises nodes).
    log_lock: tokio::sync::Mutex<()>,
    /// Seals administrators' one-time-code secrets (derived from `portal.key`; `totp.rs`).
    totp_key: std::sync::OnceLock<zeroize::Zeroizing<[u8; 32]>>,
}

pub(crate) fn db(e: sqlx::Error) -> Error {
    Error::Storage(format!("门户数据库：{e}"))
}

/// Now, in seconds since the epoch.
pub fn unix(now: jiff::Timestamp) -> i64 {
    now.as_second()
}

impl Site {
    /// Connects to `url` (`sqlite://portal.db`, created 0600 if missing, or
    /// `postgres://…`) and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Site> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(Error::Usage(format!(
                "数据库地址应以 sqlite:// 或 postgres:// 开头，而不是 {:?}",
                url.split(':').next().unwrap_or("")
            )));
        };
        let url = match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if !path.is_empty() && path != ":memory:" {
                    create_private(std::path::Path::new(path))?;
                }
                format!("sqlite://{path}?mode=rwc")
            }
            Backend::Postgres => url.to_string(),
        };
        // SQLite: one connection, so writers never race for the file's lock; reads of sealed
        // bytes come from the cache. PostgreSQL: a pool per node.
        let max = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .connect(&url)
            .await
            .map_err(db)?;
        if backend == Backend::Sqlite {
            for pragma in [
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=FULL",
                "PRAGMA foreign_keys=ON",
            ] {
                sqlx::query(pragma).execute(&pool).await.map_err(db)?;
            }
        }
        let site = Site {
            pool,
            backend,
            cache: Mutex::new((0, HashMap::new())),
            log_lock: tokio::sync::Mutex::new(()),
            totp_key: std::sync::OnceLock::new(),
        };
        site.migrate().await?;
        Ok(site)
    }

    async fn migrate(&self) -> Result<()> {
        let m = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        m.run(&self.pool)
            .await
            .map_err(|e| Error::Storage(format!("门户数据库迁移：{e}")))
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn setting(&self, name: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    pub(crate) async fn set_setting(&self, name: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Stores sealed or signed bytes under their SHA-256 (kept once however often sent).
    pub(crate) async fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        sqlx::query(
            "INSERT INTO blobs (sha256, len, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(bytes.to_vec())
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(sha)
    }

    /// The bytes stored under `sha`, from this node's cache when there (they never change).
    pub async fn blob(&self, sha: &str) -> Result<Option<Arc<[u8]>>> {
        if let Some(b) = self.cache.lock().expect("cache lock").1.get(sha) {
            return Ok(Some(b.clone()));
        }
        let row = sqlx::query("SELECT bytes FROM blobs WHERE sha256 = $1")
            .bind(sha)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let bytes: Arc<[u8]> = row.get::<Vec<u8>, _>(0).into();
        let mut c = self.cache.lock().expect("cache lock");
        if c.0 + bytes.len() > CACHE_BYTES {
            c.1.clear();
            c.0 = 0;
        }
        c.0 += bytes.len();
        c.1.insert(sha.to_string(), bytes.clone());
        Ok(Some(bytes))
    }

    /// Appends to the portal's log: `hash = SHA-256("qbank-portal-log/1" ‖ 0 ‖ seq ‖ 0 ‖ at ‖
    /// 0 ‖ actor ‖ 0 ‖ action ‖ 0 ‖ detail ‖ 0 ‖ prev)`. Details never hold a password, a code,
    /// a token or file content.
    pub async fn log(&self, at: &str, actor: &str, action: &str, detail: &str) -> Result<()> {
        let _one = self.log_lock.lock().await;
        let mut tx = self.pool.begin().await.map_err(db)?;
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE log IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        let last = sqlx::query("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let (seq, prev) = match last {
            Some(r) => (r.get::<i64, _>(0) + 1, r.get::<String, _>(1)),
            None => (1, String::new()),
        };
        let hash = log_hash(seq, at, actor, action, detail, &prev);
        sqlx::query(
            "INSERT INTO log (seq, at, actor, action, detail, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(seq)
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(detail)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    /// Checks the whole log's chain; the number of entries, or the first broken one.
    pub async fn verify_log(&self) -> Result<u64> {
        let rows =
            sqlx::query("SELECT seq, at, actor, action, detail, prev, hash FROM log ORDER BY seq")
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        let mut prev = String::new();
        for (i, r) in rows.iter().enumerate() {
            let seq: i64 = r.get(0);
            let h = log_hash(
                seq,
                &r.get::<String, _>(1),
                &r.get::<String, _>(2),
                &r.get::<String, _>(3),
                &r.get::<String, _>(4),
                &prev,
            );
            if seq != i as i64 + 1 || r.get::<String, _>(5) != prev || r.get::<String, _>(6) != h {
                return Err(Error::Audit(format!(
                    "门户日志第 {seq} 条与链不符（被改动或删除）"
                )));
            }
            prev = h;
        }
        Ok(rows.len() as u64)
    }
}

fn log_hash(seq: i64, at: &str, actor: &str, action: &str, detail: &str, prev: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"qbank-portal-log/1\0");
    h.update(seq.to_string());
    for part in [at, actor, action, detail, prev] {
        h.update([0]);
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// Creates the database file (and its WAL siblings) readable by the owner only.
fn create_private(path: &std::path::Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| Error::io("create", path, e))?;
    Ok(())
}

/// Creates the portal's folder, readable by its owner only.
fn create_private_dir(dir: &std::path::Path) -> Result<()> {
    crate::ops::create_private_dir(dir)
}
