//! Rendering results: human text by default, JSON with --json; progress bars on a terminal only.

use indicatif::{ProgressBar, ProgressStyle};
use qbank::ops::Progress;
use serde::Serialize;
use std::sync::Mutex;

/// Prints one line to stdout. When stdout is closed (`qbank … | head`), the rest of the output is
/// not wanted: exit quietly instead of failing.
pub fn line(args: std::fmt::Arguments) {
    use std::io::Write;
    if writeln!(std::io::stdout().lock(), "{args}").is_err() {
        std::process::exit(0);
    }
}

/// `println!` for command output (see [`line`]).
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => {
        $crate::output::line(format_args!($($t)*))
    };
}

pub fn json<T: Serialize>(v: &T) {
    line(format_args!(
        "{}",
        serde_json::to_string_pretty(v).expect("output serialises")
    ));
}

/// Prints warnings, at most `SHOWN` of them (all are in `--json`), then how many were left out.
pub fn warnings(ws: &[qbank::bankfile::Diagnostic]) {
    const SHOWN: usize = 50;
    for w in ws.iter().take(SHOWN) {
        line(format_args!("{w}"));
    }
    if ws.len() > SHOWN {
        line(format_args!(
            "……另有 {} 条警告未列出（--json 列出全部）",
            ws.len() - SHOWN
        ));
    }
}

/// A progress phase of the library (`encrypting`) as users read it on the bar.
fn phase_name(name: &str) -> &str {
    match name {
        "reading" => "读取",
        "checking" => "检查",
        "encrypting" => "加密",
        "decrypting" => "解密",
        "assembling" => "组卷",
        "rendering" => "排版",
        "sealing" => "封装",
        other => other,
    }
}

/// An indicatif bar; hidden automatically when stderr is not a terminal.
pub struct Bar(Mutex<Option<ProgressBar>>);

impl Bar {
    pub fn new() -> Bar {
        Bar(Mutex::new(None))
    }
}

impl Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = g.take() {
            b.finish_and_clear();
        }
        let b = if total > 0 {
            ProgressBar::new(total)
        } else {
            ProgressBar::new_spinner()
        };
        b.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b.set_message(phase_name(name).to_string());
        *g = Some(b);
    }
    fn set(&self, done: u64) {
        if let Some(b) = self.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            b.set_position(done);
        }
    }
    fn finish(&self) {
        if let Some(b) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            b.finish_and_clear();
        }
    }
}
