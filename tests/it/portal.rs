//! The portal end to end over HTTP: the vault's outbox imported (once, idempotently; an older one
//! refused), an administrator enrolled with the letter's code, evaluators and writers made,
//! each organisation's package and release fetched by its own people only (direct URLs too),
//! resumable downloads, sealed uploads only, the inbox taken into the vault (results into item
//! analysis) and its receipts shown on the portal after the next outbox; nothing of the paper in
//! the portal's database.

use crate::analysis::{A, B, json, opened};
use crate::exam::{export, init, ticket};
use crate::exam_crash::agent;
use qbank::exam::{Event, Value};
use qbank::ops::exam::{self, live::Live};
use qbank::ops::portal::{self, OutboxOptions};
use qbank::package::upload::{UploadKind, UploadMeta};
use qbank::portal::crossing::PartKind;
use qbank::portal::rules::{Role, User};
use qbank::site::Site;
use std::path::Path;
use std::sync::Arc;

/// Five of A's candidates sit the copy and hand in; the results are sealed to the bureau.
fn results(dir: &Path, copy: &Path) -> std::path::PathBuf {
    let db = init(dir, copy, 6);
    let paper = json(&copy.join("paper.json"));
    let first = paper["sections"][0]["items"][0]["n"].as_u64().unwrap() as u32;
    let live = Live::start(exam::open(&db, copy).unwrap());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        for c in 0..5 {
            live.login(&ticket(c), &format!("{:04}", (c * 7919) % 10000), "t")
                .await
                .unwrap();
            live.append(Event::Answer {
                ticket: ticket(c),
                q: first,
                rev: 1,
                value: Value::Choice(vec![c % 4]),
            })
            .await
            .unwrap();
            live.append(Event::Submit {
                ticket: ticket(c),
                forced: false,
            })
            .await
            .unwrap();
        }
    });
    drop(live);
    let out = dir.join("results.qres");
    export(
        &exam::open(&db, copy).unwrap(),
        copy,
        &dir.join(format!("orgs/{A}.key")),
        &out,
    )
    .unwrap();
    out
}

pub(crate) fn cookie_of(r: &ureq::http::Response<ureq::Body>) -> String {
    let c = r
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Strict"),
        "{c}"
    );
    c.split(';').next().unwrap().to_string()
}

pub(crate) fn form(
    a: &ureq::Agent,
    url: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> ureq::http::Response<ureq::Body> {
    a.post(url)
        .header("cookie", cookie)
        .send_form(fields.iter().copied())
        .unwrap()
}

pub(crate) fn body(mut r: ureq::http::Response<ureq::Body>) -> String {
    r.body_mut().read_to_string().unwrap()
}

fn bytes(mut r: ureq::http::Response<ureq::Body>) -> Vec<u8> {
    r.body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap()
}

pub(crate) fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..at + 32].to_string()
}

/// Two new 五级 items a writer of A submits.
const SUB5: &str = r#"format = 1
occupation = "6-31-01-03"
level = 5

[[item]]
id = "PT5-0001"
clause = "2.1.2"
type = "单选"
difficulty = "easy"
stem = "接触器铭牌上标注的额定电压通常是指其（  ）的额定电压。"
options = ["主触点", "吸引线圈", "辅助触点", "灭弧罩"]
answer = "B"
explanation = "接触器的额定电压有主触点额定电压和线圈额定电压之分，选用时线圈电压须与控制电路电压一致。"

[[item]]
id = "PT5-0002"
clause = "2.1.2"
type = "判断"
difficulty = "easy"
stem = "按钮帽为红色的按钮一般用作停止按钮。"
answer = "√"
explanation = "GB/T 5226.1 规定停止、急停按钮用红色。"
"#;

fn upload(
    a: &ureq::Agent,
    base: &str,
    cookie: &str,
    csrf: &str,
    name: &str,
    content: &[u8],
) -> (u16, String) {
    upload_as(a, base, cookie, csrf, "", name, content)
}

