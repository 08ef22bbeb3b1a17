//! Figure files of bank entries: the type sniffed from the bytes, size and pixel limits, and the
//! SVG allowlist (no scripts, event handlers, external references, foreign objects, DTDs or
//! style sheets). Pure: bytes in, the figure's media and size or a message out.

use crate::model::Media;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashSet;

/// The largest figure file (a clean line diagram is a few KiB; a meter photo a few hundred).
pub const MAX_FIGURE_BYTES: usize = 2 << 20;
/// The most pixels a PNG or JPEG may have, and the most user units² an SVG may declare.
pub const MAX_FIGURE_PIXELS: u64 = 40_000_000;
/// The longest side in pixels (or SVG user units).
pub const MAX_FIGURE_SIDE: u64 = 20_000;
/// The most figures one entry may show.
pub const MAX_FIGURES_PER_ENTRY: usize = 16;
/// The deepest element nesting and the most elements an SVG may have.
const MAX_SVG_DEPTH: usize = 64;
const MAX_SVG_ELEMENTS: usize = 50_000;

/// Where figure files come from: the workflow reads them from disk next to the bank file;
/// callers with no folder (submissions, fuzzing) use [`NoFigures`].
pub trait FigureSource: Sync {
    /// The bytes of `rel` (already checked: relative, no `..`) beside `bank_file`, at most
    /// [`MAX_FIGURE_BYTES`] + 1 of them, or a message naming the problem.
    fn read(&self, bank_file: &str, rel: &str) -> Result<Vec<u8>, String>;
}

/// No figure files can be read: an entry with a figure is a problem.
pub struct NoFigures;

impl FigureSource for NoFigures {
    fn read(&self, _: &str, _: &str) -> Result<Vec<u8>, String> {
        Err("此处不能附带图形文件（请用 qbank check/import 读取题库文件夹） (figures are not read here)".into())
    }
}

/// A figure's file name: relative to the bank file's folder, `/`-separated plain names (no
/// `..`, `.`, absolute path or backslash), at most 200 bytes, ending in .svg, .png, .jpg or .jpeg.
pub fn valid_name(name: &str) -> bool {
    name.len() <= 200
        && !name.is_empty()
        && !name.contains('\\')
        && name
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains(':'))
        && Media::of_name(name).is_some()
}

/// The figure files a bank file of entries refers to, as written and in order, without a
/// standard (what an item writer's submission must carry); names that are not valid figure
/// names are left out (the check refuses them). Nothing if the text is not an entry file.
pub fn referenced(file: &super::SourceFile) -> Vec<String> {
    let Ok(ef) = toml::from_str::<super::raw::EntryFile>(&file.text) else {
        return Vec::new();
    };
    let items = ef.item.iter().flat_map(|i| &i.get_ref().figure);
    let tasks = ef.task.iter().flat_map(|t| &t.get_ref().figure);
    let topics = ef.defence.iter().flat_map(|d| &d.get_ref().figure);
    items
        .chain(tasks)
        .chain(topics)
        .map(|f| f.get_ref().file.get_ref().clone())
        .filter(|n| valid_name(n))
        .collect()
}

/// What a figure file is, once accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inspected {
    pub media: Media,
    pub width: u64,
    pub height: u64,
}

/// The elements an SVG figure may use: shapes, text, grouping, markers, gradients and clipping.
/// Everything else — `script`, `foreignObject`, `style`, `image`, `a`, `iframe`, animation,
/// filters, any namespaced (editor) element — is refused.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "symbol",
    "use",
    "path",
    "line",
    "polyline",
    "polygon",
    "rect",
    "circle",
    "ellipse",
    "text",
    "tspan",
    "marker",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "pattern",
];

/// The attributes an SVG figure may carry: geometry and presentation. `href`/`xlink:href` only
/// to `#id`; `url(…)` in any value only to `#id`.
const ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "width",
    "height",
    "d",
    "points",
    "transform",
    "viewBox",
    "preserveAspectRatio",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "alignment-baseline",
    "baseline-shift",
    "letter-spacing",
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "xmlns",
    "xmlns:xlink",
    "xml:space",
    "version",
    "style",
    "marker-start",
    "marker-mid",
    "marker-end",
    "markerWidth",
    "markerHeight",
    "refX",
    "refY",
    "orient",
    "markerUnits",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "patternUnits",
    "patternTransform",
    "clip-path",
    "clipPathUnits",
    "clip-rule",
    "href",
    "xlink:href",
    "visibility",
    "display",
    "vector-effect",
    "shape-rendering",
    "text-rendering",
    "writing-mode",
    "color",
];

