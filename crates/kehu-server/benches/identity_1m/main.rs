//! The duplicate check at the door (查重) with a million customers, and the bulk insert that
//! fills the database, on SQLite and PostgreSQL. The in-process checks are also scored
//! against the generator's truth: pairwise precision, recall and F1 per probe kind, and
//! false blocks on strong keys (`evaluate.rs`).
//!
//! Run: `cargo bench -p kehu-server --bench identity_1m`. `KEHU_BENCH_CUSTOMERS=100000` for a
//! quick run; `KEHU_BENCH_PROBES` checks per probe kind (default 1000);
//! `KEHU_BENCH_ENGINES=sqlite` (or `postgres`) runs one engine only. The SQLite database is
//! kept under the target directory, keyed by size and schema, so a re-run skips its build
//! (delete it to measure the build again); PostgreSQL (the test kit's throwaway cluster) is
//! built every run. Every figure is printed beside a baseline measured in the same run.

// The labelled generator of `kehu dedupe --generate`, compiled in: the `kehu` crate depends
// on this one, so the bench cannot depend on it.
#[path = "../../../kehu/src/dedupe/generate.rs"]
mod generate;
#[path = "../../../kehu/src/dedupe/render.rs"]
mod render;
#[path = "../../../kehu/src/dedupe/vocab.rs"]
mod vocab;

mod build;
mod check;
mod data;
mod evaluate;
mod stats;

use kehu_server::Clock;
use kehu_store::Store;
use kehu_testkit::{Backend, TestDb};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Instant;

/// Bump when what the bench writes changes, to drop cached databases.
const DATA_VERSION: u32 = 2;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| v.replace('_', "").parse().expect("a number"))
        .unwrap_or(default)
}

/// The cached SQLite file for `n` customers with this schema and match-index version.
fn sqlite_cache(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kehu-store/migrations/sqlite");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.file_name().unwrap_or_default().as_encoded_bytes());
        h.update(std::fs::read(&f).expect("migration"));
    }
    h.update(kehu_store::match_index::current_version());
    h.update(format!("{DATA_VERSION}/{}", data::SEED));
    let key = &hex::encode(h.finalize())[..12];
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("kehu-bench/identity-{n}-{key}.db"))
}

/// Opens the cached SQLite database, building it first when missing.
async fn sqlite(data: &data::Dataset) -> (Store, String, Option<Vec<stats::Throughput>>) {
    let path = sqlite_cache(data.customers.len());
    let url = format!("sqlite://{}", path.display());
    if path.exists() {
        eprintln!("[Sqlite] using the cached database {}", path.display());
        let store = Store::connect(&url).await.expect("open");
        store.migrate().await.expect("migrate");
        return (store, url, None);
    }
    std::fs::create_dir_all(path.parent().expect("dir")).expect("cache dir");
    let building = path.with_extension("building");
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", building.display())).ok();
    }
    let build_url = format!("sqlite://{}", building.display());
    let store = Store::connect(&build_url).await.expect("create");
    store.migrate().await.expect("migrate");
    let writes = fill(&store, &build_url, data, "Sqlite").await;
    store
        .execute_admin("pragma wal_checkpoint(truncate)")
        .await
        .expect("checkpoint");
    store.close().await;
    std::fs::rename(&building, &path).expect("keep the database");
    let store = Store::connect(&url).await.expect("open");
    (store, url, Some(writes))
}

/// The organisation, the baseline and the bulk insert.
async fn fill(
    store: &Store,
    url: &str,
    data: &data::Dataset,
    label: &str,
) -> Vec<stats::Throughput> {
    let now = Clock::System.now();
    let org = build::create_org(store, now).await;
    eprintln!("[{label}] baseline: plain multi-row insert");
    let base = build::plain_baseline(url, &data.customers).await;
    eprintln!("[{label}] bulk insert");
    let bulk = build::bulk_insert(store, &org, &data.customers, now, label).await;
    vec![base, bulk]
}

async fn report(
    backend: Backend,
    store: &Store,
    url: &str,
    data: &data::Dataset,
    writes: Option<Vec<stats::Throughput>>,
) {
    let n = data.customers.len();
    assert_eq!(store.customer_total().await.expect("count"), n as i64);
    match writes {
        Some(w) => stats::print_throughput(
            &format!("### {backend:?}: bulk insert of {n} customers"),
            &w,
        ),
        None => println!(
            "### {backend:?}: bulk insert\n\nNot measured: the cached database was used (delete it to measure).\n"
        ),
    }
    let org = build::load_org(store).await;
    eprintln!("[{backend:?}] checks");
    let (rows, found, hits) = check::measure(store, url, &org.reps[0], &data.probes, n).await;
    stats::print_latencies(
        &format!("### {backend:?}: on-create check with {n} customers"),
        &rows,
    );
    println!("What the in-process checks found:\n");
    println!("| probes | N | blocked (strong key) | with a fuzzy hit |");
    println!("|---|---:|---:|---:|");
    for kind in data::ProbeKind::ALL {
        let (p, b, f) = found[kind as usize];
        println!("| {} | {p} | {b} | {f} |", kind.label());
    }
    println!();
    eprintln!("[{backend:?}] evaluation");
    evaluate::report(
        &format!("### {backend:?}: precision and recall of the on-create check with {n} customers"),
        store,
        url,
        &org.importer,
        data,
        &hits,
    )
    .await;
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

#[tokio::main]
async fn main() {
    let n = env_usize("KEHU_BENCH_CUSTOMERS", 1_000_000);
    let per_kind = env_usize("KEHU_BENCH_PROBES", 1000);
    let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
    println!("## Kehu identity with {n} customers\n");
    println!(
        "- date: {}",
        Clock::System.now().format("%Y-%m-%d %H:%M UTC")
    );
    println!("- machine: {cores} cores (nproc), {}", cpu_model());
    let started = Instant::now();
    let t = Instant::now();
    let data = data::build(n, per_kind);
    println!(
        "- data: {} generated records (seed {}) gave {n} customers and {} probes in {:.1} s (not measured)\n",
        data.records,
        data::SEED,
        data.probes.len(),
        t.elapsed().as_secs_f64()
    );

    let engines = std::env::var("KEHU_BENCH_ENGINES").unwrap_or_default();
    let runs = |name: &str| engines.is_empty() || engines.contains(name);
    if runs("sqlite") {
        let (store, url, writes) = sqlite(&data).await;
        report(Backend::Sqlite, &store, &url, &data, writes).await;
        store.close().await;
    }
    if runs("postgres") {
        postgres(&data).await;
    }
    println!("Total run time: {:.0} s.", started.elapsed().as_secs_f64());
}

/// Fills a throwaway PostgreSQL database (built every run) and measures it.
async fn postgres(data: &data::Dataset) {
    let db = TestDb::new(Backend::Postgres).await;
    let writes = fill(&db.store, &db.url, data, "Postgres").await;
    // What autovacuum would do soon after a big import: give the planner statistics.
    db.store.execute_admin("analyze").await.expect("analyze");
    report(Backend::Postgres, &db.store, &db.url, data, Some(writes)).await;
    db.store.close().await;
}
