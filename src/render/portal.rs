//! The portal's pages, server-rendered in Chinese, without any script: the public catalog with
//! its search, sign-in, an administrator's enrolment, and the signed-in home page — an
//! organisation's sittings with their packages and releases (and how to open them offline), its
//! uploads and their status, and for its administrator its users; setting up one-time codes.
//! Pure.

use super::html::esc;
use crate::portal::crossing::PartKind;
use crate::portal::rules::{Role, User};
use crate::portal::views::{CatalogOrg, OrgSitting, Overview, UploadRow};
use std::fmt::Write;

/// Who is signed in, for the page's bar: the user and their session's CSRF value.
pub struct Viewer<'a> {
    pub user: &'a User,
    pub organisation: &'a str,
    pub csrf: &'a str,
}

fn page(title: &str, viewer: Option<&Viewer>, body: &str) -> String {
    let mut bar = String::from("<a href=\"/\">机构目录</a>");
    match viewer {
        Some(v) => {
            let _ = write!(
                bar,
                " · <a href=\"/home\">我的工作台</a><span class=\"who\">{}（{}{}）</span>\
<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">退出</button></form>",
                esc(&v.user.name),
                esc(v.organisation),
                if v.organisation.is_empty() {
                    v.user.role.name().to_string()
                } else {
                    format!(" · {}", v.user.role.name())
                },
                esc(v.csrf)
            );
        }
        None => {
            bar.push_str(" · <a href=\"/login\">登录</a> · <a href=\"/enrol\">机构管理员注册</a>")
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · 职业技能等级认定门户</title><link rel=\"stylesheet\" href=\"/static/portal.css\">\
<script type=\"module\" src=\"/static/portal.js\"></script></head>\n<body>\
<header><p class=\"site\">江苏省职业技能等级认定门户</p><nav>{bar}</nav></header>\n<main id=\"main\">\n<h1>{}</h1>\n{body}\n</main></body></html>\n",
        esc(title),
        esc(title)
    )
}

fn notice(b: &mut String, error: Option<&str>, ok: Option<&str>) {
    if let Some(e) = error {
        let _ = write!(b, "<p class=\"error\" role=\"alert\">{}</p>", esc(e));
    }
    if let Some(m) = ok {
        let _ = write!(b, "<p class=\"ok\" role=\"status\">{}</p>", esc(m));
    }
}

/// The public catalog (目录公开发布), with the search it was asked.
pub fn catalog_page(
    orgs: &[CatalogOrg],
    word: &str,
    region: &str,
    published: &str,
    viewer: Option<&Viewer>,
) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<p>经备案的评价机构及其认定范围{}。</p>\
<form method=\"get\" action=\"/\" class=\"search\" role=\"search\">\
<label>名称、备案号或职业编码<input name=\"q\" value=\"{}\" maxlength=\"40\"></label>\
<label>地区<input name=\"region\" value=\"{}\" maxlength=\"20\"></label><button type=\"submit\">查询</button></form>",
        if published.is_empty() {
            String::new()
        } else {
            format!("（{}发布）", esc(&crate::ops::org::beijing_time(published)))
        },
        esc(word),
        esc(region)
    );
    if orgs.is_empty() {
        b.push_str("<p>没有符合条件的机构。</p>");
    } else {
        let _ = write!(
            b,
            "<table><caption>共 {} 家机构</caption><thead><tr><th scope=\"col\">备案号</th><th scope=\"col\">名称</th><th scope=\"col\">类型</th><th scope=\"col\">地区</th><th scope=\"col\">认定职业及等级</th><th scope=\"col\">状态</th></tr></thead><tbody>",
            orgs.len()
        );
        for o in orgs {
            let kind = o.kind.split_once(' ').map_or(o.kind.as_str(), |(_, k)| k);
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&o.id),
                esc(&o.name),
                esc(kind),
                esc(&o.region),
                esc(&o.certify).replace('；', "<br>"),
                esc(&o.status)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("<p>鉴定中心公钥：<a href=\"/bureau.pub\">bureau.pub</a>（固定值以备案时书面给出的为准）。</p>");
    page("评价机构目录", viewer, &b)
}

