//! The claim endpoint under 200 concurrent claimers, against a baseline measured in the
//! same run on the same engine: a minimal axum handler doing one insert per request, served
//! and driven the same way (HTTP over loopback, same client, same concurrency).
//!
//! Run: `cargo bench -p kehu-server --bench claims` (SQLite, then PostgreSQL;
//! `KEHU_BENCH_ENGINES=sqlite` for one). Prints the machine, the date and a Markdown table per
//! engine, with the process's CPU time per request. Each claimer claims its own customers, so
//! every request is a real claim (the pool's rules counted and the claim written in one
//! transaction holding the rep's lock).

#[path = "common/load.rs"]
mod load;

use chrono::Utc;
use kehu_domain::customer::{CustomerInput, NewCustomer};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::{self, Reason};
use kehu_domain::{Actor, Role};
use kehu_server::auth::token::{random_token, token_hash};
use kehu_server::{Clock, Server, ServerConfig};
use kehu_store::NewUser;
use kehu_testkit::{Backend, TestDb};
use load::{CLIENTS as CLAIMERS, PER_CLIENT as PER_CLAIMER, Req, Row, drive};

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
            let mut req = Req::post(&format!("/api/v1/customers/{}/claim", c.0));
            req.headers
                .push(("authorization", format!("Bearer {token}")));
            list.push(req);
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
    load::each_engine("claimers", claims).await;
}