/// A multipart upload as a browser's form sends it, with the declared kind when given.
fn upload_as(
    a: &ureq::Agent,
    base: &str,
    cookie: &str,
    csrf: &str,
    kind: &str,
    name: &str,
    content: &[u8],
) -> (u16, String) {
    let b = "----qbankboundary7MA4YWxkTrZu0gW";
    let mut body =
        format!("--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .into_bytes();
    if !kind.is_empty() {
        body.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n")
                .into_bytes(),
        );
    }
    body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let r = a
        .post(format!("{base}/upload"))
        .header("cookie", cookie)
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .send(&body[..])
        .unwrap();
    let status = r.status().as_u16();
    let loc = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, qbank_url_decode(&loc))
}

pub(crate) fn qbank_url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_crossing_from_the_vault_through_the_portal_and_back_into_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (cfg, copy_a, _) = opened(dir);
    let qres = results(dir, &copy_a);

    // the vault's outbox, with an enrolment code for A's administrator
    let outbox = dir.join("outbox-1.qbx");
    let o = portal::outbox(
        &cfg,
        &OutboxOptions {
            out: outbox.clone(),
            packages: vec![dir.join("sit/packages")],
            enrol: vec![A.into()],
            letters: Some(dir.join("letters")),
        },
    )
    .unwrap();
    assert_eq!((o.seq, o.packages, o.releases), (1, 2, 2), "{o:?}");
    let letter = std::fs::read_to_string(&o.letters[0].1).unwrap();
    let code = letter
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 20 && l.matches('-').count() == 2)
        .unwrap()
        .to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&o.letters[0].1)
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    assert!(
        !std::fs::read(&outbox)
            .unwrap()
            .windows(code.len())
            .any(|w| w == code.as_bytes()),
        "the code itself never travels"
    );

    let rt = Arc::new(tokio::runtime::Runtime::new().unwrap());
    let pdir = dir.join("portal");
    let pin = qbank::ops::org::bureau_pin(&cfg).unwrap();
    let installed = rt
        .block_on(qbank::site::setup::init(
            &pdir,
            &dir.join("sit/bureau.pub"),
            &pin,
            qbank::site::setup::Config {
                database: format!("sqlite://{}", pdir.join("portal.db").display()),
                listen: "127.0.0.1:0".into(),
                secure_cookies: false,
            },
            jiff::Timestamp::now(),
        ))
        .unwrap();
    // a wrong pin is refused
    let wrong = rt
        .block_on(Site::connect(&format!(
            "sqlite://{}",
            dir.join("other.db").display()
        )))
        .unwrap();
    assert!(
        rt.block_on(wrong.pin_bureau(
            &dir.join("sit/bureau.pub"),
            &"0".repeat(64),
            jiff::Timestamp::now()
        ))
        .is_err()
    );
    drop(wrong);

    let (site, _) = rt.block_on(qbank::site::setup::open(&pdir)).unwrap();
    assert_eq!(
        site.backend,
        qbank::site::Backend::Sqlite,
        "{:?}",
        installed.config
    );
    let imported = rt
        .block_on(qbank::site::setup::import_file(
            &site,
            &outbox,
            jiff::Timestamp::now(),
        ))
        .unwrap();
    assert!(
        !imported.again && imported.packages == 2 && imported.organisations == 2,
        "{imported:?}"
    );
    let again = rt
        .block_on(qbank::site::setup::import_file(
            &site,
            &outbox,
            jiff::Timestamp::now(),
        ))
        .unwrap();
    assert!(again.again, "the same outbox twice changes nothing");
    // a flipped byte in a package is refused whole
    let mut bad = std::fs::read(&outbox).unwrap();
    let n = bad.len();
    bad[n - 10] ^= 1;
    assert!(
        rt.block_on(site.import(&bad, jiff::Timestamp::now()))
            .is_err()
    );

    // a release is never handed out before it is due, whoever asks
    let evaluator_a = User {
        id: 0,
        login: "x".into(),
        name: "x".into(),
        organisation: Some(A.into()),
        role: Role::Evaluator,
    };
    let before: jiff::Timestamp = "2026-01-10T00:59:59Z".parse().unwrap();
    let early = rt.block_on(site.release(&evaluator_a, "T-AN", PartKind::PapersRelease, before));
    assert!(matches!(early, Err(qbank::Error::TooEarly(_))), "{early:?}");

    rt.block_on(site.add_operator("ops-li", "李强", "operator-pass-1", jiff::Timestamp::now()))
        .unwrap();
    let app = Arc::new(qbank::portalserver::App {
        site,
        secure_cookies: false,
    });
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(qbank::portalserver::serve(app, listener));
    let a = agent();

    // public: the catalog and its search; nothing else without a session
    let cat = body(a.get(format!("{base}/?q={A}")).call().unwrap());
    assert!(cat.contains(A) && !cat.contains(B), "search by id");
    for path in [
        format!("/packages/T-AN/{A}.qpkg"),
        "/releases/T-AN/papers.json".into(),
    ] {
        assert_eq!(
            a.get(format!("{base}{path}")).call().unwrap().status(),
            401,
            "{path} without a session"
        );
    }
    assert_eq!(a.get(format!("{base}/home")).call().unwrap().status(), 303);
    assert_eq!(
        form(
            &a,
            &format!("{base}/users"),
            "",
            &[
                ("csrf", "x"),
                ("login", "ev"),
                ("name", "n"),
                ("role", "evaluator"),
                ("password", "x")
            ]
        )
        .status(),
        401
    );

    // enrolment: a wrong code is refused, the letter's code works once
    let r = form(
        &a,
        &format!("{base}/enrol"),
        "",
        &[
            ("organisation", A),
            ("code", "AAAAAA-BBBBBB-CCCCCC"),
            ("login", "jl-admin"),
            ("name", "李敏"),
            ("password", "金陵考点2026秋季"),
        ],
    );
    assert_eq!(r.status(), 422);
    let r = form(
        &a,
        &format!("{base}/enrol"),
        "",
        &[
            ("organisation", A),
            ("code", &code),
            ("login", "jl-admin"),
            ("name", "李敏"),
            ("password", "金陵考点2026秋季"),
        ],
    );
    assert_eq!(r.status(), 303);
    let admin = cookie_of(&r);
    let r = form(
        &a,
        &format!("{base}/enrol"),
        "",
        &[
            ("organisation", A),
            ("code", &code),
            ("login", "jl-admin2"),
            ("name", "李敏"),
            ("password", "金陵考点2026秋季"),
        ],
    );
    assert_eq!(r.status(), 422, "a code works once");

    let home = body(
        a.get(format!("{base}/home"))
            .header("cookie", &admin)
            .call()
            .unwrap(),
    );
    assert!(
        home.contains(&format!("/packages/T-AN/{A}.qpkg")) && !home.contains(B),
        "only its own package"
    );
    let token = csrf(&home);
    // CSRF: a form without the session's value changes nothing
    let r = form(
        &a,
        &format!("{base}/users"),
        &admin,
        &[
            ("csrf", "0123456789abcdef0123456789abcdef"),
            ("login", "ev-zhao"),
            ("name", "赵强"),
            ("role", "evaluator"),
            ("password", "考评员初始密码2026"),
        ],
    );
    assert_eq!(r.status(), 403);
    for (login, role) in [("ev-zhao", "evaluator"), ("wr-wang", "writer")] {
        let r = form(
            &a,
            &format!("{base}/users"),
            &admin,
            &[
                ("csrf", &token),
                ("login", login),
                ("name", "某某"),
                ("role", role),
                ("password", "初始密码2026秋季考点"),
            ],
        );
        assert_eq!(r.status(), 303, "{login}");
    }
    let login = |l: &str| {
        let r = form(
            &a,
            &format!("{base}/login"),
            "",
            &[("login", l), ("password", "初始密码2026秋季考点")],
        );
        assert_eq!(r.status(), 303, "{l} signs in");
        cookie_of(&r)
    };
    let ev = login("ev-zhao");
    let wr = login("wr-wang");
    // a wrong password: refused, and a session cookie from before sign-in is never kept
    let r = form(
        &a,
        &format!("{base}/login"),
        "qbank_portal=aaaa",
        &[("login", "ev-zhao"), ("password", "wrong-password-1")],
    );
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());

    // downloads: own package whole and by range; another organisation's and the writer's refused
    let pkg = std::fs::read(dir.join(format!("sit/packages/{A}.qpkg"))).unwrap();
    let got = bytes(
        a.get(format!("{base}/packages/T-AN/{A}.qpkg"))
            .header("cookie", &ev)
            .call()
            .unwrap(),
    );
    assert!(
        got == pkg,
        "the evaluator's download is the package, byte for byte"
    );
    let r = a
        .get(format!("{base}/packages/T-AN/{A}.qpkg"))
        .header("cookie", &ev)
        .header("range", "bytes=1000-1999")
        .call()
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(bytes(r), pkg[1000..2000].to_vec());
    assert_eq!(
        a.get(format!("{base}/packages/T-AN/{B}.qpkg"))
            .header("cookie", &ev)
            .call()
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        a.get(format!("{base}/packages/T-AN/{A}.qpkg"))
            .header("cookie", &wr)
            .call()
            .unwrap()
            .status(),
        403
    );
    let rel = bytes(
        a.get(format!("{base}/releases/T-AN/papers.json"))
            .header("cookie", &ev)
            .call()
            .unwrap(),
    );
    assert_eq!(rel, std::fs::read(dir.join("release.json")).unwrap());

    // uploads: only sealed files, and results from the administrator only
    let ahome = body(
        a.get(format!("{base}/home"))
            .header("cookie", &admin)
            .call()
            .unwrap(),
    );
    let (s, loc) = upload(
        &a,
        &base,
        &admin,
        &csrf(&ahome),
        "responses.csv",
        b"candidate,copy\n1,X\n",
    );
    assert!(
        s == 303 && loc.contains("error") && loc.contains("门户不接收明文文件"),
        "{loc}"
    );
    let whome = body(
        a.get(format!("{base}/home"))
            .header("cookie", &wr)
            .call()
            .unwrap(),
    );
    let sealed = std::fs::read(&qres).unwrap();
    let (s, loc) = upload(&a, &base, &wr, &csrf(&whome), "results.qres", &sealed);
    assert!(
        s == 303 && loc.contains("error"),
        "a writer may not send results: {loc}"
    );
    let (s, loc) = upload(&a, &base, &admin, &csrf(&ahome), "results.qres", &sealed);
    assert!(s == 303 && loc.contains("ok"), "{loc}");
    // the writer's questions, sealed as the page seals them (QBANK-UPLOAD/1, base mode to the
    // bureau): only ciphertext reaches the portal; the vault queues them under the inbox's word
    let bureau_x =
        qbank::package::keys::BureauPublic::read_encryption_key(&dir.join("sit/bureau.pub"))
            .unwrap();
    let page_sealed = |kind, user: &str, name: &str, payload: &[u8]| {
        qbank::package::upload::seal(
            &UploadMeta {
                format: 1,
                kind,
                organisation: A.into(),
                user: user.into(),
                writer: "王建国".into(),
                file_name: name.into(),
                sealed_at: "2026-12-02T08:00:00Z".into(),
                attachments: Vec::new(),
            },
            payload,
            &bureau_x,
        )
        .unwrap()
    };
    let sub = page_sealed(
        UploadKind::Submission,
        "wr-wang",
        "sub5.toml",
        SUB5.as_bytes(),
    );
    assert!(
        !sub.windows(12)
            .any(|w| SUB5.as_bytes().windows(12).next() == Some(w))
    );
    let (s, loc) = upload_as(
        &a,
        &base,
        &wr,
        &csrf(&whome),
        "submission",
        "sub5.toml.qup",
        &sub,
    );
    assert!(s == 303 && loc.contains("ok"), "{loc}");
    // declared as questions but holding responses: the portal cannot tell, the vault can
    let lie = page_sealed(
        UploadKind::Responses,
        "wr-wang",
        "r.csv",
        b"candidate,copy\n",
    );
    let (s, loc) = upload_as(&a, &base, &wr, &csrf(&whome), "submission", "x.qup", &lie);
    assert!(s == 303 && loc.contains("ok"), "{loc}");
    // a writer may not send responses
    let (s, loc) = upload_as(&a, &base, &wr, &csrf(&whome), "responses", "r.qup", &lie);
    assert!(s == 303 && loc.contains("error"), "{loc}");

    // the inbox back into the vault: pinned portal key, results into analysis
    let inbox = dir.join("inbox-1.qbx");
    let site2 = rt
        .block_on(Site::connect(&installed.config.database))
        .unwrap();
    let (seq, n) = rt
        .block_on(qbank::site::setup::inbox_file(
            &site2,
            &pdir,
            &inbox,
            jiff::Timestamp::now(),
        ))
        .unwrap();
    assert_eq!((seq, n), (1, 3));
    assert!(
        portal::inbox(&cfg, &inbox, 0.8, &Default::default()).is_err(),
        "refused until the portal key is pinned"
    );
    portal::pin(&cfg, &installed.portal_pub, &installed.portal_fingerprint).unwrap();
    // killed after every upload was taken but before the inbox's own record: run again, each
    // upload is taken once — the questions are not queued twice nor returned as duplicates
    let killed = std::process::Command::new(env!("CARGO_BIN_EXE_qbank"))
        .current_dir(dir)
        .env_remove("QBANK_STORE")
        .env_remove("QBANK_KEY_FILE")
        .env_remove("QBANK_PASSPHRASE")
        .env(qbank::ops::fault::VAR, "portal-inbox:uploads-taken")
        .args([
            "--store",
            "store",
            "--key-file",
            "master.key",
            "portal",
            "inbox",
        ])
        .arg(&inbox)
        .output()
        .unwrap();
    assert!(
        killed.status.code().is_none(),
        "aborted at the point: {:?} {}",
        killed.status,
        String::from_utf8_lossy(&killed.stderr)
    );
    assert_eq!(
        qbank::ops::submission::queue(&cfg, None).unwrap().len(),
        2,
        "the killed run had queued the questions"
    );
    let got = portal::inbox(&cfg, &inbox, 0.8, &Default::default()).unwrap();
    assert_eq!(got.receipts.len(), 3);
    assert!(
        got.receipts[0].accepted && got.receipts[1].accepted,
        "{:?}",
        got.receipts
    );
    assert!(
        got.receipts[1].message.contains("2 道试题"),
        "{:?}",
        got.receipts[1]
    );
    assert!(
        !got.receipts[2].accepted && got.receipts[2].message.contains("声明为"),
        "{:?}",
        got.receipts[2]
    );
    let queued = qbank::ops::submission::queue(&cfg, None).unwrap();
    assert_eq!(
        queued.len(),
        2,
        "the page-sealed questions are in the review queue"
    );
    assert!(
        queued
            .iter()
            .all(|q| q.organisation == A && q.writer == "王建国")
    );
    assert_eq!(got.analysis.as_ref().unwrap().candidates, 5);
    assert!(
        portal::inbox(&cfg, &inbox, 0.8, &Default::default())
            .unwrap()
            .again
    );

    // the next outbox tells the portal what became of the upload
    let outbox2 = dir.join("outbox-2.qbx");
    portal::outbox(
        &cfg,
        &OutboxOptions {
            out: outbox2.clone(),
            packages: vec![dir.join("sit/packages")],
            ..Default::default()
        },
    )
    .unwrap();
    rt.block_on(qbank::site::setup::import_file(
        &site2,
        &outbox2,
        jiff::Timestamp::now(),
    ))
    .unwrap();
    let old = rt.block_on(qbank::site::setup::import_file(
        &site2,
        &outbox,
        jiff::Timestamp::now(),
    ));
    assert!(old.is_err(), "an older outbox cannot replace a newer one");
    let ahome = body(
        a.get(format!("{base}/home"))
            .header("cookie", &admin)
            .call()
            .unwrap(),
    );
    assert!(ahome.contains("鉴定中心已接收"), "the receipt is shown");

    // the bureau's operator sees the portal's state, and fetches nothing sealed
    let r = a
        .post(format!("{base}/login"))
        .send_form([("login", "ops-li"), ("password", "operator-pass-1")])
        .unwrap();
    let op = cookie_of(&r);
    let ohome = body(
        a.get(format!("{base}/home"))
            .header("cookie", &op)
            .call()
            .unwrap(),
    );
    assert!(ohome.contains("最近导入的数据包：第 2 号"), "{ohome}");
    assert!(ohome.contains("最近导出的回传包：第 1 号"));
    let row = |id: &str| {
        let at = ohome.find(&format!("<tr><td>{id}</td>")).unwrap();
        ohome[at..at + ohome[at..].find("</tr>").unwrap()].to_string()
    };
    // A: administrator enrolled, 3 active accounts, nothing waiting, 1 upload returned
    assert!(
        row(A).contains("管理员已注册") && row(A).ends_with("<td>3</td><td>0</td><td>1</td>"),
        "{}",
        row(A)
    );
    assert!(row(B).contains("未发注册码"), "{}", row(B));
    assert!(
        ohome.contains("哈希链完整") && ohome.contains("导入数据包") && ohome.contains("登录被拒")
    );
    assert_eq!(
        a.get(format!("{base}/packages/T-AN/{A}.qpkg"))
            .header("cookie", &op)
            .call()
            .unwrap()
            .status(),
        403,
        "the operator fetches no package"
    );

    // logging out ends the session on the server
    let r = form(
        &a,
        &format!("{base}/logout"),
        &ev,
        &[(
            "csrf",
            &qbank::site::accounts::csrf_of(ev.split('=').nth(1).unwrap()),
        )],
    );
    assert_eq!(r.status(), 303);
    assert_eq!(
        a.get(format!("{base}/packages/T-AN/{A}.qpkg"))
            .header("cookie", &ev)
            .call()
            .unwrap()
            .status(),
        401
    );

    // the log is whole; nothing of the paper is in the portal's database
    assert!(rt.block_on(site2.verify_log()).unwrap() > 10);
    drop(site2);
    let mut db = Vec::new();
    for f in ["portal.db", "portal.db-wal"] {
        if let Ok(b) = std::fs::read(pdir.join(f)) {
            db.extend(b);
        }
    }
    let paper = json(&copy_a.join("paper.json"));
    let mut stems = 0;
    for s in paper["sections"].as_array().unwrap() {
        for i in s["items"].as_array().unwrap() {
            let stem: String = i["stem"].as_str().unwrap().chars().take(10).collect();
            assert!(
                !db.windows(stem.len()).any(|w| w == stem.as_bytes()),
                "a stem is readable in the portal's database: {stem}"
            );
            stems += 1;
        }
    }
    assert!(stems > 50);
    for stem in ["接触器铭牌上标注的额定电压", "按钮帽为红色的按钮"] {
        assert!(
            !db.windows(stem.len()).any(|w| w == stem.as_bytes()),
            "the writer's question is readable on the portal"
        );
    }
}
