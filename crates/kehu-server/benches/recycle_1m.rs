//! One recycle pass (`jobs::run_once`) over a million owned customers, against a baseline
//! measured in the same run: a plain full scan of the same rows
//! (`select id, owner_id, owner_since from customers`, decoded in Rust).
//!
//! Run: `cargo bench -p kehu-server --bench recycle_1m`. `KEHU_BENCH_CUSTOMERS=100000` for a
//! quick run; `KEHU_BENCH_PG=1` measures PostgreSQL too (the test kit's throwaway cluster,
//! filled every run). The SQLite database is built once under the target directory, keyed by
//! size and schema, and every run works on a fresh copy of it (a pass recycles).
//!
//! The mix, at the instant judged (default rules: 30 days without an effective follow-up,
//! warned 3 days before; protection 15 days, +7 a follow-up, at most 60), over 200 reps:
//! 91% followed up in the last 25 days; 1% due (last follow-up 31–50 days ago); 2% in the
//! warning window; 2% locked; 3% claimed 16–45 days ago with an effective follow-up two days
//! in (their verdict depends on the protection period, so their follow-ups are read); 1% in
//! the pool. One rep is whitelisted; ten reps have been on leave for 8 days and are back in 5.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kehu_domain::Role;
use kehu_server::{AppState, Clock, ServerConfig, jobs};
use kehu_store::{NewUser, Store};
use kehu_testkit::{Backend, TestDb};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Instant;

/// Bump when what the bench writes changes, to drop cached databases.
const DATA_VERSION: u32 = 1;
/// Reps owning the customers.
const REPS: usize = 200;
/// Rows per multi-row insert (13 binds a row stays under SQLite's 32,766).
const INSERT_ROWS: usize = 2000;

/// The instant the pass judges; the data is laid out around it.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0)
        .single()
        .expect("t0")
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| v.replace('_', "").parse().expect("a number"))
        .unwrap_or(default)
}

/// A cheap, fixed scramble of `i` (so the mix is spread over ids and reps).
fn mix(i: u64) -> u64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

/// What one customer looks like at `t0`.
struct Shape {
    owner: Option<usize>,
    owner_since: DateTime<Utc>,
    last: Option<DateTime<Utc>>,
    locked: bool,
    /// An effective follow-up at this instant (recently claimed customers).
    follow_up: Option<DateTime<Utc>>,
}

fn shape(i: usize) -> Shape {
    let h = mix(i as u64);
    let bucket = h % 1000;
    let hours = |n: u64| Duration::hours(n as i64);
    let days = |n: u64| Duration::days(n as i64);
    let long_ago = t0() - days(300) + hours(h % 1000);
    let owner = Some(i % REPS);
    let plain = |last: DateTime<Utc>, locked: bool| Shape {
        owner,
        owner_since: long_ago,
        last: Some(last),
        locked,
        follow_up: None,
    };
    match bucket {
        0..20 => plain(t0() - days(40), true),
        20..30 => plain(t0() - days(31) - hours((h >> 10) % (20 * 24)), false),
        30..50 => plain(t0() - days(27) - hours((h >> 10) % 72), false),
        50..80 => {
            let since = t0() - days(16) - hours((h >> 10) % (30 * 24));
            let f = since + days(2);
            Shape {
                owner,
                owner_since: since,
                last: Some(f),
                locked: false,
                follow_up: Some(f),
            }
        }
        990.. => Shape {
            owner: None,
            owner_since: long_ago,
            last: None,
            locked: false,
            follow_up: None,
        },
        _ => plain(t0() - hours((h >> 10) % (25 * 24)), false),
    }
}

/// The cached SQLite file for `n` customers with this schema.
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
    h.update(format!("{DATA_VERSION}"));
    let key = &hex::encode(h.finalize())[..12];
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("kehu-bench/recycle-{n}-{key}.db"))
}

/// The reps (and a manager who created the customers), one of them whitelisted in the default
/// pool, ten of them on leave. Answers the user ids: manager first, then the reps.
async fn create_org(store: &Store) -> Vec<i64> {
    let now = t0() - Duration::days(400);
    let team = store
        .create_team("基准销售部", None, now)
        .await
        .expect("team");
    let mut ids = Vec::with_capacity(REPS + 1);
    let mut people = vec![(
        "bench_manager".to_owned(),
        "王经理".to_owned(),
        Role::Manager,
    )];
    people.extend((0..REPS).map(|i| {
        (
            format!("bench_rep_{i:03}"),
            format!("销售{i:03}"),
            Role::Rep,
        )
    }));
    for (login, name, role) in &people {
        let id = store
            .create_user(
                &NewUser {
                    login,
                    name,
                    role: *role,
                    team_id: Some(team),
                    password_hash: "not-a-login",
                },
                now,
            )
            .await
            .expect("user");
        ids.push(id.0);
    }
    ids
}

