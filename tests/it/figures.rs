//! Figures in bank entries: hostile files refused by name and line, bytes never in clear in the
//! store, a changed figure is a new version, export → import keeps the digest, and the rendered
//! HTML of a figure item is pinned by a golden; malformed formulas and tables are refused by line.

use crate::{copy_sample, digest, new_store, sample_bank, sample_store};
use qbank::ops::{Quiet, export, import};
use std::path::{Path, PathBuf};

/// A bank folder with the sample standard and one 四级 item showing `fig/x.svg` (written from
/// `svg`); returns the folder and the line of the figure's `file =`.
fn bank_with_figure(dir: &Path, name: &str, bytes: &[u8], stem: &str) -> (PathBuf, usize) {
    let b = dir.join("bank/6-31-01-03");
    std::fs::create_dir_all(b.join("fig")).unwrap();
    std::fs::copy(crate::sample_standard(), b.join("standard.toml")).unwrap();
    std::fs::write(b.join("fig").join(name), bytes).unwrap();
    let text = format!(
        "format = 1\noccupation = \"6-31-01-03\"\nlevel = 4\n\n[[item]]\nid = \"FX-0001\"\nclause = \"2.1.2\"\ntype = \"单选\"\ndifficulty = \"medium\"\nstem = \"{stem}\"\noptions = [\"甲\", \"乙\", \"丙\", \"丁\"]\nanswer = \"A\"\n\n[[item.figure]]\nfile = \"fig/{name}\"\ncaption = \"测试图\"\n"
    );
    std::fs::write(b.join("items.toml"), &text).unwrap();
    let line = text.lines().position(|l| l.starts_with("file =")).unwrap() + 1;
    (dir.join("bank"), line)
}

fn svg(body: &str) -> Vec<u8> {
    format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">{body}</svg>"#)
        .into_bytes()
}

const STEM: &str = "图1中KM1的作用是（  ）。";