/// Sniffs and checks a figure file. The message (Chinese, with the English in brackets) names
/// what is wrong, never the file's content.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, String> {
    if bytes.len() > MAX_FIGURE_BYTES {
        return Err(format!(
            "图形文件超过 {} MiB (figure file larger than {} MiB)",
            MAX_FIGURE_BYTES >> 20,
            MAX_FIGURE_BYTES >> 20
        ));
    }
    let media = sniff(bytes).ok_or_else(|| {
        "图形文件不是 SVG、PNG 或 JPEG (figure is not SVG, PNG or JPEG by its bytes)".to_string()
    })?;
    let (width, height) = match media {
        Media::Svg => svg_size(bytes)?,
        Media::Png | Media::Jpeg => {
            let s = imagesize::blob_size(bytes).map_err(|_| {
                format!(
                    "{} 文件头无法读出尺寸 (the {} header gives no size)",
                    media.name(),
                    media.name()
                )
            })?;
            (s.width as u64, s.height as u64)
        }
    };
    limits(width, height)?;
    Ok(Inspected {
        media,
        width,
        height,
    })
}

fn limits(width: u64, height: u64) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err("图形宽度或高度为零 (figure has no width or height)".into());
    }
    if width > MAX_FIGURE_SIDE
        || height > MAX_FIGURE_SIDE
        || width.saturating_mul(height) > MAX_FIGURE_PIXELS
    {
        return Err(format!(
            "图形尺寸 {width}×{height} 超过限制（单边至多 {MAX_FIGURE_SIDE}，共至多 {MAX_FIGURE_PIXELS} 像素） (figure too large)"
        ));
    }
    Ok(())
}

/// The media the bytes are: PNG and JPEG by their signatures, SVG by an XML text whose first
/// markup is a declaration, comment or `<svg`.
pub fn sniff(bytes: &[u8]) -> Option<Media> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Media::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Media::Jpeg);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let t = text.trim_start_matches('\u{feff}').trim_start();
    (t.starts_with("<?xml") || t.starts_with("<svg") || t.starts_with("<!--")).then_some(Media::Svg)
}

/// Checks an SVG against the allowlist and returns its declared size (`width`/`height` of the
/// root, else its `viewBox`).
fn svg_size(bytes: &[u8]) -> Result<(u64, u64), String> {
    let elements: HashSet<&str> = ELEMENTS.iter().copied().collect();
    let attributes: HashSet<&str> = ATTRIBUTES.iter().copied().collect();
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut count = 0usize;
    let mut size = None;
    let mut seen_root = false;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("SVG 不是格式正确的 XML (not well-formed XML: {e})"))?;
        let (e, opens) = match ev {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::Decl(_) => continue,
            Event::GeneralRef(r) => {
                let name: &str = r.as_ref();
                let predefined =
                    matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") || name.starts_with('#');
                if !predefined {
                    return Err("SVG 引用了自定义实体 (custom entity reference)".into());
                }
                continue;
            }
            Event::DocType(_) => {
                return Err("SVG 含 DOCTYPE（实体定义可引用外部文件） (DOCTYPE refused)".into());
            }
            Event::PI(_) => {
                return Err(
                    "SVG 含处理指令（如外部样式表） (processing instruction refused)".into(),
                );
            }
            Event::Eof => break,
        };
        {
            {
                count += 1;
                if count > MAX_SVG_ELEMENTS {
                    return Err(format!(
                        "SVG 元素超过 {MAX_SVG_ELEMENTS} 个 (too many elements)"
                    ));
                }
                let name = e.name().0.to_string();
                if !seen_root {
                    if name != "svg" {
                        return Err("SVG 的根元素不是 <svg> (the root element is not svg)".into());
                    }
                    seen_root = true;
                } else if depth == 0 {
                    return Err("SVG 有多个根元素 (more than one root element)".into());
                }
                if !elements.contains(name.as_str()) {
                    return Err(format!(
                        "SVG 含不允许的元素 <{}> (element not allowed: scripts, foreignObject, style, image, links and editor elements are refused)",
                        short(&name)
                    ));
                }
                let attrs = check_attributes(&e, &attributes)?;
                if depth == 0 {
                    size = Some(root_size(&attrs)?);
                }
                if opens {
                    depth += 1;
                    if depth > MAX_SVG_DEPTH {
                        return Err(format!(
                            "SVG 嵌套超过 {MAX_SVG_DEPTH} 层 (nested too deeply)"
                        ));
                    }
                }
            }
        }
    }
    if !seen_root {
        return Err("SVG 没有 <svg> 元素 (no svg element)".into());
    }
    size.ok_or_else(|| "SVG 没有 <svg> 元素 (no svg element)".into())
}

