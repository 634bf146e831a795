//! How one entry of a firm looks after a person typed, scanned or imported it: the channel
//! decides which fields are there and how carefully they are written; then come the slips —
//! homophones, typos, dropped words, width and spacing, phone formats, placeholders.

use super::generate::{Entity, Person, Rng};
use super::vocab::{BRAND_CHARS, PLACEHOLDERS, SUFFIXES, TITLES, TRADES};

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// A web form the customer filled in.
    Form,
    /// A rep noting a phone call: abbreviations, 张总.
    Call,
    /// A trade-show business card: English and pinyin, e-mail, WeChat.
    Card,
    /// An import from another system: legal names, credit codes, addresses.
    Import,
}

impl Source {
    pub fn draw(rng: &mut Rng) -> Self {
        [Self::Form, Self::Call, Self::Card, Self::Import][rng.weighted(&[35, 25, 15, 25])]
    }

    /// Probability that a field is filled in, per source: company, contact, mobile, landline,
    /// e-mail, WeChat, city, address, credit code.
    fn presence(self) -> [f64; 9] {
        match self {
            Self::Form => [0.95, 0.92, 0.90, 0.15, 0.35, 0.20, 0.75, 0.15, 0.05],
            Self::Call => [0.90, 0.90, 0.65, 0.45, 0.05, 0.15, 0.50, 0.05, 0.0],
            Self::Card => [0.98, 0.95, 0.90, 0.55, 0.80, 0.40, 0.40, 0.50, 0.03],
            Self::Import => [1.0, 0.75, 0.55, 0.70, 0.40, 0.10, 0.90, 0.70, 0.55],
        }
    }
}

/// A character that sounds the same as brand character `i` (星 → 兴), if there is one.
pub(super) fn homophone(rng: &mut Rng, i: usize) -> Option<usize> {
    let (c, py) = BRAND_CHARS[i];
    let same: Vec<usize> = (0..BRAND_CHARS.len())
        .filter(|&j| BRAND_CHARS[j].1 == py && BRAND_CHARS[j].0 != c)
        .collect();
    (!same.is_empty()).then(|| *rng.pick(&same))
}

/// The nine fields of one record (company … credit code), placeholders for some missing ones.
pub(super) fn record(rng: &mut Rng, e: &Entity, p: &Person, source: Source) -> [String; 9] {
    let present = source.presence().map(|prob| rng.chance(prob));
    let mut fields: [String; 9] = Default::default();
    let english_card = source == Source::Card && rng.chance(0.3);
    if present[0] {
        fields[0] = company(rng, e, source, english_card);
    }
    if present[1] {
        fields[1] = contact(rng, p, source, english_card);
    }
    if present[2] {
        // A mistyped digit makes another number: the strong key is lost, not shared.
        let mut mobile = p.mobile.clone();
        if rng.chance(0.015) {
            let at = 3 + rng.below(8);
            let d = char::from(b'0' + rng.below(10) as u8);
            mobile.replace_range(at..=at, &d.to_string());
        }
        fields[2] = mobile_format(rng, &mobile);
    }
    if present[3]
        && let Some(l) = &e.landline
    {
        fields[3] = landline_format(rng, e.city.area_code, l);
    }
    if present[4]
        && let Some(m) = &p.email
    {
        fields[4] = if rng.chance(0.1) {
            m.to_uppercase()
        } else {
            m.clone()
        };
    }
    if present[5]
        && let Some(w) = &p.wechat
    {
        fields[5] = w.clone();
    }
    if present[6] {
        let c = e.city;
        fields[6] = if english_card {
            c.pinyin.to_owned()
        } else {
            match rng.weighted(&[50, 30, 10, 10]) {
                0 => c.name.to_owned(),
                1 => format!("{}市", c.name),
                2 if c.province != c.name => format!("{}{}", c.province, c.name),
                3 if c.province != c.name => format!("{}省{}市", c.province, c.name),
                _ => c.name.to_owned(),
            }
        };
    }
    if present[7] {
        let c = e.city;
        fields[7] = match rng.below(3) {
            0 => format!("{}市{}", c.name, e.address),
            1 if c.province != c.name => format!("{}省{}市{}", c.province, c.name, e.address),
            _ => e.address.clone(),
        };
    }
    if present[8] {
        fields[8] = e.credit_code.clone();
    }
    for f in &mut fields {
        if f.is_empty() && rng.chance(0.25) {
            *f = (*rng.pick(PLACEHOLDERS)).to_owned();
        }
    }
    fields
}

