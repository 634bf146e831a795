//! A real Kehu server per test, on a fresh database, driven over HTTP.
//!
//! ```ignore
//! let app = TestApp::start(backend).await;
//! let team = app.team("华东", None).await;
//! let rep = app.user("rep_a", Role::Rep, team).await;
//! let r = app.post(&rep, "/api/v1/customers", json!({"name": "…", "phone": "…", "source": "web"})).await;
//! r.assert_status(201);
//! ```
#![expect(
    clippy::disallowed_methods,
    reason = "tests stand in for the wall clock"
)]

use chrono::Utc;
use kehu_domain::Role;
use kehu_domain::ids::TeamId;
use kehu_server::auth::token::{random_token, token_hash};
use kehu_server::{Clock, Server, ServerConfig};
use kehu_store::{NewUser, Store};
use kehu_testkit::{Backend, TestDb};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::OnceLock;
use tokio::sync::oneshot;

/// The password every test user has (hashed once: Argon2id is slow on purpose).
pub const PASSWORD: &str = "pw";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| kehu_server::auth::password::hash_blocking(PASSWORD))
}

/// A running server (or several on one database), its database and an HTTP client.
/// Dropping it stops the servers and removes the database.
pub struct TestApp {
    /// The engine under test, named in assertion messages.
    pub backend: Backend,
    /// The base URL of each instance (`http://127.0.0.1:port`).
    pub bases: Vec<String>,
    /// The client requests go through.
    pub client: reqwest::Client,
    // Dropped before `db`: each sender's drop tells one server to stop.
    _stops: Vec<oneshot::Sender<()>>,
    /// The database, for setting up what the API cannot (teams, users, tokens).
    pub db: TestDb,
}

/// A user and their API token.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Id.
    pub id: i64,
    /// Display name (differs from the login, so tests can tell which one an answer shows).
    pub name: String,
    /// Bearer token.
    pub token: String,
}

/// An answer: status, headers and the body parsed as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    /// What was asked, for messages: `[Sqlite] GET /api/v1/…`.
    pub request: String,
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Value,
}

impl TestApp {
    /// One server on a fresh database.
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_instances(backend, 1).await
    }

    /// `n` servers on one fresh database, each with its own connection pool (as separate
    /// processes would be).
    pub async fn start_instances(backend: Backend, n: usize) -> TestApp {
        let db = TestDb::new(backend).await;
        let mut bases = Vec::with_capacity(n);
        let mut stops = Vec::with_capacity(n);
        for i in 0..n {
            let store = if i == 0 {
                db.store.clone()
            } else {
                Store::connect(&db.url)
                    .await
                    .expect("connect a second store")
            };
            let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), db.url.clone());
            let server = Server::with_store(config, store, Clock::System)
                .await
                .expect("start server");
            bases.push(format!("http://{}", server.local_addr()));
            let (tx, rx) = oneshot::channel::<()>();
            tokio::spawn(server.run_until(async move {
                let _ = rx.await;
            }));
            stops.push(tx);
        }
        let client = reqwest::Client::builder().build().expect("http client");
        TestApp {
            backend,
            bases,
            client,
            _stops: stops,
            db,
        }
    }

    /// The store of the shared database.
    pub fn store(&self) -> &Store {
        &self.db.store
    }

    /// Creates a team under `parent`.
    pub async fn team(&self, name: &str, parent: Option<TeamId>) -> TeamId {
        self.store()
            .create_team(name, parent, Utc::now())
            .await
            .expect("create team")
    }

    /// Creates a user named `用户<login>` with an API token.
    pub async fn user(&self, login: &str, role: Role, team: TeamId) -> TestUser {
        self.user_named(login, &format!("用户{login}"), role, team)
            .await
    }

    /// Any request on instance `instance`, with an optional `Authorization` header value.
    pub async fn send_to(
        &self,
        instance: usize,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let base = &self.bases[instance % self.bases.len()];
        let mut req = self.client.request(method.clone(), format!("{base}{path}"));
        if let Some(a) = authorization {
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let request = format!("[{:?}] {method} {path}", self.backend);
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{request}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{request}: reading body: {e}"));
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            request,
            status,
            headers,
            body,
        }
    }

    /// A request as `user` on the first instance.
    pub async fn send(
        &self,
        user: &TestUser,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Resp {
        self.send_to(
            0,
            method,
            path,
            Some(&format!("Bearer {}", user.token)),
            body,
        )
        .await
    }

    /// `GET path` as `user`.
    pub async fn get(&self, user: &TestUser, path: &str) -> Resp {
        self.send(user, Method::GET, path, None).await
    }

    /// `POST path` with a JSON body as `user`.
    pub async fn post(&self, user: &TestUser, path: &str, body: Value) -> Resp {
        self.send(user, Method::POST, path, Some(&body)).await
    }

    /// `PATCH path` with a JSON body as `user`.
    pub async fn patch(&self, user: &TestUser, path: &str, body: Value) -> Resp {
        self.send(user, Method::PATCH, path, Some(&body)).await
    }

    /// Creates a customer through the API as `user`; answers its JSON.
    pub async fn customer(&self, user: &TestUser, name: &str, phone: &str) -> Value {
        let r = self
            .post(
                user,
                "/api/v1/customers",
                json!({ "name": name, "phone": phone, "source": "web" }),
            )
            .await;
        r.assert_status(201).body
    }

    /// Creates a customer as `user` and releases it to the pool; answers its id.
    pub async fn pool_customer(&self, user: &TestUser, name: &str, phone: &str) -> i64 {
        let id = id_of(&self.customer(user, name, phone).await);
        self.post(
            user,
            &format!("/api/v1/customers/{id}/release"),
            json!({ "reason": "放回公海" }),
        )
        .await
        .assert_status(200);
        id
    }

    /// The ids in `GET /api/v1/customers?<query>` as `user` (asserting 200).
    pub async fn list_ids(&self, user: &TestUser, query: &str) -> Vec<i64> {
        let r = self
            .get(user, &format!("/api/v1/customers?{query}"))
            .await
            .assert_status(200);
        r.items().iter().map(id_of).collect()
    }

    /// The engine's name for messages.
    pub fn label(&self) -> String {
        format!("{:?}", self.backend)
    }
}

