//! Figure files that travel with an item writer's submission: found at sealing from the
//! submitted TOML file or workbook itself (every `[[…figure]]` it names, read beside it under
//! the same rules as `qbank check`), carried after the file in the sealed payload, and
//! served from there to the vault's check at import — so a submitted figure is checked, sealed
//! and stored exactly as one in a bank folder.

use super::files::DiskFigures;
use crate::bankfile::SourceFile;
use crate::bankfile::figure::{FigureSource, referenced};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// The figure files `sources` (the submitted file, or the bank files made from a workbook)
/// refer to, read from the folder of `file` under the rules of `qbank check`, by name. A figure
/// that cannot be read is refused here, naming it, so the writer fixes it before anything is
/// sealed; every other problem (type, size, SVG content) is the bureau's check to report.
pub(crate) fn collect(file: &Path, sources: &[SourceFile]) -> Result<Vec<(String, Vec<u8>)>> {
    let beside = file.parent().unwrap_or(Path::new(".")).join("_");
    let beside = beside.to_string_lossy();
    let mut read = BTreeMap::new();
    let mut missing = Vec::new();
    for name in sources.iter().flat_map(referenced) {
        if read.contains_key(&name) {
            continue;
        }
        match DiskFigures.read(&beside, &name) {
            Ok(bytes) => {
                read.insert(name, bytes);
            }
            Err(why) => missing.push(format!("{name}：{why}")),
        }
    }
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "{}：所引用的图形文件无法读取，未封装任何内容：\n  {}",
            file.display(),
            missing.join("\n  ")
        )));
    }
    Ok(read.into_iter().collect())
}

/// The figure files a sealed submission carried, served by name to the vault's check.
pub(crate) struct Attached<'a>(pub BTreeMap<String, &'a [u8]>);

impl FigureSource for Attached<'_> {
    fn read(&self, _bank_file: &str, rel: &str) -> std::result::Result<Vec<u8>, String> {
        self.0.get(rel).map(|b| b.to_vec()).ok_or_else(|| {
            "投稿未附带此图形文件（封装时须与题库文件放在同一文件夹） (not sent with the submission)"
                .into()
        })
    }
}
