//! The 机考's pages for candidates (login, waiting, the paper in the candidate's own layout,
//! closed) and the proctor (sign-in, the room's table), as server-rendered HTML in Chinese that
//! works with the keyboard alone and without any script framework; the small script and style
//! sheet are served beside them (`examserver`). Pure: no key, no answer letter of the key ever
//! reaches a candidate's page — the paper holds none.

use super::html::esc;
use super::model::{self, Item};
use super::rich;
use crate::document::TheoryPaper;
use crate::exam::marks::MarkRow;
use crate::exam::state::ProctorRow;
use crate::exam::{Layout, Value};
use std::collections::HashMap;
use std::fmt::Write;

/// The exam as the pages name it.
pub struct ExamTitle<'a> {
    pub occupation: &'a str,
    pub level: &'a str,
    pub organisation: &'a str,
    pub copy: &'a str,
}

impl ExamTitle<'_> {
    fn line(&self) -> String {
        format!("{} {} 理论知识考试（机考）", self.occupation, self.level)
    }
}

fn page(title: &str, body_attrs: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><link rel=\"stylesheet\" href=\"/static/exam.css\">\
<script src=\"/static/exam.js\" defer></script></head>\n<body{body_attrs}>\n{body}\n</body></html>\n",
        esc(title)
    )
}

/// The login page; `error` is the refusal to show.
pub fn login_page(t: &ExamTitle, error: Option<&str>) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<main class=\"login\"><h1>{}</h1><p class=\"org\">{}</p>",
        esc(&t.line()),
        esc(t.organisation)
    );
    if let Some(e) = error {
        let _ = write!(b, "<p class=\"error\" role=\"alert\">{}</p>", esc(e));
    }
    b.push_str(
        "<form method=\"post\" action=\"/login\" autocomplete=\"off\">\
<label>准考证号<input name=\"ticket\" required autofocus inputmode=\"numeric\" maxlength=\"32\"></label>\
<label>证件号后四位<input name=\"id4\" required maxlength=\"4\" inputmode=\"numeric\"></label>\
<button type=\"submit\">登录</button></form>\
<p class=\"hint\">请核对屏幕上显示的姓名与座位号；如有问题请举手示意监考员。</p></main>",
    );
    page(&format!("{} · 考生登录", t.line()), "", &b)
}

/// What the candidate's page shows about them.
pub struct Who<'a> {
    pub name: &'a str,
    pub ticket: &'a str,
    pub seat: &'a str,
}

fn bar(t: &ExamTitle, who: &Who, seconds: i64, label: &str) -> String {
    format!(
        "<header class=\"bar\"><div class=\"who\"><b>{}</b> · 座位 {} · {} · 准考证号 {}</div>\
<div class=\"timer\" role=\"timer\">{label} <b id=\"left\" data-seconds=\"{seconds}\">{}</b></div>\
<button id=\"big\" type=\"button\" aria-pressed=\"false\">大字号</button>\
<span id=\"conn\" role=\"status\" aria-live=\"polite\"></span></header>",
        esc(&t.line()),
        esc(who.seat),
        esc(who.name),
        esc(who.ticket),
        clock(seconds)
    )
}

