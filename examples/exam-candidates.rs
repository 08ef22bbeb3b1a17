//! Simulated candidates for the demo's 机考 (`banks/sittings/demo.sh`): every candidate on a
//! roster but the last `--absent` logs in to a running `qbank exam serve`, answers each question
//! through the same HTTP calls the browser page makes (right with a probability given by a
//! seeded ability and the item's bank p, otherwise a wrong option), and hands in. The answers
//! are synthetic: they exist to show the crossing from 机考 to item analysis, not as data.
//!
//! usage: cargo run --release --example exam-candidates -- URL ROSTER.csv COPY_DIR_WITH_KEY [ABSENT] [SEED]

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() < 3 {
        eprintln!("usage: exam-candidates URL ROSTER.csv COPY_DIR_WITH_KEY [ABSENT] [SEED]");
        std::process::exit(2);
    }
    let (url, roster, copy) = (&a[0], &a[1], std::path::Path::new(&a[2]));
    let absent: usize = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let seed: u64 = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(copy.join(f)).expect("the copy's files"))
            .expect("JSON")
    };
    let (paper, key) = (read("paper.json"), read("key.json"));
    let keys: HashMap<u64, String> = key["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["n"].as_u64().unwrap(),
                k["answer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let items: Vec<(u64, String, usize, f64)> = paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .map(|i| {
            (
                i["n"].as_u64().unwrap(),
                i["type"].as_str().unwrap().to_string(),
                i["options"].as_array().map_or(0, Vec::len),
                i["p"].as_f64().unwrap_or(0.6).clamp(0.05, 0.95),
            )
        })
        .collect();
    let text = std::fs::read_to_string(roster).expect("the roster");
    let people: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[2].to_string())
        })
        .collect();
    let sitting = people.len().saturating_sub(absent);
    let handles: Vec<_> = people
        .into_iter()
        .take(sitting)
        .enumerate()
        .map(|(c, (ticket, id4))| {
            let (url, items, keys) = (url.clone(), items.clone(), keys.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .build()
                    .into();
                let r = agent
                    .post(format!("{url}/login"))
                    .send_form([("ticket", ticket.as_str()), ("id4", id4.as_str())])
                    .expect("login");
                assert_eq!(r.status(), 303, "login of {ticket}");
                let cookie = r.headers()["set-cookie"]
                    .to_str()
                    .unwrap()
                    .split(';')
                    .next()
                    .unwrap()
                    .to_string();
                let token = cookie.split_once('=').unwrap().1.to_string();
                let csrf = qbank::ops::exam::live::csrf_of(&token);
                let mut rng = ChaCha8Rng::seed_from_u64(seed * 1000 + c as u64);
                // ability: a standard normal draw (Box–Muller)
                let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-9), rng.random());
                let theta = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                for (n, ty, options, p) in &items {
                    let b = -(p / (1.0 - p)).ln();
                    let right = rng.random::<f64>() < 1.0 / (1.0 + (b - theta * 1.2).exp());
                    let k = &keys[n];
                    let value = match ty.as_str() {
                        "判断" => serde_json::json!({"t": "judge", "v": (k == "√") == right}),
                        _ => {
                            let correct: Vec<usize> = k
                                .bytes()
                                .filter(u8::is_ascii_uppercase)
                                .map(|x| (x - b'A') as usize)
                                .collect();
                            let chosen = if right || *options == 0 {
                                correct
                            } else if ty == "多选" {
                                // one option missed or one too many
                                let mut c = correct.clone();
                                if c.len() > 1 && rng.random_bool(0.5) {
                                    c.remove(rng.random_range(0..c.len()));
                                } else if let Some(extra) =
                                    (0..*options).find(|o| !correct.contains(o))
                                {
                                    c.push(extra);
                                    c.sort_unstable();
                                }
                                c
                            } else {
                                let wrong: Vec<usize> =
                                    (0..*options).filter(|o| !correct.contains(o)).collect();
                                vec![wrong[rng.random_range(0..wrong.len())]]
                            };
                            serde_json::json!({"t": "choice", "v": chosen})
                        }
                    };
                    let r = agent
                        .post(format!("{url}/api/answer"))
                        .header("cookie", &cookie)
                        .header("x-csrf", &csrf)
                        .send_json(serde_json::json!({"q": n, "rev": 1, "value": value}))
                        .expect("answer");
                    assert_eq!(r.status(), 200, "answer of {ticket} to {n}");
                    // read to the end: the connection stays open, as a browser's does
                    r.into_body().read_to_string().expect("the answer's reply");
                }
                let r = agent
                    .post(format!("{url}/api/submit"))
                    .header("cookie", &cookie)
                    .header("x-csrf", &csrf)
                    .send_json(serde_json::json!({}))
                    .expect("submit");
                assert_eq!(r.status(), 200, "交卷 of {ticket}");
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a simulated candidate failed");
    }
    println!("模拟考生：{sitting} 人登录、作答并交卷，{absent} 人缺考（作答为演示用的模拟数据）");
}
