//! The 机考 server (`qbank exam serve`): axum handlers over `ops::exam::live::Live` — cookies,
//! CSRF checks, JSON and forms in, pages from `render::exam` out. No rule of the exam lives
//! here: every decision is the library's (`exam::Exam::check`, `Live`).

mod mark;
mod proctor;

use crate::exam::{Event, Refusal, Value};
use crate::ops::exam::live::{Failure, Live, csrf_of};
use crate::render::exam as page;
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Form, Json, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

const CANDIDATE_COOKIE: &str = "qbank_exam";
const JS: &str = include_str!("exam.js");
const CSS: &str = include_str!("exam.css");

/// What the handlers share.
pub struct App {
    pub live: Live,
    pub occupation: String,
    pub level: String,
    pub organisation: String,
    pub copy: String,
}

pub(super) type S = State<Arc<App>>;

impl App {
    fn title(&self) -> page::ExamTitle<'_> {
        page::ExamTitle {
            occupation: &self.occupation,
            level: &self.level,
            organisation: &self.organisation,
            copy: &self.copy,
        }
    }
}

/// The router of the exam server.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", post(login))
        .route("/exam", get(exam))
        .route("/api/answer", post(answer))
        .route("/api/flag", post(flag))
        .route("/api/submit", post(submit))
        .route("/api/state", get(state))
        .route("/api/ping", get(ping))
        .route("/proctor", get(proctor::room_page))
        .route("/proctor/login", post(proctor::login))
        .route("/proctor/extend", post(proctor::extend))
        .route("/proctor/unlock", post(proctor::unlock))
        .route("/proctor/submit", post(proctor::force_submit))
        .route("/proctor/api/rows", get(proctor::rows))
        .route("/mark", get(mark::overview))
        .route("/mark/login", post(mark::login))
        .route("/mark/q/{q}", get(mark::task).post(mark::submit))
        .route(
            "/static/exam.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route(
            "/static/exam.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .layer(DefaultBodyLimit::max(64 << 10))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app)
}

