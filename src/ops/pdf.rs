//! PDFs of printable documents: each HTML document printed to an A4 PDF by headless Chromium,
//! the same engine the browser checks lay the documents out in (one layout, the HTML's print
//! CSS, for screen, print and PDF), written 0600 beside its HTML.
//!
//! Why Chromium and not a PDF writer of our own or a typesetting crate: the documents already are
//! print-ready HTML with CSS paged media (A4, margin boxes with 第 N 页 共 M 页, break rules,
//! MathML formulas, SVG figures, CJK fonts); Chromium lays out exactly that, while a second
//! layout (e.g. typst) would have to be kept in step with every renderer and would add a large
//! dependency to every build. Organisations print from a browser anyway.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one document may take to print before Chromium is stopped and the document refused.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

/// Chromium's names on the systems organisations use, searched on `PATH` in this order.
const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// What [`print_all`] did.
#[derive(Debug, Default, serde::Serialize)]
pub struct PrintReport {
    /// PDFs written (their HTML was newer, or they did not exist).
    pub printed: Vec<PathBuf>,
    /// PDFs already up to date with their HTML, left alone.
    pub current: Vec<PathBuf>,
}

/// The browser to print with: `QBANK_CHROMIUM` if set, else the first of [`BROWSERS`] on `PATH`.
pub fn find_browser() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("QBANK_CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(Error::Tool(format!(
                "QBANK_CHROMIUM 指向的 {} 不存在；请改为 Chromium 的可执行文件路径",
                p.display()
            )))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in BROWSERS {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(Error::Tool(
        "未找到 Chromium 浏览器，无法生成 PDF：请安装 chromium（Debian/统信/麒麟：apt install chromium），或用环境变量 QBANK_CHROMIUM 指明其路径".into(),
    ))
}

/// The HTML documents under `paths` (files as given; folders walked, symlinks not followed), in
/// path order.
pub fn html_documents(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io("read", p, e))?;
        if meta.is_dir() {
            for e in walkdir::WalkDir::new(p)
                .follow_links(false)
                .sort_by_file_name()
            {
                let e = e.map_err(|e| {
                    Error::io(
                        "list",
                        e.path().unwrap_or(p).to_path_buf(),
                        e.into_io_error()
                            .unwrap_or_else(|| std::io::Error::other("symlink loop")),
                    )
                })?;
                if e.file_type().is_file() && is_html(e.path()) {
                    out.push(e.into_path());
                }
            }
        } else if is_html(p) {
            out.push(p.clone());
        } else {
            return Err(Error::Usage(format!(
                "{}：不是 HTML 文档（.html），没有打印",
                p.display()
            )));
        }
    }
    Ok(out)
}

fn is_html(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "html")
}

/// The PDF printed from `html`: the same name with `.pdf`.
pub fn pdf_path(html: &Path) -> PathBuf {
    html.with_extension("pdf")
}

/// How many documents are printed at once: Chromium spends most of a print starting up and
/// shutting down, so a few at a time keep two cores busy.
const PARALLEL: usize = 4;

