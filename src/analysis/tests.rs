//! Tests of the item-analysis module: small data sets computed by hand (arithmetic in the
//! comments), planted miskeys and dead distractors, Rasch recovery on simulated data, and
//! degenerate inputs.

use super::*;

const EPS: f64 = 1e-9;
const EPS_R: f64 = 1e-6;

fn close(a: f64, b: f64, eps: f64) -> bool {
    (a - b).abs() <= eps
}

#[track_caller]
fn assert_close(a: f64, b: f64, eps: f64) {
    assert!(close(a, b, eps), "{a} != {b} (±{eps})");
}

#[track_caller]
fn assert_some_close(a: Option<f64>, b: f64, eps: f64) {
    match a {
        Some(a) => assert_close(a, b, eps),
        None => panic!("None, expected {b}"),
    }
}

/// A choice item with `options` options and one keyed option, worth 1 point.
fn choice(id: &str, options: usize, key: usize) -> ItemSpec {
    ItemSpec {
        id: id.into(),
        version: 1,
        max: 1.0,
        options,
        key: vec![key],
    }
}

fn scored_item(id: &str, max: f64) -> ItemSpec {
    ItemSpec {
        id: id.into(),
        version: 1,
        max,
        options: 0,
        key: Vec::new(),
    }
}

/// `Chosen` with one option; `None` = `Chosen(empty)` (omitted).
fn ch(o: Option<usize>) -> Response {
    Response::Chosen(o.into_iter().collect())
}

fn item<'a>(r: &'a Report, id: &str) -> &'a ItemStats {
    r.items
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// Every number in the report is finite (the report is NaN-free).
#[track_caller]
fn assert_all_finite(r: &Report) {
    let ok = |x: f64| assert!(x.is_finite(), "non-finite {x}");
    let ok_opt = |x: Option<f64>| {
        if let Some(x) = x {
            assert!(x.is_finite(), "non-finite {x}");
        }
    };
    for f in &r.forms {
        ok(f.mean);
        ok(f.sd);
        ok(f.max_total);
        ok_opt(f.alpha);
        ok_opt(f.kr20);
        for &(a, b, _) in &f.distribution {
            ok(a);
            ok(b);
        }
        assert_eq!(f.distribution.len(), 10);
    }
    for it in &r.items {
        ok_opt(it.p);
        ok_opt(it.d);
        ok_opt(it.item_rest);
        ok_opt(it.rasch);
        ok_opt(it.rasch_se);
        ok(it.omitted);
        for o in &it.options {
            ok(o.share);
            ok(o.upper);
            ok(o.lower);
            ok(o.discrimination);
        }
        for fl in &it.flags {
            match *fl {
                Flag::TooHard { p } | Flag::TooEasy { p } => ok(p),
                Flag::LowDiscrimination { d } | Flag::NegativeDiscrimination { d } => ok(d),
                Flag::ProbableMiskey {
                    upper_share,
                    key_upper_share,
                    ..
                } => {
                    ok(upper_share);
                    ok(key_upper_share);
                }
                Flag::NonFunctioningDistractor { share, .. } => ok(share),
            }
        }
    }
}

/// Deterministic 64-bit LCG (Knuth's MMIX constants); `next` gives a uniform in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Ten candidates × four dichotomous 4-option items, everything by hand.
// ---------------------------------------------------------------------------------------------

/// Keys: I1 = A(0), I2 = B(1), I3 = C(2), I4 = D(3). Responses (letters; "-" = Chosen(empty),
/// "M" = Missing) and the 0/1 scores they give:
///
/// ```text
///        I1 I2 I3 I4     scores   total
///   c0   A  B  C  D      1 1 1 1    4
///   c1   A  B  C  A      1 1 1 0    3
///   c2   A  B  D  D      1 1 0 1    3
///   c3   A  A  C  B      1 0 1 0    2
///   c4   A  B  A  C      1 1 0 0    2
///   c5   B  B  C  A      0 1 1 0    2
///   c6   A  C  B  B      1 0 0 0    1
///   c7   B  A  C  C      0 0 1 0    1
///   c8   A  D  D  A      1 0 0 0    1
///   c9   -  M  D  B      0 0 0 0    0
/// ```
fn ten_by_four() -> FormData {
    use Response::Missing;
    let (a, b, c, d, omit) = (Some(0), Some(1), Some(2), Some(3), None);
    let rows = vec![
        vec![ch(a), ch(b), ch(c), ch(d)],
        vec![ch(a), ch(b), ch(c), ch(a)],
        vec![ch(a), ch(b), ch(d), ch(d)],
        vec![ch(a), ch(a), ch(c), ch(b)],
        vec![ch(a), ch(b), ch(a), ch(c)],
        vec![ch(b), ch(b), ch(c), ch(a)],
        vec![ch(a), ch(c), ch(b), ch(b)],
        vec![ch(b), ch(a), ch(c), ch(c)],
        vec![ch(a), ch(d), ch(d), ch(a)],
        vec![ch(omit), Missing, ch(d), ch(b)],
    ];
    FormData {
        form: "hand F01".into(),
        items: vec![
            choice("I1", 4, 0),
            choice("I2", 4, 1),
            choice("I3", 4, 2),
            choice("I4", 4, 3),
        ],
        responses: rows,
    }
}