/// Sign-in.
pub fn login_page(error: Option<&str>) -> String {
    let mut b = String::new();
    notice(&mut b, error, None);
    b.push_str(
        "<form method=\"post\" action=\"/login\" class=\"card\">\
<label>登录名<input name=\"login\" required autofocus autocomplete=\"username\" maxlength=\"32\"></label>\
<label>密码<input name=\"password\" type=\"password\" required autocomplete=\"current-password\" maxlength=\"128\"></label>\
<label>动态口令（已启用动态口令的管理员填写）<input name=\"totp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\" pattern=\"[0-9 ]*\"></label>\
<button type=\"submit\">登录</button></form>\
<p class=\"hint\">考评员和命题人员的账户由本机构管理员开设；机构管理员首次使用请先<a href=\"/enrol\">注册</a>。</p>",
    );
    page("登录", None, &b)
}

/// An administrator's enrolment with the bureau's code.
pub fn enrol_page(error: Option<&str>) -> String {
    let mut b = String::new();
    notice(&mut b, error, None);
    b.push_str(
        "<p>请使用鉴定中心通知函中的注册码。注册码只能使用一次。</p>\
<form method=\"post\" action=\"/enrol\" class=\"card\" autocomplete=\"off\">\
<label>机构备案号<input name=\"organisation\" required maxlength=\"32\"></label>\
<label>注册码<input name=\"code\" required maxlength=\"40\"></label>\
<label>登录名（小写字母、数字）<input name=\"login\" required maxlength=\"32\" autocomplete=\"username\"></label>\
<label>姓名<input name=\"name\" required maxlength=\"32\"></label>\
<label>密码（至少 10 个字符）<input name=\"password\" type=\"password\" required maxlength=\"128\" autocomplete=\"new-password\"></label>\
<button type=\"submit\">注册</button></form>",
    );
    page("机构管理员注册", None, &b)
}

fn size(len: i64) -> String {
    if len >= 1 << 20 {
        format!("{:.1} MB", len as f64 / (1u64 << 20) as f64)
    } else {
        format!("{} KB", (len + 1023) / 1024)
    }
}

fn sittings_html(b: &mut String, org: &str, sittings: &[OrgSitting]) {
    b.push_str("<section><h2>考试与封装包</h2>");
    if sittings.is_empty() {
        b.push_str("<p>本机构目前没有待下载的封装包。</p></section>");
        return;
    }
    b.push_str("<table><thead><tr><th scope=\"col\">考试</th><th scope=\"col\">开考</th><th scope=\"col\">封装包</th><th scope=\"col\">试卷发布</th><th scope=\"col\">答案发布</th></tr></thead><tbody>");
    for s in sittings {
        let rel = |kind: PartKind, at: &str| -> String {
            match s.releases.iter().find(|(k, _, _)| *k == kind) {
                Some((_, _, true)) => format!(
                    "<a href=\"/releases/{}/{}.json\" download>下载</a>",
                    esc(&s.id),
                    if kind == PartKind::PapersRelease {
                        "papers"
                    } else {
                        "keys"
                    }
                ),
                Some((_, due, false)) => {
                    format!("{} 起提供", esc(&crate::ops::org::beijing_time(due)))
                }
                None => format!("未签发（预定 {}）", esc(&crate::ops::org::beijing_time(at))),
            }
        };
        let _ = write!(
            b,
            "<tr><td>{}<br><small>{}</small></td><td>{}</td><td><a href=\"/packages/{}/{}.qpkg\" download>{}.qpkg</a>（{}）<br><small>SHA-256 {}</small></td><td>{}</td><td>{}</td></tr>",
            esc(&s.title),
            esc(&s.id),
            esc(&crate::ops::org::beijing_time(&s.start)),
            esc(&s.id),
            esc(org),
            esc(org),
            size(s.package_len),
            esc(&s.package_sha256[..16.min(s.package_sha256.len())]),
            rel(PartKind::PapersRelease, &s.start),
            rel(PartKind::KeysRelease, &s.keys_at)
        );
    }
    let _ = write!(
        b,
        "</tbody></table><details open><summary>如何开启封装包（在考点的离线计算机上）</summary><ol>\
<li>下载封装包和试卷发布文件（开考时间起提供）；门户从不持有机构私钥，封装包只能用本机构的私钥开启。</li>\
<li>在保存本机构私钥的计算机上运行：<br><code>qbank unseal {org}.qpkg --org-key {org}.key --release papers.json --out 试卷</code></li>\
<li>考试结束后下载答案发布文件，再加 <code>--keys-release keys.json</code> 开启答案与评分标准。</li>\
<li>qbank 用备案时固定的鉴定中心公钥核验签名；核验不通过的文件不会被开启。</li></ol></details></section>",
        org = esc(org)
    );
}

