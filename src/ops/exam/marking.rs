//! Marking a 机考's subjective answers (简答, 计算, 论述) on the exam server once the keys are
//! open: examiners sign in by name with the marking code, see each question's answers blind (an
//! answer script code instead of the candidate), mark them against the marking scheme, each
//! answer once per examiner, twice under double marking and a third time when two marks differ
//! by more than the threshold (`exam::score::resolve`). Every mark is an event of the log.

use super::live::{Failure, Live, new_token, token_hash};
use crate::document::{KeyAnswer, PaperItem};
pub use crate::exam::marks::MarkRow;
use crate::exam::score::{Resolution, resolve};
use crate::exam::{Event, Exam, Phase, Refusal, Value};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// The code an answer is marked under: the candidate stays unknown to the examiner.
pub fn script_code(exam: &Exam, ticket: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"qbank-exam-script/1\0");
    h.update(exam.config.salt.as_bytes());
    h.update([0]);
    h.update(ticket.as_bytes());
    hex::encode(&h.finalize()[..5])
}

/// An answer to mark.
pub struct MarkTask {
    pub item: PaperItem,
    pub key: KeyAnswer,
    pub script: String,
    pub text: String,
    /// Which mark this is (1, 2 or 3).
    pub round: u8,
}

/// Whether `examiner` may mark this answer now: the candidate's exam is over, the marking is
/// not final, and the examiner has not marked it.
fn open_for(exam: &Exam, ticket: &str, q: u32, examiner: &str, now: Timestamp) -> Option<u8> {
    if !matches!(exam.phase(ticket, now), Phase::Closed) {
        return None;
    }
    let c = &exam.cands[ticket];
    match c.answers.get(&q) {
        Some((_, Value::Text(t))) if !t.trim().is_empty() => {}
        _ => return None,
    }
    let marks = c.marks.get(&q).map(Vec::as_slice).unwrap_or(&[]);
    if marks.iter().any(|(e, _)| e == examiner) {
        return None;
    }
    match resolve(marks, exam.config.double_marking, exam.config.threshold) {
        Resolution::Needs(k) => Some(k),
        Resolution::Final(_) => None,
    }
}

impl Live {
    /// Whether the key is loaded (marking needs its scheme).
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// Examiner sign-in with their name and the marking code; returns a session token.
    pub async fn examiner_login(
        &self,
        name: &str,
        code: &str,
        client: &str,
    ) -> Result<String, Failure> {
        let now = Timestamp::now();
        let key = format!("\0marking\0{client}");
        self.check_lockout(&key, now)?;
        if !self.read(|ex| super::marking_code_ok(&ex.config, code)) {
            self.count_failure(&key, now);
            return Err(Failure::Refused(Refusal::WrongSecondFactor));
        }
        let (token, hash) = new_token()?;
        self.append(Event::ExaminerLogin {
            examiner: name.trim().to_string(),
            client: client.to_string(),
            session: hash,
        })
        .await?;
        Ok(token)
    }

    /// The examiner a session belongs to.
    pub fn examiner(&self, token: &str) -> Option<String> {
        let h = token_hash(token);
        self.read(|ex| ex.examiners.get(&h).cloned())
    }

    /// Every subjective question with its marking progress.
    pub fn marking_rows(&self, examiner: &str) -> Vec<MarkRow> {
        let now = Timestamp::now();
        self.read(|ex| {
            ex.questions()
                .filter(|i| i.item_type.is_subjective())
                .map(|i| {
                    let written = |t: &&String| {
                        matches!(ex.cands[*t].answers.get(&i.n), Some((_, Value::Text(s))) if !s.trim().is_empty())
                    };
                    let tickets: Vec<&String> = ex.cands.keys().filter(written).collect();
                    let done = tickets
                        .iter()
                        .filter(|t| {
                            let m = ex.cands[**t].marks.get(&i.n).map(Vec::as_slice).unwrap_or(&[]);
                            matches!(
                                resolve(m, ex.config.double_marking, ex.config.threshold),
                                Resolution::Final(_)
                            )
                        })
                        .count();
                    let for_me = tickets
                        .iter()
                        .filter(|t| open_for(ex, t, i.n, examiner, now).is_some())
                        .count();
                    MarkRow {
                        q: i.n,
                        item_type: i.item_type.as_str().to_string(),
                        points: i.points,
                        answers: tickets.len(),
                        done,
                        for_me,
                    }
                })
                .collect()
        })
    }

    /// The next answer to question `q` this examiner may mark, in script-code order.
    pub fn next_to_mark(&self, examiner: &str, q: u32) -> Option<MarkTask> {
        let key = (*self.key)
            .as_ref()?
            .answers
            .iter()
            .find(|a| a.n == q)?
            .clone();
        let now = Timestamp::now();
        self.read(|ex| {
            let item = ex.question(q)?.clone();
            let mut open: Vec<(String, &String, u8)> = ex
                .cands
                .keys()
                .filter_map(|t| {
                    open_for(ex, t, q, examiner, now).map(|k| (script_code(ex, t), t, k))
                })
                .collect();
            open.sort();
            let (script, t, round) = open.into_iter().next()?;
            let text = match ex.cands[t].answers.get(&q) {
                Some((_, Value::Text(s))) => s.clone(),
                _ => String::new(),
            };
            Some(MarkTask {
                item,
                key,
                script,
                text,
                round,
            })
        })
    }

    /// Records `examiner`'s mark for the answer with this script code.
    pub async fn mark(
        &self,
        examiner: &str,
        q: u32,
        script: &str,
        score: f64,
    ) -> Result<(), Failure> {
        let ticket = self.read(|ex| {
            ex.cands
                .keys()
                .find(|t| script_code(ex, t) == script)
                .cloned()
        });
        let ticket = ticket.ok_or(Failure::Refused(Refusal::NoSuchQuestion(q)))?;
        self.append(Event::Mark {
            ticket,
            q,
            examiner: examiner.to_string(),
            score,
        })
        .await
        .map(|_| ())
    }
}
