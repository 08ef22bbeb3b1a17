//! A running 机考: the exam's state behind a lock, with one writer thread that checks each new
//! event against the rules, appends a group of them to the journal in one durable transaction
//! and only then answers each caller — so no answer is acknowledged before it is on disk, and
//! 200 candidates saving at once cost one fsync per group, not one each. Sessions are looked up
//! by the SHA-256 of their token; when each browser was last heard from is kept in memory only.

use super::{Journal, Opened};
pub use crate::exam::state::ProctorRow;
use crate::exam::{Event, Exam, Phase, Record, Refusal, Value};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, mpsc};
use tokio::sync::oneshot;

type Reply = oneshot::Sender<Result<Record, Refusal>>;

struct Job {
    event: Event,
    reply: Reply,
}

/// Failed logins before a 准考证号 is held back for `LOCK_SECS`.
pub const MAX_FAILURES: u32 = 5;
pub const LOCK_SECS: i64 = 60;
/// The most events one transaction commits.
const GROUP: usize = 512;

#[derive(Default)]
struct Ephemeral {
    last_seen: HashMap<String, Timestamp>,
    failures: HashMap<String, (u32, Option<Timestamp>)>,
}

/// The running exam, shared by the server's handlers.
#[derive(Clone)]
pub struct Live {
    state: Arc<RwLock<Exam>>,
    tx: mpsc::SyncSender<Job>,
    eph: Arc<Mutex<Ephemeral>>,
    /// The copy's answer key, once the keys release has opened it (`serve --key`): marking
    /// only, never served to a candidate.
    pub(super) key: Arc<Option<crate::document::TheoryKey>>,
}

/// Why a call did not go through: a rule (the person reads it) or the journal failing (the
/// server stops; the log up to the last commit stands).
#[derive(Debug)]
pub enum Failure {
    Refused(Refusal),
    /// Too many failed logins: wait this many seconds.
    Locked(i64),
    NoSession,
    Stopped,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused(r) => r.fmt(f),
            Failure::Locked(s) => write!(f, "登录失败次数过多，请 {s} 秒后再试或请监考员协助"),
            Failure::NoSession => f.write_str("登录已失效，请重新登录"),
            Failure::Stopped => {
                f.write_str("考试服务暂时不可用，请稍候重试（已保存的答案不会丢失）")
            }
        }
    }
}

/// A session token: 32 random bytes as hex, and the hash the log keeps.
pub fn new_token() -> Result<(String, String), Failure> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|_| Failure::Stopped)?;
    let t = hex::encode(b);
    let h = token_hash(&t);
    Ok((t, h))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The CSRF value a page sends back with each change: derived from the session token, so only
/// a page served to that session knows it.
pub fn csrf_of(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"qbank-exam-csrf/1\0");
    h.update(token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// What the candidate's page shows of their state.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CandView {
    pub ticket: String,
    pub name: String,
    pub seat: String,
    /// "waiting", "open" or "closed", with seconds to the start or to the end.
    pub phase: &'static str,
    pub seconds: i64,
    /// Copy question number → (rev, answer).
    pub answers: HashMap<u32, (u64, Value)>,
    pub flags: Vec<u32>,
    pub submitted: bool,
}

/// A browser is 连接中断 when it has not called for this long.
pub const LOST_SECS: i64 = 30;

impl Live {
    /// Starts the writer thread over an opened exam.
    pub fn start(opened: Opened) -> Live {
        let Opened { exam, journal, .. } = opened;
        let state = Arc::new(RwLock::new(exam));
        let (tx, rx) = mpsc::sync_channel::<Job>(4096);
        let st = state.clone();
        std::thread::Builder::new()
            .name("exam-writer".into())
            .spawn(move || writer(st, journal, rx))
            .expect("spawn the writer thread");
        Live {
            state,
            tx,
            eph: Arc::new(Mutex::new(Ephemeral::default())),
            key: Arc::new(None),
        }
    }

    /// The same exam with the copy's key loaded, for marking.
    pub fn with_key(mut self, key: crate::document::TheoryKey) -> Live {
        self.key = Arc::new(Some(key));
        self
    }

