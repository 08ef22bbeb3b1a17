//! Sittings: sealing throughput (a package's two encryption layers, digests and signature,
//! against one raw AES-256-GCM pass over the same bytes) and a province-sized sitting end to end
//! (200 occupation-levels × 5 forms, 20 organisations each running 20 of them, from a 10^5-item
//! synthetic bank: assemble, decrypt, permute, render HTML/Markdown/JSON, seal, write, commit).
//! Figures in BENCHMARKS.md.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qbank::model::{OrgCategory, OrgKind, parse_scope};
use qbank::ops::org::{self, NewOrg};
use qbank::ops::{Quiet, StoreConfig};
use qbank::package::keys::{BureauKey, OrgSecret};
use qbank::package::{Checkpoint, PackageManifest};
use qbank::store::{AuditEvent, KeySource, Vault, VaultOptions};
use qbank::synth::{SynthConfig, bank};
use std::time::Duration;

/// Documents shaped like a package's: HTML, Markdown and JSON text, ~100 KiB each.
fn documents(total: usize) -> Vec<(String, Vec<u8>)> {
    let para = "一只“220 V 100 W”的白炽灯接在110 V电源上（设灯丝电阻不变），其实际消耗的功率为（  ）。A. 25 W B. 100 W C. 12.5 W D. 50 W\n";
    let mut out = Vec::new();
    let mut n = 0;
    while n < total {
        let mut d = String::new();
        while d.len() < 100 * 1024 {
            d.push_str(para);
        }
        n += d.len();
        out.push((format!("bp-{}/F01/paper.html", out.len()), d.into_bytes()));
    }
    out
}

fn manifest() -> PackageManifest {
    PackageManifest {
        format: qbank::package::MANIFEST_FORMAT,
        sitting: "BENCH".into(),
        title: "基准".into(),
        organisation: "S000032100001".into(),
        organisation_name: "基准机构".into(),
        organisation_key: String::new(),
        start: "2026-01-01T09:00:00+08:00".into(),
        end: "2026-01-01T17:00:00+08:00".into(),
        bureau_key: String::new(),
        release_key_sha256: String::new(),
        audit: Checkpoint {
            seq: 1,
            hash: "0".repeat(64),
        },
        papers: Vec::new(),
        documents: Vec::new(),
        keys_release_key_sha256: String::new(),
        keys_at: "2026-01-01T17:00:00+08:00".into(),
        key_documents: Vec::new(),
        content_sha256: String::new(),
    }
}

fn sealing(c: &mut Criterion) {
    let mut g = c.benchmark_group("seal");
    g.measurement_time(Duration::from_secs(5));
    let org = OrgSecret::generate("S000032100001").unwrap();
    let pk = org.public().unwrap();
    let bureau = BureauKey::generate().unwrap();
    let rk = qbank::package::new_release_key().unwrap();
    let both = qbank::package::StageKeys {
        papers: &rk,
        keys: &rk,
    };
    for mb in [1usize, 4, 16] {
        let docs = documents(mb << 20);
        let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
        let flat: Vec<u8> = docs.iter().flat_map(|d| d.1.clone()).collect();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_with_input(BenchmarkId::new("package", mb), &mb, |b, _| {
            b.iter(|| qbank::package::seal(manifest(), &docs, &[], &pk, both, &bureau).unwrap())
        });
        let aes = Aes256Gcm::new((&[7u8; 32]).into());
        g.bench_with_input(BenchmarkId::new("raw_aes_256_gcm", mb), &mb, |b, _| {
            b.iter(|| {
                aes.encrypt(&Nonce::from([1u8; 12]), flat.as_slice())
                    .unwrap()
            })
        });
    }
    g.finish();
}

struct Province {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    cfg: StoreConfig,
    blueprints: std::path::PathBuf,
    orgs: Vec<String>,
    occ_levels: Vec<(String, u8)>,
}

