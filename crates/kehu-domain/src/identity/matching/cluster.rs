//! Clustering a whole data set: blocking → candidate pairs → scores → union-find. Pairs are
//! linked strongest first, and two clusters are never joined when that would put two credit
//! codes (or two branches, or at contact level two named people) in one customer: links do not
//! chain across a hard contradiction.

use super::Level;
use super::blocking::{self, Key, KeyHash, Kind};
use super::names::SHORT;
use super::prepare::Prepared;
use super::score::{Context, Matcher, core_key, same_person};
use super::sound::shared_sounds;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A step of [`cluster`], for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Computing blocking keys and candidate pairs; counted in records.
    Blocking,
    /// Scoring candidate pairs; counted in pairs.
    Scoring,
    /// Joining linked records; counted in links.
    Linking,
}

/// Receives progress from [`cluster`] (which may call it from several threads).
pub trait Progress: Sync {
    /// A stage begins with `total` units of work.
    fn start(&self, stage: Stage, total: u64);
    /// `done` more units of the current stage are finished.
    fn advance(&self, done: u64);
}

/// No progress display.
impl Progress for () {
    fn start(&self, _: Stage, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Two records found to be one customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Index of the first record (the smaller).
    pub a: u32,
    /// Index of the second record.
    pub b: u32,
    /// The pair's score, at least 0.5.
    pub score: f32,
}

/// The result of [`cluster`].
#[derive(Debug, Clone)]
pub struct Clustering {
    /// For each record, the index of the first record (in input order) of its cluster.
    pub cluster_of: Vec<u32>,
    /// The links that hold clusters together, strongest first.
    pub links: Vec<Link>,
    /// Pairs compared.
    pub compared: u64,
    /// Exact values ignored because too many records share them (placeholders such as
    /// `13800000000`): how many such values.
    pub placeholder_values: usize,
    /// The matcher with the data set's statistics, to explain any pair the same way.
    pub matcher: Matcher,
}

/// How many records a chunk of parallel work covers.
const CHUNK: usize = 4096;

/// Clusters `records` at `level`: records in one cluster are one customer.
pub fn cluster(records: &[Prepared], level: Level, progress: &dyn Progress) -> Clustering {
    assert!(records.len() < (1 << 31), "at most 2^31 records");
    progress.start(Stage::Blocking, records.len() as u64);
    let mut postings: Vec<(u64, u32)> = records
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(chunk, recs)| {
            let mut keys = Vec::new();
            let mut out = Vec::new();
            for (k, r) in recs.iter().enumerate() {
                let idx = (chunk * CHUNK + k) as u32;
                keys.clear();
                blocking::keys(r, &mut keys);
                out.extend(
                    keys.iter()
                        .map(|&Key { hash, a }| (hash, idx | (u32::from(!a) << 31))),
                );
            }
            progress.advance(recs.len() as u64);
            out
        })
        .collect();
    postings.par_sort_unstable();
    let blocks = block_bounds(&postings);

    let mut context = Context::default();
    let (mut brands, mut shared_brands) = (0_u32, 0_u32);
    for &(start, end) in &blocks {
        let (key, n) = (postings[start].0, end - start);
        let kind = Kind::of(key);
        brands += u32::from(kind == Kind::CityBrand);
        match kind {
            Kind::Contact => {
                context.contact_counts.insert(key, n as u32);
            }
            Kind::CityBrand if several_firms(records, &postings[start..end]) => {
                shared_brands += 1;
                context.ambiguous.insert(key);
            }
            _ if kind.is_exact() && n > kind.cap() => {
                context.junk.insert(key);
            }
            _ => {}
        }
    }
    context.fitted = true;
    context.records = records.len();
    context.brand_trust = 1.0 - shared_brands as f32 / brands.max(1) as f32;
    context.multi_city = multi_city_cores(records);
    context.shared_sounds = shared_sounds(records);
    let mut pairs: Vec<u64> = blocks
        .par_iter()
        .flat_map_iter(|&(start, end)| block_pairs(&postings[start..end]))
        .collect();
    drop(postings);
    pairs.par_sort_unstable();
    pairs.dedup();

    let matcher = Matcher { level, context };
    progress.start(Stage::Scoring, pairs.len() as u64);
    let mut links: Vec<Link> = pairs
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let found: Vec<Link> = chunk
                .iter()
                .filter_map(|&pair| {
                    let (a, b) = ((pair >> 32) as u32, pair as u32);
                    let score = matcher.score(&records[a as usize], &records[b as usize]);
                    (score >= 0.5).then_some(Link { a, b, score })
                })
                .collect();
            progress.advance(chunk.len() as u64);
            found
        })
        .collect();
    let compared = pairs.len() as u64;
    drop(pairs);

    progress.start(Stage::Linking, links.len() as u64);
    links.par_sort_unstable_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let mut sets = Sets::new(records, level);
    links.retain(|l| sets.union(records, l.a, l.b));
    progress.advance(links.len() as u64);
    let placeholder_values = matcher.context.junk.len();
    Clustering {
        cluster_of: sets.first_members(),
        links,
        compared,
        placeholder_values,
        matcher,
    }
}