async fn secure_headers(r: Response) -> Response {
    crate::web::secure(
        r,
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

pub(super) use crate::web::{cookie, url_escape};

pub(super) fn set_cookie(name: &str, token: &str) -> (header::HeaderName, String) {
    (
        header::SET_COOKIE,
        format!("{name}={token}; HttpOnly; SameSite=Strict; Path=/"),
    )
}

/// The candidate's session: (ticket, token).
fn candidate(app: &App, h: &HeaderMap) -> Option<(String, String)> {
    let token = cookie(h, CANDIDATE_COOKIE)?;
    app.live.session(token).map(|t| (t, token.to_string()))
}

pub(super) fn refused(status: StatusCode, msg: impl std::fmt::Display) -> Response {
    (status, Json(json!({ "error": msg.to_string() }))).into_response()
}

pub(super) fn failure(f: Failure) -> Response {
    let status = match &f {
        Failure::Refused(Refusal::Closed | Refusal::NotStarted) => StatusCode::CONFLICT,
        Failure::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Failure::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
        Failure::NoSession => StatusCode::UNAUTHORIZED,
        Failure::Stopped => StatusCode::SERVICE_UNAVAILABLE,
    };
    refused(status, f)
}

/// A change from a candidate's page: the session and its CSRF header.
fn change(app: &App, h: &HeaderMap) -> Result<String, Box<Response>> {
    let (ticket, token) = candidate(app, h).ok_or_else(|| Box::new(failure(Failure::NoSession)))?;
    let sent = h.get("x-csrf").and_then(|v| v.to_str().ok()).unwrap_or("");
    if sent != csrf_of(&token) {
        return Err(Box::new(refused(
            StatusCode::FORBIDDEN,
            "请求来源无法验证，请刷新页面",
        )));
    }
    Ok(ticket)
}

async fn index(State(app): S, h: HeaderMap) -> Response {
    if candidate(&app, &h).is_some() {
        return Redirect::to("/exam").into_response();
    }
    Html(page::login_page(&app.title(), None)).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    ticket: String,
    id4: String,
}

async fn login(
    State(app): S,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    match app
        .live
        .login(&f.ticket, &f.id4, &addr.ip().to_string())
        .await
    {
        Ok(token) => (
            [set_cookie(CANDIDATE_COOKIE, &token)],
            Redirect::to("/exam"),
        )
            .into_response(),
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            Html(page::login_page(&app.title(), Some(&e.to_string()))),
        )
            .into_response(),
    }
}

async fn exam(State(app): S, h: HeaderMap) -> Response {
    let Some((ticket, token)) = candidate(&app, &h) else {
        return Redirect::to("/").into_response();
    };
    let Some(v) = app.live.view(&ticket) else {
        return Redirect::to("/").into_response();
    };
    let who = page::Who {
        name: &v.name,
        ticket: &v.ticket,
        seat: &v.seat,
    };
    let t = app.title();
    let html = match v.phase {
        "waiting" => page::waiting_page(&t, &who, v.seconds),
        "open" => app.live.read(|ex| {
            page::exam_page(
                &t,
                &who,
                &ex.paper,
                &ex.layout(&ticket),
                &page::Sheet {
                    answers: &v.answers,
                    flags: &v.flags,
                    seconds: v.seconds,
                    csrf: &csrf_of(&token),
                },
            )
        }),
        _ => {
            let (done, total) = app
                .live
                .read(|ex| (ex.answered(&ticket), ex.questions().count()));
            page::closed_page(&t, &who, done, total)
        }
    };
    Html(html).into_response()
}

#[derive(Deserialize)]
struct AnswerBody {
    q: u32,
    rev: u64,
    value: Value,
}

async fn answer(State(app): S, h: HeaderMap, Json(b): Json<AnswerBody>) -> Response {
    let ticket = match change(&app, &h) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let ev = Event::Answer {
        ticket,
        q: b.q,
        rev: b.rev,
        value: b.value,
    };
    match app.live.append(ev).await {
        Ok(r) => Json(json!({ "saved": b.rev, "seq": r.seq })).into_response(),
        Err(f) => failure(f),
    }
}

#[derive(Deserialize)]
struct FlagBody {
    q: u32,
    on: bool,
}

async fn flag(State(app): S, h: HeaderMap, Json(b): Json<FlagBody>) -> Response {
    let ticket = match change(&app, &h) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    match app
        .live
        .append(Event::Flag {
            ticket,
            q: b.q,
            on: b.on,
        })
        .await
    {
        Ok(_) => Json(json!({ "ok": true })).into_response(),
        Err(f) => failure(f),
    }
}

async fn submit(State(app): S, h: HeaderMap) -> Response {
    let ticket = match change(&app, &h) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    match app
        .live
        .append(Event::Submit {
            ticket,
            forced: false,
        })
        .await
    {
        Ok(_) => Json(json!({ "submitted": true })).into_response(),
        Err(f) => failure(f),
    }
}

async fn state(State(app): S, h: HeaderMap) -> Response {
    match candidate(&app, &h).and_then(|(t, _)| app.live.view(&t)) {
        Some(v) => Json(v).into_response(),
        None => failure(Failure::NoSession),
    }
}

async fn ping(State(app): S, h: HeaderMap) -> Response {
    match candidate(&app, &h).and_then(|(t, _)| app.live.view(&t)) {
        Some(v) => Json(json!({ "phase": v.phase, "seconds": v.seconds })).into_response(),
        None => failure(Failure::NoSession),
    }
}

/// The notice a page shows after a redirect (`?notice=…`).
#[derive(Deserialize)]
pub(super) struct Notice {
    #[serde(default)]
    pub notice: Option<String>,
}

/// Serves the exam on `listener` until the process is stopped, submitting overdue candidates
/// each second.
pub async fn serve(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let live = app.live.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            live.submit_overdue().await;
        }
    });
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
