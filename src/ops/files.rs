//! Finding and reading bank files named on the command line (files or folders, recursively).

use crate::bankfile::{Diagnostic, SourceFile};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Refuses anything but a regular file: a FIFO would block the read forever, a device or
/// socket is no bank file.
fn regular(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{}: not a regular file (a FIFO, socket or device); bank files are plain text files",
        path.display()
    )))
}

/// The `.toml` files under `path` (or `path` itself when it names a file), sorted by name.
/// Symbolic links are followed, but a link that leads back into its own folder is refused
/// rather than followed round (walkdir detects the loop).
fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if !meta.is_dir() {
        regular(path, &meta)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    for e in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
    {
        let e = e.map_err(|e| {
            let at = e.path().unwrap_or(path).to_path_buf();
            match e.loop_ancestor() {
                Some(a) => Error::Usage(format!(
                    "{}: a symbolic link loop (it leads back to {}); remove the link",
                    at.display(),
                    a.display()
                )),
                None => match e.into_io_error() {
                    Some(io) => Error::io("read", at, io),
                    None => Error::Usage(format!("{}: cannot be read", at.display())),
                },
            }
        })?;
        if e.file_type().is_dir() || e.path().extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let meta = e
            .metadata()
            .map_err(|err| Error::Usage(format!("{}: {err}", e.path().display())))?;
        regular(e.path(), &meta)?;
        out.push(e.into_path());
    }
    Ok(())
}

/// Reads every `.toml` file under `paths` (a file named directly is read whatever its name),
/// in a stable order; a file reached twice (named twice, or through a link) is read once.
/// Only regular files are opened.
pub fn read_bank_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>> {
    let (files, problems) = read_bank_files_or_problems(paths)?;
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// As [`read_bank_files`], but a file that is not UTF-8 is a problem (named by its line) of
/// its own rather than a refusal, so `check` can report it with everything else.
pub(crate) fn read_bank_files_or_problems(
    paths: &[PathBuf],
) -> Result<(Vec<SourceFile>, Vec<Diagnostic>)> {
    let mut walked = Vec::new();
    for p in paths {
        walk(p, &mut walked)?;
    }
    let mut seen = std::collections::HashSet::new();
    let found: Vec<PathBuf> = walked
        .into_iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect();
    if found.is_empty() {
        return Err(Error::Usage(
            "no .toml bank files found under the given paths".into(),
        ));
    }
    let read: Vec<std::result::Result<SourceFile, Diagnostic>> = found
        .par_iter()
        .map(|p| read_text(p))
        .collect::<Result<_>>()?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for r in read {
        match r {
            Ok(f) => files.push(f),
            Err(d) => problems.push(d),
        }
    }
    Ok((files, problems))
}

/// The largest bank file read (a bank file is text an item writer edits: the largest sample
/// file is 67 KB, a synthetic occupation-level of 5 000 items about 2 MB). Checked before the
/// file is read, and again while reading.
pub const MAX_BANK_FILE_BYTES: u64 = 64 << 20;

/// Reads one bank file: a regular file (checked again on the open handle) of at most
/// [`MAX_BANK_FILE_BYTES`], as UTF-8.
fn read_text(p: &Path) -> Result<std::result::Result<SourceFile, Diagnostic>> {
    use std::io::Read;
    let f = std::fs::File::open(p).map_err(|e| Error::io("read", p, e))?;
    let meta = f.metadata().map_err(|e| Error::io("read", p, e))?;
    regular(p, &meta)?;
    let too_big = || Diagnostic {
        file: p.display().to_string(),
        line: 1,
        message: format!(
            "the file is larger than {} MiB; split it into several bank files (one per level or 职业功能)",
            MAX_BANK_FILE_BYTES >> 20
        ),
    };
    if meta.len() > MAX_BANK_FILE_BYTES {
        return Ok(Err(too_big()));
    }
    let mut bytes = Vec::new();
    f.take(MAX_BANK_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", p, e))?;
    if bytes.len() as u64 > MAX_BANK_FILE_BYTES {
        return Ok(Err(too_big()));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile {
            path: p.display().to_string(),
            text,
        }),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
            Err(Diagnostic {
                file: p.display().to_string(),
                line,
                message: format!(
                    "not UTF-8 text (byte {} is not valid UTF-8); save the file as UTF-8",
                    at + 1
                ),
            })
        }
    })
}

