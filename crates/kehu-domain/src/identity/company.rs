//! Company names split into what identifies the company (the core) and what varies between
//! spellings of it: legal form, leading region, branch, width, brackets and punctuation.

use super::regions::{self, Leading};
use crate::error::FieldError;
use crate::text::{fold_width, squash_spaces};

/// A company name and its comparison key.
///
/// The core keeps industry words: `苏州华星精密` has core `华星精密` while
/// `苏州华星精密机械有限公司` has core `华星精密机械`. Deciding that those two are probably one
/// company is the fuzzy matcher's job; the core only removes what is certainly not identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName {
    display: String,
    core: String,
    legal_suffix: Option<String>,
    branch: Option<String>,
    region: Option<String>,
}

/// Chinese legal forms, with the spelling kept in `legal_suffix`. Stripped from the end
/// repeatedly (`集团股份有限公司` = 集团 + 股份有限公司), longest first (this order matters).
const CN_SUFFIXES: &[(&str, &str)] = &[
    ("特殊普通合伙", "（特殊普通合伙）"),
    ("有限责任公司", "有限责任公司"),
    ("股份有限公司", "股份有限公司"),
    ("集团有限公司", "集团有限公司"),
    ("有限合伙", "（有限合伙）"),
    ("普通合伙", "（普通合伙）"),
    ("合伙企业", "合伙企业"),
    ("股份公司", "股份公司"),
    ("有限公司", "有限公司"),
    ("工作室", "工作室"),
    // Branches are split off before this; here it keeps a lone 分公司 from becoming 分.
    ("分公司", "分公司"),
    ("公司", "公司"),
    ("集团", "集团"),
    ("商行", "商行"),
    ("厂", "厂"),
];

/// English legal-form words (lowercase) and their canonical spelling, longest first; `Co.` +
/// `Ltd.` is rendered `Co., Ltd.`. Only whole words count: `Huaxingco` keeps its `co`.
const EN_SUFFIXES: &[(&str, &str)] = &[
    ("incorporated", "Inc."),
    ("corporation", "Corp."),
    ("company", "Co."),
    ("limited", "Ltd."),
    ("group", "Group"),
    ("corp", "Corp."),
    ("ltd", "Ltd."),
    ("llc", "LLC"),
    ("inc", "Inc."),
    ("co", "Co."),
];

/// Forms a branch name's parent ends with: `…有限公司上海分公司` → parent `…有限公司`, branch 上海.
const PARENT_ENDINGS: &[&str] = &["公司", "集团", "厂"];

const BRANCH: &str = "分公司";

impl CompanyName {
    /// Longest accepted name, in characters (as for any customer name).
    pub const MAX: usize = 100;

    /// Parses the `name` field. Refuses an empty name (`required`), one over `MAX` characters
    /// (`too_long`) and one without a single letter or digit (`company_name_invalid`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let display = squash_spaces(raw);
        if display.is_empty() {
            return Err(FieldError::new("name", "required"));
        }
        if display.chars().count() > Self::MAX {
            return Err(FieldError::new("name", "too_long"));
        }
        let (text, bracketed) =
            take_bracketed_regions(&normalize_brackets(&fold_width(&display).to_lowercase()));
        let mut key = Compact::new(&text);
        if key.text.is_empty() {
            return Err(FieldError::new("name", "company_name_invalid"));
        }
        let branch = key.split_branch();
        let legal_suffix = key.strip_legal_suffixes();
        let (leading, len) = regions::leading_all(&key.text);
        key.text.replace_range(..len, "");
        let all: Vec<Leading> = leading.into_iter().chain(bracketed).collect();
        Ok(Self {
            display,
            core: key.text,
            legal_suffix,
            branch,
            region: regions::most_specific(&all).map(|r| r.name.to_owned()),
        })
    }

    /// As entered, whitespace squashed.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The comparison key: lowercase, no punctuation, spaces, legal form, leading region or
    /// bracketed region (`华星精密`). Parsing a core gives the same core back.
    pub fn core(&self) -> &str {
        &self.core
    }

    /// The legal form split off, in one spelling per form (`有限公司`, `集团股份有限公司`,
    /// `Co., Ltd.`), so spellings of one form compare equal.
    pub fn legal_suffix(&self) -> Option<&str> {
        self.legal_suffix.as_deref()
    }

    /// For a branch (分公司), what names it (`上海`): a branch is a customer of its own. Empty
    /// when the name says 分公司 but the parent's name and the branch's cannot be told apart.
    pub fn branch(&self) -> Option<&str> {
        self.branch.as_deref()
    }

    /// The province or prefecture-level city the name starts with or has in brackets
    /// (`苏州` for `江苏省苏州市华星` and for `华星（苏州）有限公司`), the city when both are given.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

