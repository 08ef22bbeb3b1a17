//! Item analysis of one form of 10^5 candidates × 100 items (单选, 判断, 多选 and examiner-scored
//! items, responses simulated from a Rasch model with a fixed-seed LCG): classical statistics,
//! option analysis, flags and JMLE Rasch estimates. Figures in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use qbank::analysis::{FormData, ItemSpec, Response, Thresholds, analyse};
use std::time::Duration;

/// Knuth's MMIX LCG; `next` gives a uniform in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n - 1)
    }
}

const CANDIDATES: usize = 100_000;
const ITEMS: usize = 100;

fn data() -> FormData {
    let mut rng = Lcg(0x5eed);
    // Items 0..60 单选 (4 options), 60..70 判断, 70..90 多选 (5 options, 2 keyed), 90..100
    // scored 0..=5.
    let items: Vec<ItemSpec> = (0..ITEMS)
        .map(|i| {
            let (max, options, key) = match i {
                0..60 => (1.0, 4, vec![i % 4]),
                60..70 => (1.0, 2, vec![i % 2]),
                70..90 => (2.0, 5, vec![i % 5, (i + 2) % 5]),
                _ => (5.0, 0, Vec::new()),
            };
            ItemSpec {
                id: format!("BIG-{i:04}"),
                version: 1,
                max,
                options,
                key,
            }
        })
        .collect();
    let difficulty: Vec<f64> = (0..ITEMS)
        .map(|i| -2.0 + 4.0 * ((i * 37) % ITEMS) as f64 / ITEMS as f64)
        .collect();
    let responses: Vec<Vec<Response>> = (0..CANDIDATES)
        .map(|_| {
            let theta = (rng.next() + rng.next() + rng.next() - 1.5) * 2.0;
            items
                .iter()
                .zip(&difficulty)
                .map(|(it, &b)| {
                    let p = 1.0 / (1.0 + (b - theta).exp());
                    let right = rng.next() < p;
                    if rng.next() < 0.01 {
                        return Response::Missing;
                    }
                    match it.options {
                        0 => {
                            let s = if right {
                                3.0 + 2.0 * rng.next()
                            } else {
                                3.0 * rng.next()
                            };
                            Response::Score((s * 2.0).round() / 2.0)
                        }
                        _ if right => Response::Chosen(it.key.clone()),
                        n if it.key.len() > 1 => Response::Chosen(vec![rng.below(n)]),
                        n => {
                            let mut o = rng.below(n - 1);
                            if o >= it.key[0] {
                                o += 1;
                            }
                            Response::Chosen(vec![o])
                        }
                    }
                })
                .collect()
        })
        .collect();
    FormData {
        form: "big F01".into(),
        items,
        responses,
    }
}

fn analysis(c: &mut Criterion) {
    let form = data();
    let t = Thresholds::default();
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("100000_candidates_x_100_items", |b| {
        b.iter(|| analyse(std::slice::from_ref(&form), &t).items.len())
    });
    g.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
