//! Kehu's hot paths on SQLite and PostgreSQL, as ratios to the cheapest write.
//!
//! Run: `cargo bench -p kehu-server --bench hot_paths`. Prints the machine, the date and one
//! Markdown table per engine. Absolute numbers depend on the machine and its neighbours; the
//! ratio to the baseline insert, measured in the same run on the same pool, is what carries
//! over. Every operation runs sequentially (one at a time), so this measures latency, not
//! throughput under concurrency.

use axum::body::Body;
use axum::http::header::AUTHORIZATION;
use axum::http::{Request, StatusCode};
use chrono::FixedOffset;
use kehu_domain::customer::{CustomerInput, NewCustomer};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::{self, Reason};
use kehu_domain::{Actor, Role};
use kehu_server::auth::token::{random_token, token_hash};
use kehu_server::demo::{DemoSize, seed};
use kehu_server::{Clock, Server, ServerConfig};
use kehu_store::customers::{ListQuery, Scope};
use kehu_testkit::{Backend, TestDb};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Measured time per row: long enough to smooth a noisy shared machine, short enough that
/// the whole run stays within a few minutes.
const TARGET: Duration = Duration::from_millis(1500);
/// Warm-up per row (connections, statement caches, page cache), also used to pick N.
const WARMUP: Duration = Duration::from_millis(200);
/// Bounds on N, so a very fast or very slow path still gets a usable sample.
const MIN_OPS: usize = 50;
const MAX_OPS: usize = 20_000;
const MAX_WARMUP_OPS: usize = 2_000;

/// The rep the demo organisation always has (seeded from a fixed RNG seed).
const REP_LOGIN: &str = "xuqiang";

/// One measured row.
struct Row {
    name: String,
    n: usize,
    ops_per_s: f64,
    mean_us: f64,
    p50_us: f64,
    p99_us: f64,
}

