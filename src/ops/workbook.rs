//! Reading an item writer's Excel workbook (.xlsx) within bounds: the file, its parts and its
//! cell references are measured before the spreadsheet reader allocates anything, so no workbook
//! can abort (a cell at XFD1048576, a zip bomb) or wrap a row number; then the first sheet's
//! template columns are streamed cell by cell, never as a dense range.

use crate::bankfile::Diagnostic;
use std::collections::BTreeMap;
use std::io::Read;

/// The largest workbook file read (a template of a few thousand items is well under 1 MiB).
pub const MAX_WORKBOOK_BYTES: usize = 16 << 20;
/// The largest any one part of the workbook may unpack to.
pub const MAX_PART_BYTES: u64 = 32 << 20;
/// The largest all parts together may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 96 << 20;
/// The most parts (files inside the zip) a workbook may have.
pub const MAX_PARTS: usize = 1_000;
/// The most cells all sheets together may hold.
pub const MAX_CELLS: u64 = 2_000_000;
/// Excel's own limits on a sheet.
pub const EXCEL_ROWS: u64 = 1_048_576;
pub const EXCEL_COLUMNS: u64 = 16_384;

/// One cell of the template columns, as text, or why it cannot be taken as text.
pub(crate) type Rows = BTreeMap<u32, Vec<String>>;

fn at(name: &str, row: usize, message: String) -> Diagnostic {
    Diagnostic {
        file: name.to_string(),
        line: row,
        message,
    }
}

/// Parses a cell reference (`A1`, `XFD1048576`) or, with `row_only`, a row number, refusing
/// anything outside Excel's sheet; returns (row, column) from 1.
fn cell_ref(r: &[u8], row_only: bool) -> Option<(u64, u64)> {
    let letters = r.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let (col, digits) = r.split_at(letters);
    if row_only != col.is_empty() || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    if col.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let c = col.iter().fold(0u64, |n, ch| {
        n * 26 + u64::from(ch.to_ascii_uppercase() - b'A') + 1
    });
    let row = digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    let ok_col = row_only || (1..=EXCEL_COLUMNS).contains(&c);
    ((1..=EXCEL_ROWS).contains(&row) && ok_col).then_some((row, c))
}

/// Checks every `row`, `c` and `dimension` reference of one sheet part; counts its cells.
fn scan_sheet(name: &str, part: &str, xml: &[u8], cells: &mut u64) -> Result<(), Diagnostic> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let bad = |what: &str, r: &[u8]| {
        at(
            name,
            0,
            format!(
                "sheet part {part}: {what} `{}` lies outside Excel's {EXCEL_ROWS} rows × {EXCEL_COLUMNS} columns; save the workbook again from the template",
                String::from_utf8_lossy(&r[..r.len().min(24)])
            ),
        )
    };
    loop {
        buf.clear();
        let e = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => e,
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => continue,
            Err(_) => {
                return Err(at(
                    name,
                    0,
                    format!("sheet part {part} is not well-formed XML: save the workbook again"),
                ));
            }
        };
        let local = e.local_name();
        let element: &str = local.as_ref();
        let (attr, row_only) = match element {
            "c" => {
                *cells += 1;
                if *cells > MAX_CELLS {
                    return Err(at(
                        name,
                        0,
                        format!("the workbook holds more than {MAX_CELLS} cells"),
                    ));
                }
                ("r", false)
            }
            "row" => ("r", true),
            "dimension" => ("ref", false),
            _ => continue,
        };
        for a in e.attributes().flatten() {
            if a.key.local_name().as_ref() != attr {
                continue;
            }
            let v: &[u8] = a.value.as_ref().as_ref();
            let ok = if element == "dimension" {
                v.split(|c| *c == b':')
                    .all(|r| cell_ref(r, false).is_some())
            } else {
                cell_ref(v, row_only).is_some()
            };
            if !ok {
                let what = match element {
                    "row" => "row number",
                    "c" => "cell reference",
                    _ => "sheet dimension",
                };
                return Err(bad(what, v));
            }
        }
    }
}

