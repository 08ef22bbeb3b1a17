//! GitHub-flavoured Markdown versions of the printable documents (headings, numbered
//! questions, tables for answer grids, equipment lists and rubrics).

use std::fmt::Write;

use crate::document::{PracticalKey, PracticalPaper, TheoryKey, TheoryPaper};

use super::DocHeader;
use super::model::{self, DASH, PaperInfo, dash, fmt_num, fmt_opt};
use super::rich;

/// Writing line used for answer space and signatures (full-width low lines, not Markdown syntax).
const LINE: &str = "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿";
const BLANK: &str = "＿＿＿＿＿＿＿＿";

/// Escapes inline Markdown/HTML syntax in one line of text.
pub(crate) fn esc_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes one line so it cannot start a heading, list, quote or code block.
fn esc_line(line: &str) -> String {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let mut out = esc_inline(trimmed);
    let first = out.chars().next();
    if matches!(first, Some('#' | '-' | '+' | '=')) {
        out.insert(0, '\\');
    } else if first.is_some_and(|c| c.is_ascii_digit()) {
        // "1. text" or "1) text" would become an ordered list item.
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if matches!(out.chars().nth(digits), Some('.' | ')')) {
            out.insert(digits, '\\');
        }
    }
    out
}

/// Escapes multi-line text as Markdown paragraphs, keeping every line break.
pub(crate) fn esc_block(s: &str) -> String {
    let mut paras: Vec<Vec<String>> = vec![Vec::new()];
    for line in s.split('\n') {
        if line.trim().is_empty() {
            if paras.last().is_some_and(|p| !p.is_empty()) {
                paras.push(Vec::new());
            }
        } else if let Some(p) = paras.last_mut() {
            p.push(esc_line(line));
        }
    }
    paras
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.join("\\\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Escapes text for a table cell (line breaks become `<br>`).
pub(crate) fn esc_cell(s: &str) -> String {
    s.split('\n')
        .map(|l| esc_inline(l.trim()))
        .collect::<Vec<_>>()
        .join("<br>")
}

fn doc_head(out: &mut String, h: &DocHeader, name: &str, secret: bool, metas: &[String]) {
    if secret {
        out.push_str("**绝密★启用前**\n\n");
    }
    let _ = writeln!(out, "# {}\n", esc_inline(name));
    if !h.title.is_empty() {
        let _ = writeln!(out, "**{}**\n", esc_inline(h.title));
    }
    for m in metas.iter().filter(|m| !m.is_empty()) {
        let _ = writeln!(out, "{}\n", esc_line(m));
    }
    let _ = writeln!(
        out,
        "考试时间：{}　组织单位：{}　场次：{}\n",
        esc_inline(&dash(h.date.to_string())),
        esc_inline(&dash(h.organisation.to_string())),
        esc_inline(&dash(h.sitting.to_string()))
    );
}

fn footer(out: &mut String, h: &DocHeader, doc: &str, secret: bool) {
    let _ = writeln!(
        out,
        "\n---\n\n<small>{}副本：{}　场次：{}　{}</small>",
        if secret { "绝密　" } else { "" },
        esc_inline(&dash(h.copy.to_string())),
        esc_inline(&dash(h.sitting.to_string())),
        esc_inline(doc)
    );
}

fn info_line(info: &PaperInfo) -> String {
    format!("{}　{}　{}", info.occupation, info.level_name, info.form)
}

fn seal(out: &mut String) {
    let _ = writeln!(
        out,
        "姓名：{BLANK}　准考证号：{BLANK}　单位：{BLANK}\n\n\
         ……………………………… 密 封 线 内 不 要 答 题 ………………………………\n"
    );
}

fn score_box(out: &mut String) {
    out.push_str("| 得分 |  |\n| :-: | :-: |\n| 评分人 |  |\n\n");
}

fn sig_lines(out: &mut String) {
    let _ = writeln!(
        out,
        "考评员（签名）：{BLANK}　考评组长（签名）：{BLANK}　日期：{BLANK}\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Theory
// ---------------------------------------------------------------------------------------------

/// Theory paper (试卷) as Markdown; each question starts a line with `**n.**`.
pub fn theory_paper_md(paper: &TheoryPaper, h: &DocHeader) -> String {
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
    b.push_str("## 注意事项\n\n");
    for (i, n) in model::theory_notes(&info.minutes).iter().enumerate() {
        let _ = writeln!(b, "{}. {}", i + 1, esc_inline(n));
    }
    b.push('\n');

    b.push_str("| 题号 |");
    for i in 0..secs.len() {
        let _ = write!(b, " {} |", model::cn_num(i + 1));
    }
    b.push_str(" 总分 | 统分人 |\n|:-:|");
    for _ in 0..secs.len() + 2 {
        b.push_str(":-:|");
    }
    b.push_str("\n| 得分 |");
    for _ in 0..secs.len() + 2 {
        b.push_str("  |");
    }
    b.push_str("\n\n");

    for (idx, sec) in secs.iter().enumerate() {
        let _ = writeln!(b, "## {}\n", esc_inline(&model::section_heading(idx, sec)));
        score_box(&mut b);
        for item in &sec.items {
            let mut stem = esc_block(&rich::md(&item.stem, &item.figures));
            if item.ty == "判断" {
                // the bracket after the number, before the stem, as the national papers print it
                stem.insert_str(0, "（　　）");
            }
            let after = rich::md_after(&item.figures);
            if !after.is_empty() {
                stem.push_str("\n\n");
                stem.push_str(&esc_inline(&after));
            }
            let _ = writeln!(b, "**{}.** {}\n", esc_inline(&dash(item.n.clone())), stem);
            if !item.options.is_empty() {
                let opts: Vec<String> = item
                    .options
                    .iter()
                    .enumerate()
                    .map(|(k, o)| {
                        format!(
                            "{}. {}",
                            model::opt_label(k),
                            esc_inline(&rich::md(o, &item.figures))
                        )
                    })
                    .collect();
                let sep = if model::option_columns(&item.options) == 4 {
                    "　　"
                } else {
                    "\\\n"
                };
                let _ = writeln!(b, "{}\n", opts.join(sep));
            }
            if item.is_subjective() {
                b.push_str("答：\n\n");
                for _ in 0..model::answer_lines(item) / 2 {
                    let _ = writeln!(b, "{LINE}\n");
                }
            }
        }
    }
    footer(&mut b, h, "理论知识考试试卷", false);
    b
}

/// Theory key (标准答案及评分标准) as Markdown, marked 绝密.
pub fn theory_key_md(paper: &TheoryPaper, key: &TheoryKey, h: &DocHeader) -> String {
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
        let _ = writeln!(b, "## {}\n", esc_inline(&ks.title));
        if ks.grid {
            for chunk in ks.entries.chunks(10) {
                b.push_str("| 题号 |");
                for (n, _) in chunk {
                    let _ = write!(b, " {} |", esc_cell(&dash(n.clone())));
                }
                b.push_str("\n|:-:|");
                for _ in chunk {
                    b.push_str(":-:|");
                }
                b.push_str("\n| 答案 |");
                for (_, a) in chunk {
                    let v = a.map(|a| a.answer.clone()).unwrap_or_default();
                    let _ = write!(b, " {} |", esc_cell(&dash(v)));
                }
                b.push_str("\n\n");
            }
            let expl: Vec<_> = ks
                .entries
                .iter()
                .filter_map(|(n, a)| a.filter(|a| !a.explanation.is_empty()).map(|a| (n, a)))
                .collect();
            if !expl.is_empty() {
                b.push_str("<small>\n\n解析：\n\n");
                for (n, a) in expl {
                    let _ = writeln!(
                        b,
                        "- {}. {}",
                        esc_inline(&dash(n.clone())),
                        esc_inline(&rich::md(&a.explanation, &a.figures).replace('\n', " "))
                    );
                }
                b.push_str("\n</small>\n\n");
            }
        } else {
            for (n, a) in &ks.entries {
                let _ = writeln!(b, "**{}.** 参考答案：\n", esc_inline(&dash(n.clone())));
                match a {
                    None => {
                        let _ = writeln!(b, "{DASH}\n");
                    }
                    Some(a) => {
                        let _ = writeln!(b, "{}\n", dash(esc_block(&a.answer)));
                        if !a.scheme.is_empty() {
                            b.push_str("| 序号 | 评分要点 | 分值 |\n|:-:|---|:-:|\n");
                            for (k, (step, marks)) in a.scheme.iter().enumerate() {
                                let _ = writeln!(
                                    b,
                                    "| {} | {} | {} |",
                                    k + 1,
                                    esc_cell(&dash(step.clone())),
                                    fmt_opt(*marks)
                                );
                            }
                            let total: f64 = a.scheme.iter().filter_map(|(_, m)| *m).sum();
                            let _ = writeln!(b, "|  | **合计** | {} |\n", fmt_num(total));
                        }
                        if !a.explanation.is_empty() {
                            let _ = writeln!(
                                b,
                                "<small>解析：{}</small>\n",
                                esc_inline(
                                    &rich::md(&a.explanation, &a.figures).replace('\n', " ")
                                )
                            );
                        }
                    }
                }
            }
        }
    }
    footer(&mut b, h, "标准答案及评分标准", true);
    b
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

/// Practical 考核准备通知单 as Markdown.
pub fn practical_notice_md(paper: &PracticalPaper, h: &DocHeader) -> String {
    let mods = model::modules(paper);
    let mut b = String::new();
    doc_head(
        &mut b,
        h,
        "操作技能考核 考核准备通知单",
        false,
        &practical_metas(paper),
    );
    b.push_str(
        "## 一、考场准备\n\n| 序号 | 名称 | 规格 | 单位/数量 | 备注 |\n|:-:|---|---|:-:|---|\n",
    );
    let rows = model::equipment(&mods);
    if rows.is_empty() {
        let _ = writeln!(b, "| {DASH} |  |  |  |  |");
    }
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            b,
            "| {} | {} | {} | {} | {} |",
            i + 1,
            esc_cell(&dash(r.name.clone())),
            esc_cell(&dash(r.spec.clone())),
            esc_cell(&dash(r.qty.clone())),
            esc_cell(&r.remark)
        );
    }
    b.push_str("\n说明：数量为每个工位的配置；备注栏为使用该设备的试题。\n\n## 二、考生准备\n\n");
    let items = model::candidate_items(&mods);
    if items.is_empty() {
        let _ = writeln!(b, "{DASH}\n");
    } else {
        b.push_str("| 序号 | 名称 | 备注 |\n|:-:|---|---|\n");
        for (i, c) in items.iter().enumerate() {
            let _ = writeln!(
                b,
                "| {} | {} | {} |",
                i + 1,
                esc_cell(&c.name),
                esc_cell(&c.remark)
            );
        }
        b.push_str("\n说明：备注栏为需要该物品的试题。\n\n");
    }
    footer(&mut b, h, "考核准备通知单", false);
    b
}

/// Practical 试卷正文 as Markdown; each task is a `### 试题N` heading.
pub fn practical_tasks_md(paper: &PracticalPaper, h: &DocHeader) -> String {
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
    b.push_str("## 注意事项\n\n");
    let _ = writeln!(
        b,
        "1. 请根据试题考核要求，完成考试内容。\n2. 请服从考评人员指挥，保证考核安全顺利进行。\n\
         3. 考核总时间 {} 分钟，各试题考核时间见试题说明。\n",
        esc_inline(&model::practical_minutes(paper))
    );
    b.push_str("| 模块 | 职业功能 | 名称 | 选考方式 | 配分 |\n|:-:|:-:|---|:-:|:-:|\n");
    for (i, m) in mods.iter().enumerate() {
        let _ = writeln!(
            b,
            "| {} | {} | {} | {} | {} |",
            model::cn_num(i + 1),
            esc_cell(&dash(m.function.clone())),
            esc_cell(&dash(m.name.clone())),
            esc_cell(&dash(m.choice.clone())),
            fmt_opt(m.points.or(m.weight))
        );
    }
    b.push('\n');
    for (i, m) in mods.iter().enumerate() {
        let _ = writeln!(
            b,
            "## {}\n\n职业功能：{}　配分：{} 分　**{}**\n",
            esc_inline(&m.title(i)),
            esc_inline(&dash(m.function.clone())),
            fmt_opt(m.points.or(m.weight)),
            esc_inline(&m.choice_note())
        );
        for t in &m.tasks {
            let _ = writeln!(
                b,
                "### 试题{}　{}\n\n试题编号：{}　考核时间：{} min　配分：{} 分\n\n{}\n",
                t.seq,
                esc_inline(&dash(t.title.clone())),
                esc_inline(&dash(t.id.clone())),
                fmt_opt(t.minutes),
                fmt_opt(t.points),
                dash(esc_block(&with_after(&t.text, &t.figures)))
            );
        }
    }
    footer(&mut b, h, "试卷正文", false);
    b
}

/// Practical 评分记录表 as Markdown: per task the examiner's check points, the rubric as written
/// and the weighting with its 折算分, then the 成绩汇总表.
pub fn practical_marking_md(paper: &PracticalPaper, key: &PracticalKey, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let mut b = String::new();
    doc_head(
        &mut b,
        h,
        "操作技能考核 评分记录表",
        false,
        &[info_line(&info)],
    );
    let sheets = model::sheets(paper, key);
    if sheets.is_empty() {
        let _ = writeln!(b, "{DASH}\n");
    }
    for s in &sheets {
        let _ = writeln!(
            b,
            "## {}　{}\n\n模块：{}　考核时间：{} min　本题满分：{} 分　折算配分：{} 分\n\n\
             考生姓名：{BLANK}　准考证号：{BLANK}　工位号：{BLANK}\n",
            esc_inline(&s.label()),
            esc_inline(&dash(s.title.clone())),
            esc_inline(&s.module),
            fmt_opt(s.minutes),
            fmt_opt(s.task_points.or(Some(s.rubric_total()))),
            fmt_opt(s.points)
        );
        if !s.checks.trim().is_empty() {
            let _ = writeln!(
                b,
                "**考评员检查要点**\n\n{}\n",
                esc_block(&rich::md(&s.checks, &s.figures))
            );
        }
        b.push_str("| 序号 | 考核内容（评分要素） | 配分 | 评分标准 | 扣分 | 得分 |\n|:-:|---|:-:|---|:-:|:-:|\n");
        for (k, r) in s.rubric.iter().enumerate() {
            let _ = writeln!(
                b,
                "| {} | {} | {} | {} |  |  |",
                k + 1,
                esc_cell(&dash(r.element.clone())),
                fmt_opt(r.marks),
                esc_cell(&dash(rich::md(&r.criteria, &s.figures)))
            );
        }
        let _ = writeln!(
            b,
            "|  | **合计** | {} |  |  |  |\n",
            fmt_num(s.rubric_total())
        );
        let _ = writeln!(
            b,
            "{}\n\n得分：{BLANK}　折算分：{BLANK}\n\n\
             注：按本题评分标准所列分值评分，每项扣分不超过该项配分；否定项（严重违反安全规程等）按试题说明处理。折算分由得分乘折算系数得出，保留两位小数。\n",
            esc_inline(&s.weighting())
        );
        sig_lines(&mut b);
    }
    if !sheets.is_empty() {
        b.push_str("## 操作技能考核 成绩汇总表\n\n考生姓名：");
        let _ = writeln!(
            b,
            "{BLANK}　准考证号：{BLANK}\n\n| 试题 | 模块 | 本题满分 | 折算系数 | 折算配分 | 得分 | 折算分 | 备注 |\n|---|---|:-:|:-:|:-:|:-:|:-:|---|"
        );
        for s in &sheets {
            let full = s.task_points.unwrap_or_else(|| s.rubric_total());
            let _ = writeln!(
                b,
                "| {} | {} | {} | {} | {} |  |  | {} |",
                esc_cell(&s.label()),
                esc_cell(&s.module),
                fmt_num(full),
                esc_cell(
                    &s.points
                        .map_or(DASH.to_string(), |p| model::factor_text(p, full))
                ),
                fmt_opt(s.points),
                esc_cell(&model::summary_note(s))
            );
        }
        let _ = writeln!(
            b,
            "| **合计** |  |  |  | {} |  |  |  |\n\n注：操作技能考核成绩为各试题折算分之和。\n",
            fmt_num(model::set_points(paper))
        );
        sig_lines(&mut b);
    }
    footer(&mut b, h, "评分记录表", false);
    b
}

// ---------------------------------------------------------------------------------------------
// Defence
// ---------------------------------------------------------------------------------------------

/// 答辩题签 as Markdown for candidates (topics separated by rules): no reference point.
pub fn defence_md(paper: &PracticalPaper, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let topics = model::topics(paper, None);
    let mut b = String::new();
    doc_head(&mut b, h, "答辩题签", false, &[info_line(&info)]);
    if topics.is_empty() {
        b.push_str("本试卷无答辩题。\n\n");
    }
    for t in &topics {
        let _ = writeln!(
            b,
            "---\n\n## 答辩题签　{}\n\n职业功能：{}\n\n答辩题目：\n\n{}\n\n\
             准备时间：{BLANK} 分钟　答辩时间：{BLANK} 分钟\n\n考生签名：{BLANK}　日期：{BLANK}\n",
            esc_inline(&dash(t.id.clone())),
            esc_inline(&t.module),
            dash(esc_block(&with_after(&t.topic, &t.figures)))
        );
    }
    footer(&mut b, h, "答辩题签", false);
    b
}

/// 答辩参考要点 as Markdown for the examiners (绝密★考评员用).
pub fn defence_key_md(paper: &PracticalPaper, key: &PracticalKey, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let topics = model::topics(paper, Some(key));
    let mut b = String::new();
    b.push_str("**绝密★考评员用**\n\n");
    doc_head(&mut b, h, "答辩参考要点", false, &[info_line(&info)]);
    if topics.is_empty() {
        b.push_str("本试卷无答辩题。\n\n");
    }
    for t in &topics {
        let _ = writeln!(
            b,
            "### {}　{}\n\n职业功能：{}\n",
            esc_inline(&dash(t.id.clone())),
            esc_inline(&dash(t.topic.clone()).replace('\n', " ")),
            esc_inline(&t.module)
        );
        if t.reference.is_empty() {
            let _ = writeln!(b, "{DASH}\n");
        } else {
            for (i, r) in t.reference.iter().enumerate() {
                let _ = writeln!(b, "{}. {}", i + 1, esc_inline(&r.replace('\n', " ")));
            }
            b.push('\n');
        }
    }
    sig_lines(&mut b);
    footer(&mut b, h, "答辩参考要点", true);
    b
}

/// Entry text with its figure references, then the references to the figures printed after it.
fn with_after(text: &str, figs: &[rich::Fig]) -> String {
    let mut t = rich::md(text, figs);
    let after = rich::md_after(figs);
    if !after.is_empty() {
        t.push_str("\n\n");
        t.push_str(&after);
    }
    t
}
