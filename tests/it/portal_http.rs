//! The portal's HTTP surface on its own (no vault needed): one-time codes guarding an
//! operator's sign-in (set up with a code of the app, then needed, taken once, wrong ones
//! counted, the secret never in the database in clear, reset from the command line's call), and
//! a property test over every route — thousands of seeded random requests, hostile paths,
//! methods, cookies, ranges and bodies, with and without a session — that must never get a
//! server error, a response without the security headers, or anything but a refusal for a
//! page that needs a session it did not bring.

use crate::exam_crash::agent;
use crate::portal::{body, cookie_of, csrf, form, qbank_url_decode};
use qbank::package::person::PersonSecret;
use qbank::portal::totp;
use qbank::portalserver::{App, ROUTES};
use qbank::site::Site;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

const OPERATOR: &str = "ops-zhangwei";
const PASSWORD: &str = "portal-pass-2026";

/// A portal with one operator account on a fresh SQLite database, served on loopback.
fn portal(dir: &Path) -> (tokio::runtime::Runtime, String, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}", dir.join("portal.db").display());
    let site = rt.block_on(Site::connect(&url)).unwrap();
    let key = PersonSecret::generate("portal").unwrap();
    site.set_totp_key(key.derive_key(qbank::site::totp::KEY_LABEL));
    rt.block_on(site.add_operator(OPERATOR, "张伟", PASSWORD, jiff::Timestamp::now()))
        .unwrap();
    let app = Arc::new(App {
        site,
        secure_cookies: true,
    });
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    rt.spawn(qbank::portalserver::serve(app, listener));
    (rt, format!("http://{addr}"), url)
}

fn base32_decode(s: &str) -> Vec<u8> {
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not Base32: {s}"),
        } as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn now_step() -> u64 {
    totp::step_of(jiff::Timestamp::now().as_second())
}

fn code_at(secret: &[u8], step: u64) -> String {
    format!("{:06}", totp::code(secret, step))
}

fn sign_in(a: &ureq::Agent, base: &str, code: &str) -> ureq::http::Response<ureq::Body> {
    a.post(format!("{base}/login"))
        .send_form([("login", OPERATOR), ("password", PASSWORD), ("totp", code)])
        .unwrap()
}

#[test]
fn one_time_codes_guard_a_sign_in_once_switched_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (rt, base, url) = portal(tmp.path());
    let a = agent();

    let r = sign_in(&a, &base, "");
    assert_eq!(r.status(), 303, "password alone while codes are off");
    let c = cookie_of(&r);
    assert!(
        r.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    let home = body(
        a.get(format!("{base}/home"))
            .header("cookie", &c)
            .call()
            .unwrap(),
    );
    assert!(home.contains("动态口令：未启用"), "{home}");
    let t = csrf(&home);

    // set-up needs the session's CSRF value
    let r = form(
        &a,
        &format!("{base}/totp/begin"),
        &c,
        &[("csrf", &"0".repeat(32))],
    );
    assert_eq!(r.status(), 403);
    let r = form(&a, &format!("{base}/totp/begin"), &c, &[("csrf", &t)]);
    assert_eq!(r.status(), 303);
    let page = body(
        a.get(format!("{base}/totp"))
            .header("cookie", &c)
            .call()
            .unwrap(),
    );
    assert!(page.contains("<svg"), "a QR code to scan");
    let at = page.find("secret=").expect("the otpauth link") + 7;
    let b32: String = page[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let secret = base32_decode(&b32);
    assert_eq!(secret.len(), totp::SECRET_LEN);
    let grouped = b32
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        page.contains(&grouped),
        "the secret to type by hand, in fours"
    );

    // a wrong code does not switch it on; a right one does
    let step = now_step();
    let wrong = (totp::code(&secret, step) + 1) % 1_000_000;
    let r = form(
        &a,
        &format!("{base}/totp/confirm"),
        &c,
        &[("csrf", &t), ("code", &format!("{wrong:06}"))],
    );
    let loc = qbank_url_decode(r.headers().get("location").unwrap().to_str().unwrap());
    assert!(
        loc.starts_with("/totp?error=") && loc.contains("动态口令不正确"),
        "{loc}"
    );
    let r = form(
        &a,
        &format!("{base}/totp/confirm"),
        &c,
        &[("csrf", &t), ("code", &code_at(&secret, step))],
    );
    let loc = qbank_url_decode(r.headers().get("location").unwrap().to_str().unwrap());
    assert!(loc.contains("已启用动态口令"), "{loc}");
    let home = body(
        a.get(format!("{base}/home"))
            .header("cookie", &c)
            .call()
            .unwrap(),
    );
    assert!(home.contains("动态口令：已启用"));

    // from now on the password alone is not enough, a wrong code counts, a code works once
    let r = sign_in(&a, &base, "");
    assert_eq!(r.status(), 401);
    assert!(body(r).contains("请同时输入验证器中显示的 6 位动态口令"));
    let r = sign_in(&a, &base, &format!("{wrong:06}"));
    assert_eq!(r.status(), 401);
    assert!(body(r).contains("动态口令不正确或已使用过"));
    let next = code_at(&secret, now_step() + 1);
    let r = sign_in(&a, &base, &next);
    assert_eq!(
        r.status(),
        303,
        "the next step's code (clocks a little apart)"
    );
    let fresh = cookie_of(&r);
    assert_ne!(fresh, c, "a new session at each sign-in");
    let r = sign_in(&a, &base, &next);
    assert_eq!(r.status(), 401, "the same code again is refused");
    let used = code_at(&secret, step);
    assert_eq!(
        sign_in(&a, &base, &used).status(),
        401,
        "an older step's code, after a later one was used"
    );

    // the secret is sealed in the database: neither its bytes nor its Base32 are there
    let mut db = std::fs::read(tmp.path().join("portal.db")).unwrap();
    if let Ok(w) = std::fs::read(tmp.path().join("portal.db-wal")) {
        db.extend(w);
    }
    assert!(!db.windows(secret.len()).any(|w| w == secret.as_slice()));
    assert!(!db.windows(b32.len()).any(|w| w == b32.as_bytes()));
    assert!(
        db.windows(7).any(|w| w == b"totp-on"),
        "switching on is logged"
    );

    // switching off needs a current code; the command line's reset clears it for a lost phone
    let t2 = csrf(&body(
        a.get(format!("{base}/home"))
            .header("cookie", &fresh)
            .call()
            .unwrap(),
    ));
    let r = form(
        &a,
        &format!("{base}/totp/off"),
        &fresh,
        &[("csrf", &t2), ("code", "123")],
    );
    let loc = qbank_url_decode(r.headers().get("location").unwrap().to_str().unwrap());
    assert!(loc.contains("未停用"), "{loc}");
    let other = rt.block_on(Site::connect(&url)).unwrap();
    rt.block_on(other.totp_reset(OPERATOR, jiff::Timestamp::now()))
        .unwrap();
    assert!(
        rt.block_on(other.totp_reset("nobody", jiff::Timestamp::now()))
            .is_err()
    );
    assert_eq!(
        sign_in(&a, &base, "").status(),
        303,
        "after the reset, the password alone"
    );
    let n = rt.block_on(other.verify_log()).unwrap();
    assert!(n >= 10, "every step logged: {n}");
}

