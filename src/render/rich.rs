//! Rich text of entries in documents: figures placed by `{{图N}}` (HTML: the image inline as a
//! `data:` URI, so a document stays one self-contained file inside its package; Markdown: a
//! reference by number and caption), and the `figures` lists the workflows put into paper and
//! key JSON. The one place renderers turn entry text into markup.

use super::html::esc;
use crate::model::{Figure, b64, figure_refs};
use serde_json::{Value, json};
use std::fmt::Write;

/// A figure as a document carries it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fig {
    pub n: usize,
    pub caption: String,
    pub width: Option<u64>,
    pub mime: String,
    /// Base64 of the bytes.
    pub data: String,
    /// No text of the entry places it: printed after the stem (task text, topic).
    pub after: bool,
}

/// The `figures` list of a document object: the figures of `all` that `texts` reference, and —
/// with `unplaced` — those no text of the entry (`every`) references, marked `after`. Empty
/// (and then left out of the JSON by the caller) for an entry without figures.
pub fn figures_json(all: &[Figure], texts: &[&str], every: &[&str], unplaced: bool) -> Vec<Value> {
    let used = |ts: &[&str]| -> Vec<usize> { ts.iter().flat_map(|t| figure_refs(t).0).collect() };
    let here = used(texts);
    let anywhere = used(every);
    all.iter()
        .enumerate()
        .filter_map(|(k, f)| {
            let n = k + 1;
            let after = unplaced && !anywhere.contains(&n);
            (here.contains(&n) || after).then(|| {
                let mut v = json!({
                    "n": n, "media": f.media.mime(), "data": b64::encode(&f.data),
                });
                if !f.caption.is_empty() {
                    v["caption"] = json!(f.caption);
                }
                if let Some(w) = f.width {
                    v["width"] = json!(w);
                }
                if after {
                    v["after"] = json!(true);
                }
                v
            })
        })
        .collect()
}

