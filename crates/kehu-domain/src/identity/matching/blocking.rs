//! Blocking: the keys that decide which pairs are compared at all, so a million records cost
//! a few million comparisons instead of half a trillion.
//!
//! Exact keys (mobile, landline, e-mail, WeChat, credit code) pair every record sharing one.
//! Fuzzy keys pair records that share a character bigram of the company core in the same city,
//! a pinyin prefix (Latin-letter names meet Chinese ones), or a contact name with a city or a
//! brand. A key carried by more records than its kind's cap is skipped: a bigram such as 精密
//! or 科技 says nothing, and an exact value that many records share is a placeholder.

use super::prepare::Prepared;

/// What a key is made of. The kind sits in a key's top four bits, so a key's cap and pairing
/// rule can be read from the key alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Mobile = 1,
    Landline,
    Email,
    Wechat,
    CreditCode,
    EmailDomain,
    /// City + a bigram of the company core.
    CityGram,
    /// A bigram, for records without a city (role A) to meet everyone (role B).
    Gram,
    /// City + pinyin prefix, for Latin-letter names (A) to meet Chinese ones (B).
    CityPinyin,
    /// Pinyin prefix, for Latin-letter names without a city (A) to meet Chinese ones (B).
    Pinyin,
    /// Pinyin prefix, for Chinese names without a city (A) to meet Latin ones with a city (B).
    PinyinNoCity,
    /// Contact name + city.
    ContactCity,
    /// Contact name + the first two characters of the company core.
    ContactBrand,
    /// Contact name alone: never pairs, counted to weigh name agreement.
    Contact,
    /// City + the first two characters of a Chinese core: never pairs, tells how many firms
    /// share a brand in a city.
    CityBrand,
}

/// Kinds in the order of their discriminants, to read a kind back from a key.
const KINDS: [Kind; 15] = [
    Kind::Mobile,
    Kind::Landline,
    Kind::Email,
    Kind::Wechat,
    Kind::CreditCode,
    Kind::EmailDomain,
    Kind::CityGram,
    Kind::Gram,
    Kind::CityPinyin,
    Kind::Pinyin,
    Kind::PinyinNoCity,
    Kind::ContactCity,
    Kind::ContactBrand,
    Kind::Contact,
    Kind::CityBrand,
];

impl Kind {
    /// The kind of a key made by [`hash`].
    pub fn of(key: u64) -> Kind {
        KINDS[((key >> 60) as usize)
            .saturating_sub(1)
            .min(KINDS.len() - 1)]
    }

    /// Largest posting list still paired; beyond it the key is too common to mean anything.
    pub fn cap(self) -> usize {
        match self {
            Kind::Contact | Kind::CityBrand => 0,
            Kind::CityGram => 100,
            Kind::Gram | Kind::Pinyin | Kind::PinyinNoCity => 400,
            Kind::CityPinyin => 200,
            _ => 50,
        }
    }

    /// An exact value: over the cap it is a placeholder, and agreeing on it is no evidence.
    pub fn is_exact(self) -> bool {
        matches!(
            self,
            Kind::Mobile
                | Kind::Landline
                | Kind::Email
                | Kind::Wechat
                | Kind::CreditCode
                | Kind::EmailDomain
        )
    }

    /// For keys with two roles: whether role-A records are also paired among themselves.
    pub fn pairs_within_a(self) -> bool {
        !matches!(self, Kind::PinyinNoCity)
    }
}

/// A 64-bit key for `value` of `kind` (FNV-1a; a collision only adds a pair to compare).
pub(super) fn hash(kind: Kind, value: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in value {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h & 0x0FFF_FFFF_FFFF_FFFF) | ((kind as u64) << 60)
}

/// Hashing for maps keyed by [`hash`] values, which are hashes already: re-hashing them
/// (SipHash, the default) would only cost time on the scoring path.
pub(super) type KeyHash = std::hash::BuildHasherDefault<KeyHasher>;

/// Passes a `u64` key through; see [`KeyHash`].
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are stored; anything else still hashes correctly, if slowly.
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // The kind fills the top bits, which the table also uses: one multiply spreads them.
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A key and the record's role in it: role A pairs with everyone in the block, role B only
/// with role A. Symmetric kinds give every record role A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key {
    pub hash: u64,
    pub a: bool,
}

/// Pinyin prefix length: `huaxin` keeps 华星, 华兴 and `Huaxing Precision` together.
const PINYIN_PREFIX: usize = 6;

