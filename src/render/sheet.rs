//! The 答题卡 (answer sheet) of a theory copy: candidate number boxes with a 0–9 bubble column
//! per digit, and one bubble row per objective question in the copy's own numbering, in blocks
//! of five, between four corner marks, so that a sheet can be marked by hand or scanned.
//! Subjective questions are answered on the paper itself; the sheet says so.

use std::fmt::Write;

use crate::document::TheoryPaper;

use super::DocHeader;
use super::html::{esc, info_line, nw, page};
use super::model::{self, PaperInfo};

/// Digits of the 准考证号 the sheet has boxes for (Jiangsu's admission numbers have at most 16).
pub(crate) const CANDIDATE_DIGITS: usize = 16;
/// Questions per bubble block (a block is never split across a page).
const BLOCK: usize = 5;

const SHEET_STYLE: &str = r#"
.mark { position: fixed; width: 5mm; height: 5mm; background: #000; }
.mark.tl { top: 0; left: 0; } .mark.tr { top: 0; right: 0; }
.mark.bl { bottom: 0; left: 0; } .mark.br { bottom: 0; right: 0; }
.sheet-head { display: flex; gap: 4mm; align-items: flex-start; margin: 0.4em 0; }
.who { flex: 1; border: 1px solid #000; padding: 0.3em 0.5em; min-width: 0; }
.who p { margin: 0.45em 0; }
.rules { border: 1px solid #000; padding: 0.3em 0.5em; font-size: 8.5pt; width: 48mm; flex: none; }
.rules p { margin: 0.2em 0; }
.absent { border: 1px solid #000; padding: 0.3em; font-size: 8pt; text-align: center; width: 15mm; flex: none; }
table.number { width: auto; margin: 0.3em auto; }
table.number td { width: 5.2mm; padding: 0; text-align: center; font-size: 7pt; height: 3.7mm; line-height: 3.7mm; border: 1px solid #000; }
table.number tr.write td { height: 7mm; }
table.number tr.bub td { border-top: none; border-bottom: none; }
table.number tr.bub:last-child td { border-bottom: 1px solid #000; }
.b { display: inline-block; width: 4.2mm; height: 2.6mm; line-height: 2.6mm; border: 0.6pt solid #000; border-radius: 1mm; font-size: 6pt; text-align: center; vertical-align: middle; margin: 0 0.4mm; }
.b.fill { background: #000; color: #000; }
.blocks { display: flex; flex-wrap: wrap; gap: 2mm 3mm; margin-top: 0.3em; }
.blk { border: 1px solid #000; padding: 1mm 1.5mm; break-inside: avoid; page-break-inside: avoid; }
.row { white-space: nowrap; line-height: 3.9mm; font-size: 8pt; }
.row .n { display: inline-block; width: 7mm; text-align: right; margin-right: 1mm; font-weight: bold; }
.sec-title { font-weight: bold; margin: 0.5em 0 0.1em; break-after: avoid; page-break-after: avoid; }
"#;

/// The bubbles a question's row has: √ and × for 判断, its options' letters otherwise.
fn choices(item: &model::Item) -> Vec<String> {
    if item.ty == "判断" {
        vec!["√".into(), "×".into()]
    } else {
        (0..item.options.len()).map(model::opt_label).collect()
    }
}

/// 答题卡 of a theory copy, for candidates: no answer, only bubbles.
pub fn theory_answer_sheet_html(paper: &TheoryPaper, h: &DocHeader) -> String {
    let info = PaperInfo::of(&paper.head());
    let secs = model::sections(paper);
    let mut b = String::new();
    let _ = writeln!(b, "<style>{SHEET_STYLE}</style>");
    b.push_str(
        "<div class=\"mark tl\"></div><div class=\"mark tr\"></div><div class=\"mark bl\"></div><div class=\"mark br\"></div>\n",
    );
    if !h.title.is_empty() {
        let _ = writeln!(b, "<p class=\"sitting\">{}</p>", esc(h.title));
    }
    let _ = writeln!(
        b,
        "<h1>{} 答题卡</h1>\n<p class=\"meta\">{}</p>\n<p class=\"meta\">场次：{}　副本：{}</p>",
        esc(model::theory_title(paper)),
        esc(&info_line(&info)),
        nw(h.sitting),
        nw(h.copy)
    );
    b.push_str("<div class=\"sheet-head\">\n<div class=\"who\">\n");
    b.push_str(
        "<p>姓　　名：<span class=\"blank\" style=\"min-width:14em\"></span></p>\n\
         <p>证件号后四位：<span class=\"blank\" style=\"min-width:5em\"></span>　座位号：<span class=\"blank\" style=\"min-width:4em\"></span></p>\n\
         <p>准考证号（填写并填涂）：</p>\n",
    );
    candidate_number(&mut b);
    b.push_str("</div>\n<div class=\"rules\">\n<p><b>填涂说明</b></p>\n");
    for r in [
        "1. 用2B铅笔填涂，用黑色签字笔填写姓名和准考证号。",
        "2. 正确填涂：<span class=\"b fill\">A</span>　每题只涂所选答案的方框；多选题涂全部所选答案。",
        "3. 修改时用橡皮擦干净，不得使用涂改液。",
        "4. 保持答题卡整洁，不要折叠、污损，不要在四角黑块处书写。",
    ] {
        let _ = writeln!(b, "<p>{r}</p>");
    }
    b.push_str("</div>\n<div class=\"absent\">缺考标记<br>（考生禁填）<br><br><span class=\"b\"></span><br><br>监考员填涂</div>\n</div>\n");

    let mut objective = 0;
    for (idx, sec) in secs.iter().enumerate() {
        if !model::is_grid_type(&sec.ty) {
            continue;
        }
        objective += sec.items.len();
        let _ = writeln!(
            b,
            "<section class=\"sheet-sec\" data-type=\"{}\">\n<p class=\"sec-title\">{}（{}）</p>\n<div class=\"blocks\">",
            esc(&sec.ty),
            esc(&model::section_title(idx, sec)),
            esc(&model::range_text(&sec.items))
        );
        for block in sec.items.chunks(BLOCK) {
            b.push_str("<div class=\"blk\">");
            for item in block {
                let _ = write!(
                    b,
                    "<div class=\"row\" data-n=\"{}\"><span class=\"n\">{}</span>",
                    esc(&item.n),
                    esc(&model::dash(item.n.clone()))
                );
                for c in choices(item) {
                    let _ = write!(b, "<span class=\"b\">{}</span>", esc(&c));
                }
                b.push_str("</div>");
            }
            b.push_str("</div>\n");
        }
        b.push_str("</div>\n</section>\n");
    }
    let subjective: Vec<_> = secs
        .iter()
        .enumerate()
        .filter(|(_, s)| !model::is_grid_type(&s.ty))
        .map(|(i, s)| {
            format!(
                "{}（{}）",
                model::section_title(i, s),
                model::range_text(&s.items)
            )
        })
        .collect();
    if objective == 0 {
        b.push_str("<p>本试卷无客观题，全部在试卷上作答。</p>\n");
    }
    if !subjective.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"note\">{}在试卷指定位置作答，不在答题卡上作答。</p>",
            esc(&subjective.join("、"))
        );
    }
    page("答题卡", h, false, &b)
}

/// The 准考证号 grid: a write-in box per digit above a 0–9 bubble column.
fn candidate_number(b: &mut String) {
    b.push_str("<table class=\"number\"><tr class=\"write\">");
    for _ in 0..CANDIDATE_DIGITS {
        b.push_str("<td></td>");
    }
    b.push_str("</tr>\n");
    for d in 0..10 {
        b.push_str("<tr class=\"bub\">");
        for _ in 0..CANDIDATE_DIGITS {
            let _ = write!(b, "<td><span class=\"b\">{d}</span></td>");
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table>\n");
}
