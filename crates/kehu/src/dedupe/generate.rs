//! The labelled test-data generator: Chinese B2B firms (entities), each entered one to five
//! times by different people through different channels, with the corruption real CRM data has,
//! and hard negatives: firms whose names differ by one homophone in the same city and trade
//! (苏州华星精密 / 苏州华兴精密), firms sharing a brand, and many different people named 张伟.
//!
//! Deterministic by seed, with its own generator (SplitMix64), so a seed means the same data
//! on every machine and every version of every dependency. No two entities share a mobile,
//! landline, e-mail, WeChat id or credit code: a strong key is one entity, by construction.

use super::render::{self, Source};
use super::vocab::{
    BRAND_CHARS, CITIES, COMMON_NAMES, City, FREE_MAIL, GIVEN_CHARS, ROADS, SUFFIXES, SURNAMES,
    TRADES,
};
use kehu_domain::identity::CreditCode;
use std::collections::HashSet;
use std::io::Write;

/// Columns written, in order; the last two are the truth.
pub const HEADER: [&str; 12] = [
    "record_id",
    "公司名称",
    "联系人",
    "手机",
    "电话",
    "邮箱",
    "微信",
    "城市",
    "地址",
    "统一社会信用代码",
    "true_entity",
    "true_contact",
];

/// Share of new entities that get a twin: same city and trade, a brand one homophone apart.
const TWINS: f64 = 0.10;
/// Share of new entities that get a sibling: same city and brand, another trade.
const SIBLINGS: f64 = 0.04;

/// SplitMix64: small, fast, and the same sequence forever.
pub(super) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// An index into `weights`, drawn by weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// A person at a firm.
pub(super) struct Person {
    pub name: String,
    pub surname_py: &'static str,
    pub given_py: String,
    pub mobile: String,
    pub email: Option<String>,
    pub wechat: Option<String>,
}

/// A firm: one true customer at account level.
pub(super) struct Entity {
    pub city: &'static City,
    pub brand: [usize; 2],
    pub trade: usize,
    pub suffix: &'static str,
    pub credit_code: String,
    /// Local number without area code.
    pub landline: Option<String>,
    pub address: String,
    pub people: Vec<Person>,
    records: usize,
}

impl Entity {
    pub fn brand_chars(&self) -> [char; 2] {
        self.brand.map(|i| BRAND_CHARS[i].0)
    }
}

/// Values already taken, so that no two entities share a name or a strong key.
#[derive(Default)]
struct Taken {
    names: HashSet<String>,
    values: HashSet<String>,
}

impl Taken {
    fn fresh(&mut self, rng: &mut Rng, mut make: impl FnMut(&mut Rng) -> String) -> String {
        loop {
            let v = make(rng);
            if self.values.insert(v.clone()) {
                return v;
            }
        }
    }
}

/// Writes `n` labelled records generated from `seed` as CSV to `out`.
pub fn generate(n: usize, seed: u64, out: impl Write) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed);
    let mut taken = Taken::default();
    let mut entities: Vec<Entity> = Vec::new();
    let mut planned = 0;
    while planned < n {
        let Some(e) = entity(&mut rng, &mut taken, None) else {
            continue;
        };
        let (city, brand, trade) = (e.city, e.brand, e.trade);
        planned += e.records;
        entities.push(e);
        if rng.chance(TWINS)
            && let Some(b) = homophone_brand(&mut rng, brand)
            && let Some(t) = entity(&mut rng, &mut taken, Some((city, b, trade)))
        {
            planned += t.records;
            entities.push(t);
        }
        if rng.chance(SIBLINGS) {
            let other = rng.below(TRADES.len());
            if let Some(s) = entity(&mut rng, &mut taken, Some((city, brand, other))) {
                planned += s.records;
                entities.push(s);
            }
        }
    }
    let mut slots: Vec<(u32, u32)> = Vec::with_capacity(planned);
    for (i, e) in entities.iter().enumerate() {
        for r in 0..e.records {
            let person = if r == 0 || e.people.len() == 1 || rng.chance(0.5) {
                0
            } else {
                1 + rng.below(e.people.len() - 1)
            };
            slots.push((i as u32, person as u32));
        }
    }
    // Shuffle (Fisher–Yates), then keep n: duplicates are scattered as in real files.
    for i in (1..slots.len()).rev() {
        let j = rng.below(i + 1);
        slots.swap(i, j);
    }
    slots.truncate(n);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for (k, &(e, p)) in slots.iter().enumerate() {
        let entity = &entities[e as usize];
        let source = Source::draw(&mut rng);
        let fields = render::record(&mut rng, entity, &entity.people[p as usize], source);
        let id = format!("R{:07}", k + 1);
        let truth = [format!("E{e}"), format!("E{e}-P{p}")];
        w.write_record(
            std::iter::once(id.as_str())
                .chain(fields.iter().map(String::as_str))
                .chain(truth.iter().map(String::as_str)),
        )?;
    }
    w.flush()?;
    Ok(())
}

/// A brand with one character replaced by a homophone (华星 → 华兴), if either has one.
fn homophone_brand(rng: &mut Rng, brand: [usize; 2]) -> Option<[usize; 2]> {
    let at = rng.below(2);
    for pos in [at, 1 - at] {
        if let Some(c) = render::homophone(rng, brand[pos]) {
            let mut b = brand;
            b[pos] = c;
            if BRAND_CHARS[b[0]].0 != BRAND_CHARS[b[1]].0 {
                return Some(b);
            }
        }
    }
    None
}