/// The attributes (name, value) of an element, each on the allowlist with a safe value.
fn check_attributes(
    e: &BytesStart,
    allowed: &HashSet<&str>,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|_| "SVG 属性格式错误 (malformed attribute)".to_string())?;
        let key = a.key.0.to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|_| "SVG 属性值无法解析 (attribute value cannot be read)".to_string())?
            .into_owned();
        let lower = key.to_ascii_lowercase();
        if lower.starts_with("on") {
            return Err(format!(
                "SVG 含事件属性 {} (event-handler attributes are refused)",
                short(&key)
            ));
        }
        if !allowed.contains(key.as_str()) {
            return Err(format!(
                "SVG 含不允许的属性 {} (attribute not allowed)",
                short(&key)
            ));
        }
        if (key == "href" || key == "xlink:href") && !value.trim_start().starts_with('#') {
            return Err(
                "SVG 含外部引用（href 只能指向本文件内的 #id） (external reference refused)".into(),
            );
        }
        if !safe_value(&value) {
            return Err(format!(
                "SVG 属性 {} 的值引用外部资源或脚本 (url() only to #id; no javascript:, @import or expression())",
                short(&key)
            ));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// A value with no `url(` other than `url(#…)`, no `javascript:`, `@import` or `expression(`.
fn safe_value(v: &str) -> bool {
    let lower: String = v
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if lower.contains("javascript:") || lower.contains("@import") || lower.contains("expression(") {
        return false;
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        let inner = rest.trim_start_matches(['\'', '"']);
        if !inner.starts_with('#') {
            return false;
        }
    }
    true
}

/// The root's size: `width`/`height` (numbers with an optional px, mm, cm, in or pt unit, as
/// pixels at 96 dpi), else the `viewBox` width and height.
fn root_size(attrs: &[(String, String)]) -> Result<(u64, u64), String> {
    let get = |k: &str| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
    let w = get("width").and_then(length);
    let h = get("height").and_then(length);
    if let (Some(w), Some(h)) = (w, h) {
        return Ok((w, h));
    }
    let vb: Vec<f64> = get("viewBox")
        .unwrap_or("")
        .split([' ', ',', '\t', '\n'])
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse::<f64>().ok())
        .collect();
    match vb.as_slice() {
        [_, _, w, h] if w.is_finite() && h.is_finite() && *w > 0.0 && *h > 0.0 => {
            Ok((to_u64(*w), to_u64(*h)))
        }
        _ => Err(
            "SVG 根元素需要 width 和 height，或 viewBox (the root needs width/height or a viewBox)"
                .into(),
        ),
    }
}

fn to_u64(x: f64) -> u64 {
    if x >= 1e12 { u64::MAX } else { x.ceil() as u64 }
}

/// A length in pixels at 96 dpi; None for percentages and anything unreadable.
fn length(v: &str) -> Option<u64> {
    let v = v.trim();
    let (num, scale) = [
        ("px", 1.0),
        ("mm", 96.0 / 25.4),
        ("cm", 96.0 / 2.54),
        ("in", 96.0),
        ("pt", 96.0 / 72.0),
    ]
    .iter()
    .find_map(|(u, s)| v.strip_suffix(u).map(|n| (n, *s)))
    .unwrap_or((v, 1.0));
    let x: f64 = num.trim().parse().ok()?;
    (x.is_finite() && x > 0.0).then(|| to_u64(x * scale))
}

/// A name cut to 40 characters, so a hostile file cannot fill a diagnostic.
fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> Vec<u8> {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">{body}</svg>"#)
            .into_bytes()
    }

    #[test]
    fn a_plain_diagram_is_accepted_with_its_size() {
        let ok = inspect(&svg(
            r##"<defs><marker id="a"><path d="M0 0L4 2z"/></marker></defs><line x1="0" y1="0" x2="10" y2="0" marker-end="url(#a)"/><use href="#a"/><text x="1" y="2">KM1 &amp; KM2</text>"##,
        ))
        .unwrap();
        assert_eq!((ok.media, ok.width, ok.height), (Media::Svg, 200, 100));
    }

    #[test]
    fn hostile_svgs_are_refused() {
        for bad in [
            "<script>alert(1)</script>",
            r#"<rect width="1" height="1" onload="x()"/>"#,
            r#"<use href="http://evil/x.svg#a"/>"#,
            r#"<use xlink:href="file:///etc/passwd"/>"#,
            "<foreignObject><p>x</p></foreignObject>",
            "<style>@import url(http://evil/x.css);</style>",
            r#"<rect style="fill:url(http://evil/p)" width="1" height="1"/>"#,
            r#"<image href="x.png"/>"#,
            r#"<a href="javascript:x()"><rect/></a>"#,
            "<rect>",
        ] {
            assert!(inspect(&svg(bad)).is_err(), "{bad}");
        }
        let dtd = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg width="1" height="1">&x;</svg>"#;
        assert!(inspect(dtd).is_err());
        let huge = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>"#;
        assert!(inspect(huge).unwrap_err().contains("超过限制"));
        let vb = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>"#;
        assert_eq!(inspect(vb).unwrap().width, 300);
    }

    #[test]
    fn png_and_jpeg_are_known_by_their_bytes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 0, 40, 0, 0, 0, 20, 8, 2, 0, 0, 0, 0, 0, 0, 0]);
        let i = inspect(&png).unwrap();
        assert_eq!((i.media, i.width, i.height), (Media::Png, 40, 20));
        assert!(inspect(b"GIF89a....").is_err());
        assert!(
            inspect(b"\xFF\xD8\xFF").is_err(),
            "a JPEG without a frame header has no size"
        );
    }
}