#[test]
fn hand_computed_dichotomous_form() {
    let r = analyse(&[ten_by_four()], &Thresholds::default());
    assert_all_finite(&r);
    let f = &r.forms[0];
    assert_eq!((f.candidates, f.items), (10, 4));
    assert_close(f.max_total, 4.0, EPS);

    // Totals 4,3,3,2,2,2,1,1,1,0: Σ = 19, mean = 1.9.
    // Σ x² = 16+9+9+4+4+4+1+1+1+0 = 49; population variance = 49/10 − 1.9² = 4.9 − 3.61 = 1.29;
    // sd = √1.29 = 1.135781669160055.
    assert_close(f.mean, 1.9, EPS);
    assert_close(f.sd, 1.29f64.sqrt(), EPS);

    // p = correct / 10: I1 = 7 (all but c5, c7, c9), I2 = 5 (c0,c1,c2,c4,c5),
    // I3 = 5 (c0,c1,c3,c5,c7), I4 = 2 (c0, c2).
    let p = [0.7, 0.5, 0.5, 0.2];
    for (id, p) in ["I1", "I2", "I3", "I4"].iter().zip(p) {
        assert_some_close(item(&r, id).p, p, EPS);
        assert_eq!(item(&r, id).n, 10);
    }

    // KR-20: Σ p·q = 0.7·0.3 + 0.5·0.5 + 0.5·0.5 + 0.2·0.8 = 0.21 + 0.25 + 0.25 + 0.16 = 0.87.
    // KR-20 = 4/3 · (1 − 0.87/1.29) = 4/3 · 0.42/1.29 = 1.68/3.87 = 56/129 = 0.434108527…
    // Every item is worth 1 point, so the item variances are p·q and alpha is the same number.
    assert_some_close(f.kr20, 56.0 / 129.0, EPS);
    assert_some_close(f.alpha, 56.0 / 129.0, EPS);

    // Groups: 27 % of 10 = 2.7 → 3 candidates' worth. Ranked by score:
    // c0(4) | c1 c2 (3) | c3 c4 c5 (2) | c6 c7 c8 (1) | c9(0).
    // Upper = c0, c1, c2, whole. Lower = c9 whole, and the tied group c6, c7, c8 straddles the
    // cut with 2 places left: each of them is in it with weight 2/3 (whatever their order).
    // D = mean(upper) − weighted mean(lower), the lower weight being 1 + 3·2/3 = 3:
    //   I1: upper 1,1,1 = 1;    lower (2/3·(c6 1 + c7 0 + c8 1) + c9 0)/3 = 4/9 → D = 5/9
    //   I2: upper 1,1,1 = 1;    lower all 0 = 0                           → D = 1
    //   I3: upper 1,1,0 = 2/3;  lower (2/3·(c6 0 + c7 1 + c8 0) + 0)/3 = 2/9 → D = 4/9
    //   I4: upper 1,0,1 = 2/3;  lower all 0 = 0                           → D = 2/3
    let d = [5.0 / 9.0, 1.0, 4.0 / 9.0, 2.0 / 3.0];
    for (id, d) in ["I1", "I2", "I3", "I4"].iter().zip(d) {
        assert_some_close(item(&r, id).d, d, EPS);
    }

    // Item–rest r for I1: x = 1,1,1,1,1,0,1,0,1,0; rest = total − x = 3,2,2,1,1,2,0,1,0,0.
    // mean x = 0.7, mean rest = 12/10 = 1.2.
    // Σ x·rest = 3+2+2+1+1+0+0+0+0+0 = 9 → cov = 9/10 − 0.7·1.2 = 0.9 − 0.84 = 0.06.
    // var x = 0.7·0.3 = 0.21; Σ rest² = 9+4+4+1+1+4+0+1+0+0 = 24 → var rest = 2.4 − 1.44 = 0.96.
    // r = 0.06 / √(0.21·0.96) = 0.06 / √0.2016 = 0.06 / 0.448998886… = 0.133630620956…
    assert_some_close(item(&r, "I1").item_rest, 0.06 / 0.2016f64.sqrt(), EPS_R);
    // I3: x = 1,1,0,1,0,1,0,1,0,0; rest = 3,2,3,1,2,1,1,0,1,0 (mean 1.4).
    // Σ x·rest = 3+2+1+1+0 = 7 → cov = 0.7 − 0.5·1.4 = 0: r = 0 exactly.
    assert_some_close(item(&r, "I3").item_rest, 0.0, EPS_R);

    // Options of I1 (key A): A chosen by 7, B by c5 and c7, C and D by nobody; c9 omitted.
    let i1 = item(&r, "I1");
    assert_close(i1.omitted, 0.1, EPS);
    let shares: Vec<f64> = i1.options.iter().map(|o| o.share).collect();
    assert_eq!(shares, vec![0.7, 0.2, 0.0, 0.0]);
    let keyed: Vec<bool> = i1.options.iter().map(|o| o.keyed).collect();
    assert_eq!(keyed, vec![true, false, false, false]);
    // Upper c0,c1,c2 all chose A; lower (weights 2/3, 2/3, 2/3, 1): c6 A, c7 B, c8 A, c9
    // omitted: A (2/3 + 2/3)/3 = 4/9, B (2/3)/3 = 2/9.
    assert_close(i1.options[0].upper, 1.0, EPS);
    assert_close(i1.options[0].lower, 4.0 / 9.0, EPS);
    assert_close(i1.options[0].discrimination, 5.0 / 9.0, EPS);
    assert_close(i1.options[1].upper, 0.0, EPS);
    assert_close(i1.options[1].lower, 2.0 / 9.0, EPS);
    assert_close(i1.options[1].discrimination, -2.0 / 9.0, EPS);
    // I2 (key B): A c3,c7; C c6; D c8; c9 Missing (counts as omitted).
    let i2 = item(&r, "I2");
    assert_close(i2.omitted, 0.1, EPS);
    let shares: Vec<f64> = i2.options.iter().map(|o| o.share).collect();
    assert_eq!(shares, vec![0.2, 0.5, 0.1, 0.1]);

    // Flags: I1 has two dead distractors (C, D at 0 < 5 %); I2 and I3 none
    // (p = 0.5, D ≥ 1/3, every distractor ≥ 10 %); I4 p = 0.2 < 0.30 → too hard
    // (its distractors: A 30 %, B 30 %, C 20 %; upper group: D 2/3 vs A 1/3, no miskey).
    assert_eq!(
        i1.flags,
        vec![
            Flag::NonFunctioningDistractor {
                option: 2,
                share: 0.0
            },
            Flag::NonFunctioningDistractor {
                option: 3,
                share: 0.0
            },
        ]
    );
    assert!(i2.flags.is_empty(), "{:?}", i2.flags);
    assert!(item(&r, "I3").flags.is_empty());
    assert_eq!(item(&r, "I4").flags, vec![Flag::TooHard { p: 0.2 }]);

    // Histogram: bins of 0.4 over [0, 4]: 0 → bin 0; 1 → 2.5 → bin 2; 2 → bin 5; 3 → 7.5 →
    // bin 7; 4 (= max) → last bin.
    let counts: Vec<usize> = f.distribution.iter().map(|b| b.2).collect();
    assert_eq!(counts, vec![1, 0, 3, 0, 0, 3, 0, 2, 0, 1]);
    assert_close(f.distribution[2].0, 0.8, EPS);
    assert_close(f.distribution[2].1, 1.2, EPS);
    assert_eq!(f.distribution[9].1, 4.0);

    // 10 responses < 30: no Rasch.
    assert!(
        r.items
            .iter()
            .all(|i| i.rasch.is_none() && i.rasch_se.is_none())
    );
}

