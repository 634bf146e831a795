//! Administrative division codes → province / city / county, offline, from the embedded
//! national table (`data/divisions`, source named in its README).

use std::collections::HashMap;
use std::sync::LazyLock;

/// Where a division code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Division {
    /// Province-level name, e.g. 江苏省, 上海市.
    pub province: &'static str,
    /// Prefecture-level city, e.g. 苏州市; for the four municipalities the municipality itself.
    pub city: Option<&'static str>,
    /// County-level name, e.g. 昆山市, 浦东新区.
    pub county: Option<&'static str>,
}

struct Table {
    provinces: HashMap<&'static str, &'static str>,
    cities: HashMap<&'static str, &'static str>,
    counties: HashMap<&'static str, &'static str>,
}

/// `code,"name",…` rows after a header; the files are plain (no embedded commas or quotes).
fn rows(csv: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    csv.lines().skip(1).filter_map(|line| {
        let mut parts = line.split(',');
        let code = parts.next()?.trim();
        let name = parts.next()?.trim().trim_matches('"');
        Some((code, name))
    })
}

static TABLE: LazyLock<Table> = LazyLock::new(|| Table {
    provinces: rows(include_str!("../../data/divisions/provinces.csv")).collect(),
    cities: rows(include_str!("../../data/divisions/cities.csv")).collect(),
    counties: rows(include_str!("../../data/divisions/areas.csv")).collect(),
});

/// Looks up a 6-digit division code. Codes retired since the table's year still resolve
/// to their city or province when those still exist.
pub fn lookup(code: &str) -> Option<Division> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = &*TABLE;
    let province = *t.provinces.get(&code[..2])?;
    // Municipalities list their districts under a "市辖区" pseudo-city.
    let city = match t.cities.get(&code[..4]).copied() {
        Some("市辖区") | Some("县") => Some(province),
        other => other,
    };
    let county = t.counties.get(code).copied();
    Some(Division {
        province,
        city,
        county,
    })
}

/// The short form people write before a company name: 江苏省 → 江苏, 苏州市 → 苏州,
/// 内蒙古自治区 → 内蒙古.
pub fn short_name(name: &str) -> &str {
    for suffix in [
        "维吾尔自治区",
        "壮族自治区",
        "回族自治区",
        "自治区",
        "特别行政区",
        "省",
        "市",
    ] {
        if let Some(s) = name.strip_suffix(suffix).filter(|s| s.chars().count() >= 2) {
            return s;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_resolve_to_province_city_and_county() {
        let suzhou = lookup("320500").expect("苏州");
        assert_eq!((suzhou.province, suzhou.city), ("江苏省", Some("苏州市")));
        let kunshan = lookup("320583").expect("昆山");
        assert_eq!(
            (kunshan.city, kunshan.county),
            (Some("苏州市"), Some("昆山市"))
        );
        let pudong = lookup("310115").expect("浦东");
        assert_eq!(
            (pudong.province, pudong.city, pudong.county),
            ("上海市", Some("上海市"), Some("浦东新区"))
        );
        let shenzhen = lookup("440300").expect("深圳");
        assert_eq!(shenzhen.city, Some("深圳市"));
        assert!(lookup("990000").is_none());
        assert!(lookup("32050").is_none());
        assert!(lookup("3205x0").is_none());
    }

    #[test]
    fn table_is_complete() {
        assert_eq!(
            TABLE.provinces.len(),
            31,
            "31 province-level divisions on the mainland"
        );
        assert!(TABLE.cities.len() > 330 && TABLE.counties.len() > 2800);
    }

    #[test]
    fn short_names_drop_the_level_word() {
        assert_eq!(short_name("江苏省"), "江苏");
        assert_eq!(short_name("苏州市"), "苏州");
        assert_eq!(short_name("广西壮族自治区"), "广西");
        assert_eq!(short_name("内蒙古自治区"), "内蒙古");
    }
}
