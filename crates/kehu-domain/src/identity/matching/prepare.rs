//! A raw record made comparable: every field through its normaliser. What does not parse, and
//! what people type for "unknown" (无, -, 不详, N/A…), is absent rather than a value that two
//! unrelated records could share.

use super::Record;
use super::{area_codes, latin};
use crate::customer::Phone;
use crate::identity::regions::{self, CITIES, Leading, Level, PROVINCES};
use crate::identity::{CompanyName, CreditCode, Email, division};
use crate::text::fold_width;
use std::collections::HashMap;
use std::sync::LazyLock;

/// What people type when they do not know a value (compared after trimming, width folding
/// and lowercasing).
const PLACEHOLDERS: &[&str] = &[
    "",
    "无",
    "没有",
    "空",
    "-",
    "--",
    "---",
    "—",
    "——",
    "/",
    "\\",
    "?",
    "??",
    "？",
    ".",
    "0",
    "不详",
    "暂无",
    "未知",
    "待定",
    "不知道",
    "未填",
    "未填写",
    "n/a",
    "na",
    "null",
    "none",
    "nil",
    "unknown",
    "x",
    "xx",
    "xxx",
];

/// Titles written after (or instead of) a contact's given name: `张伟经理`, `张总`.
/// Longest first, so `总经理` goes before `经理` and `总`.
const TITLES: &[&str] = &[
    "副总经理",
    "总经理",
    "董事长",
    "工程师",
    "总监",
    "经理",
    "主任",
    "主管",
    "老板",
    "老总",
    "先生",
    "女士",
    "小姐",
    "厂长",
    "老师",
    "会计",
    "助理",
    "总工",
    "总",
    "工",
    "姐",
    "哥",
];

/// Municipalities are provinces in the division list but cities to anyone comparing addresses.
const MUNICIPALITIES: &[&str] = &["北京", "上海", "天津", "重庆"];

/// A record with every field normalised; build it with [`Prepared::new`].
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub(super) company: Option<Company>,
    pub(super) contact: Option<Contact>,
    /// Mobiles as E.164 digits (`8613800138000`), from any phone-like field.
    pub(super) mobiles: Box<[u64]>,
    /// Landlines as E.164 digits, extension dropped: a switchboard is the company's.
    pub(super) landlines: Box<[u64]>,
    pub(super) email: Option<Box<str>>,
    pub(super) wechat: Option<Box<str>>,
    pub(super) credit_code: Option<Box<str>>,
    /// Prefecture-level city (municipalities included).
    pub(super) city: Option<&'static str>,
    /// Address without its leading region, lowercase, letters and digits only.
    pub(super) address: Option<Box<[char]>>,
}

/// A company name's comparable parts.
#[derive(Debug, Clone)]
pub(super) struct Company {
    /// The core (`华星精密`); for names in Latin letters, their words without legal or region
    /// words (`huaxingprecision`).
    pub core: Box<[char]>,
    /// The name is in Latin letters only, so it meets Chinese names through pinyin.
    pub latin: bool,
    /// For an English name, the core with its trade words in pinyin (`huaxingjingmi` for
    /// `Huaxing Precision`), compared instead of the core; blocking keeps the core.
    pub in_pinyin: Option<Box<[char]>>,
    /// The branch (分公司) part, if any: a branch is a customer of its own.
    pub branch: Option<Box<str>>,
}

/// A contact person's name, titles removed.
#[derive(Debug, Clone)]
pub(super) struct Contact {
    /// Chinese characters (`张伟`), or Latin words run together, surname first where known.
    pub name: Box<str>,
    /// Only a surname is known (`张总` → `张`).
    pub surname_only: bool,
    /// Written in Latin letters (`Zhang Wei`); `reversed` holds the other word order.
    pub latin: bool,
    /// For Latin names, the words in the other order (`Wei Zhang` → `zhangwei`).
    pub reversed: Option<Box<str>>,
}

impl Company {
    /// What the name is compared as: for an English name its trade words in pinyin.
    pub fn spoken(&self) -> &[char] {
        self.in_pinyin.as_deref().unwrap_or(&self.core)
    }
}

