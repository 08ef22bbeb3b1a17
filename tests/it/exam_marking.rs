//! Marking a 机考's subjective answers through the server's /mark pages, with double marking and
//! a third examiner beyond the threshold; candidates' pages never carry the key, even when the
//! server holds it; results wait until every written answer has its final mark.

use crate::exam_crash::{agent, free_port, login};
use qbank::exam::{Event, Value};
use qbank::ops::exam::{self, InitOptions, live::Live};
use std::path::{Path, PathBuf};

const ORG: &str = "S000032100001";

/// The sample 三级 paper and key as an opened copy of `ORG` (two 简答, two 计算 at 81–84).
fn copy(dir: &Path) -> PathBuf {
    let info = serde_json::json!({
        "sitting": "T-MARK", "organisation": ORG, "occupation": "6-31-01-03",
        "occupation_name": "电工", "level": 3, "copy": format!("{ORG}-dg3-theory-F01"),
        "blueprint": "dg3-theory", "form": 1
    });
    let d = dir.join("copy");
    std::fs::create_dir_all(&d).unwrap();
    for (name, text) in [
        (
            "paper.json",
            include_str!("../data/render/theory3-paper.json"),
        ),
        ("key.json", include_str!("../data/render/theory3-key.json")),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["copy"] = info.clone();
        std::fs::write(d.join(name), serde_json::to_vec(&v).unwrap()).unwrap();
    }
    d
}

fn form_post(a: &ureq::Agent, url: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = a
        .post(url)
        .header("cookie", cookie)
        .send_form(fields.iter().copied())
        .unwrap();
    let loc = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), loc)
}

fn get(a: &ureq::Agent, url: &str, cookie: &str) -> String {
    let mut r = a.get(url).header("cookie", cookie).call().unwrap();
    r.body_mut().read_to_string().unwrap()
}

/// Whether the examiner has nothing left to mark on `q` (the page sends them back to the list).
fn nothing_left(a: &ureq::Agent, port: u16, cookie: &str, q: u32) -> bool {
    let r = a
        .get(format!("http://127.0.0.1:{port}/mark/q/{q}"))
        .header("cookie", cookie)
        .call()
        .unwrap();
    r.status() == 303
        && r.headers()
            .get("location")
            .is_some_and(|l| l.to_str().unwrap().starts_with("/mark?notice="))
}

fn examiner_cookie(a: &ureq::Agent, port: u16, name: &str, code: &str) -> String {
    let r = a
        .post(format!("http://127.0.0.1:{port}/mark/login"))
        .send_form([("name", name), ("code", code)])
        .unwrap();
    assert_eq!(r.status(), 303, "examiner {name} signs in");
    let c = r.headers().get("set-cookie").unwrap().to_str().unwrap();
    c.split(';').next().unwrap().to_string()
}

/// Marks the next answer of `q` with `score`; returns its script code.
fn mark_next(a: &ureq::Agent, port: u16, cookie: &str, q: u32, score: &str) -> String {
    let page = get(a, &format!("http://127.0.0.1:{port}/mark/q/{q}"), cookie);
    assert!(
        page.contains("评分标准") && page.contains("考生作答"),
        "{page}"
    );
    let field = |name: &str| {
        let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    };
    let (script, csrf) = (field("script"), field("csrf"));
    let (status, to) = form_post(
        a,
        &format!("http://127.0.0.1:{port}/mark/q/{q}"),
        cookie,
        &[("csrf", &csrf), ("script", &script), ("score", score)],
    );
    assert_eq!(
        (status, to.as_str()),
        (303, format!("/mark/q/{q}").as_str()),
        "the mark was not recorded"
    );
    script
}

