//! Per-organisation copies of a form (一机构一卷序): a deterministic permutation of question order
//! within each section and of option order within each choice question, with the answer key
//! remapped to match. Pure. Copies of sittings sealed from now on are drawn from a per-sitting
//! secret kept in the vault ([`copy_plan_keyed`], engine label [`KEYED_ENGINE`]), so no
//! organisation can compute another's copy; copies of records sealed before that were drawn from
//! the public sitting seed ([`copy_plan_of`] with [`FIRST_ENGINE`]) and are rebuilt with it.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How one copy differs from the form: for each section, the form positions in print order; for
/// each printed question (in print order), the form's option indices in print order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyPlan {
    /// Print order: indices into the form's question list (0-based), section by section.
    pub order: Vec<usize>,
    /// For each printed question, `options[q][j]` = the form's option index shown as letter j.
    pub options: Vec<Vec<usize>>,
}

/// Draws the copy plan for `labels` (sitting, organisation, blueprint, form, attempt).
/// `sections` are the lengths of the form's sections in order; `option_counts[i]` is the number
/// of options of the form's question i (0 for questions without options).
pub fn copy_plan(
    seed: u64,
    labels: &[&str],
    sections: &[usize],
    option_counts: &[usize],
) -> CopyPlan {
    copy_plan_of(FIRST_ENGINE, seed, labels, sections, option_counts)
}

/// The engine string copies are derived with. The copy rules have not changed since the first
/// engine (the assembly rules have: [`crate::assemble::ENGINE`] is later), so copies keep this label; a record
/// sealed before records held their copies is rebuilt with it. A change to the copy rules needs
/// a label of its own.
pub const FIRST_ENGINE: &str = "qbank-assemble/1";

/// [`copy_plan`] as the assembler of `engine` drew it (the engine string is part of the
/// generator's seed), so copies of a past sitting can be drawn again exactly.
pub fn copy_plan_of(
    engine: &str,
    seed: u64,
    labels: &[&str],
    sections: &[usize],
    option_counts: &[usize],
) -> CopyPlan {
    let mut parts = vec!["copy"];
    parts.extend_from_slice(labels);
    draw(&mut rng_with(engine, seed, &parts), sections, option_counts)
}

/// The label of copies drawn from a sitting's secret (a change to these rules needs a new one).
pub const KEYED_ENGINE: &str = "qbank-copies/2";

/// Draws the copy plan for `labels` from a per-sitting secret: the generator is seeded with
/// SHA-256(`KEYED_ENGINE` ‖ secret ‖ length-prefixed labels). Without the secret, the plan of
/// one organisation tells nothing about another's.
pub fn copy_plan_keyed(
    secret: &[u8; 32],
    labels: &[&str],
    sections: &[usize],
    option_counts: &[usize],
) -> CopyPlan {
    let mut h = Sha256::new();
    h.update(KEYED_ENGINE.as_bytes());
    h.update([0]);
    h.update(secret);
    for p in labels {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let mut seed: [u8; 32] = h.finalize().into();
    let mut rng = ChaCha8Rng::from_seed(seed);
    seed.fill(0);
    draw(&mut rng, sections, option_counts)
}

fn draw(rng: &mut ChaCha8Rng, sections: &[usize], option_counts: &[usize]) -> CopyPlan {
    let mut order = Vec::with_capacity(option_counts.len());
    let mut at = 0;
    for &len in sections {
        let mut sec: Vec<usize> = (at..at + len).collect();
        sec.shuffle(rng);
        order.extend(sec);
        at += len;
    }
    let options = order
        .iter()
        .map(|&q| {
            let mut o: Vec<usize> = (0..option_counts.get(q).copied().unwrap_or(0)).collect();
            o.shuffle(rng);
            o
        })
        .collect();
    CopyPlan { order, options }
}

/// Puts back in the form's order the options of every printed question whose form question is
/// `fixed[q]` (numeric options, "以上都对"). Applied after [`copy_plan_of`], so the generator
/// draws exactly what it drew before fixed orders existed: every other question keeps the
/// permutation it had, and a plan with no fixed question is unchanged.
pub fn keep_fixed(plan: &mut CopyPlan, fixed: &[bool]) {
    for (q, perm) in plan.order.iter().zip(plan.options.iter_mut()) {
        if fixed.get(*q).copied().unwrap_or(false) {
            perm.sort_unstable();
        }
    }
}

/// `rng_for` with the engine string given rather than today's [`crate::assemble::ENGINE`].
fn rng_with(engine: &str, seed: u64, parts: &[&str]) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(engine.as_bytes());
    h.update(seed.to_be_bytes());
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    ChaCha8Rng::from_seed(h.finalize().into())
}

