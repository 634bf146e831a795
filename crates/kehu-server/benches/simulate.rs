//! The routing simulator over 100,000 leads on SQLite: the whole call the page and the API
//! make (`kehu_server::simulator::compare`: check the draft, read the leads and the reps'
//! facts, replay the draft and the live rules), against a baseline measured in the same run:
//! a plain `select` of the same lead rows, decoded in Rust. Also the read alone
//! (`Store::simulation_facts`, and its reps' facts alone) and one replay alone, to show
//! where the time goes.
//!
//! Run: `cargo bench -p kehu-server --bench simulate`. `KEHU_BENCH_LEADS=20000` for a quick
//! run. The database is built afresh every run in a temp directory (a few seconds).
//!
//! The book: 15 reps (three of them on leave for a week or two of the range), four lead
//! sources (two with response windows), 100,000 leads over 90 days — 90% went to routing,
//! 7% to the owner of a matched customer, 3% joined an open lead; 60% of the routed ones
//! were answered in time, 25% late, 15% never. Five live rules mixing the three strategies
//! (by source, by province, by local hours, a catch-all); the draft puts the night rule
//! first, evens out the weights of the source rule and weights the catch-all.

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use kehu_domain::Role;
use kehu_domain::ids::UserId;
use kehu_domain::lead::ResponseWindow;
use kehu_domain::routing::{BreachRates, RoutingRule, simulate};
use kehu_server::simulator::{SimulateInput, compare};
use kehu_store::{NewUser, Store};
use kehu_testkit::{Backend, TestDb};
use serde_json::{Value, json};
use std::time::Instant;

/// Reps the rules route to.
const REPS: usize = 15;
/// Rows per multi-row insert (12 binds a row stays under SQLite's 32,766).
const INSERT_ROWS: usize = 2000;
/// Days the leads are spread over.
const DAYS: i64 = 90;
/// Measured runs of each row (the median is reported).
const RUNS: usize = 5;
const PROVINCES: [&str; 6] = ["江苏", "浙江", "上海", "广东", "北京", "四川"];

/// The first instant of the range.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 1, 0, 0, 0)
        .single()
        .expect("t0")
}

fn cn() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

/// A cheap, fixed scramble of `i`.
fn mix(i: u64) -> u64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

/// The reps (after an admin), the sources (two with a response window), three leaves.
async fn org(store: &Store) -> (Vec<i64>, Vec<i64>) {
    let at = t0() - Duration::days(30);
    let team = store
        .create_team("基准销售部", None, at)
        .await
        .expect("team");
    let mut users = Vec::new();
    for i in 0..=REPS {
        let (login, name, role) = match i {
            0 => ("bench_admin".to_owned(), "管理员".to_owned(), Role::Admin),
            _ => (
                format!("bench_rep_{i:02}"),
                format!("销售{i:02}"),
                Role::Rep,
            ),
        };
        let user = NewUser {
            login: &login,
            name: &name,
            role,
            team_id: Some(team),
            password_hash: "not-a-login",
        };
        users.push(store.create_user(&user, at).await.expect("user").0);
    }
    let by = UserId(users[0]);
    let mut sources = Vec::new();
    for (code, name) in [
        ("web_form", "官网表单"),
        ("douyin", "抖音"),
        ("expo", "展会"),
        ("phone", "电话"),
    ] {
        sources.push(
            store
                .create_lead_source(code, name, by, at)
                .await
                .expect("source"),
        );
    }
    (users, sources)
}