/// `h:mm:ss` or `mm:ss`.
pub fn clock(s: i64) -> String {
    let s = s.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Before the start: a countdown; the page reloads itself at the start.
pub fn waiting_page(t: &ExamTitle, who: &Who, seconds: i64) -> String {
    let mut b = bar(t, who, seconds, "距开考");
    b.push_str(
        "<main class=\"notice\"><h2>考试尚未开始</h2><p>开考时试卷自动显示，请勿关闭本页面。</p>\
<h3>机考须知</h3><ol><li>每道题作答后自动保存，题下显示“已保存”即已存入考场服务器；断网或换机后重新登录，答案和剩余时间不变。</li>\
<li>可用 Tab 键在题目和选项间移动，空格键选择；“标记”的题目在题号导航中突出显示，便于检查。</li>\
<li>考试时间以考场服务器时钟为准，时间到自动交卷。</li></ol></main>",
    );
    page(&t.line(), " data-phase=\"waiting\"", &b)
}

/// After 交卷 or the end.
pub fn closed_page(t: &ExamTitle, who: &Who, answered: usize, total: usize) -> String {
    let b = format!(
        "{}<main class=\"notice\"><h2>已交卷</h2><p>本场考试已结束，共作答 {answered} / {total} 题，答案已全部保存。请保持座位，听从监考员安排离场。</p></main>",
        bar(t, who, 0, "剩余")
    );
    page(&t.line(), " data-phase=\"closed\"", &b)
}

/// The number of blanks to give a 填空 question: its runs of underscores or empty brackets.
fn blanks(stem: &str) -> usize {
    let mut n = 0;
    let mut run = 0;
    for c in stem.chars() {
        if c == '_' {
            run += 1;
        } else {
            if run >= 2 {
                n += 1;
            }
            run = 0;
        }
    }
    if run >= 2 {
        n += 1;
    }
    n += stem.matches("（　　）").count() + stem.matches("(  )").count();
    n.clamp(1, 20)
}

/// A candidate's answers so far, time left and the page's CSRF value.
pub struct Sheet<'a> {
    pub answers: &'a HashMap<u32, (u64, Value)>,
    pub flags: &'a [u32],
    pub seconds: i64,
    pub csrf: &'a str,
}

