//! The scored comparison of two prepared records. Each agreement or disagreement adds
//! evidence in bits (log₂ of how much likelier it is for one customer than for two); the sum,
//! starting from a sceptical prior, becomes a score in [0, 1], and every term is a [`Reason`].
//!
//! The weights encode what a sales manager knows: a mobile or a credit code is one customer;
//! a company name alone is not, when it is short and differs by a character (苏州华星精密 and
//! 苏州华兴精密 are two firms), so such names need agreement elsewhere — city and contact, or
//! a phone.

use super::Level;
use super::blocking::KeyHash;
use super::blocking::{self, Kind};
use super::latin;
use super::names::{self, Ambiguity};
use super::prepare::{Company, Contact, Prepared};
pub use super::reason::Reason;
use super::similarity::{levenshtein, similarity};
use super::sound;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Evidence before looking: two records that merely share a block are usually two customers.
const PRIOR: f32 = -8.0;

/// The outcome of comparing two records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// How sure we are that they are one customer, 0–1.
    pub score: f32,
    /// True at and above the threshold (0.5).
    pub is_match: bool,
    /// What was found, the weightiest first.
    pub reasons: Vec<Reason>,
}

/// What the match index knows of how common the company name is that a query record shares
/// with a stored one, for a matcher without data-set statistics (the check at the door).
///
/// Of the keys both names carry (bigrams of a Chinese core, pinyin prefixes of a name), the
/// fewest postings any one of them has, counted where the two records meet: in their city
/// when both name the same one, in the whole book when one names none. The stored record is
/// one of the postings, so 1 says that no other stored customer's name holds that part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharedKeys {
    /// Chinese names: postings of the rarest bigram key both cores hold.
    pub name: Option<u32>,
    /// A Latin-letter name (against a Chinese or another Latin one): postings of the rarest
    /// pinyin key both hold.
    pub sound: Option<u32>,
}

/// Facts about the whole data set that change what an agreement is worth.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    /// How many records carry each contact name, by key hash: 张伟 agreeing says less.
    pub contact_counts: HashMap<u64, u32, KeyHash>,
    /// Exact keys shared by so many records that they are placeholders (`13800000000`).
    pub junk: HashSet<u64, KeyHash>,
    /// City + brand keys that begin the names of several firms.
    pub ambiguous: HashSet<u64, KeyHash>,
    /// The statistics were gathered from a data set (else every short name is of unknown
    /// ambiguity).
    pub fitted: bool,
    /// How many records the statistics were gathered from.
    pub records: usize,
    /// Of the city + brand keys that several records share, the share not known to be
    /// shared by several firms (1 when none are known).
    pub brand_trust: f32,
    /// Chinese cores (longer than a brand, by [`core_key`]) that records place in more than
    /// one city: the same brand and trade registered in two cities are two firms, so such a
    /// name alone does not say which one a record without a city is.
    pub multi_city: HashSet<u64, KeyHash>,
    /// City + sound keys ([`sound::shared_sounds`]) that the Chinese names of several firms in the city
    /// share: a name in pinyin or English that sounds like one of them cannot say which.
    pub shared_sounds: HashSet<u64, KeyHash>,
}

/// The key of a Chinese core in [`Context::multi_city`]. Core strings hold no `|`, so these
/// never equal a city + brand key of the same kind.
pub(super) fn core_key(core: &[char]) -> u64 {
    let s: String = core.iter().collect();
    blocking::hash(Kind::CityBrand, s.as_bytes())
}

/// The data-set size the contact weights were calibrated on. A larger set has more records
/// of every name, yet each record meets only the few its blocks propose, so a name's count
/// overstates how common it is; but the pairs that share only a name and a city grow with
/// the set too. The count is therefore scaled by the square root of the size ratio.
const CALIBRATED_RECORDS: f32 = 100_000.0;

/// Compares records at one [`Level`].
#[derive(Debug, Clone)]
pub struct Matcher {
    pub(super) level: Level,
    pub(super) context: Context,
}

