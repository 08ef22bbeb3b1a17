//! Tests of the rendering module against the assembler's sample papers and keys; expected
//! values are computed from the JSON rather than hard-coded (the renderers take the typed documents
//! the JSON loads as).

use serde_json::{Value, json};

use super::*;
use crate::document::{PracticalKey, PracticalPaper, TheoryKey, TheoryPaper};

/// The only place that knows where the sample data lives.
fn sample(name: &str) -> Value {
    let raw = match name {
        "theory-paper" => include_str!("../../tests/data/render/theory-paper.json"),
        "theory-key" => include_str!("../../tests/data/render/theory-key.json"),
        "theory3-paper" => include_str!("../../tests/data/render/theory3-paper.json"),
        "theory3-key" => include_str!("../../tests/data/render/theory3-key.json"),
        "practical-paper" => include_str!("../../tests/data/render/practical-paper.json"),
        "practical-key" => include_str!("../../tests/data/render/practical-key.json"),
        _ => "{}",
    };
    serde_json::from_str(raw).unwrap_or(Value::Null)
}

fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).expect("a complete sample document")
}
fn tp(v: &Value) -> TheoryPaper {
    typed(v)
}
fn tk(v: &Value) -> TheoryKey {
    typed(v)
}
fn pp(v: &Value) -> PracticalPaper {
    typed(v)
}
fn pk(v: &Value) -> PracticalKey {
    typed(v)
}

fn header() -> DocHeader<'static> {
    DocHeader {
        title: "2026年12月江苏省职业技能等级认定",
        sitting: "JS-2026-12-DG",
        organisation: "S000032100001 南京市某职业技能培训学校",
        copy: "S000032100001-F01",
        date: "2026-12-12 09:00",
    }
}

