//! The HTML item-analysis report: per-form summaries with score distributions, a p-against-D
//! scatter of every item version, a table of flagged items with option charts (upper and lower
//! 27 % groups per option, with a legend) and the stems of flagged items, and the full item
//! table. Printable on A4; SVG charts drawn with plotters; no scripts. Option letters are in bank
//! order.

use super::{Flag, FormStats, ItemStats, Report, Thresholds};
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn f2(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{v:.2}"))
}

/// Describes a flag in Chinese for examiners, with its figures.
pub fn flag_text(f: &Flag) -> String {
    let letter = |i: usize| (b'A' + i as u8) as char;
    match f {
        Flag::TooHard { p } => format!("过难（p = {p:.2}）"),
        Flag::TooEasy { p } => format!("过易（p = {p:.2}）"),
        Flag::LowDiscrimination { d } => format!("区分度低（D = {d:.2}）"),
        Flag::NegativeDiscrimination { d } => format!("区分度为负（D = {d:.2}）"),
        Flag::ProbableMiskey {
            distractor,
            upper_share,
            key_upper_share,
        } => format!(
            "疑似答案错误：高分组选{}占{:.0}%，选标准答案占{:.0}%",
            letter(*distractor),
            upper_share * 100.0,
            key_upper_share * 100.0
        ),
        Flag::NonFunctioningDistractor { option, share } => format!(
            "干扰项{}无效（选择率{:.1}%）",
            letter(*option),
            share * 100.0
        ),
    }
}

/// A tick label of a continuous axis: integers without a decimal point, otherwise one decimal;
/// a value that rounds to zero is `0` (never `-0.0`).
fn tick(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        return "0".into();
    }
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// A share as a percentage tick (`40%`).
fn percent(v: f64) -> String {
    let r = (v * 100.0).round();
    format!("{}%", if r == 0.0 { 0.0 } else { r })
}

const FONT: &str = "sans-serif";

fn scatter(items: &[ItemStats], t: &Thresholds) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (600, 420)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin_top(12)
            .margin_left(12)
            .margin_right(24)
            .margin_bottom(8)
            .x_label_area_size(48)
            .y_label_area_size(56)
            .caption("难度 p 与区分度 D", (FONT, 16))
            .build_cartesian_2d(0f64..1f64, -0.6f64..1f64)
        else {
            return s_fallback();
        };
        let _ = chart
            .configure_mesh()
            .x_desc("p（难度）")
            .y_desc("D（区分度）")
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw();
        for (x0, y0, x1, y1) in [
            (t.p_min, -0.6, t.p_min, 1.0),
            (t.p_max, -0.6, t.p_max, 1.0),
            (0.0, t.d_min, 1.0, t.d_min),
        ] {
            let _ = chart.draw_series(LineSeries::new(
                vec![(x0, y0), (x1, y1)],
                RGBColor(160, 160, 160),
            ));
        }
        let pts = |flagged: bool| {
            items
                .iter()
                .filter(move |i| i.flags.is_empty() != flagged)
                .filter_map(|i| Some((i.p?, i.d?.clamp(-0.6, 1.0))))
                .collect::<Vec<_>>()
        };
        let _ = chart.draw_series(
            pts(false)
                .into_iter()
                .map(|(x, y)| Circle::new((x, y), 3, BLUE.filled())),
        );
        let _ = chart.draw_series(
            pts(true)
                .into_iter()
                .map(|(x, y)| Circle::new((x, y), 4, RED.filled())),
        );
        let _ = root.present();
    }
    s
}

fn s_fallback() -> String {
    String::from("<p>（图表无法生成）</p>")
}

fn histogram(f: &FormStats) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (440, 250)).into_drawing_area();
        let _ = root.fill(&WHITE);
        // a count axis: whole numbers only, with headroom of at least one candidate
        let top = f.distribution.iter().map(|b| b.2).max().unwrap_or(0);
        let y_top = u32::try_from(top + top.div_ceil(10).max(1)).unwrap_or(u32::MAX);
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin_top(10)
            .margin_left(10)
            .margin_right(20)
            .margin_bottom(6)
            .x_label_area_size(44)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..f.max_total.max(1.0), 0u32..y_top)
        else {
            return s_fallback();
        };
        let _ = chart
            .configure_mesh()
            .x_desc("总分")
            .y_desc("人数")
            .x_label_formatter(&|v| tick(*v))
            .y_labels(usize::try_from(y_top.min(10)).unwrap_or(10) + 1)
            .y_label_formatter(&|v| v.to_string())
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw();
        let _ = chart.draw_series(f.distribution.iter().map(|(a, b, n)| {
            Rectangle::new(
                [(*a, 0u32), (*b, u32::try_from(*n).unwrap_or(u32::MAX))],
                RGBColor(90, 120, 190).filled(),
            )
        }));
        let _ = root.present();
    }
    s
}

