//! The portal's folder: `portal.toml` (database, listen address, whether cookies are Secure;
//! `QBANK_PORTAL_DATABASE` overrides the database), `portal.key` / `portal.pub` (its Ed25519
//! signing key, which signs inboxes) and, by default, the SQLite database. Set-up, and the file
//! ends of import and inbox, for the command line.

use super::Site;
use crate::error::{Error, Result};
use crate::package::person::PersonSecret;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `portal.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: String,
    pub listen: String,
    pub secure_cookies: bool,
}

fn config_path(dir: &Path) -> PathBuf {
    dir.join("portal.toml")
}

/// Reads the folder's configuration.
pub fn read_config(dir: &Path) -> Result<Config> {
    let p = config_path(dir);
    let text = std::fs::read_to_string(&p).map_err(|e| Error::io("read", &p, e))?;
    let mut c: Config =
        toml::from_str(&text).map_err(|e| Error::Usage(format!("{}: {e}", p.display())))?;
    if let Ok(db) = std::env::var("QBANK_PORTAL_DATABASE")
        && !db.is_empty()
    {
        c.database = db;
    }
    Ok(c)
}

/// Opens the folder's portal for serving: its database, with the one-time-code sealing key
/// derived from `portal.key` (every node of one portal reads the same key file).
pub async fn open(dir: &Path) -> Result<(Site, Config)> {
    let config = read_config(dir)?;
    let site = Site::connect(&config.database).await?;
    let key = PersonSecret::read(&dir.join("portal.key"))?;
    site.set_totp_key(key.derive_key(super::totp::KEY_LABEL));
    Ok((site, config))
}

/// What `init` set up.
pub struct Installed {
    pub config: Config,
    pub bureau_pin: String,
    pub portal_pub: PathBuf,
    pub portal_fingerprint: String,
}

/// Sets up (or completes) a portal folder: the configuration when absent, the database, the
/// bureau's keys pinned, the portal's signing key made once.
pub async fn init(
    dir: &Path,
    bureau_key: &Path,
    pin: &str,
    config: Config,
    now: jiff::Timestamp,
) -> Result<Installed> {
    super::create_private_dir(dir)?;
    let config = match read_config(dir) {
        Ok(c) => c,
        Err(_) => {
            let text = toml::to_string(&config).map_err(|e| Error::Usage(e.to_string()))?;
            let p = config_path(dir);
            std::fs::write(&p, text).map_err(|e| Error::io("write", &p, e))?;
            config
        }
    };
    let site = Site::connect(&config.database).await?;
    let bureau_pin = site.pin_bureau(bureau_key, pin, now).await?;
    let key_file = dir.join("portal.key");
    let key = if key_file.exists() {
        PersonSecret::read(&key_file)?
    } else {
        let k = PersonSecret::generate("portal")?;
        k.write_pair(dir)?;
        k
    };
    Ok(Installed {
        config,
        bureau_pin,
        portal_pub: dir.join("portal.pub"),
        portal_fingerprint: key.public().fingerprint(),
    })
}

/// Imports the outbox in `file`.
pub async fn import_file(
    site: &Site,
    file: &Path,
    now: jiff::Timestamp,
) -> Result<super::crossing::Imported> {
    let bytes = crate::ops::read_bounded(file, 4 << 30)?;
    site.import(&bytes, now).await.map_err(|e| e.naming(file))
}

/// Writes the next inbox to `out` (synced before the uploads count as sent).
pub async fn inbox_file(
    site: &Site,
    dir: &Path,
    out: &Path,
    now: jiff::Timestamp,
) -> Result<(u64, usize)> {
    let key = PersonSecret::read(&dir.join("portal.key"))?;
    site.inbox(&key, now, |bytes| {
        use std::io::Write;
        let mut f = std::fs::File::create(out).map_err(|e| Error::io("write", out, e))?;
        f.write_all(bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::io("write", out, e))
    })
    .await
}
