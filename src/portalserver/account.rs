//! The portal's handlers for people: sign-in (password, and the one-time code for those who
//! switched it on), an administrator's enrolment with the bureau's code, signing out, setting
//! up one-time codes, and an administrator's users. Each is one `site` call.

use super::{
    App, COOKIE, Signed, back, back_to, forbidden_csrf, not_found, org_name, plain, refusal,
    server_error,
};
use crate::error::Error;
use crate::portal::rules::{Role, SESSION_MAX_SECS};
use crate::portal::totp;
use crate::render::portal as pages;
use crate::site::accounts::NewUser;
use crate::site::totp::{TotpState, may_use};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The authenticator app's name for the portal.
const ISSUER: &str = "江苏职业技能等级认定门户";

pub(super) async fn login_form() -> Html<String> {
    Html(pages::login_page(None))
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    totp: String,
}

fn session_cookie(app: &App, token: &str) -> (header::HeaderName, String) {
    (
        header::SET_COOKIE,
        format!(
            "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_MAX_SECS}{}",
            if app.secure_cookies { "; Secure" } else { "" }
        ),
    )
}

pub(super) async fn login(State(app): State<Arc<App>>, Form(f): Form<LoginForm>) -> Response {
    let code = Some(f.totp.as_str()).filter(|c| !c.trim().is_empty());
    match app
        .site
        .login(f.login.trim(), &f.password, code, Timestamp::now())
        .await
    {
        Ok((_, token)) => ([session_cookie(&app, &token)], Redirect::to("/home")).into_response(),
        Err(e @ Error::Identity(_)) => (
            StatusCode::UNAUTHORIZED,
            Html(pages::login_page(Some(&plain(&e)))),
        )
            .into_response(),
        Err(e) => server_error(e),
    }
}

pub(super) async fn enrol_form() -> Html<String> {
    Html(pages::enrol_page(None))
}

#[derive(Deserialize)]
pub(super) struct EnrolForm {
    organisation: String,
    code: String,
    login: String,
    name: String,
    password: String,
}

pub(super) async fn enrol(State(app): State<Arc<App>>, Form(f): Form<EnrolForm>) -> Response {
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
        Ok(_) => match app.site.login(u.login, &f.password, None, now).await {
            Ok((_, token)) => {
                ([session_cookie(&app, &token)], back(Some("注册成功"), None)).into_response()
            }
            Err(e) => server_error(e),
        },
        Err(e @ (Error::Identity(_) | Error::Usage(_))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(pages::enrol_page(Some(&plain(&e)))),
        )
            .into_response(),
        Err(e) => server_error(e),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn logout(
    State(app): State<Arc<App>>,
    s: Option<Signed>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let Some(s) = s else {
        return Redirect::to("/").into_response();
    };
    if !s.csrf_ok(&f.csrf) {
        return forbidden_csrf();
    }
    if let Err(e) = app.site.logout(&s.token, &s.user, Timestamp::now()).await {
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

/// The one-time-code page: start, scan and confirm, or switch off.
pub(super) async fn totp_form(
    State(app): State<Arc<App>>,
    s: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !may_use(s.user.role) {
        return refusal(Error::Identity(
            "只有机构管理员和鉴定中心操作员可以启用动态口令".into(),
        ));
    }
    let state = match app.site.totp_state(&s.user).await {
        Ok(x) => x,
        Err(e) => return server_error(e),
    };
    let pending = match state {
        TotpState::Pending => match app.site.totp_pending(&s.user).await {
            Ok(p) => p,
            Err(e) => return server_error(e),
        },
        _ => None,
    };
    let name = org_name(&app, &s.user).await;
    let csrf = s.csrf();
    let v = pages::Viewer {
        user: &s.user,
        organisation: &name,
        csrf: &csrf,
    };
    let error = q
        .get("error")
        .map(|m| m.chars().take(300).collect::<String>());
    let page = match pending {
        Some(secret) => {
            let uri = zeroize::Zeroizing::new(totp::otpauth_uri(ISSUER, &s.user.login, &secret));
            let b32 = zeroize::Zeroizing::new(totp::base32(&secret));
            pages::totp_page(
                &v,
                &pages::Totp::Pending {
                    secret: &b32,
                    uri: &uri,
                },
                error.as_deref(),
            )
        }
        None if state == TotpState::On => pages::totp_page(&v, &pages::Totp::On, error.as_deref()),
        None => pages::totp_page(&v, &pages::Totp::Off, error.as_deref()),
    };
    Html(page).into_response()
}

#[derive(Deserialize)]
pub(super) struct TotpForm {
    csrf: String,
    #[serde(default)]
    code: String,
}

pub(super) async fn totp_action(
    State(app): State<Arc<App>>,
    s: Signed,
    Path(action): Path<String>,
    Form(f): Form<TotpForm>,
) -> Response {
    if !s.csrf_ok(&f.csrf) {
        return forbidden_csrf();
    }
    let now = Timestamp::now();
    let (done, ok) = match action.as_str() {
        "begin" => (app.site.totp_begin(&s.user, now).await, None),
        "confirm" => (
            app.site.totp_confirm(&s.user, &f.code, now).await,
            Some("已启用动态口令：今后登录时须同时输入验证器中的口令"),
        ),
        "off" => (
            app.site.totp_off(&s.user, &f.code, now).await,
            Some("已停用动态口令"),
        ),
        _ => return not_found(),
    };
    match done {
        Ok(()) => match ok {
            Some(m) => back(Some(m), None),
            None => Redirect::to("/totp").into_response(),
        },
        Err(e @ Error::Usage(_)) => back_to("/totp", None, Some(&plain(&e))),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
pub(super) struct UserForm {
    csrf: String,
    login: String,
    name: String,
    role: String,
    password: String,
}

pub(super) async fn add_user(
    State(app): State<Arc<App>>,
    s: Signed,
    Form(f): Form<UserForm>,
) -> Response {
    if !s.csrf_ok(&f.csrf) {
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
    match app.site.add_user(&s.user, &nu, Timestamp::now()).await {
        Ok(_) => back(Some(&format!("已添加{} {}", role.name(), nu.login)), None),
        Err(e @ Error::Identity(_)) => refusal(e),
        Err(e @ Error::Usage(_)) => back(None, Some(&e.to_string())),
        Err(e) => server_error(e),
    }
}

pub(super) async fn set_active(
    State(app): State<Arc<App>>,
    s: Signed,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !s.csrf_ok(&f.csrf) {
        return forbidden_csrf();
    }
    let active = match action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => return not_found(),
    };
    match app
        .site
        .set_active(&s.user, id, active, Timestamp::now())
        .await
    {
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
