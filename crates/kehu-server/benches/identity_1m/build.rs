//! Filling a database: the organisation, the plain-insert baseline and the bulk insert.

use crate::stats::Throughput;
use chrono::{DateTime, Utc};
use kehu_domain::customer::NewCustomer;
use kehu_domain::ids::UserId;
use kehu_domain::{Actor, Role};
use kehu_store::customers::{BATCH_ROWS, BulkRow};
use kehu_store::{NewUser, Store};
use std::time::{Duration, Instant};

/// Reps the customers are spread over; every tenth customer goes to the pool.
const REPS: usize = 20;
/// Rows handed to one `bulk_insert_customers` call (bounds the memory of the copies).
const CALL_ROWS: usize = 20_000;

/// Who imports and who owns.
pub struct Org {
    pub importer: Actor,
    pub reps: Vec<Actor>,
}

fn rep_login(i: usize) -> String {
    format!("bench_rep_{i:02}")
}

async fn actor(store: &Store, login: &str) -> Actor {
    let user = store
        .user_by_login(login)
        .await
        .expect("load user")
        .expect("bench user exists");
    store
        .actor(UserId(user.id))
        .await
        .expect("load actor")
        .expect("active")
}

/// One team with a manager (the importer) and [`REPS`] reps.
pub async fn create_org(store: &Store, now: DateTime<Utc>) -> Org {
    let team = store
        .create_team("基准销售部", None, now)
        .await
        .expect("team");
    let mut logins = vec![(
        "bench_manager".to_owned(),
        "王经理".to_owned(),
        Role::Manager,
    )];
    logins.extend((0..REPS).map(|i| (rep_login(i), format!("销售{i:02}"), Role::Rep)));
    for (login, name, role) in &logins {
        store
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
    }
    load_org(store).await
}

pub async fn load_org(store: &Store) -> Org {
    let importer = actor(store, "bench_manager").await;
    let mut reps = Vec::with_capacity(REPS);
    for i in 0..REPS {
        reps.push(actor(store, &rep_login(i)).await);
    }
    Org { importer, reps }
}

/// `Store::bulk_insert_customers` over every customer, timed around the store calls only.
pub async fn bulk_insert(
    store: &Store,
    org: &Org,
    customers: &[NewCustomer],
    now: DateTime<Utc>,
    label: &str,
) -> Throughput {
    let mut took = Duration::ZERO;
    for (k, chunk) in customers.chunks(CALL_ROWS).enumerate() {
        let rows: Vec<BulkRow> = chunk
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let i = k * CALL_ROWS + j;
                BulkRow {
                    row: i + 1,
                    customer: Ok(c.clone()),
                    owner: (i % 10 != 9).then(|| org.reps[i % REPS].user_id),
                }
            })
            .collect();
        let t = Instant::now();
        let report = store
            .bulk_insert_customers(&org.importer, &rows, now)
            .await
            .expect("bulk insert");
        took += t.elapsed();
        assert!(report.rejected.is_empty(), "{:?}", &report.rejected[..1]);
        let done = (k + 1) * CALL_ROWS;
        if done.is_multiple_of(200_000) {
            eprintln!("[{label}] {done} customers in {:.0} s", took.as_secs_f64());
        }
    }
    Throughput {
        name: format!(
            "bulk_insert_customers: customer + contact + identity keys + match keys + ledger event, {BATCH_ROWS} a transaction"
        ),
        rows: customers.len(),
        took,
    }
}

/// The floor: one table without secondary indexes, the same rows' name, normalised name,
/// phone and city, in multi-row inserts of [`BATCH_ROWS`] a transaction, on its own pool.
macro_rules! plain_insert {
    ($pool:expr, $ddl:expr, $customers:expr) => {{
        sqlx::query($ddl)
            .execute(&$pool)
            .await
            .expect("create table");
        let t = Instant::now();
        for chunk in $customers.chunks(BATCH_ROWS) {
            let mut tx = $pool.begin().await.expect("begin");
            let mut q = sqlx::QueryBuilder::new(
                "insert into bench_plain (name, name_normalized, phone, city) ",
            );
            q.push_values(chunk, |mut b, c| {
                b.push_bind(c.name.as_str().to_owned())
                    .push_bind(c.name.normalized().to_owned())
                    .push_bind(c.phone.e164().to_owned())
                    .push_bind(c.city.clone());
            });
            q.build().execute(&mut *tx).await.expect("insert");
            tx.commit().await.expect("commit");
        }
        let took = t.elapsed();
        sqlx::query("drop table bench_plain")
            .execute(&$pool)
            .await
            .expect("drop table");
        $pool.close().await;
        took
    }};
}

pub async fn plain_baseline(url: &str, customers: &[NewCustomer]) -> Throughput {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    use std::str::FromStr;
    let cols = "name text not null, name_normalized text not null, phone text not null, city text";
    let took = if url.starts_with("sqlite:") {
        let opts = SqliteConnectOptions::from_str(url)
            .expect("url")
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = sqlx::SqlitePool::connect_with(opts).await.expect("sqlite");
        let ddl = sqlx::AssertSqlSafe(format!(
            "create table bench_plain (id integer primary key, {cols})"
        ));
        plain_insert!(pool, ddl, customers)
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("postgres");
        let ddl = sqlx::AssertSqlSafe(format!(
            "create table bench_plain (id bigint generated always as identity primary key, {cols})"
        ));
        plain_insert!(pool, ddl, customers)
    };
    Throughput {
        name: format!(
            "baseline: plain multi-row insert into one table, {BATCH_ROWS} a transaction"
        ),
        rows: customers.len(),
        took,
    }
}
