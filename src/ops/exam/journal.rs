//! Where the 机考's log is kept: SQLite in WAL mode with `synchronous=FULL`, so a committed
//! transaction is on disk (the WAL fsync'd) before `append` returns, and a kill -9 at any moment
//! loses nothing that was acknowledged; or in memory, the baseline the benchmark compares
//! durability against. The file is created 0600 (SQLite gives its -wal and -shm the same mode).

use crate::error::{Error, Result};
use crate::exam::Record;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// The log's store.
pub enum Journal {
    Sqlite { conn: Connection, path: PathBuf },
    Memory(Vec<Record>),
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS log (
    seq   INTEGER PRIMARY KEY,
    at    TEXT NOT NULL,
    event TEXT NOT NULL,
    hash  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
INSERT OR IGNORE INTO meta (k, v) VALUES ('schema', '1');
";

fn db_err(path: &Path, e: rusqlite::Error) -> Error {
    Error::Storage(format!("考试记录库 {}：{e}", path.display()))
}

impl Journal {
    /// Opens the log at `path`; `create`: it must not exist yet (`qbank exam init`), otherwise
    /// it must.
    pub fn open(path: &Path, create: bool) -> Result<Journal> {
        if create {
            if path.exists() {
                return Err(Error::Exists {
                    what: "exam database",
                    id: path.display().to_string(),
                });
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
        } else if !path.is_file() {
            return Err(Error::NotFound {
                what: "exam database",
                id: path.display().to_string(),
            });
        }
        let conn = Connection::open(path).map_err(|e| db_err(path, e))?;
        // WAL: readers never block the writer; FULL: the WAL is fsync'd at every commit
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| db_err(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Storage(format!(
                "考试记录库 {} 无法使用 WAL 日志模式（得到 {mode}）",
                path.display()
            )));
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;")
            .and_then(|_| conn.execute_batch(SCHEMA))
            .map_err(|e| db_err(path, e))?;
        Ok(Journal::Sqlite {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Appends records in one transaction, durable when this returns.
    pub fn append(&mut self, recs: &[Record]) -> Result<()> {
        match self {
            Journal::Memory(v) => {
                v.extend_from_slice(recs);
                Ok(())
            }
            Journal::Sqlite { conn, path } => {
                let tx = conn.transaction().map_err(|e| db_err(path, e))?;
                {
                    let mut st = tx
                        .prepare_cached(
                            "INSERT INTO log (seq, at, event, hash) VALUES (?1, ?2, ?3, ?4)",
                        )
                        .map_err(|e| db_err(path, e))?;
                    for r in recs {
                        let ev = serde_json::to_string(&r.event).expect("events serialise");
                        st.execute(rusqlite::params![
                            r.seq as i64,
                            r.at.to_string(),
                            ev,
                            r.hash
                        ])
                        .map_err(|e| db_err(path, e))?;
                    }
                }
                tx.commit().map_err(|e| db_err(path, e))
            }
        }
    }

    /// Every record in order. A row that does not read back is `Corrupt`, naming its number.
    pub fn load(&self) -> Result<Vec<Record>> {
        match self {
            Journal::Memory(v) => Ok(v.clone()),
            Journal::Sqlite { conn, path } => {
                let mut st = conn
                    .prepare("SELECT seq, at, event, hash FROM log ORDER BY seq")
                    .map_err(|e| db_err(path, e))?;
                let rows = st
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                        ))
                    })
                    .map_err(|e| db_err(path, e))?;
                let mut out = Vec::new();
                for row in rows {
                    let (seq, at, ev, hash) = row.map_err(|e| db_err(path, e))?;
                    let bad = |reason: String| Error::Corrupt {
                        record: format!("{} 第 {seq} 条", path.display()),
                        reason,
                    };
                    out.push(Record {
                        seq: u64::try_from(seq).map_err(|_| bad("序号为负".into()))?,
                        at: at.parse().map_err(|e| bad(format!("时间无法读取：{e}")))?,
                        event: serde_json::from_str(&ev)
                            .map_err(|e| bad(format!("事件无法读取：{e}")))?,
                        hash,
                    });
                }
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exam::{Event, event::GENESIS};

    /// What power loss needs and a kill -9 cannot show: the WAL is fsync'd at every commit
    /// (`synchronous=FULL`, 2), and the file is the owner's alone.
    #[test]
    fn the_log_is_written_in_wal_mode_with_full_sync_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x/exam.db");
        let mut j = Journal::open(&p, true).unwrap();
        let Journal::Sqlite { conn, .. } = &j else {
            panic!("sqlite")
        };
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!((sync, mode.as_str()), (2, "wal"));
        let at: jiff::Timestamp = "2026-11-28T01:00:00Z".parse().unwrap();
        let r = Record::new(
            &GENESIS,
            1,
            at,
            Event::ProctorLogin {
                client: "c".into(),
                session: String::new(),
            },
        );
        j.append(std::slice::from_ref(&r)).unwrap();
        drop(j);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(&p).unwrap();
            assert_eq!(m.permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(Journal::open(&p, false).unwrap().load().unwrap(), vec![r]);
        assert!(matches!(Journal::open(&p, true), Err(Error::Exists { .. })));
    }
}
