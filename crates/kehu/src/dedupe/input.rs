//! Reading a CSV file of records: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK as
//! Excel writes it in China; columns found by their English or Chinese names; every error
//! names the file and the line.

use crate::progress::Bar;
use anyhow::{Context, bail};
use kehu_domain::identity::matching::{Prepared, Record};
use kehu_server::tabular::{self, columns};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// The fields of a [`Record`], in the order of [`COLUMNS`].
const FIELDS: usize = 10;

/// Accepted header names per field (compared lowercased, trimmed, spaces and dashes as `_`);
/// the lists are shared with the lead import.
const COLUMNS: [&[&str]; FIELDS] = [
    &["id", "record_id", "编号", "客户编号", "记录编号"],
    columns::COMPANY,
    columns::CONTACT,
    columns::MOBILE,
    columns::PHONE,
    columns::EMAIL,
    columns::WECHAT,
    columns::CITY,
    columns::ADDRESS,
    columns::CREDIT_CODE,
];

/// Records read and prepared, with their ids and any extra columns asked for.
pub struct Input {
    pub ids: Vec<String>,
    pub prepared: Vec<Prepared>,
    /// Per requested extra column, its value in each record.
    pub extra: Vec<Vec<String>>,
}

/// Records are prepared in parallel in chunks of this many, so a large file never holds all
/// its raw records and all its prepared ones at once.
const CHUNK: usize = 1 << 16;

/// Reads `path`; `extra` names columns to keep verbatim (an error if one is missing).
pub fn load(path: &Path, extra: &[&str], bar: &Bar) -> anyhow::Result<Input> {
    let shown = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {shown}"))?;
    let text = tabular::decode(&bytes).with_context(|| format!("{shown}: cannot read the text"))?;
    if text.trim().is_empty() {
        bail!("{shown}: the file is empty (a header row naming the columns is needed)");
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader
        .headers()
        .with_context(|| format!("{shown}: cannot read the header"))?
        .clone();
    let names: Vec<String> = header.iter().map(columns::normalize_header).collect();
    let find = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
    let columns: Vec<Option<usize>> = COLUMNS.iter().map(|aliases| find(aliases)).collect();
    let Some(id_col) = columns[0] else {
        bail!(
            "{shown}: no id column (the header should name one of: {})",
            COLUMNS[0].join(", ")
        );
    };
    if columns[1..].iter().all(Option::is_none) {
        bail!(
            "{shown}: no column to compare (company, contact, mobile, phone, email, wechat, city, address, credit_code)"
        );
    }
    let extra_cols: Vec<usize> = extra
        .iter()
        .map(|e| find(&[e]).with_context(|| format!("{shown}: no {e} column")))
        .collect::<anyhow::Result<_>>()?;

    let mut input = Input {
        ids: Vec::new(),
        prepared: Vec::new(),
        extra: vec![Vec::new(); extra.len()],
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut chunk: Vec<Record> = Vec::with_capacity(CHUNK);
    bar.start_bytes("reading", text.len() as u64);
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&shown.to_string(), &e)),
        }
        let line = row.position().map_or(0, csv::Position::line);
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(str::to_owned);
        let id = row.get(id_col).unwrap_or("").trim().to_owned();
        if id.is_empty() {
            bail!("{shown}: line {line}: the id is empty");
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            bail!("{shown}: line {line}: id {id} is already on line {first}");
        }
        for (values, &c) in input.extra.iter_mut().zip(&extra_cols) {
            values.push(row.get(c).unwrap_or("").to_owned());
        }
        chunk.push(Record {
            id,
            company: get(columns[1]),
            contact: get(columns[2]),
            mobile: get(columns[3]),
            landline: get(columns[4]),
            email: get(columns[5]),
            wechat: get(columns[6]),
            city: get(columns[7]),
            address: get(columns[8]),
            credit_code: get(columns[9]),
        });
        if chunk.len() == CHUNK {
            prepare(&mut chunk, &mut input);
            bar.set_position(row.position().map_or(0, csv::Position::byte));
        }
    }
    prepare(&mut chunk, &mut input);
    bar.finish_stage();
    Ok(input)
}

fn prepare(chunk: &mut Vec<Record>, input: &mut Input) {
    input
        .prepared
        .par_extend(chunk.par_iter().map(Prepared::new));
    input.ids.extend(chunk.drain(..).map(|r| r.id));
}

fn csv_error(file: &str, e: &csv::Error) -> anyhow::Error {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let line = pos.as_ref().map_or(0, csv::Position::line);
            anyhow::anyhow!("{file}: line {line}: {len} fields, but the header has {expected_len}")
        }
        _ => match e.position() {
            Some(p) => anyhow::anyhow!("{file}: line {}: {e}", p.line()),
            None => anyhow::anyhow!("{file}: {e}"),
        },
    }
}