const LETTERS: &[u8] = b"ABCDEFGH";

/// Maps an answer given in the form's option letters (e.g. "B", "ACD") to the copy's letters,
/// for a question whose printed options are `perm` (form indices in print order). Letters are
/// returned sorted; anything that is not an option letter is returned unchanged.
pub fn remap_answer(answer: &str, perm: &[usize]) -> String {
    if perm.is_empty() || !answer.chars().all(|c| c.is_ascii_uppercase()) {
        return answer.to_string();
    }
    let mut out: Vec<u8> = Vec::new();
    for c in answer.bytes() {
        let form_ix = (c - b'A') as usize;
        match perm.iter().position(|&f| f == form_ix) {
            Some(j) if j < LETTERS.len() => out.push(LETTERS[j]),
            _ => return answer.to_string(),
        }
    }
    out.sort_unstable();
    String::from_utf8(out).unwrap_or_else(|_| answer.to_string())
}

/// The inverse of [`remap_answer`]: copy letters back to the form's letters (for mapping an
/// organisation's responses to bank items).
pub fn unmap_answer(answer: &str, perm: &[usize]) -> String {
    let mut out: Vec<u8> = Vec::new();
    for c in answer.bytes() {
        let j = (c.wrapping_sub(b'A')) as usize;
        match perm.get(j) {
            Some(&f) if f < LETTERS.len() => out.push(LETTERS[f]),
            _ => return answer.to_string(),
        }
    }
    out.sort_unstable();
    String::from_utf8(out).unwrap_or_else(|_| answer.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_follow_their_options() {
        // printed A shows form option 2, B shows 0, C shows 3, D shows 1
        let perm = [2, 0, 3, 1];
        assert_eq!(remap_answer("A", &perm), "B");
        assert_eq!(remap_answer("C", &perm), "A");
        assert_eq!(remap_answer("ABD", &perm), "BCD");
        for a in ["A", "B", "C", "D", "AC", "BCD"] {
            assert_eq!(unmap_answer(&remap_answer(a, &perm), &perm), a);
        }
        assert_eq!(remap_answer("√", &[]), "√");
    }

    #[test]
    fn the_generator_is_the_assemblers_for_the_same_engine() {
        use rand::RngExt;
        let mut a = rng_with(crate::assemble::ENGINE, 9, &["copy", "x"]);
        let mut b = super::super::rng_for(9, &["copy", "x"]);
        assert_eq!(a.random::<u64>(), b.random::<u64>());
    }

    #[test]
    fn fixed_questions_keep_their_options_and_the_others_do_not_move() {
        let counts = [4, 4, 4, 4, 0];
        let drawn = copy_plan(3, &["S1", "bp", "1", "0"], &[4, 1], &counts);
        let mut kept = drawn.clone();
        keep_fixed(&mut kept, &[false, true, false, true, false]);
        assert_eq!(kept.order, drawn.order);
        for (k, &q) in kept.order.iter().enumerate() {
            if q == 1 || q == 3 {
                assert_eq!(kept.options[k], vec![0, 1, 2, 3]);
            } else {
                assert_eq!(kept.options[k], drawn.options[k]);
            }
        }
        let mut none = drawn.clone();
        keep_fixed(&mut none, &[false; 5]);
        assert_eq!(none, drawn);
    }

    #[test]
    fn plans_keep_sections_and_differ_by_label() {
        let a = copy_plan(7, &["S1", "bp", "1", "0"], &[3, 4], &[4, 4, 4, 0, 0, 0, 0]);
        let b = copy_plan(7, &["S2", "bp", "1", "0"], &[3, 4], &[4, 4, 4, 0, 0, 0, 0]);
        assert_eq!(
            a,
            copy_plan(7, &["S1", "bp", "1", "0"], &[3, 4], &[4, 4, 4, 0, 0, 0, 0])
        );
        assert_ne!(a, b);
        let mut first: Vec<usize> = a.order[..3].to_vec();
        first.sort();
        assert_eq!(first, vec![0, 1, 2]);
        assert!(a.options[3..].iter().all(Vec::is_empty));
    }
}