impl Prepared {
    /// Normalises every field of `record`; never fails: what cannot be read is left out.
    pub fn new(record: &Record) -> Self {
        let mut out = Prepared::default();
        let mut places: Vec<Option<&'static str>> = Vec::new();
        places.push(present(record.city.as_deref()).and_then(city_of));
        if let Some(name) = present(record.company.as_deref()) {
            let (company, region) = company(name);
            out.company = company;
            places.push(region);
        }
        out.contact = present(record.contact.as_deref()).and_then(contact);
        let (mut mobiles, mut landlines) = (Vec::new(), Vec::new());
        for raw in [&record.mobile, &record.landline] {
            if let Some(raw) = present(raw.as_deref()) {
                phones(raw, &mut mobiles, &mut landlines);
            }
        }
        out.email = present(record.email.as_deref())
            .and_then(|e| Email::parse("email", e).ok())
            .map(|e| e.normalized().into());
        if let Some(raw) = present(record.wechat.as_deref()) {
            // Many people's WeChat id is their mobile number, which is then a mobile too.
            phones(raw, &mut mobiles, &mut Vec::new());
            out.wechat = wechat(raw);
        }
        let credit_code = present(record.credit_code.as_deref())
            .and_then(|c| CreditCode::parse("credit_code", c).ok());
        out.credit_code = credit_code.as_ref().map(|c| c.as_str().into());
        if let Some(raw) = present(record.address.as_deref()) {
            let (address, region) = address(raw);
            out.address = address;
            places.push(region);
        }
        // The city column is the most deliberate statement of place, then the name, then
        // the address, then the landline's area code, then where the credit code was issued
        // (a firm may have moved since).
        places.extend(landlines.iter().map(|l| area_codes::city_of_landline(*l)));
        places.push(credit_code.as_ref().and_then(city_of_credit_code));
        out.city = places.into_iter().flatten().next();
        dedup(&mut mobiles);
        dedup(&mut landlines);
        out.mobiles = mobiles.into();
        out.landlines = landlines.into();
        out
    }

    /// True when no field survived normalisation: such a record matches nothing.
    pub fn is_empty(&self) -> bool {
        self.company.is_none()
            && self.contact.is_none()
            && self.mobiles.is_empty()
            && self.landlines.is_empty()
            && self.email.is_none()
            && self.wechat.is_none()
            && self.credit_code.is_none()
    }
}

/// `raw` trimmed, unless it is a placeholder for "unknown" (无, -, 不详, N/A…); the lead
/// import treats such cells as empty too.
pub fn present(raw: Option<&str>) -> Option<&str> {
    let raw = raw?.trim();
    // Longer than any placeholder (even in full width): a value, no need to fold it.
    if raw.len() > 16 {
        return Some(raw);
    }
    let folded = fold_width(raw).to_lowercase();
    let folded = folded.trim();
    (!PLACEHOLDERS.contains(&folded)).then_some(raw)
}

fn dedup(v: &mut Vec<u64>) {
    v.sort_unstable();
    v.dedup();
}

/// Lowercase, width-folded, letters and digits only.
fn compact(s: &str) -> String {
    fold_width(s)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Every phone number in `raw` (several may be given: `138…/0512-…`), sorted into mobiles
/// and landlines by what they are, not by the column they came in.
fn phones(raw: &str, mobiles: &mut Vec<u64>, landlines: &mut Vec<u64>) {
    for part in raw.split(['/', '、', ',', ';', '，', '；', '|']).take(4) {
        let Ok(phone) = Phone::parse("phone", part) else {
            continue;
        };
        let Ok(digits) = phone.e164().trim_start_matches('+').parse::<u64>() else {
            continue;
        };
        if phone.is_mobile() {
            mobiles.push(digits);
        } else {
            landlines.push(digits);
        }
    }
}

fn wechat(raw: &str) -> Option<Box<str>> {
    let id: String = fold_width(raw)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let valid = id.chars().count() >= 3
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then(|| id.into())
}

/// A region name as this module keeps it: a city (municipalities included), else nothing —
/// a province alone is too coarse to tell companies apart.
fn city_level(r: Leading) -> Option<&'static str> {
    (r.level == Level::City || MUNICIPALITIES.contains(&r.name)).then_some(r.name)
}

