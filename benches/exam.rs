//! 机考 answer saving under load: 200 candidates on loopback, each saving answers as fast as the
//! server acknowledges them, against the server with its durable journal (SQLite WAL,
//! synchronous=FULL, one fsync per group of answers) and the same server over an in-memory
//! journal, so the ratio shows what durability costs. Reports p50/p99/max save latency and
//! answers per second. Figures in BENCHMARKS.md. `cargo bench --bench exam`.

use qbank::ops::exam::{self, InitOptions, Journal, live::Live};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CANDIDATES: usize = 200;
const ANSWERS_EACH: usize = 60;

/// A theory copy (the sample 四级 paper with a `copy` field) in `dir`.
fn copy_dir(dir: &std::path::Path) -> std::path::PathBuf {
    let mut p: serde_json::Value =
        serde_json::from_str(include_str!("../tests/data/render/theory-paper.json")).unwrap();
    p["copy"] = serde_json::json!({
        "sitting": "BENCH", "organisation": "S000032100001", "occupation": "6-31-01-03",
        "occupation_name": "电工", "level": 4, "copy": "S000032100001-dg4-theory-F01",
        "blueprint": "dg4-theory", "form": 1
    });
    let d = dir.join("copy");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("paper.json"), serde_json::to_vec(&p).unwrap()).unwrap();
    d
}

fn run(memory: bool) -> (Vec<Duration>, Duration) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let copy = copy_dir(dir);
    let mut roster = String::from("准考证号,姓名,证件号后四位,座位号\n");
    for c in 0..CANDIDATES {
        roster += &format!("9{c:08},考生{c},{:04},{}\n", c, c + 1);
    }
    std::fs::write(dir.join("roster.csv"), roster).unwrap();
    let db = dir.join("exam.db");
    exam::init(&InitOptions {
        copy: copy.clone(),
        roster: dir.join("roster.csv"),
        db: db.clone(),
        start: jiff::Timestamp::now(),
        minutes: Some(120),
        shuffle_questions: true,
        shuffle_options: true,
        double_marking: false,
        threshold: 2.0,
    })
    .unwrap();
    let mut opened = exam::open(&db, &copy).unwrap();
    if memory {
        opened.journal = Journal::Memory(opened.records.clone());
    }
    let items: Vec<(u32, String)> = opened
        .exam
        .questions()
        .map(|i| (i.n, i.item_type.as_str().to_string()))
        .collect();
    let app = Arc::new(qbank::examserver::App {
        live: Live::start(opened),
        occupation: "电工".into(),
        level: "四级".into(),
        organisation: "S000032100001".into(),
        copy: "bench".into(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(qbank::examserver::serve(app, listener));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let tokens: Vec<String> = (0..CANDIDATES)
        .map(|c| {
            let r = agent
                .post(format!("http://127.0.0.1:{port}/login"))
                .send_form([("ticket", format!("9{c:08}")), ("id4", format!("{c:04}"))])
                .unwrap();
            let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap();
            cookie
                .split(';')
                .next()
                .unwrap()
                .split_once('=')
                .unwrap()
                .1
                .to_string()
        })
        .collect();
    let items = Arc::new(items);
    let start = Arc::new(std::sync::Barrier::new(CANDIDATES + 1));
    let workers: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(c, token)| {
            let (items, start) = (items.clone(), start.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let csrf = qbank::ops::exam::live::csrf_of(&token);
                let mut lat = Vec::with_capacity(ANSWERS_EACH);
                // a browser keeps its connection open: open it before the clock starts
                agent
                    .get(format!("http://127.0.0.1:{port}/api/ping"))
                    .header("cookie", format!("qbank_exam={token}"))
                    .call()
                    .unwrap()
                    .into_body()
                    .read_to_string()
                    .unwrap();
                start.wait();
                for k in 0..ANSWERS_EACH {
                    let (n, ty) = &items[(c * 7 + k) % items.len()];
                    let value = if ty == "判断" {
                        serde_json::json!({"t": "judge", "v": k % 2 == 0})
                    } else {
                        serde_json::json!({"t": "choice", "v": [k % 4]})
                    };
                    let t = Instant::now();
                    let r = agent
                        .post(format!("http://127.0.0.1:{port}/api/answer"))
                        .header("cookie", format!("qbank_exam={token}"))
                        .header("x-csrf", &csrf)
                        .send_json(serde_json::json!({"q": n, "rev": k + 1, "value": value}))
                        .unwrap();
                    assert_eq!(r.status(), 200);
                    // read to the end, so the connection goes back to the pool (kept alive)
                    r.into_body().read_to_string().unwrap();
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    start.wait();
    let t0 = Instant::now();
    let mut all: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let wall = t0.elapsed();
    all.sort_unstable();
    rt.shutdown_background();
    (all, wall)
}

fn pct(v: &[Duration], p: f64) -> f64 {
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1e3
}

fn main() {
    // `cargo bench --no-run` builds this; `cargo test --benches` runs it with --bench absent
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    for (name, memory) in [
        ("durable (SQLite WAL, FULL)", false),
        ("in-memory baseline", true),
    ] {
        let (lat, wall) = run(memory);
        println!(
            "exam save, {CANDIDATES} candidates × {ANSWERS_EACH}, {name}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.0} answers/s",
            pct(&lat, 0.50),
            pct(&lat, 0.99),
            lat.last().unwrap().as_secs_f64() * 1e3,
            lat.len() as f64 / wall.as_secs_f64()
        );
    }
}