/// Prints every HTML document under `paths` whose PDF is missing or older than it. Each PDF is
/// written 0600 through a private temporary folder beside it and renamed into place only once
/// Chromium has finished and the file is a PDF, so an interrupted run leaves no partial PDF.
pub fn print_all(paths: &[PathBuf]) -> Result<PrintReport> {
    let docs = html_documents(paths)?;
    let mut report = PrintReport::default();
    let mut todo = Vec::new();
    for html in docs {
        let pdf = pdf_path(&html);
        if up_to_date(&html, &pdf) {
            report.current.push(pdf);
        } else {
            todo.push((html, pdf));
        }
    }
    if todo.is_empty() {
        return Ok(report);
    }
    let browser = find_browser()?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::Mutex::new(None::<(usize, Error)>);
    std::thread::scope(|s| {
        for _ in 0..PARALLEL.min(todo.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((html, pdf)) = todo.get(i) else {
                        break;
                    };
                    if let Err(e) = print_one(&browser, html, pdf) {
                        let mut f = failed.lock().unwrap_or_else(|p| p.into_inner());
                        // the first document in path order is the one reported
                        if f.as_ref().is_none_or(|(j, _)| i < *j) {
                            *f = Some((i, e));
                        }
                        // stop handing out documents: no more are printed after a failure
                        next.store(todo.len(), std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    if let Some((_, e)) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    report.printed = todo.into_iter().map(|(_, pdf)| pdf).collect();
    Ok(report)
}

fn up_to_date(html: &Path, pdf: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(html), modified(pdf)), (Some(h), Some(p)) if p >= h)
}

/// Whether this process runs as root (Chromium refuses its sandbox then): the owner of
/// `/proc/self` is the process's effective user.
fn running_as_root() -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Prints one document to `pdf` with headless Chromium.
pub fn print_one(browser: &Path, html: &Path, pdf: &Path) -> Result<()> {
    let abs = std::fs::canonicalize(html).map_err(|e| Error::io("read", html, e))?;
    let dir = pdf.parent().unwrap_or(Path::new("."));
    let work = dir.join(format!(
        ".{}.printing",
        pdf.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("document")
    ));
    let _ = std::fs::remove_dir_all(&work);
    super::files::create_private_dir(&work.join("profile"))?;
    let result = run_browser(browser, &abs, &work).and_then(|tmp| {
        let bytes = std::fs::read(&tmp).map_err(|e| Error::io("read", &tmp, e))?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(Error::Tool(format!(
                "{}：Chromium 没有生成 PDF（输出不是 PDF 文件）",
                html.display()
            )));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| Error::io("restrict", &tmp, e))?;
        }
        std::fs::rename(&tmp, pdf).map_err(|e| Error::io("move output into", pdf, e))
    });
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// Runs Chromium on `html` with a throwaway profile in `work`; returns the PDF it wrote there.
fn run_browser(browser: &Path, html: &Path, work: &Path) -> Result<PathBuf> {
    let out = work.join("out.pdf");
    let mut url = String::from("file://");
    // a file URL: percent-encode what is not plain (spaces, CJK folder names, `#`, `?`)
    for b in html.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    let mut cmd = Command::new(browser);
    cmd.arg("--headless")
        .arg("--disable-gpu")
        .arg("--no-first-run")
        .arg("--no-default-browser-check")
        .arg("--disable-background-networking")
        .arg("--disable-component-update")
        .arg("--disable-sync")
        .arg("--disable-extensions")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", out.display()));
    if running_as_root() {
        cmd.arg("--no-sandbox");
    }
    cmd.arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::Tool(format!("无法启动 {}：{e}", browser.display())))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() > PRINT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Tool(format!(
                    "{}：Chromium 在 {} 秒内没有打印完成，已停止",
                    html.display(),
                    PRINT_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(Error::io("wait for", browser, e)),
        }
    };
    if !status.success() || !out.is_file() {
        return Err(Error::Tool(format!(
            "{}：Chromium 打印失败（{status}）",
            html.display()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_html_documents_are_printed_and_a_named_other_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/F01")).unwrap();
        std::fs::write(d.path().join("a/F01/paper.html"), "<p>x</p>").unwrap();
        std::fs::write(d.path().join("a/F01/paper.json"), "{}").unwrap();
        std::fs::write(d.path().join("a/key.html"), "<p>y</p>").unwrap();
        let docs = html_documents(&[d.path().to_path_buf()]).unwrap();
        assert_eq!(
            docs,
            vec![
                d.path().join("a/F01/paper.html"),
                d.path().join("a/key.html")
            ]
        );
        let e = html_documents(&[d.path().join("a/F01/paper.json")]).unwrap_err();
        assert!(e.to_string().contains("不是 HTML 文档"), "{e}");
        assert_eq!(pdf_path(&docs[0]), d.path().join("a/F01/paper.pdf"));
    }

    #[test]
    fn a_missing_browser_named_by_qbank_chromium_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let html = d.path().join("p.html");
        std::fs::write(&html, "<p>x</p>").unwrap();
        let e = print_one(&d.path().join("no-such-browser"), &html, &pdf_path(&html)).unwrap_err();
        assert!(e.to_string().contains("无法启动"), "{e}");
        assert!(!pdf_path(&html).exists());
        assert!(
            std::fs::read_dir(d.path()).unwrap().count() == 1,
            "the temporary folder is removed"
        );
    }
}
