//! The exam's state as its log folds into it (`Exam::apply`), and the rules every new event is
//! checked against first (`Exam::check`): the roster and second factor, one active session per
//! candidate, the server's clock (start, each candidate's end with extensions), answers of the
//! right kind for their question, nothing after 交卷.

use super::event::{Event, ExamConfig, Record, Value};
use super::layout::Layout;
use crate::document::{PaperItem, TheoryPaper};
use crate::model::ItemType;
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// A candidate's state.
#[derive(Clone, Debug, Default)]
pub struct Cand {
    /// SHA-256 (hex) of the current session token.
    pub session: Option<String>,
    pub logins: u32,
    /// Copy question number → (rev, answer); cleared answers are removed.
    pub answers: BTreeMap<u32, (u64, Value)>,
    pub flags: BTreeSet<u32>,
    /// When, and whether forced.
    pub submitted: Option<(Timestamp, bool)>,
    pub extension: u32,
    pub unlocked: bool,
    /// Examiners' marks per question, in the order given.
    pub marks: BTreeMap<u32, Vec<(String, f64)>>,
}

/// Where a candidate is in the exam at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before the start: seconds to wait.
    Waiting(i64),
    /// Answering: seconds left.
    Open(i64),
    /// Submitted, or time is up.
    Closed,
}

/// Why an event is refused; every message is what the person sees.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    NotOnRoster,
    WrongSecondFactor,
    ActiveElsewhere { seat: String },
    NotStarted,
    Closed,
    NoSuchQuestion(u32),
    NoSuchOption { q: u32, options: usize },
    WrongKind { q: u32, expected: &'static str },
    TooLong { q: u32 },
    NotSubjective(u32),
    BadMark { q: u32, max: f64 },
    MarkedEnough { q: u32 },
    BadExtension,
    NotSubmitted,
    BadExaminer,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotOnRoster => f.write_str("准考证号不在本场考生名单中"),
            Refusal::WrongSecondFactor => f.write_str("准考证号或证件号后四位不正确"),
            Refusal::ActiveElsewhere { seat } => write!(
                f,
                "该考生已在 {seat} 号座位的计算机上登录；如需换机，请举手请监考员解锁"
            ),
            Refusal::NotStarted => f.write_str("考试尚未开始"),
            Refusal::Closed => f.write_str("已交卷或考试时间已到，不能再作答"),
            Refusal::NoSuchQuestion(q) => write!(f, "试卷中没有第 {q} 题"),
            Refusal::NoSuchOption { q, options } => {
                write!(f, "第 {q} 题只有 {options} 个选项")
            }
            Refusal::WrongKind { q, expected } => {
                write!(f, "第 {q} 题的答案应为{expected}")
            }
            Refusal::TooLong { q } => write!(f, "第 {q} 题的答案过长"),
            Refusal::NotSubjective(q) => write!(f, "第 {q} 题不是主观题，由系统按答案自动评分"),
            Refusal::BadMark { q, max } => write!(
                f,
                "第 {q} 题的给分应在 0 至 {max} 分之间，且为 0.5 分的整数倍"
            ),
            Refusal::MarkedEnough { q } => write!(f, "第 {q} 题已评定，无需再评"),
            Refusal::BadExtension => f.write_str("延时应为 1 至 120 分钟，并注明原因"),
            Refusal::NotSubmitted => f.write_str("该考生尚未交卷，考试结束后方可阅卷"),
            Refusal::BadExaminer => f.write_str("请填写阅卷人姓名（不超过 32 个字）"),
        }
    }
}

/// One row of the proctor's page.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ProctorRow {
    pub seat: String,
    pub ticket: String,
    pub name: String,
    /// 未登录, 答题中, 连接中断, 已交卷, 已强制交卷, 待开考.
    pub status: &'static str,
    pub answered: usize,
    pub questions: usize,
    pub seconds_left: i64,
    pub extension: u32,
    pub logins: u32,
    pub last_seen_secs: Option<i64>,
}

/// A session counts as active elsewhere while its browser was heard from this recently.
pub const ACTIVE_SECS: i64 = 45;
/// The longest text answer kept, in characters.
pub const MAX_TEXT: usize = 5000;
const MAX_BLANKS: usize = 20;