fn uploads_html(b: &mut String, v: &Viewer, bureau_x25519: &str, uploads: &[UploadRow]) {
    let user = v.user;
    let kinds: &[(&str, &str)] = match user.role {
        Role::Admin => &[
            ("responses", "作答数据（CSV）"),
            ("feedback", "试题反馈（CSV）"),
            ("submission", "补充试题（Excel 或 TOML）"),
        ],
        _ => &[("submission", "补充试题（Excel 或 TOML）")],
    };
    let options: String = kinds
        .iter()
        .map(|(k, n)| format!("<option value=\"{k}\">{n}</option>"))
        .collect();
    let _ = write!(
        b,
        "<section><h2>上传</h2><p>文件在本机浏览器中加密给鉴定中心（鉴定中心公钥固定值见<a href=\"/bureau.pub\">bureau.pub</a>）后才发送，门户只保存密文，无法读取其内容。\
已用 <code>qbank submission seal</code> 或 <code>qbank exam export</code> 封装的文件（.qsub、.qres）按原样发送。</p>\
<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" class=\"card\" data-seal-to=\"{}\" data-organisation=\"{}\" data-user=\"{}\" data-writer=\"{}\">\
<input type=\"hidden\" name=\"csrf\" value=\"{}\"><label>类别<select name=\"kind\">{options}</select></label>\
<label>文件<input type=\"file\" name=\"file\" required></label>\
<label class=\"with-js\" hidden>图片（试题引用的图片文件，可多选）<input type=\"file\" name=\"figures\" multiple accept=\".png,.jpg,.jpeg,.svg\"></label>\
<p class=\"needs-js hint\">未启用 JavaScript：只能发送已用 qbank 封装的文件；要在浏览器中加密，请启用 JavaScript。</p>\
<button type=\"submit\">加密并上传</button></form>",
        esc(bureau_x25519),
        esc(user.organisation.as_deref().unwrap_or("")),
        esc(&user.login),
        esc(&user.name),
        esc(v.csrf)
    );
    if !uploads.is_empty() {
        b.push_str("<table><caption>已上传的文件</caption><thead><tr><th scope=\"col\">编号</th><th scope=\"col\">文件</th><th scope=\"col\">类别</th><th scope=\"col\">上传人</th><th scope=\"col\">时间</th><th scope=\"col\">状态</th></tr></thead><tbody>");
        for u in uploads {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}（{}）</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                u.id,
                esc(&u.file_name),
                size(u.len),
                u.kind.name(),
                esc(&u.login),
                esc(&crate::ops::org::beijing_time(&u.received)),
                u.status(),
                u.message
                    .as_deref()
                    .map(|m| format!("<br><small>{}</small>", esc(m).replace('\n', "<br>")))
                    .unwrap_or_default()
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>");
}

fn users_html(b: &mut String, csrf: &str, users: &[(i64, String, String, Role, bool)], me: i64) {
    b.push_str("<section><h2>本机构用户</h2><table><thead><tr><th scope=\"col\">登录名</th><th scope=\"col\">姓名</th><th scope=\"col\">角色</th><th scope=\"col\">状态</th><th scope=\"col\">操作</th></tr></thead><tbody>");
    for (id, login, name, role, active) in users {
        let action = if *id == me {
            String::new()
        } else {
            format!(
                "<form method=\"post\" action=\"/users/{id}/{}\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">{}</button></form>",
                if *active { "disable" } else { "enable" },
                esc(csrf),
                if *active { "停用" } else { "启用" }
            )
        };
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>",
            esc(login),
            esc(name),
            role.name(),
            if *active { "启用" } else { "已停用" }
        );
    }
    let _ = write!(
        b,
        "</tbody></table><form method=\"post\" action=\"/users\" class=\"card\" autocomplete=\"off\"><h3>添加用户</h3>\
<input type=\"hidden\" name=\"csrf\" value=\"{}\">\
<label>登录名<input name=\"login\" required maxlength=\"32\"></label><label>姓名<input name=\"name\" required maxlength=\"32\"></label>\
<label>角色<select name=\"role\"><option value=\"evaluator\">考评员</option><option value=\"writer\">命题人员</option></select></label>\
<label>初始密码（至少 10 个字符，当面交给本人）<input name=\"password\" type=\"password\" required maxlength=\"128\" autocomplete=\"new-password\"></label>\
<button type=\"submit\">添加</button></form></section>",
        esc(csrf)
    );
}

