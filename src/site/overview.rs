//! The bureau operator's view of the portal (operators only): the newest outbox and inbox,
//! every organisation with its administrator's enrolment, its active users and its uploads
//! waiting or returned, and the newest entries of the log with the whole chain checked. Reads
//! only; nothing readable is there to show.

use super::{Site, db};
use crate::error::{Error, Result};
use crate::portal::rules::{Role, User};
use crate::portal::views::{Enrolment, LogRow, OrgState, Overview};
use jiff::Timestamp;
use sqlx::Row;

/// Log entries the overview shows.
pub const LOG_SHOWN: i64 = 50;

impl Site {
    pub async fn overview(&self, user: &User, now: Timestamp) -> Result<Overview> {
        if user.role != Role::Operator {
            return Err(Error::Identity("只有鉴定中心操作员可以查看门户概况".into()));
        }
        let outbox = sqlx::query("SELECT seq, imported FROM outboxes ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await
            .map_err(db)?
            .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)));
        let inbox = sqlx::query("SELECT MAX(inbox_seq) FROM uploads")
            .fetch_one(self.pool())
            .await
            .map_err(db)?
            .get::<Option<i64>, _>(0);
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.region, o.status, e.organisation, e.used, e.expires, \
             (SELECT COUNT(*) FROM users u WHERE u.organisation = o.id AND u.active = 1), \
             (SELECT COUNT(*) FROM uploads p WHERE p.organisation = o.id AND p.inbox_seq IS NULL), \
             (SELECT COUNT(*) FROM uploads p WHERE p.organisation = o.id AND p.accepted = 0) \
             FROM organisations o LEFT JOIN enrolments e ON e.organisation = o.id ORDER BY o.id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let organisations: Vec<OrgState> = rows
            .iter()
            .map(|r| {
                let expired = r
                    .get::<Option<String>, _>(6)
                    .and_then(|e| e.parse::<Timestamp>().ok())
                    .is_none_or(|e| now >= e);
                OrgState {
                    id: r.get(0),
                    name: r.get(1),
                    region: r.get(2),
                    status: r.get(3),
                    enrolment: Enrolment::of(
                        r.get::<Option<String>, _>(4).is_some(),
                        r.get::<Option<String>, _>(5).is_some(),
                        expired,
                    ),
                    users: r.get(7),
                    waiting: r.get(8),
                    returned: r.get(9),
                }
            })
            .collect();
        let waiting = organisations.iter().map(|o| o.waiting).sum();
        let log = sqlx::query(
            "SELECT seq, at, actor, action, detail FROM log ORDER BY seq DESC LIMIT $1",
        )
        .bind(LOG_SHOWN)
        .fetch_all(self.pool())
        .await
        .map_err(db)?
        .iter()
        .map(|r| LogRow {
            seq: r.get(0),
            at: r.get(1),
            actor: r.get(2),
            action: r.get(3),
            detail: r.get(4),
        })
        .collect();
        let log_check = self.verify_log().await.map_err(|e| e.to_string());
        Ok(Overview {
            outbox,
            inbox,
            waiting,
            organisations,
            log,
            log_check,
        })
    }
}
