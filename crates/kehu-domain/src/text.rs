//! Text folding shared by every normaliser: width, case, whitespace.

/// Folds full-width ASCII (ＡＢＣ１２３) and the ideographic space to their half-width forms.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Trims and collapses runs of whitespace to one space.
pub fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The comparison form of a name: width-folded, lowercased, whitespace squashed.
/// Stored in `*_normalized` columns so lookups behave the same on both databases.
pub fn normalize_for_search(s: &str) -> String {
    squash_spaces(&fold_width(s)).to_lowercase()
}

/// Escapes `%`, `_` and `\` so user input is matched literally in `LIKE … ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_full_width_letters_digits_and_space() {
        assert_eq!(fold_width("ＡＢＣ　１２３"), "ABC 123");
        assert_eq!(
            normalize_for_search("  苏州 ＨＵＡＸＩＮＧ  精密 "),
            "苏州 huaxing 精密"
        );
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    proptest! {
        #[test]
        fn normalizing_is_idempotent(s in "\\PC*") {
            let once = normalize_for_search(&s);
            prop_assert_eq!(normalize_for_search(&once), once);
        }
    }
}