fn overview_html(b: &mut String, o: &Overview) {
    let time = |t: &str| esc(&crate::ops::org::beijing_time(t));
    let _ = write!(
        b,
        "<section><h2>数据交换</h2><p>鉴定中心操作员通过离线保管库导出和导入数据包；本门户不持有任何可读的试题。</p><ul>\
<li>最近导入的数据包：{}</li><li>最近导出的回传包：{}</li><li>待传送至鉴定中心的上传：{} 件{}</li></ul></section>",
        o.outbox
            .as_ref()
            .map_or("尚无".to_string(), |(n, at)| format!(
                "第 {n} 号（{} 导入）",
                time(at)
            )),
        o.inbox.map_or("尚无".to_string(), |n| format!("第 {n} 号")),
        o.waiting,
        if o.waiting > 0 {
            "（在门户服务器上运行 <code>qbank-portal inbox --out 回传包.qbx</code> 导出，带回离线保管库导入）"
        } else {
            ""
        }
    );
    b.push_str("<section><h2>评价机构</h2>");
    if o.organisations.is_empty() {
        b.push_str("<p>尚未导入机构目录。</p>");
    } else {
        b.push_str("<table><thead><tr><th scope=\"col\">备案号</th><th scope=\"col\">名称</th><th scope=\"col\">地区</th><th scope=\"col\">状态</th><th scope=\"col\">管理员</th><th scope=\"col\">在用账户</th><th scope=\"col\">待传送</th><th scope=\"col\">已退回</th></tr></thead><tbody>");
        for g in &o.organisations {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.id),
                esc(&g.name),
                esc(&g.region),
                esc(&g.status),
                g.enrolment.name(),
                g.users,
                g.waiting,
                g.returned
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section><section><h2>门户日志</h2>");
    match &o.log_check {
        Ok(n) => {
            let _ = write!(
                b,
                "<p class=\"ok\">哈希链完整：共 {n} 条。以下为最近 {} 条。</p>",
                o.log.len()
            );
        }
        Err(e) => {
            let _ = write!(b, "<p class=\"error\" role=\"alert\">{}</p>", esc(e));
        }
    }
    if !o.log.is_empty() {
        b.push_str("<table class=\"log\"><thead><tr><th scope=\"col\">序号</th><th scope=\"col\">时间（北京时间）</th><th scope=\"col\">操作人</th><th scope=\"col\">事项</th><th scope=\"col\">详情</th></tr></thead><tbody>");
        for r in &o.log {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><small>{}</small></td></tr>",
                r.seq,
                esc(crate::ops::org::beijing_time(&r.at).trim_end_matches("（北京时间）")),
                esc(&r.actor),
                esc(r.action_name()),
                esc(&r.detail)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>");
}

/// What the home page shows.
pub struct Home<'a> {
    pub sittings: &'a [OrgSitting],
    pub uploads: &'a [UploadRow],
    pub users: &'a [(i64, String, String, Role, bool)],
    /// The bureau's X25519 key (hex) the upload page seals to.
    pub bureau_x25519: &'a str,
    /// Whether one-time codes are on, for those who may use them.
    pub totp_on: Option<bool>,
    /// The operator's view of the portal.
    pub overview: Option<&'a Overview>,
    pub error: Option<&'a str>,
    pub ok: Option<&'a str>,
}

/// What the one-time-code page shows.
pub enum Totp<'a> {
    Off,
    /// Set-up: the secret in Base32 and its `otpauth://` link (shown as a QR code).
    Pending {
        secret: &'a str,
        uri: &'a str,
    },
    On,
}

/// `text` as an inline SVG QR code (no style attributes, so the page's CSP holds), labelled.
fn qr(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .quiet_zone(true)
        .build();
    let svg = svg.split_once("?>").map_or(svg.as_str(), |(_, s)| s);
    svg.replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"动态口令设置二维码\" ",
        1,
    )
}

