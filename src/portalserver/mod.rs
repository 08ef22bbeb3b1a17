//! The thin HTTP front end of `qbank-portal serve` (axum on tokio): the public catalog, sign-in
//! and enrolment, the home page, downloads of packages (`Range`, `ETag`) and releases, uploads
//! and user management. Every change needs the session cookie (HttpOnly, SameSite=Strict,
//! Secure unless configured off for plain HTTP on loopback) and the session's CSRF value; form
//! actions answer with a redirect. No rule lives here: `site` and `portal::rules` decide.

use crate::error::Error;
use crate::portal::crossing::PartKind;
use crate::portal::rules::{MAX_UPLOAD, Role, User};
use crate::render::portal as pages;
use crate::site::Site;
use crate::site::accounts::{NewUser, csrf_of};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

const COOKIE: &str = "qbank_portal";
/// The upload page's script: seals in the browser.
const JS: &str = include_str!("portal.js");
/// @hpke/core, bundled (`tools/vendor-hpke.sh`).
const HPKE: &str = include_str!("vendor/hpke-core.js");

/// The running portal.
pub struct App {
    pub site: Site,
    /// Adds `Secure` to the session cookie (behind TLS; off only for plain HTTP on loopback).
    pub secure_cookies: bool,
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(catalog))
        .route("/login", get(login_form).post(login))
        .route("/enrol", get(enrol_form).post(enrol))
        .route("/logout", post(logout))
        .route("/home", get(home))
        .route("/packages/{sitting}/{file}", get(package))
        .route("/releases/{sitting}/{file}", get(release))
        .route(
            "/upload",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD + (1 << 20))),
        )
        .route("/users", post(add_user))
        .route("/users/{id}/{action}", post(set_active))
        .route("/bureau.pub", get(bureau_pub))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/static/portal.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    JS,
                )
            }),
        )
        .route(
            "/static/hpke-core.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    HPKE,
                )
            }),
        )
        .route(
            "/static/portal.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    pages::CSS,
                )
            }),
        )
        .layer(DefaultBodyLimit::max(64 << 10))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app)
}

async fn secure_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

fn token(h: &HeaderMap) -> Option<&str> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The signed-in user and their token, or None.
async fn viewer(app: &App, h: &HeaderMap) -> Result<Option<(User, String)>, Response> {
    let Some(t) = token(h) else { return Ok(None) };
    match app.site.session(t, Timestamp::now()).await {
        Ok(Some(u)) => Ok(Some((u, t.to_string()))),
        Ok(None) => Ok(None),
        Err(e) => Err(server_error(e)),
    }
}

fn server_error(e: Error) -> Response {
    eprintln!("门户错误：{e}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(pages::refusal_page(
            "出错了",
            "服务器内部错误，请稍后再试",
            None,
        )),
    )
        .into_response()
}

/// How a library refusal answers a browser.
fn refusal(e: Error) -> Response {
    let status = match &e {
        Error::Identity(_) => StatusCode::FORBIDDEN,
        Error::TooEarly(_) => StatusCode::FORBIDDEN,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Usage(_) | Error::PackageRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return server_error(e),
    };
    let msg = match &e {
        Error::NotFound { .. } => "没有这个文件".to_string(),
        _ => e.to_string(),
    };
    (status, Html(pages::refusal_page("无法完成", &msg, None))).into_response()
}

fn unauthorised() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Html(pages::refusal_page(
            "请先登录",
            "此页面需要登录后访问",
            None,
        )),
    )
        .into_response()
}

fn forbidden_csrf() -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(pages::refusal_page(
            "无法完成",
            "表单已过期或来源不明，请返回页面重新操作",
            None,
        )),
    )
        .into_response()
}

fn back(ok: Option<&str>, error: Option<&str>) -> Response {
    let mut to = String::from("/home");
    if let Some(m) = ok {
        to += &format!("?ok={}", crate::examserver::url_escape(m));
    } else if let Some(m) = error {
        to += &format!("?error={}", crate::examserver::url_escape(m));
    }
    Redirect::to(&to).into_response()
}

async fn org_name(app: &App, u: &User) -> String {
    match &u.organisation {
        Some(o) => app
            .site
            .organisation_name(o)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| o.clone()),
        None => String::new(),
    }
}

