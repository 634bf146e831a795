//! UI text from the embedded locale files (`locales/zh-CN.toml`, `locales/en.toml`).

use std::collections::HashMap;
use std::sync::LazyLock;

/// A UI language. Simplified Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// 简体中文 (default).
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 tag, for `<html lang>` and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Parses a tag loosely: anything starting with `en` is English, else Chinese.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::ZhCn
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Locale {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }
}

type Texts = HashMap<String, String>;

fn flatten(prefix: &str, table: &toml::Table, out: &mut Texts) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

fn load(src: &str) -> Texts {
    let table: toml::Table = src.parse().unwrap_or_default();
    let mut out = Texts::new();
    flatten("", &table, &mut out);
    out
}

static ZH_CN: LazyLock<Texts> = LazyLock::new(|| load(include_str!("../locales/zh-CN.toml")));
static EN: LazyLock<Texts> = LazyLock::new(|| load(include_str!("../locales/en.toml")));

/// Translator for one locale; templates call `t.t("nav.mine")`.
#[derive(Debug, Clone, Copy, Default)]
pub struct T(pub Locale);

impl T {
    fn texts(self) -> &'static Texts {
        match self.0 {
            Locale::ZhCn => &ZH_CN,
            Locale::En => &EN,
        }
    }

    /// The text for `key`; the key itself when missing (a test keeps both files complete).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.texts().get(key).map_or(key, String::as_str)
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self
            .texts()
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned());
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// The locale.
    pub fn locale(&self) -> Locale {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_locales_have_the_same_keys_and_parse() {
        assert!(toml::from_str::<toml::Table>(include_str!("../locales/zh-CN.toml")).is_ok());
        assert!(toml::from_str::<toml::Table>(include_str!("../locales/en.toml")).is_ok());
        let zh: BTreeSet<_> = ZH_CN.keys().collect();
        let en: BTreeSet<_> = EN.keys().collect();
        assert!(zh.len() > 50, "locale files are loaded");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh only: {only_zh:?}, en only: {only_en:?}"
        );
    }

    #[test]
    fn placeholders_are_filled_and_chinese_is_default() {
        assert_eq!(Locale::default(), Locale::ZhCn);
        let s = T(Locale::En).fmt(
            "ownership.already_owned",
            &[("owner", "张三"), ("since", "2026-11-01")],
        );
        assert!(
            s.contains("张三") && s.contains("2026-11-01") && !s.contains('{'),
            "{s}"
        );
        assert_eq!(T(Locale::ZhCn).t("nav.pool"), "公海");
    }
}
