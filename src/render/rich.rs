//! Rich text of entries in documents: figures placed by `{{图N}}` (HTML: the image inline as a
//! `data:` URI, so a document stays one self-contained file inside its package; Markdown: a
//! reference by number and caption), from the typed figures the documents carry (`DocFigure`).
//! The one place renderers turn entry text into markup.

use super::html::esc;
use crate::document::DocFigure;
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

/// A document's figures as render prints them. Anything not an image type qbank accepts, or
/// data that is not plain base64, is skipped, so only base64 characters reach an attribute.
pub(crate) fn figs(list: &[DocFigure]) -> Vec<Fig> {
    list.iter()
        .filter(|f| {
            matches!(
                f.media.as_str(),
                "image/svg+xml" | "image/png" | "image/jpeg"
            )
        })
        .filter(|f| {
            f.data
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        })
        .map(|f| Fig {
            n: f.n,
            caption: f.caption.clone().unwrap_or_default(),
            width: f.width.map(u64::from),
            mime: f.media.clone(),
            data: f.data.clone(),
            after: f.after,
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
/// not carry it), `$…$` MathML, a pipe table a table, answer brackets `（  ）` unbroken. Text
/// without markup or brackets is exactly `esc(text)`.
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
            // the parser gives `\ `, `~` and `\nobreakspace` as the text "&nbsp;", which the
            // writer then escapes: print the no-break space itself
            .map(|()| out.replace("&amp;nbsp;", "\u{a0}"))
    })
    .ok()
    .flatten()
    .unwrap_or_else(|| format!("<code>{}</code>", esc(m)))
}

/// Text with its `{{图N}}` figures, escaped.
fn figures_html(text: &str, figs: &[Fig]) -> String {
    let mut out = String::with_capacity(text.len());
    for (t, n) in pieces(text) {
        out.push_str(&keep_blanks(&esc(t)));
        if let Some(n) = n {
            match figs.iter().find(|f| f.n == n) {
                Some(f) => out.push_str(&fig_html(f)),
                None => out.push_str(&esc(&format!("图{n}"))),
            }
        }
    }
    out
}

/// The answer brackets of escaped text (`（  ）`, spaces only inside) kept on one line: a
/// bracket broken across lines (`（` at a line's end, `）` on the next) leaves a candidate no
/// place to write the letter.
fn keep_blanks(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('（') {
        let inner_start = at + '（'.len_utf8();
        let inner_len = rest[inner_start..]
            .find(|c: char| c != ' ' && c != '\u{3000}' && c != '\u{a0}')
            .unwrap_or(rest.len() - inner_start);
        let close = inner_start + inner_len;
        if rest[close..].starts_with('）') {
            out.push_str(&rest[..at]);
            out.push_str("<span class=\"nw\">");
            out.push_str(&rest[at..close + '）'.len_utf8()]);
            out.push_str("</span>");
            rest = &rest[close + '）'.len_utf8()..];
        } else {
            out.push_str(&rest[..inner_start]);
            rest = &rest[inner_start..];
        }
    }
    out.push_str(rest);
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
    fn a_control_space_in_a_formula_is_a_space_not_an_entity_name() {
        let h = mathml(r"U_2 = 20\ \mathrm{V}");
        assert!(h.starts_with("<math"), "{h}");
        assert!(!h.contains("nbsp"), "{h}");
        assert!(h.contains('\u{a0}'), "{h}");
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
        let d = |n: usize, media: &str, data: &str| DocFigure {
            n,
            media: media.into(),
            data: data.into(),
            caption: None,
            width: None,
            after: false,
        };
        let v = [
            d(1, "text/html", "AA=="),
            d(2, "image/png", "\"><script>"),
            d(3, "image/png", "AA=="),
        ];
        let f = figs(&v);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].n, 3);
    }
}