/// Colours of the option chart: the key green, distractors grey; the lower group lighter.
const KEY: RGBColor = RGBColor(40, 150, 60);
const DISTRACTOR: RGBColor = RGBColor(120, 120, 120);

fn options_chart(i: &ItemStats) -> String {
    let mut s = String::new();
    if i.options.is_empty() {
        return s;
    }
    {
        let root = SVGBackend::with_string(&mut s, (480, 220)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let (plot, legend) = root.split_horizontally(320);
        let n = i.options.len() as f64;
        let Ok(mut chart) = ChartBuilder::on(&plot)
            .margin_top(10)
            .margin_left(8)
            .margin_right(8)
            .margin_bottom(4)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..n, 0f64..1f64)
        else {
            return s_fallback();
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .x_desc("选项（题库顺序）")
            .y_desc("选择率")
            .y_label_formatter(&|v| percent(*v))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw();
        for o in &i.options {
            let x = o.option as f64;
            let colour = if o.keyed { KEY } else { DISTRACTOR };
            let _ = chart.draw_series([
                Rectangle::new([(x + 0.1, 0.0), (x + 0.45, o.upper)], colour.filled()),
                Rectangle::new(
                    [(x + 0.5, 0.0), (x + 0.85, o.lower)],
                    colour.mix(0.45).filled(),
                ),
            ]);
        }
        // the option letters under their bars, drawn on the whole area (not clipped to the plot)
        for o in &i.options {
            let (px, py) = chart.backend_coord(&(o.option as f64 + 0.475, 0.0));
            let _ = plot.draw(&Text::new(
                format!("{}", (b'A' + o.option as u8) as char),
                (px - 4, py + 4),
                (FONT, 13),
            ));
        }
        let rows: [(&str, RGBAColor); 4] = [
            ("标准答案 高分组", KEY.to_rgba()),
            ("标准答案 低分组", KEY.mix(0.45)),
            ("干扰项 高分组", DISTRACTOR.to_rgba()),
            ("干扰项 低分组", DISTRACTOR.mix(0.45)),
        ];
        let _ = legend.draw(&Text::new("图例", (8, 14), (FONT, 13)));
        for (k, (label, colour)) in rows.iter().enumerate() {
            let y = 34 + 24 * k as i32;
            let _ = legend.draw(&Rectangle::new([(8, y), (22, y + 12)], colour.filled()));
            let _ = legend.draw(&Text::new(*label, (28, y), (FONT, 12)));
        }
        let _ = legend.draw(&Text::new("高分组：总分前 27%", (8, 140), (FONT, 11)));
        let _ = legend.draw(&Text::new("低分组：总分后 27%", (8, 158), (FONT, 11)));
        let _ = root.present();
    }
    s
}

/// What the bureau reads of a flagged item in the report (a vault output: content is allowed
/// there): its type, stem, options and key, in bank order.
#[derive(Clone, PartialEq)]
pub struct ItemText {
    pub item_type: String,
    pub stem: String,
    /// In bank order (A is the bank's first option), whatever order a printed copy used.
    pub options: Vec<String>,
    pub answer: String,
}

/// Content stays out of debug output (and so out of any panic or log line).
impl std::fmt::Debug for ItemText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemText")
            .field("item_type", &self.item_type)
            .field("options", &self.options.len())
            .finish_non_exhaustive()
    }
}

fn item_text_html(t: &ItemText) -> String {
    let mut h = format!(
        "<div class=\"stem\"><p><span class=\"type\">［{}］</span>{}</p>",
        esc(&t.item_type),
        esc(&t.stem)
    );
    if !t.options.is_empty() {
        h += "<ol class=\"opts\">";
        for (k, o) in t.options.iter().enumerate() {
            let _ = write!(
                h,
                "<li><b>{}.</b> {}</li>",
                (b'A' + k as u8) as char,
                esc(o)
            );
        }
        h += "</ol>";
    }
    if !t.answer.is_empty() {
        let _ = write!(h, "<p>标准答案：{}</p>", esc(&t.answer));
    }
    h += "</div>";
    h
}