#[test]
fn hostile_figures_are_refused_naming_the_bank_file_its_line_and_the_figure() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0, 0, 0, 40, 0, 0, 0, 20, 8, 2, 0, 0, 0, 0, 0, 0, 0]);
    let mut huge_png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    huge_png.extend_from_slice(&[
        0, 0, 0x9c, 0x40, 0, 0, 0x9c, 0x40, 8, 2, 0, 0, 0, 0, 0, 0, 0,
    ]);
    let mut oversize = svg("");
    oversize.truncate(oversize.len() - "</svg>".len());
    oversize.extend(std::iter::repeat_n(b' ', 3 << 20));
    oversize.extend_from_slice(b"</svg>");
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "script",
            "x.svg",
            svg("<script>alert(1)</script>"),
            "script",
        ),
        (
            "onload",
            "x.svg",
            svg(r#"<rect width="1" height="1" onload="x()"/>"#),
            "事件属性",
        ),
        (
            "external href",
            "x.svg",
            svg(r#"<use href="http://example.com/a.svg#z"/>"#),
            "外部引用",
        ),
        (
            "xlink href",
            "x.svg",
            svg(r#"<use xlink:href="file:///etc/passwd"/>"#),
            "外部引用",
        ),
        (
            "foreignObject",
            "x.svg",
            svg("<foreignObject><p>x</p></foreignObject>"),
            "foreignObject",
        ),
        ("png named svg", "x.svg", png.clone(), "PNG"),
        ("oversize", "x.svg", oversize, "MiB"),
        ("huge png", "x.png", huge_png, "超过限制"),
        (
            "huge svg",
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="90000" height="90000"/>"#.to_vec(),
            "超过限制",
        ),
        ("not an image", "x.png", b"GIF89a".to_vec(), "不是 SVG"),
    ];
    for (what, name, bytes, needle) in cases {
        let t = tempfile::tempdir().unwrap();
        let (bank, line) = bank_with_figure(t.path(), name, &bytes, STEM);
        let r = qbank::ops::check(&[bank]).unwrap();
        assert_eq!(r.problems.len(), 1, "{what}: {:?}", r.problems);
        let p = &r.problems[0];
        assert!(p.file.ends_with("items.toml"), "{what}: {p}");
        assert_eq!(p.line, line, "{what}: {p}");
        assert!(p.message.contains(&format!("fig/{name}")), "{what}: {p}");
        assert!(p.message.contains(needle), "{what}: {p}");
        assert!(
            !p.message.contains("alert"),
            "{what}: no content in messages: {p}"
        );
    }
    // a missing file, a name leaving the folder, a reference to a figure the entry lacks
    let t = tempfile::tempdir().unwrap();
    let (bank, line) = bank_with_figure(t.path(), "ok.svg", &svg(""), "如{{图2}}所示（  ）。");
    let items = bank.join("6-31-01-03/items.toml");
    let text = std::fs::read_to_string(&items).unwrap();
    std::fs::write(&items, text.replace("fig/ok.svg", "../../etc/passwd.svg")).unwrap();
    let r = qbank::ops::check(std::slice::from_ref(&bank)).unwrap();
    let lines: Vec<(usize, &str)> = r
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == line && m.contains("相对路径")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|(l, m)| *l == 6 && m.contains("{{图2}}")),
        "{lines:?}"
    );
    std::fs::write(&items, text.replace("fig/ok.svg", "fig/absent.svg")).unwrap();
    let r = qbank::ops::check(&[bank]).unwrap();
    assert!(
        r.problems.iter().any(|p| p.line == line
            && p.message.contains("fig/absent.svg")
            && p.message.contains("不存在")),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_figures_bytes_never_appear_in_clear_in_the_store() {
    let t = tempfile::tempdir().unwrap();
    let marker = "FIGURE-MARKER-4b1d9e-接触器";
    let bytes = svg(&format!("<text x=\"1\" y=\"10\">{marker}</text>"));
    let (bank, _) = bank_with_figure(t.path(), "m.svg", &bytes, STEM);
    let cfg = new_store(&t.path().join("s"));
    import(&cfg, &[bank], &Quiet).unwrap();
    let e = cfg.open().unwrap().entry("FX-0001", None).unwrap();
    assert_eq!(e.figures()[0].data, bytes, "the store holds the figure");
    drop(e);
    let b64 = qbank::model::b64::encode(&bytes);
    let needles: Vec<&[u8]> = vec![marker.as_bytes(), &bytes[..40], &b64.as_bytes()[..40]];
    let mut scanned = 0;
    for f in walkdir::WalkDir::new(&cfg.dir).into_iter().flatten() {
        if !f.file_type().is_file() {
            continue;
        }
        let raw = std::fs::read(f.path()).unwrap();
        scanned += raw.len();
        for n in &needles {
            assert!(
                !raw.windows(n.len()).any(|w| w == *n),
                "{} holds figure bytes in clear",
                f.path().display()
            );
        }
    }
    assert!(scanned > 0);
}

#[test]
fn a_changed_figure_is_a_new_item_version_and_an_unchanged_one_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let (bank, _) = bank_with_figure(
        t.path(),
        "v.svg",
        &svg("<rect width=\"5\" height=\"5\"/>"),
        STEM,
    );
    let cfg = new_store(&t.path().join("s"));
    import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    let before = digest(&cfg);
    let again = import(&cfg, std::slice::from_ref(&bank), &Quiet).unwrap();
    assert_eq!((again.report.new_versions, again.report.unchanged), (0, 1));
    std::fs::write(
        bank.join("6-31-01-03/fig/v.svg"),
        svg("<rect width=\"6\" height=\"5\"/>"),
    )
    .unwrap();
    let r = import(&cfg, &[bank], &Quiet).unwrap();
    assert_eq!((r.report.new_versions, r.report.added), (1, 0));
    let vault = cfg.open().unwrap();
    assert_eq!(vault.entry("FX-0001", None).unwrap().version(), 2);
    let v1 = vault.entry("FX-0001", Some(1)).unwrap();
    assert!(
        String::from_utf8_lossy(&v1.figures()[0].data).contains("width=\"5\""),
        "version 1 keeps its figure"
    );
    drop(vault);
    assert_ne!(digest(&cfg), before, "the bank digest counts the figure");
}

#[test]
fn export_writes_figures_back_and_reimporting_gives_the_same_digest() {
    let t = tempfile::tempdir().unwrap();
    let a = sample_store(&t.path().join("a"));
    let out = t.path().join("exported");
    let (_, d) = export(&a, &out, &Quiet).unwrap();
    for f in [
        "DG4-zfz-interlock.svg",
        "DG4-ladder-selfhold.svg",
        "DG4-bridge-rectifier.svg",
    ] {
        assert_eq!(
            std::fs::read(out.join("6-31-01-03/fig").join(f)).unwrap(),
            std::fs::read(sample_bank().join("6-31-01-03/fig").join(f)).unwrap(),
            "{f} written back as it was"
        );
    }
    let b = new_store(&t.path().join("b"));
    import(&b, &[out], &Quiet).unwrap();
    assert_eq!(d.to_string(), digest(&b));
    assert_eq!(digest(&a), digest(&b));
}

#[test]
fn the_sample_bank_has_figure_items_and_a_copy_of_it_checks_clean() {
    let t = tempfile::tempdir().unwrap();
    let bank = copy_sample(t.path());
    let r = qbank::ops::check(&[bank]).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let a = sample_store(&t.path().join("a"));
    let vault = a.open().unwrap();
    for id in [
        "DG4-F001", "DG4-F002", "DG4-F003", "DG4-F004", "DG4-F005", "DG4-F006", "DG4-P01",
    ] {
        let e = vault.entry(id, None).unwrap();
        assert_eq!(e.figures().len(), 1, "{id}");
        assert_eq!(e.figures()[0].media, qbank::model::Media::Svg, "{id}");
    }
}