/// Every blocking key of `p`, appended to `out`.
pub(super) fn keys(p: &Prepared, out: &mut Vec<Key>) {
    let mut push = |kind: Kind, value: &[u8], a: bool| {
        out.push(Key {
            hash: hash(kind, value),
            a,
        });
    };
    for m in &p.mobiles {
        push(Kind::Mobile, &m.to_le_bytes(), true);
    }
    for l in &p.landlines {
        push(Kind::Landline, &l.to_le_bytes(), true);
    }
    if let Some(e) = &p.email {
        push(Kind::Email, e.as_bytes(), true);
        if let Some((_, domain)) = e.rsplit_once('@')
            && !is_free_mail(domain)
        {
            push(Kind::EmailDomain, domain.as_bytes(), true);
        }
    }
    if let Some(w) = &p.wechat {
        push(Kind::Wechat, w.as_bytes(), true);
    }
    if let Some(c) = &p.credit_code {
        push(Kind::CreditCode, c.as_bytes(), true);
    }
    let city = p.city.unwrap_or("");
    let mut buf = String::new();
    if let Some(company) = &p.company {
        let core = &company.core;
        if company.latin {
            let prefix: String = core.iter().take(PINYIN_PREFIX).collect();
            if prefix.chars().count() >= 4 {
                if city.is_empty() {
                    push(Kind::Pinyin, prefix.as_bytes(), true);
                } else {
                    push(Kind::CityPinyin, with_city(&mut buf, city, &prefix), true);
                    push(Kind::PinyinNoCity, prefix.as_bytes(), false);
                }
            }
        } else {
            let mut grams: Vec<[char; 2]> = core.windows(2).map(|w| [w[0], w[1]]).collect();
            if core.len() == 1 {
                grams.push([core[0], ' ']);
            }
            grams.sort_unstable();
            grams.dedup();
            for g in grams {
                let gram: String = g.iter().collect();
                if city.is_empty() {
                    push(Kind::Gram, gram.as_bytes(), true);
                } else {
                    push(Kind::CityGram, with_city(&mut buf, city, &gram), true);
                    push(Kind::Gram, gram.as_bytes(), false);
                }
            }
            if !city.is_empty() && core.len() >= 2 {
                let brand: String = core[..2].iter().collect();
                push(Kind::CityBrand, with_city(&mut buf, city, &brand), false);
            }
            let prefix = chinese_pinyin_prefix(core);
            if prefix.len() >= 4 {
                push(Kind::Pinyin, prefix.as_bytes(), false);
                if city.is_empty() {
                    push(Kind::PinyinNoCity, prefix.as_bytes(), true);
                } else {
                    push(Kind::CityPinyin, with_city(&mut buf, city, &prefix), false);
                }
            }
        }
    }
    if let Some(contact) = &p.contact {
        push(Kind::Contact, contact.name.as_bytes(), false);
        if !contact.surname_only {
            if !city.is_empty() {
                push(
                    Kind::ContactCity,
                    with_city(&mut buf, city, &contact.name),
                    true,
                );
            }
            if let Some(c) = p.company.as_ref().filter(|c| !c.latin && c.core.len() >= 2) {
                let brand: String = c.core[..2].iter().collect();
                push(
                    Kind::ContactBrand,
                    with_city(&mut buf, &brand, &contact.name),
                    true,
                );
            }
        }
    }
}

/// The first letters of a Chinese core's pinyin (`华星精密` → `huaxin`).
fn chinese_pinyin_prefix(core: &[char]) -> String {
    let mut prefix = String::new();
    for c in core {
        super::latin::push_pinyin(*c, &mut prefix);
        if prefix.len() >= PINYIN_PREFIX {
            break;
        }
    }
    prefix.truncate(PINYIN_PREFIX);
    prefix
}

/// The [`Kind::CityBrand`] key of a Chinese core in `city`.
pub(super) fn brand_key(city: &str, core: &[char]) -> Option<u64> {
    let brand: String = core.get(..2)?.iter().collect();
    Some(hash(
        Kind::CityBrand,
        with_city(&mut String::new(), city, &brand),
    ))
}

fn with_city<'b>(buf: &'b mut String, city: &str, value: &str) -> &'b [u8] {
    buf.clear();
    buf.push_str(city);
    buf.push('|');
    buf.push_str(value);
    buf.as_bytes()
}

/// Mail providers anyone can have an address at: sharing one says nothing about the company.
const FREE_MAIL: &[&str] = &[
    "qq.com",
    "vip.qq.com",
    "foxmail.com",
    "163.com",
    "vip.163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "vip.sina.com",
    "sohu.com",
    "139.com",
    "189.cn",
    "wo.cn",
    "aliyun.com",
    "tom.com",
    "21cn.com",
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
];

/// True for public mail providers (qq.com, 163.com, gmail.com…).
pub(super) fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.contains(&domain)
}
