//! Finding and reading bank files named on the command line (files or folders, recursively).

use crate::bankfile::SourceFile;
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.is_dir() {
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io("list", path, e))?
            .map(|d| d.map(|d| d.path()).map_err(|e| Error::io("list", path, e)))
            .collect::<Result<_>>()?;
        children.sort();
        for c in children {
            let is_dir = c.is_dir();
            if is_dir || c.extension().is_some_and(|x| x == "toml") {
                walk(&c, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Reads every `.toml` file under `paths` (a file named directly is read whatever its name),
/// in a stable order.
pub fn read_bank_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>> {
    let mut found = Vec::new();
    for p in paths {
        walk(p, &mut found)?;
    }
    found.dedup();
    if found.is_empty() {
        return Err(Error::Usage(
            "no .toml bank files found under the given paths".into(),
        ));
    }
    found
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io("read", p, e))?;
            Ok(SourceFile {
                path: p.display().to_string(),
                text,
            })
        })
        .collect()
}

/// Whether `dir` exists and holds anything.
pub fn is_nonempty_dir(dir: &Path) -> Result<bool> {
    Ok(dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| Error::io("list", dir, e))?
            .next()
            .is_some())
}

/// The hidden folder beside `out` that output is written into before it is renamed into place
/// (emptied first).
pub fn partial_dir(out: &Path) -> PathBuf {
    let tmp = out.with_file_name(format!(
        ".{}.partial",
        out.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    tmp
}

/// Moves a finished `tmp` folder to `out`, replacing an empty (or, with `replace`, any) `out`.
pub fn move_into_place(tmp: &Path, out: &Path, replace: bool) -> Result<()> {
    if out.exists() {
        let r = if replace {
            std::fs::remove_dir_all(out)
        } else {
            std::fs::remove_dir(out)
        };
        r.map_err(|e| Error::io("replace", out, e))?;
    }
    std::fs::rename(tmp, out).map_err(|e| Error::io("move output into", out, e))
}

/// Writes `bytes` to `path`, creating its folder first.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io("write", path, e))
}

/// Writes exported or generated bank files under `out`.
pub fn write_bank_files(out: &Path, files: &[crate::bankfile::ExportFile]) -> Result<()> {
    files
        .iter()
        .try_for_each(|f| write_file(&out.join(&f.path), f.text.as_bytes()))
}