impl Row {
    fn new(name: impl Into<String>, samples: &[Duration], total: Duration) -> Row {
        let mut us: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
        us.sort_by(f64::total_cmp);
        let n = us.len().max(1);
        // Nearest-rank percentile.
        let rank = |p: f64| us[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
        Row {
            name: name.into(),
            n: us.len(),
            ops_per_s: us.len() as f64 / total.as_secs_f64(),
            mean_us: us.iter().sum::<f64>() / n as f64,
            p50_us: rank(0.50),
            p99_us: rank(0.99),
        }
    }
}

/// The timings of one measured path; `op` gets a distinct index per call (warm-up included).
struct Samples {
    each: Vec<Duration>,
    total: Duration,
}

/// Warms `op` up, picks N so the measured part takes about [`TARGET`], then times N calls
/// one after the other.
async fn measure(mut op: impl AsyncFnMut(usize)) -> Samples {
    let start = Instant::now();
    let mut warm = 0;
    while warm < 5 || (start.elapsed() < WARMUP && warm < MAX_WARMUP_OPS) {
        op(warm).await;
        warm += 1;
    }
    let per_op = start.elapsed().as_nanos() / warm as u128;
    let n = usize::try_from(TARGET.as_nanos() / per_op.max(1))
        .unwrap_or(MAX_OPS)
        .clamp(MIN_OPS, MAX_OPS);
    let mut each = Vec::with_capacity(n);
    let t0 = Instant::now();
    for k in 0..n {
        let s = Instant::now();
        op(warm + k).await;
        each.push(s.elapsed());
    }
    Samples {
        each,
        total: t0.elapsed(),
    }
}

/// A valid new customer with a distinct mobile number (`199` + 8 digits of `i`).
fn new_customer(i: usize) -> NewCustomer {
    let input = CustomerInput {
        name: Some(format!("苏州华星机电{i}")),
        phone: Some(format!("199{:08}", i % 100_000_000)),
        source: Some("web".to_owned()),
        intent: Some("high".to_owned()),
        industry: Some("机械设备".to_owned()),
        province: Some("江苏".to_owned()),
        city: Some("苏州".to_owned()),
        ..Default::default()
    };
    let offset = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    NewCustomer::parse(&input, offset).expect("valid customer input")
}

fn list(scope: Scope, q: Option<&str>) -> ListQuery {
    ListQuery {
        scope,
        q: q.map(str::to_owned),
        before: None,
        limit: 50,
    }
}

/// Runs every measurement on one engine and returns its rows, baseline first.
async fn bench_engine(backend: Backend) -> Vec<Row> {
    let label = format!("{backend:?}");
    let db = TestDb::new(backend).await;
    let store = db.store.clone();
    let mut rows = Vec::new();

    let t = Instant::now();
    let summary = seed(&store, Clock::System.now(), &DemoSize::FULL)
        .await
        .expect("seed demo organisation");
    eprintln!(
        "[{label}] seeded the demo organisation ({} customers, {} in the pool) in {:.1} s",
        summary.customers,
        summary.in_pool,
        t.elapsed().as_secs_f64()
    );
    println!(
        "{label}: demo seed ({} customers, {} in the pool) took {:.1} s (not measured)\n",
        summary.customers,
        summary.in_pool,
        t.elapsed().as_secs_f64()
    );

    let login = summary
        .logins
        .iter()
        .find(|l| l.login == REP_LOGIN)
        .or_else(|| summary.logins.iter().find(|l| l.role == Role::Rep))
        .expect("the demo has reps")
        .login
        .clone();
    let user = store
        .user_by_login(&login)
        .await
        .expect("load user")
        .expect("demo rep exists");
    let rep: Actor = store
        .actor(UserId(user.id))
        .await
        .expect("load actor")
        .expect("demo rep is active");

    // 1. Baseline: one autocommitted single-row insert through the same pool. The text is
    // constant, so it is prepared once per connection like every bound query in the store.
    let ddl = match backend {
        Backend::Sqlite => "create table bench_baseline (id integer primary key, v text)",
        Backend::Postgres => {
            "create table bench_baseline (id bigint generated by default as identity primary key, v text)"
        }
    };
    store
        .execute_admin(ddl)
        .await
        .expect("create scratch table");
    let s = measure(async |_| {
        store
            .execute_admin("insert into bench_baseline (v) values ('baseline')")
            .await
            .expect("baseline insert");
    })
    .await;
    rows.push(Row::new("baseline: single-row insert", &s.each, s.total));

    // A read round trip for scale: what every read pays before doing any work.
    let s = measure(async |_| store.ping().await.expect("ping")).await;
    rows.push(Row::new(
        "reference: `select 1` round trip",
        &s.each,
        s.total,
    ));

    // 4. List pages (before any writes below, so they see the demo data as seeded).
    let lists = [
        ("list_customers mine", Scope::Mine, None),
        ("list_customers pool", Scope::Pool, None),
        ("list_customers mine q=精密", Scope::Mine, Some("精密")),
        ("list_customers pool q=精密", Scope::Pool, Some("精密")),
    ];
    for (name, scope, q) in lists {
        let query = list(scope, q);
        let got = store
            .list_customers(&rep, &query)
            .await
            .expect("list")
            .len();
        let s = measure(async |_| {
            let page = store.list_customers(&rep, &query).await.expect("list");
            std::hint::black_box(page);
        })
        .await;
        rows.push(Row::new(format!("{name} ({got} rows)"), &s.each, s.total));
    }

    // 5. One customer as the rep sees it, and its ledger. The newest customers have only
    // their creation event, so take the one of the rep's first page with the longest
    // history: the timeline a customer page shows after months of use.
    let mine = store
        .list_customers(&rep, &list(Scope::Mine, None))
        .await
        .expect("list mine");
    let mut own: Option<(usize, CustomerId)> = None;
    for v in &mine {
        let len = store.ledger(v.customer.id).await.expect("ledger").len();
        if own.is_none_or(|(best, _)| len > best) {
            own = Some((len, v.customer.id));
        }
    }
    let (events, own) = own.expect("the rep owns customers");
    let s = measure(async |_| {
        let view = store.customer_for(&rep, own).await.expect("customer_for");
        assert!(view.is_some(), "the rep reads their own customer");
    })
    .await;
    rows.push(Row::new(
        "customer_for (rep, own customer)",
        &s.each,
        s.total,
    ));
    let s = measure(async |_| {
        let ledger = store.ledger(own).await.expect("ledger");
        std::hint::black_box(ledger);
    })
    .await;
    rows.push(Row::new(
        format!("ledger ({events} events, names joined)"),
        &s.each,
        s.total,
    ));

    // 6. HTTP, the whole stack in-process: routing, middleware, bearer-token lookup, JSON.
    let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), db.url.clone());
    let server = Server::with_store(config, store.clone(), Clock::System)
        .await
        .expect("build server");
    let app = kehu_server::router(server.state().clone());
    let token = random_token();
    store
        .create_api_token(
            rep.user_id,
            "bench",
            &token_hash(&token),
            Clock::System.now(),
        )
        .await
        .expect("create token");
    let bearer = format!("Bearer {token}");
    let http = [
        ("HTTP GET /api/v1/health", "/api/v1/health", false),
        (
            "HTTP GET /api/v1/customers?scope=mine",
            "/api/v1/customers?scope=mine",
            true,
        ),
    ];
    for (name, uri, auth) in http {
        let s = measure(async |_| {
            let mut req = Request::builder().uri(uri);
            if auth {
                req = req.header(AUTHORIZATION, &bearer);
            }
            let req = req.body(Body::empty()).expect("request");
            let resp = app.clone().oneshot(req).await.expect("infallible router");
            assert_eq!(resp.status(), StatusCode::OK, "{uri}");
            // Read the whole body: serialisation is part of the cost.
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .expect("body");
            std::hint::black_box(body);
        })
        .await;
        rows.push(Row::new(name, &s.each, s.total));
    }
    drop(server);

    // 2. Create: one transaction inserting the customer and its first ledger event.
    // Inputs are parsed before timing; only the store call is measured.
    let inputs: Vec<NewCustomer> = (0..MAX_WARMUP_OPS + MAX_OPS).map(new_customer).collect();
    let s = measure(async |i| {
        store
            .create_customer(&rep, &inputs[i], Clock::System.now())
            .await
            .expect("create customer");
    })
    .await;
    rows.push(Row::new("create_customer", &s.each, s.total));

    // 3. Claim and release one pool customer, alternately, as the server does after its
    // access check: load the ownership state, let the domain decide, apply the change.
    let pool = store
        .list_customers(&rep, &list(Scope::Pool, None))
        .await
        .expect("list pool");
    let target = pool.first().expect("the pool is not empty").customer.id;
    let reason = Reason::parse("基准测试：放回公海").expect("valid reason");
    let s = measure(async |_| {
        let state = store
            .ownership_state(target)
            .await
            .expect("ownership state")
            .expect("customer exists");
        let now = Clock::System.now();
        let change = if state.owner_id.is_none() {
            ownership::claim(&rep, &state, now)
        } else {
            ownership::release(&rep, &state, &reason, now)
        }
        .expect("allowed change");
        store
            .apply_owner_change(&change)
            .await
            .expect("apply owner change");
    })
    .await;
    // Consecutive samples pair one claim with one release, whichever came first.
    let cycles: Vec<Duration> = s.each.chunks_exact(2).map(|p| p[0] + p[1]).collect();
    rows.push(Row::new("claim + release cycle", &cycles, s.total));
    rows.push(Row::new(
        "owner change (claim or release)",
        &s.each,
        s.total,
    ));

    store.close().await;
    rows
}

