//! The bank screens itself: near-duplicate pairs inside one occupation-level (the measure that
//! screens submissions, `crate::screen`), warnings on option orders a copy must not shuffle, and
//! the enemy groups the assembler gets so that no paper holds both items of a near-duplicate pair.

use crate::assemble::Candidate;
use crate::bankfile::{Diagnostic, Located};
use crate::model::{Entry, Grade, OccupationCode, TheoryItem};
use crate::screen::{self, Text};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The score at which two items of one occupation-level count as near-duplicates: the
/// submissions' default threshold, so the bank is held to what new items are held to.
pub const THRESHOLD: f64 = screen::DEFAULT_THRESHOLD;

/// Two items of one occupation-level that the screen scores alike (`a` < `b` by id).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NearPair {
    pub occupation: OccupationCode,
    pub level: Grade,
    pub a: String,
    pub b: String,
    pub score: f64,
}

/// Every near-duplicate pair among `items`, per occupation-level, leaving out pairs either item
/// marks `distinct`. Sorted by (occupation, level, a, b).
pub fn near_pairs(items: &[&TheoryItem]) -> Vec<NearPair> {
    let mut cells: BTreeMap<(&OccupationCode, Grade), Vec<&TheoryItem>> = BTreeMap::new();
    for i in items {
        cells.entry((&i.occupation, i.level)).or_default().push(i);
    }
    let mut out = Vec::new();
    for ((occ, level), mut its) in cells {
        its.sort_by(|x, y| x.id.cmp(&y.id));
        let texts: Vec<Text> = its
            .iter()
            .map(|i| Text {
                id: i.id.clone(),
                stem: i.stem.clone(),
                options: i.options.clone(),
            })
            .collect();
        let by_id: HashMap<&str, &TheoryItem> = its.iter().map(|i| (i.id.as_str(), *i)).collect();
        let marked = |x: &str, y: &str| {
            by_id
                .get(x)
                .is_some_and(|i| i.distinct.iter().any(|d| d == y))
        };
        for m in screen::pairs(&texts, THRESHOLD) {
            let (a, b) = if m.similar_to < m.id {
                (m.similar_to, m.id)
            } else {
                (m.id, m.similar_to)
            };
            if marked(&a, &b) || marked(&b, &a) {
                continue;
            }
            out.push(NearPair {
                occupation: occ.clone(),
                level,
                a,
                b,
                score: m.score,
            });
        }
    }
    out.sort_by(|x, y| {
        (&x.occupation, x.level, &x.a, &x.b).cmp(&(&y.occupation, y.level, &y.a, &y.b))
    });
    out
}

/// Warnings for the items of `files` (named by file and line): near-duplicate pairs among them
/// and the `stored` items of the same occupation-levels that the files do not replace, and
/// option orders a copy would shuffle although they must stay (numeric options, "以上都对").
/// Messages name ids and scores only, never content.
pub fn warnings(files: &[Located<Entry>], stored: &[TheoryItem]) -> Vec<Diagnostic> {
    let mut at: HashMap<&str, (&str, usize)> = HashMap::new();
    let mut items: Vec<&TheoryItem> = Vec::new();
    let mut out = Vec::new();
    for e in files {
        if let Entry::Item(i) = &e.value {
            at.insert(i.id.as_str(), (e.file.as_str(), e.line));
            items.push(i);
            if let Some(why) = order_warning(i) {
                out.push(Diagnostic {
                    file: e.file.clone(),
                    line: e.line,
                    message: format!("warning: {}: {why}", i.id),
                });
            }
        }
    }
    let cells: BTreeSet<(&OccupationCode, Grade)> =
        items.iter().map(|i| (&i.occupation, i.level)).collect();
    items.extend(
        stored.iter().filter(|s| {
            !at.contains_key(s.id.as_str()) && cells.contains(&(&s.occupation, s.level))
        }),
    );
    for p in near_pairs(&items) {
        // name the pair at the later of its items the files hold
        let (id, other, (file, line)) = match (at.get(p.b.as_str()), at.get(p.a.as_str())) {
            (Some(&place), _) => (&p.b, &p.a, place),
            (None, Some(&place)) => (&p.a, &p.b, place),
            (None, None) => continue,
        };
        out.push(Diagnostic {
            file: file.to_string(),
            line,
            message: format!(
                "warning: {id}: near-duplicate of {other} (score {:.2}, {} {}): rewrite one of them, or mark the pair `distinct` if they are different questions; papers never hold both",
                p.score,
                p.occupation,
                p.level.grade_name()
            ),
        });
    }
    out.sort();
    out
}

