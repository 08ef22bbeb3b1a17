//! How examiners' marks for one subjective answer resolve: single marking takes the first;
//! double marking the mean of two within the threshold, otherwise a third examiner's mark
//! averaged with the nearer of the first two, rounded down to half points. Pure.

/// Where a subjective answer's marking stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolution {
    /// Needs its first, second or third mark.
    Needs(u8),
    Final(f64),
}

/// The final mark from examiners' marks in order: single marking takes the first; double
/// marking the mean of two within `threshold`, otherwise the third mark averaged with the nearer
/// of the first two (rounded down to half points, as marks are given).
pub fn resolve(marks: &[(String, f64)], double: bool, threshold: f64) -> Resolution {
    let half = |x: f64| (x * 2.0).floor() / 2.0;
    match marks {
        [] => Resolution::Needs(1),
        [(_, a), ..] if !double => Resolution::Final(*a),
        [_] => Resolution::Needs(2),
        [(_, a), (_, b)] if (a - b).abs() <= threshold + 1e-9 => {
            Resolution::Final(half((a + b) / 2.0))
        }
        [_, _] => Resolution::Needs(3),
        [(_, a), (_, b), (_, c), ..] => {
            let near = if (a - c).abs() <= (b - c).abs() { a } else { b };
            Resolution::Final(half((near + c) / 2.0))
        }
    }
}

/// One subjective question on the marking overview.
#[derive(Clone, Debug)]
pub struct MarkRow {
    pub q: u32,
    pub item_type: String,
    pub points: f64,
    /// Answers written (blank ones need no marking).
    pub answers: usize,
    /// Answers whose mark is final.
    pub done: usize,
    /// Answers waiting for a mark this examiner may give.
    pub for_me: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: &[f64]) -> Vec<(String, f64)> {
        v.iter()
            .enumerate()
            .map(|(i, s)| (format!("e{i}"), *s))
            .collect()
    }

    #[test]
    fn double_marking_calls_a_third_examiner_only_beyond_the_threshold() {
        assert_eq!(resolve(&m(&[]), true, 2.0), Resolution::Needs(1));
        assert_eq!(resolve(&m(&[4.0]), false, 2.0), Resolution::Final(4.0));
        assert_eq!(resolve(&m(&[4.0]), true, 2.0), Resolution::Needs(2));
        assert_eq!(resolve(&m(&[4.0, 5.0]), true, 2.0), Resolution::Final(4.5));
        assert_eq!(resolve(&m(&[4.0, 4.5]), true, 2.0), Resolution::Final(4.0));
        assert_eq!(resolve(&m(&[1.0, 5.0]), true, 2.0), Resolution::Needs(3));
        // the third sides with the nearer mark
        assert_eq!(
            resolve(&m(&[1.0, 5.0, 4.0]), true, 2.0),
            Resolution::Final(4.5)
        );
        assert_eq!(
            resolve(&m(&[1.0, 5.0, 2.0]), true, 2.0),
            Resolution::Final(1.5)
        );
    }
}