fn print_table(engine: &str, rows: &[Row]) {
    let base = rows.first().map_or(1.0, |r| r.mean_us);
    println!("### {engine}\n");
    println!("| path | N | ops/s | mean µs | p50 µs | p99 µs | × baseline |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.2} |",
            r.name,
            r.n,
            r.ops_per_s,
            r.mean_us,
            r.p50_us,
            r.p99_us,
            r.mean_us / base
        );
    }
    let mean = |prefix: &str| {
        rows.iter()
            .find(|r| r.name.starts_with(prefix))
            .map(|r| r.mean_us)
    };
    if let (Some(list), Some(health), Some(direct)) = (
        mean("HTTP GET /api/v1/customers"),
        mean("HTTP GET /api/v1/health"),
        mean("list_customers mine ("),
    ) {
        println!(
            "\nHTTP list page = {:.2}× HTTP health, {:.2}× the same list_customers call without HTTP.",
            list / health,
            list / direct
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
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("## Kehu hot paths\n");
    println!(
        "- date: {}",
        Clock::System.now().format("%Y-%m-%d %H:%M UTC")
    );
    println!("- machine: {cores} cores (nproc), {}", cpu_model());
    println!(
        "- each row: warm-up {} ms, then N sequential operations for about {} ms\n",
        WARMUP.as_millis(),
        TARGET.as_millis()
    );
    let started = Instant::now();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let rows = bench_engine(backend).await;
        print_table(&format!("{backend:?}"), &rows);
    }
    println!("Total run time: {:.0} s.", started.elapsed().as_secs_f64());
}