/// The server, killed when the test ends, whether it passes or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn double_marking_through_the_marking_pages_with_a_third_examiner_beyond_the_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let copy = copy(dir);
    std::fs::write(
        dir.join("roster.csv"),
        "准考证号,姓名,证件号后四位,座位号\n1001,甲,1111,1\n1002,乙,2222,2\n",
    )
    .unwrap();
    let db = dir.join("exam.db");
    let made = exam::init(&InitOptions {
        copy: copy.clone(),
        roster: dir.join("roster.csv"),
        db: db.clone(),
        start: jiff::Timestamp::now(),
        minutes: None,
        shuffle_questions: true,
        shuffle_options: true,
        double_marking: true,
        threshold: 1.0,
    })
    .unwrap();
    // the two candidates answer 81 in writing, 甲 also 83; then hand in
    {
        let live = Live::start(exam::open(&db, &copy).unwrap());
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            for (t, id4) in [("1001", "1111"), ("1002", "2222")] {
                live.login(t, id4, "t").await.unwrap();
                live.append(Event::Answer {
                    ticket: t.into(),
                    q: 81,
                    rev: 1,
                    value: Value::Text(format!("{t} 的答案：过负荷、冷却不良")),
                })
                .await
                .unwrap();
                live.append(Event::Submit {
                    ticket: t.into(),
                    forced: false,
                })
                .await
                .unwrap();
            }
            live.append(Event::Answer {
                ticket: "1001".into(),
                q: 83,
                rev: 1,
                value: Value::Text("x".into()),
            })
            .await
            .unwrap_err();
        });
    }
    let port = free_port();
    let key_text = "断开主电路（或确认主电路安全）";
    let _server = Killed(
        std::process::Command::new(env!("CARGO_BIN_EXE_qbank"))
            .args(["exam", "serve", "--db"])
            .arg(&db)
            .arg("--copy")
            .arg(&copy)
            .arg("--key")
            .arg(&copy)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let a = agent();
    let t0 = std::time::Instant::now();
    while a.get(format!("http://127.0.0.1:{port}/")).call().is_err() {
        assert!(t0.elapsed().as_secs() < 20);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    {
        // a candidate's pages never carry the key, though the server holds it
        let token = login(&a, port, "1001", "1111");
        let cand = format!("qbank_exam={token}");
        let page = get(&a, &format!("http://127.0.0.1:{port}/exam"), &cand);
        assert!(page.contains("已交卷"));
        assert!(!page.contains(key_text));
        let m = get(&a, &format!("http://127.0.0.1:{port}/mark/q/81"), &cand);
        assert!(
            !m.contains(key_text),
            "a candidate's cookie opens no marking page"
        );
        let m = get(&a, &format!("http://127.0.0.1:{port}/mark"), &cand);
        assert!(
            m.contains("阅卷码") && !m.contains(key_text),
            "…only the examiners' sign-in"
        );
        // a wrong marking code is refused
        let r = a
            .post(format!("http://127.0.0.1:{port}/mark/login"))
            .send_form([("name", "王"), ("code", "0000-0000")])
            .unwrap();
        assert_eq!(r.status(), 401);

        let code = made.marking_code.as_str();
        let (e1, e2, e3) = (
            examiner_cookie(&a, port, "王老师", code),
            examiner_cookie(&a, port, "李老师", code),
            examiner_cookie(&a, port, "陈老师", code),
        );
        let overview = get(&a, &format!("http://127.0.0.1:{port}/mark"), &e1);
        assert!(
            !overview.contains("1001") && !overview.contains("甲"),
            "marking is blind"
        );
        // first marks: 王 gives 4 and 1.5; second marks: 李 gives 4.5 (within 1) and 4 (beyond 1)
        let s1 = mark_next(&a, port, &e1, 81, "4");
        let s2 = mark_next(&a, port, &e1, 81, "1.5");
        assert_ne!(s1, s2);
        let (_, to) = form_post(
            &a,
            &format!("http://127.0.0.1:{port}/mark/q/81"),
            &e1,
            &[("csrf", "x"), ("script", &s1), ("score", "3")],
        );
        assert!(to.is_empty(), "a forged form is refused");
        assert!(nothing_left(&a, port, &e1, 81), "王 marks each answer once");
        let t1 = mark_next(&a, port, &e2, 81, "4.5");
        let t2 = mark_next(&a, port, &e2, 81, "4");
        assert_eq!(
            [s1.clone(), s2.clone()]
                .iter()
                .filter(|s| **s == t1 || **s == t2)
                .count(),
            2
        );
        let page = get(&a, &format!("http://127.0.0.1:{port}/mark/q/81"), &e3);
        assert!(
            page.contains("三评"),
            "the answer 1.5 / 4 needs a third examiner: {page}"
        );
        let third = mark_next(&a, port, &e3, 81, "3.5");
        assert_eq!(third, if t1 == s2 { t1.clone() } else { t2.clone() });
        assert!(nothing_left(&a, port, &e3, 81));
    }
    // 4 and 4.5 → 4 (half points, rounded down); 1.5, 4 and a third 3.5 → (4 + 3.5) / 2 = 3.5
    let opened = exam::open(&db, &copy).unwrap();
    let key = exam::results::read_key(&copy, &opened.exam).unwrap();
    let results = qbank::exam::score::results(&opened.exam, &key);
    let p81 = |t: &str| {
        results
            .iter()
            .find(|r| r.ticket == t)
            .unwrap()
            .points
            .iter()
            .find(|(n, _)| *n == 81)
            .unwrap()
            .1
    };
    let mut got = [p81("1001").unwrap(), p81("1002").unwrap()];
    got.sort_by(f64::total_cmp);
    assert_eq!(got, [3.5, 4.0]);
    assert!(results.iter().all(|r| r.unmarked == 0));
}