/// The exam: configuration, paper, candidates, and the log's head.
#[derive(Clone, Debug)]
pub struct Exam {
    pub config: ExamConfig,
    pub paper: TheoryPaper,
    pub cands: BTreeMap<String, Cand>,
    /// SHA-256 (hex) of every proctor session token issued.
    pub proctors: BTreeSet<String>,
    /// Examiners' sessions (SHA-256 hex of the token) and their names.
    pub examiners: BTreeMap<String, String>,
    by_ticket: HashMap<String, usize>,
    by_n: HashMap<u32, (usize, usize)>,
    head: [u8; 32],
    seq: u64,
}

impl Exam {
    /// A new exam from its first record (the `Open`), or None if the record is not one.
    pub fn new(open: &Record, paper: TheoryPaper) -> Option<Exam> {
        let Event::Open(config) = &open.event else {
            return None;
        };
        let config = (**config).clone();
        let by_ticket = config
            .roster
            .iter()
            .enumerate()
            .map(|(i, c)| (c.ticket.clone(), i))
            .collect();
        let by_n = paper
            .sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| {
                sec.items
                    .iter()
                    .enumerate()
                    .map(move |(i, it)| (it.n, (s, i)))
            })
            .collect();
        let cands = config
            .roster
            .iter()
            .map(|c| (c.ticket.clone(), Cand::default()))
            .collect();
        Some(Exam {
            config,
            paper,
            cands,
            proctors: BTreeSet::new(),
            examiners: BTreeMap::new(),
            by_ticket,
            by_n,
            head: open.hash_bytes(),
            seq: open.seq,
        })
    }

    /// The question printed as number `q` in the copy.
    pub fn question(&self, q: u32) -> Option<&PaperItem> {
        let (s, i) = self.by_n.get(&q)?;
        Some(&self.paper.sections[*s].items[*i])
    }

    pub fn questions(&self) -> impl Iterator<Item = &PaperItem> {
        self.paper.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn candidate(&self, ticket: &str) -> Option<&super::Candidate> {
        self.by_ticket.get(ticket).map(|&i| &self.config.roster[i])
    }

    /// The next record for `event` at `at` (not yet applied).
    pub fn record(&self, at: Timestamp, event: Event) -> Record {
        Record::new(&self.head, self.seq + 1, at, event)
    }

    /// The log's last sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The candidate's layout of the paper.
    pub fn layout(&self, ticket: &str) -> Layout {
        let salt = hex::decode(&self.config.salt).unwrap_or_default();
        Layout::draw(
            &self.paper,
            &salt,
            ticket,
            self.config.shuffle_questions,
            self.config.shuffle_options,
        )
    }

    /// When the candidate's time ends.
    pub fn deadline(&self, ticket: &str) -> Timestamp {
        let ext = self.cands.get(ticket).map(|c| c.extension).unwrap_or(0);
        let mins = i64::from(self.config.minutes) + i64::from(ext);
        self.config
            .start
            .checked_add(SignedDuration::from_mins(mins))
            .unwrap_or(Timestamp::MAX)
    }

    pub fn phase(&self, ticket: &str, now: Timestamp) -> Phase {
        if self
            .cands
            .get(ticket)
            .is_some_and(|c| c.submitted.is_some())
        {
            return Phase::Closed;
        }
        if now < self.config.start {
            return Phase::Waiting(now.duration_until(self.config.start).as_secs());
        }
        let end = self.deadline(ticket);
        if now >= end {
            Phase::Closed
        } else {
            Phase::Open(now.duration_until(end).as_secs().max(1))
        }
    }

    /// Candidates whose time is up but who have not submitted: the server submits for them.
    pub fn overdue(&self, now: Timestamp) -> Vec<String> {
        self.cands
            .iter()
            .filter(|(t, c)| c.submitted.is_none() && c.logins > 0 && now >= self.deadline(t))
            .map(|(t, _)| t.clone())
            .collect()
    }

    /// Checks the second factor of a login.
    pub fn check_login(&self, ticket: &str, id4: &str) -> Result<(), Refusal> {
        let c = self.candidate(ticket).ok_or(Refusal::NotOnRoster)?;
        if c.id4.eq_ignore_ascii_case(id4.trim()) {
            Ok(())
        } else {
            Err(Refusal::WrongSecondFactor)
        }
    }

    /// Whether a login now must be refused because the candidate's session is alive elsewhere
    /// (`last_seen`: when its browser last called), unless the proctor unlocked it.
    pub fn check_takeover(
        &self,
        ticket: &str,
        last_seen: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), Refusal> {
        let c = &self.cands[ticket];
        let alive = c.session.is_some()
            && last_seen.is_some_and(|t| t.duration_until(now).as_secs() < ACTIVE_SECS);
        if alive && !c.unlocked && c.submitted.is_none() {
            let seat = self
                .candidate(ticket)
                .map(|c| c.seat.clone())
                .unwrap_or_default();
            return Err(Refusal::ActiveElsewhere { seat });
        }
        Ok(())
    }

    /// Checks a new candidate or examiner event at `now` against the rules.
    pub fn check(&self, ev: &Event, now: Timestamp) -> Result<(), Refusal> {
        if let Some(t) = ev.ticket()
            && !self.cands.contains_key(t)
        {
            return Err(Refusal::NotOnRoster);
        }
        match ev {
            Event::Answer {
                ticket, q, value, ..
            } => {
                self.open_for(ticket, now)?;
                let item = self.question(*q).ok_or(Refusal::NoSuchQuestion(*q))?;
                check_value(*q, item, value)
            }
            Event::Flag { ticket, q, .. } => {
                self.open_for(ticket, now)?;
                self.question(*q)
                    .map(|_| ())
                    .ok_or(Refusal::NoSuchQuestion(*q))
            }
            Event::Submit { ticket, forced } => {
                if self.cands[ticket].submitted.is_some() {
                    return Err(Refusal::Closed);
                }
                if !forced {
                    self.open_for(ticket, now)?;
                }
                Ok(())
            }
            Event::Extend {
                minutes,
                reason,
                ticket,
            } => {
                if !(1..=120).contains(minutes) || reason.trim().is_empty() {
                    return Err(Refusal::BadExtension);
                }
                if self.cands[ticket].submitted.is_some() {
                    return Err(Refusal::Closed);
                }
                Ok(())
            }
            Event::Mark {
                ticket,
                q,
                examiner,
                score,
            } => {
                let item = self.question(*q).ok_or(Refusal::NoSuchQuestion(*q))?;
                if !item.item_type.is_subjective() {
                    return Err(Refusal::NotSubjective(*q));
                }
                if !(0.0..=item.points).contains(score) || (score * 2.0).fract() != 0.0 {
                    return Err(Refusal::BadMark {
                        q: *q,
                        max: item.points,
                    });
                }
                let c = &self.cands[ticket];
                if c.submitted.is_none() && now < self.deadline(ticket) {
                    return Err(Refusal::NotSubmitted);
                }
                let marks = c.marks.get(q).map(Vec::as_slice).unwrap_or(&[]);
                let state =
                    super::marks::resolve(marks, self.config.double_marking, self.config.threshold);
                if matches!(state, super::marks::Resolution::Final(_))
                    || marks.iter().any(|(e, _)| e == examiner)
                {
                    return Err(Refusal::MarkedEnough { q: *q });
                }
                Ok(())
            }
            Event::Open(_)
            | Event::Login { .. }
            | Event::LoginRefused { .. }
            | Event::Unlock { .. }
            | Event::ProctorLogin { .. } => Ok(()),
            Event::ExaminerLogin { examiner, .. } => {
                let n = examiner.trim().chars().count();
                if n == 0 || n > 32 {
                    Err(Refusal::BadExaminer)
                } else {
                    Ok(())
                }
            }
        }
    }

    fn open_for(&self, ticket: &str, now: Timestamp) -> Result<(), Refusal> {
        match self.phase(ticket, now) {
            Phase::Waiting(_) => Err(Refusal::NotStarted),
            Phase::Closed => Err(Refusal::Closed),
            Phase::Open(_) => Ok(()),
        }
    }

    /// Folds a record (the next in the log) into the state.
    pub fn apply(&mut self, r: &Record) {
        self.head = r.hash_bytes();
        self.seq = r.seq;
        if let Event::ProctorLogin { session, .. } = &r.event {
            self.proctors.insert(session.clone());
        }
        if let Event::ExaminerLogin {
            session, examiner, ..
        } = &r.event
        {
            self.examiners
                .insert(session.clone(), examiner.trim().to_string());
        }
        let Some(t) = r.event.ticket() else { return };
        let Some(c) = self.cands.get_mut(t) else {
            return;
        };
        match &r.event {
            Event::Login { session, .. } => {
                c.session = Some(session.clone());
                c.logins += 1;
                c.unlocked = false;
            }
            Event::Answer { q, rev, value, .. } => {
                if c.answers.get(q).is_some_and(|(old, _)| old >= rev) {
                    return;
                }
                if *value == Value::Clear {
                    // a clear keeps its rev so that an older answer cannot come back
                    c.answers.insert(*q, (*rev, Value::Clear));
                } else {
                    c.answers.insert(*q, (*rev, value.clone()));
                }
            }
            Event::Flag { q, on, .. } => {
                if *on {
                    c.flags.insert(*q);
                } else {
                    c.flags.remove(q);
                }
            }
            Event::Submit { forced, .. } => {
                if c.submitted.is_none() {
                    c.submitted = Some((r.at, *forced));
                }
            }
            Event::Extend { minutes, .. } => c.extension += minutes,
            Event::Unlock { .. } => c.unlocked = true,
            Event::Mark {
                q, examiner, score, ..
            } => {
                c.marks
                    .entry(*q)
                    .or_default()
                    .push((examiner.clone(), *score));
            }
            Event::LoginRefused { .. }
            | Event::Open(_)
            | Event::ProctorLogin { .. }
            | Event::ExaminerLogin { .. } => {}
        }
    }

    /// How many questions a candidate has answered (a cleared answer does not count).
    pub fn answered(&self, ticket: &str) -> usize {
        self.cands
            .get(ticket)
            .map(|c| {
                c.answers
                    .values()
                    .filter(|(_, v)| *v != Value::Clear)
                    .count()
            })
            .unwrap_or(0)
    }

    /// The hash at the head of the log.
    pub fn head(&self) -> String {
        hex::encode(self.head)
    }
}

