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