/// Response windows, leave and the leads, with multi-row inserts.
async fn fill(url: &str, users: &[i64], sources: &[i64], n: usize) {
    let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
    for (source, minutes) in [(sources[0], 90), (sources[1], 15)] {
        let window = serde_json::to_string(&ResponseWindow::standard(minutes)).expect("json");
        sqlx::query("update lead_sources set response_window = $1 where id = $2")
            .bind(window)
            .bind(source)
            .execute(&pool)
            .await
            .expect("window");
    }
    for (rep, from, days) in [(2, 10, 14), (7, 40, 7), (13, 60, 10)] {
        sqlx::query(
            "insert into leaves (user_id, starts_at, ends_at, note, source, recorded_by, \
             recorded_at) values ($1, $2, $3, '年假', 'manual', $4, $5)",
        )
        .bind(users[rep])
        .bind(t0() + Duration::days(from))
        .bind(t0() + Duration::days(from + days))
        .bind(users[0])
        .bind(t0())
        .execute(&pool)
        .await
        .expect("leave");
    }
    let span = (DAYS * 24 * 3600) as u64;
    let mut done = 0;
    while done < n {
        let end = n.min(done + INSERT_ROWS);
        let mut q = sqlx::QueryBuilder::new(
            "insert into leads (source_id, idempotency_key, fingerprint, province, city, \
             status, assigned_to, outcome, explanation, received_at, window_due_at, responded_at) ",
        );
        q.push_values(done..end, |mut b, i| {
            let h = mix(i as u64);
            // Spread over the range, in order of i, with a fixed jitter.
            let at = t0() + Duration::seconds((i as u64 * span / n as u64 + h % 60) as i64);
            // 40% web form, 30% Douyin, 20% trade show, 10% phone.
            let source = sources[match h % 10 {
                0..4 => 0,
                4..7 => 1,
                7..9 => 2,
                _ => 3,
            }];
            let outcome = match (h >> 16) % 100 {
                0..90 => "unrouted",
                90..97 => "assigned_owner",
                _ => "duplicate",
            };
            let rep = users[1 + ((h >> 24) as usize % REPS)];
            let windowed = source == sources[0] || source == sources[1];
            let due = windowed
                .then(|| at + Duration::minutes(if source == sources[0] { 90 } else { 15 }));
            let answered = due.and_then(|d| match (h >> 32) % 100 {
                0..60 => Some(d - Duration::minutes(5)),
                60..85 => Some(d + Duration::minutes(20)),
                _ => None,
            });
            b.push_bind(source)
                .push_bind(format!("bench-{i}"))
                .push_bind("bench")
                .push_bind(PROVINCES[((h >> 40) % 6) as usize])
                .push_bind("某市")
                .push_bind(if outcome == "duplicate" {
                    "duplicate"
                } else {
                    "assigned"
                })
                .push_bind((outcome != "duplicate").then_some(rep))
                .push_bind(outcome)
                .push_bind("{}")
                .push_bind(at)
                .push_bind(due.filter(|_| outcome != "duplicate"))
                .push_bind(answered.filter(|_| outcome != "duplicate"));
        });
        q.build().execute(&pool).await.expect("leads");
        done = end;
    }
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&pool)
        .await
        .expect("checkpoint");
    pool.close().await;
}

/// A target of reps `ids` (1-based into the reps) with optional weights.
fn target(users: &[i64], ids: &[(usize, u32)]) -> Value {
    let reps: Vec<Value> = ids
        .iter()
        .map(|&(i, w)| json!({ "user": users[i], "weight": w }))
        .collect();
    json!({ "reps": reps })
}

/// The live rules: by source (weighted), by province (round robin), night hours (least
/// loaded), another province, and a catch-all (least loaded over everyone).
fn live_rules(users: &[i64], sources: &[i64]) -> Vec<RoutingRule> {
    let all: Vec<(usize, u32)> = (1..=REPS).map(|i| (i, 1)).collect();
    let rules = json!([
        { "name": "抖音快速响应", "strategy": "weighted_round_robin",
          "criteria": { "sources": [sources[1]] },
          "target": target(users, &[(1, 3), (2, 2), (3, 2), (4, 1), (5, 1)]) },
        { "name": "华东官网", "strategy": "round_robin",
          "criteria": { "sources": [sources[0]], "provinces": ["江苏", "浙江", "上海"] },
          "target": target(users, &[(6, 1), (7, 1), (8, 1), (9, 1)]) },
        { "name": "夜间", "strategy": "least_loaded",
          "criteria": { "time": { "from": "18:00:00", "until": "09:00:00" } },
          "target": target(users, &[(10, 1), (11, 1), (12, 1)]) },
        { "name": "华南", "strategy": "round_robin",
          "criteria": { "provinces": ["广东"] },
          "target": target(users, &[(12, 1), (13, 1), (14, 1)]) },
        { "name": "兜底", "strategy": "least_loaded", "target": target(users, &all) },
    ]);
    serde_json::from_value(rules).expect("rules")
}

/// The draft: the night rule first, the source rule evenly weighted, the catch-all weighted.
fn draft_rules(users: &[i64], sources: &[i64]) -> Vec<RoutingRule> {
    let mut rules = live_rules(users, sources);
    rules.swap(0, 2);
    for r in &mut rules[2].target.reps {
        r.weight = Some(1);
    }
    let last = rules.len() - 1;
    rules[last].strategy = kehu_domain::routing::Strategy::WeightedRoundRobin;
    for (i, r) in rules[last].target.reps.iter_mut().enumerate() {
        r.weight = Some(1 + (i as u32 % 3));
    }
    rules
}