/// Fills customers, follow-ups, leave and the whitelist with multi-row inserts on `$pool`.
macro_rules! fill {
    ($pool:expr, $n:expr, $users:expr) => {{
        let pool = $pool;
        let users: &[i64] = $users;
        let created = t0() - Duration::days(400);
        let mut done = 0;
        while done < $n {
            let end = ($n).min(done + INSERT_ROWS);
            let mut tx = pool.begin().await.expect("begin");
            let mut q = sqlx::QueryBuilder::new(
                "insert into customers (id, name, name_normalized, search_text, phone, source, \
                 intent, grade, owner_id, owner_since, last_effective_follow_up_at, locked, \
                 pool_id, created_by, created_at, updated_at) ",
            );
            q.push_values(done..end, |mut b, i| {
                let s = shape(i);
                let name = format!("基准客户{i:07}");
                b.push_bind(i as i64 + 1)
                    .push_bind(name.clone())
                    .push_bind(name.clone())
                    .push_bind(name)
                    .push_bind(format!("+86139{:08}", i))
                    .push_bind("web")
                    .push_bind("medium")
                    .push_bind(["A", "B", "C"][i % 3])
                    .push_bind(s.owner.map(|r| users[r + 1]))
                    .push_bind(s.owner_since)
                    .push_bind(s.last)
                    .push_bind(s.locked);
                if s.owner.is_some() {
                    b.push("null");
                } else {
                    b.push("(select id from pools where is_default)");
                }
                b.push_bind(users[0]).push_bind(created).push_bind(created);
            });
            q.build().execute(&mut *tx).await.expect("customers");
            let follow_ups: Vec<(usize, DateTime<Utc>, i64)> = (done..end)
                .filter_map(|i| {
                    let s = shape(i);
                    Some((i, s.follow_up?, users[s.owner? + 1]))
                })
                .collect();
            if !follow_ups.is_empty() {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into follow_ups (customer_id, author_id, kind, content, tags, \
                     effective, unmet, at) ",
                );
                q.push_values(&follow_ups, |mut b, (i, at, author)| {
                    b.push_bind(*i as i64 + 1)
                        .push_bind(*author)
                        .push_bind("visit")
                        .push_bind("上门拜访，确认需求")
                        .push_bind("[]")
                        .push_bind(true)
                        .push_bind("[]")
                        .push_bind(*at);
                });
                q.build().execute(&mut *tx).await.expect("follow-ups");
            }
            tx.commit().await.expect("commit");
            done = end;
            if done % 200_000 == 0 {
                eprintln!("  {done} customers");
            }
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into leaves (user_id, starts_at, ends_at, note, source, recorded_by, recorded_at) ",
        );
        q.push_values(2..12, |mut b, k| {
            b.push_bind(users[k])
                .push_bind(t0() - Duration::days(8))
                .push_bind(t0() + Duration::days(5))
                .push_bind("年假")
                .push_bind("manual")
                .push_bind(users[0])
                .push_bind(t0() - Duration::days(9));
        });
        q.build().execute(pool).await.expect("leaves");
        sqlx::query(
            "insert into pool_whitelist (pool_id, user_id) \
             select id, $1 from pools where is_default",
        )
        .bind(users[1])
        .execute(pool)
        .await
        .expect("whitelist");
    }};
}

/// The baseline: every customer's id, owner and owner-since, decoded.
macro_rules! scan {
    ($pool:expr) => {{
        let t = Instant::now();
        let rows: Vec<(i64, Option<i64>, DateTime<Utc>)> =
            sqlx::query_as("select id, owner_id, owner_since from customers")
                .fetch_all($pool)
                .await
                .expect("scan");
        (t.elapsed().as_secs_f64(), rows.len())
    }};
}

