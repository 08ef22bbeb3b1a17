//! The portal's side of the air gap: set-up pins the bureau's keys (checked against the pin
//! the bureau gives by another channel); `import` verifies an outbox against them and applies it
//! in one transaction, idempotently (the same outbox again changes nothing; an older one is
//! refused); `inbox` exports every upload since the last inbox, signed with the portal's key.

use super::{Site, db};
use crate::error::{Error, Result};
use crate::model::canon::canonical_json;
use crate::package::bundle::{self, Direction, Part};
use crate::package::keys::BureauPin;
use crate::package::person::PersonSecret;
use crate::portal::crossing::{InboxMeta, OutboxMeta, PartKind, Upload};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// What `import` did.
#[derive(Debug, Serialize)]
pub struct Imported {
    pub seq: u64,
    /// The same outbox was imported before; nothing changed.
    pub again: bool,
    pub organisations: usize,
    pub sittings: usize,
    pub packages: usize,
    pub releases: usize,
    pub enrolments: usize,
    pub receipts: usize,
}

impl Site {
    /// Pins the bureau's keys (its `bureau.pub` text, checked against `pin`). Refused when a
    /// different key is pinned already.
    pub async fn pin_bureau(
        &self,
        bureau_pub: &std::path::Path,
        pin: &str,
        now: Timestamp,
    ) -> Result<String> {
        let found = BureauPin::read(bureau_pub)?;
        if !found.matches(pin) {
            return Err(Error::PackageRefused(format!(
                "{}: 鉴定中心公钥的固定值为 {}，与给出的固定值不符；未固定",
                bureau_pub.display(),
                found.fingerprint()
            )));
        }
        let fp = found.fingerprint();
        match self.setting("bureau_pin").await? {
            Some(p) if p == fp => return Ok(fp),
            Some(p) => {
                return Err(Error::PackageRefused(format!(
                    "本门户已固定鉴定中心公钥 {p}，不能换成 {fp}"
                )));
            }
            None => {}
        }
        let text =
            std::fs::read_to_string(bureau_pub).map_err(|e| Error::io("read", bureau_pub, e))?;
        self.set_setting("bureau_ed25519", &found.signing.hex())
            .await?;
        self.set_setting("bureau_pub", &text).await?;
        self.set_setting("bureau_pin", &fp).await?;
        self.log(
            &now.to_string(),
            "portal",
            "bureau-pin",
            &format!("pin={fp}"),
        )
        .await?;
        Ok(fp)
    }

