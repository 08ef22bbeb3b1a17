//! Seeded synthetic banks for scale tests and benchmarks: many occupations with the clause
//! structure of a real standard and items of every objective type. Deterministic for a given
//! config (ChaCha8 from the seed); nothing here is realistic content, and none of it is committed.

use crate::model::{
    Answer, Content, Difficulty, Entry, Function, Grade, Importance, ItemType, Level, Occupation,
    OccupationCode, Point, PracticalTask, RubricLine, SiteEntry, Source, Standard, StandardKind,
    Status, TheoryItem, WeightRow, WeightTable,
};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Clone, Debug)]
pub struct SynthConfig {
    /// Theory items in total, spread evenly over occupations and levels.
    pub items: usize,
    /// Number of occupations (each with all five levels).
    pub occupations: usize,
    /// Practical tasks per occupation-level.
    pub tasks_per_level: usize,
    pub seed: u64,
}

impl SynthConfig {
    /// A config with a sensible number of occupations for the size (≈ 500 items per level).
    pub fn sized(items: usize, seed: u64) -> SynthConfig {
        SynthConfig {
            items,
            occupations: (items / 2500).clamp(1, 400),
            tasks_per_level: 6,
            seed,
        }
    }
}

const FUNCTIONS: usize = 4;
const CONTENTS: usize = 2;
const POINTS: usize = 3;
const HAN: &str = "电压电流电阻功率接触器继电器变压器电动机绝缘接地保护线路控制回路开关熔断器仪表测量安装调试维修故障检查运行安全规程操作设备元件信号整流放大频率相位负载短路过载";

fn standard(occ: usize) -> Standard {
    let code = OccupationCode::parse(&format!(
        "9-{:02}-{:02}-{:02}",
        90 + occ / 10000,
        (occ / 100) % 100,
        occ % 100
    ))
    .expect("valid shape");
    let mut functions = vec![Function {
        code: "J".into(),
        name: "基本要求".into(),
    }];
    let mut contents = vec![
        Content {
            level: None,
            code: "J.1".into(),
            name: "职业道德".into(),
        },
        Content {
            level: None,
            code: "J.2".into(),
            name: "基础知识".into(),
        },
    ];
    let mut points = vec![
        Point {
            level: None,
            code: "J.1.1".into(),
            name: "职业道德基本知识".into(),
            importance: Importance::Y,
        },
        Point {
            level: None,
            code: "J.2.1".into(),
            name: "基础知识".into(),
            importance: Importance::X,
        },
    ];
    for f in 1..=FUNCTIONS {
        functions.push(Function {
            code: f.to_string(),
            name: format!("职业功能{f}"),
        });
        for level in Level::ALL {
            for c in 1..=CONTENTS {
                contents.push(Content {
                    level: Some(level),
                    code: format!("{f}.{c}"),
                    name: format!("工作内容{f}.{c}"),
                });
                for p in 1..=POINTS {
                    let importance = [Importance::X, Importance::X, Importance::Y][p - 1];
                    points.push(Point {
                        level: Some(level),
                        code: format!("{f}.{c}.{p}"),
                        name: format!("鉴定点{f}.{c}.{p}"),
                        importance,
                    });
                }
            }
        }
    }
    let col = |v: u8| vec![Some(v); 5];
    let theory_weights = WeightTable {
        rows: vec![
            WeightRow {
                row: "J.1".into(),
                values: col(5),
            },
            WeightRow {
                row: "J.2".into(),
                values: col(15),
            },
            WeightRow {
                row: "1".into(),
                values: col(30),
            },
            WeightRow {
                row: "2".into(),
                values: col(20),
            },
            WeightRow {
                row: "3".into(),
                values: col(15),
            },
            WeightRow {
                row: "4".into(),
                values: col(15),
            },
        ],
    };
    let skill_weights = WeightTable {
        rows: (1..=FUNCTIONS)
            .map(|f| WeightRow {
                row: f.to_string(),
                values: col(25),
            })
            .collect(),
    };
    Standard {
        kind: StandardKind::National,
        id: format!("SYN {code}"),
        edition: "2026".into(),
        title: format!("合成职业{occ}标准"),
        sample_data: Some("synthetic".into()),
        requirements: None,
        occupation: Occupation {
            code,
            code_edition: Some(2022),
            name: format!("合成职业{occ}"),
            work_types: vec!["甲".into(), "乙".into()],
            levels: Level::ALL.to_vec(),
        },
        functions,
        contents,
        points,
        weight_levels: Level::ALL.map(Grade::Level).to_vec(),
        theory_weights,
        skill_weights,
    }
}

fn text(rng: &mut ChaCha8Rng, n: usize) -> String {
    let chars: Vec<char> = HAN.chars().collect();
    (0..n)
        .map(|_| chars[rng.random_range(0..chars.len())])
        .collect()
}