/// The rendered HTML of a paper with a figure item, pinned (`QBANK_BLESS=1` rewrites it).
#[test]
fn rendered_html_of_a_figure_item_matches_its_golden() {
    use qbank::model::{Figure, Media};
    let fig = Figure {
        file: "fig/g.svg".into(),
        caption: "起保停梯形图".into(),
        width: Some(60),
        media: Media::Svg,
        data: svg(r#"<path d="M0 0H10"/>"#),
    };
    let placed = Figure {
        caption: String::new(),
        width: None,
        ..fig.clone()
    };
    let stem = "如图1所示，Y000的状态是（  ）。";
    let options = ["断开", "{{图2}}", "闪烁", "不定"];
    let all = [fig, placed];
    let mut texts = vec![stem];
    texts.extend(options);
    let figures = qbank::document::DocFigure::select(&all, &texts, &texts, true);
    let paper = serde_json::json!({
        "occupation": "6-31-01-03", "occupation_name": "电工", "level": 4, "level_name": "四级",
        "kind": "theory", "blueprint": "bp", "form": 1, "minutes": 120, "standard": "GZB 6-31-01-03",
        "sections": [{ "type": "单选", "count": 1, "points_each": 1, "items": [
            { "n": 1, "id": "FX-0001", "version": 1, "type": "单选", "points": 1,
              "clause": "5.1.2", "clause_path": [], "difficulty": "medium", "p": 0.6,
              "importance": "X", "stem": stem, "options": options, "figures": figures }
        ]}]
    });
    let paper: qbank::document::TheoryPaper = serde_json::from_value(paper).unwrap();
    let h = qbank::render::DocHeader {
        title: "测试",
        sitting: "JS-TEST",
        organisation: "S000032100001",
        copy: "S000032100001-F01",
        date: "2026-12-12 09:00",
    };
    let html = qbank::render::theory_paper_html(&paper, &h);
    assert!(
        html.contains("<img src=\"data:image/svg+xml;base64,"),
        "the figure is embedded"
    );
    assert_eq!(
        html.matches("<img ").count(),
        2,
        "figure 1 after the stem, figure 2 in option B"
    );
    let md = qbank::render::theory_paper_md(&paper, &h);
    assert!(
        md.contains("〔图1　起保停梯形图（图见同名 HTML 文件）〕") && md.contains("B. 〔图2〕"),
        "{md}"
    );
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden/figure-paper.html");
    if std::env::var("QBANK_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&file, &html).unwrap();
    }
    let want = std::fs::read_to_string(&file).expect("golden missing; run with QBANK_BLESS=1");
    assert_eq!(
        html, want,
        "rendered HTML drifted; re-bless with QBANK_BLESS=1 if intended"
    );
}

#[test]
fn malformed_formulas_and_ragged_tables_are_refused_with_their_line() {
    let t = tempfile::tempdir().unwrap();
    let cases = [
        (
            "变压器二次电压$U_2 = 20\\\\ \\\\mathrm{V}为（  ）。",
            "结尾",
        ),
        ("功率为$\\\\frac{U^2}{R$（  ）。", "无法解析"),
        (
            "功率为$P = \\\\frac{U^2}{R}$，$\\\\nosuchcommand{x}$（  ）。",
            "第 2 个公式",
        ),
        (
            "如表：\\n| 参数 | 值 |\\n|---|---|\\n| Pr.1 |\\n选（  ）。",
            "表格",
        ),
    ];
    for (stem, needle) in cases {
        let (bank, _) = bank_with_figure(t.path(), "ok.svg", &svg(""), stem);
        let r = qbank::ops::check(&[bank]).unwrap();
        let stem_line = 10;
        assert!(
            r.problems
                .iter()
                .any(|p| p.line == stem_line && p.message.contains(needle)),
            "{stem}: {:?}",
            r.problems
        );
        assert!(
            r.problems.iter().all(|p| !p.message.contains("U^2")
                && !p.message.contains("nosuchcommand")
                && !p.message.contains("Pr.1")),
            "no formula text in messages"
        );
    }
    // well-formed formulas and a table pass and render as MathML
    let (bank, _) = bank_with_figure(
        t.path(),
        "ok.svg",
        &svg(""),
        "有效值$U_2 = 20\\\\ \\\\mathrm{V}$，$\\\\frac{1}{2}$，$\\\\Omega$（  ）。",
    );
    let r = qbank::ops::check(&[bank]).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}