/// Every bare region name → its city, if it is one (a province maps to nothing). Looking a
/// name up here is much cheaper than parsing it again, and names repeat in every record.
static CITY_OF_NAME: LazyLock<HashMap<&'static str, Option<&'static str>>> = LazyLock::new(|| {
    PROVINCES
        .iter()
        .chain(CITIES)
        .map(|n| (*n, regions::whole(n).and_then(city_level)))
        .collect()
});

/// The city a bare region name (`苏州`, `上海`) is, if it is a city.
fn city_named(name: &str) -> Option<&'static str> {
    CITY_OF_NAME.get(name).copied().flatten()
}

/// The city a city field names: `苏州`, `苏州市`, `江苏省苏州市`, `苏州工业园区`, `Suzhou`.
fn city_of(raw: &str) -> Option<&'static str> {
    let s = compact(raw);
    if s.is_ascii() {
        let s = s.strip_suffix("city").unwrap_or(&s);
        let s = s.strip_suffix("shi").unwrap_or(s);
        return latin::region_of_pinyin(s).and_then(city_named);
    }
    if let Some(&city) = CITY_OF_NAME.get(s.strip_suffix('市').unwrap_or(&s)) {
        return city;
    }
    if let Some(r) = regions::whole(&s) {
        return city_level(r);
    }
    let (found, _) = regions::leading_all(&s);
    regions::most_specific(&found).and_then(city_level)
}

/// The prefecture-level city whose division digits a credit code carries.
fn city_of_credit_code(code: &CreditCode) -> Option<&'static str> {
    let city = division::lookup(code.division_code())?.city?;
    city_named(division::short_name(city))
}

/// The company and the city its name states.
fn company(raw: &str) -> (Option<Company>, Option<&'static str>) {
    let Ok(name) = CompanyName::parse(raw) else {
        return (None, None);
    };
    let branch = name.branch().filter(|b| !b.is_empty()).map(Into::into);
    let latin = name.core().chars().all(|c| c.is_ascii_alphanumeric());
    if latin && let Some((core, region)) = latin::company_core(name.display()) {
        let company = Company {
            core: core.chars().collect(),
            latin: true,
            in_pinyin: latin::company_core_in_pinyin(name.display()).map(|s| s.chars().collect()),
            branch,
        };
        let city = region.and_then(city_named);
        return (Some(company), city);
    }
    let city = name.region().and_then(city_named);
    let company = Company {
        core: name.core().chars().collect(),
        latin,
        in_pinyin: None,
        branch,
    };
    (Some(company), city)
}

fn contact(raw: &str) -> Option<Contact> {
    let s = compact(raw);
    if s.is_empty() {
        return None;
    }
    if s.is_ascii() {
        let words = latin::words(&fold_width(raw));
        let name: String = words.concat();
        if !name.chars().any(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let reversed = (words.len() > 1).then(|| {
            let mut w = words.clone();
            w.rotate_right(1);
            w.concat().into()
        });
        return Some(Contact {
            name: name.into(),
            surname_only: false,
            latin: true,
            reversed,
        });
    }
    let mut name = s.as_str();
    while let Some(rest) = TITLES
        .iter()
        .find_map(|t| name.strip_suffix(t).filter(|r| !r.is_empty()))
    {
        name = rest;
    }
    // 老张 and 小王 are a surname with a form of address.
    let mut chars = name.chars();
    if let (Some(first @ ('老' | '小')), Some(_), None) = (chars.next(), chars.next(), chars.next())
    {
        name = &name[first.len_utf8()..];
    }
    Some(Contact {
        surname_only: name.chars().count() == 1,
        name: name.into(),
        latin: false,
        reversed: None,
    })
}

/// The address without its leading region (its wording varies most), and the city it names.
fn address(raw: &str) -> (Option<Box<[char]>>, Option<&'static str>) {
    let s = compact(raw);
    let (found, len) = regions::leading_all(&s);
    let city = regions::most_specific(&found).and_then(city_level);
    let rest: Box<[char]> = s[len..].chars().collect();
    // A few characters of street say nothing: `1号` is in every city.
    ((rest.len() >= 4).then_some(rest), city)
}

#[cfg(test)]
#[path = "prepare_tests.rs"]
mod tests;