impl Resp {
    /// Panics with the request and body unless the status is `code`; answers `self`.
    #[track_caller]
    pub fn assert_status(self, code: u16) -> Resp {
        assert_eq!(
            self.status.as_u16(),
            code,
            "{}: unexpected status, body: {}",
            self.request,
            self.body
        );
        self
    }

    /// Asserts an RFC 9457 problem with status `code`; answers `self`.
    #[track_caller]
    pub fn assert_problem(self, code: u16) -> Resp {
        let r = self.assert_status(code);
        assert_eq!(
            r.content_type(),
            "application/problem+json",
            "{}: content type",
            r.request
        );
        assert_eq!(
            r.body["status"],
            json!(code),
            "{}: problem status member: {}",
            r.request,
            r.body
        );
        assert!(
            r.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{}: problem without detail: {}",
            r.request,
            r.body
        );
        r
    }

    /// Asserts a 422 problem whose `errors[].field` include each of `fields`.
    #[track_caller]
    pub fn assert_fields(self, fields: &[&str]) -> Resp {
        let r = self.assert_problem(422);
        let named = r.fields();
        for f in fields {
            assert!(
                named.iter().any(|n| n == f),
                "{}: field `{f}` not named in {}",
                r.request,
                r.body
            );
        }
        r
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> &str {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The fields a problem's `errors` name.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `items` of a list answer.
    pub fn items(&self) -> Vec<Value> {
        self.body["items"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("{}: no items in {}", self.request, self.body))
    }
}

/// The `id` of a customer's JSON.
pub fn id_of(customer: &Value) -> i64 {
    customer["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {customer}"))
}

/// A mobile number no other customer of this test process has.
pub fn fresh_phone() -> String {
    format!("139{:08}", kehu_testkit::unique())
}

/// UI text of `key` (`"nav.mine"`) in locale `tag` (`"zh-CN"` or `"en"`), read from the locale
/// files independently of the server's i18n, so a missing key fails the test instead of
/// showing up on both sides as the key itself.
pub fn ui_text(tag: &str, key: &str) -> String {
    static LOCALES: OnceLock<[(&str, toml::Table); 2]> = OnceLock::new();
    let locales = LOCALES.get_or_init(|| {
        let parse = |src: &str| src.parse::<toml::Table>().expect("locale file parses");
        [
            ("zh-CN", parse(include_str!("../../locales/zh-CN.toml"))),
            ("en", parse(include_str!("../../locales/en.toml"))),
        ]
    });
    let (_, table) = locales
        .iter()
        .find(|(t, _)| *t == tag)
        .unwrap_or_else(|| panic!("no locale {tag}"));
    let mut value = None;
    let mut here = Some(table);
    for part in key.split('.') {
        let v = here.and_then(|t| t.get(part));
        here = v.and_then(toml::Value::as_table);
        value = v;
    }
    value
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("no text {key} in locale {tag}"))
        .to_owned()
}