/// True when the Chinese names in `block` begin in more than one way (their first four
/// characters): several firms share the brand or its sound. Short names are left out: they
/// are the ones whose meaning is in question.
fn several_firms(records: &[Prepared], block: &[(u64, u32)]) -> bool {
    if block.len() > 200 {
        return true;
    }
    let mut first: Option<&[char]> = None;
    for &(_, e) in block {
        let Some(c) = &records[(e & !(1 << 31)) as usize].company else {
            continue;
        };
        if c.latin || c.core.len() <= SHORT {
            continue;
        }
        let head = &c.core[..4.min(c.core.len())];
        match first {
            None => first = Some(head),
            Some(f) if f != head => return true,
            Some(_) => {}
        }
    }
    false
}

/// The Chinese cores longer than a brand that records place in two or more cities.
fn multi_city_cores(records: &[Prepared]) -> HashSet<u64, KeyHash> {
    let mut first: HashMap<u64, &'static str, KeyHash> = HashMap::default();
    let mut several = HashSet::default();
    for r in records {
        let (Some(c), Some(city)) = (&r.company, r.city) else {
            continue;
        };
        if c.latin || c.core.len() <= SHORT {
            continue;
        }
        let key = core_key(&c.core);
        if *first.entry(key).or_insert(city) != city {
            several.insert(key);
        }
    }
    several
}

/// `(start, end)` of each run of equal keys of at least two postings.
fn block_bounds(postings: &[(u64, u32)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=postings.len() {
        if i == postings.len() || postings[i].0 != postings[start].0 {
            if i - start >= 2 {
                out.push((start, i));
            }
            start = i;
        }
    }
    out
}

/// The pairs a block asks to compare, as `smaller << 32 | larger`.
fn block_pairs(block: &[(u64, u32)]) -> Vec<u64> {
    let kind = Kind::of(block[0].0);
    if block.len() > kind.cap() {
        return Vec::new();
    }
    let role_b = |e: u32| e >> 31 == 1;
    let idx = |e: u32| e & !(1 << 31);
    let pack = |x: u32, y: u32| (u64::from(x.min(y)) << 32) | u64::from(x.max(y));
    let mut out = Vec::new();
    for (i, &(_, x)) in block.iter().enumerate() {
        if role_b(x) {
            continue;
        }
        for (j, &(_, y)) in block.iter().enumerate() {
            let wanted = if role_b(y) {
                true
            } else {
                j > i && kind.pairs_within_a()
            };
            if wanted && idx(x) != idx(y) {
                out.push(pack(idx(x), idx(y)));
            }
        }
    }
    out
}

/// Union-find over record indices, each set remembering one credit code, branch and (at
/// contact level) person, to refuse joins that contradict them.
struct Sets {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Per root: a member whose credit code, branch and contact speak for the set.
    credit: Vec<Option<u32>>,
    branch: Vec<Option<u32>>,
    person: Vec<Option<u32>>,
}

impl Sets {
    fn new(records: &[Prepared], level: Level) -> Self {
        let n = records.len();
        let own = |has: &dyn Fn(&Prepared) -> bool| -> Vec<Option<u32>> {
            (0..n as u32)
                .map(|i| has(&records[i as usize]).then_some(i))
                .collect()
        };
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            credit: own(&|r| r.credit_code.is_some()),
            branch: own(&|r| r.company.as_ref().is_some_and(|c| c.branch.is_some())),
            person: if level == Level::Contact {
                own(&|r| r.contact.as_ref().is_some_and(|c| !c.surname_only))
            } else {
                vec![None; n]
            },
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    /// Joins the sets of `a` and `b` unless they contradict; true when they are one set after.
    fn union(&mut self, records: &[Prepared], a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let (ra, rb) = (ra as usize, rb as usize);
        let clash = |x: Option<u32>,
                     y: Option<u32>,
                     same: &dyn Fn(&Prepared, &Prepared) -> bool| {
            matches!((x, y), (Some(x), Some(y)) if !same(&records[x as usize], &records[y as usize]))
        };
        if clash(self.credit[ra], self.credit[rb], &|x, y| {
            x.credit_code == y.credit_code
        }) || clash(self.branch[ra], self.branch[rb], &|x, y| {
            x.company.as_ref().map(|c| &c.branch) == y.company.as_ref().map(|c| &c.branch)
        }) || clash(
            self.person[ra],
            self.person[rb],
            &|x, y| match (&x.contact, &y.contact) {
                (Some(p), Some(q)) => same_person(p, q),
                _ => true,
            },
        ) {
            return false;
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big as u32;
        self.size[big] += self.size[small];
        self.credit[big] = self.credit[big].or(self.credit[small]);
        self.branch[big] = self.branch[big].or(self.branch[small]);
        self.person[big] = self.person[big].or(self.person[small]);
        true
    }

    /// Each record's cluster named by its first member in input order.
    fn first_members(mut self) -> Vec<u32> {
        let n = self.parent.len();
        let mut first = vec![u32::MAX; n];
        let mut out = Vec::with_capacity(n);
        for i in 0..n as u32 {
            let root = self.find(i) as usize;
            if first[root] == u32::MAX {
                first[root] = i;
            }
            out.push(first[root]);
        }
        out
    }
}
