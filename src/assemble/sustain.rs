//! How many consecutive sittings a theory blueprint's pool can sustain under its cooldown: a
//! counting bound on index metadata, no search. Pure.
//!
//! With cooldown `c`, the items of a sitting are excluded from the next `c` sittings, so any
//! `c + 1` consecutive sittings use disjoint items. `k` sittings with disjoint items are possible
//! only if, for each section, the section's active items split `k` ways still fill one form
//! (`⌊N_t / k⌋ ≥ n_t`), and the shares together reach the fewest distinct items one sitting of
//! `F` forms needs: `F·n − C(F,2)·L` (each pair of forms shares at most `L` items, and an item on
//! two forms saves one slot for one unit of overlap, the cheapest saving). The largest such `k` is
//! the bound; at `k ≥ c + 1` the pool can rotate indefinitely as far as counting can tell. It is
//! an upper bound: weight-table rows, the difficulty mix and enemy groups can need more items.

use super::Candidate;
use crate::model::{Blueprint, BlueprintKind, Status};

/// The bound for one blueprint at one cooldown.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Sustain {
    pub blueprint: String,
    pub cooldown: u32,
    /// Consecutive sittings with disjoint items that counting allows (capped at `cooldown + 1`).
    pub disjoint: u32,
    /// None when `disjoint ≥ cooldown + 1` (the pool can rotate); else the number of consecutive
    /// sittings at most.
    pub sittings: Option<u32>,
    /// Which count binds first, in words, when `sittings` is Some.
    pub limit: Option<String>,
    /// Active items per section (section order) and what one form needs.
    pub pool: Vec<(String, u32, u32)>,
}

impl Sustain {
    /// "可持续轮换" or "至多 N 次" in the words the CLI prints.
    pub fn words(&self) -> String {
        match self.sittings {
            None => format!(
                "冷却期 {} 次下可连续轮换组卷（按计数，每 {} 次考试互不重复）",
                self.cooldown,
                self.cooldown + 1
            ),
            Some(n) => format!(
                "冷却期 {} 次下至多连续 {n} 次考试（{}）",
                self.cooldown,
                self.limit.as_deref().unwrap_or("")
            ),
        }
    }
}

/// The bound for `bp` (a theory blueprint) over `pool` (the occupation-level's candidates) at
/// `cooldown`; None for practical blueprints.
pub fn sustainable(bp: &Blueprint, pool: &[Candidate], cooldown: u32) -> Option<Sustain> {
    let BlueprintKind::Theory { sections, .. } = &bp.kind else {
        return None;
    };
    let forms = u64::from(bp.forms.max(1));
    let per_form: u64 = sections.iter().map(|s| u64::from(s.count)).sum();
    let limit = (bp.max_overlap * per_form as f64 + 1e-9).floor().max(0.0) as u64;
    let need = (forms * per_form).saturating_sub(forms * (forms - 1) / 2 * limit);
    let have: Vec<u64> = sections
        .iter()
        .map(|s| {
            pool.iter()
                .filter(|c| c.status == Status::Active && c.item_type == s.item_type)
                .count() as u64
        })
        .collect();
    let fits = |k: u64| -> Result<(), String> {
        let mut total = 0;
        for (s, &n) in sections.iter().zip(&have) {
            let share = n / k;
            if share < u64::from(s.count) {
                return Err(format!(
                    "{} 有 {n} 题，分成 {k} 份后每份不足一套的 {} 题",
                    s.item_type, s.count
                ));
            }
            total += share;
        }
        if total < need {
            return Err(format!(
                "分成 {k} 份后每份 {total} 题，少于一次 {forms} 套试卷至少需要的 {need} 道不同试题"
            ));
        }
        Ok(())
    };
    let cap = u64::from(cooldown) + 1;
    let mut disjoint = 0;
    let mut why = None;
    for k in 1..=cap {
        match fits(k) {
            Ok(()) => disjoint = k,
            Err(w) => {
                why = Some(w);
                break;
            }
        }
    }
    Some(Sustain {
        blueprint: bp.id.clone(),
        cooldown,
        disjoint: disjoint as u32,
        sittings: (disjoint < cap).then_some(disjoint as u32),
        limit: if disjoint < cap { why } else { None },
        pool: sections
            .iter()
            .zip(&have)
            .map(|(s, &n)| (s.item_type.to_string(), n as u32, s.count))
            .collect(),
    })
}