/// The median of `RUNS` timings of `f`, in seconds, and its last answer.
async fn median<T, F, Fut>(mut f: F) -> (f64, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = f().await;
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], last.expect("at least one run"))
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
    let n: usize = std::env::var("KEHU_BENCH_LEADS")
        .ok()
        .map(|v| v.replace('_', "").parse().expect("a number"))
        .unwrap_or(100_000);
    let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
    println!("## Kehu routing simulator over {n} leads (SQLite)\n");
    println!(
        "- date: {}",
        kehu_server::Clock::System
            .now()
            .format("%Y-%m-%d %H:%M UTC")
    );
    println!("- machine: {cores} cores (nproc), {}", cpu_model());
    println!("- each row: the median of {RUNS} runs\n");

    let db = TestDb::new(Backend::Sqlite).await;
    let store = &db.store;
    let built = Instant::now();
    let (users, sources) = org(store).await;
    fill(&db.url, &users, &sources, n).await;
    let live = live_rules(&users, &sources);
    store
        .replace_routing_rules(&live, t0())
        .await
        .expect("live rules");
    let draft = draft_rules(&users, &sources);
    eprintln!(
        "built {n} leads in {:.1} s (not measured)",
        built.elapsed().as_secs_f64()
    );

    let (from, to) = (t0(), t0() + Duration::days(DAYS));
    let now = to + Duration::days(1);
    let pool = sqlx::SqlitePool::connect(&db.url).await.expect("sqlite");
    type Row = (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        DateTime<Utc>,
        String,
        Option<i64>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    // The simulator's own lead query (`kehu-store/src/routing/simulate.rs`), decoded alike.
    let (base, rows) = median(|| async {
        let rows: Vec<Row> = sqlx::query_as(
            "select l.source_id, l.province, l.city, coalesce(l.industry, c.industry), l.tags, \
             coalesce(c.grade, l.grade), l.received_at, l.outcome, l.assigned_to, \
             l.window_due_at, l.responded_at from leads l \
             left join customers c on c.id = l.customer_id \
             where l.received_at >= $1 and l.received_at < $2 order by l.received_at, l.id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&pool)
        .await
        .expect("baseline");
        rows.len()
    })
    .await;
    let reps: Vec<UserId> = users[1..].iter().map(|&u| UserId(u)).collect();
    let (read, facts) = median(|| async {
        store
            .simulation_facts(from, to, &reps)
            .await
            .expect("facts")
    })
    .await;
    // An empty range: the reps' facts alone (three statements a rep).
    let (reps_only, _) = median(|| async {
        store
            .simulation_facts(from, from, &reps)
            .await
            .expect("facts")
    })
    .await;
    let (replay, sim) = median(|| async {
        let rates = BreachRates::from_history(&facts.windows, now);
        simulate(&facts.leads, &live, &facts.candidates, &rates, cn())
    })
    .await;
    let input = SimulateInput {
        from: Some(from.to_rfc3339()),
        to: Some(to.to_rfc3339()),
        rules: Some(draft),
    };
    let (whole, c) =
        median(|| async { compare(store, &input, now, cn()).await.expect("simulate") }).await;
    let live_only = SimulateInput {
        rules: None,
        ..input.clone()
    };
    let (whole_live, _) = median(|| async {
        compare(store, &live_only, now, cn())
            .await
            .expect("simulate")
    })
    .await;

    println!("| what | time (s) | ratio to baseline |");
    println!("|---|---:|---:|");
    println!(
        "| baseline: `select` of the range's lead rows ({rows} rows, decoded) | {base:.3} | 1.0 |"
    );
    let row = |what: &str, s: f64| println!("| {what} | {s:.3} | {:.1} |", s / base);
    row(
        &format!(
            "read only: `Store::simulation_facts` ({} leads to replay, {} reps)",
            facts.leads.len(),
            facts.candidates.len()
        ),
        read,
    );
    row(
        "of which the reps' facts (`simulation_facts` over an empty range)",
        reps_only,
    );
    row(
        &format!(
            "replay only: one rule list (`routing::simulate`, {} routed)",
            sim.routed
        ),
        replay,
    );
    row(
        "whole call, live rules only (`simulator::compare`)",
        whole_live,
    );
    row(
        "whole call, draft and live (`simulator::compare`, what the page runs)",
        whole,
    );
    println!();
    let d = c.draft.as_ref().expect("draft");
    println!(
        "Draft: max deviation {:.1} pp, Gini {:.3}, {} unrouted; live: max deviation {:.1} pp, Gini {:.3}, {} unrouted.",
        d.fairness.max_deviation * 100.0,
        d.fairness.gini,
        d.unrouted,
        c.live.fairness.max_deviation * 100.0,
        c.live.fairness.gini,
        c.live.unrouted
    );
    println!("\nGoal: simulator over 100k leads ≤ 5 s; the whole call took {whole:.2} s.");
}