#[test]
fn ties_at_the_27_percent_cut_share_membership_so_candidate_order_does_not_matter() {
    // ten_by_four ties c6, c7, c8 at the lower cut; reversed, another of them would have been
    // left out under an input-order rule.
    let forward = analyse(&[ten_by_four()], &Thresholds::default());
    let mut reversed = ten_by_four();
    reversed.responses.reverse();
    let backward = analyse(&[reversed], &Thresholds::default());
    for (a, b) in forward.items.iter().zip(&backward.items) {
        assert_eq!(a.id, b.id);
        assert_close(a.d.unwrap(), b.d.unwrap(), 1e-12);
        for (x, y) in a.options.iter().zip(&b.options) {
            assert_close(x.upper, y.upper, 1e-12);
            assert_close(x.lower, y.lower, 1e-12);
        }
        assert_eq!(a.flags, b.flags);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. A polytomous (examiner-scored) item among dichotomous ones.
// ---------------------------------------------------------------------------------------------

#[test]
fn hand_computed_polytomous_alpha() {
    // A: 单选, key A (0); B: 判断, key √ (0); S: scored 0..=4.
    //        A  B  S   total
    //   c0   1  1  4     6
    //   c1   1  0  3     4
    //   c2   0  1  2     3
    //   c3   1  1  1     3
    //   c4   0  0  0     0
    let rows = vec![
        vec![ch(Some(0)), ch(Some(0)), Response::Score(4.0)],
        vec![ch(Some(0)), ch(Some(1)), Response::Score(3.0)],
        vec![ch(Some(2)), ch(Some(0)), Response::Score(2.0)],
        vec![ch(Some(0)), ch(Some(0)), Response::Score(1.0)],
        vec![ch(Some(1)), ch(Some(1)), Response::Score(0.0)],
    ];
    let form = FormData {
        form: "poly".into(),
        items: vec![choice("A", 4, 0), choice("B", 2, 0), scored_item("S", 4.0)],
        responses: rows,
    };
    let r = analyse(&[form], &Thresholds::default());
    assert_all_finite(&r);
    let f = &r.forms[0];

    // p: A = 3/5 = 0.6, B = 3/5 = 0.6, S = mean/max = (10/5)/4 = 2/4 = 0.5.
    assert_some_close(item(&r, "A").p, 0.6, EPS);
    assert_some_close(item(&r, "B").p, 0.6, EPS);
    assert_some_close(item(&r, "S").p, 0.5, EPS);
    assert!(item(&r, "S").options.is_empty());

    // Totals 6,4,3,3,0: mean 16/5 = 3.2; Σx² = 36+16+9+9+0 = 70 → var = 14 − 10.24 = 3.76.
    assert_close(f.max_total, 6.0, EPS);
    assert_close(f.mean, 3.2, EPS);
    assert_close(f.sd, 3.76f64.sqrt(), EPS);
    // Item variances: A = B = 0.6·0.4 = 0.24; S: deviations 2,1,0,−1,−2 → (4+1+0+1+4)/5 = 2.
    // alpha = 3/2 · (1 − (0.24+0.24+2)/3.76) = 1.5 · 1.28/3.76 = 1.92/3.76 = 24/47 = 0.5106…
    assert_some_close(f.alpha, 24.0 / 47.0, EPS);
    // S scored 1, 2, 3: not dichotomous, so no KR-20.
    assert_eq!(f.kr20, None);

    // Item–rest of S: rest = 2,1,1,2,0 (mean 1.2); S deviations 2,1,0,−1,−2,
    // rest deviations 0.8,−0.2,−0.2,0.8,−1.2: Σ products = 1.6−0.2+0−0.8+2.4 = 3.0 → cov 0.6;
    // var rest = (0.64+0.04+0.04+0.64+1.44)/5 = 0.56; r = 0.6/√(2·0.56) = 0.6/√1.12 = 0.56694…
    assert_some_close(item(&r, "S").item_rest, 0.6 / 1.12f64.sqrt(), EPS_R);

    // Groups: round(0.27·5) = round(1.35) = 1: upper c0 (6), lower c4 (0).
    // D(S) = (4 − 0)/4 = 1; D(B) = 1 − 0 = 1.
    assert_some_close(item(&r, "S").d, 1.0, EPS);
    assert_some_close(item(&r, "B").d, 1.0, EPS);

    // Histogram over [0, 6], bins of 0.6: 6 → last; 4 → 6.67 → bin 6; 3 → 5.0 → bin 5 (twice);
    // 0 → bin 0.
    let counts: Vec<usize> = f.distribution.iter().map(|b| b.2).collect();
    assert_eq!(counts, vec![1, 0, 0, 0, 0, 2, 1, 0, 0, 1]);

    // The same form with S marked only 0 or 4 is dichotomous again: KR-20 is defined, on the
    // number correct. Scores S = 4,4,0,0,0 → number correct = 3,2,1,2,0 (mean 1.6,
    // var = (9+4+1+4+0)/5 − 2.56 = 3.6 − 2.56 = 1.04); p = 0.6, 0.6, 0.4 → Σpq = 0.72.
    // KR-20 = 3/2 · (1 − 0.72/1.04) = 1.5 · 0.32/1.04 = 0.48/1.04 = 6/13.
    // Alpha works on points (S worth 4): totals 6,5,1,2,0 (mean 2.8, var = 66/5 − 7.84 = 5.36),
    // item vars 0.24, 0.24, 16·0.24 = 3.84 → alpha = 1.5 · (1 − 4.32/5.36) = 1.5·1.04/5.36.
    let mut form = r_form_with_s(&[4.0, 4.0, 0.0, 0.0, 0.0]);
    form.form = "poly-01".into();
    let r2 = analyse(&[form], &Thresholds::default());
    assert_some_close(r2.forms[0].kr20, 6.0 / 13.0, EPS);
    assert_some_close(r2.forms[0].alpha, 1.5 * 1.04 / 5.36, EPS);
}

/// The polytomous test's form with S replaced by the given scores.
fn r_form_with_s(s: &[f64]) -> FormData {
    let ab = [(0, 0), (0, 1), (2, 0), (0, 0), (1, 1)];
    FormData {
        form: "poly".into(),
        items: vec![choice("A", 4, 0), choice("B", 2, 0), scored_item("S", 4.0)],
        responses: ab
            .iter()
            .zip(s)
            .map(|(&(a, b), &s)| vec![ch(Some(a)), ch(Some(b)), Response::Score(s)])
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// 3. A planted miskey.
// ---------------------------------------------------------------------------------------------

#[test]
fn planted_miskey_is_flagged() {
    // N1..N3 key A and answered by ability; M is keyed A but the right answer is C:
    //   c0..c3 (strong): N1 N2 N3 right, M = C (scored wrong)       → total 3
    //   c4, c5 (medium): N1 right, N2 = B, N3 = C, M = A (key)      → total 2
    //   c6..c9 (weak):   N1 = B, N2 = C, N3 = D, M = A (key)        → total 1
    let strong = vec![ch(Some(0)), ch(Some(0)), ch(Some(0)), ch(Some(2))];
    let medium = vec![ch(Some(0)), ch(Some(1)), ch(Some(2)), ch(Some(0))];
    let weak = vec![ch(Some(1)), ch(Some(2)), ch(Some(3)), ch(Some(0))];
    let mut rows = vec![strong; 4];
    rows.extend(vec![medium; 2]);
    rows.extend(vec![weak; 4]);
    let form = FormData {
        form: "miskey".into(),
        items: vec![
            choice("N1", 4, 0),
            choice("N2", 4, 0),
            choice("N3", 4, 0),
            choice("M", 4, 0),
        ],
        responses: rows,
    };
    let r = analyse(&[form], &Thresholds::default());
    assert_all_finite(&r);
    let m = item(&r, "M");
    // p(M) = 6/10 (c4..c9 chose the key). Groups of 3: upper c0,c1,c2 (all chose C, score 0),
    // lower c7,c8,c9 (all chose A, score 1): D = 0 − 1 = −1.
    assert_some_close(m.p, 0.6, EPS);
    assert_some_close(m.d, -1.0, EPS);
    assert_close(m.options[2].upper, 1.0, EPS);
    assert_close(m.options[0].upper, 0.0, EPS);
    // Flags: negative D; the upper group prefers C (1.0) over the key A (0.0); B and D are
    // chosen by nobody (0 < 5 %).
    assert_eq!(
        m.flags,
        vec![
            Flag::NegativeDiscrimination { d: -1.0 },
            Flag::ProbableMiskey {
                distractor: 2,
                upper_share: 1.0,
                key_upper_share: 0.0
            },
            Flag::NonFunctioningDistractor {
                option: 1,
                share: 0.0
            },
            Flag::NonFunctioningDistractor {
                option: 3,
                share: 0.0
            },
        ]
    );
    // Item–rest of M is negative: the strong candidates miss it.
    assert!(m.item_rest.is_some_and(|r| r < 0.0));
    // The well-keyed items carry no miskey flag.
    for id in ["N1", "N2", "N3"] {
        assert!(
            !item(&r, id)
                .flags
                .iter()
                .any(|f| matches!(f, Flag::ProbableMiskey { .. }))
        );
    }
}

#[test]
fn negative_discrimination_names_the_top_distractor_even_below_the_key() {
    // Key A. Upper group: 2 choose A (key), 1 chooses C; lower group all choose A, so
    // D = 2/3 − 1 = −1/3 < 0 and the miskey flag names C though the key is more popular.
    // Scores on a second item X (key A) drive the ranking.
    //        X  Q      total
    //   c0   A  A        2
    //   c1   A  A        2
    //   c2   A  C        1
    //   c3   B  A        1
    //   c4   B  A        1
    //   c5   B  A        1
    let rows = vec![
        vec![ch(Some(0)), ch(Some(0))],
        vec![ch(Some(0)), ch(Some(0))],
        vec![ch(Some(0)), ch(Some(2))],
        vec![ch(Some(1)), ch(Some(0))],
        vec![ch(Some(1)), ch(Some(0))],
        vec![ch(Some(1)), ch(Some(0))],
    ];
    let form = FormData {
        form: "neg".into(),
        items: vec![choice("X", 2, 0), choice("Q", 3, 0)],
        responses: rows,
    };
    let r = analyse(&[form], &Thresholds::default());
    // round(0.27·6) = round(1.62) = 2: upper c0, c1 (2 each); the four 1s (c2..c5) share the
    // two lower places, weight 1/2 each, whatever their order.
    // Q: upper 1, 1 → 1; lower (0 + 1 + 1 + 1)·1/2 / 2 = 3/4: D = 1/4. Not negative: no miskey.
    let q = item(&r, "Q");
    assert_some_close(q.d, 0.25, EPS);
    assert!(
        !q.flags.iter().any(|f| matches!(
            f,
            Flag::LowDiscrimination { .. } | Flag::NegativeDiscrimination { .. }
        )),
        "{:?}",
        q.flags
    );
    assert!(
        !q.flags
            .iter()
            .any(|f| matches!(f, Flag::ProbableMiskey { .. }))
    );

    // Now a third item Y lifts c2 into the upper group:
    //        X  Q  Y   total
    //   c0   A  A  A     3
    //   c1   B  A  B     1
    //   c2   A  C  A     2
    //   c3   B  A  B     1
    //   c4   B  A  B     1
    //   c5   B  A  B     1
    // Ranking c0 (3), c2 (2), then c1, c3, c4, c5 (1): upper c0, c2; the 1s share the lower
    // places (weight 1/2 each). Q: upper (1 + 0)/2 = 1/2, lower 1 → D = −1/2.
    let (a, b, c) = (ch(Some(0)), ch(Some(1)), ch(Some(2)));
    let rows = vec![
        vec![a.clone(), a.clone(), a.clone()],
        vec![b.clone(), a.clone(), b.clone()],
        vec![a.clone(), c.clone(), a.clone()],
        vec![b.clone(), a.clone(), b.clone()],
        vec![b.clone(), a.clone(), b.clone()],
        vec![b.clone(), a.clone(), b.clone()],
    ];
    let form = FormData {
        form: "neg2".into(),
        items: vec![choice("X", 2, 0), choice("Q", 3, 0), choice("Y", 2, 0)],
        responses: rows,
    };
    let r = analyse(&[form], &Thresholds::default());
    let q = item(&r, "Q");
    assert_some_close(q.d, -0.5, EPS);
    assert!(q.flags.contains(&Flag::NegativeDiscrimination { d: -0.5 }));
    // Upper group: A (key) 1/2, C 1/2, B 0. C does not beat the key, but D < 0, so the
    // most attractive distractor C is named.
    assert!(q.flags.contains(&Flag::ProbableMiskey {
        distractor: 2,
        upper_share: 0.5,
        key_upper_share: 0.5
    }));
}

// ---------------------------------------------------------------------------------------------
// 4. A planted non-functioning distractor.
// ---------------------------------------------------------------------------------------------

#[test]
fn planted_dead_distractor_is_flagged() {
    // 20 candidates, item X with 5 options, key A: A 10, B 5, C 4, D 0, E 1.
    // Judge item J (key √): right exactly for those who chose A, so both items have D = 1.
    // Shares: A 0.5, B 0.25, C 0.2, D 0.0, E 1/20 = 0.05 (not < 0.05, so E functions).
    let mut rows = Vec::new();
    for (opt, count) in [(0, 10), (1, 5), (2, 4), (4, 1)] {
        for _ in 0..count {
            let j = if opt == 0 { 0 } else { 1 };
            rows.push(vec![ch(Some(opt)), ch(Some(j))]);
        }
    }
    let form = FormData {
        form: "nfd".into(),
        items: vec![choice("X", 5, 0), choice("J", 2, 0)],
        responses: rows,
    };
    let r = analyse(&[form], &Thresholds::default());
    assert_all_finite(&r);
    let x = item(&r, "X");
    let shares: Vec<f64> = x.options.iter().map(|o| o.share).collect();
    assert_eq!(shares, vec![0.5, 0.25, 0.2, 0.0, 0.05]);
    // p = 0.5; groups of round(5.4) = 5: upper = 5 of the A choosers, lower = last 5
    // (the 4 C choosers and the E chooser): D = 1 − 0 = 1.
    assert_some_close(x.p, 0.5, EPS);
    assert_some_close(x.d, 1.0, EPS);
    assert_eq!(
        x.flags,
        vec![Flag::NonFunctioningDistractor {
            option: 3,
            share: 0.0
        }]
    );
    assert!(item(&r, "J").flags.is_empty());
}

// ---------------------------------------------------------------------------------------------
// 5. Rasch recovery on simulated data.
// ---------------------------------------------------------------------------------------------

/// `persons` simulated candidates on one form of judge items with the given difficulties;
/// abilities are standard normal (Box–Muller on the LCG).
fn simulate(difficulties: &[f64], persons: usize, seed: u64) -> FormData {
    let mut rng = Lcg(seed);
    let items: Vec<ItemSpec> = (0..difficulties.len())
        .map(|i| choice(&format!("R{i:02}"), 2, 0))
        .collect();
    let responses = (0..persons)
        .map(|_| {
            let u1 = rng.next().max(1e-12);
            let u2 = rng.next();
            let theta = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            difficulties
                .iter()
                .map(|&b| {
                    let p = 1.0 / (1.0 + (b - theta).exp());
                    ch(Some(if rng.next() < p { 0 } else { 1 }))
                })
                .collect()
        })
        .collect();
    FormData {
        form: "sim".into(),
        items,
        responses,
    }
}

/// Difficulties −1, 0, 1, 2, each carried by three items (12 items in all).
fn twelve_items() -> Vec<f64> {
    (0..12).map(|i| [-1.0, 0.0, 1.0, 2.0][i % 4]).collect()
}

#[test]
fn rasch_recovers_known_difficulties() {
    // 2000 simulated persons (standard normal abilities) on 12 judge items whose difficulties
    // are −1, 0, 1, 2 (three items each). Estimates are centred at 0, so compare with the
    // centred truth (mean 0.5): −1.5, −0.5, 0.5, 1.5.
    // Precision: an item's SE here is 0.06–0.08, so each single estimate is checked within
    // 0.20 (≈ 2.5–3 SE) and the mean of the three items of each difficulty within 0.15
    // (SE ≈ 0.04). Over 40 seeds (0..40) the worst errors were 0.154 and 0.102.
    let truth = twelve_items();
    let form = simulate(&truth, 2000, 20240611);
    let r = analyse(std::slice::from_ref(&form), &Thresholds::default());
    assert_all_finite(&r);
    let mut sum = 0.0;
    let mut err = Vec::new();
    for (i, b) in truth.iter().enumerate() {
        let st = item(&r, &format!("R{i:02}"));
        let est = st.rasch.expect("estimable");
        sum += est;
        err.push(est - (b - 0.5));
        assert!(
            (est - (b - 0.5)).abs() < 0.20,
            "item {i}: estimate {est}, truth {}",
            b - 0.5
        );
        // SE: the information Σ P(1−P) over ~1900 non-extreme persons is at most 0.25 each.
        let se = st.rasch_se.expect("se");
        assert!(se > 1.0 / (0.25f64 * 2000.0).sqrt() && se < 0.15, "se {se}");
    }
    for level in 0..4 {
        let mean_err = (err[level] + err[level + 4] + err[level + 8]) / 3.0;
        assert!(
            mean_err.abs() < 0.15,
            "difficulty level {level}: {mean_err}"
        );
    }
    assert!(sum.abs() < 1e-9, "centred: {sum}");

    // Below the minimum (2000 responses < 2001): no estimate.
    let t = Thresholds {
        rasch_min_responses: 2001,
        ..Thresholds::default()
    };
    let r = analyse(&[form], &t);
    assert!(
        r.items
            .iter()
            .all(|i| i.rasch.is_none() && i.rasch_se.is_none())
    );
    // At the minimum exactly: estimated.
    let t = Thresholds {
        rasch_min_responses: 2000,
        ..Thresholds::default()
    };
    let r = analyse(&[simulate(&truth, 2000, 20240611)], &t);
    assert!(r.items.iter().all(|i| i.rasch.is_some()));
}

#[test]
fn rasch_on_four_items_keeps_the_short_test_bias_of_jmle() {
    // The same design with only the four items −1, 0, 1, 2. JMLE with the (L−1)/L correction is
    // known to be rough for very short tests; on this seed the estimates are
    // −1.673, −0.510, 0.564, 1.620 (centred truth −1.5, −0.5, 0.5, 1.5). An independent
    // brute-force JMLE (per person, Python) gave the same numbers; conditional ML on the same
    // responses gives −1.547, −0.510, 0.528, 1.530, so the excess spread is the method's.
    let truth = [-1.0, 0.0, 1.0, 2.0];
    let r = analyse(&[simulate(&truth, 2000, 20240611)], &Thresholds::default());
    let est: Vec<f64> = r
        .items
        .iter()
        .map(|i| i.rasch.expect("estimable"))
        .collect();
    let expect = [-1.673, -0.510, 0.564, 1.620];
    for (e, x) in est.iter().zip(expect) {
        // 0.002: the iteration stops at changes below 0.001 logits.
        assert_close(*e, x, 0.002);
    }
    // Right order and within 0.2 of the truth all the same.
    assert!(est.windows(2).all(|w| w[0] < w[1]));
    for (e, b) in est.iter().zip(truth) {
        assert!((e - (b - 0.5)).abs() < 0.2);
    }
}

#[test]
fn rasch_pools_forms_and_skips_items_it_cannot_estimate() {
    // Two forms share items R00..R11 (same ids); form 2 adds R12 answered right by everybody
    // (p = 1 → no estimate) and a scored item (not dichotomous → no estimate).
    let truth = twelve_items();
    let f1 = simulate(&truth, 1000, 1);
    let mut f2 = simulate(&truth, 1000, 2);
    f2.form = "sim2".into();
    f2.items.push(choice("R12", 2, 0));
    f2.items.push(scored_item("S", 2.0));
    for row in &mut f2.responses {
        row.push(ch(Some(0)));
        row.push(Response::Score(1.0));
    }
    let r = analyse(&[f1, f2], &Thresholds::default());
    assert_all_finite(&r);
    assert_eq!(item(&r, "R00").n, 2000);
    assert_eq!(item(&r, "R12").n, 1000);
    assert_eq!(item(&r, "R12").rasch, None);
    assert_eq!(item(&r, "S").rasch, None);
    for (i, b) in truth.iter().enumerate() {
        let est = item(&r, &format!("R{i:02}")).rasch.expect("estimable");
        assert!((est - (b - 0.5)).abs() < 0.20, "item {i}: {est}");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Degenerate inputs.
// ---------------------------------------------------------------------------------------------

#[test]
fn no_forms_and_no_candidates() {
    let r = analyse(&[], &Thresholds::default());
    assert!(r.forms.is_empty() && r.items.is_empty());

    let empty = FormData {
        form: "empty".into(),
        items: vec![choice("A", 4, 0), scored_item("S", 5.0)],
        responses: Vec::new(),
    };
    let r = analyse(&[empty], &Thresholds::default());
    assert_all_finite(&r);
    let f = &r.forms[0];
    assert_eq!((f.candidates, f.mean, f.sd), (0, 0.0, 0.0));
    assert_eq!((f.alpha, f.kr20), (None, None));
    assert_eq!(f.distribution.iter().map(|b| b.2).sum::<usize>(), 0);
    for it in &r.items {
        assert_eq!((it.n, it.p, it.d, it.item_rest), (0, None, None, None));
        assert_eq!(it.rasch, None);
        assert!(it.flags.is_empty(), "{:?}", it.flags);
        assert_eq!(it.omitted, 0.0);
    }
    assert_eq!(item(&r, "A").options.len(), 4);
}

#[test]
fn one_candidate() {
    let form = FormData {
        form: "one".into(),
        items: vec![choice("A", 4, 0), choice("B", 4, 1)],
        responses: vec![vec![ch(Some(0)), ch(Some(2))]],
    };
    let r = analyse(&[form], &Thresholds::default());
    assert_all_finite(&r);
    let f = &r.forms[0];
    assert_eq!((f.mean, f.sd), (1.0, 0.0));
    // Zero variance: no reliability.
    assert_eq!((f.alpha, f.kr20), (None, None));
    // p is defined from a single response; D and r are not.
    assert_some_close(item(&r, "A").p, 1.0, EPS);
    assert_some_close(item(&r, "B").p, 0.0, EPS);
    for it in &r.items {
        assert_eq!((it.d, it.item_rest, it.rasch), (None, None, None));
    }
}

#[test]
fn everybody_right() {
    let rows = vec![vec![ch(Some(0)), ch(Some(1)), Response::Score(3.0)]; 40];
    let form = FormData {
        form: "all".into(),
        items: vec![choice("A", 4, 0), choice("B", 2, 1), scored_item("S", 3.0)],
        responses: rows,
    };
    let r = analyse(&[form], &Thresholds::default());
    assert_all_finite(&r);
    let f = &r.forms[0];
    assert_eq!((f.mean, f.sd), (5.0, 0.0));
    assert_eq!((f.alpha, f.kr20), (None, None));
    assert_eq!(f.distribution[9].2, 40);
    for it in &r.items {
        assert_some_close(it.p, 1.0, EPS);
        // D is defined (two groups of round(10.8) = 11) and is 0; r is not (constant score).
        assert_some_close(it.d, 0.0, EPS);
        assert_eq!(it.item_rest, None);
        assert_eq!(it.rasch, None);
        assert!(it.flags.contains(&Flag::TooEasy { p: 1.0 }));
    }
}

#[test]
fn malformed_input_does_not_panic() {
    let weird = ItemSpec {
        id: "W".into(),
        version: 2,
        max: f64::NAN,
        options: usize::MAX,
        key: vec![usize::MAX, 3, 3],
    };
    let neg = ItemSpec {
        id: "N".into(),
        version: 1,
        max: -1.0,
        options: 0,
        key: Vec::new(),
    };
    let big = ItemSpec {
        id: "B".into(),
        version: 1,
        max: 1e308,
        options: 0,
        key: Vec::new(),
    };
    let rows = vec![
        // Short row: the rest is Missing.
        vec![Response::Chosen(vec![3, 3, usize::MAX, 70])],
        // Long row: extras ignored.
        vec![
            Response::Score(f64::NAN),
            Response::Score(f64::INFINITY),
            Response::Score(1e308),
            Response::Missing,
        ],
        vec![
            Response::Score(-5.0),
            Response::Chosen(vec![]),
            Response::Score(1e308),
        ],
        Vec::new(),
    ];
    let form = FormData {
        form: "weird".into(),
        items: vec![weird, neg, big, choice("C", 0, 0)],
        responses: rows,
    };
    let t = Thresholds {
        p_min: f64::NAN,
        p_max: f64::NAN,
        d_min: f64::NAN,
        distractor_min_share: f64::NAN,
        rasch_min_responses: 0,
    };
    let r = analyse(&[form.clone(), form], &t);
    assert_all_finite(&r);
    let w = r.items.iter().find(|i| i.id == "W").expect("W");
    assert_eq!(w.n, 8);
    assert_eq!(w.options.len(), MAX_OPTIONS);
    assert_eq!(w.p, None);
    assert_eq!(item(&r, "N").p, None);
}

#[test]
fn multiple_response_scoring_and_shares() {
    // 多选 key {A, C} (given unsorted with a repeat). Exact set = right, order and repeats ignored.
    let spec = ItemSpec {
        id: "MR".into(),
        version: 1,
        max: 2.0,
        options: 4,
        key: vec![2, 0, 2],
    };
    let rows = vec![
        vec![Response::Chosen(vec![0, 2])],    // right
        vec![Response::Chosen(vec![2, 0, 0])], // right
        vec![Response::Chosen(vec![0])],       // subset: wrong
        vec![Response::Chosen(vec![0, 1, 2])], // superset: wrong
        vec![Response::Chosen(vec![])],        // omitted
    ];
    let form = FormData {
        form: "mr".into(),
        items: vec![spec],
        responses: rows,
    };
    let r = analyse(&[form], &Thresholds::default());
    let mr = item(&r, "MR");
    // p = (2 + 2 + 0 + 0 + 0) / 5 / 2 = 0.4.
    assert_some_close(mr.p, 0.4, EPS);
    assert_close(mr.omitted, 0.2, EPS);
    // Shares of sets including each option: A 4/5, B 1/5, C 3/5, D 0.
    let shares: Vec<f64> = mr.options.iter().map(|o| o.share).collect();
    assert_eq!(shares, vec![0.8, 0.2, 0.6, 0.0]);
    let keyed: Vec<bool> = mr.options.iter().map(|o| o.keyed).collect();
    assert_eq!(keyed, vec![true, false, true, false]);
    // Dichotomous (0 or 2 only): KR-20 undefined with one item, but the form is dichotomous.
    assert_eq!(r.forms[0].kr20, None);
}

// ---------------------------------------------------------------------------------------------
// Larger data: pooled forms and a consistency check against a direct computation.
// ---------------------------------------------------------------------------------------------

#[test]
fn pooled_item_matches_direct_computation_on_larger_data() {
    // Two forms of 30 items from one simulated pool; the first 20 items are shared.
    let truth: Vec<f64> = (0..40).map(|i| -2.0 + 4.0 * i as f64 / 39.0).collect();
    let all = simulate(&truth, 3000, 7);
    let take = |rows: &[Vec<Response>], cols: &[usize]| -> Vec<Vec<Response>> {
        rows.iter()
            .map(|r| cols.iter().map(|&c| r[c].clone()).collect())
            .collect()
    };
    let cols1: Vec<usize> = (0..30).collect();
    let cols2: Vec<usize> = (0..20).chain(30..40).collect();
    let f1 = FormData {
        form: "A".into(),
        items: cols1.iter().map(|&c| all.items[c].clone()).collect(),
        responses: take(&all.responses[..1500], &cols1),
    };
    let f2 = FormData {
        form: "B".into(),
        items: cols2.iter().map(|&c| all.items[c].clone()).collect(),
        responses: take(&all.responses[1500..], &cols2),
    };
    let r = analyse(&[f1.clone(), f2.clone()], &Thresholds::default());
    assert_all_finite(&r);
    assert_eq!(r.items.len(), 40);
    // Sorted by id.
    assert!(r.items.windows(2).all(|w| w[0].id < w[1].id));
    for (c, st) in r.items.iter().enumerate() {
        let in1 = c < 30;
        let in2 = !(20..30).contains(&c);
        let mut right = 0usize;
        let mut n = 0usize;
        if in1 {
            n += 1500;
            right += all.responses[..1500]
                .iter()
                .filter(|row| row[c] == ch(Some(0)))
                .count();
        }
        if in2 {
            n += 1500;
            right += all.responses[1500..]
                .iter()
                .filter(|row| row[c] == ch(Some(0)))
                .count();
        }
        assert_eq!(st.n, n);
        assert_some_close(st.p, right as f64 / n as f64, EPS);
        // Items get easier with ability: positive discrimination, estimable, near the truth
        // up to the common shift of centring (truth mean 0).
        assert!(st.d.is_some_and(|d| d > 0.0));
        assert!(st.item_rest.is_some_and(|r| r > 0.0));
        let est = st.rasch.expect("estimable");
        assert!(
            (est - truth[c]).abs() < 0.35,
            "item {c}: {est} vs {}",
            truth[c]
        );
    }
    // Deterministic: the same input gives the same report.
    assert_eq!(r, analyse(&[f1, f2], &Thresholds::default()));
}
