//! The 机考's event log: what the exam is (`ExamConfig`, its first event), every login, answer,
//! mark, extension and submission as an `Event`, each appended as a `Record` whose hash chains
//! it to the one before (SHA-256 over the previous hash, the sequence number, the time and the
//! event's JSON), so the log exported with the results shows any entry removed or changed.

use super::roster::Candidate;
use crate::model::Grade;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the exam is: written once, as the log's first event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExamConfig {
    pub format: u32,
    pub sitting: String,
    pub organisation: String,
    /// The organisation's name, from the opened package's manifest (empty if it was not there).
    #[serde(default)]
    pub organisation_name: String,
    pub occupation: String,
    pub occupation_name: String,
    #[serde(deserialize_with = "crate::model::Grade::deserialize_required")]
    pub level: Grade,
    /// The copy code, e.g. `S000032100001-dg4-theory-F01`.
    pub copy: String,
    /// SHA-256 of the copy's `paper.json`: the server refuses to serve any other paper.
    pub paper_sha256: String,
    /// When the paper opens (the server's clock rules).
    pub start: jiff::Timestamp,
    /// 考试时长 (the paper's), before any candidate's extension.
    pub minutes: u32,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    /// Hex of the 32 random bytes each candidate's layout is drawn from.
    pub salt: String,
    /// The proctor's code as an Argon2id PHC string (the code itself is never stored).
    pub proctor: String,
    /// The examiners' marking code (阅卷码), as an Argon2id PHC string.
    pub marking: String,
    /// Examiners mark each subjective answer twice, a third time when they differ by more
    /// than `threshold` points.
    pub double_marking: bool,
    pub threshold: f64,
    pub roster: Vec<Candidate>,
}

/// The `format` this version writes.
pub const CONFIG_FORMAT: u32 = 1;

/// A candidate's answer to one question, in the copy's terms (option indices as the copy prints
/// its letters, whatever order the candidate saw them in).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Value {
    /// 单选/多选: the chosen options, ascending.
    Choice(Vec<usize>),
    /// 判断: true for √.
    Judge(bool),
    /// 填空: one text per blank.
    Blanks(Vec<String>),
    /// 简答/计算/论述: the candidate's text.
    Text(String),
    /// The answer was cleared.
    Clear,
}

/// Something that happened in the exam.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Open(Box<ExamConfig>),
    /// A candidate logged in; `session` is the SHA-256 of the session token (the token itself is
    /// never stored). `takeover`: an earlier session ended with it.
    Login {
        ticket: String,
        session: String,
        client: String,
        takeover: bool,
    },
    /// A login refused (wrong second factor, active elsewhere, locked out).
    LoginRefused {
        ticket: String,
        client: String,
        reason: String,
    },
    /// `rev` counts the candidate's changes to this question: an older one arriving late is kept
    /// in the log but does not replace a newer answer.
    Answer {
        ticket: String,
        q: u32,
        rev: u64,
        value: Value,
    },
    /// 标记 for review.
    Flag {
        ticket: String,
        q: u32,
        on: bool,
    },
    /// 交卷; `forced`: by the proctor or at the end of the candidate's time.
    Submit {
        ticket: String,
        forced: bool,
    },
    /// The proctor gives a candidate more time, with a reason.
    Extend {
        ticket: String,
        minutes: u32,
        reason: String,
    },
    /// The proctor lets a candidate log in from another computer while the first still holds
    /// the session.
    Unlock {
        ticket: String,
        reason: String,
    },
    /// The proctor signed in; `session` is the SHA-256 of the proctor's session token.
    /// An examiner signed in to mark, under their name.
    ExaminerLogin {
        examiner: String,
        client: String,
        session: String,
    },
    ProctorLogin {
        client: String,
        session: String,
    },
    /// An examiner's mark for a subjective answer.
    Mark {
        ticket: String,
        q: u32,
        examiner: String,
        score: f64,
    },
}

impl Event {
    /// The candidate the event is about, if any.
    pub fn ticket(&self) -> Option<&str> {
        match self {
            Event::Login { ticket, .. }
            | Event::LoginRefused { ticket, .. }
            | Event::Answer { ticket, .. }
            | Event::Flag { ticket, .. }
            | Event::Submit { ticket, .. }
            | Event::Extend { ticket, .. }
            | Event::Unlock { ticket, .. }
            | Event::Mark { ticket, .. } => Some(ticket),
            Event::Open(_) | Event::ProctorLogin { .. } | Event::ExaminerLogin { .. } => None,
        }
    }