    /// The bureau's X25519 key (hex) from the `bureau.pub` the portal holds: what the upload page
    /// seals to.
    pub async fn bureau_x25519(&self) -> Result<String> {
        let text = self.setting("bureau_pub").await?.unwrap_or_default();
        let t: toml::Table = toml::from_str(&text)
            .map_err(|e| Error::Storage(format!("门户保存的鉴定中心公钥无法读取：{e}")))?;
        t.get("x25519_public")
            .and_then(|v| v.as_str())
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_string)
            .ok_or_else(|| Error::Storage("门户保存的鉴定中心公钥中没有 X25519 公钥".into()))
    }

    async fn bureau(&self) -> Result<crate::package::keys::BureauPublic> {
        let hex = self.setting("bureau_ed25519").await?.ok_or_else(|| {
            Error::Usage("本门户尚未固定鉴定中心公钥：请先运行 qbank-portal init".into())
        })?;
        crate::package::keys::BureauPublic::from_hex(&hex)
            .ok_or_else(|| Error::Storage("门户数据库中的鉴定中心公钥无法读取".into()))
    }

    /// Imports an outbox (all or nothing).
    pub async fn import(&self, bytes: &[u8], now: Timestamp) -> Result<Imported> {
        let bureau = self.bureau().await?;
        let opened =
            bundle::open::<OutboxMeta>(Direction::Outbox, bytes, |d, m, s| bureau.verify(d, m, s))?;
        let m = &opened.manifest;
        let seq = m.seq as i64;
        let sha = bundle::sha256_hex(bytes);
        let last = sqlx::query("SELECT seq, sha256 FROM outboxes ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await
            .map_err(db)?;
        let meta = &m.meta;
        let mut out = Imported {
            seq: m.seq,
            again: false,
            organisations: 0,
            sittings: meta.sittings.len(),
            packages: 0,
            releases: 0,
            enrolments: meta.enrolments.len(),
            receipts: meta.receipts.len(),
        };
        if let Some(r) = last {
            let (lseq, lsha): (i64, String) = (r.get(0), r.get(1));
            if lseq == seq && lsha == sha {
                out.again = true;
                return Ok(out);
            }
            if seq <= lseq {
                return Err(Error::PackageRefused(format!(
                    "这是第 {seq} 号发往门户的数据包，本门户已导入第 {lseq} 号；较旧的数据包不能覆盖较新的，未做任何改动"
                )));
            }
        }
        let parts: std::collections::BTreeMap<&str, (&str, &[u8])> = opened
            .parts()
            .map(|(p, b)| (p.name.as_str(), (p.kind.as_str(), b)))
            .collect();
        let part = |name: &str, kind: PartKind| -> Result<&[u8]> {
            match parts.get(name) {
                Some((k, b)) if *k == kind.as_str() => Ok(*b),
                _ => Err(Error::PackageRefused(format!(
                    "数据包缺少{}文件 {name}",
                    kind.name()
                ))),
            }
        };
        let catalog: crate::ops::org::Catalog =
            serde_json::from_slice(part("catalog.json", PartKind::Catalog)?)
                .map_err(|e| Error::PackageRefused(format!("数据包中的机构目录无法读取：{e}")))?;
        let bureau_text =
            String::from_utf8_lossy(part("bureau.pub", PartKind::BureauKey)?).into_owned();
        let mut tx = self.pool().begin().await.map_err(db)?;
        macro_rules! exec {
            ($q:expr) => {
                $q.execute(&mut *tx).await.map_err(db)?
            };
        }
        for (p, b) in opened.parts() {
            exec!(sqlx::query("INSERT INTO blobs (sha256, len, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
                .bind(&p.sha256)
                .bind(b.len() as i64)
                .bind(b.to_vec()));
        }
        exec!(sqlx::query("DELETE FROM organisations"));
        for o in &catalog.organisations {
            exec!(sqlx::query("INSERT INTO organisations (id, name, kind, category, region, status, certify, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&o.id).bind(&o.name).bind(&o.kind).bind(&o.category).bind(&o.region).bind(&o.status)
                .bind(o.certify.join("；")).bind(&o.key_fingerprint));
            out.organisations += 1;
        }
        for s in &meta.sittings {
            exec!(sqlx::query("INSERT INTO sittings (id, title, start_at, end_at, keys_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET title = $2, start_at = $3, end_at = $4, keys_at = $5")
                .bind(&s.id).bind(&s.title).bind(&s.start).bind(&s.end).bind(&s.keys_at));
            for (org, name) in &s.packages {
                let b = part(name, PartKind::Package)?;
                exec!(sqlx::query("INSERT INTO packages (sitting, organisation, sha256, len) VALUES ($1, $2, $3, $4) ON CONFLICT (sitting, organisation) DO UPDATE SET sha256 = $3, len = $4")
                    .bind(&s.id).bind(org).bind(bundle::sha256_hex(b)).bind(b.len() as i64));
                out.packages += 1;
            }
            for (name, kind, due) in [
                (&s.papers_release, PartKind::PapersRelease, &s.start),
                (&s.keys_release, PartKind::KeysRelease, &s.keys_at),
            ] {
                if let Some(name) = name {
                    let b = part(name, kind)?;
                    exec!(sqlx::query("INSERT INTO releases (sitting, stage, due_at, sha256) VALUES ($1, $2, $3, $4) ON CONFLICT (sitting, stage) DO UPDATE SET due_at = $3, sha256 = $4")
                        .bind(&s.id).bind(kind.as_str()).bind(due).bind(bundle::sha256_hex(b)));
                    out.releases += 1;
                }
            }
        }
        for e in &meta.enrolments {
            exec!(sqlx::query("INSERT INTO enrolments (organisation, code_hash, issued, expires, used, failures, last_failure) VALUES ($1, $2, $3, $4, NULL, 0, 0) ON CONFLICT (organisation) DO UPDATE SET code_hash = $2, issued = $3, expires = $4, used = NULL, failures = 0, last_failure = 0")
                .bind(&e.organisation).bind(&e.code_hash).bind(&e.issued).bind(&e.expires));
        }
        for r in &meta.receipts {
            exec!(
                sqlx::query("UPDATE uploads SET accepted = $1, message = $2 WHERE id = $3")
                    .bind(r.accepted as i64)
                    .bind(&r.message)
                    .bind(r.upload as i64)
            );
        }
        for (name, value) in [
            ("catalog_published", catalog.published.as_str()),
            ("bureau_pub", bureau_text.as_str()),
        ] {
            exec!(sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2")
                .bind(name).bind(value));
        }
        exec!(
            sqlx::query(
                "INSERT INTO outboxes (seq, sha256, made, imported) VALUES ($1, $2, $3, $4)"
            )
            .bind(seq)
            .bind(&sha)
            .bind(&m.made)
            .bind(now.to_string())
        );
        tx.commit().await.map_err(db)?;
        self.log(
            &now.to_string(),
            "portal",
            "outbox-import",
            &String::from_utf8_lossy(&canonical_json(&serde_json::json!({
                "seq": seq, "sha256": sha, "sittings": out.sittings, "packages": out.packages,
                "releases": out.releases, "enrolments": out.enrolments, "receipts": out.receipts,
            }))),
        )
        .await?;
        Ok(out)
    }

    /// Exports every upload not yet in an inbox as the next inbox, signed by `key`. The uploads
    /// count as sent once `write` has put the bytes safely where they go.
    pub async fn inbox(
        &self,
        key: &PersonSecret,
        now: Timestamp,
        write: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<(u64, usize)> {
        let rows = sqlx::query("SELECT id, organisation, login, kind, file_name, sha256, received FROM uploads WHERE inbox_seq IS NULL ORDER BY id")
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        if rows.is_empty() {
            return Err(Error::Usage(
                "自上次导出以来没有新的上传；未写入文件".into(),
            ));
        }
        let last = sqlx::query("SELECT MAX(inbox_seq) FROM uploads")
            .fetch_one(self.pool())
            .await
            .map_err(db)?
            .get::<Option<i64>, _>(0)
            .unwrap_or(0);
        let seq = last as u64 + 1;
        let mut parts = Vec::new();
        let mut uploads = Vec::new();
        for r in &rows {
            let id: i64 = r.get(0);
            let kind: String = r.get(3);
            let sha: String = r.get(5);
            let bytes = self
                .blob(&sha)
                .await?
                .ok_or_else(|| Error::Storage(format!("上传 {id} 的内容缺失")))?;
            let ext = if kind == PartKind::Results.as_str() {
                "qres"
            } else {
                "qsub"
            };
            let name = format!("uploads/{id:010}.{ext}");
            parts.push(Part {
                name: name.clone(),
                kind,
                bytes: bytes.to_vec(),
            });
            uploads.push(Upload {
                id: id as u64,
                part: name,
                organisation: r.get(1),
                user: r.get(2),
                received: r.get(6),
                file_name: r.get(4),
            });
        }
        let fp = key.public().fingerprint();
        let meta = InboxMeta {
            portal: fp.clone(),
            uploads,
        };
        let bytes = bundle::write(
            Direction::Inbox,
            seq,
            &now.to_string(),
            &fp,
            &meta,
            &parts,
            |d, m| key.sign(d, m),
        );
        write(&bytes)?;
        let mut tx = self.pool().begin().await.map_err(db)?;
        for r in &rows {
            sqlx::query("UPDATE uploads SET inbox_seq = $1 WHERE id = $2")
                .bind(seq as i64)
                .bind(r.get::<i64, _>(0))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        self.log(
            &now.to_string(),
            "portal",
            "inbox-export",
            &format!(
                "seq={seq} uploads={} sha256={}",
                rows.len(),
                bundle::sha256_hex(&bytes)
            ),
        )
        .await?;
        Ok((seq, rows.len()))
    }
}