/// Why the option order of `i` should be fixed and is not (or is fixed but not ascending).
fn order_warning(i: &TheoryItem) -> Option<String> {
    if i.options.is_empty() {
        return None;
    }
    if let Some(values) = numeric_options(&i.options) {
        let ascending = values.windows(2).all(|w| w[0] < w[1]);
        return match (i.fixed_order, ascending) {
            (false, _) => Some(
                "the options are numbers: list them in ascending order and set fixed_order = true so copies do not shuffle them".into(),
            ),
            (true, false) => Some(
                "fixed_order keeps these numeric options as written, and they are not in ascending order".into(),
            ),
            (true, true) => None,
        };
    }
    let summary = i.options.iter().any(|o| {
        let o = o.trim();
        o.starts_with("以上")
            || matches!(
                o,
                "都对" | "都不对" | "都正确" | "都不正确" | "均正确" | "均不正确"
            )
    });
    (summary && !i.fixed_order).then(|| {
        "an option refers to the others (以上…): set fixed_order = true and put it last so copies do not move it".into()
    })
}

/// The options' values when every option is a number with one and the same unit after it
/// (`12 V`, `0.5 s`, `20 m`, `3`), else None.
pub fn numeric_options(options: &[String]) -> Option<Vec<f64>> {
    let mut unit: Option<String> = None;
    let mut values = Vec::with_capacity(options.len());
    for o in options {
        let o = o.trim();
        let end = o
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map_or(o.len(), |(i, _)| i);
        let (num, rest) = o.split_at(end);
        let v: f64 = num.parse().ok().filter(|v: &f64| v.is_finite())?;
        let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        if rest.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        match &unit {
            None => unit = Some(rest),
            Some(u) if *u == rest => {}
            Some(_) => return None,
        }
        values.push(v);
    }
    Some(values)
}

/// Joins near-duplicate pairs into the candidates' enemy groups, so the assembler never puts
/// both items of a pair on one form. Items linked by a pair, or by sharing an enemy group, form
/// one group (the closure: a pair joins the whole groups of its two items). A group that gains no
/// near-duplicate keeps its name; one that does is named after its writer's group if it has
/// exactly one, else `近似:<smallest id>`.
pub fn join_enemies(cands: &mut [Candidate], pairs: &[NearPair]) {
    if pairs.is_empty() {
        return;
    }
    let pos: HashMap<&str, usize> = cands
        .iter()
        .enumerate()
        .map(|(k, c)| (c.id.as_str(), k))
        .collect();
    let mut parent: Vec<usize> = (0..cands.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let union = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (k, c) in cands.iter().enumerate() {
        if let Some(g) = c.enemy.as_deref() {
            match first_of.get(g) {
                Some(&f) => union(&mut parent, f, k),
                None => {
                    first_of.insert(g, k);
                }
            }
        }
    }
    let mut touched: BTreeSet<usize> = BTreeSet::new();
    for p in pairs {
        if let (Some(&a), Some(&b)) = (pos.get(p.a.as_str()), pos.get(p.b.as_str())) {
            union(&mut parent, a, b);
            touched.insert(a);
        }
    }
    let touched: BTreeSet<usize> = touched.into_iter().map(|k| find(&mut parent, k)).collect();
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for k in 0..cands.len() {
        let r = find(&mut parent, k);
        if touched.contains(&r) {
            members.entry(r).or_default().push(k);
        }
    }
    for ks in members.values() {
        let groups: BTreeSet<&str> = ks
            .iter()
            .filter_map(|&k| cands[k].enemy.as_deref())
            .collect();
        let name = match groups.iter().next() {
            Some(g) if groups.len() == 1 => g.to_string(),
            _ => {
                let smallest = ks.iter().map(|&k| cands[k].id.as_str()).min().unwrap_or("");
                format!("近似:{smallest}")
            }
        };
        for &k in ks {
            cands[k].enemy = Some(name.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_options_need_one_unit() {
        let v =
            |xs: &[&str]| numeric_options(&xs.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(
            v(&["12 V", "24 V", "36 V", "42 V"]),
            Some(vec![12.0, 24.0, 36.0, 42.0])
        );
        assert_eq!(v(&["0.5 s", "1 s"]), Some(vec![0.5, 1.0]));
        assert_eq!(v(&["2 m", "5 cm"]), None);
        assert_eq!(v(&["E–P 20 m，E–C 40 m", "E–P 5 m"]), None);
        assert_eq!(v(&["自锁", "互锁"]), None);
        assert_eq!(v(&["1.5 mm²", "2.5 mm²"]), Some(vec![1.5, 2.5]));
    }
}
