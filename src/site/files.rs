//! What the portal hands out and takes in: the public catalog; an organisation's sittings with
//! their packages and releases (a package to its own administrator and evaluators only, a
//! release never before it is due); uploads of sealed files, recognised by their format and
//! refused unless the user's role may send that kind.

use super::{Site, db};
use crate::error::{Error, Result};
use crate::portal::crossing::PartKind;
use crate::portal::rules::{self, User};
pub use crate::portal::views::{CatalogOrg, OrgSitting, UploadRow, kind_of};
use jiff::Timestamp;
use sqlx::Row;
use std::sync::Arc;

impl Site {
    /// The public catalog, filtered by a word in the name, id or certified occupations, and by
    /// region.
    pub async fn catalog(&self, word: &str, region: &str) -> Result<Vec<CatalogOrg>> {
        let rows = sqlx::query("SELECT id, name, kind, category, region, status, certify, fingerprint FROM organisations ORDER BY id")
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        let (word, region) = (word.trim(), region.trim());
        Ok(rows
            .iter()
            .map(|r| CatalogOrg {
                id: r.get(0),
                name: r.get(1),
                kind: r.get(2),
                category: r.get(3),
                region: r.get(4),
                status: r.get(5),
                certify: r.get(6),
                fingerprint: r.get(7),
            })
            .filter(|o| {
                (word.is_empty()
                    || o.name.contains(word)
                    || o.id.contains(word)
                    || o.certify.contains(word))
                    && (region.is_empty() || o.region.contains(region))
            })
            .collect())
    }

