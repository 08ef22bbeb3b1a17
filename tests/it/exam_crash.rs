//! The 机考 server killed with SIGKILL at random moments, twenty times, while 200 simulated
//! candidates answer over HTTP on loopback: after each restart every answer the server had
//! acknowledged is there (its revision or a newer one), and the candidates go on in the same
//! sessions. The count of acknowledged answers and of losses is printed.

use crate::analysis::opened;
use qbank::ops::exam::{self, InitOptions, live::csrf_of};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CANDIDATES: usize = 200;
/// Per question, the revision and value acknowledged (or held).
type Answers = HashMap<u32, (u64, serde_json::Value)>;
const KILLS: usize = 20;

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `qbank exam serve` and waits until it answers.
pub(crate) fn serve(db: &std::path::Path, copy: &std::path::Path, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_qbank"))
        .args(["exam", "serve", "--db"])
        .arg(db)
        .arg("--copy")
        .arg(copy)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let a = agent();
    let t0 = Instant::now();
    while a.get(format!("http://127.0.0.1:{port}/")).call().is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the exam server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Logs a candidate in; returns the session token.
pub(crate) fn login(a: &ureq::Agent, port: u16, ticket: &str, id4: &str) -> String {
    let r = a
        .post(format!("http://127.0.0.1:{port}/login"))
        .send_form([("ticket", ticket), ("id4", id4)])
        .unwrap();
    assert_eq!(r.status(), 303, "login of {ticket}");
    let c = r.headers().get("set-cookie").unwrap().to_str().unwrap();
    c.split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

/// (rev, value JSON) of each question a candidate's state holds.
fn state(a: &ureq::Agent, port: u16, token: &str) -> Answers {
    let mut r = a
        .get(format!("http://127.0.0.1:{port}/api/state"))
        .header("cookie", format!("qbank_exam={token}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.body_mut().read_json().unwrap();
    v["answers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(q, a)| (q.parse().unwrap(), (a[0].as_u64().unwrap(), a[1].clone())))
        .collect()
}

#[test]
fn twenty_kill_9s_under_two_hundred_candidates_lose_no_acknowledged_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_, copy, _) = opened(dir);
    let mut s = String::from("准考证号,姓名,证件号后四位,座位号\n");
    for c in 0..CANDIDATES {
        s += &format!("9{c:08},考生{c},{:04},{}\n", c % 10000, c + 1);
    }
    std::fs::write(dir.join("roster.csv"), s).unwrap();
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
    let paper: serde_json::Value =
        serde_json::from_slice(&std::fs::read(copy.join("paper.json")).unwrap()).unwrap();
    // (n, type, options) of every question
    let items: Arc<Vec<(u32, String, usize)>> = Arc::new(
        paper["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["items"].as_array().unwrap())
            .map(|i| {
                (
                    i["n"].as_u64().unwrap() as u32,
                    i["type"].as_str().unwrap().to_string(),
                    i["options"].as_array().map_or(0, Vec::len),
                )
            })
            .collect(),
    );

    let mut port = free_port();
    let mut server = serve(&db, &copy, port);
    let a = agent();
    let tokens: Vec<String> = (0..CANDIDATES)
        .map(|c| login(&a, port, &format!("9{c:08}"), &format!("{:04}", c % 10000)))
        .collect();
    // per candidate: question → (rev, value) acknowledged; and the next rev to send
    let acked: Arc<Vec<Mutex<Answers>>> = Arc::new(
        (0..CANDIDATES)
            .map(|_| Mutex::new(HashMap::new()))
            .collect(),
    );
    let revs: Arc<Vec<Mutex<u64>>> = Arc::new((0..CANDIDATES).map(|_| Mutex::new(0)).collect());
    let mut rng = ChaCha8Rng::seed_from_u64(20261202);
    let (mut total_acked, mut lost, mut refused_during_kill) = (0usize, 0usize, 0usize);
    for round in 0..KILLS {
        let stop = Arc::new(AtomicBool::new(false));
        let failures = Arc::new(Mutex::new(0usize));
        let workers: Vec<_> = (0..CANDIDATES)
            .map(|c| {
                let (stop, items, acked, revs, failures) =
                    (stop.clone(), items.clone(), acked.clone(), revs.clone(), failures.clone());
                let token = tokens[c].clone();
                let seed = (round * CANDIDATES + c) as u64;
                std::thread::spawn(move || {
                    let a = agent();
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    let csrf = csrf_of(&token);
                    while !stop.load(Ordering::Relaxed) {
                        let (n, ty, options) = &items[rng.random_range(0..items.len())];
                        let value = match ty.as_str() {
                            "判断" => serde_json::json!({"t": "judge", "v": rng.random_bool(0.5)}),
                            _ => serde_json::json!({"t": "choice", "v": [rng.random_range(0..*options)]}),
                        };
                        let rev = {
                            let mut r = revs[c].lock().unwrap();
                            *r += 1;
                            *r
                        };
                        let sent = a
                            .post(format!("http://127.0.0.1:{port}/api/answer"))
                            .header("cookie", format!("qbank_exam={token}"))
                            .header("x-csrf", &csrf)
                            .send_json(serde_json::json!({"q": n, "rev": rev, "value": value}));
                        match sent {
                            Ok(r) if r.status() == 200 => {
                                // acknowledged once the whole answer has arrived (and the
                                // connection is kept alive, as a browser's is)
                                if r.into_body().read_to_string().is_ok() {
                                    acked[c].lock().unwrap().insert(*n, (rev, value));
                                }
                            }
                            Ok(r) => panic!("answer refused with {}", r.status()),
                            Err(_) => {
                                // the server is down: this answer was not acknowledged
                                *failures.lock().unwrap() += 1;
                                std::thread::sleep(Duration::from_millis(20));
                            }
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.random_range(150..900)));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
        refused_during_kill += *failures.lock().unwrap();
        port = free_port();
        server = serve(&db, &copy, port);
        // every acknowledged answer is there, at its revision or a newer one
        for c in 0..CANDIDATES {
            let have = state(&a, port, &tokens[c]);
            for (q, (rev, value)) in acked[c].lock().unwrap().iter() {
                match have.get(q) {
                    Some((r, v)) if r > rev || (r == rev && v == value) => {}
                    _ => lost += 1,
                }
            }
        }
    }
    server.kill().unwrap();
    let _ = server.wait();
    for c in 0..CANDIDATES {
        total_acked += acked[c].lock().unwrap().len();
    }
    let sent: u64 = revs.iter().map(|r| *r.lock().unwrap()).sum();
    eprintln!(
        "机考崩溃测试：{KILLS} 次 SIGKILL，{CANDIDATES} 名考生共发送 {sent} 次作答（{refused_during_kill} 次在服务被杀时或被杀后发出，未获确认），确认的最新作答 {total_acked} 条，丢失 {lost} 条"
    );
    assert!(
        total_acked > CANDIDATES * 5,
        "too few answers were acknowledged to mean anything: {total_acked}"
    );
    assert!(
        refused_during_kill > 0,
        "no request was cut by a kill: the kills did not land mid-exam"
    );
    assert_eq!(lost, 0, "acknowledged answers were lost");
}
