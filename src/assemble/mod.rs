//! The assembler (组卷): blueprint + candidate pool (metadata only) + seed → parallel forms of a
//! theory paper or a practical task set. Pure and deterministic: no IO, no clock, randomness only
//! from ChaCha8 generators derived from the seed and the identity of what they serve, never from
//! scheduling, so the output is identical on any machine and thread count.

mod allocate;
mod bounds;
mod candidate;
mod copies;
mod instance;
mod practical;
mod search;
mod sustain;
mod theory;

pub use allocate::{AllocContent, AllocRow, Allocation, allocate};
pub use candidate::Candidate;
pub use copies::{
    CopyPlan, FIRST_ENGINE, KEYED_ENGINE, copy_plan, copy_plan_keyed, copy_plan_of, keep_fixed,
    remap_answer, unmap_answer,
};
pub use practical::{
    PickedModule, PickedTask, PracticalForm, TaskCandidate, TopicCandidate, assemble_practical,
};
pub use search::{
    Quality, SearchStats, Terms, W_CONTENT, W_DIFFICULTY, W_FUNCTION, W_HARD, W_MEAN_P, W_REPEAT,
    W_X,
};
pub use sustain::{Sustain, sustainable};
pub use theory::{Picked, TheoryForm, assemble_theory, overlap_matrix};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use std::fmt;

/// Version of the assembly rules; part of every manifest. A change that alters output for the
/// same inputs must bump it.
pub const ENGINE: &str = "qbank-assemble/2";

/// A generator for one purpose, derived from the sitting seed and a label path such as
/// `["6-31-01-03", "4", "cell", "2.1", "单选"]`.
pub fn rng_for(seed: u64, parts: &[&str]) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(ENGINE.as_bytes());
    h.update(seed.to_be_bytes());
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    ChaCha8Rng::from_seed(h.finalize().into())
}

/// Why a blueprint cannot be met; nothing is built. Each reason names the cell or constraint.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Infeasible {
    pub blueprint: String,
    /// Where the blueprint is written (`file:line`), filled in by the workflow that read it
    /// (the engine sees no files); empty when unknown.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub at: String,
    pub reasons: Vec<String>,
}

impl fmt::Display for Infeasible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.at.is_empty() {
            write!(f, "{}: ", self.at)?;
        }
        writeln!(
            f,
            "blueprint {} cannot be met; nothing was built:",
            self.blueprint
        )?;
        for r in &self.reasons {
            writeln!(f, "  - {r}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Infeasible {}

/// Largest-remainder (Hamilton) apportionment of `total` units over `weights`, each share capped
/// by `caps`; ties go to the earlier index. Returns None if the caps cannot hold `total`.
pub(crate) fn apportion(total: u32, weights: &[f64], caps: &[u32]) -> Option<Vec<u32>> {
    let sum: f64 = weights.iter().sum();
    if caps.iter().map(|&c| u64::from(c)).sum::<u64>() < u64::from(total) {
        return None;
    }
    let ideal: Vec<f64> = weights
        .iter()
        .map(|w| {
            if sum > 0.0 {
                f64::from(total) * w / sum
            } else {
                0.0
            }
        })
        .collect();
    let mut n: Vec<u32> = ideal
        .iter()
        .zip(caps)
        .map(|(x, &c)| (x.floor() as u32).min(c))
        .collect();
    let mut left = total - n.iter().sum::<u32>();
    while left > 0 {
        // the largest shortfall against the ideal among shares with room; earlier index on ties
        let best = (0..n.len()).filter(|&i| n[i] < caps[i]).max_by(|&a, &b| {
            (ideal[a] - f64::from(n[a]))
                .total_cmp(&(ideal[b] - f64::from(n[b])))
                .then(b.cmp(&a))
        })?;
        n[best] += 1;
        left -= 1;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::apportion;

    #[test]
    fn apportionment_is_exact_capped_and_stable() {
        assert_eq!(
            apportion(10, &[1.0, 1.0, 1.0], &[10, 10, 10]),
            Some(vec![4, 3, 3])
        );
        assert_eq!(
            apportion(100, &[5.0, 20.0, 30.0, 15.0, 15.0, 15.0], &[100; 6]),
            Some(vec![5, 20, 30, 15, 15, 15])
        );
        assert_eq!(apportion(10, &[1.0, 1.0], &[2, 10]), Some(vec![2, 8]));
        assert_eq!(apportion(10, &[1.0, 1.0], &[2, 3]), None);
        assert_eq!(apportion(3, &[0.0, 0.0], &[5, 5]), Some(vec![2, 1]));
    }
}
