//! A small organisation to test against, and fixed instants.

use chrono::FixedOffset;
use chrono::{DateTime, TimeZone, Utc};
use kehu_domain::customer::{CustomerInput, NewCustomer};
use kehu_domain::ids::TeamId;
use kehu_domain::{Actor, Role};
use kehu_store::{NewUser, Store};
use kehu_testkit::TestDb;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
        .single()
        .expect("valid")
}

pub struct Org {
    pub db: TestDb,
    pub rep_a: Actor,
    pub rep_b: Actor,
    pub manager: Actor,
    pub other_manager: Actor,
}

pub async fn user(store: &Store, login: &str, role: Role, team: TeamId) -> Actor {
    let id = store
        .create_user(
            &NewUser {
                login,
                name: login,
                role,
                team_id: Some(team),
                password_hash: "x",
            },
            t0(),
        )
        .await
        .expect("create user");
    store.actor(id).await.expect("load").expect("active")
}

pub async fn org(backend: kehu_testkit::Backend) -> Org {
    let db = TestDb::new(backend).await;
    let s = &db.store;
    let root = s.create_team("总部", None, t0()).await.expect("team");
    let east = s.create_team("华东", Some(root), t0()).await.expect("team");
    let south = s.create_team("华南", Some(root), t0()).await.expect("team");
    let rep_a = user(s, "rep_a", Role::Rep, east).await;
    let rep_b = user(s, "rep_b", Role::Rep, east).await;
    let manager = user(s, "mgr_east", Role::Manager, east).await;
    let other_manager = user(s, "mgr_south", Role::Manager, south).await;
    Org {
        db,
        rep_a,
        rep_b,
        manager,
        other_manager,
    }
}

pub fn new_customer(name: &str, phone: &str) -> NewCustomer {
    let input = CustomerInput {
        name: Some(name.into()),
        phone: Some(phone.into()),
        source: Some("web".into()),
        ..Default::default()
    };
    NewCustomer::parse(&input, FixedOffset::east_opt(8 * 3600).expect("offset")).expect("valid")
}
