//! Parsed customer fields: each `parse` names its field in the error.

use crate::error::FieldError;
use crate::text::{normalize_for_search, squash_spaces};
use serde::{Deserialize, Serialize};

/// A customer's name, trimmed, 1–100 characters, with its comparison form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerName {
    display: String,
    normalized: String,
}

impl CustomerName {
    /// Longest accepted name, in characters.
    pub const MAX: usize = 100;

    /// Parses the `name` field.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let display = squash_spaces(raw);
        if display.is_empty() {
            return Err(FieldError::new("name", "required"));
        }
        if display.chars().count() > Self::MAX {
            return Err(FieldError::new("name", "too_long"));
        }
        let normalized = normalize_for_search(&display);
        Ok(Self {
            display,
            normalized,
        })
    }

    /// As entered (whitespace squashed).
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// Width- and case-folded, for search and duplicate lookups.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// Optional free text: trimmed, empty means absent, at most `max` characters.
pub fn optional_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let Some(s) = raw.map(squash_spaces).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().count() > max {
        return Err(FieldError::new(field, "too_long"));
    }
    Ok(Some(s))
}

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored and sent over the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code, naming the field on error.
            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                match raw.trim() {
                    $($code => Ok($name::$variant),)+
                    "" => Err(FieldError::new($field, "required")),
                    _ => Err(FieldError::new($field, "unknown_value")),
                }
            }
        }
    };
}

code_enum!(
    /// Where a customer came from (来源).
    Source, "source" {
        /// 官网表单
        Web = "web",
        /// 电话
        PhoneCall = "phone_call",
        /// 展会
        TradeShow = "trade_show",
        /// 转介绍
        Referral = "referral",
        /// 抖音
        Douyin = "douyin",
        /// 广告
        Ads = "ads",
        /// 其他
        Other = "other",
    }
);

code_enum!(
    /// How interested the customer is (意向).
    IntentLevel, "intent" {
        /// 高
        High = "high",
        /// 中
        Medium = "medium",
        /// 低
        Low = "low",
    }
);

code_enum!(
    /// Customer grade (客户等级).
    Grade, "grade" {
        /// A
        A = "A",
        /// B
        B = "B",
        /// C
        C = "C",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_required_and_bounded() {
        assert_eq!(
            CustomerName::parse("  ").unwrap_err(),
            FieldError::new("name", "required")
        );
        let long = "字".repeat(101);
        assert_eq!(CustomerName::parse(&long).unwrap_err().code, "too_long");
        let n = CustomerName::parse(" 苏州ＸＸ精密  有限公司 ").expect("valid");
        assert_eq!(n.as_str(), "苏州ＸＸ精密 有限公司");
        assert_eq!(n.normalized(), "苏州xx精密 有限公司");
    }

    #[test]
    fn codes_round_trip_and_unknown_is_named() {
        for s in Source::ALL {
            assert_eq!(Source::parse(s.code()), Ok(*s));
        }
        assert_eq!(
            Source::parse("fax"),
            Err(FieldError::new("source", "unknown_value"))
        );
        assert_eq!(
            IntentLevel::parse(""),
            Err(FieldError::new("intent", "required"))
        );
    }
}
