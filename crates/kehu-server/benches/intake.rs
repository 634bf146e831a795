//! Lead intake under 200 concurrent senders — match against every customer, route by the
//! rules, persist with its event and notification — against a baseline measured in the same
//! run on the same engine: a minimal axum handler doing one insert per request, served and
//! driven the same way (HTTP over loopback, same client, same concurrency).
//!
//! Run: `cargo bench -p kehu-server --bench intake` (SQLite, then PostgreSQL;
//! `KEHU_BENCH_ENGINES=sqlite` for one). The database holds the demo organisation (2,000
//! customers, 15 reps); a round-robin rule over every rep routes each new lead. Each sender
//! has its own intake token and sends new companies with fresh mobiles; every tenth lead
//! repeats the mobile of the sender's previous one, so it joins that open lead.

#[path = "common/load.rs"]
mod load;

use chrono::Utc;
use kehu_domain::Role;
use kehu_domain::ids::UserId;
use kehu_domain::routing::{Criteria, RoutingRule, Strategy, Target, TargetRep};
use kehu_server::auth::token::{random_token, token_hash};
use kehu_server::demo::{DemoSize, seed};
use kehu_server::{Clock, Server, ServerConfig};
use kehu_testkit::{Backend, TestDb};
use load::{CLIENTS, PER_CLIENT, Req, Row, drive};
use serde_json::json;

const CITIES: [&str; 6] = ["苏州", "无锡", "杭州", "宁波", "南京", "合肥"];
const BRANDS: [&str; 8] = [
    "华星", "恒达", "云帆", "长江", "新材", "博远", "天成", "瑞丰",
];
const TRADES: [&str; 5] = ["精密机械", "电子科技", "新材料", "物流", "电气"];

/// The lead sender `i`'s `j`-th body: a new company and mobile, or every tenth a repeat of
/// the previous mobile (the same person asking again).
fn body(i: usize, j: usize) -> String {
    let n = i * PER_CLIENT + j;
    let mobile_of = |n: usize| format!("137{:08}", n);
    let phone = if j > 0 && j % 10 == 9 {
        mobile_of(n - 1)
    } else {
        mobile_of(n)
    };
    let company = format!(
        "{}{}{}{}号",
        CITIES[n % CITIES.len()],
        BRANDS[(n / 6) % BRANDS.len()],
        TRADES[(n / 48) % TRADES.len()],
        n
    );
    json!({ "company": company, "contact_name": "王经理", "phone": phone,
            "message": "想了解报价" })
    .to_string()
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark stands in for the clock"
)]
async fn intake(backend: Backend) -> Row {
    let db = TestDb::new(backend).await;
    let s = &db.store;
    let now = Utc::now();
    let demo = seed(s, Clock::System.now(), &DemoSize::FULL)
        .await
        .expect("seed");
    let mut reps = Vec::new();
    let mut admin = None;
    for l in &demo.logins {
        let user = s
            .user_by_login(&l.login)
            .await
            .expect("read")
            .expect("user");
        match l.role {
            Role::Rep => reps.push(TargetRep {
                user: UserId(user.id),
                weight: None,
            }),
            Role::Admin => admin = Some(UserId(user.id)),
            Role::Manager => {}
        }
    }
    let admin = admin.expect("the demo has an admin");
    let rule = RoutingRule {
        name: "全国".into(),
        criteria: Criteria::default(),
        target: Target {
            reps,
            lead_pool: None,
            team: None,
        },
        strategy: Strategy::RoundRobin,
        dynamic: None,
        active: true,
    };
    s.replace_routing_rules(&[rule], now).await.expect("rules");
    let source = s
        // Its own source: the demo has its four already.
        .create_lead_source("bench_form", "压测表单", admin, now)
        .await
        .expect("source");
    let mut requests = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let token = format!("kls_{}", random_token());
        s.create_lead_source_token(
            source,
            &format!("sender {i}"),
            &token_hash(&token),
            10_000,
            admin,
            now,
        )
        .await
        .expect("token");
        let list = (0..PER_CLIENT)
            .map(|j| {
                let mut req = Req::post("/api/v1/leads");
                req.headers
                    .push(("authorization", format!("Bearer {token}")));
                req.headers
                    .push(("idempotency-key", format!("bench-{i}-{j}")));
                req.body = Some(body(i, j));
                req
            })
            .collect();
        requests.push(list);
    }
    let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), db.url.clone());
    let server = Server::with_store(config, db.store.clone(), Clock::System)
        .await
        .expect("server");
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.run_until(std::future::pending::<()>()));
    let row = drive(
        &base,
        requests,
        "POST /api/v1/leads (match, route, persist)",
    )
    .await;
    std::mem::forget(db); // the server task still uses it; the process ends right after
    row
}

#[tokio::main]
async fn main() {
    load::each_engine("senders", intake).await;
}