fn company(rng: &mut Rng, e: &Entity, source: Source, english_card: bool) -> String {
    let pinyin = match source {
        Source::Card => rng.chance(0.06),
        Source::Form => rng.chance(0.04),
        Source::Call => rng.chance(0.02),
        Source::Import => false,
    };
    if english_card
        || (source == Source::Form && rng.chance(0.04))
        || (source == Source::Import && rng.chance(0.03))
    {
        return english(rng, e);
    }
    if pinyin {
        return pinyin_name(rng, e);
    }
    let mut brand = e.brand_chars();
    // By ear (a call) names come out as homophones; a scanner misreads; a firm spells itself.
    let (homophones, typos) = match source {
        Source::Call => (8, 2),
        Source::Form => (2, 1),
        Source::Card => (1, 3),
        Source::Import => (1, 1),
    };
    let slip = rng.below(100);
    if slip < homophones {
        let at = rng.below(2);
        if let Some(h) = homophone(rng, e.brand[at]) {
            brand[at] = BRAND_CHARS[h].0;
        }
    } else if slip < homophones + typos {
        brand[rng.below(2)] = rng.pick(BRAND_CHARS).0;
    }
    let full_trade = TRADES[e.trade].0;
    let t: Vec<char> = full_trade.chars().collect();
    let trade: String = match rng.below(100) {
        x if x < 8 || (source == Source::Call && x < 25) => String::new(),
        x if x < 15 && t.len() >= 4 => {
            if rng.chance(0.5) {
                t[..2].iter().collect()
            } else {
                t[2..].iter().collect()
            }
        }
        x if x < 16 && t.len() >= 3 => {
            let drop = rng.below(t.len());
            t.iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, c)| c)
                .collect()
        }
        _ => full_trade.to_owned(),
    };
    let suffix_p = match source {
        Source::Import => 0.95,
        Source::Card => 0.75,
        Source::Form => 0.5,
        Source::Call => 0.15,
    };
    let suffix = if rng.chance(suffix_p) {
        if rng.chance(0.15) {
            SUFFIXES[rng.below(SUFFIXES.len())].0
        } else {
            e.suffix
        }
    } else {
        ""
    };
    let brand: String = brand.iter().collect();
    let c = e.city;
    let (open, close) = if rng.chance(0.5) {
        ("（", "）")
    } else {
        ("(", ")")
    };
    let sep = if rng.chance(0.05) { " " } else { "" };
    let legal = source == Source::Import;
    match rng.below(100) {
        x if x < 55 || (legal && x < 80) => {
            let city = if rng.chance(0.2) {
                format!("{}市", c.name)
            } else {
                c.name.to_owned()
            };
            format!("{city}{sep}{brand}{trade}{sep}{suffix}")
        }
        x if x < 63 && c.province != c.name => {
            let region = if rng.chance(0.5) {
                format!("{}{}", c.province, c.name)
            } else {
                format!("{}省{}市", c.province, c.name)
            };
            format!("{region}{brand}{trade}{suffix}")
        }
        x if x < 73 || legal => format!("{brand}{trade}{open}{}{close}{suffix}", c.name),
        _ => format!("{brand}{sep}{trade}{suffix}"),
    }
}

