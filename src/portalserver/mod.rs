//! The thin HTTP front end of `qbank-portal serve` (axum on tokio): the routes, the security
//! headers on every response, the signed-in user as an extractor (`Signed`: the session
//! cookie's live session, with its CSRF value), and how library refusals answer a browser.
//! `account.rs`: sign-in, enrolment, one-time codes, users; `files.rs`: the catalog, the home
//! page, downloads (`Range`, `ETag`) and uploads. Every change needs the session cookie
//! (HttpOnly, SameSite=Strict, Secure unless configured off for plain HTTP on loopback) and
//! the session's CSRF value; form actions answer with a redirect. No rule lives here: `site`
//! and `portal::rules` decide.

mod account;
mod files;

use crate::error::Error;
use crate::portal::rules::{MAX_UPLOAD, User};
use crate::render::portal as pages;
use crate::site::Site;
use crate::site::accounts::csrf_of;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use std::sync::Arc;

const COOKIE: &str = "qbank_portal";
/// The upload page's script: seals in the browser.
const JS: &str = include_str!("portal.js");
/// @hpke/core, bundled (`tools/vendor-hpke.sh`).
const HPKE: &str = include_str!("vendor/hpke-core.js");
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The running portal.
pub struct App {
    pub site: Site,
    /// Adds `Secure` to the session cookie (behind TLS; off only for plain HTTP on loopback).
    pub secure_cookies: bool,
}

/// Every route the portal answers, with the method it takes (the property test walks them).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/enrol"),
    ("POST", "/enrol"),
    ("POST", "/logout"),
    ("GET", "/home"),
    ("GET", "/totp"),
    ("POST", "/totp/begin"),
    ("POST", "/totp/confirm"),
    ("POST", "/totp/off"),
    ("GET", "/packages/{sitting}/{file}"),
    ("GET", "/releases/{sitting}/{file}"),
    ("POST", "/upload"),
    ("POST", "/users"),
    ("POST", "/users/{id}/{action}"),
    ("GET", "/bureau.pub"),
    ("GET", "/healthz"),
    ("GET", "/static/portal.js"),
    ("GET", "/static/hpke-core.js"),
    ("GET", "/static/portal.css"),
];

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(files::catalog))
        .route("/login", get(account::login_form).post(account::login))
        .route("/enrol", get(account::enrol_form).post(account::enrol))
        .route("/logout", post(account::logout))
        .route("/home", get(files::home))
        .route("/totp", get(account::totp_form))
        .route("/totp/{action}", post(account::totp_action))
        .route("/packages/{sitting}/{file}", get(files::package))
        .route("/releases/{sitting}/{file}", get(files::release))
        .route(
            "/upload",
            post(files::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD + (1 << 20))),
        )
        .route("/users", post(account::add_user))
        .route("/users/{id}/{action}", post(account::set_active))
        .route("/bureau.pub", get(files::bureau_pub))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/static/portal.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route(
            "/static/hpke-core.js",
            get(|| async { asset("text/javascript; charset=utf-8", HPKE) }),
        )
        .route(
            "/static/portal.css",
            get(|| async { asset("text/css; charset=utf-8", pages::CSS) }),
        )
        .layer(DefaultBodyLimit::max(64 << 10))
        .layer(axum::middleware::map_response(|r| async {
            crate::web::secure(r, CSP)
        }))
        .with_state(app)
}

/// The signed-in user of a request: its live session, and the token it came by.
pub(crate) struct Signed {
    pub user: User,
    token: String,
}

impl Signed {
    /// The session's CSRF value (what its forms carry).
    fn csrf(&self) -> String {
        csrf_of(&self.token)
    }
    /// Whether a form's CSRF value is this session's.
    fn csrf_ok(&self, sent: &str) -> bool {
        sent == self.csrf()
    }
}

fn token(parts: &Parts) -> Option<&str> {
    crate::web::cookie(&parts.headers, COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl OptionalFromRequestParts<Arc<App>> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Option<Signed>, Response> {
        let Some(t) = token(parts) else {
            return Ok(None);
        };
        match app.site.session(t, Timestamp::now()).await {
            Ok(Some(user)) => Ok(Some(Signed {
                user,
                token: t.to_string(),
            })),
            Ok(None) => Ok(None),
            Err(e) => Err(server_error(e)),
        }
    }
}

/// Without a live session: 401 (pages that need one).
impl FromRequestParts<Arc<App>> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Signed, Response> {
        match <Signed as OptionalFromRequestParts<Arc<App>>>::from_request_parts(parts, app).await?
        {
            Some(s) => Ok(s),
            None => Err(unauthorised()),
        }
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

fn not_found() -> Response {
    refusal(Error::NotFound {
        what: "page",
        id: String::new(),
    })
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

/// Back to `to` with a message (`?ok=…` or `?error=…`).
fn back_to(to: &str, ok: Option<&str>, error: Option<&str>) -> Response {
    let mut to = to.to_string();
    if let Some(m) = ok {
        to += &format!("?ok={}", crate::web::url_escape(m));
    } else if let Some(m) = error {
        to += &format!("?error={}", crate::web::url_escape(m));
    }
    Redirect::to(&to).into_response()
}

fn back(ok: Option<&str>, error: Option<&str>) -> Response {
    back_to("/home", ok, error)
}

/// A library message as a person reads it (without the category word).
fn plain(e: &Error) -> String {
    e.to_string().replace("身份被拒绝：", "")
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

/// Serves the portal on `listener` until the process ends.
pub async fn serve(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(app)).await
}
