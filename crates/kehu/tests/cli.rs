//! The `kehu` binary as users run it: real processes on real databases.
#![expect(
    clippy::disallowed_methods,
    reason = "tests stand in for the wall clock"
)]

use chrono::Utc;
use kehu_domain::Role;
use kehu_domain::customer::{CustomerInput, NewCustomer};
use kehu_domain::ids::UserId;
use kehu_domain::ownership::{self, LedgerKind, Reason};
use kehu_server::auth::{password, token};
use kehu_store::{NewUser, Store};
use kehu_testkit::{Backend, TestDb};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

fn kehu(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kehu"))
        .args(args)
        .env("KEHU_DATABASE_URL", url)
        .env("KEHU_LOG", "warn")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kehu");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("kehu finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A running `kehu serve`, killed on drop.
struct Serving {
    child: Child,
    base: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(url: &str) -> Serving {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kehu"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("KEHU_DATABASE_URL", url)
        .env("KEHU_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start kehu serve");
    let out = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(out)
        .read_line(&mut line)
        .expect("read start-up line");
    let base = line
        .split("open ")
        .nth(1)
        .map(|s| s.trim().trim_end_matches('/').to_owned());
    let base = base.unwrap_or_else(|| panic!("unexpected start-up line: {line:?}"));
    Serving { child, base }
}

#[test]
fn help_lists_every_command() {
    let o = kehu("sqlite://unused.db", &["--help"], None);
    let text = stdout(&o);
    for cmd in ["serve", "migrate", "demo", "user", "token"] {
        assert!(text.contains(cmd), "--help lacks {cmd}: {text}");
    }
    let o = kehu("sqlite://unused.db", &["serve", "--help"], None);
    for flag in ["--listen", "--demo", "--database-url", "KEHU_DATABASE_URL"] {
        assert!(stdout(&o).contains(flag), "serve --help lacks {flag}");
    }
}

#[tokio::test]
async fn users_and_tokens_from_the_command_line_work_against_a_served_api() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kehu.db").display());
    let o = kehu(&url, &["migrate"], None);
    assert!(o.status.success(), "migrate: {o:?}");

    let o = kehu(
        &url,
        &[
            "user",
            "add",
            "--login",
            "zhangwei",
            "--name",
            "张伟",
            "--role",
            "rep",
            "--team",
            "华东组",
        ],
        Some("a-long-password\n"),
    );
    assert!(o.status.success(), "user add: {o:?}");
    assert!(
        !stdout(&o).contains("password:"),
        "a piped password is not echoed"
    );
    let o = kehu(
        &url,
        &[
            "user", "add", "--login", "zhangwei", "--name", "张伟", "--role", "rep",
        ],
        Some("another-password\n"),
    );
    assert!(!o.status.success(), "a taken login fails");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("login"),
        "the error names the field: {o:?}"
    );
    let o = kehu(
        &url,
        &[
            "user",
            "add",
            "--login",
            "lina",
            "--name",
            "李娜",
            "--role",
            "manager",
            "--team",
            "华东组",
        ],
        None,
    );
    assert!(
        stdout(&o).contains("password: "),
        "a generated password is printed: {}",
        stdout(&o)
    );

    let o = kehu(&url, &["token", "create", "--login", "zhangwei"], None);
    assert!(o.status.success(), "token create: {o:?}");
    let tok = stdout(&o).lines().last().unwrap_or_default().to_owned();
    assert_eq!(
        tok.len(),
        64,
        "the token alone on the last line: {}",
        stdout(&o)
    );
    assert!(
        !kehu(&url, &["token", "create", "--login", "nobody"], None)
            .status
            .success()
    );

    let server = serve(&url);
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{}/api/v1/customers", server.base))
        .bearer_auth(&tok)
        .json(&serde_json::json!({ "name": "苏州华星精密", "phone": "138-0013-8000", "source": "web" }))
        .send()
        .await
        .expect("post");
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.expect("json");
    assert_eq!(body["phone"], "+8613800138000");
    assert_eq!(body["owner"]["name"], "张伟");
    let o = kehu(&url, &["user", "disable", "--login", "zhangwei"], None);
    assert!(o.status.success(), "user disable: {o:?}");
    let after = http
        .get(format!("{}/api/v1/customers", server.base))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("get");
    assert_eq!(
        after.status(),
        401,
        "a disabled user's token no longer works"
    );
    let anon = http
        .get(format!("{}/api/v1/customers", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(anon.status(), 401);
}

async fn rep(
    store: &Store,
    login: &str,
    team: kehu_domain::ids::TeamId,
    hash: &str,
) -> (UserId, String) {
    let id = store
        .create_user(
            &NewUser {
                login,
                name: login,
                role: Role::Rep,
                team_id: Some(team),
                password_hash: hash,
            },
            Utc::now(),
        )
        .await
        .expect("user");
    let tok = token::random_token();
    store
        .create_api_token(id, "race", &token::token_hash(&tok), Utc::now())
        .await
        .expect("token");
    (id, tok)
}

/// The issue's claim race across two `kehu serve` processes sharing one PostgreSQL database.
#[tokio::test]
async fn fifty_claims_across_two_server_processes_on_postgres_have_one_winner() {
    let db = TestDb::new(Backend::Postgres).await;
    let store = &db.store;
    let hash = password::hash_blocking("not-used-here");
    let team = store
        .create_team("华东组", None, Utc::now())
        .await
        .expect("team");
    let (owner, _) = rep(store, "owner", team, &hash).await;
    let owner_actor = store.actor(owner).await.expect("load").expect("active");
    let input = CustomerInput {
        name: Some("无锡新材".into()),
        phone: Some("13600001111".into()),
        source: Some("web".into()),
        ..Default::default()
    };
    let new = NewCustomer::parse(
        &input,
        chrono::FixedOffset::east_opt(8 * 3600).expect("offset"),
    )
    .expect("valid");
    let id = store
        .create_customer(&owner_actor, &new, Utc::now())
        .await
        .expect("create");
    let state = store
        .ownership_state(id)
        .await
        .expect("state")
        .expect("exists");
    let release = ownership::release(
        &owner_actor,
        &state,
        &Reason::parse("退回公海").expect("reason"),
        Utc::now(),
    )
    .expect("ok");
    store.apply_owner_change(&release).await.expect("released");
    let mut tokens = Vec::new();
    for i in 0..50 {
        tokens.push(rep(store, &format!("racer{i:02}"), team, &hash).await.1);
    }

    let (a, b) = (serve(&db.url), serve(&db.url));
    let http = reqwest::Client::new();
    let requests = tokens.iter().enumerate().map(|(i, tok)| {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        http.post(format!("{base}/api/v1/customers/{}/claim", id.0))
            .bearer_auth(tok)
            .send()
    });
    let responses = futures::future::join_all(requests).await;
    let mut won = 0;
    let mut lost = Vec::new();
    for r in responses {
        let r = r.expect("response");
        match r.status().as_u16() {
            200 => won += 1,
            409 => lost.push(r.json::<serde_json::Value>().await.expect("problem json")),
            other => panic!("unexpected status {other}: {:?}", r.text().await),
        }
    }
    assert_eq!((won, lost.len()), (1, 49));
    let winner = store
        .ownership_state(id)
        .await
        .expect("state")
        .expect("exists")
        .owner_name
        .expect("owned");
    assert!(
        lost.iter().all(|p| p["owner"]["name"] == winner.as_str()),
        "every loser is told who won: {:?}",
        lost[0]
    );
    let claims = store
        .ledger(id)
        .await
        .expect("ledger")
        .iter()
        .filter(|e| e.kind == LedgerKind::Claim)
        .count();
    assert_eq!(claims, 1);
}

/// `kehu routing simulate` over leads a served API took in: the draft from a file beside the
/// live rules, per rep; bad dates and a bad rules file are named.
#[tokio::test]
async fn routing_simulate_prints_the_draft_beside_the_live_rules() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = &db.store;
    let hash = password::hash_blocking("not-used-here");
    let team = store
        .create_team("华东组", None, Utc::now())
        .await
        .expect("team");
    let mut users = Vec::new();
    for (login, name, role) in [
        ("boss", "老板", Role::Admin),
        ("zw", "张伟", Role::Rep),
        ("wf", "王芳", Role::Rep),
        ("ln", "李娜", Role::Rep),
    ] {
        let user = NewUser {
            login,
            name,
            role,
            team_id: Some(team),
            password_hash: &hash,
        };
        users.push(store.create_user(&user, Utc::now()).await.expect("user"));
    }
    let admin = token::random_token();
    store
        .create_api_token(users[0], "cli", &token::token_hash(&admin), Utc::now())
        .await
        .expect("token");
    let server = serve(&db.url);
    let http = reqwest::Client::new();
    let api = |path: &str| format!("{}/api/v1/{path}", server.base);
    let json = |r: reqwest::Response| async move {
        assert!(r.status().is_success(), "{:?}", r.status());
        r.json::<serde_json::Value>().await.expect("json")
    };
    let source = json(
        http.post(api("lead-sources"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({ "code": "web", "name": "官网" }))
            .send()
            .await
            .expect("source"),
    )
    .await;
    let tokens = format!("lead-sources/{}/tokens", source["id"]);
    let intake = json(
        http.post(api(&tokens))
            .bearer_auth(&admin)
            .json(&serde_json::json!({ "name": "site" }))
            .send()
            .await
            .expect("token"),
    )
    .await;
    let intake = intake["secret"].as_str().expect("secret").to_owned();
    let rule = |name: &str, reps: &[UserId]| {
        let reps: Vec<serde_json::Value> = reps
            .iter()
            .map(|u| serde_json::json!({ "user": u.0 }))
            .collect();
        serde_json::json!({ "name": name, "target": { "reps": reps }, "strategy": "round_robin" })
    };
    let live = serde_json::json!({ "rules": [rule("华东", &users[1..3])] });
    json(
        http.put(api("routing-rules"))
            .bearer_auth(&admin)
            .json(&live)
            .send()
            .await
            .expect("rules"),
    )
    .await;
    for n in 0..4 {
        json(
            http.post(api("leads"))
                .bearer_auth(&intake)
                .header("idempotency-key", format!("k{n}"))
                .json(&serde_json::json!({ "company": format!("测试公司{n}号"),
                                            "phone": format!("1390000000{n}") }))
                .send()
                .await
                .expect("lead"),
        )
        .await;
    }
    drop(server);

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("draft.json");
    let draft = serde_json::json!({ "rules": [rule("只给李娜", &users[3..])] });
    std::fs::write(&file, draft.to_string()).expect("draft file");
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    let today = Utc::now().with_timezone(&offset).date_naive();
    let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
    let (from, to) = (day(-1), day(1));
    let file = file.display().to_string();
    let args = [
        "routing", "simulate", "--from", &from, "--to", &to, "--rules", &file,
    ];
    let o = kehu(&db.url, &args, None);
    assert!(o.status.success(), "simulate: {o:?}");
    let text = stdout(&o);
    let (draft, live) = text.split_once("\nLive rules\n").expect("two sections");
    let got = |section: &str, name: &str| -> Vec<String> {
        let line = section
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {section}"));
        line.split_whitespace()
            .skip(2)
            .take(3)
            .map(str::to_owned)
            .collect()
    };
    assert!(draft.contains("Draft rules"), "{text}");
    assert_eq!(got(draft, "李娜"), ["4", "100.0%", "100.0%"], "{text}");
    assert_eq!(got(live, "张伟"), ["2", "50.0%", "50.0%"], "{text}");
    assert_eq!(got(live, "王芳"), ["2", "50.0%", "50.0%"], "{text}");
    assert!(
        live.contains("fairness: max deviation 0.0 pp, Gini 0.000"),
        "{text}"
    );
    assert!(
        live.contains("leads 4, routed 4, pooled 0, unrouted 0 (no rule matched 0)"),
        "{text}"
    );

    let o = kehu(
        &db.url,
        &["routing", "simulate", "--from", "2026-13-01", "--to", &to],
        None,
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("from: is not a valid date and time"), "{err}");
    std::fs::write(
        dir.path().join("bad.json"),
        r#"[{"name": "x", "target": {"reps": []}, "strategy": "random"}]"#,
    )
    .expect("bad file");
    let bad = dir.path().join("bad.json").display().to_string();
    let o = kehu(
        &db.url,
        &[
            "routing", "simulate", "--from", &from, "--to", &to, "--rules", &bad,
        ],
        None,
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rules[0].strategy: is not one of the allowed values"),
        "{err}"
    );
}
