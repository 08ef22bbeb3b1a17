//! The examiners' handlers (/mark): sign-in by name with the marking code, the overview, one
//! blind answer at a time against the marking scheme, each mark posted with the form's CSRF
//! value and answered with a redirect.

use super::{App, Notice, S, cookie, refused, set_cookie, url_escape};
use crate::exam::Refusal;
use crate::ops::exam::live::{Failure, csrf_of};
use crate::render::exam as page;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

const MARK_COOKIE: &str = "qbank_mark";

/// The examiner's session: (name, token).
fn examiner(app: &App, h: &HeaderMap) -> Option<(String, String)> {
    let token = cookie(h, MARK_COOKIE)?;
    app.live.examiner(token).map(|n| (n, token.to_string()))
}

pub(super) async fn overview(State(app): S, h: HeaderMap, Query(n): Query<Notice>) -> Response {
    let Some((name, _)) = examiner(&app, &h) else {
        return Html(page::mark_login_page(&app.title(), None)).into_response();
    };
    let rows = app.live.marking_rows(&name);
    Html(page::mark_overview_page(
        &app.title(),
        &name,
        &rows,
        app.live.has_key(),
        n.notice.as_deref(),
    ))
    .into_response()
}

#[derive(Deserialize)]
pub(super) struct MarkLoginForm {
    name: String,
    code: String,
}

pub(super) async fn login(
    State(app): S,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<MarkLoginForm>,
) -> Response {
    match app
        .live
        .examiner_login(&f.name, &f.code, &addr.ip().to_string())
        .await
    {
        Ok(token) => ([set_cookie(MARK_COOKIE, &token)], Redirect::to("/mark")).into_response(),
        Err(e) => {
            let msg = match e {
                Failure::Refused(Refusal::WrongSecondFactor) => "阅卷码不正确".to_string(),
                other => other.to_string(),
            };
            (
                StatusCode::UNAUTHORIZED,
                Html(page::mark_login_page(&app.title(), Some(&msg))),
            )
                .into_response()
        }
    }
}

pub(super) async fn task(State(app): S, h: HeaderMap, Path(q): Path<u32>) -> Response {
    let Some((name, token)) = examiner(&app, &h) else {
        return Redirect::to("/mark").into_response();
    };
    let Some(task) = app.live.next_to_mark(&name, q) else {
        let n = url_escape(&format!("第 {q} 题已没有待您评阅的答案"));
        return Redirect::to(&format!("/mark?notice={n}")).into_response();
    };
    let (double, threshold) = app
        .live
        .read(|ex| (ex.config.double_marking, ex.config.threshold));
    let v = page::MarkView {
        q,
        item: &task.item,
        key: &task.key,
        script: &task.script,
        text: &task.text,
        round: task.round,
        double,
        threshold,
    };
    Html(page::mark_task_page(
        &app.title(),
        &name,
        &v,
        &csrf_of(&token),
    ))
    .into_response()
}

#[derive(Deserialize)]
pub(super) struct MarkForm {
    csrf: String,
    script: String,
    score: String,
}

pub(super) async fn submit(
    State(app): S,
    h: HeaderMap,
    Path(q): Path<u32>,
    Form(f): Form<MarkForm>,
) -> Response {
    let Some((name, token)) = examiner(&app, &h) else {
        return refused(StatusCode::UNAUTHORIZED, "请先以阅卷码登录");
    };
    if f.csrf != csrf_of(&token) {
        return refused(StatusCode::FORBIDDEN, "请求来源无法验证，请刷新页面");
    }
    let result = match f.score.trim().parse::<f64>() {
        Ok(score) if score.is_finite() => app.live.mark(&name, q, &f.script, score).await,
        _ => Err(Failure::Refused(Refusal::BadMark {
            q,
            max: app.live.read(|ex| ex.question(q).map_or(0.0, |i| i.points)),
        })),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/mark/q/{q}")).into_response(),
        Err(e) => {
            let n = url_escape(&format!("未记录（答卷 {}）：{e}", f.script));
            Redirect::to(&format!("/mark?notice={n}")).into_response()
        }
    }
}