/// Reads a `figures` list (tolerant: anything malformed is skipped).
pub(crate) fn figs(v: &Value) -> Vec<Fig> {
    let Some(a) = v.as_array() else {
        return Vec::new();
    };
    a.iter()
        .filter_map(|f| {
            let n = f["n"].as_u64()? as usize;
            let mime = f["media"].as_str()?;
            if !matches!(mime, "image/svg+xml" | "image/png" | "image/jpeg") {
                return None;
            }
            let data = f["data"].as_str()?;
            // only base64 characters reach the attribute
            if !data
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            {
                return None;
            }
            Some(Fig {
                n,
                caption: f["caption"].as_str().unwrap_or("").to_string(),
                width: f["width"].as_u64(),
                mime: mime.to_string(),
                data: data.to_string(),
                after: f["after"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

fn label(f: &Fig) -> String {
    if f.caption.is_empty() {
        format!("图{}", f.n)
    } else {
        format!("图{}　{}", f.n, f.caption)
    }
}

/// One figure as HTML: the image with its caption below.
fn fig_html(f: &Fig) -> String {
    let width = f
        .width
        .map_or_else(String::new, |w| format!(" style=\"width:{w}mm\""));
    format!(
        "<span class=\"fig\"><img src=\"data:{};base64,{}\" alt=\"{}\"{width}><span class=\"cap\">{}</span></span>",
        f.mime,
        f.data,
        esc(&label(f)),
        esc(&label(f))
    )
}

/// Splits `text` at its `{{图N}}` references: (text before, Some(N)) pairs and a tail.
fn pieces(text: &str) -> Vec<(&str, Option<usize>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("{{图") {
        let after = &rest[at + "{{图".len()..];
        let Some(end) = after.find("}}") else { break };
        match after[..end].parse::<usize>() {
            Ok(n) => {
                out.push((&rest[..at], Some(n)));
                rest = &after[end + 2..];
            }
            Err(_) => {
                out.push((&rest[..at + "{{图".len()], None));
                rest = after;
            }
        }
    }
    out.push((rest, None));
    out
}

/// Entry text as HTML: escaped; `{{图N}}` becomes the figure (or "图N" when the document does
/// not carry it), `$…$` MathML, a pipe table a table. Text without markup is exactly `esc(text)`.
pub(crate) fn html(text: &str, figs: &[Fig]) -> String {
    use crate::model::markup::{Block, blocks};
    if !text.contains('$') && !text.contains('|') {
        return figures_html(text, figs);
    }
    let mut out = String::with_capacity(text.len() * 2);
    for b in blocks(text) {
        match b {
            Block::Lines(t) => out.push_str(&inline_html(t, figs)),
            Block::Table { header, rows, .. } => {
                out.push_str("<span class=\"tbl\"><span class=\"tr th\">");
                for c in header {
                    let _ = write!(out, "<span class=\"td\">{}</span>", inline_html(c, figs));
                }
                out.push_str("</span>");
                for r in rows {
                    out.push_str("<span class=\"tr\">");
                    for c in r {
                        let _ = write!(out, "<span class=\"td\">{}</span>", inline_html(c, figs));
                    }
                    out.push_str("</span>");
                }
                out.push_str("</span>\n");
            }
        }
    }
    out
}

/// One line run: formulas as MathML, the rest with its figures.
fn inline_html(text: &str, figs: &[Fig]) -> String {
    use crate::model::markup::{Span, math_spans};
    let Some(spans) = math_spans(text) else {
        return figures_html(text, figs);
    };
    let mut out = String::new();
    for s in spans {
        match s {
            Span::Text(t) => out.push_str(&figures_html(&t.replace("\\$", "$"), figs)),
            Span::Math(m) => out.push_str(&mathml(m)),
        }
    }
    out
}

/// A formula as inline MathML; one the parser refuses is printed as its escaped source.
fn mathml(m: &str) -> String {
    std::panic::catch_unwind(|| {
        let storage = pulldown_latex::Storage::new();
        let events: Vec<_> = pulldown_latex::Parser::new(m, &storage).collect();
        if events.iter().any(Result::is_err) {
            return None;
        }
        let mut out = String::new();
        pulldown_latex::push_mathml(&mut out, events.into_iter(), Default::default())
            .ok()
            .map(|()| out)
    })
    .ok()
    .flatten()
    .unwrap_or_else(|| format!("<code>{}</code>", esc(m)))
}

/// Text with its `{{图N}}` figures, escaped.
fn figures_html(text: &str, figs: &[Fig]) -> String {
    let mut out = String::with_capacity(text.len());
    for (t, n) in pieces(text) {
        out.push_str(&esc(t));
        if let Some(n) = n {
            match figs.iter().find(|f| f.n == n) {
                Some(f) => out.push_str(&fig_html(f)),
                None => out.push_str(&esc(&format!("图{n}"))),
            }
        }
    }
    out
}

/// The figures printed after the text (`after`), as one HTML block; empty when there are none.
pub(crate) fn html_after(figs: &[Fig]) -> String {
    let after: Vec<String> = figs.iter().filter(|f| f.after).map(fig_html).collect();
    if after.is_empty() {
        String::new()
    } else {
        format!("<div class=\"figs\">{}</div>", after.concat())
    }
}

/// Entry text as Markdown text: each `{{图N}}` becomes a reference 〔图N　caption〕 (the image
/// itself is in the HTML document beside it) and each `$…$` its plain-text reading
/// (`$U_2 = 0.9\\times 20\\ \\mathrm{V}$` → `U2 = 0.9×20 V`); tables stay pipe lines.
pub(crate) fn md(text: &str, figs: &[Fig]) -> String {
    use crate::model::markup::{Span, math_spans};
    if !text.contains('$') {
        return md_figures(text, figs);
    }
    let Some(spans) = math_spans(text) else {
        return md_figures(text, figs);
    };
    spans
        .into_iter()
        .map(|s| match s {
            Span::Text(t) => md_figures(&t.replace("\\$", "$"), figs),
            Span::Math(m) => plain_math(m),
        })
        .collect()
}

/// A formula read as plain text: commands become their characters, `\frac{a}{b}` → `a/b`,
/// sub/superscript marks and braces go.
fn plain_math(m: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("\\frac", ""),
        ("\\mathrm", ""),
        ("\\text", ""),
        ("\\times", "×"),
        ("\\approx", "≈"),
        ("\\cdot", "·"),
        ("\\Omega", "Ω"),
        ("\\omega", "ω"),
        ("\\varphi", "φ"),
        ("\\phi", "φ"),
        ("\\Delta", "Δ"),
        ("\\alpha", "α"),
        ("\\beta", "β"),
        ("\\eta", "η"),
        ("\\pi", "π"),
        ("\\mu", "μ"),
        ("\\theta", "θ"),
        ("\\lambda", "λ"),
        ("\\sqrt", "√"),
        ("\\leq", "≤"),
        ("\\geq", "≥"),
        ("\\le", "≤"),
        ("\\ge", "≥"),
        ("\\pm", "±"),
        ("\\%", "%"),
        ("\\circ", "°"),
        ("\\cos", "cos"),
        ("\\sin", "sin"),
        ("\\ ", " "),
        ("\\,", " "),
        ("\\;", " "),
    ];
    let mut s = m.to_string();
    for (w, r) in WORDS {
        s = s.replace(w, r);
    }
    s.replace("}{", "/")
        .chars()
        .filter(|c| !matches!(c, '{' | '}' | '_' | '\\'))
        .collect::<String>()
        .replace("^2", "²")
        .replace("^3", "³")
}

/// Text with its `{{图N}}` references as Markdown text.
fn md_figures(text: &str, figs: &[Fig]) -> String {
    let mut out = String::with_capacity(text.len());
    for (t, n) in pieces(text) {
        out.push_str(t);
        if let Some(n) = n {
            match figs.iter().find(|f| f.n == n) {
                Some(f) => out.push_str(&format!("〔{}〕", label(f))),
                None => out.push_str(&format!("图{n}")),
            }
        }
    }
    out
}

/// The figures printed after the text, as Markdown references; empty when there are none.
pub(crate) fn md_after(figs: &[Fig]) -> String {
    figs.iter()
        .filter(|f| f.after)
        .map(|f| format!("〔{}（图见同名 HTML 文件）〕", label(f)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(n: usize, after: bool) -> Fig {
        Fig {
            n,
            caption: "控制电路".into(),
            width: Some(80),
            mime: "image/svg+xml".into(),
            data: "PHN2Zy8+".into(),
            after,
        }
    }

    #[test]
    fn references_become_images_and_text_stays_escaped() {
        let h = html("如{{图1}}所示<b>", &[fig(1, false)]);
        assert!(
            h.starts_with("如<span class=\"fig\"><img src=\"data:image/svg+xml;base64,PHN2Zy8+\"")
        );
        assert!(h.ends_with("所示&lt;b&gt;"));
        assert_eq!(html("见{{图2}}", &[]), "见图2");
        assert_eq!(html("{{图x}}", &[]), "{{图x}}");
        assert_eq!(
            md("如{{图1}}所示", &[fig(1, false)]),
            "如〔图1　控制电路〕所示"
        );
        assert!(html_after(&[fig(1, false)]).is_empty());
        assert!(html_after(&[fig(1, true)]).contains("<img"));
    }

    #[test]
    fn a_hostile_figure_list_is_skipped() {
        let v = json!([{ "n": 1, "media": "text/html", "data": "AA==" },
                       { "n": 2, "media": "image/png", "data": "\"><script>" },
                       { "n": 3, "media": "image/png", "data": "AA==" }]);
        let f = figs(&v);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].n, 3);
    }
}