/// A new firm; `like` fixes city, brand and trade (for twins and siblings). `None` when that
/// name is taken.
fn entity(
    rng: &mut Rng,
    taken: &mut Taken,
    like: Option<(&'static City, [usize; 2], usize)>,
) -> Option<Entity> {
    let (city, brand, trade) = like.unwrap_or_else(|| {
        let city = &CITIES[rng.weighted(&CITIES.iter().map(|c| c.weight).collect::<Vec<_>>())];
        let first = rng.below(BRAND_CHARS.len());
        let mut second = rng.below(BRAND_CHARS.len());
        while BRAND_CHARS[second].0 == BRAND_CHARS[first].0 {
            second = rng.below(BRAND_CHARS.len());
        }
        (city, [first, second], rng.below(TRADES.len()))
    });
    let name: String = [
        city.name,
        &brand.map(|i| BRAND_CHARS[i].0).iter().collect::<String>(),
        TRADES[trade].0,
    ]
    .concat();
    if !taken.names.insert(name) {
        return None;
    }
    let records = 1 + rng.weighted(&[40, 25, 17, 11, 7]);
    let people_n = (1 + rng.weighted(&[50, 35, 15])).min(records);
    let domain = rng.chance(0.55).then(|| {
        let b: String = brand.map(|i| BRAND_CHARS[i].1).concat();
        let tld = *rng.pick(&[".com", ".cn", ".com.cn"]);
        taken.fresh(rng, |r| {
            format!(
                "{b}{}{tld}",
                if r.chance(0.5) {
                    r.digits(2)
                } else {
                    String::new()
                }
            )
        })
    });
    let people = (0..people_n)
        .map(|_| person(rng, taken, domain.as_deref()))
        .collect();
    let division = city.division;
    let credit_code = taken.fresh(rng, |r| {
        let charset: Vec<char> = CreditCode::CHARSET.chars().collect();
        let org: String = (0..9).map(|_| *r.pick(&charset)).collect();
        let body = format!("91{division}{org}");
        let check = CreditCode::check_char(&body).unwrap_or('0');
        format!("{body}{check}")
    });
    let landline = rng.chance(0.75).then(|| {
        let len = if city.area_code.len() == 3 {
            8
        } else {
            8 - usize::from(rng.chance(0.2))
        };
        taken.fresh(rng, |r| format!("{}{}", 2 + r.below(7), r.digits(len - 1)))
    });
    let address = format!(
        "{}{}{}号",
        rng.pick(city.districts),
        rng.pick(ROADS),
        1 + rng.below(999)
    );
    Some(Entity {
        city,
        brand,
        trade,
        suffix: SUFFIXES[rng.weighted(&SUFFIXES.iter().map(|s| s.1).collect::<Vec<_>>())].0,
        credit_code,
        landline,
        address,
        people,
        records,
    })
}

fn person(rng: &mut Rng, taken: &mut Taken, domain: Option<&str>) -> Person {
    let (name, surname_py, given_py) = if rng.chance(0.06) {
        let (name, s, g, _) =
            COMMON_NAMES[rng.weighted(&COMMON_NAMES.iter().map(|c| c.3).collect::<Vec<_>>())];
        (name.to_owned(), s, g.to_lowercase())
    } else {
        let (s, s_py, _) =
            SURNAMES[rng.weighted(&SURNAMES.iter().map(|s| s.2).collect::<Vec<_>>())];
        let given: Vec<&(char, &str)> = (0..1 + usize::from(rng.chance(0.65)))
            .map(|_| rng.pick(GIVEN_CHARS))
            .collect();
        let name: String = std::iter::once(s)
            .chain(given.iter().map(|g| g.0))
            .collect();
        (name, s_py, given.iter().map(|g| g.1).collect())
    };
    let mobile = taken.fresh(rng, |r| {
        let prefix = *r.pick(&["13", "15", "18", "17", "19"]);
        format!("{prefix}{}{}", r.below(10), r.digits(8))
    });
    let s = surname_py.to_lowercase();
    let email = rng.chance(0.5).then(|| match domain {
        Some(d) if rng.chance(0.6) => taken.fresh(rng, |r| match r.below(3) {
            0 => format!("{given_py}.{s}@{d}"),
            1 => format!(
                "{s}{given_py}{}@{d}",
                if r.chance(0.3) {
                    r.digits(2)
                } else {
                    String::new()
                }
            ),
            _ => format!("{}{}@{d}", &s[..1], given_py),
        }),
        _ => taken.fresh(rng, |r| {
            let provider =
                FREE_MAIL[r.weighted(&FREE_MAIL.iter().map(|f| f.1).collect::<Vec<_>>())].0;
            if provider == "qq.com" {
                {
                    let (first, len) = (1 + r.below(9), 5 + r.below(5));
                    format!("{first}{}@qq.com", r.digits(len))
                }
            } else {
                {
                    let len = r.below(5);
                    format!("{s}{given_py}{}@{provider}", r.digits(len))
                }
            }
        }),
    });
    let wechat = rng.chance(0.4).then(|| {
        if rng.chance(0.3) {
            mobile.clone()
        } else {
            taken.fresh(rng, |r| match r.below(2) {
                0 => {
                    let len = 2 + r.below(3);
                    format!("{s}{given_py}{}", r.digits(len))
                }
                _ => format!("wxid_{}", r.digits(10)),
            })
        }
    });
    Person {
        name,
        surname_py,
        given_py,
        mobile,
        email,
        wechat,
    }
}