/// Measures every part of the workbook (unpacked, bounded) and checks the sheets' references.
fn measure(name: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let unreadable = |e: &dyn std::fmt::Display| {
        at(
            name,
            0,
            format!("not a readable Excel workbook (.xlsx): {e}"),
        )
    };
    if bytes.len() > MAX_WORKBOOK_BYTES {
        return Err(at(
            name,
            0,
            format!(
                "the workbook is {} bytes; at most {MAX_WORKBOOK_BYTES} bytes are read (split it into several submissions)",
                bytes.len()
            ),
        ));
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if zip.len() > MAX_PARTS {
        return Err(at(
            name,
            0,
            format!("the workbook has {} parts; at most {MAX_PARTS}", zip.len()),
        ));
    }
    let mut total = 0u64;
    let mut cells = 0u64;
    let mut part = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let part_name = entry.name().map_err(|e| unreadable(&e))?.to_string();
        part.clear();
        entry
            .take(MAX_PART_BYTES + 1)
            .read_to_end(&mut part)
            .map_err(|e| unreadable(&e))?;
        let n = part.len() as u64;
        total += n;
        if n > MAX_PART_BYTES || total > MAX_UNPACKED_BYTES {
            return Err(at(
                name,
                0,
                format!(
                    "the workbook unpacks to more than {} MiB (part {part_name}); it is not a template workbook",
                    if n > MAX_PART_BYTES {
                        MAX_PART_BYTES
                    } else {
                        MAX_UNPACKED_BYTES
                    } >> 20
                ),
            ));
        }
        if part_name.starts_with("xl/worksheets/") && part_name.ends_with(".xml") {
            scan_sheet(name, &part_name, &part, &mut cells)?;
        }
    }
    Ok(())
}

/// The text of the first sheet's cells in the first `columns` columns, by row (from 1).
/// A date-formatted or error cell is refused by row and column header: its text would not be
/// what the writer sees (a date 编号 would become "45678.5").
pub(crate) fn first_sheet(
    name: &str,
    bytes: &[u8],
    headers: &[&str],
) -> Result<Rows, Vec<Diagnostic>> {
    use calamine::{DataRef, Reader};
    measure(name, bytes).map_err(|d| vec![d])?;
    let unreadable = |e: &dyn std::fmt::Display| {
        vec![at(
            name,
            0,
            format!("not a readable Excel workbook (.xlsx): {e}"),
        )]
    };
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let Some(sheet) = book.sheet_names().into_iter().next() else {
        return Err(vec![at(name, 0, "the workbook has no first sheet".into())]);
    };
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|e| unreadable(&e))?;
    let mut rows = Rows::new();
    let mut problems = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
        let (r, c) = cell.get_position();
        let Some(header) = headers.get(c as usize) else {
            continue;
        };
        let row = r.saturating_add(1);
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::Int(v) => v.to_string(),
            DataRef::Float(v) => v.to_string(),
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => {
                problems.push(at(
                    name,
                    row as usize,
                    format!(
                        "row {row}: the {header} cell is formatted as a date or time; format the column as text (文本) and type the value again"
                    ),
                ));
                continue;
            }
            DataRef::Error(_) => {
                problems.push(at(
                    name,
                    row as usize,
                    format!(
                        "row {row}: the {header} cell holds a spreadsheet error (such as #DIV/0! or #REF!); type the value instead"
                    ),
                ));
                continue;
            }
        };
        let cols = rows.entry(row).or_default();
        if cols.len() < headers.len() {
            cols.resize(headers.len(), String::new());
        }
        cols[c as usize] = text;
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::cell_ref;

    #[test]
    fn cell_references_outside_a_sheet_are_refused_without_overflow() {
        assert_eq!(cell_ref(b"A1", false), Some((1, 1)));
        assert_eq!(cell_ref(b"XFD1048576", false), Some((1_048_576, 16_384)));
        assert_eq!(cell_ref(b"1048576", true), Some((1_048_576, 0)));
        for bad in [
            &b"XFE1"[..],
            b"A1048577",
            b"A4294967297",
            b"AAAAAAAAAAAAAAAA1",
            b"A0",
            b"A",
            b"1",
            b"A1B",
            b"",
        ] {
            assert_eq!(
                cell_ref(bad, false),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(cell_ref(b"4294967297", true), None);
        assert_eq!(cell_ref(b"A1", true), None);
    }
}