/// A store holding a 10^5-item synthetic bank (40 occupations × 5 levels), one theory blueprint
/// file per occupation-level, and 20 registered organisations.
fn province() -> Province {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let key = root.join("k");
    qbank::store::crypto::create_key_file(&key).unwrap();
    let cfg = StoreConfig::new(root.join("store"), KeySource::File(key));
    let (standards, entries) = bank(&SynthConfig {
        items: 100_000,
        occupations: 40,
        tasks_per_level: 0,
        seed: 5,
    });
    {
        let mut v = Vault::create(&cfg.dir, &cfg.key, VaultOptions::default()).unwrap();
        let m = v.master_key(&cfg.key).unwrap();
        v.import(
            &standards,
            entries.into_iter().map(|e| (e, None)).collect(),
            Some(&m),
            &|_| {},
            AuditEvent::new("import", serde_json::json!({})),
        )
        .unwrap();
    }
    let blueprints = root.join("bp");
    std::fs::create_dir_all(&blueprints).unwrap();
    let mut occ_levels = Vec::new();
    for s in &standards {
        for lv in 1..=5u8 {
            let occ = s.occupation.code.to_string();
            std::fs::write(
                blueprints.join(format!("{occ}-{lv}.toml")),
                format!(
                    "format = 1\n[blueprint]\nid = \"t-{occ}-{lv}\"\noccupation = \"{occ}\"\nlevel = {lv}\nkind = \"theory\"\nminutes = 120\nforms = 5\nmax_overlap = 0.2\n[blueprint.difficulty]\neasy = 20\nmedium = 70\nhard = 10\n[[section]]\ntype = \"单选\"\ncount = 60\npoints = 1\n[[section]]\ntype = \"多选\"\ncount = 10\npoints = 2\n[[section]]\ntype = \"判断\"\ncount = 20\npoints = 1\n"
                ),
            )
            .unwrap();
            occ_levels.push((occ, lv));
        }
    }
    let keys = root.join("orgs");
    let mut orgs = Vec::new();
    for k in 0..20 {
        let id = format!("S0000321{k:05}");
        org::keygen(&id, &keys).unwrap();
        org::add(
            &cfg,
            NewOrg {
                id: id.clone(),
                name: format!("评价机构{k}"),
                kind: OrgKind::S,
                category: OrgCategory::ThirdParty,
                region: "江苏省".into(),
                certify: standards
                    .iter()
                    .map(|s| parse_scope(&format!("{}:5,4,3,2,1", s.occupation.code)).unwrap())
                    .collect(),
                public_key: keys.join(format!("{id}.pub")),
            },
        )
        .unwrap();
        orgs.push(id);
    }
    Province {
        _dir: dir,
        root,
        cfg,
        blueprints,
        orgs,
        occ_levels,
    }
}

/// A plan: every occupation-level, 5 forms; organisation k runs occupation-levels 10k..10k+20
/// (mod 200), so each occupation-level is run by two organisations.
fn plan(p: &Province, id: &str) -> std::path::PathBuf {
    let mut s = format!(
        "format = 1\n[sitting]\nid = \"{id}\"\ntitle = \"全省统一认定\"\nstart = 2026-01-10T09:00:00+08:00\nend = 2026-01-10T17:00:00+08:00\nseed = 3\nblueprints = [\"{}\"]\n",
        p.blueprints.display()
    );
    for (occ, lv) in &p.occ_levels {
        s += &format!("[[paper]]\nblueprint = \"t-{occ}-{lv}\"\n");
    }
    for (k, o) in p.orgs.iter().enumerate() {
        let runs: Vec<String> = (0..20)
            .map(|j| {
                let (occ, lv) = &p.occ_levels[(10 * k + j) % p.occ_levels.len()];
                format!("\"{occ}/{lv}\"")
            })
            .collect();
        s += &format!(
            "[[organisation]]\nid = \"{o}\"\nruns = [{}]\n",
            runs.join(", ")
        );
    }
    let path = p.root.join(format!("{id}.toml"));
    std::fs::write(&path, s).unwrap();
    path
}

fn province_sitting(c: &mut Criterion) {
    let p = province();
    let mut g = c.benchmark_group("province_sitting_end_to_end");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    let mut n = 0;
    g.bench_function("200_levels_x_5_forms_x_20_orgs", |b| {
        b.iter_batched(
            || {
                n += 1;
                let id = format!("BENCH-{n}");
                (plan(&p, &id), p.root.join(format!("out-{n}")))
            },
            |(plan, out)| {
                let r = qbank::ops::sitting::run(&p.cfg, &plan, &out, &Quiet).unwrap();
                assert_eq!(r.packages.len(), 20);
                std::fs::remove_dir_all(&out).unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, sealing, province_sitting);
criterion_main!(benches);
