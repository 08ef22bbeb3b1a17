//! The HTML item-analysis report: per-form summaries with score distributions, a p-against-D
//! scatter of every item version, a table of flagged items with option charts (upper and lower
//! 27 % groups per option), and the full item table. SVG charts drawn with plotters; no scripts.

use super::{Flag, FormStats, ItemStats, Report, Thresholds};
use plotters::prelude::*;
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

fn scatter(items: &[ItemStats], t: &Thresholds) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (560, 400)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .caption("p – D", ("sans-serif", 16))
            .build_cartesian_2d(0f64..1f64, -0.6f64..1f64)
        else {
            return s_fallback();
        };
        let _ = chart
            .configure_mesh()
            .x_desc("p (难度)")
            .y_desc("D (区分度)")
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
                .filter_map(|i| Some((i.p?, i.d?)))
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
    String::from("<p>(chart unavailable)</p>")
}

fn histogram(f: &FormStats) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (420, 240)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let top = f.distribution.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64;
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..f.max_total.max(1.0), 0f64..top * 1.1)
        else {
            return s_fallback();
        };
        let _ = chart.configure_mesh().x_desc("总分").y_desc("人数").draw();
        let _ = chart.draw_series(f.distribution.iter().map(|(a, b, n)| {
            Rectangle::new(
                [(*a, 0.0), (*b, *n as f64)],
                RGBColor(90, 120, 190).filled(),
            )
        }));
        let _ = root.present();
    }
    s
}

fn options_chart(i: &ItemStats) -> String {
    let mut s = String::new();
    if i.options.is_empty() {
        return s;
    }
    {
        let root = SVGBackend::with_string(&mut s, (360, 200)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let n = i.options.len() as f64;
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(26)
            .y_label_area_size(36)
            .build_cartesian_2d(0f64..n, 0f64..1f64)
        else {
            return s_fallback();
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc("选择率")
            .draw();
        for o in &i.options {
            let x = o.option as f64;
            let key = if o.keyed {
                RGBColor(40, 150, 60)
            } else {
                RGBColor(120, 120, 120)
            };
            let _ = chart.draw_series([
                Rectangle::new([(x + 0.1, 0.0), (x + 0.45, o.upper)], key.filled()),
                Rectangle::new(
                    [(x + 0.5, 0.0), (x + 0.85, o.lower)],
                    key.mix(0.45).filled(),
                ),
            ]);
            let _ = chart.draw_series([Text::new(
                format!("{}", (b'A' + o.option as u8) as char),
                (x + 0.4, -0.04),
                ("sans-serif", 13),
            )]);
        }
        let _ = root.present();
    }
    s
}

/// The whole report as one self-contained HTML page.
pub fn report_html(r: &Report, t: &Thresholds) -> String {
    let mut h = String::from(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>试题质量分析报告</title>\n<style>\
         body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:2em;max-width:1100px}\
         table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:3px 6px;font-size:13px}\
         th{background:#eee}.flag{color:#b00}.card{display:inline-block;vertical-align:top;margin:0 1em 1em 0}\
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
    h += "<h2>试卷</h2>\n<table><tr><th>试卷</th><th>人数</th><th>题数</th><th>平均分</th><th>标准差</th><th>满分</th><th>α 系数</th><th>KR-20</th></tr>\n";
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
        let _ = writeln!(
            h,
            "<div class=\"card\"><h3>{} v{}</h3><p>n = {}，p = {}，D = {}，r<sub>item-rest</sub> = {}</p><p class=\"flag\">{}</p>{}</div>",
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
    h += "<p>选项图：每个选项左柱为高分组（前27%）选择率，右柱（浅色）为低分组（后27%）；绿色为标准答案。</p>\n";
    h += "<h2>全部试题</h2>\n<table><tr><th>试题</th><th>版本</th><th>n</th><th>p</th><th>D</th><th>r<sub>item-rest</sub></th><th>Rasch 难度</th><th>标记</th></tr>\n";
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
