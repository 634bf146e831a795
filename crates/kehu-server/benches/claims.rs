//! The claim endpoint under 200 concurrent claimers, against a baseline measured in the
//! same run on the same engine: a minimal axum handler doing one insert per request, served
//! and driven the same way (HTTP over loopback, same client, same concurrency).
//!
//! Run: `cargo bench -p kehu-server --bench claims` (SQLite, then PostgreSQL;
//! `KEHU_BENCH_ENGINES=sqlite` for one). Prints the machine, the date and a Markdown table per
//! engine, with the process's CPU time per request. Each claimer claims its own customers, so
//! every request is a real claim (the pool's rules counted and the claim written in one
//! transaction holding the rep's lock).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Utc;
use futures::future::join_all;
use kehu_domain::customer::{CustomerInput, NewCustomer};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::{self, Reason};
use kehu_domain::{Actor, Role};
use kehu_server::auth::token::{random_token, token_hash};
use kehu_server::{Clock, Server, ServerConfig};
use kehu_store::NewUser;
use kehu_testkit::{Backend, TestDb};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Concurrent clients.
const CLAIMERS: usize = 200;
/// Requests per client.
const PER_CLAIMER: usize = 10;

struct Row {
    name: &'static str,
    ok: usize,
    total: usize,
    per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// CPU time of the whole process (all threads) per request, when the OS tells.
    cpu_us: Option<f64>,
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
async fn drive(
    base: &str,
    requests: Vec<Vec<(String, Option<String>)>>,
    name: &'static str,
) -> Row {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLAIMERS)
        .build()
        .expect("client");
    eprintln!("driving: {name}");
    let cpu_before = process_cpu();
    let started = Instant::now();
    let runs = requests.into_iter().map(|list| {
        let client = client.clone();
        async move {
            let mut out = Vec::with_capacity(list.len());
            for (path, auth) in list {
                let mut req = client.post(format!("{base}{path}"));
                if let Some(a) = auth {
                    req = req.header("authorization", a);
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
async fn baseline(backend: Backend) -> (Row, TestDb) {
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
    let requests = (0..CLAIMERS)
        .map(|_| {
            (0..PER_CLAIMER)
                .map(|_| ("/hit".to_owned(), None))
                .collect()
        })
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

fn customer(name: &str, phone: &str) -> NewCustomer {
    let input = CustomerInput {
        name: Some(name.into()),
        phone: Some(phone.into()),
        source: Some("web".into()),
        ..Default::default()
    };
    NewCustomer::parse(&input, chrono::FixedOffset::east_opt(8 * 3600).expect("tz")).expect("valid")
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark stands in for the clock"
)]
async fn claims(backend: Backend) -> Row {
    let db = TestDb::new(backend).await;
    let s = &db.store;
    let now = Utc::now();
    let team = s.create_team("华东", None, now).await.expect("team");
    let seller_id = s
        .create_user(
            &NewUser {
                login: "seller",
                name: "seller",
                role: Role::Rep,
                team_id: Some(team),
                password_hash: "x",
            },
            now,
        )
        .await
        .expect("seller");
    let seller: Actor = s.actor(seller_id).await.expect("load").expect("active");
    let reason = Reason::parse("bench").expect("reason");
    let mut requests = Vec::with_capacity(CLAIMERS);
    for i in 0..CLAIMERS {
        let login = format!("rep{i:03}");
        let id = s
            .create_user(
                &NewUser {
                    login: &login,
                    name: &login,
                    role: Role::Rep,
                    team_id: Some(team),
                    password_hash: "x",
                },
                now,
            )
            .await
            .expect("rep");
        let token = random_token();
        s.create_api_token(id, "bench", &token_hash(&token), now)
            .await
            .expect("token");
        let mut list = Vec::with_capacity(PER_CLAIMER);
        for j in 0..PER_CLAIMER {
            let phone = format!("139{:08}", i * PER_CLAIMER + j);
            let c = s
                .create_customer(&seller, &customer(&format!("客户{phone}"), &phone), now)
                .await
                .expect("customer");
            release(s, &seller, c, &reason, now).await;
            list.push((
                format!("/api/v1/customers/{}/claim", c.0),
                Some(format!("Bearer {token}")),
            ));
        }
        requests.push(list);
    }
    let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), db.url.clone());
    let server = Server::with_store(config, db.store.clone(), Clock::System)
        .await
        .expect("server");
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.run_until(std::future::pending::<()>()));
    let row = drive(&base, requests, "POST /api/v1/customers/{id}/claim").await;
    std::mem::forget(db); // the server task still uses it; the process ends right after
    row
}

async fn release(
    s: &kehu_store::Store,
    owner: &Actor,
    id: CustomerId,
    reason: &Reason,
    now: chrono::DateTime<Utc>,
) {
    let state = s.ownership_state(id).await.expect("state").expect("exists");
    let change = ownership::release(owner, &state, reason, now).expect("release");
    s.apply_owner_change(&change).await.expect("apply");
}

#[tokio::main]
async fn main() {
    // `KEHU_BENCH_ENGINES=sqlite` skips PostgreSQL (which needs its server binaries).
    let engines = std::env::var("KEHU_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
    #[expect(clippy::disallowed_methods, reason = "the report's date")]
    let today = Utc::now().format("%Y-%m-%d %H:%M UTC");
    println!(
        "{today}, {} cores, {CLAIMERS} concurrent clients × {PER_CLAIMER} requests",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (key, backend) in [("sqlite", Backend::Sqlite), ("postgres", Backend::Postgres)] {
        if !engines.split(',').any(|e| e.trim() == key) {
            continue;
        }
        let (base, keep) = baseline(backend).await;
        let claim = claims(backend).await;
        println!("\n### {backend:?}\n");
        table(&base, &claim);
        // The baseline's server task still uses its database; the process ends soon after.
        std::mem::forget(keep);
    }
}

fn table(base: &Row, claim: &Row) {
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
