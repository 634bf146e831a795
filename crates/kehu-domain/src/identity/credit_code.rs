//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last
//! one a check character, so most typos are caught before they reach the database.

use crate::error::FieldError;
use crate::text::fold_width;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// The 31 characters a code may use: digits and capitals without I, O, Z, S, V, which are too
/// easily read as 1, 0, 2, 5 and U. A character's value is its index here.
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17 (3^(i−1) mod 31, as the standard tabulates them).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Number of characters in a code.
const LEN: usize = 18;

/// A valid unified social credit code, uppercase ASCII.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

/// Why a credit code was refused, precise enough for the form to point at the character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code")]
pub enum CreditCodeError {
    /// Not 18 characters long (after trimming).
    #[serde(rename = "credit_code_length")]
    #[error("{field}: a credit code has 18 characters, this one has {len}")]
    Length {
        /// The input field.
        field: Cow<'static, str>,
        /// How many characters were given.
        len: usize,
    },
    /// A character outside the 31 allowed.
    #[serde(rename = "credit_code_char")]
    #[error("{field}: {found:?} at position {position} is not allowed in a credit code{}", hint(*.suggestion))]
    Char {
        /// The input field.
        field: Cow<'static, str>,
        /// 1-based position of the first bad character.
        position: usize,
        /// The character as typed.
        found: char,
        /// What it most likely should be (`O` → `0`, `I` → `1`, `Z` → `2`, `S` → `5`), when there is a likely one.
        suggestion: Option<char>,
    },
    /// Every character is allowed, but the check character does not match: some
    /// character is mistyped (or two are swapped).
    #[serde(rename = "credit_code_check")]
    #[error("{field}: the check character is {found:?}, the other 17 require {expected:?}")]
    Check {
        /// The input field.
        field: Cow<'static, str>,
        /// The check character the first 17 characters require.
        expected: char,
        /// The check character given (position 18).
        found: char,
    },
}

fn hint(suggestion: Option<char>) -> String {
    suggestion.map_or_else(String::new, |c| format!(" (did you mean {c:?}?)"))
}

impl CreditCodeError {
    /// The stable message key: `credit_code_length`, `credit_code_char` or `credit_code_check`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "credit_code_length",
            Self::Char { .. } => "credit_code_char",
            Self::Check { .. } => "credit_code_check",
        }
    }

    /// The input field the error is about.
    pub fn field(&self) -> &str {
        match self {
            Self::Length { field, .. } | Self::Char { field, .. } | Self::Check { field, .. } => {
                field
            }
        }
    }
}

impl From<CreditCodeError> for FieldError {
    /// Keeps what the message needs to point at the character: its position, what was typed,
    /// the likely intended one, or the check character the first 17 require.
    fn from(e: CreditCodeError) -> Self {
        let code = e.code();
        match e {
            CreditCodeError::Length { field, len } => FieldError::new(field, code).with("len", len),
            CreditCodeError::Char {
                field,
                position,
                found,
                suggestion,
            } => {
                let e = match suggestion {
                    Some(c) => {
                        FieldError::new(field, "credit_code_char_suggest").with("suggestion", c)
                    }
                    None => FieldError::new(field, code),
                };
                e.with("position", position).with("found", found)
            }
            CreditCodeError::Check {
                field,
                expected,
                found,
            } => FieldError::new(field, code)
                .with("expected", expected)
                .with("found", found),
        }
    }
}

impl CreditCode {
    /// Parses what people type or paste: surrounding spaces, full-width characters and lower
    /// case are accepted. `field` names the input for the error. An empty string is a
    /// `Length { len: 0 }` error; callers with an optional code check for emptiness first.
    pub fn parse(field: impl Into<Cow<'static, str>>, raw: &str) -> Result<Self, CreditCodeError> {
        let typed: Vec<char> = raw.trim().chars().collect();
        if typed.len() != LEN {
            return Err(CreditCodeError::Length {
                field: field.into(),
                len: typed.len(),
            });
        }
        // Folding is done per character (ASCII-only uppercase), so positions in the error
        // are positions in what the user typed.
        let mut code = String::with_capacity(LEN);
        for (i, &c) in typed.iter().enumerate() {
            let folded = fold_char(c);
            if value_of(folded).is_none() {
                return Err(CreditCodeError::Char {
                    field: field.into(),
                    position: i + 1,
                    found: c,
                    suggestion: suggestion(folded),
                });
            }
            code.push(folded);
        }
        let expected = Self::check_char(&code[..LEN - 1]).unwrap_or('?');
        let found = typed[LEN - 1];
        if code.ends_with(expected) {
            Ok(Self(code))
        } else {
            Err(CreditCodeError::Check {
                field: field.into(),
                expected,
                found,
            })
        }
    }

