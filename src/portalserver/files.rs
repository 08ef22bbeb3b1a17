//! The portal's handlers for files and the pages about them: the public catalog, the
//! signed-in home page, downloads of packages and releases (immutable bytes with `ETag` and
//! single `Range` requests, so a cut download resumes, on any node), uploads, and the bureau's
//! public key. Each is one `site` call; `site::files` decides who may fetch what and when.

use super::{App, Signed, back, forbidden_csrf, not_found, org_name, plain, refusal, server_error};
use crate::error::Error;
use crate::portal::crossing::PartKind;
use crate::portal::rules::Role;
use crate::render::portal as pages;
use crate::site::totp::{TotpState, may_use};
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Deserialize)]
pub(super) struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
}

pub(super) async fn catalog(
    State(app): State<Arc<App>>,
    s: Option<Signed>,
    Query(q): Query<Search>,
) -> Response {
    let orgs = match app.site.catalog(&q.q, &q.region).await {
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
    let Some(s) = s else {
        return Html(pages::catalog_page(
            &orgs, &q.q, &q.region, &published, None,
        ))
        .into_response();
    };
    let name = org_name(&app, &s.user).await;
    let csrf = s.csrf();
    let viewer = pages::Viewer {
        user: &s.user,
        organisation: &name,
        csrf: &csrf,
    };
    Html(pages::catalog_page(
        &orgs,
        &q.q,
        &q.region,
        &published,
        Some(&viewer),
    ))
    .into_response()
}

pub(super) async fn home(
    State(app): State<Arc<App>>,
    s: Option<Signed>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(s) = s else {
        return Redirect::to("/login").into_response();
    };
    let u = &s.user;
    let now = Timestamp::now();
    let org = u.organisation.clone().unwrap_or_default();
    let sittings = match app.site.sittings_of(u, now).await {
        Ok(s) => s,
        Err(e) => return server_error(e),
    };
    let uploads = if matches!(u.role, Role::Admin | Role::Writer) {
        match app.site.uploads_of(u).await {
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
    let totp_on = if may_use(u.role) {
        match app.site.totp_state(u).await {
            Ok(t) => Some(t == TotpState::On),
            Err(e) => return server_error(e),
        }
    } else {
        None
    };
    let overview = if u.role == Role::Operator {
        match app.site.overview(u, now).await {
            Ok(o) => Some(o),
            Err(e) => return server_error(e),
        }
    } else {
        None
    };
    let name = org_name(&app, u).await;
    let csrf = s.csrf();
    let bureau_x25519 = app.site.bureau_x25519().await.unwrap_or_default();
    let v = pages::Viewer {
        user: u,
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
            totp_on,
            overview: overview.as_ref(),
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

pub(super) async fn package(
    State(app): State<Arc<App>>,
    s: Signed,
    h: HeaderMap,
    Path((sitting, file)): Path<(String, String)>,
) -> Response {
    let Some(org) = file.strip_suffix(".qpkg").filter(|_| safe_file(&file)) else {
        return not_found();
    };
    match app
        .site
        .package(&s.user, &sitting, org, Timestamp::now())
        .await
    {
        Ok((sha, bytes)) => ranged(&h, &sha, bytes, "application/octet-stream", &file),
        Err(e) => refusal(e),
    }
}

pub(super) async fn release(
    State(app): State<Arc<App>>,
    s: Signed,
    h: HeaderMap,
    Path((sitting, file)): Path<(String, String)>,
) -> Response {
    let stage = match file.as_str() {
        "papers.json" => PartKind::PapersRelease,
        "keys.json" => PartKind::KeysRelease,
        _ => return not_found(),
    };
    match app
        .site
        .release(&s.user, &sitting, stage, Timestamp::now())
        .await
    {
        Ok((sha, bytes)) => ranged(&h, &sha, bytes, "application/json", &file),
        Err(e) => refusal(e),
    }
}

const CUT: &str = "上传未完成或文件过大（不超过 32 MiB）";

pub(super) async fn upload(State(app): State<Arc<App>>, s: Signed, mut m: Multipart) -> Response {
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
                    Err(_) => return back(None, Some(CUT)),
                }
            }
            Ok(None) => break,
            Err(_) => return back(None, Some(CUT)),
        }
    }
    if !csrf.as_deref().is_some_and(|c| s.csrf_ok(c)) {
        return forbidden_csrf();
    }
    let Some((name, bytes)) = file else {
        return back(None, Some("请选择要上传的文件"));
    };
    match app
        .site
        .upload(&s.user, &name, declared, &bytes, Timestamp::now())
        .await
    {
        Ok(id) => back(
            Some(&format!(
                "已收到第 {id} 号上传，将随下一次数据交换送达鉴定中心"
            )),
            None,
        ),
        Err(e @ (Error::Usage(_) | Error::Identity(_))) => back(None, Some(&plain(&e))),
        Err(e) => server_error(e),
    }
}

pub(super) async fn bureau_pub(State(app): State<Arc<App>>) -> Response {
    match app.site.setting("bureau_pub").await {
        Ok(Some(t)) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], t).into_response(),
        Ok(None) => not_found(),
        Err(e) => server_error(e),
    }
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
