//! Precision and recall of the on-create check: the hits of the in-process checks against
//! the generator's truth (the stored customer of each probe's firm, if any).
//!
//! A probe's hits are read as pairs (probe, customer), a customer shown twice (by its mobile
//! and by its credit code) counted once. A pair is right when the customer is the probe's
//! firm. Precision: right pairs / pairs shown; recall: probes shown their firm / probes whose
//! firm is stored; F1 their harmonic mean. A false block is a pair shown as blocking the save
//! (a strong key: mobile or credit code) whose customer is another firm.
//!
//! A hit names its customer only when the rep may open it, so the checks run once more as
//! the team's manager, who may open every customer, and must show the rep's hits.

use crate::data::{Dataset, Probe, ProbeKind};
use kehu_domain::Actor;
use kehu_domain::customer::NewCustomer;
use kehu_server::identity::{CheckInput, DuplicateHit, check};
use kehu_server::{Clock, Server, ServerConfig};
use kehu_store::Store;

/// Counts over probes.
#[derive(Default, Clone, Copy)]
struct Tally {
    probes: usize,
    hits: usize,
    pairs: usize,
    /// Probes whose firm is stored.
    stored: usize,
    /// Probes shown their firm (= right pairs: a firm is one customer, counted once).
    right: usize,
    false_blocks: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.probes += o.probes;
        self.hits += o.hits;
        self.pairs += o.pairs;
        self.stored += o.stored;
        self.right += o.right;
        self.false_blocks += o.false_blocks;
    }
}

/// Pairwise precision, recall and F1 from the pairs shown, the probes whose firm is stored
/// and the right pairs; `None` where the denominator is zero.
fn scores(pairs: usize, stored: usize, right: usize) -> [Option<f64>; 3] {
    let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
    let (p, r) = (ratio(right, pairs), ratio(right, stored));
    let f1 = p.zip(r).map(|(p, r)| {
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    });
    [p, r, f1]
}

/// The stored id of each of `customers`, read back in id order and checked row by row
/// against the customer inserted at that position (name and phone).
async fn customer_ids(url: &str, customers: &[NewCustomer]) -> Vec<i64> {
    macro_rules! read_back {
        ($pool:expr) => {{
            let pool = $pool;
            let mut ids: Vec<i64> = Vec::with_capacity(customers.len());
            let mut after = i64::MIN;
            loop {
                let page: Vec<(i64, String, String)> = sqlx::query_as(
                    "select id, name, phone from customers where id > $1 order by id limit 10000",
                )
                .bind(after)
                .fetch_all(&pool)
                .await
                .expect("read customers back");
                let Some(last) = page.last() else { break };
                after = last.0;
                for (id, name, phone) in page {
                    let c = &customers[ids.len()];
                    assert!(
                        name == c.name.as_str() && phone == c.phone.e164(),
                        "customer {id} is not the {}th inserted",
                        ids.len() + 1
                    );
                    ids.push(id);
                }
            }
            pool.close().await;
            ids
        }};
    }
    let ids = if url.starts_with("sqlite:") {
        read_back!(sqlx::SqlitePool::connect(url).await.expect("sqlite"))
    } else {
        read_back!(sqlx::PgPool::connect(url).await.expect("postgres"))
    };
    assert_eq!(ids.len(), customers.len(), "customers read back");
    ids
}

/// One probe's hits against `expected`, the id of its firm's customer.
fn of_probe(expected: Option<i64>, hits: &[DuplicateHit]) -> Tally {
    // (customer, blocks), one per customer shown.
    let mut pairs: Vec<(i64, bool)> = Vec::new();
    for h in hits {
        let id = h.id.expect("the manager may open every customer");
        match pairs.iter_mut().find(|(c, _)| *c == id) {
            Some(pair) => pair.1 |= h.blocks,
            None => pairs.push((id, h.blocks)),
        }
    }
    Tally {
        probes: 1,
        hits: hits.len(),
        pairs: pairs.len(),
        stored: usize::from(expected.is_some()),
        right: usize::from(pairs.iter().any(|(c, _)| Some(*c) == expected)),
        false_blocks: pairs
            .iter()
            .filter(|(c, blocks)| *blocks && Some(*c) != expected)
            .count(),
    }
}

/// What a rep sees of a probe's hits, ids aside.
fn seen(hits: &[DuplicateHit]) -> Vec<(&str, bool, bool)> {
    hits.iter()
        .map(|h| (h.key.as_str(), h.blocks, h.fuzzy))
        .collect()
}

/// The checks of `probes` again as `manager`, per probe kind against the truth; `measured`
/// holds the rep's hits, in probe order.
async fn tally(
    store: &Store,
    url: &str,
    manager: &Actor,
    probes: &[Probe],
    measured: &[Vec<DuplicateHit>],
    ids: &[i64],
) -> [Tally; 3] {
    let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), url.to_owned());
    let server = Server::with_store(config, store.clone(), Clock::System)
        .await
        .expect("server");
    let mut out = [Tally::default(); 3];
    for (p, rep_hits) in probes.iter().zip(measured) {
        let hits = check(
            server.state(),
            manager,
            &CheckInput::of_new(&p.customer),
            None,
        )
        .await
        .expect("check");
        assert_eq!(seen(&hits), seen(rep_hits), "the manager saw other hits");
        out[p.kind as usize].add(of_probe(p.expected.map(|i| ids[i]), &hits));
    }
    out
}

fn row(label: &str, t: Tally) {
    let [p, r, f1] = scores(t.pairs, t.stored, t.right)
        .map(|s| s.map_or("–".to_owned(), |s| format!("{s:.4}")));
    println!(
        "| {label} | {} | {} | {} | {} | {} | {p} | {r} | {f1} | {} |",
        t.probes, t.hits, t.pairs, t.stored, t.right, t.false_blocks
    );
}

/// Prints under `title` the evaluation of the in-process checks whose hits are `measured`.
pub async fn report(
    title: &str,
    store: &Store,
    url: &str,
    manager: &Actor,
    data: &Dataset,
    measured: &[Vec<DuplicateHit>],
) {
    let ids = customer_ids(url, &data.customers).await;
    let per_kind = tally(store, url, manager, &data.probes, measured, &ids).await;
    println!("{title}\n");
    println!(
        "| probes | N | hits | pairs (probe, customer) | firm stored | shown their firm | precision | recall | F1 | false blocks (strong key) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut all = Tally::default();
    for kind in ProbeKind::ALL {
        row(kind.label(), per_kind[kind as usize]);
        all.add(per_kind[kind as usize]);
    }
    row("all probes", all);
    println!(
        "\nPrecision: shown their firm / pairs; recall: shown their firm / firm stored. A false block: a blocking pair of another firm.\n"
    );
}
