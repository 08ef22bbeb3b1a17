//! Store throughput: importing and reading the encrypted vault against the same records (same
//! keys, same JSON, built by the same code) in a plaintext sled tree; and opening a store with
//! its rollback check against the same open without it. Figures in BENCHMARKS.md.
//! Sizes: 10^4 and 10^5 items; 10^6 when QBANK_BENCH_1M=1 (several minutes).

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qbank::model::Entry;
use qbank::store::kv::{Kv, SledKv};
use qbank::store::vault::{plaintext_read_all, plaintext_records};
use qbank::store::{KeySource, Vault, VaultOptions};
use qbank::synth::{SynthConfig, bank};
use std::time::Duration;

fn sizes() -> Vec<usize> {
    let mut v = vec![10_000, 100_000];
    if std::env::var("QBANK_BENCH_1M").is_ok_and(|v| v == "1") {
        v.push(1_000_000);
    }
    v
}

fn synthetic(items: usize) -> (Vec<qbank::model::Standard>, Vec<Entry>) {
    bank(&SynthConfig {
        items,
        occupations: (items / 2500).max(1),
        tasks_per_level: 0,
        seed: 42,
    })
}

struct Fresh {
    dir: tempfile::TempDir,
    key: KeySource,
}

fn fresh() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("k");
    qbank::store::crypto::create_key_file(&key_path).unwrap();
    Fresh {
        key: KeySource::File(key_path),
        dir,
    }
}

fn import(c: &mut Criterion) {
    let mut g = c.benchmark_group("import");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for n in sizes() {
        let (standards, entries) = synthetic(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("encrypted", n), &n, |b, _| {
            b.iter_batched(
                || {
                    let f = fresh();
                    let v = Vault::create(&f.dir.path().join("s"), &f.key, VaultOptions::default())
                        .unwrap();
                    let m = v.master_key(&f.key).unwrap();
                    (
                        f,
                        v,
                        m,
                        entries
                            .iter()
                            .cloned()
                            .map(|e| (e, None))
                            .collect::<Vec<_>>(),
                    )
                },
                |(f, mut v, m, es)| {
                    v.import(
                        &standards,
                        es,
                        Some(&m),
                        &|_| {},
                        qbank::store::AuditEvent::new("import", serde_json::json!({})),
                    )
                    .unwrap();
                    (f, v)
                },
                BatchSize::PerIteration,
            )
        });
        g.bench_with_input(BenchmarkId::new("plaintext", n), &n, |b, _| {
            b.iter_batched(
                || {
                    let f = fresh();
                    let kv = SledKv::open(&f.dir.path().join("p")).unwrap();
                    (f, kv, entries.clone())
                },
                |(f, kv, mut es)| {
                    kv.apply(plaintext_records(&mut es)).unwrap();
                    kv.flush().unwrap();
                    (f, kv)
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_all");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for n in sizes() {
        let (standards, entries) = synthetic(n);
        g.throughput(Throughput::Elements(n as u64));
        let f = fresh();
        let mut v =
            Vault::create(&f.dir.path().join("s"), &f.key, VaultOptions::default()).unwrap();
        let m = v.master_key(&f.key).unwrap();
        v.import(
            &standards,
            entries.iter().cloned().map(|e| (e, None)).collect(),
            Some(&m),
            &|_| {},
            qbank::store::AuditEvent::new("import", serde_json::json!({})),
        )
        .unwrap();
        g.bench_with_input(BenchmarkId::new("encrypted", n), &n, |b, _| {
            b.iter(|| {
                let ix = v.index(None, None).unwrap();
                v.entries(&ix).unwrap().len()
            })
        });
        drop(v);
        let kv = SledKv::open(&f.dir.path().join("p")).unwrap();
        kv.apply(plaintext_records(&mut entries.clone())).unwrap();
        kv.flush().unwrap();
        g.bench_with_input(BenchmarkId::new("plaintext", n), &n, |b, _| {
            b.iter(|| plaintext_read_all(&kv).unwrap().len())
        });
    }
    g.finish();
}

/// Opening a store, with the rollback check of every covered tree (`trees.rs`: every record
/// but the immutable segments and the audit log is read and hashed) against the same open
/// without it, side by side on the same store.
fn open(c: &mut Criterion) {
    let mut g = c.benchmark_group("open");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for n in sizes() {
        let (standards, entries) = synthetic(n);
        let f = fresh();
        let dir = f.dir.path().join("s");
        let mut v = Vault::create(&dir, &f.key, VaultOptions::default()).unwrap();
        let m = v.master_key(&f.key).unwrap();
        v.import(
            &standards,
            entries.into_iter().map(|e| (e, None)).collect(),
            Some(&m),
            &|_| {},
            qbank::store::AuditEvent::new("import", serde_json::json!({})),
        )
        .unwrap();
        drop(v);
        for (name, check_trees) in [("tree-check", true), ("no-check", false)] {
            let opts = VaultOptions {
                check_trees,
                ..VaultOptions::default()
            };
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| Vault::open(&dir, &f.key, opts.clone()).unwrap())
            });
        }
    }
    g.finish();
}

criterion_group!(benches, import, read, open);
criterion_main!(benches);