    /// Reads the state.
    pub fn read<T>(&self, f: impl FnOnce(&Exam) -> T) -> T {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Appends an event once it passes the rules; resolves when it is on disk.
    pub async fn append(&self, event: Event) -> Result<Record, Failure> {
        let (reply, rx) = oneshot::channel();
        let tx = self.tx.clone();
        // a full queue blocks the sender: hand it to a blocking thread, not the runtime
        tokio::task::spawn_blocking(move || tx.send(Job { event, reply }))
            .await
            .map_err(|_| Failure::Stopped)?
            .map_err(|_| Failure::Stopped)?;
        match rx.await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(r)) => Err(Failure::Refused(r)),
            Err(_) => Err(Failure::Stopped),
        }
    }

    /// The candidate a session token belongs to (its current session only), noting the call.
    pub fn session(&self, token: &str) -> Option<String> {
        let h = token_hash(token);
        let t = self.read(|ex| {
            ex.cands
                .iter()
                .find(|(_, c)| c.session.as_deref() == Some(h.as_str()))
                .map(|(t, _)| t.clone())
        })?;
        self.lock().last_seen.insert(t.clone(), Timestamp::now());
        Some(t)
    }

    /// Refuses while `key` is locked out after failed attempts.
    pub(super) fn check_lockout(&self, key: &str, now: Timestamp) -> Result<(), Failure> {
        if let Some((_, Some(until))) = self.lock().failures.get(key)
            && now < *until
        {
            return Err(Failure::Locked(now.duration_until(*until).as_secs().max(1)));
        }
        Ok(())
    }

    /// Counts a failed attempt for `key`, locking it out after `MAX_FAILURES`.
    pub(super) fn count_failure(&self, key: &str, now: Timestamp) {
        let mut e = self.lock();
        let f = e.failures.entry(key.to_string()).or_insert((0, None));
        f.0 += 1;
        if f.0 >= MAX_FAILURES {
            *f = (
                0,
                now.checked_add(jiff::SignedDuration::from_secs(LOCK_SECS))
                    .ok(),
            );
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ephemeral> {
        self.eph.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs a candidate in with the second factor; returns the new session token. A wrong
    /// factor counts towards the lock-out; every refusal is logged.
    pub async fn login(&self, ticket: &str, id4: &str, client: &str) -> Result<String, Failure> {
        let ticket = ticket.trim().to_string();
        let now = Timestamp::now();
        self.check_lockout(&ticket, now)?;
        let last = self.lock().last_seen.get(&ticket).copied();
        let (checked, takeover) = self.read(|ex| {
            let r = ex
                .check_login(&ticket, id4)
                .and_then(|_| ex.check_takeover(&ticket, last, now));
            (
                r,
                ex.cands.get(&ticket).is_some_and(|c| c.session.is_some()),
            )
        });
        if let Err(why) = checked {
            if why == Refusal::WrongSecondFactor || why == Refusal::NotOnRoster {
                self.count_failure(&ticket, now);
            }
            if why != Refusal::NotOnRoster {
                let _ = self
                    .append(Event::LoginRefused {
                        ticket: ticket.clone(),
                        client: client.to_string(),
                        reason: why.to_string(),
                    })
                    .await;
            }
            // an unknown 准考证号 and a wrong second factor read the same to the person trying
            return Err(Failure::Refused(if why == Refusal::NotOnRoster {
                Refusal::WrongSecondFactor
            } else {
                why
            }));
        }
        self.lock().failures.remove(&ticket);
        let (token, hash) = new_token()?;
        self.append(Event::Login {
            ticket: ticket.clone(),
            session: hash,
            client: client.to_string(),
            takeover,
        })
        .await?;
        self.lock().last_seen.insert(ticket, Timestamp::now());
        Ok(token)
    }

    /// The candidate's state for their page.
    pub fn view(&self, ticket: &str) -> Option<CandView> {
        let now = Timestamp::now();
        self.read(|ex| {
            let c = ex.candidate(ticket)?;
            let st = &ex.cands[ticket];
            let (phase, seconds) = match ex.phase(ticket, now) {
                Phase::Waiting(s) => ("waiting", s),
                Phase::Open(s) => ("open", s),
                Phase::Closed => ("closed", 0),
            };
            Some(CandView {
                ticket: c.ticket.clone(),
                name: c.name.clone(),
                seat: c.seat.clone(),
                phase,
                seconds,
                answers: st.answers.iter().map(|(q, v)| (*q, v.clone())).collect(),
                flags: st.flags.iter().copied().collect(),
                submitted: st.submitted.is_some(),
            })
        })
    }

    /// Proctor sign-in with the exam's code; returns a proctor session token.
    pub async fn proctor_login(&self, code: &str, client: &str) -> Result<String, Failure> {
        let now = Timestamp::now();
        let key = format!("\0proctor\0{client}");
        self.check_lockout(&key, now)?;
        let ok = self.read(|ex| super::proctor_code_ok(&ex.config, code));
        if !ok {
            self.count_failure(&key, now);
            return Err(Failure::Refused(Refusal::WrongSecondFactor));
        }
        let (token, hash) = new_token()?;
        self.append(Event::ProctorLogin {
            client: client.to_string(),
            session: hash,
        })
        .await?;
        Ok(token)
    }

    /// Whether `token` is a proctor session (kept in the log: it survives a restart).
    pub fn is_proctor(&self, token: &str) -> bool {
        let h = token_hash(token);
        self.read(|ex| ex.proctors.contains(&h))
    }

    /// The proctor's table, in seat order.
    pub fn proctor_rows(&self) -> Vec<ProctorRow> {
        let now = Timestamp::now();
        let seen = self.lock().last_seen.clone();
        self.read(|ex| {
            let total = ex.questions().count();
            let mut rows: Vec<ProctorRow> = ex
                .config
                .roster
                .iter()
                .map(|c| {
                    let st = &ex.cands[&c.ticket];
                    let last = seen.get(&c.ticket).map(|t| t.duration_until(now).as_secs());
                    let status = match (st.submitted, st.logins, ex.phase(&c.ticket, now)) {
                        (Some((_, true)), _, _) => "已强制交卷",
                        (Some(_), _, _) => "已交卷",
                        (None, 0, _) => "未登录",
                        (None, _, Phase::Waiting(_)) => "待开考",
                        _ if last.is_none_or(|s| s > LOST_SECS) => "连接中断",
                        _ => "答题中",
                    };
                    let seconds_left = match ex.phase(&c.ticket, now) {
                        Phase::Open(s) => s,
                        Phase::Waiting(_) => i64::from(ex.config.minutes + st.extension) * 60,
                        Phase::Closed => 0,
                    };
                    ProctorRow {
                        seat: c.seat.clone(),
                        ticket: c.ticket.clone(),
                        name: c.name.clone(),
                        status,
                        answered: ex.answered(&c.ticket),
                        questions: total,
                        seconds_left,
                        extension: st.extension,
                        logins: st.logins,
                        last_seen_secs: last,
                    }
                })
                .collect();
            rows.sort_by_key(|r| natural(&r.seat));
            rows
        })
    }

    /// Submits, as forced, every candidate whose time is up (the server calls this each second).
    pub async fn submit_overdue(&self) {
        let due = self.read(|ex| ex.overdue(Timestamp::now()));
        for ticket in due {
            let _ = self
                .append(Event::Submit {
                    ticket,
                    forced: true,
                })
                .await;
        }
    }
}

/// Seat numbers sort as numbers where they are numbers ("2" before "10").
fn natural(s: &str) -> (u64, String) {
    (s.parse().unwrap_or(u64::MAX), s.to_string())
}

fn writer(state: Arc<RwLock<Exam>>, mut journal: Journal, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let now = Timestamp::now();
        let mut recs = Vec::with_capacity(jobs.len());
        let mut replies = Vec::with_capacity(jobs.len());
        {
            let mut ex = state.write().unwrap_or_else(|e| e.into_inner());
            for Job { event, reply } in jobs {
                match ex.check(&event, now) {
                    Ok(()) => {
                        let r = ex.record(now, event);
                        ex.apply(&r);
                        recs.push(r.clone());
                        replies.push((reply, r));
                    }
                    Err(why) => {
                        let _ = reply.send(Err(why));
                    }
                }
            }
        }
        if recs.is_empty() {
            continue;
        }
        if let Err(e) = journal.append(&recs) {
            // The state holds events that are not on disk: stop at once. Nothing of them was
            // acknowledged; a restart replays the log up to the last commit.
            eprintln!(
                "考试记录写入失败：{e}。服务已停止；排除故障后重新启动 qbank exam serve，已保存的作答从记录库恢复"
            );
            std::process::exit(7);
        }
        for (reply, r) in replies {
            let _ = reply.send(Ok(r));
        }
    }
}
