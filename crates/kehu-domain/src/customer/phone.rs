//! Chinese phone numbers to E.164: mobiles, landlines with area code, extensions kept apart.

use crate::error::FieldError;
use crate::text::fold_width;
use serde::{Deserialize, Serialize};

/// A phone number in E.164 (`+8613800138000`), with its extension apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    e164: String,
    extension: Option<String>,
}

impl Phone {
    /// Parses what people type: `+86 138-0013-8000`, `0086 13800138000`, `(021) 6888 6666 转 123`,
    /// full-width digits. `field` names the input for the error.
    pub fn parse(
        field: impl Into<std::borrow::Cow<'static, str>>,
        raw: &str,
    ) -> Result<Phone, FieldError> {
        let field = field.into();
        let invalid = || FieldError::new(field.clone(), "phone_invalid");
        let folded = fold_width(raw).to_lowercase();
        let (main, extension) = split_extension(&folded);
        if main
            .chars()
            .any(|c| !(c.is_ascii_digit() || " -()+.".contains(c)))
        {
            return Err(invalid());
        }
        let plus = main.trim_start().starts_with('+');
        let digits: String = main.chars().filter(char::is_ascii_digit).collect();
        let (national, had_country_code) = strip_country_code(&digits, plus).ok_or_else(invalid)?;
        if is_mobile(national) {
            return Ok(Phone {
                e164: format!("+86{national}"),
                extension,
            });
        }
        // Without a country code a landline must carry its trunk 0 ("021…"), so a stray
        // 10-digit string is refused rather than guessed at.
        let subscriber = match national.strip_prefix('0') {
            Some(rest) => rest,
            None if had_country_code => national,
            None => return Err(invalid()),
        };
        if is_landline(subscriber) {
            Ok(Phone {
                e164: format!("+86{subscriber}"),
                extension,
            })
        } else {
            Err(invalid())
        }
    }

    /// Rebuilds a phone from its stored parts (already normalised).
    pub fn from_stored(e164: String, extension: Option<String>) -> Phone {
        Phone { e164, extension }
    }

    /// The E.164 form, the identity of the number.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// True for mobile numbers (+86 1xx…), which belong to one person.
    pub fn is_mobile(&self) -> bool {
        self.e164.strip_prefix("+86").is_some_and(is_mobile)
    }

    /// The extension, if one was given.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// The national form people read: `13800138000`, `021-68886666`, `0512-65500490`.
    pub fn national(&self) -> String {
        let n = national_of(&self.e164);
        if !n.starts_with('0') {
            return n;
        }
        // Beijing (010) and the 02x cities have two-digit area codes, the rest three.
        let area = if n.starts_with("01") || n.starts_with("02") {
            3
        } else {
            4
        };
        format!("{}-{}", &n[..area.min(n.len())], &n[area.min(n.len())..])
    }

    /// The masked form shown to those who may not see the number: `138****8000`.
    pub fn masked(&self) -> String {
        mask_phone(&self.e164)
    }
}

/// Masks an E.164 number, keeping what says "which line" but not the line itself:
/// a mobile's first three and last four digits (`138****8000`), a landline's area code and
/// last four (`0512-****0490`).
pub fn mask_phone(e164: &str) -> String {
    let national: Vec<char> = national_of(e164).chars().collect();
    if national.len() < 8 {
        return "****".to_owned();
    }
    let tail: String = national[national.len() - 4..].iter().collect();
    if national[0] == '0' {
        let area = if national[1] == '1' || national[1] == '2' {
            3
        } else {
            4
        };
        let head: String = national[..area].iter().collect();
        return format!("{head}-****{tail}");
    }
    let head: String = national[..3].iter().collect();
    format!("{head}****{tail}")
}

fn national_of(e164: &str) -> String {
    match e164.strip_prefix("+86") {
        // Beijing landlines (+86 10 …) start with 1 too; only a whole mobile is bare.
        Some(rest) if is_mobile(rest) => rest.to_owned(),
        Some(rest) => format!("0{rest}"),
        None => e164.to_owned(),
    }
}

fn split_extension(s: &str) -> (&str, Option<String>) {
    for marker in ["转", "ext.", "ext", "x", "#"] {
        if let Some((main, ext)) = s.split_once(marker) {
            let ext: String = ext.chars().filter(char::is_ascii_digit).collect();
            return (main, (!ext.is_empty()).then_some(ext));
        }
    }
    (s, None)
}

fn strip_country_code(digits: &str, plus: bool) -> Option<(&str, bool)> {
    if let Some(rest) = digits.strip_prefix("0086") {
        return Some((rest, true));
    }
    if let Some(rest) = digits.strip_prefix("86") {
        // "86" is a country code only when what follows is a whole national number.
        if plus || is_mobile(rest) || (rest.len() >= 9 && is_landline(rest)) {
            return Some((rest, true));
        }
    }
    if plus {
        return None; // another country: not supported yet, better refused than mangled
    }
    Some((digits, false))
}

fn is_mobile(n: &str) -> bool {
    n.len() == 11 && n.starts_with('1') && matches!(n.as_bytes()[1], b'3'..=b'9')
}

/// Area code (10, 2x, or three digits from 3–9) plus a 7- or 8-digit subscriber, no trunk 0.
fn is_landline(n: &str) -> bool {
    let area_ok = n.starts_with("10") || matches!(n.as_bytes().first(), Some(b'2'..=b'9'));
    area_ok && (9..=11).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(s: &str) -> String {
        Phone::parse("phone", s)
            .map(|p| p.e164().to_owned())
            .unwrap_or_default()
    }

    #[test]
    fn mobile_in_every_spelling_is_one_number() {
        for s in [
            "13800138000",
            "+86 138-0013-8000",
            "0086 13800138000",
            "8613800138000",
            "１３８００１３８０００",
        ] {
            assert_eq!(e164(s), "+8613800138000", "{s}");
        }
    }

    #[test]
    fn landline_keeps_area_code_and_extension_apart() {
        let p = Phone::parse("phone", "(021) 6888-6666 转 123").expect("valid");
        assert_eq!(p.e164(), "+862168886666");
        assert_eq!(p.extension(), Some("123"));
        assert_eq!(p.national(), "021-68886666");
        let suzhou = Phone::parse("phone", "0512-65500490").expect("valid");
        assert_eq!(
            (suzhou.e164(), suzhou.national().as_str()),
            ("+8651265500490", "0512-65500490")
        );
        assert_eq!(e164("010-88886666"), "+861088886666");
        let beijing = Phone::parse("phone", "010-88886666").expect("valid");
        assert_eq!(
            (beijing.national().as_str(), beijing.is_mobile()),
            ("010-88886666", false)
        );
        assert_eq!(beijing.masked(), "010-****6666");
    }

    #[test]
    fn garbage_names_the_field() {
        let err = Phone::parse("contact_phone", "call me").unwrap_err();
        assert_eq!(err, FieldError::new("contact_phone", "phone_invalid"));
        assert!(Phone::parse("phone", "12345").is_err());
        assert!(Phone::parse("phone", "+1 415 555 0100").is_err());
    }

    #[test]
    fn masks_all_but_head_and_tail() {
        assert_eq!(mask_phone("+8613800138000"), "138****8000");
        assert_eq!(mask_phone("+862168886666"), "021-****6666");
        assert_eq!(mask_phone("+8651265500490"), "0512-****0490");
    }

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC{0,30}") {
            if let Ok(p) = Phone::parse("phone", &s) {
                let again = Phone::parse("phone", p.e164()).expect("E.164 parses again");
                prop_assert_eq!(again.e164(), p.e164());
            }
        }
    }
}
