//! HTTP load shared by the concurrency benches: many clients over loopback, each sending its
//! requests one after another, all clients at once; the same-run baseline (a minimal axum
//! handler doing one insert per request on the engine's production settings); and the
//! Markdown table with ratios to it.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Utc;
use futures::future::join_all;
use kehu_testkit::{Backend, TestDb};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Concurrent clients.
pub const CLIENTS: usize = 200;
/// Requests per client.
pub const PER_CLIENT: usize = 10;

/// One request: a path, its headers and an optional JSON body.
pub struct Req {
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl Req {
    /// A bare POST to `path`.
    pub fn post(path: &str) -> Req {
        Req {
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }
}

/// One measured path.
pub struct Row {
    pub name: &'static str,
    pub ok: usize,
    pub total: usize,
    pub per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// CPU time of the whole process (all threads) per request, when the OS tells.
    pub cpu_us: Option<f64>,
}

/// CPU time used so far by all threads of this process (Linux: `/proc/self/task/*/schedstat`).
fn process_cpu() -> Option<Duration> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(ns))
}

/// Fires `paths[i]` for client `i`, one request after another per client, all clients at once.
pub async fn drive(base: &str, requests: Vec<Vec<Req>>, name: &'static str) -> Row {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    eprintln!("driving: {name}");
    let cpu_before = process_cpu();
    let started = Instant::now();
    let runs = requests.into_iter().map(|list| {
        let client = client.clone();
        async move {
            let mut out = Vec::with_capacity(list.len());
            for r in list {
                let mut req = client.post(format!("{base}{}", r.path));
                for (k, v) in r.headers {
                    req = req.header(k, v);
                }
                if let Some(b) = r.body {
                    req = req.header("content-type", "application/json").body(b);
                }
                let t = Instant::now();
                let ok = req.send().await.is_ok_and(|r| r.status().is_success());
                out.push((t.elapsed(), ok));
            }
            out
        }
    });
    let results: Vec<(Duration, bool)> = join_all(runs).await.into_iter().flatten().collect();
    let total_time = started.elapsed();
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(a, b)| a.saturating_sub(b));
    let mut ms: Vec<f64> = results.iter().map(|(d, _)| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let n = ms.len().max(1);
    let rank = |p: f64| ms[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    let ok = results.iter().filter(|(_, ok)| *ok).count();
    Row {
        name,
        ok,
        total: results.len(),
        per_s: ok as f64 / total_time.as_secs_f64(),
        p50_ms: rank(0.50),
        p99_ms: rank(0.99),
        cpu_us: cpu.map(|c| c.as_secs_f64() * 1e6 / results.len().max(1) as f64),
    }
}

/// The baseline on `backend`: a minimal axum handler doing one insert per request on its own
/// pool (SQLite: the production settings and pool size; PostgreSQL: the same cluster).
pub async fn baseline(backend: Backend) -> (Row, TestDb) {
    let db = TestDb::new(backend).await;
    let app = match backend {
        Backend::Sqlite => {
            let url = format!("{}-baseline", db.url);
            let opts = SqliteConnectOptions::from_str(&url)
                .expect("url")
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(kehu_store::Store::sqlite_pool_size())
                // As Kehu's own SQLite pool (`Store::connect`).
                .test_before_acquire(false)
                .connect_with(opts)
                .await
                .expect("baseline pool");
            sqlx::query("create table hits (id integer primary key, at text not null)")
                .execute(&pool)
                .await
                .expect("table");
            Router::new()
                .route("/hit", post(insert_sqlite))
                .with_state(pool)
        }
        Backend::Postgres => {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .connect(&db.url)
                .await
                .expect("baseline pool");
            sqlx::query("create table hits (id bigserial primary key, at timestamptz not null)")
                .execute(&pool)
                .await
                .expect("table");
            Router::new()
                .route("/hit", post(insert_pg))
                .with_state(pool)
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let requests = (0..CLIENTS)
        .map(|_| (0..PER_CLIENT).map(|_| Req::post("/hit")).collect())
        .collect();
    let name = match backend {
        Backend::Sqlite => "baseline: one SQLite insert",
        Backend::Postgres => "baseline: one PostgreSQL insert",
    };
    (drive(&base, requests, name).await, db)
}

async fn insert_sqlite(State(pool): State<sqlx::SqlitePool>) -> StatusCode {
    #[expect(clippy::disallowed_methods, reason = "the baseline stamps its rows")]
    let at = Utc::now();
    let done = sqlx::query("insert into hits (at) values ($1)")
        .bind(at)
        .execute(&pool)
        .await;
    done.map_or(StatusCode::INTERNAL_SERVER_ERROR, |_| StatusCode::OK)
}

async fn insert_pg(State(pool): State<sqlx::PgPool>) -> StatusCode {
    #[expect(clippy::disallowed_methods, reason = "the baseline stamps its rows")]
    let at = Utc::now();
    let done = sqlx::query("insert into hits (at) values ($1)")
        .bind(at)
        .execute(&pool)
        .await;
    done.map_or(StatusCode::INTERNAL_SERVER_ERROR, |_| StatusCode::OK)
}

/// Prints the machine and date, then for each engine `KEHU_BENCH_ENGINES` names (default
/// both; `sqlite` alone skips PostgreSQL, which needs its server binaries) the baseline and
/// `measure`'s row as a table.
pub async fn each_engine<F, Fut>(clients: &str, measure: F)
where
    F: Fn(Backend) -> Fut,
    Fut: std::future::Future<Output = Row>,
{
    let engines = std::env::var("KEHU_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
    #[expect(clippy::disallowed_methods, reason = "the report's date")]
    let today = Utc::now().format("%Y-%m-%d %H:%M UTC");
    println!(
        "{today}, {} cores, {CLIENTS} concurrent {clients} × {PER_CLIENT} requests",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (key, backend) in [("sqlite", Backend::Sqlite), ("postgres", Backend::Postgres)] {
        if !engines.split(',').any(|e| e.trim() == key) {
            continue;
        }
        let (base, keep) = baseline(backend).await;
        let row = measure(backend).await;
        println!("\n### {backend:?}\n");
        table(&base, &row);
        // The baseline's server task still uses its database; the process ends soon after.
        std::mem::forget(keep);
    }
}

/// The Markdown table: each row against the baseline.
pub fn table(base: &Row, claim: &Row) {
    println!(
        "| path | ok/total | req/s | p50 ms | p99 ms | CPU µs/req | throughput vs baseline | baseline p99 / p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in [base, claim] {
        let cpu = r
            .cpu_us
            .map_or_else(|| "–".to_owned(), |c| format!("{c:.0}"));
        println!(
            "| {} | {}/{} | {:.0} | {:.1} | {:.1} | {cpu} | {:.0}% | {:.0}% |",
            r.name,
            r.ok,
            r.total,
            r.per_s,
            r.p50_ms,
            r.p99_ms,
            100.0 * r.per_s / base.per_s,
            100.0 * base.p99_ms / r.p99_ms,
        );
    }
}
