//! Tables people hand over: a CSV file (UTF-8 with or without BOM, UTF-16 with BOM, or GBK as
//! Excel writes it in China) or an Excel workbook's first sheet, read into a header and rows
//! of text, each row with the line a spreadsheet shows it on. Columns are found by their
//! English or Chinese names ([`columns`]).

pub mod columns;
mod xlsx;

use crate::i18n::T;
use encoding_rs::{Encoding, GB18030};
use std::borrow::Cow;

/// A table: its header and its rows, empty rows left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The header cells as written.
    pub header: Vec<String>,
    /// The rows below it.
    pub rows: Vec<Row>,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The line (CSV) or row number (Excel) it starts on; the header is line 1.
    pub line: u64,
    /// Its cells, as many as the header has.
    pub cells: Vec<String>,
}

/// Why a file is not a table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// Nothing in it, not even a header.
    #[error("the file is empty (a header row naming the columns is needed)")]
    Empty,
    /// A BOM that does not fit the bytes after it.
    #[error("the file starts with a {0} byte-order mark but is not valid {0}")]
    BadBom(&'static str),
    /// Neither UTF-8 nor GBK.
    #[error("it is neither UTF-8 nor GBK; save it as CSV UTF-8")]
    NotText,
    /// A row with another number of cells than the header.
    #[error("line {line}: {len} fields, but the header has {expected}")]
    Ragged {
        /// Where.
        line: u64,
        /// Its cells.
        len: usize,
        /// The header's.
        expected: usize,
    },
    /// Any other CSV error (an unclosed quote…).
    #[error("line {line}: {detail}")]
    Csv {
        /// Where.
        line: u64,
        /// The reader's words.
        detail: String,
    },
    /// A workbook that cannot be read.
    #[error("cannot read the Excel workbook: {0}")]
    Workbook(String),
    /// More rows than the caller takes.
    #[error("more than {max} rows")]
    TooManyRows {
        /// The limit.
        max: usize,
    },
}

impl TableError {
    /// The error in `t`'s language.
    pub fn message(&self, t: T) -> String {
        match self {
            TableError::Empty => t.t("table.empty").to_owned(),
            TableError::BadBom(enc) => t.fmt("table.bad_bom", &[("encoding", enc)]),
            TableError::NotText => t.t("table.not_text").to_owned(),
            TableError::Ragged {
                line,
                len,
                expected,
            } => t.fmt(
                "table.ragged",
                &[
                    ("line", &line.to_string()),
                    ("len", &len.to_string()),
                    ("expected", &expected.to_string()),
                ],
            ),
            TableError::Csv { line, detail } => t.fmt(
                "table.csv",
                &[("line", &line.to_string()), ("detail", detail)],
            ),
            TableError::Workbook(detail) => t.fmt("table.workbook", &[("detail", detail)]),
            TableError::TooManyRows { max } => {
                t.fmt("table.too_many_rows", &[("max", &max.to_string())])
            }
        }
    }
}

/// Reads `bytes` as an Excel workbook (`.xlsx`, recognised by its content) or a CSV file,
/// refusing more than `max_rows` rows.
pub fn read(bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    let table = if xlsx::looks_like(bytes) {
        xlsx::read(bytes, max_rows)?
    } else {
        read_csv(&decode(bytes)?, max_rows)?
    };
    if table.header.iter().all(|h| h.trim().is_empty()) {
        return Err(TableError::Empty);
    }
    Ok(table)
}

/// The file's text: UTF-8 (a BOM is dropped), UTF-16 with a BOM, or else GBK (GB18030, its
/// superset), refusing bytes that are none of these rather than guessing.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, TableError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(TableError::BadBom(encoding.name()));
        }
        return Ok(text);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(TableError::NotText)
}

fn read_csv(text: &str, max_rows: usize) -> Result<Table, TableError> {
    if text.trim().is_empty() {
        return Err(TableError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_error(&e))? {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == max_rows {
            return Err(TableError::TooManyRows { max: max_rows });
        }
        rows.push(Row {
            line: record.position().map_or(0, csv::Position::line),
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    Ok(Table { header, rows })
}

fn csv_error(e: &csv::Error) -> TableError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => TableError::Ragged {
            line: pos.as_ref().map_or(0, csv::Position::line),
            len: *len as usize,
            expected: *expected_len as usize,
        },
        _ => TableError::Csv {
            line: e.position().map_or(0, csv::Position::line),
            detail: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_gbk_and_utf8_reads_the_same_with_lines_kept() {
        let text = "公司,手机\n华星,13800138000\n,\n\"多行\n名称\",13900139000\n";
        let (gbk, _, _) = GB18030.encode(text);
        let a = read(text.as_bytes(), 10).expect("utf-8");
        let b = read(&gbk, 10).expect("gbk");
        assert_eq!(a, b);
        assert_eq!(a.header, ["公司", "手机"]);
        let lines: Vec<u64> = a.rows.iter().map(|r| r.line).collect();
        assert_eq!(
            lines,
            [2, 4],
            "the empty row is skipped, the multi-line cell counted"
        );
        assert_eq!(
            read(b"a\n1\n2\n", 1),
            Err(TableError::TooManyRows { max: 1 })
        );
    }

    #[test]
    fn broken_files_say_where() {
        assert_eq!(read(b"  \n", 5), Err(TableError::Empty));
        assert_eq!(
            read(b"a,b\n1,2\n3\n", 5),
            Err(TableError::Ragged {
                line: 3,
                len: 1,
                expected: 2
            })
        );
        assert_eq!(
            read(&[0xff, 0xfe, 0x00, 0xd8], 5),
            Err(TableError::BadBom("UTF-16LE"))
        );
    }
}