/// Setting up, confirming and switching off one-time codes (an authenticator app on a phone).
pub fn totp_page(v: &Viewer, t: &Totp, error: Option<&str>) -> String {
    let mut b = String::new();
    notice(&mut b, error, None);
    let csrf = esc(v.csrf);
    match t {
        Totp::Off => {
            let _ = write!(
                b,
                "<p>启用后，每次登录除密码外还需输入手机验证器（如 Microsoft Authenticator、FreeOTP、Google 身份验证器）中显示的 6 位动态口令。密码泄露时，他人仍无法登录。</p>\
<form method=\"post\" action=\"/totp/begin\" class=\"card\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">开始设置</button></form>"
            );
        }
        Totp::Pending { secret, uri } => {
            let qr_svg = qr(uri);
            let grouped: Vec<String> = secret
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            let _ = write!(
                b,
                "<ol><li>用手机验证器扫描下面的二维码；无法扫描时，手动添加账户并输入密钥。</li><li>输入验证器显示的 6 位口令完成启用。</li></ol>\
<figure class=\"qr\">{qr_svg}<figcaption>密钥：<code>{}</code></figcaption></figure>\
<details><summary>链接（供可点击的验证器使用）</summary><p><code>{}</code></p></details>\
<form method=\"post\" action=\"/totp/confirm\" class=\"card\" autocomplete=\"off\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<label>动态口令<input name=\"code\" required inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\"></label><button type=\"submit\">确认启用</button></form>",
                esc(&grouped.join(" ")),
                esc(uri)
            );
        }
        Totp::On => {
            let _ = write!(
                b,
                "<p>动态口令已启用：登录时须同时输入验证器中的 6 位口令，每个口令只能使用一次。</p>\
<form method=\"post\" action=\"/totp/off\" class=\"card\" autocomplete=\"off\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<label>当前动态口令<input name=\"code\" required inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\"></label><button type=\"submit\">停用动态口令</button></form>\
<p class=\"hint\">手机丢失时，请联系鉴定中心操作员。</p>"
            );
        }
    }
    b.push_str("<p><a href=\"/home\">返回工作台</a></p>");
    page("动态口令", Some(v), &b)
}