impl Matcher {
    /// A matcher without data-set statistics: every contact name counts as moderately rare.
    pub fn new(level: Level) -> Self {
        Self {
            level,
            context: Context::default(),
        }
    }

    /// The level it compares at.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Score and reasons for `a` against `b` (symmetric).
    pub fn compare(&self, a: &Prepared, b: &Prepared) -> Match {
        self.compare_shared(a, b, SharedKeys::default())
    }

    /// [`Matcher::compare`] for a stored record `b` the match index proposed for `a`, with
    /// what the index counted of the name keys they share. A matcher fitted to a data set
    /// has its own statistics and does not read `shared`.
    pub fn compare_shared(&self, a: &Prepared, b: &Prepared, shared: SharedKeys) -> Match {
        let mut found: Vec<(Reason, f32)> = Vec::new();
        let total = PRIOR + self.evidence(a, b, shared, &mut |r, w| found.push((r, w)));
        found.sort_by(|x, y| y.1.abs().total_cmp(&x.1.abs()));
        Match {
            score: logistic(total),
            is_match: total >= 0.0,
            reasons: found.into_iter().map(|(r, _)| r).collect(),
        }
    }

    /// The score alone, without collecting reasons (the clustering's hot path).
    pub(super) fn score(&self, a: &Prepared, b: &Prepared) -> f32 {
        logistic(PRIOR + self.evidence(a, b, SharedKeys::default(), &mut |_, _| {}))
    }

    /// Adds up the evidence, reporting each non-zero term to `sink`.
    fn evidence(
        &self,
        a: &Prepared,
        b: &Prepared,
        shared: SharedKeys,
        sink: &mut impl FnMut(Reason, f32),
    ) -> f32 {
        let account = self.level == Level::Account;
        let mut total = 0.0;
        let mut person = false;
        let mut add = |r: Reason, w: f32| {
            person |= matches!(
                r,
                Reason::SameMobile
                    | Reason::SameEmail
                    | Reason::SameWechat
                    | Reason::SameContact
                    | Reason::SameSurname
            );
            if w != 0.0 {
                sink(r, w);
                total += w;
            }
        };
        if let (Some(x), Some(y)) = (&a.credit_code, &b.credit_code) {
            if x != y {
                add(Reason::DifferentCreditCode, -30.0);
            } else if !self.is_junk(Kind::CreditCode, x.as_bytes()) {
                add(Reason::SameCreditCode, if account { 20.0 } else { 6.0 });
            }
        }
        if !a.mobiles.is_empty() && !b.mobiles.is_empty() {
            let shared = a
                .mobiles
                .iter()
                .any(|m| b.mobiles.contains(m) && !self.is_junk(Kind::Mobile, &m.to_le_bytes()));
            if shared {
                add(Reason::SameMobile, 16.0);
            } else if !(account && self.other_people(a, b)) {
                add(Reason::DifferentMobile, if account { -1.0 } else { -5.0 });
            }
        }
        let landline = a
            .landlines
            .iter()
            .any(|l| b.landlines.contains(l) && !self.is_junk(Kind::Landline, &l.to_le_bytes()));
        if landline {
            add(Reason::SameLandline, if account { 9.0 } else { 4.0 });
        }
        if let (Some(x), Some(y)) = (&a.email, &b.email) {
            let domain = |e: &str| e.rsplit_once('@').map(|(_, d)| d.to_owned());
            if x == y && !self.is_junk(Kind::Email, x.as_bytes()) {
                add(Reason::SameEmail, 14.0);
            } else if let (Some(d), Some(e)) = (domain(x), domain(y))
                && d == e
                && !blocking::is_free_mail(&d)
                && !self.is_junk(Kind::EmailDomain, d.as_bytes())
            {
                add(Reason::SameEmailDomain, if account { 5.0 } else { 2.0 });
            }
        }
        if let (Some(x), Some(y)) = (&a.wechat, &b.wechat)
            && x == y
            && !self.is_junk(Kind::Wechat, x.as_bytes())
        {
            add(Reason::SameWechat, 14.0);
        }
        if let (Some(x), Some(y)) = (&a.company, &b.company) {
            let (reason, weight) = names::company(x, y, self.ambiguity(a, b, x, y, shared));
            add(reason, weight);
            match (&x.branch, &y.branch) {
                (Some(p), Some(q)) if p != q => add(Reason::DifferentBranch, -10.0),
                (Some(_), None) | (None, Some(_)) => add(Reason::DifferentBranch, -4.0),
                _ => {}
            }
        }
        if let (Some(x), Some(y)) = (a.city, b.city) {
            if x == y {
                add(Reason::SameCity, if account { 3.0 } else { 2.0 });
            } else {
                add(Reason::DifferentCity, -5.0);
            }
        }
        if let (Some(x), Some(y)) = (&a.contact, &b.contact)
            && let Some((reason, weight)) = self.contact(x, y)
        {
            add(reason, weight);
        }
        if let (Some(x), Some(y)) = (&a.address, &b.address) {
            let s = similarity(x, y);
            if s >= 0.85 {
                add(Reason::SameAddress(s), if account { 3.0 } else { 1.5 });
            }
        }
        if !account && !person {
            sink(Reason::NoCommonPerson, -3.0);
            total -= 3.0;
        }
        total
    }