/// Every kind of bracket to ASCII parentheses: `【苏州】`, `[苏州]`, `（苏州）` all read `(苏州)`.
fn normalize_brackets(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '[' | '【' | '〔' | '〖' | '{' | '「' => '(',
            ']' | '】' | '〕' | '〗' | '}' | '」' => ')',
            _ => c,
        })
        .collect()
}

/// Removes bracketed groups that are only a region (`(苏州)`, `(江苏省苏州市)`) or `(中国)`,
/// returning the rest and the regions. Other groups stay (their brackets are punctuation).
/// Nothing is removed when it would leave no name at all.
fn take_bracketed_regions(s: &str) -> (String, Vec<Leading>) {
    let mut out = String::with_capacity(s.len());
    let mut found = Vec::new();
    let mut open: Option<usize> = None;
    for c in s.chars() {
        match c {
            '(' => open = Some(out.len()),
            ')' => {
                if let Some(start) = open.take() {
                    let inner = Compact::new(&out[start + 1..]).text;
                    let region = regions::whole(&inner);
                    if region.is_some() || inner == "中国" {
                        found.extend(region);
                        out.truncate(start);
                        out.push(' ');
                        continue;
                    }
                }
            }
            _ => {}
        }
        out.push(c);
    }
    if Compact::new(&out).text.is_empty() {
        (s.to_owned(), Vec::new())
    } else {
        (out, found)
    }
}

/// Letters and digits only, remembering where words started (after punctuation or space, or
/// where Latin meets Chinese), so English legal words are recognised as whole words.
struct Compact {
    text: String,
    starts: Vec<usize>,
}

impl Compact {
    fn new(s: &str) -> Self {
        let mut text = String::with_capacity(s.len());
        let mut starts = Vec::new();
        let mut gap = false;
        for c in s.chars() {
            if !c.is_alphanumeric() {
                gap = true;
                continue;
            }
            let script_change = text
                .chars()
                .next_back()
                .is_some_and(|p| p.is_ascii() != c.is_ascii());
            if gap || script_change {
                starts.push(text.len());
            }
            gap = false;
            text.push(c);
        }
        Self { text, starts }
    }

    fn starts_word(&self, at: usize) -> bool {
        at == 0 || self.starts.binary_search(&at).is_ok()
    }

    fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        self.starts.retain(|&s| s < len);
    }

    /// Splits `…分公司` into parent and branch; see [`CompanyName::branch`].
    fn split_branch(&mut self) -> Option<String> {
        let rest_len = self
            .text
            .strip_suffix(BRANCH)
            .filter(|r| !r.is_empty())?
            .len();
        let rest = &self.text[..rest_len];
        let parent_end = PARENT_ENDINGS
            .iter()
            .filter_map(|e| rest.rfind(e).map(|i| i + e.len()))
            .max();
        let (parent_len, branch) = match (parent_end, regions::trailing(rest)) {
            (Some(end), _) => (end, &rest[end..]),
            (None, Some((_, start))) => (start, &rest[start..]),
            (None, None) => (rest_len, ""),
        };
        let branch =
            regions::whole(branch).map_or_else(|| branch.to_owned(), |r| r.name.to_owned());
        self.truncate(parent_len);
        Some(branch)
    }

    /// Strips legal forms from the end while something remains, returning them in reading order.
    fn strip_legal_suffixes(&mut self) -> Option<String> {
        let mut pieces: Vec<(&str, bool)> = Vec::new();
        loop {
            let len = self.text.len();
            // The longest form at the end, and only if something is left before it: alone,
            // `有限公司` stays whole rather than becoming `有限`.
            let en = EN_SUFFIXES
                .iter()
                .find(|(w, _)| self.text.ends_with(w) && self.starts_word(len - w.len()));
            let cn = CN_SUFFIXES.iter().find(|(w, _)| self.text.ends_with(w));
            let (cut, piece) = match (en, cn) {
                (Some((w, canon)), _) => (w.len(), (*canon, true)),
                (None, Some((w, canon))) => (w.len(), (*canon, false)),
                (None, None) => break,
            };
            if cut == len {
                break;
            }
            pieces.push(piece);
            self.truncate(len - cut);
        }
        if pieces.is_empty() {
            return None;
        }
        let mut out = String::new();
        let mut prev_en = false;
        for (piece, en) in pieces.into_iter().rev() {
            if !out.is_empty() && (en || prev_en) {
                out.push(' ');
            }
            out.push_str(piece);
            prev_en = en;
        }
        Some(out.replace("Co. Ltd.", "Co., Ltd."))
    }
}

#[cfg(test)]
#[path = "company_tests.rs"]
mod tests;
