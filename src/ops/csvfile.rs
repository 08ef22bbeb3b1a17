//! CSV files that organisations send (response files, feedback reports), read as Excel on a
//! Chinese Windows machine writes them: UTF-8 with or without a BOM, UTF-16 with a BOM, or
//! GBK/GB18030 without one; CRLF or LF line ends. A file that is none of these gets one message
//! naming the file, the line and the fix. Every row must have as many fields as the header; each
//! one that does not is a `file:line` problem.

use crate::bankfile::Diagnostic;
use crate::error::{Error, Result};
use std::path::Path;

/// A decoded CSV file: its header and rows (with the line each starts on).
pub(crate) struct CsvFile {
    /// The path as the user gave it.
    pub name: String,
    /// The encoding it was read in (`UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `GB18030`).
    pub encoding: &'static str,
    /// Header cells, trimmed.
    pub header: Vec<String>,
    /// (line, cells) of each row with exactly as many cells as the header.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Decodes `bytes`: a BOM decides; else UTF-8 if valid; else GB18030 (a superset of GBK).
fn decode(name: &str, bytes: &[u8]) -> Result<(String, &'static str)> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if !had_errors {
            let label = if enc == encoding_rs::UTF_8 {
                "UTF-8 (BOM)"
            } else {
                enc.name()
            };
            return Ok((text.into_owned(), label));
        }
    }
    let utf8 = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((s.to_string(), "UTF-8")),
        Err(e) => e,
    };
    if let Some(text) =
        encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Ok((text.into_owned(), "GB18030"));
    }
    let line = 1 + bytes[..utf8.valid_up_to()]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    Err(Error::Invalid(vec![Diagnostic {
        file: name.to_string(),
        line,
        message: "the file is neither UTF-8 nor GBK/GB18030 text (the first byte that is neither is on this line); save it again from Excel as “CSV UTF-8（逗号分隔）” or as “CSV（逗号分隔）”".into(),
    }]))
}

/// The largest response or feedback file read (checked before it is read): a sitting's
/// responses for one organisation are far smaller.
pub const MAX_CSV_BYTES: usize = 256 << 20;

/// Reads and decodes `path` (a regular file of at most [`MAX_CSV_BYTES`]); rows whose field
/// count differs from the header's are problems.
pub(crate) fn read(path: &Path, problems: &mut Vec<Diagnostic>) -> Result<CsvFile> {
    let bytes = super::files::read_regular(path, MAX_CSV_BYTES)?;
    parse(&path.display().to_string(), &bytes, problems)
}

/// Decodes and splits the bytes of a CSV file called `name` (as the user gave it).
pub(crate) fn parse(name: &str, bytes: &[u8], problems: &mut Vec<Diagnostic>) -> Result<CsvFile> {
    let name = name.to_string();
    let (text, encoding) = decode(&name, bytes)?;
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(Diagnostic {
                    file: name.clone(),
                    line: e.position().map_or(0, |p| p.line() as usize),
                    message: format!("not readable as CSV: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        match &header {
            None => header = Some(cells),
            Some(h) if cells.len() != h.len() => problems.push(Diagnostic {
                file: name.clone(),
                line,
                message: format!(
                    "{} field(s), but the header has {}: every row needs one field per column (an empty field for no answer)",
                    cells.len(),
                    h.len()
                ),
            }),
            Some(_) => rows.push((line, cells)),
        }
    }
    Ok(CsvFile {
        name,
        encoding,
        header: header.unwrap_or_default(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_encodings_decode_and_garbage_is_one_message() {
        let text = "candidate,copy,1\r\n000001,S-1,√\r\n";
        assert_eq!(decode("f", text.as_bytes()).unwrap().1, "UTF-8");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(
            decode("f", &bom).unwrap(),
            (text.to_string(), "UTF-8 (BOM)")
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("机构,题号,答案错误\n");
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(
            decode("f", &gbk).unwrap(),
            ("机构,题号,答案错误\n".to_string(), "GB18030")
        );
        let e = decode("f.csv", b"a,b\n\xff\xff\xff\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("f.csv:2: the file is neither UTF-8 nor GBK"),
            "{e}"
        );
        assert_eq!(e.matches("save it again").count(), 1);
    }
}
