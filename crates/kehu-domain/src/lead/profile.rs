//! What routing reads of a lead besides its place: the industry it names, its tags (product
//! lines, campaigns …) and the grade the sender states. Each is optional and bounded; tags are
//! width-folded, whitespace-squashed and kept once whatever their case.

use crate::customer::{Grade, optional_text};
use crate::error::{FieldError, FieldErrors};
use crate::text::{fold_width, normalize_for_search, squash_spaces};

/// Longest industry name, in characters (as a customer's).
pub const INDUSTRY_MAX: usize = 50;
/// Most tags on one lead (as on a follow-up).
pub const TAGS_MAX: usize = 10;
/// Longest tag, in characters.
pub const TAG_MAX: usize = 20;

/// The industry, whitespace squashed; blank is none.
pub fn parse_industry(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    optional_text("industry", raw, INDUSTRY_MAX)
}

/// The stated grade (A/B/C); blank is none.
pub fn parse_grade(raw: Option<&str>) -> Result<Option<Grade>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Grade::parse(s).map(Some),
    }
}

/// The tags in the order given, blank ones dropped, each kept once (`VIP` and `ｖｉｐ` are one
/// tag, spelled as first given). A tag too long is named by its index (`tags[2]`); too many
/// distinct tags is an error on `tags`.
pub fn parse_tags(raw: Option<&[String]>) -> Result<Vec<String>, FieldErrors> {
    let mut errs = FieldErrors::default();
    let mut out: Vec<String> = Vec::new();
    for (i, tag) in raw.unwrap_or_default().iter().enumerate() {
        let tag = squash_spaces(&fold_width(tag));
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > TAG_MAX {
            errs.0
                .push(FieldError::new(format!("tags[{i}]"), "tag_too_long"));
        } else if !out.iter().any(|t| same_label(t, &tag)) {
            out.push(tag);
        }
    }
    if out.len() > TAGS_MAX {
        errs.0.push(FieldError::new("tags", "too_many_tags"));
    }
    errs.into_result().map(|()| out)
}

/// Whether two industries or tags are the same label: compared width- and case-folded.
pub fn same_label(a: &str, b: &str) -> bool {
    normalize_for_search(a) == normalize_for_search(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(raw: &[&str]) -> Result<Vec<String>, FieldErrors> {
        let raw: Vec<String> = raw.iter().map(|s| (*s).to_owned()).collect();
        parse_tags(Some(&raw))
    }

    #[test]
    fn tags_are_folded_deduplicated_and_bounded() {
        assert_eq!(
            tags(&[" ERP ", "ｅｒｐ", "", "数控  机床", "erp"]).unwrap(),
            ["ERP", "数控 机床"]
        );
        assert_eq!(parse_tags(None).unwrap(), Vec::<String>::new());
        let long = "标".repeat(TAG_MAX + 1);
        let e = tags(&["ok", &long]).unwrap_err();
        assert_eq!(e.0, [FieldError::new("tags[1]", "tag_too_long")]);
        let many: Vec<String> = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let e = tags(&many).unwrap_err();
        assert_eq!(e.0, [FieldError::new("tags", "too_many_tags")]);
        // Repeats do not count towards the limit.
        assert_eq!(tags(&["a"; 30]).unwrap(), ["a"]);
    }

    #[test]
    fn industry_and_grade_are_optional_and_checked() {
        assert_eq!(parse_industry(Some("  ")), Ok(None));
        assert_eq!(
            parse_industry(Some(" 机械  设备 ")),
            Ok(Some("机械 设备".into()))
        );
        let long = "业".repeat(INDUSTRY_MAX + 1);
        assert_eq!(
            parse_industry(Some(&long)),
            Err(FieldError::new("industry", "too_long"))
        );
        assert_eq!(parse_grade(Some(" B ")), Ok(Some(Grade::B)));
        assert_eq!(parse_grade(None), Ok(None));
        assert_eq!(
            parse_grade(Some("D")),
            Err(FieldError::new("grade", "unknown_value"))
        );
    }

    #[test]
    fn labels_compare_width_and_case_folded() {
        assert!(same_label("ＩＴ 服务", "it 服务"));
        assert!(!same_label("机械", "机械设备"));
    }
}
