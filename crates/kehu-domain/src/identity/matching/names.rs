//! Company-name evidence: Chinese with Chinese, Latin letters with Latin letters, and Latin
//! letters with Chinese through pinyin.
//!
//! A short name is worth what it could stand for. `苏州华星` next to `苏州华星精密机械` is one
//! firm when the data set knows one 华星 in 苏州, and a guess when it knows 华星精密 and 华星物流.

use super::Reason;
use super::latin;
use super::prepare::Company;
use super::similarity::{common_prefix, is_subsequence, levenshtein, similarity};

/// How many firms in the data set a short name (a brand alone, or a pinyin rendering) could
/// stand for in the city both records share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Ambiguity {
    /// Not known: no data-set statistics, or the cities differ or are missing.
    Unknown,
    /// One firm's name begins this way, as far as the data set shows; the value (0–1) is how
    /// far to trust that: the share of brands in a city that are not known to be shared. In
    /// a large data set more brands are shared, and a firm seen only in short form may be
    /// the other one.
    One(f32),
    /// Several firms' names begin this way.
    Several,
}

impl Ambiguity {
    fn pick(self, unknown: f32, one: f32, several: f32) -> f32 {
        match self {
            Self::Unknown => unknown,
            Self::One(trust) => several + (one - several) * trust,
            Self::Several => several,
        }
    }
}

/// Cores of at most this many characters are "short": a brand alone (华星), give or take one.
pub(super) const SHORT: usize = 3;

/// The evidence of two company names. `ambiguity` is consulted only for short or pinyin names.
pub(super) fn company(a: &Company, b: &Company, ambiguity: Ambiguity) -> (Reason, f32) {
    match (a.latin, b.latin) {
        (false, false) => chinese_names(&a.core, &b.core, ambiguity),
        (true, true) => latin_names(a.spoken(), b.spoken(), ambiguity),
        (true, false) => pinyin_names(a.spoken(), &b.core, ambiguity),
        (false, true) => pinyin_names(b.spoken(), &a.core, ambiguity),
    }
}

fn chinese_names(a: &[char], b: &[char], ambiguity: Ambiguity) -> (Reason, f32) {
    if a == b {
        // A two-character core (华星) may be any of the firms of that brand.
        // A longer one names one firm, unless firms of that name exist in several cities
        // and a record does not say which.
        let w = match a.len() {
            0 | 1 => 4.0,
            2 => ambiguity.pick(5.5, 6.5, 4.0),
            3 => 9.0,
            _ => ambiguity.pick(10.0, 10.0, 5.0),
        };
        return (Reason::CompanyNameSame, w);
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let sim = similarity(a, b);
    // Words left out (华星机械 for 华星精密机械, 华星 for both): likely, not certain, one firm.
    if short.len() >= 2 && short[0] == long[0] && is_subsequence(short, long) {
        let s = (0.7 + 0.3 * short.len() as f32 / long.len() as f32).max(sim);
        let w = if short.len() > SHORT {
            ambiguity.pick(7.0, 7.0, 4.0)
        } else {
            ambiguity.pick(4.5, 6.0, 3.0)
        };
        return (Reason::CompanyNameSimilar(s), w);
    }
    if levenshtein(a, b) == 1 {
        // One character: a typo, or another firm (华星 / 华兴); the shorter, the likelier another.
        let w = match short.len() {
            0..=3 => 0.0,
            4 | 5 => 2.0,
            _ => 3.0,
        };
        return (Reason::CompanyNameSimilar(sim), w);
    }
    match sim {
        s if s >= 0.75 => (Reason::CompanyNameSimilar(s), 2.0),
        s if s >= 0.6 => (Reason::CompanyNameSimilar(s), 0.0),
        s if s >= 0.5 => (Reason::CompanyNameDifferent(s), -2.0),
        s => (Reason::CompanyNameDifferent(s), -4.0),
    }
}

/// Similarity of what precedes the common ending of `a` and `b` (the brands, when the
/// trade agrees).
fn head_similarity(a: &[char], b: &[char]) -> f32 {
    let tail = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    similarity(&a[..a.len() - tail], &b[..b.len() - tail])
}

fn latin_names(a: &[char], b: &[char], ambiguity: Ambiguity) -> (Reason, f32) {
    if a == b {
        // Homophone twins (华星精密 / 华兴精密) are spelt alike.
        return (Reason::CompanyNameSame, ambiguity.pick(8.0, 8.0, 4.0));
    }
    let sim = similarity(a, b);
    let prefix = common_prefix(a, b);
    match sim {
        s if s >= 0.9 => (Reason::CompanyNameSimilar(s), 5.0),
        s if prefix == a.len().min(b.len()) && prefix >= 5 => {
            (Reason::CompanyNameSimilar(s.max(0.8)), 4.0)
        }
        s if s >= 0.8 => (Reason::CompanyNameSimilar(s), 2.0),
        s if s >= 0.5 => (Reason::CompanyNameSimilar(s), 0.0),
        s => (Reason::CompanyNameDifferent(s), -3.0),
    }
}

/// A Latin-letter name against the pinyin of a Chinese core. Homophones share pinyin (华星 and
/// 华兴 are both `huaxing`), so even equality weighs less than equal Chinese names unless the
/// data set knows one firm that sounds like this.
fn pinyin_names(latin_core: &[char], chinese: &[char], ambiguity: Ambiguity) -> (Reason, f32) {
    let mut p = String::new();
    let mut brand_len = 0;
    for (i, c) in chinese.iter().enumerate() {
        latin::push_pinyin(*c, &mut p);
        if i == 1 {
            brand_len = p.len();
        }
    }
    let p: Vec<char> = p.chars().collect();
    if p.is_empty() {
        return (Reason::CompanyNamePinyin(0.0), 0.0);
    }
    if latin_core == p.as_slice() {
        // The whole name, trade included: when the data set knows no other firm of the city
        // that sounds so (nor a homophone brand), what is left is a twin never written in
        // Chinese, a few records in a hundred at most: about 7 bits, near an equal Chinese name.
        return (
            Reason::CompanyNamePinyin(1.0),
            ambiguity.pick(4.5, 7.0, 3.0),
        );
    }
    let sim = similarity(latin_core, &p);
    let prefix = common_prefix(latin_core, &p);
    if prefix >= brand_len && brand_len >= 4 {
        // `huaxing…` agrees on the brand (an English rendering translates the trade words).
        let whole = prefix == latin_core.len().min(p.len());
        let s = sim.max(if whole { 0.85 } else { 0.75 });
        let w = if whole {
            ambiguity.pick(3.5, 5.5, 2.5)
        } else {
            ambiguity.pick(3.0, 5.0, 2.0)
        };
        return (Reason::CompanyNamePinyin(s), w);
    }
    // Trade words are shared by many firms: a long common trade must not carry a different
    // brand (`renweiwenhuachuanmei` / `guanweiwenhuachuanmei`), so the heads are compared too.
    if sim >= 0.85 && head_similarity(latin_core, &p) >= 0.8 {
        return (Reason::CompanyNamePinyin(sim), 3.0);
    }
    (Reason::CompanyNameDifferent(sim), -1.5)
}