/// The exam page: every question in the candidate's layout with their answers so far.
pub fn exam_page(
    t: &ExamTitle,
    who: &Who,
    paper: &TheoryPaper,
    layout: &Layout,
    sheet: &Sheet,
) -> String {
    let Sheet {
        answers,
        flags,
        seconds,
        csrf,
    } = *sheet;
    let secs = model::sections(paper);
    let by_n: HashMap<u32, &Item> = secs
        .iter()
        .flat_map(|s| s.items.iter())
        .filter_map(|i| i.n_num.map(|n| (n as u32, i)))
        .collect();
    let mut nav = String::from("<nav class=\"grid\" aria-label=\"题号导航\">");
    let mut main = String::from("<main id=\"paper\">");
    let mut shown = 0usize;
    for (si, sec) in secs.iter().enumerate() {
        let order = layout.sections.get(si).cloned().unwrap_or_default();
        let mut head = model::section_title(si, sec);
        if let (Some(e), Some(total)) = (sec.points_each, sec.total) {
            head.push_str(&format!(
                "（共 {} 题，每题 {} 分，共 {} 分）",
                sec.items.len(),
                model::fmt_num(e),
                model::fmt_num(total)
            ));
        }
        let _ = write!(main, "<section><h2>{}</h2>", esc(&head));
        if sec.ty == "多选" {
            main.push_str(
                "<p class=\"rule\">每题有两个或两个以上正确答案，错选、少选、多选均不得分。</p>",
            );
        }
        for q in order {
            let Some(item) = by_n.get(&q) else { continue };
            shown += 1;
            let (rev, value) = answers
                .get(&q)
                .map(|(r, v)| (*r, Some(v)))
                .unwrap_or((0, None));
            let answered = value.is_some_and(|v| *v != Value::Clear);
            let flagged = flags.contains(&q);
            let _ = write!(
                nav,
                "<a href=\"#q{q}\" data-q=\"{q}\" class=\"{}{}\">{shown}</a>",
                if answered { "done" } else { "" },
                if flagged { " flag" } else { "" }
            );
            let _ = write!(
                main,
                "<fieldset class=\"q\" id=\"q{q}\" data-q=\"{q}\" data-type=\"{}\" data-rev=\"{rev}\"><legend><span class=\"qn\">{shown}.</span> {}</legend>",
                esc(&item.ty),
                rich::html(&item.stem, &item.figures)
            );
            main.push_str(&rich::html_after(&item.figures));
            let chosen: Vec<usize> = match value {
                Some(Value::Choice(c)) => c.clone(),
                _ => Vec::new(),
            };
            match item.ty.as_str() {
                "判断" => {
                    let v = match value {
                        Some(Value::Judge(b)) => Some(*b),
                        _ => None,
                    };
                    for (val, label, on) in [
                        ("1", "√ 正确", v == Some(true)),
                        ("0", "× 错误", v == Some(false)),
                    ] {
                        let _ = write!(
                            main,
                            "<label class=\"opt\"><input type=\"radio\" name=\"a{q}\" value=\"{val}\"{}> {label}</label>",
                            if on { " checked" } else { "" }
                        );
                    }
                }
                "单选" | "多选" => {
                    let kind = if item.ty == "单选" {
                        "radio"
                    } else {
                        "checkbox"
                    };
                    let order = layout.options.get(&q).cloned().unwrap_or_default();
                    for (shown_ix, copy_ix) in order.iter().enumerate() {
                        let Some(text) = item.options.get(*copy_ix) else {
                            continue;
                        };
                        let _ = write!(
                            main,
                            "<label class=\"opt\"><input type=\"{kind}\" name=\"a{q}\" value=\"{copy_ix}\"{}> {}. {}</label>",
                            if chosen.contains(copy_ix) {
                                " checked"
                            } else {
                                ""
                            },
                            model::opt_label(shown_ix),
                            rich::html(text, &item.figures)
                        );
                    }
                }
                "填空" => {
                    let given: Vec<String> = match value {
                        Some(Value::Blanks(b)) => b.clone(),
                        _ => Vec::new(),
                    };
                    for k in 0..blanks(&item.stem) {
                        let _ = write!(
                            main,
                            "<label class=\"blank\">第 {} 空<input type=\"text\" maxlength=\"200\" value=\"{}\"></label>",
                            k + 1,
                            esc(given.get(k).map(String::as_str).unwrap_or(""))
                        );
                    }
                }
                _ => {
                    let text = match value {
                        Some(Value::Text(s)) => s.as_str(),
                        _ => "",
                    };
                    let _ = write!(
                        main,
                        "<label class=\"essay\">作答<textarea rows=\"{}\" maxlength=\"{}\">{}</textarea></label>",
                        model::answer_lines(item).min(16),
                        crate::exam::state::MAX_TEXT,
                        esc(text)
                    );
                }
            }
            let _ = write!(
                main,
                "<div class=\"qfoot\"><label><input type=\"checkbox\" class=\"flag\"{}> 标记</label>\
<button type=\"button\" class=\"clear\">清除作答</button><span class=\"st\" aria-live=\"polite\">{}</span></div></fieldset>",
                if flagged { " checked" } else { "" },
                if answered { "已保存" } else { "" }
            );
        }
        main.push_str("</section>");
    }
    nav.push_str("</nav>");
    main.push_str(
        "<div class=\"submit\"><button id=\"submit\" type=\"button\">交卷</button></div></main>\
<dialog id=\"confirm\" aria-labelledby=\"confirm-h\"><h2 id=\"confirm-h\">确认交卷</h2><p id=\"confirm-text\"></p>\
<button id=\"yes\" type=\"button\">确认交卷</button> <button id=\"no\" type=\"button\" autofocus>返回检查</button></dialog>",
    );
    let body = format!(
        "<a class=\"skip\" href=\"#paper\">跳到试题</a>{}{nav}{main}",
        bar(t, who, seconds, "剩余时间")
    );
    page(
        &t.line(),
        &format!(
            " data-phase=\"open\" data-csrf=\"{}\" data-total=\"{shown}\"",
            esc(csrf)
        ),
        &body,
    )
}

/// The proctor's sign-in.
pub fn proctor_login_page(t: &ExamTitle, error: Option<&str>) -> String {
    let mut b = format!(
        "<main class=\"login\"><h1>监考 · {}</h1><p class=\"org\">{} · 副本 {}</p>",
        esc(&t.line()),
        esc(t.organisation),
        esc(t.copy)
    );
    if let Some(e) = error {
        let _ = write!(b, "<p class=\"error\" role=\"alert\">{}</p>", esc(e));
    }
    b.push_str("<form method=\"post\" action=\"/proctor/login\" autocomplete=\"off\"><label>监考码<input name=\"code\" type=\"password\" required autofocus></label><button type=\"submit\">进入监考页面</button></form></main>");
    page("监考登录", "", &b)
}