/// The whole report as one self-contained HTML page.
///
/// `texts` holds the stem, options and key of flagged items by (id, version): the report is a
/// vault output for the bureau, written 0600 like every decrypted file.
pub fn report_html(
    r: &Report,
    t: &Thresholds,
    texts: &BTreeMap<(String, u32), ItemText>,
) -> String {
    let mut h = String::from(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>试题质量分析报告</title>\n<style>\
         @page{size:A4;margin:15mm 12mm}\
         body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:1em auto;max-width:186mm;font-size:10.5pt}\
         svg{max-width:100%;height:auto}\
         table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #999;padding:2px 5px;font-size:9pt}\
         th{background:#eee}thead{display:table-header-group}tr{break-inside:avoid}\
         .flag{color:#b00}.card{display:inline-block;vertical-align:top;margin:0 1em 1em 0;break-inside:avoid}\
         .item{border-top:1px solid #999;padding-top:.5em;margin-bottom:1em;break-inside:avoid}\
         .stem .type{color:#555}.opts{list-style:none;padding-left:1em;margin:.3em 0}.note{font-size:9pt;color:#333}\
         h2{break-after:avoid}\
         @media print{body{margin:0;max-width:none}.card{margin:0 .5em .5em 0}}\
         </style></head><body>\n<h1>试题质量分析报告</h1>\n",
    );
    let flagged: Vec<&ItemStats> = r.items.iter().filter(|i| !i.flags.is_empty()).collect();
    let _ = writeln!(
        h,
        "<p>试卷 {} 套，试题（版本）{} 道，其中需复核 <b>{}</b> 道。红点为被标记的试题；灰线为阈值（p = {:.2}、{:.2}，D = {:.2}）。</p>",
        r.forms.len(),
        r.items.len(),
        flagged.len(),
        t.p_min,
        t.p_max,
        t.d_min
    );
    h += "<p class=\"note\">说明：本报告中的选项字母（A、B、C…）均按题库中的选项顺序，不是任何印发副本的顺序；各机构副本的选项已打乱，作答已按各副本的排列换算回题库顺序。本报告含试题内容，属保密文件。</p>\n";
    h += "<h2>试卷</h2>\n<table><thead><tr><th>试卷</th><th>人数</th><th>题数</th><th>平均分</th><th>标准差</th><th>满分</th><th>α 系数</th><th>KR-20</th></tr></thead>\n";
    for f in &r.forms {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.form),
            f.candidates,
            f.items,
            f.mean,
            f.sd,
            f.max_total,
            f2(f.alpha),
            f2(f.kr20)
        );
    }
    h += "</table>\n";
    for f in &r.forms {
        let _ = writeln!(
            h,
            "<div class=\"card\"><h3>{} 成绩分布</h3>{}</div>",
            esc(&f.form),
            histogram(f)
        );
    }
    h += "<h2>难度与区分度</h2>\n";
    h += &scatter(&r.items, t);
    h += "\n<h2>需复核的试题</h2>\n";
    if flagged.is_empty() {
        h += "<p>无。</p>\n";
    }
    for i in &flagged {
        let text = texts
            .get(&(i.id.clone(), i.version))
            .map_or_else(String::new, item_text_html);
        let _ = writeln!(
            h,
            "<div class=\"item\"><h3>{} 第 {} 版</h3>{text}<p>n = {}，p = {}，D = {}，r<sub>item-rest</sub> = {}</p><p class=\"flag\">{}</p>{}</div>",
            esc(&i.id),
            i.version,
            i.n,
            f2(i.p),
            f2(i.d),
            f2(i.item_rest),
            i.flags
                .iter()
                .map(|f| esc(&flag_text(f)))
                .collect::<Vec<_>>()
                .join("；"),
            options_chart(i)
        );
    }
    h += "<p class=\"note\">选项图：每个选项左柱为高分组（总分前 27%）选择率，右柱（浅色）为低分组（总分后 27%）；绿色为标准答案，灰色为干扰项；选项字母按题库顺序。</p>\n";
    h += "<h2>全部试题</h2>\n<table><thead><tr><th>试题</th><th>版本</th><th>n</th><th>p</th><th>D</th><th>r<sub>item-rest</sub></th><th>Rasch 难度</th><th>标记</th></tr></thead>\n";
    for i in &r.items {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"flag\">{}</td></tr>",
            esc(&i.id),
            i.version,
            i.n,
            f2(i.p),
            f2(i.d),
            f2(i.item_rest),
            match (i.rasch, i.rasch_se) {
                (Some(b), Some(se)) => format!("{b:.2} ± {se:.2}"),
                (Some(b), None) => format!("{b:.2}"),
                _ => "—".into(),
            },
            i.flags
                .iter()
                .map(|f| esc(&flag_text(f)))
                .collect::<Vec<_>>()
                .join("；")
        );
    }
    h += "</table>\n</body></html>\n";
    h
}