/// Values for a route's `{…}` segments: real ones, traversal, encodings, huge and odd numbers.
const SEGMENTS: &[&str] = &[
    "JS-2026-11-DG",
    "S000032100001.qpkg",
    "papers.json",
    "keys.json",
    "..%2F..%2Fportal.db",
    "%2e%2e",
    "%00",
    "1",
    "-1",
    "99999999999999999999",
    "enable",
    "disable",
    "begin",
    "confirm",
    "off",
    "%E8%80%83%E8%AF%95",
    "a%20b",
    "x.qpkg",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"];

/// Pages anyone may open; everything else needs a session.
fn public(method: &str, path: &str) -> bool {
    path == "/"
        || path.starts_with("/static/")
        || ["/login", "/enrol", "/bureau.pub", "/healthz"].contains(&path)
        || (method == "POST" && path == "/logout")
}

fn random_body(rng: &mut ChaCha8Rng, csrf: &str) -> (String, Vec<u8>) {
    match rng.random_range(0..5) {
        0 => (String::new(), Vec::new()),
        1 => {
            let fields = [
                "csrf",
                "login",
                "password",
                "totp",
                "code",
                "role",
                "name",
                "organisation",
            ];
            let mut b = String::new();
            for _ in 0..rng.random_range(0..6) {
                let k = fields[rng.random_range(0..fields.len())];
                let v = match rng.random_range(0..4) {
                    0 => csrf.to_string(),
                    1 => "x".repeat(rng.random_range(0..3000)),
                    2 => "%FF%FE%00".into(),
                    _ => "admin".into(),
                };
                b += &format!("{k}={v}&");
            }
            ("application/x-www-form-urlencoded".into(), b.into_bytes())
        }
        2 => {
            let bd = "xYzBoUnDaRy";
            let mut b = format!("--{bd}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{bd}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\n\r\n").into_bytes();
            let n = rng.random_range(0..4096);
            b.extend((0..n).map(|_| rng.random::<u8>()));
            if rng.random_bool(0.5) {
                b.extend(format!("\r\n--{bd}--\r\n").into_bytes());
            }
            (format!("multipart/form-data; boundary={bd}"), b)
        }
        3 => (
            "application/octet-stream".into(),
            (0..rng.random_range(0..60_000))
                .map(|_| rng.random::<u8>())
                .collect(),
        ),
        _ => (
            "application/json".into(),
            b"{\"csrf\": [1, 2, {}]}".to_vec(),
        ),
    }
}

/// One request on its own connection; (status, headers lower-cased).
fn raw(addr: &str, req: &[u8]) -> (u16, Vec<(String, String)>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    s.write_all(req).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers)
}