/// The room: who is logged in, progress, lost connections, with extend, unlock and force-submit.
pub fn proctor_page(
    t: &ExamTitle,
    rows: &[ProctorRow],
    csrf: &str,
    notice: Option<&str>,
) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        *counts.entry(r.status).or_default() += 1;
    }
    let mut b = format!(
        "<header class=\"bar\"><div class=\"who\"><b>监考 · {}</b> · {} · 副本 {}</div><span id=\"conn\" role=\"status\"></span></header><main class=\"room\">",
        esc(&t.line()),
        esc(t.organisation),
        esc(t.copy)
    );
    if let Some(n) = notice {
        let _ = write!(b, "<p class=\"notice-line\" role=\"status\">{}</p>", esc(n));
    }
    b.push_str("<p class=\"counts\">");
    for s in [
        "答题中",
        "连接中断",
        "未登录",
        "待开考",
        "已交卷",
        "已强制交卷",
    ] {
        let _ = write!(
            b,
            "<span>{s} <b>{}</b></span> ",
            counts.get(s).copied().unwrap_or(0)
        );
    }
    b.push_str("</p><table><thead><tr><th>座位</th><th>准考证号</th><th>姓名</th><th>状态</th><th>已答</th><th>剩余</th><th>延时</th><th>登录次数</th><th>操作</th></tr></thead><tbody>");
    for r in rows {
        let cls = match r.status {
            "连接中断" => " class=\"lost\"",
            "已交卷" | "已强制交卷" => " class=\"done\"",
            _ => "",
        };
        let _ = write!(
            b,
            "<tr{cls}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
            esc(&r.seat),
            esc(&r.ticket),
            esc(&r.name),
            esc(r.status),
            r.answered,
            r.questions,
            clock(r.seconds_left),
            if r.extension > 0 {
                format!("{} 分钟", r.extension)
            } else {
                "—".into()
            },
            r.logins
        );
        if !matches!(r.status, "已交卷" | "已强制交卷") {
            let tk = esc(&r.ticket);
            let _ = write!(
                b,
                "<details><summary>处理</summary>\
<form method=\"post\" action=\"/proctor/extend\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"ticket\" value=\"{tk}\">\
<label>延时（分钟）<input name=\"minutes\" type=\"number\" min=\"1\" max=\"120\" required></label><label>原因<input name=\"reason\" required maxlength=\"200\"></label><button>延时</button></form>\
<form method=\"post\" action=\"/proctor/unlock\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"ticket\" value=\"{tk}\">\
<label>换机原因<input name=\"reason\" required maxlength=\"200\"></label><button>允许换机</button></form>\
<form method=\"post\" action=\"/proctor/submit\" class=\"force\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"ticket\" value=\"{tk}\">\
<button>强制交卷</button></form></details>",
                csrf = esc(csrf)
            );
        }
        b.push_str("</td></tr>");
    }
    b.push_str("</tbody></table><p class=\"hint\">每 5 秒自动刷新。所有操作均写入考试日志（哈希链），随成绩一并上报。</p></main>");
    page("监考", " data-phase=\"proctor\"", &b)
}

/// The examiners' sign-in (阅卷).
pub fn mark_login_page(t: &ExamTitle, error: Option<&str>) -> String {
    let mut b = format!(
        "<main class=\"login\"><h1>阅卷 · {}</h1><p class=\"org\">{} · 副本 {}</p>",
        esc(&t.line()),
        esc(t.organisation),
        esc(t.copy)
    );
    if let Some(e) = error {
        let _ = write!(b, "<p class=\"error\" role=\"alert\">{}</p>", esc(e));
    }
    b.push_str("<form method=\"post\" action=\"/mark/login\" autocomplete=\"off\"><label>阅卷人姓名<input name=\"name\" required maxlength=\"32\" autofocus></label><label>阅卷码<input name=\"code\" type=\"password\" required></label><button type=\"submit\">开始阅卷</button></form></main>");
    page("阅卷登录", "", &b)
}