    /// An organisation's name, if it is in the catalog.
    pub async fn organisation_name(&self, id: &str) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT name FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(db)?
            .map(|r| r.get(0)))
    }

    /// The sittings in which the user's organisation has a package.
    pub async fn sittings_of(&self, user: &User, now: Timestamp) -> Result<Vec<OrgSitting>> {
        let Some(org) = user
            .organisation
            .as_deref()
            .filter(|_| user.sees_sittings())
        else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query("SELECT s.id, s.title, s.start_at, s.end_at, s.keys_at, p.len, p.sha256 FROM sittings s JOIN packages p ON p.sitting = s.id WHERE p.organisation = $1 ORDER BY s.start_at DESC, s.id")
            .bind(org)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.get(0);
            let rel = sqlx::query(
                "SELECT stage, due_at FROM releases WHERE sitting = $1 ORDER BY stage DESC",
            )
            .bind(&id)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
            out.push(OrgSitting {
                title: r.get(1),
                start: r.get(2),
                end: r.get(3),
                keys_at: r.get(4),
                package_len: r.get(5),
                package_sha256: r.get(6),
                releases: rel
                    .iter()
                    .filter_map(|x| {
                        let due: String = x.get(1);
                        let ok = rules::due(&due, now);
                        PartKind::parse(&x.get::<String, _>(0)).map(|k| (k, due, ok))
                    })
                    .collect(),
                id,
            });
        }
        Ok(out)
    }

    /// The sealed package of `org` in `sitting`, for a user who may fetch it: (digest, bytes).
    pub async fn package(
        &self,
        user: &User,
        sitting: &str,
        org: &str,
        now: Timestamp,
    ) -> Result<(String, Arc<[u8]>)> {
        let at = now.to_string();
        if !user.may_fetch_package(org) {
            self.log(
                &at,
                &user.login,
                "download-refused",
                &format!("sitting={} organisation={}", clean(sitting), clean(org)),
            )
            .await?;
            return Err(Error::Identity("只能下载本机构的封装包".into()));
        }
        let row =
            sqlx::query("SELECT sha256 FROM packages WHERE sitting = $1 AND organisation = $2")
                .bind(sitting)
                .bind(org)
                .fetch_optional(self.pool())
                .await
                .map_err(db)?;
        let Some(row) = row else {
            return Err(Error::NotFound {
                what: "package",
                id: format!("{}/{}", clean(sitting), clean(org)),
            });
        };
        let sha: String = row.get(0);
        let bytes = self
            .blob(&sha)
            .await?
            .ok_or_else(|| Error::Storage("封装包内容缺失".into()))?;
        Ok((sha, bytes))
    }

    /// A signed release, for a user whose organisation has a package in the sitting, once due.
    pub async fn release(
        &self,
        user: &User,
        sitting: &str,
        stage: PartKind,
        now: Timestamp,
    ) -> Result<(String, Arc<[u8]>)> {
        let at = now.to_string();
        let org = user.organisation.clone().unwrap_or_default();
        let has = sqlx::query("SELECT 1 FROM packages WHERE sitting = $1 AND organisation = $2")
            .bind(sitting)
            .bind(&org)
            .fetch_optional(self.pool())
            .await
            .map_err(db)?
            .is_some();
        if !has || !user.may_fetch_package(&org) {
            self.log(
                &at,
                &user.login,
                "release-refused",
                &format!("sitting={} reason=not-participant", clean(sitting)),
            )
            .await?;
            return Err(Error::Identity("本机构不参加该考试".into()));
        }
        let row =
            sqlx::query("SELECT due_at, sha256 FROM releases WHERE sitting = $1 AND stage = $2")
                .bind(sitting)
                .bind(stage.as_str())
                .fetch_optional(self.pool())
                .await
                .map_err(db)?;
        let Some(row) = row else {
            return Err(Error::TooEarly(format!(
                "{}尚未由鉴定中心签发",
                stage.name()
            )));
        };
        let due: String = row.get(0);
        if !rules::due(&due, now) {
            self.log(
                &at,
                &user.login,
                "release-refused",
                &format!(
                    "sitting={} stage={} reason=early",
                    clean(sitting),
                    stage.as_str()
                ),
            )
            .await?;
            return Err(Error::TooEarly(format!(
                "{}于 {} 起提供，现在还不能下载",
                stage.name(),
                crate::ops::org::beijing_time(&due)
            )));
        }
        let sha: String = row.get(1);
        let bytes = self
            .blob(&sha)
            .await?
            .ok_or_else(|| Error::Storage("发布文件缺失".into()))?;
        self.log(
            &at,
            &user.login,
            "release-download",
            &format!("sitting={} stage={}", clean(sitting), stage.as_str()),
        )
        .await?;
        Ok((sha, bytes))
    }

    /// Takes in an upload: sealed, of a kind the user may send, within the size limit.
    pub async fn upload(
        &self,
        user: &User,
        file_name: &str,
        declared: Option<crate::package::upload::UploadKind>,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<i64> {
        let at = now.to_string();
        let org = user.organisation.clone().unwrap_or_default();
        if bytes.len() > rules::MAX_UPLOAD {
            return Err(Error::Usage(format!(
                "文件超过 {} MiB，未接收",
                rules::MAX_UPLOAD >> 20
            )));
        }
        let Some(kind) = kind_of(bytes, declared) else {
            self.log(&at, &user.login, "upload-refused", "reason=not-sealed")
                .await?;
            return Err(Error::Usage(
                "这不是加密给鉴定中心的文件（在本页面中加密的上传，或 qbank 封装的补充试题 .qsub、机考成绩 .qres）；门户不接收明文文件，未接收".into(),
            ));
        };
        if !user.may_upload(kind) {
            self.log(
                &at,
                &user.login,
                "upload-refused",
                &format!("kind={} reason=role", kind.as_str()),
            )
            .await?;
            return Err(Error::Identity(format!(
                "{}不能上传{}",
                user.role.name(),
                kind.name()
            )));
        }
        let name: String = file_name
            .chars()
            .filter(|c| !c.is_control() && !"/\\".contains(*c))
            .take(120)
            .collect();
        let sha = self.put_blob(bytes).await?;
        let row = sqlx::query("INSERT INTO uploads (organisation, user_id, login, kind, file_name, sha256, len, received) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(&org)
            .bind(user.id)
            .bind(&user.login)
            .bind(kind.as_str())
            .bind(&name)
            .bind(&sha)
            .bind(bytes.len() as i64)
            .bind(&at)
            .fetch_one(self.pool())
            .await
            .map_err(db)?;
        let id: i64 = row.get(0);
        self.log(
            &at,
            &user.login,
            "upload",
            &format!(
                "id={id} kind={} len={} sha256={sha}",
                kind.as_str(),
                bytes.len()
            ),
        )
        .await?;
        Ok(id)
    }

    /// The uploads a user follows: a writer their own, an administrator their organisation's.
    pub async fn uploads_of(&self, user: &User) -> Result<Vec<UploadRow>> {
        let org = user.organisation.clone().unwrap_or_default();
        let q = if user.may_manage(&org) {
            sqlx::query("SELECT id, login, kind, file_name, len, received, inbox_seq, accepted, message FROM uploads WHERE organisation = $1 ORDER BY id DESC").bind(org)
        } else {
            sqlx::query("SELECT id, login, kind, file_name, len, received, inbox_seq, accepted, message FROM uploads WHERE user_id = $1 ORDER BY id DESC").bind(user.id)
        };
        let rows = q.fetch_all(self.pool()).await.map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| UploadRow {
                id: r.get(0),
                login: r.get(1),
                kind: PartKind::parse(&r.get::<String, _>(2)).unwrap_or(PartKind::Submission),
                file_name: r.get(3),
                len: r.get(4),
                received: r.get(5),
                inbox_seq: r.get(6),
                accepted: r.get::<Option<i64>, _>(7).map(|a| a != 0),
                message: r.get(8),
            })
            .collect())
    }
}

/// An id from a URL as the log may hold it.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect()
}
