//! An Excel workbook's first sheet as a [`Table`]: cells as text, the first non-empty row the
//! header, row numbers as Excel shows them.

use super::{Row, Table, TableError};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::io::Cursor;

/// Whether `bytes` is a zip archive, as every `.xlsx` workbook is (a CSV file never starts so).
pub fn looks_like(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the first sheet.
pub fn read(bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    let bad = |e: calamine::XlsxError| TableError::Workbook(e.to_string());
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(TableError::Empty)?
        .map_err(bad)?;
    // The range starts at its first used cell; row numbers count from the sheet's top.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let text = |cells: &[Data]| -> Vec<String> {
        let pad = (0..first_col).map(|_| String::new());
        pad.chain(cells.iter().map(cell_text)).collect()
    };
    let mut rows = range.rows().zip(u64::from(first_row) + 1..);
    let header = rows.next().map(|(r, _)| text(r)).ok_or(TableError::Empty)?;
    let mut out = Vec::new();
    for (cells, line) in rows {
        let cells = text(cells);
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if out.len() == max_rows {
            return Err(TableError::TooManyRows { max: max_rows });
        }
        out.push(Row { line, cells });
    }
    Ok(Table { header, rows: out })
}

/// A cell as text; whole numbers without a decimal point (a phone typed as a number is
/// `13800138000`, not `1.38e10`).
fn cell_text(d: &Data) -> String {
    match d {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}