    /// How many firms of the records' shared city a short or pinyin name could stand for;
    /// for a longer name where a city is missing, how many cities have a firm of that name.
    /// Without data-set statistics, what the index counted of the shared name keys.
    fn ambiguity(
        &self,
        a: &Prepared,
        b: &Prepared,
        x: &Company,
        y: &Company,
        shared: SharedKeys,
    ) -> Ambiguity {
        if !self.context.fitted {
            return counted_ambiguity(x, y, shared);
        }
        if self.context.fitted
            && (a.city.is_none() || b.city.is_none())
            && !x.latin
            && !y.latin
            && x.core.len().min(y.core.len()) > names::SHORT
        {
            let longer = if x.core.len() >= y.core.len() { x } else { y };
            return if self.context.multi_city.contains(&core_key(&longer.core)) {
                Ambiguity::Several
            } else {
                Ambiguity::Unknown
            };
        }
        let Some(city) = a.city.filter(|c| self.context.fitted && b.city == Some(*c)) else {
            return Ambiguity::Unknown;
        };
        let key = match (x.latin, y.latin) {
            (false, false) if x.core.len().min(y.core.len()) <= names::SHORT => {
                blocking::brand_key(city, &x.core)
            }
            (true, true) => {
                // Two spellings of one sound: as ambiguous as the Chinese names sounding so.
                return if sound::shared_whole(&self.context.shared_sounds, city, x.spoken()) {
                    Ambiguity::Several
                } else {
                    Ambiguity::Unknown
                };
            }
            (true, false) => return self.sound_ambiguity(city, x.spoken(), &y.core),
            (false, true) => return self.sound_ambiguity(city, y.spoken(), &x.core),
            _ => None,
        };
        match key {
            Some(k) if self.context.ambiguous.contains(&k) => Ambiguity::Several,
            Some(_) => Ambiguity::One(self.context.brand_trust),
            None => Ambiguity::Unknown,
        }
    }

    /// How many firms of `city` a Latin-letter core could stand for; see [`sound::several`].
    fn sound_ambiguity(&self, city: &str, latin_core: &[char], chinese: &[char]) -> Ambiguity {
        if sound::several(&self.context.shared_sounds, city, latin_core, chinese) {
            Ambiguity::Several
        } else {
            Ambiguity::One(self.context.brand_trust)
        }
    }

    /// Both records name their contact and the names are two people. Their mobiles then
    /// differ whether or not the firm is one, so at account level that says nothing more.
    fn other_people(&self, a: &Prepared, b: &Prepared) -> bool {
        match (&a.contact, &b.contact) {
            (Some(x), Some(y)) => {
                matches!(self.contact(x, y), Some((Reason::DifferentContact, _)))
            }
            _ => false,
        }
    }

    fn is_junk(&self, kind: Kind, value: &[u8]) -> bool {
        !self.context.junk.is_empty() && self.context.junk.contains(&blocking::hash(kind, value))
    }

