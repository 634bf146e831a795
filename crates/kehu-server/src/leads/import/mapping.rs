//! Which column of an import file is which lead field, found by the header names `kehu
//! dedupe` also reads (English or Chinese); columns it does not know go into the lead's
//! `extra` object under their header, so nothing in the file is lost.

use crate::tabular::columns::{self, find, normalize_header};
use kehu_domain::identity::matching::present;
use kehu_domain::lead::LeadInput;
use serde_json::{Map, Value};

/// The lead fields a column can fill, with the header names accepted for each. Mobile comes
/// before the other phone column: a row's phone is its mobile, else its other number.
const FIELDS: [(&str, &[&str]); 13] = [
    ("company", columns::COMPANY),
    ("contact_name", columns::CONTACT),
    ("mobile", columns::MOBILE),
    ("phone", columns::PHONE),
    ("email", columns::EMAIL),
    ("wechat", columns::WECHAT),
    ("credit_code", columns::CREDIT_CODE),
    ("province", columns::PROVINCE),
    ("city", columns::CITY),
    ("message", columns::MESSAGE),
    ("industry", columns::INDUSTRY),
    ("tags", columns::TAGS),
    ("grade", columns::GRADE),
];

/// Where each lead field is in the file.
#[derive(Debug, Clone)]
pub struct Mapping {
    header: Vec<String>,
    /// Per entry of [`FIELDS`], its column.
    found: [Option<usize>; 13],
    /// The columns that go into `extra`.
    extra: Vec<usize>,
}

/// One column as the report shows it: its header and the lead field it fills (`None`: it
/// goes into `extra`).
pub type ColumnUse = (String, Option<&'static str>);

impl Mapping {
    /// Finds the columns of `header`; `None` when none says who to call (a company, a contact
    /// or a phone column), since then no row could be a lead.
    pub fn of(header: &[String]) -> Option<Mapping> {
        let names: Vec<String> = header.iter().map(|h| normalize_header(h)).collect();
        let found = FIELDS.map(|(_, aliases)| find(&names, aliases));
        if found[..4].iter().all(Option::is_none) {
            return None;
        }
        let extra = (0..header.len())
            .filter(|i| !found.contains(&Some(*i)) && !names[*i].is_empty())
            .collect();
        Some(Mapping {
            header: header.to_vec(),
            found,
            extra,
        })
    }

    /// Every column with what it fills, in file order.
    pub fn uses(&self) -> Vec<ColumnUse> {
        (0..self.header.len())
            .filter_map(|i| {
                let field = FIELDS
                    .iter()
                    .zip(&self.found)
                    .find(|(_, c)| **c == Some(i))
                    .map(|((f, _), _)| if *f == "mobile" { "phone" } else { *f });
                let known = field.is_some() || self.extra.contains(&i);
                known.then(|| (self.header[i].clone(), field))
            })
            .collect()
    }

    /// The header of the column a row's error on `field` is about (`None`: the file has no
    /// such column, e.g. "company, contact or phone needed").
    pub fn column_of(&self, field: &str, cells: &[String]) -> Option<String> {
        let col = match field {
            "phone" => self.phone_column(cells),
            "extra" => None,
            f => FIELDS
                .iter()
                .position(|(name, _)| *name == f)
                .and_then(|i| self.found[i]),
        };
        col.map(|c| self.header[c].clone())
    }

    /// The row as an intake payload for `source`: placeholders (无, -, 不详 …) count as empty.
    pub fn input(&self, source: i64, cells: &[String]) -> LeadInput {
        let get = |i: usize| self.cell(self.found[i], cells);
        let phone = self
            .phone_column(cells)
            .and_then(|c| self.cell(Some(c), cells));
        let extra: Map<String, Value> = self
            .extra
            .iter()
            .filter_map(|&c| {
                let v = self.cell(Some(c), cells)?;
                Some((self.header[c].trim().to_owned(), Value::String(v)))
            })
            .collect();
        LeadInput {
            source: Some(source),
            company: get(0),
            contact_name: get(1),
            phone,
            email: get(4),
            wechat: get(5),
            credit_code: get(6),
            province: get(7),
            city: get(8),
            message: get(9),
            industry: get(10),
            tags: get(11).map(|t| split_tags(&t)),
            grade: get(12),
            extra: (!extra.is_empty()).then_some(Value::Object(extra)),
        }
    }

    /// The mobile column when the row has a mobile, else the other phone column.
    fn phone_column(&self, cells: &[String]) -> Option<usize> {
        let (mobile, other) = (self.found[2], self.found[3]);
        match mobile {
            Some(m) if self.cell(Some(m), cells).is_some() => Some(m),
            _ => other.or(mobile),
        }
    }

    fn cell(&self, col: Option<usize>, cells: &[String]) -> Option<String> {
        let raw = cells.get(col?)?;
        present(Some(raw)).map(str::to_owned)
    }
}

/// Tags typed in one cell or field, split at `,` `，` `;` `；` `、` or `|` (intake trims them
/// and keeps each once).
pub fn split_tags(cell: &str) -> Vec<String> {
    cell.split([',', '，', ';', '；', '、', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn columns_by_name_the_rest_into_extra_and_placeholders_are_empty() {
        let header = strings(&["公司名称", "手机", "电话", "展会", "备注", ""]);
        let m = Mapping::of(&header).expect("mapping");
        let row = strings(&[
            "苏州华星",
            "无",
            "0512-6666 8888",
            "上海工博会",
            "要报价",
            "x",
        ]);
        let input = m.input(7, &row);
        assert_eq!(input.source, Some(7));
        assert_eq!(input.company.as_deref(), Some("苏州华星"));
        assert_eq!(
            input.phone.as_deref(),
            Some("0512-6666 8888"),
            "mobile is 无"
        );
        assert_eq!(input.message.as_deref(), Some("要报价"));
        assert_eq!(
            input.extra,
            Some(serde_json::json!({ "展会": "上海工博会" }))
        );
        assert_eq!(m.column_of("phone", &row).as_deref(), Some("电话"));
        assert_eq!(m.column_of("contact_name", &row), None);
        let uses = m.uses();
        assert_eq!(uses[1], ("手机".to_owned(), Some("phone")));
        assert_eq!(uses[3], ("展会".to_owned(), None));
        assert_eq!(uses.len(), 5, "the nameless column is dropped");
        assert!(Mapping::of(&strings(&["邮箱", "城市"])).is_none());
    }
}