#[test]
fn thousands_of_random_requests_never_break_the_portal_or_slip_past_its_session_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (rt, base, url) = portal(tmp.path());
    let addr = base.trim_start_matches("http://").to_string();
    let a = agent();
    let r = sign_in(&a, &base, "");
    let session = cookie_of(&r);
    let t = csrf(&body(
        a.get(format!("{base}/home"))
            .header("cookie", &session)
            .call()
            .unwrap(),
    ));
    let mut rng = ChaCha8Rng::seed_from_u64(20261202);
    let (mut n, mut refused_without_session) = (0, 0);
    for _ in 0..2500 {
        let (m, route) = ROUTES[rng.random_range(0..ROUTES.len())];
        let method = if rng.random_bool(0.8) {
            m
        } else {
            METHODS[rng.random_range(0..METHODS.len())]
        };
        let mut path = route.to_string();
        while let Some(open) = path.find('{') {
            let close = path[open..].find('}').unwrap() + open;
            let seg = SEGMENTS[rng.random_range(0..SEGMENTS.len())];
            path.replace_range(open..=close, seg);
        }
        let query = match rng.random_range(0..4) {
            0 => String::new(),
            1 => "?q=%E7%94%B5%E5%B7%A5&region=%E5%8D%97%E4%BA%AC".into(),
            2 => format!(
                "?ok={}&error=%3Cscript%3E",
                "A".repeat(rng.random_range(0..5000))
            ),
            _ => "?q=%FF%00".into(),
        };
        let cookie = match rng.random_range(0..4) {
            0 => None,
            1 => Some(session.clone()),
            2 => Some(format!("qbank_portal={}", "ab".repeat(32))),
            _ => Some("qbank_portal=../../x; other=1".to_string()),
        };
        // signing out would end the walk's session: only strangers try it
        let cookie = cookie.filter(|c| !(path == "/logout" && *c == session));
        let signed = cookie.as_deref() == Some(session.as_str());
        let (ctype, payload) = if matches!(method, "GET" | "HEAD") {
            (String::new(), Vec::new())
        } else {
            random_body(&mut rng, &t)
        };
        let mut req =
            format!("{method} {path}{query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
        if let Some(c) = &cookie {
            req += &format!("Cookie: {c}\r\n");
        }
        if rng.random_bool(0.2) {
            let ranges = [
                "bytes=0-0",
                "bytes=-1",
                "bytes=5-1",
                "bytes=99999999999999999999-",
                "bytes=0-1,3-4",
                "lines=1-2",
            ];
            req += &format!("Range: {}\r\n", ranges[rng.random_range(0..ranges.len())]);
        }
        if !ctype.is_empty() {
            req += &format!("Content-Type: {ctype}\r\n");
        }
        req += &format!("Content-Length: {}\r\n\r\n", payload.len());
        let mut bytes = req.into_bytes();
        bytes.extend(&payload);
        let (status, headers) = raw(&addr, &bytes);
        let h = |k: &str| {
            headers
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        let what = format!(
            "{method} {path}{} (session: {signed}) → {status}",
            &query[..query.len().min(40)]
        );
        assert!(status < 500, "{what}");
        assert!(
            h("content-security-policy").is_some_and(|c| c.contains("default-src 'none'")),
            "{what}: no CSP"
        );
        assert_eq!(h("x-content-type-options"), Some("nosniff"), "{what}");
        assert_eq!(h("x-frame-options"), Some("DENY"), "{what}");
        if !signed && !public(method, &path) {
            assert!(
                !(200..300).contains(&status),
                "{what}: a page that needs a session answered without one"
            );
            refused_without_session += (status == 401) as u32;
        }
        if let Some(sc) = h("set-cookie") {
            assert!(
                path == "/logout" || path == "/login",
                "{what}: a cookie set by {path}: {sc}"
            );
        }
        n += 1;
    }
    assert_eq!(n, 2500);
    assert!(
        refused_without_session > 300,
        "the walk reached the guarded pages: {refused_without_session}"
    );
    // the portal still answers, the session still works, and its log's chain holds
    assert_eq!(
        a.get(format!("{base}/healthz")).call().unwrap().status(),
        200
    );
    let home = a
        .get(format!("{base}/home"))
        .header("cookie", &session)
        .call()
        .unwrap();
    assert_eq!(
        home.status(),
        200,
        "the operator's session survived the walk"
    );
    let other = rt.block_on(Site::connect(&url)).unwrap();
    assert!(rt.block_on(other.verify_log()).unwrap() > 1);
}
