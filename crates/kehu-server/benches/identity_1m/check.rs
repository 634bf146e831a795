//! The on-create check, in process and over HTTP on loopback, each beside its baseline.

use crate::data::{Probe, ProbeKind};
use crate::stats::Row;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::Actor;
use kehu_domain::ids::CustomerId;
use kehu_server::auth::token::{random_token, token_hash};
use kehu_server::identity::{CheckInput, DuplicateHit, check};
use kehu_server::{Clock, Server, ServerConfig};
use kehu_store::Store;
use std::time::{Duration, Instant};

/// Calls before measuring: connections, statement caches, the hot part of the page cache.
const WARMUP: usize = 200;

/// What the checks found, per probe kind: (probes, blocked, with a fuzzy hit).
pub type Found = [(usize, usize, usize); 3];

/// An existing customer id for call `k`, spread over the table.
fn some_id(k: usize, customers: usize) -> CustomerId {
    CustomerId(1 + ((k * 7919) % customers) as i64)
}

/// Runs every latency measurement on `store` (holding `customers` customers) as `rep`;
/// returns them, what the in-process checks found, and their hits (in probe order).
pub async fn measure(
    store: &Store,
    url: &str,
    rep: &Actor,
    probes: &[Probe],
    customers: usize,
) -> (Vec<Row>, Found, Vec<Vec<DuplicateHit>>) {
    let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), url.to_owned());
    let server = Server::with_store(config, store.clone(), Clock::System)
        .await
        .expect("server");
    let state = server.state().clone();
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(async {
        stopped.await.ok();
    }));

    // In process. Baseline: the ownership state of one customer (a primary-key read with
    // the owner's name and team joined), the cheapest read a customer page makes.
    let n = probes.len();
    for k in 0..WARMUP {
        store
            .ownership_state(some_id(k, customers))
            .await
            .expect("read");
    }
    let mut base = Vec::with_capacity(n);
    for k in 0..n {
        let t = Instant::now();
        let s = store
            .ownership_state(some_id(k, customers))
            .await
            .expect("read");
        base.push(t.elapsed());
        assert!(s.is_some());
    }
    let base = Row::new(
        "baseline: primary-key read (`Store::ownership_state`)",
        &base,
        None,
    );

    for p in probes.iter().take(WARMUP) {
        check(&state, rep, &CheckInput::of_new(&p.customer), None)
            .await
            .expect("check");
    }
    let mut each: [Vec<Duration>; 3] = Default::default();
    let mut found: Found = [(0, 0, 0); 3];
    let mut shown = Vec::with_capacity(n);
    for p in probes {
        let t = Instant::now();
        let hits = check(&state, rep, &CheckInput::of_new(&p.customer), None)
            .await
            .expect("check");
        each[p.kind as usize].push(t.elapsed());
        let f = &mut found[p.kind as usize];
        f.0 += 1;
        f.1 += usize::from(hits.iter().any(|h| h.blocks));
        f.2 += usize::from(hits.iter().any(|h| h.fuzzy));
        shown.push(hits);
    }
    let all: Vec<Duration> = each.iter().flatten().copied().collect();
    let mut rows = vec![Row::new("`identity::check`, all probes", &all, Some(&base))];
    for kind in ProbeKind::ALL {
        rows.push(Row::new(
            format!("`identity::check`, {}", kind.label()),
            &each[kind as usize],
            Some(&base),
        ));
    }
    rows.insert(0, base);

    // Over HTTP, sequential requests on one keep-alive connection.
    let token = random_token();
    store
        .create_api_token(
            rep.user_id,
            "bench",
            &token_hash(&token),
            Clock::System.now(),
        )
        .await
        .expect("token");
    let client = reqwest::Client::new();
    let base_url = read_server(store.clone()).await;
    let get_read = async |k: usize| {
        let r = client
            .get(format!("{base_url}/read/{}", some_id(k, customers).0))
            .send()
            .await
            .expect("read request");
        assert!(r.status().is_success());
        r.bytes().await.expect("body")
    };
    let post_check = async |p: &Probe| {
        let r = client
            .post(format!("http://{addr}/api/v1/customers/check"))
            .bearer_auth(&token)
            .json(&p.body)
            .send()
            .await
            .expect("check request");
        assert!(r.status().is_success(), "{}: {:?}", r.status(), p.body);
        r.bytes().await.expect("body")
    };
    for k in 0..WARMUP {
        get_read(k).await;
        post_check(&probes[k % n]).await;
    }
    let mut read = Vec::with_capacity(n);
    for k in 0..n {
        let t = Instant::now();
        std::hint::black_box(get_read(k).await);
        read.push(t.elapsed());
    }
    let http_base = Row::new(
        "HTTP baseline: minimal axum handler, one primary-key read",
        &read,
        None,
    );
    let mut each: [Vec<Duration>; 3] = Default::default();
    for p in probes {
        let t = Instant::now();
        std::hint::black_box(post_check(p).await);
        each[p.kind as usize].push(t.elapsed());
    }
    let all: Vec<Duration> = each.iter().flatten().copied().collect();
    rows.push(Row::new(
        "HTTP `POST /api/v1/customers/check`, all probes",
        &all,
        Some(&http_base),
    ));
    for kind in ProbeKind::ALL {
        rows.push(Row::new(
            format!("HTTP check, {}", kind.label()),
            &each[kind as usize],
            Some(&http_base),
        ));
    }
    rows.insert(rows.len() - 4, http_base);
    stop.send(()).ok();
    serving.await.expect("server task").expect("server");
    (rows, found, shown)
}

/// A loopback server with one route doing one read through the same store: the floor of
/// any API call (TCP, HTTP parsing, routing, JSON), without authentication.
async fn read_server(store: Store) -> String {
    async fn read(State(store): State<Store>, Path(id): Path<i64>) -> Json<Option<i64>> {
        let s = store
            .ownership_state(CustomerId(id))
            .await
            .expect("read")
            .and_then(|s| s.owner_id.map(|u| u.0));
        Json(s)
    }
    let app = Router::new()
        .route("/read/{id}", get(read))
        .with_state(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
