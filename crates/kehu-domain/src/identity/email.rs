//! E-mail addresses: one spelling per mailbox, so the same address typed twice is one key.

use crate::error::FieldError;
use crate::text::fold_width;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// Longest address accepted (the SMTP path limit, RFC 5321).
const MAX: usize = 254;

/// Providers that deliver `name+tag@…` to `name@…`, so the tag does not make another mailbox.
/// Others (qq.com, 163.com, company servers) may treat `+` as an ordinary character.
const PLUS_TAG_PROVIDERS: &[&str] = &["gmail.com", "googlemail.com", "outlook.com", "hotmail.com"];

/// A syntactically valid e-mail address, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses what people type: surrounding spaces, capitals, full-width letters and a
    /// Chinese full stop (`qq。com`) are accepted. `field` names the input for the error
    /// (`email_invalid`).
    pub fn parse(field: impl Into<Cow<'static, str>>, raw: &str) -> Result<Email, FieldError> {
        let address = fold_width(raw.trim()).replace('。', ".").to_lowercase();
        if is_valid(&address) {
            Ok(Email(address))
        } else {
            Err(FieldError::new(field, "email_invalid"))
        }
    }

    /// The address as stored and shown: trimmed and lowercased.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// The identity key: the address without a `+tag` where the provider ignores tags
    /// (`zhang.wei+expo@gmail.com` → `zhang.wei@gmail.com`), the address itself elsewhere.
    pub fn normalized(&self) -> Cow<'_, str> {
        let (local, domain) = (self.local_part(), self.domain());
        if !PLUS_TAG_PROVIDERS.contains(&domain) {
            return Cow::Borrowed(&self.0);
        }
        match local.split_once('+') {
            Some((base, _)) if !base.is_empty() => Cow::Owned(format!("{base}@{domain}")),
            _ => Cow::Borrowed(&self.0),
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One `@`; a non-empty local part without spaces; a domain of at least two dot-separated
/// labels of letters, digits and hyphens (any script, for IDN domains such as `公司.cn`).
/// Deliberately looser than RFC 5322: we reject typos, not rare-but-legal addresses.
fn is_valid(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    s.chars().count() <= MAX && local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn email(raw: &str) -> Email {
        Email::parse("email", raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn case_spaces_and_width_are_folded() {
        for raw in [
            "Zhang.Wei@HuaXing-Precision.com",
            "  zhang.wei@huaxing-precision.com\t",
            "ｚｈａｎｇ．ｗｅｉ＠ｈｕａｘｉｎｇ－ｐｒｅｃｉｓｉｏｎ．ｃｏｍ",
        ] {
            assert_eq!(
                email(raw).as_str(),
                "zhang.wei@huaxing-precision.com",
                "{raw}"
            );
        }
        assert_eq!(email("12345678@qq。com").as_str(), "12345678@qq.com");
        let e = email("sales@huaxing.com.cn");
        assert_eq!((e.local_part(), e.domain()), ("sales", "huaxing.com.cn"));
    }

    #[test]
    fn typos_are_refused_with_the_field_named() {
        for raw in [
            "",
            "zhangwei",
            "zhangwei@",
            "@huaxing.com",
            "zhang wei@huaxing.com",
            "zhangwei@huaxing",
            "zhangwei@@huaxing.com",
            "zhang@wei@huaxing.com",
            "zhangwei@huaxing..com",
            "zhangwei@.huaxing.com",
            "zhangwei@huaxing.com.",
            ".zhangwei@huaxing.com",
            "zhangwei@huaxing,com",
        ] {
            assert_eq!(
                Email::parse("contact_email", raw),
                Err(FieldError::new("contact_email", "email_invalid")),
                "{raw:?}"
            );
        }
        let long = format!("{}@huaxing.com", "a".repeat(250));
        assert!(Email::parse("email", &long).is_err());
    }

    #[test]
    fn plus_tags_are_dropped_only_where_the_provider_ignores_them() {
        assert_eq!(
            email("Zhang.Wei+Expo@Gmail.com").normalized(),
            "zhang.wei@gmail.com"
        );
        assert_eq!(
            email("zw+a+b@googlemail.com").normalized(),
            "zw@googlemail.com"
        );
        assert_eq!(email("zw+crm@outlook.com").normalized(), "zw@outlook.com");
        assert_eq!(email("zw+crm@hotmail.com").normalized(), "zw@hotmail.com");
        // qq.com and company servers may deliver `+` literally: keep it
        assert_eq!(email("zw+crm@qq.com").normalized(), "zw+crm@qq.com");
        assert_eq!(
            email("zw+crm@huaxing.com").normalized(),
            "zw+crm@huaxing.com"
        );
        // nothing before the tag: the address is kept whole
        assert_eq!(email("+crm@gmail.com").normalized(), "+crm@gmail.com");
    }

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(e) = Email::parse("email", &s) {
                let again = Email::parse("email", e.as_str()).expect("parses again");
                prop_assert_eq!(again.as_str(), e.as_str());
                let key = Email::parse("email", &e.normalized()).expect("key parses");
                prop_assert_eq!(key.normalized(), e.normalized());
            }
        }

        #[test]
        fn generated_addresses_parse(
            local in "[a-z0-9]{1,8}(\\.[a-z0-9]{1,8})?",
            domain in "[a-z0-9]{1,8}(-[a-z0-9]{1,8})?\\.(com|cn|com\\.cn|net)",
        ) {
            let raw = format!(" {}@{} ", local.to_uppercase(), domain);
            prop_assert_eq!(email(&raw).as_str().to_owned(), format!("{local}@{domain}"));
        }
    }
}