/// The marking overview: every subjective question, how many answers are final, how many wait
/// for this examiner.
pub fn mark_overview_page(
    t: &ExamTitle,
    examiner: &str,
    rows: &[MarkRow],
    key_loaded: bool,
    notice: Option<&str>,
) -> String {
    let mut b = format!(
        "<header class=\"bar\"><div class=\"who\"><b>阅卷 · {}</b> · 阅卷人 {}</div></header><main>",
        esc(&t.line()),
        esc(examiner)
    );
    if let Some(n) = notice {
        let _ = write!(b, "<p class=\"notice-line\" role=\"status\">{}</p>", esc(n));
    }
    if !key_loaded {
        b.push_str("<p class=\"error\">评分标准尚未开启：答案发布后，以含 key.json 的副本重新启动服务（qbank exam serve --key），即可阅卷。</p>");
    }
    if rows.is_empty() {
        b.push_str("<p>本试卷没有主观题，客观题由系统按答案评分。</p>");
    } else {
        b.push_str("<table><thead><tr><th>题号（副本）</th><th>题型</th><th>分值</th><th>作答</th><th>已评定</th><th>待我评阅</th><th></th></tr></thead><tbody>");
        for r in rows {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.q,
                esc(&r.item_type),
                model::fmt_num(r.points),
                r.answers,
                r.done,
                r.for_me,
                if r.for_me > 0 && key_loaded {
                    format!("<a href=\"/mark/q/{}\">评阅</a>", r.q)
                } else {
                    String::new()
                }
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("<p class=\"hint\">答卷以编号显示，不显示考生信息；每份答案每位阅卷人只评一次，所有评分写入考试日志。</p></main>");
    page("阅卷", "", &b)
}

/// One answer to mark against the marking scheme.
pub struct MarkView<'a> {
    pub q: u32,
    pub item: &'a crate::document::PaperItem,
    pub key: &'a crate::document::KeyAnswer,
    pub script: &'a str,
    pub text: &'a str,
    pub round: u8,
    pub double: bool,
    pub threshold: f64,
}

/// The marking page of one answer.
pub fn mark_task_page(t: &ExamTitle, examiner: &str, v: &MarkView, csrf: &str) -> String {
    let figs = rich::figs(&v.item.figures);
    let kfigs = rich::figs(&v.key.figures);
    let round = match (v.double, v.round) {
        (false, _) => "单评".to_string(),
        (true, 1) => "一评".to_string(),
        (true, 2) => "二评".to_string(),
        (true, _) => format!("三评（前两评分差超过 {} 分）", model::fmt_num(v.threshold)),
    };
    let mut b = format!(
        "<header class=\"bar\"><div class=\"who\"><b>阅卷 · 第 {} 题（{}，{} 分）</b> · 答卷 {} · {} · 阅卷人 {}</div><a href=\"/mark\">返回题目列表</a></header><main>",
        v.q,
        esc(v.item.item_type.as_str()),
        model::fmt_num(v.item.points),
        esc(v.script),
        esc(&round),
        esc(examiner)
    );
    let _ = write!(
        b,
        "<h2>试题</h2><div class=\"stem\">{}</div>{}",
        rich::html(&v.item.stem, &figs),
        rich::html_after(&figs)
    );
    b.push_str("<h2>参考答案</h2>");
    let answer = match &v.key.answer {
        crate::model::Answer::Text(s) => s.clone(),
        crate::model::Answer::Blanks(b) => b.join("；"),
    };
    let _ = write!(
        b,
        "<div class=\"ref\">{}</div>",
        rich::html(&answer, &kfigs)
    );
    if !v.key.scheme.is_empty() {
        b.push_str(
            "<h2>评分标准</h2><table><thead><tr><th>要点</th><th>分值</th></tr></thead><tbody>",
        );
        for s in &v.key.scheme {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td></tr>",
                rich::html(&s.step, &kfigs),
                model::fmt_num(s.marks)
            );
        }
        b.push_str("</tbody></table>");
    }
    let _ = write!(
        b,
        "<h2>考生作答</h2><div class=\"answer\">{}</div>\
<form method=\"post\" action=\"/mark/q/{}\" class=\"markform\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"script\" value=\"{}\">\
<label>给分（0–{} 分，0.5 分为单位）<input name=\"score\" type=\"number\" min=\"0\" max=\"{}\" step=\"0.5\" required autofocus></label><button type=\"submit\">提交并评下一份</button></form></main>",
        esc(v.text).replace('\n', "<br>"),
        v.q,
        esc(csrf),
        esc(v.script),
        model::fmt_num(v.item.points),
        model::fmt_num(v.item.points)
    );
    page(&format!("阅卷 · {}", t.line()), "", &b)
}
