//! The cluster report of a database review: one row per customer in a cluster of two or
//! more, with the link that put it there, written as CSV or as an Excel workbook.

use anyhow::Context;
use kehu_domain::identity::matching::{Clustering, Prepared, Record};
use kehu_domain::ids::CustomerId;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Column names of the CSV report (stable, for scripts).
const COLUMNS: [&str; 9] = [
    "cluster_id",
    "cluster_size",
    "customer_id",
    "name",
    "owner",
    "city",
    "linked_to",
    "score",
    "reasons",
];

/// The same columns as the workbook's header: Chinese first, for the people who read it.
const HEADINGS: [&str; 9] = [
    "重复组 cluster",
    "组内客户数 size",
    "客户编号 customer id",
    "客户名称 name",
    "负责人 owner",
    "城市 city",
    "关联客户 linked to",
    "相似度 score",
    "依据 reasons",
];

/// One customer of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The cluster, named by its first customer's id.
    pub cluster_id: i64,
    /// How many customers the cluster holds.
    pub cluster_size: usize,
    /// The customer.
    pub customer_id: i64,
    /// Its name as stored.
    pub name: String,
    /// Its owner's name (empty in the pool).
    pub owner: String,
    /// Its city as stored.
    pub city: String,
    /// The customer its strongest link joins it to.
    pub linked_to: i64,
    /// That link's score, 0–1.
    pub score: f32,
    /// That link's reasons, weightiest first.
    pub reasons: String,
}

/// The rows of every cluster of two or more, largest clusters first, each customer once.
/// `owners` names the owner of each clustered customer (absent: pool).
pub fn rows(
    records: &[(CustomerId, Record)],
    prepared: &[Prepared],
    c: &Clustering,
    owners: &HashMap<CustomerId, String>,
) -> Vec<Row> {
    let mut size: HashMap<u32, usize> = HashMap::new();
    for first in &c.cluster_of {
        *size.entry(*first).or_default() += 1;
    }
    // Each customer's strongest link (links come strongest first); every member of a
    // cluster of two or more has one.
    let mut link_of: HashMap<u32, (u32, usize)> = HashMap::new();
    for (n, l) in c.links.iter().enumerate() {
        link_of.entry(l.a).or_insert((l.b, n));
        link_of.entry(l.b).or_insert((l.a, n));
    }
    let mut out = Vec::new();
    for (i, first) in c.cluster_of.iter().enumerate() {
        let n = size[first];
        let Some(&(other, _)) = link_of.get(&(i as u32)).filter(|_| n >= 2) else {
            continue;
        };
        let (id, record) = &records[i];
        let m = c.matcher.compare(&prepared[i], &prepared[other as usize]);
        let reasons: Vec<String> = m.reasons.iter().map(ToString::to_string).collect();
        out.push(Row {
            cluster_id: records[*first as usize].0.0,
            cluster_size: n,
            customer_id: id.0,
            name: record.company.clone().unwrap_or_default(),
            owner: owners.get(id).cloned().unwrap_or_default(),
            city: record.city.clone().unwrap_or_default(),
            linked_to: records[other as usize].0.0,
            score: m.score,
            reasons: reasons.join("; "),
        });
    }
    out.sort_by(|x, y| {
        (y.cluster_size, x.cluster_id, x.customer_id).cmp(&(
            x.cluster_size,
            y.cluster_id,
            y.customer_id,
        ))
    });
    out
}

impl Row {
    fn cells(&self) -> [String; 9] {
        [
            self.cluster_id.to_string(),
            self.cluster_size.to_string(),
            self.customer_id.to_string(),
            self.name.clone(),
            self.owner.clone(),
            self.city.clone(),
            self.linked_to.to_string(),
            format!("{:.3}", self.score),
            self.reasons.clone(),
        ]
    }
}

/// Writes the report as CSV with [`COLUMNS`] as its header.
pub fn write_csv(rows: &[Row], out: &mut dyn Write) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record(r.cells())?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the report as an Excel workbook (one sheet, header frozen, filters on).
pub fn write_xlsx(rows: &[Row], path: &Path) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("重复客户 duplicates")?;
    for (col, (heading, width)) in HEADINGS
        .iter()
        .zip([10, 8, 10, 36, 12, 10, 10, 8, 60])
        .enumerate()
    {
        let col = col as u16;
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(0, col, *heading, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (n, r) in rows.iter().enumerate() {
        let row = u32::try_from(n + 1).context("too many rows for one sheet")?;
        sheet.write_number(row, 0, r.cluster_id as f64)?;
        sheet.write_number(row, 1, r.cluster_size as f64)?;
        sheet.write_number(row, 2, r.customer_id as f64)?;
        sheet.write_string(row, 3, &r.name)?;
        sheet.write_string(row, 4, &r.owner)?;
        sheet.write_string(row, 5, &r.city)?;
        sheet.write_number(row, 6, r.linked_to as f64)?;
        sheet.write_number(row, 7, (f64::from(r.score) * 1000.0).round() / 1000.0)?;
        sheet.write_string(row, 8, &r.reasons)?;
    }
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last, 8)?;
    book.save(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