/// [`ui_text`] with `{name}` placeholders filled.
pub fn ui_fmt(tag: &str, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(ui_text(tag, key), |s, (name, value)| {
        s.replace(&format!("{{{name}}}"), value)
    })
}

/// Chinese (the default UI language) text of `key`.
pub fn zh(key: &str) -> String {
    ui_text("zh-CN", key)
}

impl TestApp {
    /// Who changed the setting `name`, and to what (its new JSON), oldest first, read from
    /// the audit log straight in the database.
    pub async fn setting_audit(&self, name: &str) -> Vec<(i64, String)> {
        const SQL: &str = "select actor_id, new_value from audit_log \
             where entity = 'setting' and field = $1 order by id";
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.db.url).await.expect("db");
                let q = sqlx::query_as(SQL).bind(name);
                q.fetch_all(&pool).await.expect("audit")
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.db.url).await.expect("db");
                let q = sqlx::query_as(SQL).bind(name);
                q.fetch_all(&pool).await.expect("audit")
            }
        }
    }
}

impl TestApp {
    /// Like [`TestApp::user`], with a chosen display name (for pages a person will look at,
    /// such as the README screenshot).
    pub async fn user_named(&self, login: &str, name: &str, role: Role, team: TeamId) -> TestUser {
        let id = self
            .store()
            .create_user(
                &NewUser {
                    login,
                    name,
                    role,
                    team_id: Some(team),
                    password_hash: password_hash(),
                },
                Utc::now(),
            )
            .await
            .expect("create user");
        let token = random_token();
        self.store()
            .create_api_token(id, "test", &token_hash(&token), Utc::now())
            .await
            .expect("create token");
        TestUser {
            id: id.0,
            name: name.to_owned(),
            token,
        }
    }
}

/// The organisation most tests use: 总部 (admin) ⊃ 华东 (rep_a, rep_b, mgr_east) and
/// 华南 (rep_south, mgr_south).
pub struct Org {
    pub app: TestApp,
    pub rep_a: TestUser,
    pub rep_b: TestUser,
    pub manager: TestUser,
    pub south_rep: TestUser,
    pub other_manager: TestUser,
    pub admin: TestUser,
}

impl Org {
    /// Starts a server on `backend` with that organisation.
    pub async fn start(backend: Backend) -> Org {
        Self::with_app(TestApp::start(backend).await).await
    }

    /// The organisation on an app already started (several instances, say).
    pub async fn with_app(app: TestApp) -> Org {
        let root = app.team("总部", None).await;
        let east = app.team("华东", Some(root)).await;
        let south = app.team("华南", Some(root)).await;
        let rep_a = app.user("rep_a", Role::Rep, east).await;
        let rep_b = app.user("rep_b", Role::Rep, east).await;
        let manager = app.user("mgr_east", Role::Manager, east).await;
        let south_rep = app.user("rep_south", Role::Rep, south).await;
        let other_manager = app.user("mgr_south", Role::Manager, south).await;
        let admin = app.user("admin", Role::Admin, root).await;
        Org {
            app,
            rep_a,
            rep_b,
            manager,
            south_rep,
            other_manager,
            admin,
        }
    }
}

/// The state of a job runner on `store` (the app's database) whose clock stands at `at`:
/// how tests fast-forward the time-based rules while the servers keep the real clock.
pub fn runner(
    app: &TestApp,
    store: Store,
    at: chrono::DateTime<chrono::Utc>,
) -> kehu_server::AppState {
    let config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), app.db.url.clone());
    kehu_server::AppState::new(store, Clock::at(at), config)
}