/// The signed-in home page, by role.
pub fn home_page(v: &Viewer, h: &Home) -> String {
    let mut b = String::new();
    notice(&mut b, h.error, h.ok);
    let org = v.user.organisation.as_deref().unwrap_or("");
    if v.user.sees_sittings() {
        sittings_html(&mut b, org, h.sittings);
    }
    if matches!(v.user.role, Role::Admin | Role::Writer) {
        uploads_html(&mut b, v, h.bureau_x25519, h.uploads);
    }
    if v.user.may_manage(org) {
        users_html(&mut b, v.csrf, h.users, v.user.id);
    }
    if let Some(o) = h.overview {
        overview_html(&mut b, o);
    }
    if let Some(on) = h.totp_on {
        let _ = write!(
            b,
            "<section><h2>账户安全</h2><p>动态口令：{}。<a href=\"/totp\">{}</a></p></section>",
            if on { "已启用" } else { "未启用" },
            if on {
                "管理动态口令"
            } else {
                "启用动态口令（推荐）"
            }
        );
    }
    page("我的工作台", Some(v), &b)
}

/// A refusal as a page (a direct URL the user may not open, a release before its time).
pub fn refusal_page(title: &str, message: &str, viewer: Option<&Viewer>) -> String {
    let mut b = String::new();
    notice(&mut b, Some(message), None);
    b.push_str("<p><a href=\"/home\">返回工作台</a></p>");
    page(title, viewer, &b)
}

/// The style sheet.
pub const CSS: &str = "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",sans-serif;margin:0;color:#1a1a1a;background:#fafafa}\
header{background:#8b1a1a;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}\
header a,header button{color:#fff}.site{font-weight:bold;margin:0}nav{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}\
.who{margin-left:1rem}main{max-width:72rem;margin:0 auto;padding:1rem 1.2rem}table{border-collapse:collapse;width:100%;margin:.8rem 0;background:#fff}\
th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold;padding:.3rem 0}\
.card{background:#fff;border:1px solid #ccc;padding:1rem;max-width:32rem;display:grid;gap:.6rem}label{display:grid;gap:.2rem}\
input,select,button{font:inherit;padding:.3rem .5rem}button{cursor:pointer}.inline{display:inline}.search{display:flex;gap:1rem;align-items:end;flex-wrap:wrap}\
.error{color:#a00;font-weight:bold}.ok{color:#075e07;font-weight:bold}code{background:#eee;padding:0 .2rem}small{color:#555}\
:focus-visible{outline:3px solid #1565c0;outline-offset:2px}.qr svg{width:14rem;height:14rem;background:#fff}\
.log td:nth-child(-n+4){white-space:nowrap}.log td:last-child{word-break:break-all}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_up_page_shows_a_labelled_qr_code_the_csp_allows_and_the_secret_in_fours() {
        let u = User {
            id: 1,
            login: "admin-a".into(),
            name: "李敏".into(),
            organisation: Some("S000032100001".into()),
            role: Role::Admin,
        };
        let v = Viewer {
            user: &u,
            organisation: "南京电力技师学院",
            csrf: "00112233445566778899aabbccddeeff",
        };
        let uri = crate::portal::totp::otpauth_uri("门户", "admin-a", b"12345678901234567890");
        let page = totp_page(
            &v,
            &Totp::Pending {
                secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                uri: &uri,
            },
            None,
        );
        assert!(page.contains("<svg role=\"img\" aria-label=\"动态口令设置二维码\""));
        assert!(
            !page.contains("<?xml") && !page.contains("style="),
            "inline SVG, no inline style"
        );
        assert!(page.contains("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"));
        assert!(page.contains("action=\"/totp/confirm\""));
        let off = totp_page(&v, &Totp::On, Some("动态口令不正确，未停用"));
        assert!(off.contains("action=\"/totp/off\"") && off.contains("role=\"alert\""));
    }
}