fn brand_pinyin(rng: &mut Rng, e: &Entity) -> String {
    let [a, b] = e.brand.map(|i| BRAND_CHARS[i].1);
    let cap = |s: &str| format!("{}{}", s[..1].to_uppercase(), &s[1..]);
    if rng.chance(0.15) {
        format!("{} {}", cap(a), cap(b))
    } else {
        cap(&format!("{a}{b}"))
    }
}

fn english(rng: &mut Rng, e: &Entity) -> String {
    let brand = brand_pinyin(rng, e);
    let trade = TRADES[e.trade].2;
    let city = e.city.pinyin;
    match rng.weighted(&[45, 20, 15, 15, 5]) {
        0 => format!("{city} {brand} {trade} Co., Ltd."),
        4 => format!(
            "{} {city} {brand} {trade} Co., Ltd.",
            e.city.province_pinyin
        ),
        1 => format!("{brand} {trade} ({city}) Co., Ltd."),
        2 => format!("{brand} {trade} Co., Ltd."),
        _ => format!("{city} {brand} {trade} Co., Limited").to_uppercase(),
    }
}

fn pinyin_name(rng: &mut Rng, e: &Entity) -> String {
    let brand = brand_pinyin(rng, e);
    let trade = TRADES[e.trade].1;
    let city = e.city.pinyin;
    if rng.chance(0.5) {
        format!("{city} {brand} {trade} Youxian Gongsi")
    } else {
        format!("{city} {brand} {trade}")
    }
}

fn contact(rng: &mut Rng, p: &Person, source: Source, english_card: bool) -> String {
    let surname = p.name.chars().next().unwrap_or('张');
    let latin = (english_card && rng.chance(0.6)) || (source == Source::Card && rng.chance(0.15));
    if latin {
        let s = p.surname_py;
        let g = format!("{}{}", p.given_py[..1].to_uppercase(), &p.given_py[1..]);
        return match rng.weighted(&[50, 30, 20]) {
            0 => format!("{s} {g}"),
            1 => format!("{g} {s}"),
            _ => format!("{} {g}", s.to_uppercase()),
        };
    }
    let (surname_only, titled) = match source {
        Source::Call => (0.35, 0.10),
        Source::Form => (0.06, 0.06),
        Source::Card => (0.02, 0.05),
        Source::Import => (0.0, 0.05),
    };
    let x = rng.chance(surname_only);
    if x {
        format!("{surname}{}", rng.pick(TITLES))
    } else if rng.chance(titled) {
        format!("{}{}", p.name, rng.pick(&TITLES[1..]))
    } else {
        p.name.clone()
    }
}

fn mobile_format(rng: &mut Rng, m: &str) -> String {
    let (a, b, c) = (&m[..3], &m[3..7], &m[7..]);
    match rng.weighted(&[50, 10, 10, 10, 5, 5, 5, 5]) {
        0 => m.to_owned(),
        1 => format!("{a}-{b}-{c}"),
        2 => format!("{a} {b} {c}"),
        3 => format!("+86 {m}"),
        4 => format!("+86-{a}-{b}-{c}"),
        5 => format!("0086 {m}"),
        6 => format!("86-{m}"),
        _ => m
            .chars()
            .map(|d| char::from_u32(d as u32 + 0xFEE0).unwrap_or(d))
            .collect(),
    }
}

fn landline_format(rng: &mut Rng, area: &str, local: &str) -> String {
    let ext = if rng.chance(0.1) {
        format!("转{}", 800 + rng.below(100))
    } else {
        String::new()
    };
    let (x, y) = local.split_at(local.len() - 4);
    let base = match rng.weighted(&[45, 15, 15, 10, 15]) {
        0 => format!("{area}-{local}"),
        1 => format!("({area}){local}"),
        2 => format!("{area} {x} {y}"),
        3 => format!("+86 {} {x} {y}", &area[1..]),
        _ => format!("{area}{local}"),
    };
    format!("{base}{ext}")
}