    /// The 31 allowed characters, in value order.
    pub const CHARSET: &'static str = CHARSET;

    /// The check character for the first 17 characters of a code, or `None` when `body` is not 17
    /// allowed (uppercase) characters. Useful to generate valid codes for tests and fixtures.
    pub fn check_char(body: &str) -> Option<char> {
        if body.chars().count() != LEN - 1 {
            return None;
        }
        let mut sum = 0;
        for (c, w) in body.chars().zip(WEIGHTS) {
            sum += value_of(c)? * w;
        }
        let index = (31 - sum % 31) % 31;
        CHARSET.chars().nth(index as usize)
    }

    /// The code, 18 uppercase characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: the registering authority (`9` = market regulation, `5` = civil affairs, …).
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Positions 3–8: the administrative division of registration, e.g. `320500` (苏州).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the organisation code (组织机构代码), including its own check character.
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn fold_char(c: char) -> char {
    let mut buf = [0u8; 4];
    fold_width(c.encode_utf8(&mut buf))
        .chars()
        .next()
        .unwrap_or(c)
        .to_ascii_uppercase()
}

fn value_of(c: char) -> Option<u32> {
    CHARSET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// The allowed character a disallowed one is most often typed for.
fn suggestion(c: char) -> Option<char> {
    match c {
        'O' => Some('0'),
        'I' => Some('1'),
        'Z' => Some('2'),
        'S' => Some('5'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Public codes of well-known listed companies (from their annual reports and the national
    /// enterprise credit publicity system); each passes the check as written here.
    const REAL: &[(&str, &str, &str)] = &[
        ("914403001922038216", "华为技术有限公司", "440300"),
        (
            "91440300708461136T",
            "深圳市腾讯计算机系统有限公司",
            "440300",
        ),
        ("91330100799655058B", "阿里巴巴（中国）有限公司", "330100"),
        ("91440300192317458F", "比亚迪股份有限公司", "440300"),
        ("91110108551385082Q", "小米科技有限责任公司", "110108"),
        ("91440400192548256N", "珠海格力电器股份有限公司", "440400"),
        ("9144030027939873X7", "中兴通讯股份有限公司", "440300"),
        (
            "91350900587527783P",
            "宁德时代新能源科技股份有限公司",
            "350900",
        ),
        ("91370200264574251E", "海尔智家股份有限公司", "370200"),
        ("91100000100003962T", "中国工商银行股份有限公司", "100000"),
    ];

    fn err(raw: &str) -> CreditCodeError {
        CreditCode::parse("credit_code", raw).expect_err(raw)
    }

    #[test]
    fn real_company_codes_are_accepted_with_their_parts() {
        for &(code, name, division) in REAL {
            let c =
                CreditCode::parse("credit_code", code).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.as_str(), code, "{name}");
            assert_eq!(c.division_code(), division, "{name}");
            assert_eq!(c.registration_authority(), '9', "{name}");
        }
        let zte = CreditCode::parse("credit_code", "9144030027939873X7").expect("valid");
        assert_eq!(zte.organisation_code(), "27939873X");
    }

    #[test]
    fn pasted_spellings_are_accepted() {
        // lower case, surrounding spaces, full-width characters from a Chinese IME
        for raw in [
            " 91440300708461136t ",
            "９１４４０３００７０８４６１１３６Ｔ",
            "\u{3000}91440300708461136T\t",
        ] {
            let c = CreditCode::parse("credit_code", raw).expect(raw);
            assert_eq!(c.as_str(), "91440300708461136T");
        }
    }

    #[test]
    fn the_field_error_keeps_what_points_at_the_character() {
        let args = |raw: &str| {
            let e = FieldError::from(err(raw));
            let args: Vec<(&str, String)> = e.args.iter().map(|(k, v)| (*k, v.clone())).collect();
            (e.code, args)
        };
        let s = String::from;
        assert_eq!(
            args("914403101922038216"),
            (
                "credit_code_check",
                vec![("expected", s("M")), ("found", s("6"))]
            )
        );
        assert_eq!(
            args("9144O3001922038216"),
            (
                "credit_code_char_suggest",
                vec![
                    ("suggestion", s("0")),
                    ("position", s("5")),
                    ("found", s("O"))
                ]
            )
        );
        assert_eq!(
            args("91440300"),
            ("credit_code_length", vec![("len", s("8"))])
        );
    }

    #[test]
    fn one_changed_character_is_a_check_error() {
        // Huawei's code with position 7 changed from 0 to 1
        assert_eq!(
            err("914403101922038216"),
            CreditCodeError::Check {
                field: "credit_code".into(),
                expected: 'M',
                found: '6',
            }
        );
        // Two adjacent characters swapped
        assert_eq!(err("914403001922038261").code(), "credit_code_check");
        // Wrong check character itself
        let e = err("91440300708461136X");
        assert!(matches!(
            e,
            CreditCodeError::Check {
                expected: 'T',
                found: 'X',
                ..
            }
        ));
        assert!(e.to_string().contains("require 'T'"), "{e}");
    }

    #[test]
    fn letters_that_look_like_digits_name_the_position() {
        // Tencent's code with the 0 at position 8 typed as the letter O
        let e = err("9144030O708461136T");
        assert_eq!(
            e,
            CreditCodeError::Char {
                field: "credit_code".into(),
                position: 8,
                found: 'O',
                suggestion: Some('0'),
            }
        );
        assert!(e.to_string().contains("position 8"), "{e}");
        assert!(e.to_string().contains("did you mean '0'"), "{e}");
        // and taking the suggestion gives the real code
        assert!(CreditCode::parse("credit_code", "91440300708461136T").is_ok());
        // lower-case i reported as typed, with the digit it stands for
        assert!(matches!(
            err("9i4403001922038216"),
            CreditCodeError::Char {
                position: 2,
                found: 'i',
                suggestion: Some('1'),
                ..
            }
        ));
        // a Chinese character pasted in has no likely replacement
        assert!(matches!(
            err("91440300192203821号"),
            CreditCodeError::Char {
                position: 18,
                found: '号',
                suggestion: None,
                ..
            }
        ));
    }

    #[test]
    fn wrong_lengths_say_how_long() {
        assert_eq!(
            err("91440300192203821"),
            CreditCodeError::Length {
                field: "credit_code".into(),
                len: 17,
            }
        );
        assert!(matches!(
            err("9144030019220382161"),
            CreditCodeError::Length { len: 19, .. }
        ));
        assert!(matches!(err(""), CreditCodeError::Length { len: 0, .. }));
        // an old 15-digit business licence number (注册号) is not a credit code
        assert!(matches!(
            err("320500000012345"),
            CreditCodeError::Length { len: 15, .. }
        ));
    }

    #[test]
    fn converts_to_a_field_error_with_a_stable_code() {
        let f = |raw: &str| {
            let e: FieldError = err(raw).into();
            (e.field.into_owned(), e.code)
        };
        let field = || "credit_code".to_owned();
        // `O` is likely a mistyped `0`: the code that says so; `V` has no likely reading.
        assert_eq!(
            f("9144030O708461136T"),
            (field(), "credit_code_char_suggest")
        );
        assert_eq!(f("9144030V708461136T"), (field(), "credit_code_char"));
        assert_eq!(f("914403"), (field(), "credit_code_length"));
        assert_eq!(f("914403101922038216"), (field(), "credit_code_check"));
    }

    #[test]
    fn check_char_computes_the_18th_character() {
        assert_eq!(CreditCode::check_char("91440300708461136"), Some('T'));
        assert_eq!(CreditCode::check_char("91440300192203821"), Some('6'));
        assert_eq!(CreditCode::check_char("9144030070846113"), None);
        assert_eq!(CreditCode::check_char("9144030070846113O"), None);
    }

    fn body() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(CHARSET.chars().collect::<Vec<_>>()),
            17,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn computed_check_char_parses_and_any_single_change_is_refused(
            body in body(),
            pos in 0..LEN,
            shift in 1..31usize,
        ) {
            let code = format!("{body}{}", CreditCode::check_char(&body).expect("17 valid chars"));
            let parsed = CreditCode::parse("credit_code", &code);
            prop_assert_eq!(parsed.map(|c| c.0), Ok(code.clone()));

            // Replace position `pos` by another allowed character: always caught, because
            // every weight is invertible mod 31.
            let mut chars: Vec<char> = code.chars().collect();
            let old = value_of(chars[pos]).expect("valid") as usize;
            chars[pos] = CHARSET.chars().nth((old + shift) % 31).expect("in range");
            let changed: String = chars.into_iter().collect();
            let e = CreditCode::parse("credit_code", &changed).expect_err("single change");
            prop_assert_eq!(e.code(), "credit_code_check");
        }

        #[test]
        fn never_panics(s in "\\PC{0,25}") {
            let _ = CreditCode::parse("credit_code", &s);
        }
    }
}
