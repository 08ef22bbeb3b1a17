//! Self-contained printable HTML documents (A4 print CSS, CJK serif fonts, no scripts or
//! external resources) for theory papers and keys, practical documents and defence topics.

use std::fmt::Write;

use crate::document::{PracticalKey, PracticalPaper, TheoryKey, TheoryPaper};

use super::DocHeader;
use super::model::{self, DASH, PaperInfo, dash, fmt_num, fmt_opt};
use super::rich;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted CSS string (used in @page margin boxes).
fn css_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() || matches!(c, '\\' | '"' | '\'' | '<' | '>' | '&') {
            let _ = write!(out, "\\{:X} ", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

const STYLE: &str = r#"
html { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 10.5pt; line-height: 1.6; color: #000; }
body { margin: 0 auto; max-width: 174mm; }
h1 { font-size: 17pt; text-align: center; margin: 0.2em 0 0.1em; letter-spacing: 0.1em; }
h2 { font-size: 12pt; margin: 0.9em 0 0.4em; }
h3 { font-size: 11pt; margin: 0.7em 0 0.3em; }
p { margin: 0.25em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0 0.6em; }
th, td { border: 1px solid #000; padding: 2px 5px; vertical-align: middle; }
th { font-weight: bold; text-align: center; }
td.c, th.c { text-align: center; }
tr, .q, .opt, .scheme, .sig, .notes li, .ans { break-inside: avoid; page-break-inside: avoid; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
.sitting { text-align: center; font-size: 12pt; margin: 0; }
.meta { text-align: center; margin: 0.1em 0; }
.secret { font-weight: bold; font-size: 12pt; margin: 0 0 0.3em; }
.seal { border: 1px solid #000; padding: 0.3em 0.8em; margin: 0.5em 0; }
.seal .line { display: inline-block; min-width: 9em; border-bottom: 1px solid #000; }
.seal .cut { text-align: center; letter-spacing: 0.5em; font-size: 9pt; border-top: 1px dashed #000; margin-top: 0.4em; }
.notes { margin: 0.2em 0 0.5em; padding-left: 2em; }
.score-table td, .score-table th { text-align: center; height: 1.8em; }
.sec-head { display: flex; align-items: flex-start; gap: 1em; margin-top: 1em; break-inside: avoid; page-break-inside: avoid; break-after: avoid; page-break-after: avoid; }
.sec-head h2 { flex: 1; margin: 0.2em 0; }
.score-box { width: 8.5em; flex: none; margin: 0; font-size: 9pt; break-inside: avoid; page-break-inside: avoid; }
.score-box td { height: 1.5em; }
.q { margin: 0.35em 0; }
.fig { display: inline-block; text-align: center; vertical-align: top; margin: 0.3em 0.5em; break-inside: avoid; page-break-inside: avoid; }
.fig img { display: block; max-width: 100%; margin: 0 auto; }
.fig .cap { display: block; font-size: 9pt; }
.figs { text-align: center; margin: 0.3em 0; }
.tbl { display: inline-table; border-collapse: collapse; margin: 0.2em 0; vertical-align: top; white-space: normal; }
.tbl .tr { display: table-row; }
.tbl .td { display: table-cell; border: 1px solid #000; padding: 0.1em 0.6em; text-align: center; }
.tbl .th .td { font-weight: bold; }
.q .stem { white-space: pre-wrap; margin: 0; }
.qn { font-weight: bold; }
.opts { display: grid; grid-template-columns: repeat(4, 1fr); column-gap: 1em; padding-left: 2em; }
.opts.c2 { grid-template-columns: repeat(2, 1fr); }
.opts.c1 { grid-template-columns: 1fr; }
.answer-space { border: 1px solid #888; margin: 0.3em 0 0.8em 2em; }
.pre { white-space: pre-wrap; }
.small { font-size: 8.5pt; color: #333; }
.grid td, .grid th { text-align: center; width: 9%; }
.ans { margin: 0.5em 0 0.8em; }
.pb, .topic ~ .topic { break-before: page; page-break-before: always; }
.task { margin: 0.5em 0 1em; }
.task .text { white-space: pre-wrap; margin: 0.4em 0 0.4em 1em; }
.task-meta span { margin-right: 2em; }
.note { font-weight: bold; }
.sig { margin-top: 1.2em; display: flex; justify-content: space-between; }
.sig span { white-space: nowrap; }
.topic { border: 2px solid #000; padding: 1em 1.5em; margin-top: 1em; break-inside: avoid; page-break-inside: avoid; }
.topic .body { white-space: pre-wrap; font-size: 13pt; min-height: 8em; margin: 1em 0; }
.topic p { margin: 0.5em 0; }
.blank { display: inline-block; min-width: 6em; border-bottom: 1px solid #000; }
.checks { border: 1px solid #000; padding: 0.2em 0.6em; margin: 0.4em 0; break-inside: avoid; page-break-inside: avoid; }
.weighting td, .weighting th { height: 1.8em; }
.doc-foot { margin-top: 2em; border-top: 1px solid #888; font-size: 7.5pt; color: #444; display: flex; justify-content: space-between; }
.nw { white-space: nowrap; }
.grid, .key-section .ans { break-inside: avoid; page-break-inside: avoid; }
.tf { white-space: nowrap; margin-right: 0.2em; }
@media print { .doc-foot { display: none; } }
@media screen { body { padding: 1em 1.5em; } .pb { margin-top: 2em; border-top: 1px dashed #aaa; padding-top: 1em; } }
"#;

/// Wraps a body into a whole document with the print stylesheet and page footers.
pub(crate) fn page(doc_title: &str, h: &DocHeader, secret: bool, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 1024);
    let title = format!("{} {}", h.title, doc_title);
    let secret_mark = if secret { "绝密　" } else { "" };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>\n@page {{ size: A4; margin: 18mm 18mm 20mm 18mm;\n  \
         @bottom-left {{ content: \"{}\"; font-size: 7pt; color: #444; }}\n  \
         @bottom-center {{ content: \"第 \" counter(page) \" 页　共 \" counter(pages) \" 页\"; font-size: 9pt; }}\n  \
         @bottom-right {{ content: \"{}\"; font-size: 7pt; color: #444; }}\n}}{}</style>\n</head>\n<body>\n",
        esc(title.trim()),
        css_str(&format!("{secret_mark}{}", h.copy)),
        css_str(&format!("{} {}", h.sitting, doc_title)),
        STYLE
    );
    out.push_str(body);
    let _ = write!(
        out,
        "<footer class=\"doc-foot\"><span>{}{}</span><span>{}</span><span>{}</span></footer>\n\
         </body>\n</html>\n",
        secret_mark,
        esc(&dash(h.copy.to_string())),
        esc(h.sitting),
        esc(doc_title)
    );
    out
}

/// Document heading: optional 绝密 mark, sitting title, document name and meta lines.
pub(crate) fn doc_head(
    out: &mut String,
    h: &DocHeader,
    name: &str,
    secret: bool,
    metas: &[String],
) {
    if secret {
        out.push_str("<p class=\"secret\">绝密★启用前</p>\n");
    }
    if !h.title.is_empty() {
        let _ = writeln!(out, "<p class=\"sitting\">{}</p>", esc(h.title));
    }
    let _ = writeln!(out, "<h1>{}</h1>", esc(name));
    for m in metas.iter().filter(|m| !m.is_empty()) {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", esc(m));
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">考试时间：{}　组织单位：{}　场次：{}</p>",
        nw(h.date),
        esc(&dash(h.organisation.to_string())),
        nw(h.sitting)
    );
}

/// A value printed on one line (a sitting id, a time): `JS-2026-11-DG` never broken at a hyphen.
pub(crate) fn nw(s: &str) -> String {
    format!("<span class=\"nw\">{}</span>", esc(&dash(s.to_string())))
}

pub(crate) fn info_line(info: &PaperInfo) -> String {
    format!("{}　{}　{}", info.occupation, info.level_name, info.form)
}

fn seal(out: &mut String) {
    out.push_str(
        "<div class=\"seal\"><p>姓名：<span class=\"line\"></span>　准考证号：<span class=\"line\">\
         </span>　单位：<span class=\"line\"></span></p>\
         <p class=\"cut\">密　封　线　内　不　要　答　题</p></div>\n",
    );
}

fn score_box(out: &mut String) {
    out.push_str(
        "<table class=\"score-box\"><tr><th>得分</th><td></td></tr>\
         <tr><th>评分人</th><td></td></tr></table>\n",
    );
}

pub(crate) fn sig_lines(out: &mut String) {
    out.push_str(
        "<div class=\"sig\"><span>考评员（签名）：<span class=\"blank\"></span></span>\
         <span>考评组长（签名）：<span class=\"blank\"></span></span>\
         <span>日期：<span class=\"blank\"></span></span></div>\n",
    );
}

// ---------------------------------------------------------------------------------------------
// Theory
// ---------------------------------------------------------------------------------------------

/// Theory paper (试卷) for candidates.
pub fn theory_paper_html(paper: &TheoryPaper, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let secs = model::sections(paper);
    let mut b = String::new();
    doc_head(
        &mut b,
        h,
        model::theory_title(paper),
        false,
        &[info_line(&info), format!("考试时长：{} 分钟", info.minutes)],
    );
    seal(&mut b);
    b.push_str("<h3>注意事项</h3>\n<ol class=\"notes\">\n");
    for n in model::theory_notes(&info.minutes) {
        let _ = writeln!(b, "<li>{}</li>", esc(&n));
    }
    b.push_str("</ol>\n");

    // Total score table.
    b.push_str("<table class=\"score-table\"><tr><th>题号</th>");
    for i in 0..secs.len() {
        let _ = write!(b, "<th>{}</th>", model::cn_num(i + 1));
    }
    b.push_str("<th>总分</th><th>统分人</th></tr>\n<tr><th>得分</th>");
    for _ in 0..secs.len() + 2 {
        b.push_str("<td></td>");
    }
    b.push_str("</tr></table>\n");

    for (idx, sec) in secs.iter().enumerate() {
        let _ = writeln!(
            b,
            "<section class=\"section\" data-type=\"{}\">",
            esc(&sec.ty)
        );
        b.push_str("<div class=\"sec-head\">");
        score_box(&mut b);
        let _ = writeln!(
            b,
            "<h2>{}</h2></div>",
            esc(&model::section_heading(idx, sec))
        );
        for item in &sec.items {
            // 判断题 as the national papers print them: the bracket after the number, before the stem
            let tf = if item.ty == "判断" {
                "<span class=\"tf\">（　　）</span>"
            } else {
                ""
            };
            let _ = write!(
                b,
                "<div class=\"q\" data-n=\"{}\" data-id=\"{}\"><p class=\"stem\"><span class=\"qn\">{}.</span> {tf}{}",
                esc(&item.n),
                esc(&item.id),
                esc(&dash(item.n.clone())),
                rich::html(&item.stem, &item.figures)
            );
            b.push_str("</p>");
            b.push_str(&rich::html_after(&item.figures));
            if !item.options.is_empty() {
                let _ = write!(
                    b,
                    "<div class=\"opts c{}\">",
                    model::option_columns(&item.options)
                );
                for (k, o) in item.options.iter().enumerate() {
                    let _ = write!(
                        b,
                        "<span class=\"opt\">{}. {}</span>",
                        model::opt_label(k),
                        rich::html(o, &item.figures)
                    );
                }
                b.push_str("</div>");
            }
            if item.is_subjective() {
                let lines = model::answer_lines(item);
                let _ = write!(
                    b,
                    "<div class=\"answer-space\" style=\"height:{:.1}em\"></div>",
                    lines as f64 * 1.6
                );
            }
            b.push_str("</div>\n");
        }
        b.push_str("</section>\n");
    }
    page("理论知识考试试卷", h, false, &b)
}

/// Theory key (标准答案及评分标准), marked 绝密.
pub fn theory_key_html(paper: &TheoryPaper, key: &TheoryKey, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let secs = model::sections(paper);
    let ans = model::answers(key);
    let mut b = String::new();
    doc_head(
        &mut b,
        h,
        "理论知识考试 标准答案及评分标准",
        true,
        &[info_line(&info)],
    );
    for ks in model::key_sections(&secs, &ans) {
        let _ = writeln!(
            b,
            "<section class=\"key-section\">\n<h2>{}</h2>",
            esc(&ks.title)
        );
        if ks.grid {
            for chunk in ks.entries.chunks(10) {
                b.push_str("<table class=\"grid\"><tr><th>题号</th>");
                for (n, _) in chunk {
                    let _ = write!(b, "<td>{}</td>", esc(&dash(n.clone())));
                }
                for _ in chunk.len()..10 {
                    b.push_str("<td></td>");
                }
                b.push_str("</tr><tr><th>答案</th>");
                for (_, a) in chunk {
                    let v = a.map(|a| a.answer.clone()).unwrap_or_default();
                    let _ = write!(b, "<td>{}</td>", esc(&dash(v)));
                }
                for _ in chunk.len()..10 {
                    b.push_str("<td></td>");
                }
                b.push_str("</tr></table>\n");
            }
            let expl: Vec<_> = ks
                .entries
                .iter()
                .filter_map(|(n, a)| a.filter(|a| !a.explanation.is_empty()).map(|a| (n, a)))
                .collect();
            if !expl.is_empty() {
                b.push_str("<div class=\"small expl\"><p>解析：</p>\n");
                for (n, a) in expl {
                    let _ = writeln!(
                        b,
                        "<p>{}. {}</p>",
                        esc(&dash(n.clone())),
                        rich::html(&a.explanation, &a.figures)
                    );
                }
                b.push_str("</div>\n");
            }
        } else {
            for (n, a) in &ks.entries {
                let _ = write!(
                    b,
                    "<div class=\"ans\" data-n=\"{}\"><p><span class=\"qn\">{}.</span> 参考答案：</p>",
                    esc(n),
                    esc(&dash(n.clone()))
                );
                match a {
                    None => b.push_str("<p class=\"pre\">—</p>"),
                    Some(a) => {
                        let _ = write!(
                            b,
                            "<p class=\"pre\">{}</p>",
                            rich::html(&dash(a.answer.clone()), &a.figures)
                        );
                        if !a.scheme.is_empty() {
                            b.push_str(
                                "<table class=\"scheme\"><tr><th class=\"c\" style=\"width:3em\">序号</th>\
                                 <th>评分要点</th><th class=\"c\" style=\"width:4em\">分值</th></tr>",
                            );
                            for (k, (step, marks)) in a.scheme.iter().enumerate() {
                                let _ = write!(
                                    b,
                                    "<tr><td class=\"c\">{}</td><td>{}</td><td class=\"c\">{}</td></tr>",
                                    k + 1,
                                    rich::html(&dash(step.clone()), &a.figures),
                                    fmt_opt(*marks)
                                );
                            }
                            let total: f64 = a.scheme.iter().filter_map(|(_, m)| *m).sum();
                            let _ = write!(
                                b,
                                "<tr><td></td><th>合计</th><td class=\"c\">{}</td></tr></table>",
                                fmt_num(total)
                            );
                        }
                        if !a.explanation.is_empty() {
                            let _ = write!(
                                b,
                                "<p class=\"small pre\">解析：{}</p>",
                                rich::html(&a.explanation, &a.figures)
                            );
                        }
                    }
                }
                b.push_str("</div>\n");
            }
        }
        b.push_str("</section>\n");
    }
    page("标准答案及评分标准", h, true, &b)
}

// ---------------------------------------------------------------------------------------------
// Practical
// ---------------------------------------------------------------------------------------------

fn practical_metas(paper: &PracticalPaper) -> Vec<String> {
    let info = PaperInfo::of(&paper.head());
    vec![
        info_line(&info),
        format!("考核总时间：{} 分钟", model::practical_minutes(paper)),
    ]
}

/// Practical 考核准备通知单: site equipment (merged) and candidate items (deduplicated).
pub fn practical_notice_html(paper: &PracticalPaper, h: &DocHeader) -> String {
    let mods = model::modules(paper);
    let mut b = String::new();
    doc_head(
        &mut b,
        h,
        "操作技能考核 考核准备通知单",
        false,
        &practical_metas(paper),
    );
    b.push_str("<section class=\"prep site\">\n<h2>一、考场准备</h2>\n");
    b.push_str(
        "<table><tr><th style=\"width:3em\">序号</th><th>名称</th><th>规格</th>\
         <th style=\"width:6em\">单位/数量</th><th style=\"width:7em\">备注</th></tr>\n",
    );
    let rows = model::equipment(&mods);
    if rows.is_empty() {
        b.push_str("<tr><td class=\"c\" colspan=\"5\">—</td></tr>\n");
    }
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            b,
            "<tr><td class=\"c\">{}</td><td>{}</td><td>{}</td><td class=\"c\">{}</td><td>{}</td></tr>",
            i + 1,
            esc(&dash(r.name.clone())),
            esc(&dash(r.spec.clone())),
            esc(&dash(r.qty.clone())),
            esc(&r.remark)
        );
    }
    b.push_str("</table>\n<p class=\"small\">说明：数量为每个工位的配置；备注栏为使用该设备的试题。</p>\n</section>\n");
    b.push_str("<section class=\"prep candidate pb\">\n<h2>二、考生准备</h2>\n");
    let items = model::candidate_items(&mods);
    if items.is_empty() {
        b.push_str("<p>—</p>\n");
    } else {
        b.push_str("<table><tr><th style=\"width:3em\">序号</th><th>名称</th><th style=\"width:10em\">备注</th></tr>\n");
        for (i, c) in items.iter().enumerate() {
            let _ = writeln!(
                b,
                "<tr><td class=\"c\">{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                esc(&c.name),
                esc(&c.remark)
            );
        }
        b.push_str("</table>\n<p class=\"small\">说明：备注栏为需要该物品的试题。</p>\n");
    }
    b.push_str("</section>\n");
    page("考核准备通知单", h, false, &b)
}

/// Practical 试卷正文: every module on its own page with its tasks.
pub fn practical_tasks_html(paper: &PracticalPaper, h: &DocHeader) -> String {
    let mods = model::modules(paper);
    let mut b = String::new();
    doc_head(
        &mut b,
        h,
        "操作技能考核 试卷正文",
        false,
        &practical_metas(paper),
    );
    seal(&mut b);
    b.push_str("<h3>注意事项</h3>\n<ol class=\"notes\">\n");
    let notes = [
        "请根据试题考核要求，完成考试内容。".to_string(),
        "请服从考评人员指挥，保证考核安全顺利进行。".to_string(),
        format!(
            "考核总时间 {} 分钟，各试题考核时间见试题说明。",
            model::practical_minutes(paper)
        ),
    ];
    for n in &notes {
        let _ = writeln!(b, "<li>{}</li>", esc(n));
    }
    b.push_str("</ol>\n");
    b.push_str(
        "<table class=\"overview\"><tr><th>模块</th><th>职业功能</th><th>名称</th>\
         <th>选考方式</th><th>配分</th></tr>\n",
    );
    for (i, m) in mods.iter().enumerate() {
        let _ = writeln!(
            b,
            "<tr><td class=\"c\">{}</td><td class=\"c\">{}</td><td>{}</td><td class=\"c\">{}</td><td class=\"c\">{}</td></tr>",
            model::cn_num(i + 1),
            esc(&dash(m.function.clone())),
            esc(&dash(m.name.clone())),
            esc(&dash(m.choice.clone())),
            fmt_opt(m.points.or(m.weight))
        );
    }
    b.push_str("</table>\n");

    for (i, m) in mods.iter().enumerate() {
        let _ = writeln!(
            b,
            "<section class=\"module pb\" data-function=\"{}\">\n<h2>{}</h2>",
            esc(&m.function),
            esc(&m.title(i))
        );
        let _ = writeln!(
            b,
            "<p>职业功能：{}　配分：{} 分　<span class=\"note\">{}</span></p>",
            esc(&dash(m.function.clone())),
            fmt_opt(m.points.or(m.weight)),
            esc(&m.choice_note())
        );
        for t in &m.tasks {
            let _ = writeln!(
                b,
                "<div class=\"task\" data-id=\"{}\"><h3>试题{}　{}</h3>\
                 <p class=\"task-meta\"><span>试题编号：{}</span><span>考核时间：{} min</span><span>配分：{} 分</span></p>\
                 <div class=\"text\">{}</div>{}</div>",
                esc(&t.id),
                t.seq,
                esc(&dash(t.title.clone())),
                esc(&dash(t.id.clone())),
                fmt_opt(t.minutes),
                fmt_opt(t.points),
                rich::html(&dash(t.text.clone()), &t.figures),
                rich::html_after(&t.figures)
            );
        }
        b.push_str("</section>\n");
    }
    page("试卷正文", h, false, &b)
}

/// Practical 评分记录表: one sheet per task — the examiner's check points, the rubric as written
/// with its total, the weighting of the task's score to its module's points with a 折算分 box —
/// then the set's 成绩汇总表 (the weighted scores and their total).
pub fn practical_marking_html(paper: &PracticalPaper, key: &PracticalKey, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let sheets = model::sheets(paper, key);
    let mut b = String::new();
    for (i, s) in sheets.iter().enumerate() {
        let _ = writeln!(
            b,
            "<section class=\"sheet{}\" data-id=\"{}\">",
            if i > 0 { " pb" } else { "" },
            esc(&s.id)
        );
        if !h.title.is_empty() {
            let _ = writeln!(b, "<p class=\"sitting\">{}</p>", esc(h.title));
        }
        let _ = writeln!(
            b,
            "<h1>操作技能考核 评分记录表</h1>\n<p class=\"meta\">{}　场次：{}</p>",
            esc(&info_line(&info)),
            nw(h.sitting)
        );
        let _ = writeln!(
            b,
            "<h2>{}　{}</h2>\n<p>模块：{}　考核时间：{} min　本题满分：{} 分　折算配分：{} 分</p>",
            esc(&s.label()),
            esc(&dash(s.title.clone())),
            esc(&s.module),
            fmt_opt(s.minutes),
            fmt_opt(s.task_points.or(Some(s.rubric_total()))),
            fmt_opt(s.points)
        );
        b.push_str(
            "<p>考生姓名：<span class=\"blank\"></span>　准考证号：<span class=\"blank\" style=\"min-width:12em\"></span>　\
             工位号：<span class=\"blank\" style=\"min-width:4em\"></span></p>\n",
        );
        if !s.checks.trim().is_empty() {
            let _ = writeln!(
                b,
                "<div class=\"checks\"><h3>考评员检查要点</h3><div class=\"pre\">{}</div></div>",
                rich::html(&s.checks, &s.figures)
            );
        }
        b.push_str(
            "<table class=\"rubric\"><tr><th style=\"width:3em\">序号</th><th style=\"width:8em\">考核内容（评分要素）</th>\
             <th style=\"width:3.5em\">配分</th><th>评分标准</th><th style=\"width:3.5em\">扣分</th>\
             <th style=\"width:3.5em\">得分</th></tr>\n",
        );
        for (k, r) in s.rubric.iter().enumerate() {
            let _ = writeln!(
                b,
                "<tr><td class=\"c\">{}</td><td>{}</td><td class=\"c pts\">{}</td><td>{}</td><td></td><td></td></tr>",
                k + 1,
                rich::html(&dash(r.element.clone()), &s.figures),
                fmt_opt(r.marks),
                rich::html(&dash(r.criteria.clone()), &s.figures)
            );
        }
        let _ = writeln!(
            b,
            "<tr class=\"total\"><td></td><th>合计</th><td class=\"c total-pts\">{}</td><td></td><td></td><td></td></tr>\n</table>",
            fmt_num(s.rubric_total())
        );
        let _ = writeln!(
            b,
            "<table class=\"weighting\"><tr><td>{}</td><th style=\"width:4em\">得分</th><td style=\"width:4em\"></td>\
             <th style=\"width:4em\">折算分</th><td style=\"width:4em\"></td></tr></table>",
            esc(&s.weighting())
        );
        b.push_str(
            "<p class=\"small\">注：按本题评分标准所列分值评分，每项扣分不超过该项配分；否定项（严重违反安全规程等）按试题说明处理。折算分由得分乘折算系数得出，保留两位小数。</p>\n",
        );
        sig_lines(&mut b);
        b.push_str("</section>\n");
    }
    if sheets.is_empty() {
        doc_head(
            &mut b,
            h,
            "操作技能考核 评分记录表",
            false,
            &[info_line(&info)],
        );
        let _ = writeln!(b, "<p>{DASH}</p>");
    } else {
        summary_html(&mut b, paper, &sheets, h, &info);
    }
    page("评分记录表", h, false, &b)
}

/// 操作技能考核成绩汇总表: every task's score, its weighting and its 折算分, and their total.
fn summary_html(
    b: &mut String,
    paper: &PracticalPaper,
    sheets: &[model::Sheet],
    h: &DocHeader,
    info: &PaperInfo,
) {
    b.push_str("<section class=\"summary pb\">\n");
    if !h.title.is_empty() {
        let _ = writeln!(b, "<p class=\"sitting\">{}</p>", esc(h.title));
    }
    let _ = writeln!(
        b,
        "<h1>操作技能考核 成绩汇总表</h1>\n<p class=\"meta\">{}　场次：{}</p>",
        esc(&info_line(info)),
        nw(h.sitting)
    );
    b.push_str(
        "<p>考生姓名：<span class=\"blank\"></span>　准考证号：<span class=\"blank\" style=\"min-width:12em\"></span></p>\n\
         <table class=\"summary\"><tr><th>试题</th><th>模块</th><th style=\"width:4em\">本题满分</th>\
         <th style=\"width:6em\">折算系数</th><th style=\"width:4em\">折算配分</th><th style=\"width:4em\">得分</th>\
         <th style=\"width:4em\">折算分</th><th style=\"width:7em\">备注</th></tr>\n",
    );
    for s in sheets {
        let full = s.task_points.unwrap_or_else(|| s.rubric_total());
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"c pts\">{}</td><td class=\"c\">{}</td><td class=\"c pts\">{}</td><td></td><td></td><td>{}</td></tr>",
            esc(&s.label()),
            esc(&s.module),
            fmt_num(full),
            esc(&s
                .points
                .map_or(DASH.to_string(), |p| model::factor_text(p, full))),
            fmt_opt(s.points),
            esc(&model::summary_note(s))
        );
    }
    let _ = writeln!(
        b,
        "<tr class=\"total\"><th colspan=\"4\">合计</th><td class=\"c set-total pts\">{}</td><td></td><td></td><td></td></tr>\n</table>",
        fmt_num(model::set_points(paper))
    );
    b.push_str("<p class=\"small\">注：操作技能考核成绩为各试题折算分之和。</p>\n");
    sig_lines(b);
    b.push_str("</section>\n");
}

// ---------------------------------------------------------------------------------------------
// Defence
// ---------------------------------------------------------------------------------------------

/// The time line of a 答辩题签: minutes per topic when the set gives the defence a time.
pub(crate) fn defence_time(paper: &PracticalPaper) -> String {
    match model::minutes_per_topic(paper) {
        Some(m) => format!("答辩时间：本题 {m} 分钟（共 {} 题）", paper.defence.len()),
        None => "答辩时间：按考评组安排".to_string(),
    }
}

/// 答辩题签 for candidates, one per page: the topics only, never a reference point.
pub fn defence_html(paper: &PracticalPaper, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let topics = model::topics(paper, None);
    let mut b = String::new();
    if topics.is_empty() {
        doc_head(&mut b, h, "答辩题签", false, &[info_line(&info)]);
        b.push_str("<p>本试卷无答辩题。</p>\n");
    }
    for (i, t) in topics.iter().enumerate() {
        let _ = writeln!(b, "<section class=\"topic\" data-id=\"{}\">", esc(&t.id));
        if !h.title.is_empty() {
            let _ = writeln!(b, "<p class=\"sitting\">{}</p>", esc(h.title));
        }
        let _ = writeln!(
            b,
            "<h1>答辩题签</h1>\n<p class=\"meta\">{}</p>\n<p>第 {} 题　编号：{}　　场次：{}</p>\n<p>职业功能：{}</p>\n<p>答辩题目：</p>\n<div class=\"body\">{}</div>{}",
            esc(&info_line(&info)),
            i + 1,
            esc(&dash(t.id.clone())),
            nw(h.sitting),
            esc(&t.module),
            rich::html(&dash(t.topic.clone()), &t.figures),
            rich::html_after(&t.figures)
        );
        let _ = writeln!(
            b,
            "<p>{}　　满分：{} 分</p>\n\
             <p>考生签名：<span class=\"blank\" style=\"min-width:10em\"></span>　　准考证号：<span class=\"blank\" style=\"min-width:10em\"></span>　　日期：<span class=\"blank\"></span></p>\n</section>",
            esc(&defence_time(paper)),
            fmt_num(t.full_marks())
        );
    }
    page("答辩题签", h, false, &b)
}

/// 答辩参考要点及评分标准 for the examiners (绝密★考评员用): each topic's reference points with
/// their 配分 and 评分标准, then the 答辩评分表 one candidate's examiners fill in and sign, with
/// the 综合评审 total.
pub fn defence_key_html(paper: &PracticalPaper, key: &PracticalKey, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let topics = model::topics(paper, Some(key));
    let mut b = String::new();
    b.push_str("<section class=\"refs\">\n<p class=\"secret\">绝密★考评员用</p>\n");
    if !h.title.is_empty() {
        let _ = writeln!(b, "<p class=\"sitting\">{}</p>", esc(h.title));
    }
    let _ = writeln!(
        b,
        "<h1>答辩参考要点及评分标准</h1>\n<p class=\"meta\">{}　场次：{}</p>",
        esc(&info_line(&info)),
        nw(h.sitting)
    );
    if topics.is_empty() {
        b.push_str("<p>本试卷无答辩题。</p>\n");
    }
    for (i, t) in topics.iter().enumerate() {
        let _ = writeln!(
            b,
            "<div class=\"ans\"><h3>第 {} 题　{}　{}</h3><p class=\"small\">职业功能：{}　{}　满分：{} 分</p>",
            i + 1,
            esc(&dash(t.id.clone())),
            esc(&dash(t.topic.clone())),
            esc(&t.module),
            esc(&defence_time(paper)),
            fmt_num(t.full_marks())
        );
        if t.reference.is_empty() {
            let _ = write!(b, "<p>{DASH}</p>");
        } else {
            b.push_str(
                "<table class=\"ref-table\"><tr><th style=\"width:2.5em\">序号</th><th>参考要点</th>\
                 <th style=\"width:3em\">配分</th><th style=\"width:13em\">评分标准</th><th style=\"width:3em\">得分</th></tr>\n",
            );
            for (k, r) in t.points().iter().enumerate() {
                let _ = writeln!(
                    b,
                    "<tr><td class=\"c\">{}</td><td class=\"pre\">{}</td><td class=\"c pts\">{}</td><td class=\"small\">{}</td><td></td></tr>",
                    k + 1,
                    rich::html(&r.text, &t.figures),
                    fmt_opt(r.points),
                    esc(&model::ref_criteria(r.points))
                );
            }
            let _ = writeln!(
                b,
                "<tr class=\"total\"><th colspan=\"2\">合计</th><td class=\"c pts\">{}</td><td></td><td></td></tr></table>",
                fmt_num(t.full_marks())
            );
        }
        b.push_str("</div>\n");
    }
    b.push_str("</section>\n");
    if !topics.is_empty() {
        defence_score_sheet(&mut b, &topics, h, &info);
    }
    page("答辩参考要点及评分表", h, true, &b)
}

/// Examiners per 答辩评分表 (a 综合评审 panel has at least three).
const PANEL: usize = 3;

/// 答辩评分表: each examiner's score per topic, their mean, and the 综合评审 total (the mean of
/// the topics' scores), signed by every examiner and the panel's leader.
fn defence_score_sheet(b: &mut String, topics: &[model::Topic], h: &DocHeader, info: &PaperInfo) {
    b.push_str("<section class=\"score-sheet pb\">\n");
    if !h.title.is_empty() {
        let _ = writeln!(b, "<p class=\"sitting\">{}</p>", esc(h.title));
    }
    let _ = writeln!(
        b,
        "<h1>综合评审 答辩评分表</h1>\n<p class=\"meta\">{}　场次：{}</p>",
        esc(&info_line(info)),
        nw(h.sitting)
    );
    b.push_str(
        "<p>考生姓名：<span class=\"blank\"></span>　准考证号：<span class=\"blank\" style=\"min-width:12em\"></span>　答辩日期：<span class=\"blank\"></span></p>\n\
         <table class=\"defence-scores\"><tr><th style=\"width:3em\">题序</th><th>答辩题目编号</th><th style=\"width:3.5em\">满分</th>",
    );
    for k in 0..PANEL {
        let _ = write!(
            b,
            "<th style=\"width:4.5em\">考评员{}</th>",
            model::cn_num(k + 1)
        );
    }
    b.push_str("<th style=\"width:4.5em\">平均分</th></tr>\n");
    for (i, t) in topics.iter().enumerate() {
        let _ = write!(
            b,
            "<tr><td class=\"c\">{}</td><td>{}</td><td class=\"c pts\">{}</td>",
            i + 1,
            esc(&dash(t.id.clone())),
            fmt_num(t.full_marks())
        );
        for _ in 0..=PANEL {
            b.push_str("<td></td>");
        }
        b.push_str("</tr>\n");
    }
    let full: f64 = topics.iter().map(model::Topic::full_marks).sum::<f64>() / topics.len() as f64;
    let _ = writeln!(
        b,
        "<tr class=\"total\"><th colspan=\"2\">综合评审成绩</th><td class=\"c pts\">{}</td><td colspan=\"{PANEL}\" class=\"small\">{}</td><td></td></tr>\n</table>",
        fmt_num(full),
        esc(&model::defence_total_rule(topics.len()))
    );
    b.push_str(
        "<p class=\"small\">注：每位考评员按参考要点及评分标准独立评分，每题得分为各考评员评分的平均分，保留一位小数。</p>\n",
    );
    b.push_str("<div class=\"sig\">");
    for k in 0..PANEL {
        let _ = write!(
            b,
            "<span>考评员{}（签名）：<span class=\"blank\" style=\"min-width:5em\"></span></span>",
            model::cn_num(k + 1)
        );
    }
    b.push_str("</div>\n<div class=\"sig\"><span>考评组长（签名）：<span class=\"blank\"></span></span><span>日期：<span class=\"blank\"></span></span></div>\n</section>\n");
}