/// Reads a file named on the command line that must be a regular file of at most `max` bytes
/// (checked before anything is allocated, and again on the open handle).
pub(crate) fn read_regular(p: &Path, max: usize) -> Result<Vec<u8>> {
    use std::io::Read;
    regular(
        p,
        &std::fs::metadata(p).map_err(|e| Error::io("read", p, e))?,
    )?;
    let f = std::fs::File::open(p).map_err(|e| Error::io("read", p, e))?;
    let meta = f.metadata().map_err(|e| Error::io("read", p, e))?;
    regular(p, &meta)?;
    let too_big = || {
        Error::Usage(format!(
            "{}: the file is larger than the {max} bytes this command reads",
            p.display()
        ))
    };
    if meta.len() > max as u64 {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    f.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", p, e))?;
    if bytes.len() > max {
        return Err(too_big());
    }
    Ok(bytes)
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

/// Writes `bytes` to `base/rel`, creating folders first — refusing any `rel` that could leave
/// `base` (empty, absolute, or with `..`, `.` or a prefix): the one helper every output folder is
/// written through, so no id that becomes a path can place a file outside it.
pub fn write_under(base: &Path, rel: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let rel = rel.as_ref();
    let inside = rel.components().next().is_some()
        && rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside {
        return Err(Error::Usage(format!(
            "refusing to write `{}`: it is not a plain path inside the output folder; nothing was written",
            rel.display()
        )));
    }
    write_file(&base.join(rel), bytes)
}

/// Creates `dir` and any missing parents; on Unix each folder it creates is 0700 (decrypted
/// papers, keys and bank files are written under these folders).
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| Error::io("create", dir, e))
}

/// Creates `out` (0700), or narrows an existing (empty) `out` to 0700, before decrypted files
/// are written straight into it.
pub fn narrow_root(out: &Path) -> Result<()> {
    create_private_dir(out)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("restrict", out, e))?;
    }
    Ok(())
}

/// Writes `bytes` to `path`, creating its folder first. Every file the vault writes out is
/// readable by its owner only (0600, in 0700 folders it creates): many of them are decrypted
/// papers, keys or bank files, and a public file (a sealed package, the catalog) loses nothing
/// by it.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| Error::io("write", path, e))?;
    #[cfg(unix)]
    {
        // an existing file keeps its mode on open: narrow it before writing
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io("write", path, e))?;
    }
    f.write_all(bytes).map_err(|e| Error::io("write", path, e))
}

/// Writes exported or generated bank files under `out`.
pub fn write_bank_files(out: &Path, files: &[crate::bankfile::ExportFile]) -> Result<()> {
    narrow_root(out)?;
    files
        .iter()
        .try_for_each(|f| write_under(out, &f.path, f.bytes()))
}

/// Figure files read from disk beside the bank file that names them: regular files only, at
/// most [`MAX_FIGURE_BYTES`](crate::bankfile::figure::MAX_FIGURE_BYTES) (checked before reading
/// and while reading).
pub(crate) struct DiskFigures;

impl crate::bankfile::figure::FigureSource for DiskFigures {
    fn read(&self, bank_file: &str, rel: &str) -> std::result::Result<Vec<u8>, String> {
        use crate::bankfile::figure::MAX_FIGURE_BYTES;
        use std::io::Read;
        // the bank files made from a workbook are named `BOOK.xlsx[occupation/level]`: their
        // figures lie beside the workbook
        let real = match bank_file.split_once(".xlsx[") {
            Some((book, _)) => format!("{book}.xlsx"),
            None => bank_file.to_string(),
        };
        let dir = Path::new(&real).parent().unwrap_or(Path::new("."));
        let path = dir.join(rel);
        let too_big = || {
            format!(
                "文件超过 {} MiB (larger than {} MiB)",
                MAX_FIGURE_BYTES >> 20,
                MAX_FIGURE_BYTES >> 20
            )
        };
        let meta = std::fs::metadata(&path)
            .map_err(|_| "文件不存在或无法读取 (no such file, or it cannot be read)".to_string())?;
        if !meta.is_file() {
            return Err("不是普通文件 (not a regular file)".into());
        }
        if meta.len() > MAX_FIGURE_BYTES as u64 {
            return Err(too_big());
        }
        let f = std::fs::File::open(&path)
            .map_err(|_| "文件无法打开 (cannot be opened)".to_string())?;
        let mut bytes = Vec::new();
        f.take(MAX_FIGURE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| "文件读取失败 (read failed)".to_string())?;
        if bytes.len() > MAX_FIGURE_BYTES {
            return Err(too_big());
        }
        Ok(bytes)
    }
}

/// Checks bank files read from disk, with their figure files beside them.
pub(crate) fn check_files(
    files: &[SourceFile],
    known: &[crate::model::Standard],
) -> (crate::bankfile::ParsedBank, Vec<Diagnostic>) {
    crate::bankfile::check_with(files, known, &DiskFigures)
}

#[cfg(test)]
mod tests {
    use super::write_under;

    #[test]
    fn the_output_helper_refuses_any_path_that_leaves_its_base() {
        let t = tempfile::tempdir().unwrap();
        let base = t.path().join("out");
        for bad in ["", "..", "../x", "a/../../x", "/tmp/x", "./x"] {
            assert!(write_under(&base, bad, b"x").is_err(), "{bad}");
        }
        assert!(!t.path().join("x").exists());
        write_under(&base, "a/b.txt", b"x").unwrap();
        assert_eq!(std::fs::read(base.join("a/b.txt")).unwrap(), b"x");
    }
}