#[derive(Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
}

async fn catalog(State(app): State<Arc<App>>, h: HeaderMap, Query(s): Query<Search>) -> Response {
    let v = match viewer(&app, &h).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let orgs = match app.site.catalog(&s.q, &s.region).await {
        Ok(o) => o,
        Err(e) => return server_error(e),
    };
    let published = app
        .site
        .setting("catalog_published")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    match &v {
        Some((u, t)) => {
            let name = org_name(&app, u).await;
            let csrf = csrf_of(t);
            let viewer = pages::Viewer {
                user: u,
                organisation: &name,
                csrf: &csrf,
            };
            Html(pages::catalog_page(
                &orgs,
                &s.q,
                &s.region,
                &published,
                Some(&viewer),
            ))
            .into_response()
        }
        None => Html(pages::catalog_page(
            &orgs, &s.q, &s.region, &published, None,
        ))
        .into_response(),
    }
}

async fn login_form() -> Html<String> {
    Html(pages::login_page(None))
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

fn session_cookie(app: &App, token: &str) -> (header::HeaderName, String) {
    (
        header::SET_COOKIE,
        format!(
            "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
            crate::portal::rules::SESSION_MAX_SECS,
            if app.secure_cookies { "; Secure" } else { "" }
        ),
    )
}

async fn login(State(app): State<Arc<App>>, Form(f): Form<LoginForm>) -> Response {
    match app
        .site
        .login(f.login.trim(), &f.password, Timestamp::now())
        .await
    {
        Ok((_, token)) => ([session_cookie(&app, &token)], Redirect::to("/home")).into_response(),
        Err(e @ Error::Identity(_)) => (
            StatusCode::UNAUTHORIZED,
            Html(pages::login_page(Some(
                &e.to_string().replace("身份被拒绝：", ""),
            ))),
        )
            .into_response(),
        Err(e) => server_error(e),
    }
}

async fn enrol_form() -> Html<String> {
    Html(pages::enrol_page(None))
}

#[derive(Deserialize)]
struct EnrolForm {
    organisation: String,
    code: String,
    login: String,
    name: String,
    password: String,
}

async fn enrol(State(app): State<Arc<App>>, Form(f): Form<EnrolForm>) -> Response {
    let u = NewUser {
        login: f.login.trim(),
        name: &f.name,
        role: Role::Admin,
        password: &f.password,
    };
    let now = Timestamp::now();
    match app
        .site
        .enrol(f.organisation.trim(), &f.code, &u, now)
        .await
    {
        Ok(_) => match app.site.login(u.login, &f.password, now).await {
            Ok((_, token)) => (
                [session_cookie(&app, &token)],
                Redirect::to("/home?ok=%E6%B3%A8%E5%86%8C%E6%88%90%E5%8A%9F"),
            )
                .into_response(),
            Err(e) => server_error(e),
        },
        Err(e @ (Error::Identity(_) | Error::Usage(_))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(pages::enrol_page(Some(
                &e.to_string().replace("身份被拒绝：", ""),
            ))),
        )
            .into_response(),
        Err(e) => server_error(e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(app): State<Arc<App>>, h: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    let Ok(Some((u, t))) = viewer(&app, &h).await else {
        return Redirect::to("/").into_response();
    };
    if f.csrf != csrf_of(&t) {
        return forbidden_csrf();
    }
    if let Err(e) = app.site.logout(&t, &u, Timestamp::now()).await {
        return server_error(e);
    }
    (
        [(
            header::SET_COOKIE,
            format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        )],
        Redirect::to("/"),
    )
        .into_response()
}

async fn home(
    State(app): State<Arc<App>>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (u, t) = match viewer(&app, &h).await {
        Ok(Some(v)) => v,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(r) => return r,
    };
    let now = Timestamp::now();
    let org = u.organisation.clone().unwrap_or_default();
    let sittings = match app.site.sittings_of(&u, now).await {
        Ok(s) => s,
        Err(e) => return server_error(e),
    };
    let uploads = if matches!(u.role, Role::Admin | Role::Writer) {
        match app.site.uploads_of(&u).await {
            Ok(x) => x,
            Err(e) => return server_error(e),
        }
    } else {
        Vec::new()
    };
    let users = if u.may_manage(&org) {
        match app.site.users(&org).await {
            Ok(x) => x,
            Err(e) => return server_error(e),
        }
    } else {
        Vec::new()
    };
    let name = org_name(&app, &u).await;
    let csrf = csrf_of(&t);
    let bureau_x25519 = app.site.bureau_x25519().await.unwrap_or_default();
    let v = pages::Viewer {
        user: &u,
        organisation: &name,
        csrf: &csrf,
    };
    let short = |k: &str| q.get(k).map(|m| m.chars().take(300).collect::<String>());
    let (ok, error) = (short("ok"), short("error"));
    Html(pages::home_page(
        &v,
        &pages::Home {
            sittings: &sittings,
            uploads: &uploads,
            users: &users,
            bureau_x25519: &bureau_x25519,
            error: error.as_deref(),
            ok: ok.as_deref(),
        },
    ))
    .into_response()
}

/// Serves immutable bytes with `ETag` and single `Range` requests (resumable downloads).
fn ranged(h: &HeaderMap, sha: &str, bytes: Arc<[u8]>, kind: &'static str, file: &str) -> Response {
    let etag = format!("\"{sha}\"");
    let body = Bytes::from_owner(bytes);
    let len = body.len() as u64;
    let range = h
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| {
            h.get(header::IF_RANGE)
                .is_none_or(|v| v.to_str().ok() == Some(etag.as_str()))
        });
    let mut r = match range.map(|r| parse_range(r, len)) {
        Some(Some((a, b))) => {
            let mut r = Response::new(Body::from(body.slice(a as usize..=b as usize)));
            *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            r.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes {a}-{b}/{len}")).expect("ascii"),
            );
            r
        }
        Some(None) => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            r.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{len}")).expect("ascii"),
            );
            return r;
        }
        None => Response::new(Body::from(body)),
    };
    let hs = r.headers_mut();
    hs.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    hs.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    hs.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex"));
    hs.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-transform"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        hs.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// One range of `bytes=a-b`, `a-` or `-n` within `len`; None when unsatisfiable. A list of
