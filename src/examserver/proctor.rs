//! The proctor's handlers (/proctor): sign-in with the proctor code, the room's table, and the
//! actions — extend, unlock for another computer, force submission — each posted with the
//! form's CSRF value and answered with a redirect, so a reload never repeats one.

use super::{App, Notice, S, cookie, refused, set_cookie, url_escape};
use crate::exam::{Event, Refusal};
use crate::ops::exam::live::{Failure, csrf_of};
use crate::render::exam as page;
use axum::extract::{ConnectInfo, Form, Json, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

const PROCTOR_COOKIE: &str = "qbank_proctor";

fn proctor_token(app: &App, h: &HeaderMap) -> Option<String> {
    cookie(h, PROCTOR_COOKIE)
        .filter(|t| app.live.is_proctor(t))
        .map(String::from)
}

fn room(app: &App, token: &str, notice: Option<&str>) -> Response {
    let rows = app.live.proctor_rows();
    Html(page::proctor_page(
        &app.title(),
        &rows,
        &csrf_of(token),
        notice,
    ))
    .into_response()
}

pub(super) async fn room_page(State(app): S, h: HeaderMap, Query(n): Query<Notice>) -> Response {
    match proctor_token(&app, &h) {
        Some(t) => room(&app, &t, n.notice.as_deref()),
        None => Html(page::proctor_login_page(&app.title(), None)).into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    code: String,
}

pub(super) async fn login(
    State(app): S,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<CodeForm>,
) -> Response {
    match app
        .live
        .proctor_login(&f.code, &addr.ip().to_string())
        .await
    {
        Ok(token) => (
            [set_cookie(PROCTOR_COOKIE, &token)],
            Redirect::to("/proctor"),
        )
            .into_response(),
        Err(e) => {
            let msg = match e {
                Failure::Refused(_) => "监考码不正确".to_string(),
                other => other.to_string(),
            };
            (
                StatusCode::UNAUTHORIZED,
                Html(page::proctor_login_page(&app.title(), Some(&msg))),
            )
                .into_response()
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    csrf: String,
    ticket: String,
    #[serde(default)]
    minutes: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// A proctor's action: the proctor session and the form's CSRF field.
async fn act(
    app: &App,
    h: &HeaderMap,
    f: &ActionForm,
    ev: Result<Event, Refusal>,
    done: &str,
) -> Response {
    let Some(token) = proctor_token(app, h) else {
        return refused(StatusCode::UNAUTHORIZED, "请先以监考码登录");
    };
    if f.csrf != csrf_of(&token) {
        return refused(StatusCode::FORBIDDEN, "请求来源无法验证，请刷新页面");
    }
    let result = match ev {
        Ok(ev) => app.live.append(ev).await.map(|_| ()),
        Err(r) => Err(Failure::Refused(r)),
    };
    let notice = match result {
        Ok(()) => format!("{done}：{}", f.ticket),
        Err(e) => format!("未执行（{}）：{e}", f.ticket),
    };
    // after the action, a page that reloads without sending it again (POST, redirect, GET)
    let q: String = url_escape(&notice);
    Redirect::to(&format!("/proctor?notice={q}")).into_response()
}

pub(super) async fn extend(State(app): S, h: HeaderMap, Form(f): Form<ActionForm>) -> Response {
    let minutes = f
        .minutes
        .as_deref()
        .and_then(|m| m.trim().parse::<u32>().ok());
    let ev = match minutes {
        Some(minutes) => Ok(Event::Extend {
            ticket: f.ticket.clone(),
            minutes,
            reason: f.reason.clone().unwrap_or_default().trim().to_string(),
        }),
        None => Err(Refusal::BadExtension),
    };
    act(&app, &h, &f, ev, "已延时").await
}

pub(super) async fn unlock(State(app): S, h: HeaderMap, Form(f): Form<ActionForm>) -> Response {
    let reason = f.reason.clone().unwrap_or_default().trim().to_string();
    let ev = if reason.is_empty() {
        Err(Refusal::BadExtension)
    } else {
        Ok(Event::Unlock {
            ticket: f.ticket.clone(),
            reason,
        })
    };
    act(&app, &h, &f, ev, "已允许换机").await
}

pub(super) async fn force_submit(
    State(app): S,
    h: HeaderMap,
    Form(f): Form<ActionForm>,
) -> Response {
    let ev = Ok(Event::Submit {
        ticket: f.ticket.clone(),
        forced: true,
    });
    act(&app, &h, &f, ev, "已强制交卷").await
}

pub(super) async fn rows(State(app): S, h: HeaderMap) -> Response {
    if proctor_token(&app, &h).is_none() {
        return refused(StatusCode::UNAUTHORIZED, "请先以监考码登录");
    }
    Json(app.live.proctor_rows()).into_response()
}