/// Clause codes items are spread over, with the theory weight share of each function.
fn clause_for(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..100u32) {
        0..5 => "J.1.1".into(),
        5..20 => "J.2.1".into(),
        r => {
            let f = match r {
                20..50 => 1,
                50..70 => 2,
                70..85 => 3,
                _ => 4,
            };
            format!(
                "{f}.{}.{}",
                rng.random_range(1..=CONTENTS),
                rng.random_range(1..=POINTS)
            )
        }
    }
}

/// Generates the standards and entries of a synthetic bank.
pub fn bank(cfg: &SynthConfig) -> (Vec<Standard>, Vec<Entry>) {
    let occupations = cfg.occupations.max(1);
    let standards: Vec<Standard> = (0..occupations).map(standard).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut entries = Vec::with_capacity(cfg.items + occupations * 5 * cfg.tasks_per_level);
    let cells = occupations * 5;
    for n in 0..cfg.items {
        let cell = n % cells;
        let (s, level) = (&standards[cell / 5], Level::ALL[cell % 5]);
        let item_type = match rng.random_range(0..100u32) {
            0..60 => ItemType::Single,
            60..85 => ItemType::Judge,
            _ => ItemType::Multiple,
        };
        let difficulty = match rng.random_range(0..100u32) {
            0..20 => Difficulty::Easy,
            20..90 => Difficulty::Medium,
            _ => Difficulty::Hard,
        };
        let p = (rng.next_u32() % 2 == 0).then(|| f64::from(rng.random_range(30..90u32)) / 100.0);
        let stem_len = rng.random_range(20..60);
        let (stem, options, answer) = match item_type {
            ItemType::Judge => (
                format!("{}。", text(&mut rng, stem_len)),
                vec![],
                Answer::Text(if rng.random_bool(0.5) { "√" } else { "×" }.into()),
            ),
            ItemType::Single => (
                format!("{}（  ）。", text(&mut rng, stem_len)),
                (0..4)
                    .map(|i| format!("{}{i}", text(&mut rng, 8)))
                    .collect(),
                Answer::Text(["A", "B", "C", "D"][rng.random_range(0..4)].into()),
            ),
            _ => (
                format!("{}（  ）。", text(&mut rng, stem_len)),
                (0..5)
                    .map(|i| format!("{}{i}", text(&mut rng, 8)))
                    .collect(),
                Answer::Text(["AB", "ACD", "BCE", "ABDE", "CD"][rng.random_range(0..5)].into()),
            ),
        };
        entries.push(Entry::Item(TheoryItem {
            id: format!("S{:07}", n + 1),
            version: 1,
            occupation: s.occupation.code.clone(),
            level: level.into(),
            clause: clause_for(&mut rng),
            item_type,
            stem,
            options,
            answer,
            scheme: vec![],
            difficulty,
            p,
            importance: None,
            explanation: Some(text(&mut rng, 20)),
            source: Source::Provincial,
            status: Status::Active,
            enemy: (rng.random_range(0..50u32) == 0)
                .then(|| format!("E{}", rng.random_range(0..200u32))),
            tags: vec![],
            overlay: None,
            fixed_order: false,
            distinct: Vec::new(),
            cites: Vec::new(),
            figures: Vec::new(),
        }));
    }
    for (cell, s) in (0..cells).map(|c| (c, &standards[c / 5])) {
        let level = Level::ALL[cell % 5];
        for t in 0..cfg.tasks_per_level {
            let module = (t % FUNCTIONS + 1).to_string();
            entries.push(Entry::Task(PracticalTask {
                id: format!("T{:05}-{t:02}", cell),
                version: 1,
                occupation: s.occupation.code.clone(),
                level: level.into(),
                modules: vec![module],
                work_types: vec![["甲", "乙"][t % 2].into()],
                title: text(&mut rng, 12),
                minutes: [60, 90, 120][t % 3],
                points: 100.0,
                text: text(&mut rng, 200),
                candidate: vec![text(&mut rng, 6)],
                site: vec![SiteEntry {
                    name: format!("设备{}", t % 5),
                    spec: text(&mut rng, 6),
                    qty: "1台".into(),
                }],
                rubric: vec![
                    RubricLine {
                        element: text(&mut rng, 6),
                        points: 40.0,
                        criteria: text(&mut rng, 30),
                    },
                    RubricLine {
                        element: text(&mut rng, 6),
                        points: 60.0,
                        criteria: text(&mut rng, 30),
                    },
                ],
                source: Source::Provincial,
                status: Status::Active,
                cites: Vec::new(),
                figures: Vec::new(),
            }));
        }
    }
    (standards, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bank_and_another_seed_does_not() {
        let cfg = SynthConfig {
            items: 300,
            occupations: 2,
            tasks_per_level: 1,
            seed: 7,
        };
        let (_, a) = bank(&cfg);
        let (_, b) = bank(&cfg);
        let (_, c) = bank(&SynthConfig { seed: 8, ..cfg });
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            a.iter().filter(|e| matches!(e, Entry::Item(_))).count(),
            300
        );
    }
}