/// An answer of the right kind for its question.
fn check_value(q: u32, item: &PaperItem, v: &Value) -> Result<(), Refusal> {
    let wrong = |expected| Err(Refusal::WrongKind { q, expected });
    match (item.item_type, v) {
        (_, Value::Clear) => Ok(()),
        (ItemType::Judge, Value::Judge(_)) => Ok(()),
        (ItemType::Judge, _) => wrong("“对”或“错”"),
        (ItemType::Single | ItemType::Multiple, Value::Choice(c)) => {
            let ascending = c.windows(2).all(|w| w[0] < w[1]);
            let in_range = c.iter().all(|&o| o < item.options.len());
            let count_ok = if item.item_type == ItemType::Single {
                c.len() == 1
            } else {
                !c.is_empty()
            };
            if !in_range {
                return Err(Refusal::NoSuchOption {
                    q,
                    options: item.options.len(),
                });
            }
            if ascending && count_ok {
                Ok(())
            } else if item.item_type == ItemType::Single {
                wrong("一个选项")
            } else {
                wrong("一个或多个选项")
            }
        }
        (ItemType::Single | ItemType::Multiple, _) => wrong("选项"),
        (ItemType::Fill, Value::Blanks(b)) => {
            if b.len() > MAX_BLANKS || b.iter().any(|s| s.chars().count() > 200) {
                Err(Refusal::TooLong { q })
            } else {
                Ok(())
            }
        }
        (ItemType::Fill, _) => wrong("各空的文字"),
        (_, Value::Text(t)) => {
            if t.chars().count() > MAX_TEXT {
                Err(Refusal::TooLong { q })
            } else {
                Ok(())
            }
        }
        (_, _) => wrong("文字"),
    }
}

/// Folds a whole log (verified first) into the exam, or says which record is wrong.
pub fn replay(records: &[Record], paper: TheoryPaper) -> Result<Exam, u64> {
    super::event::verify(records)?;
    let first = records.first().ok_or(0u64)?;
    let mut exam = Exam::new(first, paper).ok_or(1u64)?;
    for r in &records[1..] {
        exam.apply(r);
    }
    Ok(exam)
}
