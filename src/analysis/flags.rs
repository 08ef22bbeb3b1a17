//! Review flags: turns one item's classical statistics and the thresholds into [`Flag`]s.

use super::{Flag, ItemStats, Thresholds};

/// The flags of one item, in a fixed order: p, D, probable miskey, then non-functioning
/// distractors by option index.
pub(crate) fn flags(st: &ItemStats, t: &Thresholds) -> Vec<Flag> {
    let mut out = Vec::new();
    if let Some(p) = st.p {
        if p < t.p_min {
            out.push(Flag::TooHard { p });
        } else if p > t.p_max {
            out.push(Flag::TooEasy { p });
        }
    }
    if let Some(d) = st.d {
        if d < 0.0 {
            out.push(Flag::NegativeDiscrimination { d });
        } else if d < t.d_min {
            out.push(Flag::LowDiscrimination { d });
        }
    }
    if st.n == 0 {
        return out;
    }

    let keyed: Vec<_> = st.options.iter().filter(|o| o.keyed).collect();
    let distractors: Vec<_> = st.options.iter().filter(|o| !o.keyed).collect();

    // Probable miskey: needs upper groups (D defined), a key and a distractor.
    if let (Some(d), false) = (st.d, keyed.is_empty()) {
        // The most attractive distractor in the upper group (lowest index on ties).
        let best = distractors
            .iter()
            .copied()
            .fold(None::<&super::OptionStats>, |best, o| match best {
                Some(b) if b.upper >= o.upper => Some(b),
                _ => Some(o),
            });
        // For 多选 the key is as attractive as its least chosen keyed option.
        let key_upper = keyed.iter().map(|o| o.upper).fold(f64::INFINITY, f64::min);
        if let Some(best) = best {
            let prefers = best.upper > key_upper;
            let negative = d < 0.0 && best.upper > 0.0;
            if prefers || negative {
                out.push(Flag::ProbableMiskey {
                    distractor: best.option,
                    upper_share: best.upper,
                    key_upper_share: key_upper,
                });
            }
        }
    }

    // Non-functioning distractors (only on choice items with a key).
    if !keyed.is_empty() {
        for o in distractors {
            if o.share < t.distractor_min_share {
                out.push(Flag::NonFunctioningDistractor {
                    option: o.option,
                    share: o.share,
                });
            }
        }
    }
    out
}