    fn contact(&self, a: &Contact, b: &Contact) -> Option<(Reason, f32)> {
        let account = self.level == Level::Account;
        let different = if account { -0.5 } else { -12.0 };
        let same = self.same_contact_weight(a) + if account { 0.0 } else { 1.0 };
        if a.latin != b.latin {
            let (l, c) = if a.latin { (a, b) } else { (b, a) };
            if c.surname_only {
                return None;
            }
            let p = latin::pinyin_of(&c.name);
            let agrees = *l.name == *p || l.reversed.as_deref() == Some(p.as_str());
            // An English name (`Tony Zhang`) cannot be told apart from another person's.
            return Some(if agrees {
                (Reason::SameContact, same - 1.0)
            } else {
                (Reason::DifferentContact, different / 4.0)
            });
        }
        if a.surname_only || b.surname_only {
            let first = |c: &Contact| c.name.chars().next();
            return Some(if first(a) == first(b) {
                (Reason::SameSurname, 0.5)
            } else {
                (Reason::DifferentContact, if account { -1.0 } else { -8.0 })
            });
        }
        if a.name == b.name || a.reversed.as_deref() == Some(&*b.name) {
            return Some((Reason::SameContact, same));
        }
        // 张建华 / 张健华 in a three-character name is more likely a typo than another person.
        let long_enough = |c: &Contact| c.name.chars().nth(2).is_some();
        if long_enough(a) && long_enough(b) && a.name.chars().next() == b.name.chars().next() {
            let (x, y): (Vec<char>, Vec<char>) =
                (a.name.chars().collect(), b.name.chars().collect());
            if levenshtein(&x, &y) == 1 {
                return None;
            }
        }
        Some((Reason::DifferentContact, different))
    }

    /// Rare names agree by coincidence rarely: 5 bits for a name a few records in 100,000
    /// share, down to half a bit for one hundreds of records carry (张伟); see
    /// [`CALIBRATED_RECORDS`] for larger sets.
    fn same_contact_weight(&self, c: &Contact) -> f32 {
        match self
            .context
            .contact_counts
            .get(&blocking::hash(Kind::Contact, c.name.as_bytes()))
        {
            Some(&n) => {
                let scale = (CALIBRATED_RECORDS / self.context.records.max(1) as f32)
                    .min(1.0)
                    .sqrt();
                (5.0 - (n as f32 * scale / 3.0).max(1.0).log2()).clamp(0.5, 5.0)
            }
            None => 3.0,
        }
    }
}

/// True when two contact names can be one person: equal, or equal in pinyin (`张伟`,
/// `Zhang Wei`, `Wei Zhang`). Used to keep two named people out of one contact cluster.
pub(super) fn same_person(a: &Contact, b: &Contact) -> bool {
    if a.name == b.name {
        return true;
    }
    if a.surname_only || b.surname_only {
        return false;
    }
    let spelled = |c: &Contact| {
        if c.latin {
            c.name.to_string()
        } else {
            latin::pinyin_of(&c.name)
        }
    };
    let (x, y) = (spelled(a), spelled(b));
    x == y || a.reversed.as_deref() == Some(&*y) || b.reversed.as_deref() == Some(&*x)
}

/// The ambiguity of a name from the index's counts. A count bounds from above how many
/// stored firms the shared name could stand for (a bigram may sit anywhere in another firm's
/// name, a pinyin prefix begin another word), so only a count of one says something: no other
/// stored customer's name holds that part, and the name stands for this firm as far as the
/// book shows. A larger count leaves it unknown, as it was without counts.
fn counted_ambiguity(x: &Company, y: &Company, shared: SharedKeys) -> Ambiguity {
    let holders = if x.latin || y.latin {
        shared.sound
    } else {
        shared.name
    };
    if holders == Some(1) {
        Ambiguity::One(1.0)
    } else {
        Ambiguity::Unknown
    }
}

fn logistic(bits: f32) -> f32 {
    (1.0 / (1.0 + (-bits).exp2())).clamp(0.0, 1.0)
}