/// Builds the SQLite database for `n` customers unless cached; answers a fresh working copy.
async fn sqlite(n: usize) -> String {
    let cached = sqlite_cache(n);
    if !cached.exists() {
        std::fs::create_dir_all(cached.parent().expect("dir")).expect("cache dir");
        let building = cached.with_extension("building");
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", building.display())).ok();
        }
        let url = format!("sqlite://{}", building.display());
        let store = Store::connect(&url).await.expect("create");
        store.migrate().await.expect("migrate");
        let users = create_org(&store).await;
        store.close().await;
        eprintln!("[Sqlite] building {n} customers (once; cached)");
        let t = Instant::now();
        let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
        fill!(&pool, n, &users);
        sqlx::query("pragma wal_checkpoint(truncate)")
            .execute(&pool)
            .await
            .expect("checkpoint");
        pool.close().await;
        eprintln!("[Sqlite] built in {:.0} s", t.elapsed().as_secs_f64());
        std::fs::rename(&building, &cached).expect("keep the database");
    }
    let work = cached.with_extension("work");
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", work.display())).ok();
    }
    std::fs::copy(&cached, &work).expect("working copy");
    format!("sqlite://{}", work.display())
}

/// One pass, timed; then a second pass (what every minute after costs: nothing newly due).
async fn passes(store: &Store, url: &str) -> [(f64, jobs::RecycleReport); 2] {
    let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), url.to_owned());
    let state = AppState::new(store.clone(), Clock::at(t0()), config);
    let mut out = [(0.0, jobs::RecycleReport::default()); 2];
    for slot in &mut out {
        let t = Instant::now();
        let report = jobs::run_once(&state).await.expect("pass").recycle;
        *slot = (t.elapsed().as_secs_f64(), report);
    }
    out
}

/// The judging alone (no writes), for the breakdown: seconds and customers to act on.
async fn judge_only(store: &Store) -> (f64, usize) {
    let pools = store.pools().await.expect("pools");
    let protection = kehu_domain::ownership::protection::ProtectionRules::default();
    let whitelists: Vec<Vec<i64>> = pools
        .iter()
        .map(|p| p.whitelist.iter().map(|u| u.id).collect())
        .collect();
    let watches: Vec<kehu_store::pools::PoolWatch<'_>> = pools
        .iter()
        .zip(&whitelists)
        .map(|(p, w)| kehu_store::pools::PoolWatch {
            pool: p.id,
            rules: &p.rules,
            whitelist: w,
        })
        .collect();
    let t = Instant::now();
    let judged = store
        .judge_pools(&watches, &protection, t0())
        .await
        .expect("judge");
    (t.elapsed().as_secs_f64(), judged.len())
}

fn print(
    label: &str,
    n: usize,
    base: (f64, usize),
    judged: (f64, usize),
    runs: [(f64, jobs::RecycleReport); 2],
) {
    println!("### {label}: recycle pass over {n} customers\n");
    println!("| what | time (s) | ratio to baseline | recycled | warned | skipped |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| baseline: `select id, owner_id, owner_since from customers` ({} rows) | {:.2} | 1.0 | | | |",
        base.1, base.0
    );
    println!(
        "| judging only: `Store::judge_pools` ({} to recycle or warn) | {:.2} | {:.1} | | | |",
        judged.1,
        judged.0,
        judged.0 / base.0
    );
    for (name, (s, r)) in ["first pass (catch-up)", "next pass (nothing new)"]
        .iter()
        .zip(runs)
    {
        println!(
            "| {name}: `jobs::run_once` | {s:.2} | {:.1} | {} | {} | {} |",
            s / base.0,
            r.recycled,
            r.warned,
            r.skipped
        );
    }
    println!();
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
    let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
    println!("## Kehu recycle pass with {n} customers\n");
    println!(
        "- date: {}",
        Clock::System.now().format("%Y-%m-%d %H:%M UTC")
    );
    println!("- machine: {cores} cores (nproc), {}\n", cpu_model());

    let url = sqlite(n).await;
    let store = Store::connect(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
    scan!(&pool); // Warm the page cache for both.
    let base = scan!(&pool);
    pool.close().await;
    let judged = judge_only(&store).await;
    let runs = passes(&store, &url).await;
    print("SQLite", n, base, judged, runs);
    store.close().await;
    std::fs::remove_file(url.trim_start_matches("sqlite://")).ok();

    if std::env::var("KEHU_BENCH_PG").is_ok_and(|v| v == "1") {
        let db = TestDb::new(Backend::Postgres).await;
        let users = create_org(&db.store).await;
        eprintln!("[Postgres] building {n} customers");
        let pool = sqlx::PgPool::connect(&db.url).await.expect("postgres");
        fill!(&pool, n, &users);
        // What autovacuum would do soon after a big import: give the planner statistics.
        sqlx::query("vacuum analyze")
            .execute(&pool)
            .await
            .expect("analyze");
        scan!(&pool);
        let base = scan!(&pool);
        pool.close().await;
        let judged = judge_only(&db.store).await;
        let runs = passes(&db.store, &db.url).await;
        print("PostgreSQL", n, base, judged, runs);
        db.store.close().await;
    }
}