/// ranges is answered with its first.
fn parse_range(v: &str, len: u64) -> Option<(u64, u64)> {
    let spec = v.strip_prefix("bytes=")?.split(',').next()?.trim();
    let (a, b) = spec.split_once('-')?;
    if len == 0 {
        return None;
    }
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len - 1)
    } else {
        let s: u64 = a.parse().ok()?;
        let e = if b.is_empty() {
            len - 1
        } else {
            b.parse::<u64>().ok()?.min(len - 1)
        };
        (s, e)
    };
    (start <= end && start < len).then_some((start, end))
}

fn safe_file(file: &str) -> bool {
    file.len() <= 64
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

async fn package(
    State(app): State<Arc<App>>,
    h: HeaderMap,
    Path((sitting, file)): Path<(String, String)>,
) -> Response {
    let (u, _) = match viewer(&app, &h).await {
        Ok(Some(v)) => v,
        Ok(None) => return unauthorised(),
        Err(r) => return r,
    };
    let Some(org) = file.strip_suffix(".qpkg").filter(|_| safe_file(&file)) else {
        return refusal(Error::NotFound {
            what: "package",
            id: String::new(),
        });
    };
    match app.site.package(&u, &sitting, org, Timestamp::now()).await {
        Ok((sha, bytes)) => ranged(&h, &sha, bytes, "application/octet-stream", &file),
        Err(e) => refusal(e),
    }
}

async fn release(
    State(app): State<Arc<App>>,
    h: HeaderMap,
    Path((sitting, file)): Path<(String, String)>,
) -> Response {
    let (u, _) = match viewer(&app, &h).await {
        Ok(Some(v)) => v,
        Ok(None) => return unauthorised(),
        Err(r) => return r,
    };
    let stage = match file.as_str() {
        "papers.json" => PartKind::PapersRelease,
        "keys.json" => PartKind::KeysRelease,
        _ => {
            return refusal(Error::NotFound {
                what: "release",
                id: String::new(),
            });
        }
    };
    match app
        .site
        .release(&u, &sitting, stage, Timestamp::now())
        .await
    {
        Ok((sha, bytes)) => ranged(&h, &sha, bytes, "application/json", &file),
        Err(e) => refusal(e),
    }
}

async fn upload(State(app): State<Arc<App>>, h: HeaderMap, mut m: Multipart) -> Response {
    let (u, t) = match viewer(&app, &h).await {
        Ok(Some(v)) => v,
        Ok(None) => return unauthorised(),
        Err(r) => return r,
    };
    let (mut csrf, mut file, mut declared) = (None, None, None);
    loop {
        match m.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                let file_name = f.file_name().unwrap_or("上传文件").to_string();
                match f.bytes().await {
                    Ok(b) if name == "csrf" => {
                        csrf = Some(String::from_utf8_lossy(&b).into_owned())
                    }
                    Ok(b) if name == "file" => file = Some((file_name, b)),
                    Ok(b) if name == "kind" => {
                        declared =
                            crate::package::upload::UploadKind::parse(&String::from_utf8_lossy(&b))
                    }
                    Ok(_) => {}
                    Err(_) => return back(None, Some("上传未完成或文件过大（不超过 32 MiB）")),
                }
            }
            Ok(None) => break,
            Err(_) => return back(None, Some("上传未完成或文件过大（不超过 32 MiB）")),
        }
    }
    if csrf.as_deref() != Some(csrf_of(&t).as_str()) {
        return forbidden_csrf();
    }
    let Some((name, bytes)) = file else {
        return back(None, Some("请选择要上传的文件"));
    };
    match app
        .site
        .upload(&u, &name, declared, &bytes, Timestamp::now())
        .await
    {
        Ok(id) => back(
            Some(&format!(
                "已收到第 {id} 号上传，将随下一次数据交换送达鉴定中心"
            )),
            None,
        ),
        Err(e @ (Error::Usage(_) | Error::Identity(_))) => {
            back(None, Some(&e.to_string().replace("身份被拒绝：", "")))
        }
        Err(e) => server_error(e),
    }
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    login: String,
    name: String,
    role: String,
    password: String,
}

