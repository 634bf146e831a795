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

/// The claim race across two `kehu serve` processes sharing one PostgreSQL database.
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
