//! The computer-based theory exam (机考), pure: the exam's configuration and roster, each
//! candidate's seeded layout of the copy, the hash-chained event log and the state it folds into,
//! scoring against the key with examiners' marks, and the results in the analysis format. No IO:
//! times and randomness come in as arguments.

pub mod event;
pub mod layout;
pub mod marks;
pub mod roster;
pub mod score;
pub mod state;

pub use event::{Event, ExamConfig, Record, Value};
pub use layout::Layout;
pub use roster::Candidate;
pub use state::{Cand, Exam, Phase, Refusal};

#[cfg(test)]
mod tests;