async fn add_user(State(app): State<Arc<App>>, h: HeaderMap, Form(f): Form<UserForm>) -> Response {
    let (u, t) = match viewer(&app, &h).await {
        Ok(Some(v)) => v,
        Ok(None) => return unauthorised(),
        Err(r) => return r,
    };
    if f.csrf != csrf_of(&t) {
        return forbidden_csrf();
    }
    let Some(role) = Role::parse(&f.role) else {
        return back(None, Some("角色不正确"));
    };
    let nu = NewUser {
        login: f.login.trim(),
        name: &f.name,
        role,
        password: &f.password,
    };
    match app.site.add_user(&u, &nu, Timestamp::now()).await {
        Ok(_) => back(Some(&format!("已添加{} {}", role.name(), nu.login)), None),
        Err(e @ Error::Identity(_)) => refusal(e),
        Err(e @ Error::Usage(_)) => back(None, Some(&e.to_string())),
        Err(e) => server_error(e),
    }
}

async fn set_active(
    State(app): State<Arc<App>>,
    h: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let (u, t) = match viewer(&app, &h).await {
        Ok(Some(v)) => v,
        Ok(None) => return unauthorised(),
        Err(r) => return r,
    };
    if f.csrf != csrf_of(&t) {
        return forbidden_csrf();
    }
    let active = match action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => {
            return refusal(Error::NotFound {
                what: "action",
                id: String::new(),
            });
        }
    };
    match app.site.set_active(&u, id, active, Timestamp::now()).await {
        Ok(()) => back(
            Some(if active {
                "已启用"
            } else {
                "已停用，该用户的登录已失效"
            }),
            None,
        ),
        Err(e) => refusal(e),
    }
}

async fn bureau_pub(State(app): State<Arc<App>>) -> Response {
    match app.site.setting("bureau_pub").await {
        Ok(Some(t)) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], t).into_response(),
        Ok(None) => refusal(Error::NotFound {
            what: "bureau key",
            id: String::new(),
        }),
        Err(e) => server_error(e),
    }
}

/// Serves the portal on `listener` until the process ends.
pub async fn serve(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(app)).await
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_resume_a_download_and_refuse_what_lies_outside() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("bytes=500-", 1000), Some((500, 999)));
        assert_eq!(parse_range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=900-5000", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("bytes=5-1", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}