/// Independent number formatting for expectations (integers bare, else shortest decimal).
fn f(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn sections(paper: &Value) -> &Vec<Value> {
    paper["sections"].as_array().expect("sample has sections")
}

fn all_items(paper: &Value) -> Vec<&Value> {
    sections(paper)
        .iter()
        .flat_map(|s| s["items"].as_array().expect("items").iter())
        .collect()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Lines of the Markdown paper that start a question: `**<digits>.**`.
fn md_questions(md: &str) -> usize {
    md.lines()
        .filter(|l| {
            l.strip_prefix("**").is_some_and(|rest| {
                let digits = rest.chars().take_while(char::is_ascii_digit).count();
                digits > 0 && rest[digits..].starts_with(".**")
            })
        })
        .count()
}

const THEORY: [(&str, &str); 2] = [
    ("theory-paper", "theory-key"),
    ("theory3-paper", "theory3-key"),
];

#[test]
fn paper_html_has_one_q_per_item_with_data_n() {
    for (p, _) in THEORY {
        let paper = sample(p);
        let html = theory_paper_html(&tp(&paper), &header());
        let items = all_items(&paper);
        assert_eq!(count(&html, "class=\"q\""), items.len(), "{p}");
        for it in &items {
            let n = it["n"].as_i64().expect("n");
            assert!(html.contains(&format!("data-n=\"{n}\"")), "{p}: n={n}");
        }
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("lang=\"zh-CN\""));
        assert!(html.contains("@page"));
        assert!(html.contains("\"Noto Serif CJK SC\""));
        assert!(!html.contains("<script"));
        assert!(!html.contains("<link"));
        assert!(!html.contains("src="));
        assert!(html.contains("S000032100001-F01"), "copy code in footer");
        assert!(html.contains("理论知识考试试卷"));
        assert!(html.contains("第 1 套"));
        assert!(html.contains("电工（6-31-01-03）"));
        assert!(html.contains("准考证号"));
        assert!(html.contains("不要在试卷上乱写乱画"));
    }
}

#[test]
fn section_headings_show_ranges_and_totals() {
    const CN: [&str; 7] = ["一", "二", "三", "四", "五", "六", "七"];
    for (p, _) in THEORY {
        let paper = sample(p);
        let html = theory_paper_html(&tp(&paper), &header());
        let md = theory_paper_md(&tp(&paper), &header());
        for (i, s) in sections(&paper).iter().enumerate() {
            let items = s["items"].as_array().expect("items");
            let ns: Vec<i64> = items.iter().filter_map(|x| x["n"].as_i64()).collect();
            let lo = ns.iter().min().expect("min");
            let hi = ns.iter().max().expect("max");
            let total: f64 = items.iter().filter_map(|x| x["points"].as_f64()).sum();
            let each = s["points_each"].as_f64().expect("points_each");
            let range = if lo == hi {
                format!("第{lo}题。")
            } else {
                format!("第{lo}题～第{hi}题。")
            };
            let start = format!("{}、", CN[i]);
            let tail = format!("每题{}分，满分{}分。）", f(each), f(total));
            for doc in [&html, &md] {
                let line = doc
                    .lines()
                    .find(|l| l.contains(&start) && l.contains(&range))
                    .unwrap_or_else(|| panic!("{p}: heading {start}{range} missing"));
                assert!(line.contains(&tail), "{p}: {line} lacks {tail}");
            }
        }
        // Score table has one column per section.
        let cols = sections(&paper).len();
        assert!(html.contains(&format!("<th>{}</th><th>总分</th>", CN[cols - 1])));
    }
    let html = theory_paper_html(&tp(&sample("theory-paper")), &header());
    assert!(html.contains("二、多项选择题（第61题～第70题。"));
    assert!(html.contains("正确的填“√”，错误的填“×”。"));
}

#[test]
fn options_are_labelled_a_to_e() {
    for (p, _) in THEORY {
        let paper = sample(p);
        let html = theory_paper_html(&tp(&paper), &header());
        let md = theory_paper_md(&tp(&paper), &header());
        let mut total = 0;
        for it in all_items(&paper) {
            let opts = it["options"].as_array().expect("options");
            total += opts.len();
            for (k, o) in opts.iter().enumerate() {
                let label = ["A", "B", "C", "D", "E"][k];
                let o = o.as_str().expect("option text");
                assert!(
                    html.contains(&format!("<span class=\"opt\">{label}. {o}</span>")),
                    "{p}: {label}. {o}"
                );
                assert!(
                    md.contains(&format!("{label}. {o}")),
                    "md {p}: {label}. {o}"
                );
            }
        }
        assert_eq!(count(&html, "class=\"opt\""), total, "{p}");
    }
}

#[test]
fn true_false_items_get_brackets_and_subjective_get_space() {
    let paper = sample("theory3-paper");
    let html = theory_paper_html(&tp(&paper), &header());
    for it in all_items(&paper) {
        let stem = it["stem"].as_str().expect("stem");
        match it["type"].as_str() {
            Some("判断") => {
                let n = it["n"].as_i64().expect("n");
                let want = format!(
                    "<span class=\"qn\">{n}.</span> <span class=\"tf\">（　　）</span>{stem}</p>"
                );
                assert!(html.contains(&want), "{want}");
            }
            Some("简答" | "计算") => {
                let n = it["n"].as_i64().expect("n");
                let start = html.find(&format!("data-n=\"{n}\"")).expect("item");
                let rest = &html[start..];
                let end = rest.find("</div>\n").expect("end of item");
                assert!(rest[..end].contains("answer-space"), "n={n}");
            }
            _ => {}
        }
    }
}

#[test]
fn text_is_escaped() {
    let mut paper = sample("theory-paper");
    paper["sections"][0]["items"][0]["stem"] = json!("含<b>&'\"的题干");
    paper["sections"][0]["items"][0]["options"][0] = json!("<i>选项</i>");
    let nasty = DocHeader {
        title: "<T>",
        sitting: "S\"1",
        organisation: "O&O",
        copy: "C\"</style><script>",
        date: "d'",
    };
    let html = theory_paper_html(&tp(&paper), &nasty);
    assert!(html.contains("含&lt;b&gt;&amp;&#39;&quot;的题干"));
    assert!(html.contains("&lt;i&gt;选项&lt;/i&gt;"));
    assert!(!html.contains("<b>&"));
    assert!(!html.contains("<i>"));
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<T>"));
    assert_eq!(count(&html, "</style>"), 1);
    let md = theory_paper_md(&tp(&paper), &nasty);
    assert!(md.contains("含\\<b\\>\\&'\"的题干"));
    assert!(!md.contains("<b>"));
    assert!(!md.contains("<script>"));
}

#[test]
fn key_lists_every_n_and_answer() {
    for (p, k) in THEORY {
        let paper = sample(p);
        let key = sample(k);
        let html = theory_key_html(&tp(&paper), &tk(&key), &header());
        let md = theory_key_md(&tp(&paper), &tk(&key), &header());
        assert!(html.contains("绝密"));
        assert!(md.contains("绝密"));
        assert!(html.contains("标准答案及评分标准"));
        for a in key["answers"].as_array().expect("answers") {
            let n = a["n"].as_i64().expect("n");
            assert!(
                html.contains(&format!("<td>{n}</td>"))
                    || html.contains(&format!("data-n=\"{n}\"")),
                "{k}: n={n} missing"
            );
            assert!(
                md.contains(&format!(" {n} |")) || md.contains(&format!("**{n}.**")),
                "md {k}: n={n} missing"
            );
            if let Some(ans) = a["answer"].as_str()
                && !ans.contains('\n')
            {
                assert!(html.contains(&format!("<td>{ans}</td>")), "{k}: {ans}");
            }
            for step in a["scheme"].as_array().into_iter().flatten() {
                let s = step["step"].as_str().expect("step");
                let m = step["marks"].as_f64().expect("marks");
                assert!(
                    html.contains(&format!("<td>{s}</td><td class=\"c\">{}</td>", f(m))),
                    "{k}: {s}"
                );
                let s_md = s.replace('|', "\\|");
                assert!(
                    md.contains(&format!("| {s_md} | {} |", f(m))),
                    "md {k}: {s}"
                );
            }
        }
        // Every paper item appears in the key exactly once as a grid cell or answer block.
        let cells = count(&html, "<td>") - count(&html, "<td></td>");
        assert!(cells >= all_items(&paper).len());
    }
}

#[test]
fn md_has_same_question_count() {
    for (p, _) in THEORY {
        let paper = sample(p);
        let md = theory_paper_md(&tp(&paper), &header());
        assert_eq!(md_questions(&md), all_items(&paper).len(), "{p}");
        assert!(md.contains("S000032100001-F01"));
        assert!(md.contains("| 题号 |"));
    }
}

#[test]
fn notice_merges_equipment_and_dedups_candidate_items() {
    let paper = sample("practical-paper");
    let html = practical_notice_html(&pp(&paper), &header());
    let md = practical_notice_md(&pp(&paper), &header());
    let mut names: Vec<String> = Vec::new();
    let mut cand: Vec<String> = Vec::new();
    for m in paper["modules"].as_array().expect("modules") {
        for t in m["tasks"].as_array().expect("tasks") {
            for s in t["site"].as_array().expect("site") {
                let n = s["name"].as_str().expect("name").to_string();
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            for c in t["candidate"].as_array().expect("candidate") {
                let c = c.as_str().expect("item").to_string();
                if !cand.contains(&c) {
                    cand.push(c);
                }
            }
        }
    }
    for n in &names {
        assert_eq!(count(&html, &format!("<td>{n}</td>")), 1, "{n}");
        assert_eq!(count(&md, &format!("| {n} |")), 1, "md {n}");
    }
    // one item a row, each once, with the tasks needing it
    let rows = super::model::candidate_items(&super::model::modules(&pp(&paper)));
    let parts = cand.iter().flat_map(|c| super::model::candidate_parts(c));
    for c in parts {
        assert!(rows.iter().any(|r| r.name.starts_with(&c)), "{c}");
    }
    for r in &rows {
        assert_eq!(
            count(&html, &format!("<td>{}</td>", r.name)),
            1,
            "{}",
            r.name
        );
        assert!(!r.remark.is_empty(), "{}", r.name);
    }
    // Equipment rows + candidate rows (+ 2 header rows).
    assert_eq!(count(&html, "<tr>"), names.len() + rows.len() + 2);
    assert!(html.contains("考场准备") && html.contains("考生准备"));
    assert!(html.contains("<th>规格</th>") && html.contains("单位/数量"));
}

#[test]
fn tasks_document_lists_every_task_with_text() {
    let paper = sample("practical-paper");
    let html = practical_tasks_html(&pp(&paper), &header());
    let md = practical_tasks_md(&pp(&paper), &header());
    let mut n = 0;
    for m in paper["modules"].as_array().expect("modules") {
        for t in m["tasks"].as_array().expect("tasks") {
            n += 1;
            let title = t["title"].as_str().expect("title");
            assert!(html.contains(&format!("试题{n}　{title}")));
            assert!(md.contains(&format!("### 试题{n}　{title}")));
            // Line breaks survive (pre-wrap in HTML, hard breaks in Markdown).
            let text = t["text"].as_str().expect("text");
            let first_two: Vec<&str> = text.lines().take(2).collect();
            assert!(html.contains(&first_two.join("\n")));
            assert!(md.contains(&format!("{}\\\n", first_two[0])));
        }
        let pts = m["points"].as_f64().expect("points");
        assert!(html.contains(&format!("配分：{} 分", f(pts))));
    }
    assert_eq!(count(&html, "class=\"task\""), n);
    assert!(html.contains("本模块为必考模块"));
    assert_eq!(count(&html, "class=\"module pb\""), 4);
}

#[test]
fn marking_totals_are_each_tasks_own_points_weighted_to_the_module() {
    let paper = sample("practical-paper");
    let key = sample("practical-key");
    let html = practical_marking_html(&pp(&paper), &pk(&key), &header());
    let md = practical_marking_md(&pp(&paper), &pk(&key), &header());
    let totals: Vec<String> = html
        .split("total-pts\">")
        .skip(1)
        .filter_map(|s| s.split('<').next().map(str::to_string))
        .collect();
    let md_totals: Vec<String> = md
        .lines()
        .filter_map(|l| l.strip_prefix("|  | **合计** | "))
        .filter_map(|s| s.split(' ').next().map(str::to_string))
        .collect();
    let marking = key["marking"].as_array().expect("marking");
    let expected: Vec<String> = marking
        .iter()
        .map(|m| f(m["task_points"].as_f64().expect("task_points")))
        .collect();
    assert_eq!(totals, expected);
    assert_eq!(md_totals, expected);
    for m in marking {
        for r in m["rubric"].as_array().expect("rubric") {
            let e = r["element"].as_str().expect("element");
            assert!(html.contains(&format!("<td>{e}</td>")), "{e}");
        }
        let (pts, own) = (
            m["points"].as_f64().unwrap(),
            m["task_points"].as_f64().unwrap(),
        );
        let line = format!(
            "本题满分{}分，按权重折算为本模块{}分：折算分＝得分×{}",
            f(own),
            f(pts),
            f(pts / own)
        );
        assert!(html.contains(&line) && md.contains(&line), "{line}");
        let checks = m["checks"].as_str().expect("checks");
        assert!(html.contains(checks.lines().next().unwrap()), "{checks}");
    }
    for needle in [
        "考评员",
        "考评组长",
        "日期",
        "扣分",
        "得分",
        "评分标准",
        "折算分",
        "成绩汇总表",
    ] {
        assert!(html.contains(needle) && md.contains(needle), "{needle}");
    }
    assert_eq!(count(&html, "<section class=\"sheet"), marking.len());
    let total: f64 = paper["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["points"].as_f64().unwrap())
        .sum();
    assert!(html.contains(&format!("set-total pts\">{}<", f(total))));
}

#[test]
fn candidate_lines_split_into_items_outside_brackets() {
    use super::model::candidate_parts;
    assert_eq!(candidate_parts("圆珠笔、铅笔"), ["圆珠笔", "铅笔"]);
    assert_eq!(
        candidate_parts("电工通用工具一套（含剥线钳、压线钳）"),
        ["电工通用工具一套（含剥线钳、压线钳）"]
    );
    assert_eq!(
        candidate_parts("活络扳手、套筒扳手各一套"),
        ["活络扳手一套", "套筒扳手一套"]
    );
}

#[test]
fn weighting_factors_print_as_decimals_or_fractions() {
    use super::model::factor_text;
    assert_eq!(factor_text(15.0, 100.0), "×0.15");
    assert_eq!(factor_text(25.0, 100.0), "×0.25");
    assert_eq!(factor_text(20.0, 80.0), "×0.25");
    assert_eq!(factor_text(17.0, 60.0), "×17/60");
    assert_eq!(factor_text(30.0, 30.0), "×1");
}

#[test]
fn examiner_sections_leave_the_task_text() {
    use crate::document::split_examiner_text;
    let (c, e) = split_examiner_text(
        "一、考核内容\n装调\n\n三、安全要求\n断电\n\n四、考评员检查要点\n接线；试车。\n考核时间60 min。",
    );
    assert_eq!(c, "一、考核内容\n装调\n\n三、安全要求\n断电");
    assert_eq!(e, "接线；试车。\n考核时间60 min。");
    let (c, e) = split_examiner_text("一、要求\n甲\n二、考评员检查要点：乙\n三、安全要求\n丙");
    assert_eq!(c, "一、要求\n甲\n三、安全要求\n丙");
    assert_eq!(e, "乙");
    let (c, e) = split_examiner_text("只有正文，考评员监护下通电。");
    assert_eq!(
        (c.as_str(), e.as_str()),
        ("只有正文，考评员监护下通电。", "")
    );
}

#[test]
fn number_and_numeral_formatting() {
    use super::model::{cn_num, fmt_num};
    assert_eq!(fmt_num(20.0), "20");
    assert_eq!(fmt_num(0.5), "0.5");
    assert_eq!(fmt_num(2.25), "2.25");
    assert_eq!(fmt_num(1.0 / 3.0), "0.33");
    assert_eq!(cn_num(1), "一");
    assert_eq!(cn_num(10), "十");
    assert_eq!(cn_num(12), "十二");
    assert_eq!(cn_num(20), "二十");
    assert_eq!(cn_num(35), "三十五");
}

#[test]
fn key_keeps_unmatched_answers() {
    let mut paper = sample("theory-paper");
    paper["sections"] = json!([]);
    let mut key = sample("theory-key");
    key["answers"] = json!([
        {"n": 7, "id": "X-7", "version": 1, "answer": "A"},
        {"n": 8, "id": "X-8", "version": 1, "answer": ["x", "y"]}
    ]);
    let html = theory_key_html(&tp(&paper), &tk(&key), &header());
    assert!(html.contains("<td>7</td>") || html.contains("data-n=\"7\""));
    assert!(html.contains("data-n=\"8\""));
    assert!(html.contains("（1）x；（2）y"));
}

/// The practical sample with its first module's first task repeated under `ids` and `choice`.
fn one_module(choice: &str, ids: &[&str], text: Option<&str>) -> Value {
    let mut paper = sample("practical-paper");
    let mut module = paper["modules"][0].clone();
    let task = module["tasks"][0].clone();
    module["choice"] = json!(choice);
    module["tasks"] = ids
        .iter()
        .map(|id| {
            let mut t = task.clone();
            t["id"] = json!(id);
            if let Some(x) = text {
                t["text"] = json!(x);
            }
            t
        })
        .collect();
    paper["modules"] = json!([module]);
    paper
}

#[test]
fn choice_modules_note_the_draw() {
    let paper = pp(&one_module("3选一", &["A", "B", "C"], None));
    let html = practical_tasks_html(&paper, &header());
    assert!(html.contains("本模块3选一，由考评员抽签确定"));
    assert_eq!(count(&html, "class=\"task\""), 3);
    let md = practical_tasks_md(&paper, &header());
    assert!(md.contains("本模块3选一，由考评员抽签确定"));
}

#[test]
fn markdown_escapes_line_starts() {
    let paper = one_module(
        "必考",
        &["A"],
        Some("1. 第一\n# 不是标题\n- 不是列表\n\n二、段落"),
    );
    let md = practical_tasks_md(&pp(&paper), &header());
    assert!(md.contains("1\\. 第一\\\n\\# 不是标题\\\n\\- 不是列表\n\n二、段落"));
}

#[test]
fn defence_topics_one_per_page_and_references_in_their_own_document() {
    let mut paper = sample("practical-paper");
    let mut module = paper["modules"][0].clone();
    module["function"] = json!("6");
    module["name"] = json!("培训与技术管理");
    paper["modules"] = json!([module]);
    paper["defence"] = json!([
        {"id": "DG2-D01", "version": 1, "module": "6", "module_name": "培训与技术管理", "topic": "论述<安全>培训方案"},
        {"id": "DG2-D02", "version": 1, "module": "7", "module_name": null, "topic": "技术改造\n第二行"}
    ]);
    let mut key = sample("practical-key");
    key["defence"] = json!([
        {"id": "DG2-D02", "version": 1, "reference": ["要点乙"]},
        {"id": "DG2-D01", "version": 1, "reference": ["要点甲一", "要点甲二"]}
    ]);
    let (paper, key) = (pp(&paper), pk(&key));
    let html = defence_html(&paper, &header());
    assert_eq!(count(&html, "class=\"topic\""), 2);
    assert!(html.contains("论述&lt;安全&gt;培训方案"));
    assert!(html.contains("6　培训与技术管理"));
    for needle in ["准备时间", "答辩时间", "考生签名", "编号：DG2-D01"] {
        assert!(html.contains(needle), "{needle}");
    }
    let md = defence_md(&paper, &header());
    assert_eq!(count(&md, "## 答辩题签"), 2);
    // the candidates' sheets hold no reference point; the examiners' document holds them all
    for doc in [&html, &md] {
        for needle in ["答辩参考要点", "考评员用", "要点甲一", "要点甲二", "要点乙"]
        {
            assert!(!doc.contains(needle), "{needle}");
        }
    }
    let key_html = defence_key_html(&paper, &key, &header());
    let key_md = defence_key_md(&paper, &key, &header());
    for doc in [&key_html, &key_md] {
        assert!(doc.contains("绝密★考评员用") && doc.contains("答辩参考要点"));
        let a = doc.find("要点甲一").expect("ref");
        assert!(doc[..a].contains("DG2-D01　论述"));
        assert!(doc.contains("要点乙") && !doc.contains("准备时间"));
    }
    let empty = defence_html(&pp(&sample("practical-paper")), &header());
    assert!(empty.contains("本试卷无答辩题"));
}

/// Where the renderers print the placeholder for a missing value: a cell, a line or a bracket
/// holding nothing else. Content itself may contain the dash (`E—P`).
fn placeholders(doc: &str) -> usize {
    [
        ">—<",
        "| — |",
        "：—\n",
        "：—<",
        "（—）",
        "第 — 套",
        " — |",
        "　—　",
        "　—<",
    ]
    .iter()
    .map(|p| count(doc, p))
    .sum()
}

#[test]
fn complete_documents_never_print_the_placeholder() {
    let h = header();
    for (p, k) in THEORY {
        let (paper, key) = (tp(&sample(p)), tk(&sample(k)));
        for doc in [
            theory_paper_html(&paper, &h),
            theory_paper_md(&paper, &h),
            theory_key_html(&paper, &key, &h),
            theory_key_md(&paper, &key, &h),
        ] {
            assert_eq!(placeholders(&doc), 0, "{p}: {doc}");
        }
    }
    let (paper, key) = (pp(&sample("practical-paper")), pk(&sample("practical-key")));
    for doc in [
        practical_notice_html(&paper, &h),
        practical_notice_md(&paper, &h),
        practical_tasks_html(&paper, &h),
        practical_tasks_md(&paper, &h),
        practical_marking_html(&paper, &key, &h),
        practical_marking_md(&paper, &key, &h),
    ] {
        assert_eq!(placeholders(&doc), 0, "{doc}");
    }
    // the check can fail: a document with an empty level name shows the placeholder
    let mut bare = sample("theory-paper");
    bare["level_name"] = json!("");
    assert!(placeholders(&theory_paper_html(&tp(&bare), &h)) > 0);
    assert!(placeholders(&theory_paper_md(&tp(&bare), &h)) > 0);
}

#[test]
fn odd_input_is_refused_before_rendering() {
    let odd = [
        json!({}),
        json!(null),
        json!([1, 2]),
        json!("x"),
        json!({"sections": "x", "modules": 3, "defence": {"a": 1}, "answers": null, "marking": [1]}),
    ];
    for v in &odd {
        let bytes = serde_json::to_vec(v).unwrap();
        assert!(crate::document::load::<TheoryPaper>(&bytes, "f", "paper").is_err());
        assert!(crate::document::load::<TheoryKey>(&bytes, "f", "key").is_err());
        assert!(crate::document::load::<PracticalPaper>(&bytes, "f", "paper").is_err());
        assert!(crate::document::load::<PracticalKey>(&bytes, "f", "key").is_err());
    }
    // a complete paper with no questions renders as an empty paper
    let mut paper = sample("theory-paper");
    paper["sections"] = json!([]);
    let empty = theory_paper_html(&tp(&paper), &header());
    assert_eq!(count(&empty, "class=\"q\""), 0);
}

#[test]
fn answer_sheet_has_one_bubble_row_per_objective_question_and_no_answer() {
    for (p, k) in [
        ("theory-paper", "theory-key"),
        ("theory3-paper", "theory3-key"),
    ] {
        let paper = sample(p);
        let sheet = theory_answer_sheet_html(&tp(&paper), &header());
        let mut rows = 0;
        for it in all_items(&paper) {
            let n = it["n"].as_i64().expect("n");
            let ty = it["type"].as_str().unwrap_or_default();
            let row = sheet.find(&format!("<div class=\"row\" data-n=\"{n}\">"));
            if !matches!(ty, "判断" | "单选" | "多选") {
                assert!(row.is_none(), "subjective item {n} has no bubbles");
                continue;
            }
            rows += 1;
            let rest = &sheet[row.unwrap_or_else(|| panic!("{p}: no row for {n}"))..];
            let row = &rest[..rest.find("</div>").expect("end of row")];
            let want = if ty == "判断" {
                2
            } else {
                it["options"].as_array().map_or(0, Vec::len)
            };
            assert_eq!(count(row, "class=\"b\""), want, "{p} item {n}");
            if ty == "判断" {
                assert!(row.contains(">√<") && row.contains(">×<"), "{row}");
            }
        }
        assert_eq!(count(&sheet, "class=\"row\""), rows, "{p}");
        // 16 digits of 准考证号, each with bubbles 0–9, and the four corner marks
        assert_eq!(count(&sheet, "<td><span class=\"b\">"), 16 * 10, "{p}");
        assert_eq!(count(&sheet, "class=\"mark "), 4, "{p}");
        // nothing of the key reaches the candidates' sheet
        for a in tk(&sample(k)).answers {
            if let Some(e) = a.explanation.filter(|e| e.chars().count() > 8) {
                assert!(!sheet.contains(&esc_text(&e)), "{p}");
            }
        }
    }
}

fn esc_text(s: &str) -> String {
    super::html::esc(s)
}

#[test]
fn answer_brackets_and_sitting_ids_never_break_across_lines() {
    let paper = sample("theory-paper");
    let html = theory_paper_html(&tp(&paper), &header());
    assert!(html.contains("场次：<span class=\"nw\">JS-2026-12-DG</span>"));
    let bracketed = all_items(&paper)
        .into_iter()
        .filter(|it| it["stem"].as_str().is_some_and(|s| s.contains("（  ）")))
        .count();
    assert!(bracketed > 0, "the sample has stems with answer brackets");
    assert!(
        count(&html, "<span class=\"nw\">（  ）</span>") >= bracketed,
        "every answer bracket is kept on one line"
    );
    // the screen-only footer does not print (the page margin boxes carry the same text)
    assert!(html.contains("@media print { .doc-foot { display: none; } }"));
}
