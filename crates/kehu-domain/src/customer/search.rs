//! What a customer is found by in the search box: its name and its contacts' names, each also
//! in pinyin and pinyin initials, so typing `zw` or `zhangwei` finds 张伟 and `hxjm` finds
//! 华星精密.

use crate::text::normalize_for_search;
use pinyin::ToPinyin;

/// Separates terms in a search text, so a query never matches across two of them.
const SEPARATOR: char = '|';

/// Surnames whose everyday reading is not the character's default one (单 is Shàn as a
/// surname, Dān otherwise). Both readings are indexed: people type either.
const SURNAME_READINGS: &[(char, &str)] = &[
    ('单', "shan"),
    ('曾', "zeng"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('查', "zha"),
    ('朴', "piao"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('覃', "qin"),
    ('长', "chang"),
    ('种', "chong"),
    ('尉', "yu"),
    ('繁', "po"),
    ('员', "yun"),
    ('万', "wan"),
    ('秘', "bi"),
    ('沈', "shen"),
];

/// The stored search text of a customer: every term space-less and lowercase, joined by
/// `SEPARATOR`. Match it with [`search_pattern`].
pub fn search_text<'a>(name: &str, contacts: impl IntoIterator<Item = &'a str>) -> String {
    let mut terms: Vec<String> = Vec::new();
    push_terms(name, false, &mut terms);
    for contact in contacts {
        push_terms(contact, true, &mut terms);
    }
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| !t.is_empty() && seen.insert(t.clone()));
    terms.join(&SEPARATOR.to_string())
}

/// The query as it is compared with a search text: normalised and space-less, so `Zhang Wei`
/// finds `zhangwei`. Empty when nothing searchable is left.
pub fn search_pattern(query: &str) -> String {
    compact(&normalize_for_search(query))
        .chars()
        .filter(|c| *c != SEPARATOR)
        .collect()
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The name itself, then, if it has Chinese characters, its pinyin and its initials; a
/// person's name also with the surname's own reading.
fn push_terms(raw: &str, person: bool, out: &mut Vec<String>) {
    let name = compact(&normalize_for_search(raw)).replace(SEPARATOR, "");
    if name.is_empty() {
        return;
    }
    out.push(name.clone());
    if !name.chars().any(|c| c.to_pinyin().is_some()) {
        return;
    }
    let syllables: Vec<String> = name.chars().map(syllable).collect();
    push_pinyin(&syllables, out);
    if person {
        let first = name.chars().next().unwrap_or_default();
        if let Some((_, reading)) = SURNAME_READINGS.iter().find(|(c, _)| *c == first) {
            let mut alt = syllables;
            alt[0] = (*reading).to_owned();
            push_pinyin(&alt, out);
        }
    }
}

fn push_pinyin(syllables: &[String], out: &mut Vec<String>) {
    out.push(syllables.concat());
    out.push(syllables.iter().filter_map(|s| s.chars().next()).collect());
}

/// A character's toneless pinyin (ü as `v`, as typed on keyboards); other characters as they are.
fn syllable(c: char) -> String {
    match c.to_pinyin() {
        Some(p) => p.plain().replace('ü', "v"),
        None => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn finds(text: &str, query: &str) -> bool {
        let q = search_pattern(query);
        !q.is_empty() && text.contains(&q)
    }

    #[test]
    fn initials_and_full_pinyin_find_a_person() {
        let text = search_text("苏州华星精密有限公司", ["张伟"]);
        for q in ["zw", "zhangwei", "Zhang Wei", "ZHANGWEI", "张伟", "zhang"] {
            assert!(finds(&text, q), "{q} should find 张伟 in {text}");
        }
        assert!(!finds(&text, "lw"));
    }

    #[test]
    fn company_names_are_found_by_pinyin_too() {
        let text = search_text("苏州华星精密有限公司", []);
        assert!(finds(&text, "hxjm"));
        assert!(finds(&text, "huaxing"));
        assert!(finds(&text, "华星"));
    }

    #[test]
    fn surnames_are_found_by_their_surname_reading_and_the_default_one() {
        let text = search_text("某公司", ["单立新"]);
        assert!(finds(&text, "shanlixin"));
        assert!(finds(&text, "slx"));
    }

    #[test]
    fn a_query_never_matches_across_two_terms() {
        // 张伟's initials end in "w" and 王芳's start with "w": "zww" must not bridge them.
        let text = search_text("甲", ["张伟", "王芳"]);
        assert!(!finds(&text, "zwwf"));
        assert!(!finds(&text, "|"));
    }

    #[test]
    fn latin_names_are_found_without_their_spaces() {
        let text = search_text("ABC Trading Co.", ["Lisa Wong"]);
        assert!(finds(&text, "abc trading"));
        assert!(finds(&text, "lisawong"));
    }

    proptest! {
        #[test]
        fn any_name_is_found_by_itself(name in "\\PC{1,20}") {
            let text = search_text(&name, []);
            let q = search_pattern(&name);
            prop_assert!(q.is_empty() || text.contains(&q));
        }

        #[test]
        fn patterns_are_idempotent(q in "\\PC*") {
            let once = search_pattern(&q);
            prop_assert_eq!(search_pattern(&once), once);
        }
    }
}