    /// The event's name as the proctor and the exported log read it.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Open(_) => "建立考试",
            Event::Login {
                takeover: false, ..
            } => "登录",
            Event::Login { takeover: true, .. } => "换机登录",
            Event::LoginRefused { .. } => "登录被拒",
            Event::Answer { .. } => "作答",
            Event::Flag { .. } => "标记",
            Event::Submit { forced: false, .. } => "交卷",
            Event::Submit { forced: true, .. } => "强制交卷",
            Event::Extend { .. } => "延时",
            Event::Unlock { .. } => "允许换机",
            Event::ProctorLogin { .. } => "监考登录",
            Event::ExaminerLogin { .. } => "阅卷登录",
            Event::Mark { .. } => "阅卷评分",
        }
    }
}

/// One entry of the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    pub at: jiff::Timestamp,
    pub event: Event,
    /// Hex SHA-256 chaining this record to the one before.
    pub hash: String,
}

/// The hash before the first record.
pub const GENESIS: [u8; 32] = [0; 32];

/// The chain hash of a record with these fields after `prev`.
pub fn chain_hash(prev: &[u8; 32], seq: u64, at: &jiff::Timestamp, event: &Event) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"qbank-exam-log/1\0");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at.to_string().as_bytes());
    h.update([0]);
    h.update(serde_json::to_vec(event).expect("events serialise"));
    h.finalize().into()
}

impl Record {
    /// The record for `event` at `at` after `prev` (whose sequence number is `seq - 1`).
    pub fn new(prev: &[u8; 32], seq: u64, at: jiff::Timestamp, event: Event) -> Record {
        let hash = hex::encode(chain_hash(prev, seq, &at, &event));
        Record {
            seq,
            at,
            event,
            hash,
        }
    }

    /// The record's hash as bytes (all zeros if it is not hex: `verify` refuses such a record).
    pub fn hash_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Ok(b) = hex::decode(&self.hash)
            && b.len() == 32
        {
            out.copy_from_slice(&b);
        }
        out
    }
}

/// Checks a whole log: numbered 1, 2, 3… with no gap, each hash chaining to the one before,
/// the first record the exam's `Open` and no other. Returns the sequence number of the first
/// record that fails.
pub fn verify(records: &[Record]) -> Result<(), u64> {
    let mut prev = GENESIS;
    for (i, r) in records.iter().enumerate() {
        let open = matches!(r.event, Event::Open(_));
        if r.seq != i as u64 + 1
            || open != (i == 0)
            || hex::encode(chain_hash(&prev, r.seq, &r.at, &r.event)) != r.hash
        {
            return Err(r.seq);
        }
        prev = r.hash_bytes();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log() -> Vec<Record> {
        let at: jiff::Timestamp = "2026-11-28T01:00:00Z".parse().unwrap();
        let mut prev = GENESIS;
        let mut out = Vec::new();
        let events = [
            Event::ProctorLogin {
                client: "x".into(),
                session: String::new(),
            },
            Event::Flag {
                ticket: "1".into(),
                q: 3,
                on: true,
            },
        ];
        for (i, e) in events.into_iter().enumerate() {
            let r = Record::new(&prev, i as u64 + 1, at, e);
            prev = r.hash_bytes();
            out.push(r);
        }
        out
    }

    #[test]
    fn a_changed_or_removed_entry_breaks_the_chain_at_that_entry() {
        let mut l = log();
        // the first entry must be Open: a log without it is refused at once
        assert_eq!(verify(&l), Err(1));
        let at = l[0].at;
        let open = Event::Open(Box::new(ExamConfig {
            format: CONFIG_FORMAT,
            sitting: "s".into(),
            organisation: "o".into(),
            organisation_name: String::new(),
            occupation: "6-31-01-03".into(),
            occupation_name: "电工".into(),
            level: Grade::Level(crate::model::Level::from_code(4).unwrap()),
            copy: "c".into(),
            paper_sha256: String::new(),
            start: at,
            minutes: 90,
            shuffle_questions: true,
            shuffle_options: true,
            salt: String::new(),
            proctor: String::new(),
            marking: String::new(),
            double_marking: false,
            threshold: 2.0,
            roster: Vec::new(),
        }));
        let mut rebuilt = vec![Record::new(&GENESIS, 1, at, open)];
        for (i, r) in l.drain(..).enumerate() {
            let prev = rebuilt.last().unwrap().hash_bytes();
            rebuilt.push(Record::new(&prev, i as u64 + 2, r.at, r.event));
        }
        assert_eq!(verify(&rebuilt), Ok(()));
        let mut changed = rebuilt.clone();
        if let Event::Flag { on, .. } = &mut changed[2].event {
            *on = false;
        }
        assert_eq!(verify(&changed), Err(3));
        let mut removed = rebuilt.clone();
        removed.remove(1);
        assert_eq!(verify(&removed), Err(3), "the entry after the gap");
    }
}
