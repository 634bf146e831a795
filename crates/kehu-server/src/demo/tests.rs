//! The demo as a user meets it, on SQLite and on PostgreSQL.

use super::names::{REGIONS, ROOT_TEAM};
use super::{DEMO_PASSWORD, DemoSize, DemoSummary, seed};
use crate::auth::password;
use chrono::{DateTime, Duration, TimeZone, Utc};
use kehu_domain::customer::Customer;
use kehu_domain::ownership::LedgerKind;
use kehu_domain::{Actor, Role};
use kehu_store::Store;
use kehu_store::customers::{ListQuery, Scope};
use kehu_testkit::{BACKENDS, Backend, TestDb};
use std::collections::HashSet;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .expect("valid")
}

async fn seeded(backend: Backend) -> (TestDb, DemoSummary) {
    let db = TestDb::new(backend).await;
    let summary = seed(&db.store, now(), &DemoSize::SMALL)
        .await
        .expect("seed");
    (db, summary)
}

async fn actor(store: &Store, login: &str) -> Actor {
    let user = store
        .user_by_login(login)
        .await
        .expect("load")
        .expect("exists");
    store
        .actor(kehu_domain::UserId(user.id))
        .await
        .expect("load")
        .expect("active")
}

async fn list(store: &Store, actor: &Actor, scope: Scope) -> Vec<Customer> {
    let query = ListQuery {
        scope,
        q: None,
        before: None,
        limit: 200,
    };
    let views = store.list_customers(actor, &query).await.expect("list");
    views.into_iter().map(|v| v.customer).collect()
}

/// Every customer, owned or pooled, as the admin sees them.
async fn all_customers(store: &Store) -> Vec<Customer> {
    let admin = actor(store, "admin").await;
    let mut all = list(store, &admin, Scope::Team).await;
    all.extend(list(store, &admin, Scope::Pool).await);
    all
}

#[tokio::test]
async fn three_teams_with_a_manager_and_every_login_works() {
    for backend in BACKENDS {
        let (db, summary) = seeded(backend).await;
        let s = &db.store;
        let reps = DemoSize::SMALL.reps_per_team;
        assert_eq!(summary.logins.len(), 1 + 3 * (1 + reps), "{backend:?}");
        let logins: HashSet<_> = summary.logins.iter().map(|l| &l.login).collect();
        let names: HashSet<_> = summary.logins.iter().map(|l| &l.name).collect();
        assert_eq!(logins.len(), summary.logins.len(), "logins distinct");
        assert_eq!(names.len(), summary.logins.len(), "names distinct");
        let admin = &summary.logins[0];
        assert_eq!(
            (admin.login.as_str(), admin.role, &admin.team),
            ("admin", Role::Admin, &None)
        );

        let root = s
            .team_by_name(ROOT_TEAM)
            .await
            .expect("load")
            .expect("root");
        for region in REGIONS {
            let team = s
                .team_by_name(region.team)
                .await
                .expect("load")
                .expect("team");
            assert_eq!(
                team.parent_id,
                Some(root.id),
                "{} under {ROOT_TEAM}",
                region.team
            );
            let members: Vec<_> = summary
                .logins
                .iter()
                .filter(|l| l.team.as_deref() == Some(region.team))
                .collect();
            let managers: Vec<_> = members.iter().filter(|l| l.role == Role::Manager).collect();
            assert_eq!(managers.len(), 1, "{}: one manager", region.team);
            assert_eq!(members.len(), 1 + reps, "{}", region.team);
            let manager = actor(s, &managers[0].login).await;
            assert_eq!(manager.managed_path(), Some(team.path.as_str()));
        }

        for l in &summary.logins {
            let user = s
                .user_by_login(&l.login)
                .await
                .expect("load")
                .expect("user");
            assert!(user.active);
            let ok = password::verify(summary.password.to_owned(), user.password_hash).await;
            assert!(ok, "{} logs in with {DEMO_PASSWORD}", l.login);
        }
        let user = s.user_by_login("admin").await.expect("load").expect("user");
        assert!(!password::verify("kehu2025".to_owned(), user.password_hash).await);
    }
}

#[tokio::test]
async fn ledger_and_projection_agree_and_the_pool_is_counted() {
    for backend in BACKENDS {
        let (db, summary) = seeded(backend).await;
        let s = &db.store;
        let customers = all_customers(s).await;
        assert_eq!(customers.len(), DemoSize::SMALL.customers, "{backend:?}");
        assert_eq!(summary.customers, customers.len());

        let mut pooled = 0;
        let mut kinds = HashSet::new();
        for c in &customers {
            let state = s
                .ownership_state(c.id)
                .await
                .expect("load")
                .expect("exists");
            let ledger = s.ledger(c.id).await.expect("ledger");
            let first = ledger.first().expect("a create event");
            assert_eq!(first.kind, LedgerKind::Create);
            assert_eq!(first.at, c.created_at);
            assert!(c.created_at > now() - Duration::days(181) && c.created_at < now());
            let last = ledger.last().expect("an event");
            assert_eq!(
                last.to_user, state.owner_id,
                "{}: ledger and projection",
                c.name
            );
            assert_eq!(last.at, state.owner_since);
            assert!(
                ledger.windows(2).all(|w| w[0].at < w[1].at),
                "{}: in time order",
                c.name
            );
            assert!(last.at < now());
            for e in &ledger {
                kinds.insert(e.kind);
                if matches!(e.kind, LedgerKind::Release | LedgerKind::Transfer) {
                    assert!(
                        e.reason.as_deref().is_some_and(|r| !r.is_empty()),
                        "{}",
                        c.name
                    );
                }
            }
            if state.owner_id.is_none() {
                pooled += 1;
                assert_eq!(last.kind, LedgerKind::Release);
            }
        }
        assert!(summary.in_pool > 0);
        assert_eq!(summary.in_pool, pooled);
        let rep = summary
            .logins
            .iter()
            .find(|l| l.role == Role::Rep)
            .expect("a rep");
        let pool = list(s, &actor(s, &rep.login).await, Scope::Pool).await;
        assert_eq!(pool.len(), pooled, "a rep sees the whole pool");
        // Even the small demo shows every kind of change a manager will look for.
        for kind in [LedgerKind::Release, LedgerKind::Claim, LedgerKind::Transfer] {
            assert!(kinds.contains(&kind), "{backend:?}: {kind:?} in {kinds:?}");
        }
    }
}

#[tokio::test]
async fn customers_look_real_and_belong_to_their_region() {
    for backend in BACKENDS {
        let (db, _) = seeded(backend).await;
        let s = &db.store;
        let customers = all_customers(s).await;
        let names: HashSet<_> = customers.iter().map(|c| &c.name).collect();
        let phones: HashSet<_> = customers.iter().map(|c| c.phone.e164()).collect();
        assert_eq!(names.len(), customers.len(), "names distinct");
        assert_eq!(phones.len(), customers.len(), "main phones distinct");
        let follow_ups = customers.iter().filter_map(|c| c.next_follow_up_at);
        for t in follow_ups {
            assert!(t > now() && t <= now() + Duration::days(14), "{t}");
        }
        for c in &customers {
            let city = c.city.as_deref().expect("city");
            let region = REGIONS
                .iter()
                .find(|r| {
                    r.cities
                        .iter()
                        .any(|x| x.name == city && Some(x.province) == c.province.as_deref())
                })
                .expect("a demo city with its province");
            assert!(c.industry.is_some());
            let creator = s.ledger(c.id).await.expect("ledger")[0]
                .to_user
                .expect("owned at first");
            let creator = s.actor(creator).await.expect("load").expect("active");
            let team = s
                .team_by_name(region.team)
                .await
                .expect("load")
                .expect("team");
            assert_eq!(
                creator.team_path.as_deref(),
                Some(team.path.as_str()),
                "{}",
                c.name
            );
            let contacts = s.contacts(c.id).await.expect("contacts");
            assert!((1..=3).contains(&contacts.len()), "{}", c.name);
            for k in contacts {
                let phone = k.phone.expect("contact mobile");
                assert_ne!(phone.e164(), c.phone.e164(), "{}", c.name);
            }
        }
    }
}

#[tokio::test]
async fn every_rep_has_customers_to_work() {
    for backend in BACKENDS {
        let (db, summary) = seeded(backend).await;
        let s = &db.store;
        for l in summary.logins.iter().filter(|l| l.role == Role::Rep) {
            let rep = actor(s, &l.login).await;
            let mine = list(s, &rep, Scope::Mine).await;
            assert!(!mine.is_empty(), "{backend:?}: {} owns customers", l.login);
            assert!(mine.iter().all(|c| c.owner_id == Some(rep.user_id)));
        }
    }
}

#[tokio::test]
async fn the_same_demo_on_both_engines() {
    let mut seen = Vec::new();
    for backend in BACKENDS {
        let (db, summary) = seeded(backend).await;
        let mut customers: Vec<_> = all_customers(&db.store)
            .await
            .into_iter()
            .map(|c| (c.name, c.phone.e164().to_owned(), c.owner_name))
            .collect();
        customers.sort();
        seen.push((summary, customers));
    }
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test]
async fn the_first_recycle_pass_takes_back_only_the_neglected_few() {
    for b in BACKENDS {
        let (db, _) = seeded(b).await;
        let admin = actor(&db.store, "admin").await;
        let owned_before = list(&db.store, &admin, Scope::Team).await.len();
        let config = crate::ServerConfig::new("127.0.0.1:0".parse().expect("addr"), db.url.clone());
        let clock = crate::Clock::at(now());
        let state = crate::AppState::new(db.store.clone(), clock, config);
        let r = crate::jobs::run_once(&state).await.expect("pass").recycle;
        let owned_after = list(&db.store, &admin, Scope::Team).await.len();
        assert_eq!(owned_before - owned_after, r.recycled, "{b:?}");
        assert!(
            r.recycled * 10 < owned_before,
            "{b:?}: {r:?} of {owned_before}"
        );
        assert!(r.warned > 0, "{b:?}: the demo shows warnings: {r:?}");
    }
}

#[tokio::test]
async fn two_weeks_of_leads_routed_by_the_rules_and_mostly_answered() {
    for b in BACKENDS {
        let (db, summary) = seeded(b).await;
        let s = &db.store;
        let admin = actor(s, "admin").await;
        let leads = s.leads_for(&admin, None, 1000).await.expect("leads");
        assert_eq!(leads.len(), summary.leads, "{b:?}");
        assert!(summary.leads > 100, "{b:?}: {}", summary.leads);
        let sources: HashSet<&str> = leads.iter().map(|l| l.source_name.as_str()).collect();
        assert_eq!(sources.len(), 4, "{b:?}: {sources:?}");

        // Inquiries of stored customers went to their owners, the rest by the rules; what no
        // region covers waits in the lead pool. Every routed lead says why.
        let count =
            |f: &dyn Fn(&kehu_store::leads::Lead) -> bool| leads.iter().filter(|l| f(l)).count();
        assert!(count(&|l| l.outcome == "assigned_owner") > 0, "{b:?}");
        assert!(count(&|l| l.status == "pooled") > 0, "{b:?}");
        for l in leads.iter().filter(|l| l.outcome == "assigned_owner") {
            let customer = l.customer_id.expect("matched");
            let owner = s
                .customer_for(&admin, kehu_domain::ids::CustomerId(customer))
                .await
                .expect("q")
                .expect("visible")
                .customer
                .owner_id;
            assert!(
                owner.is_some(),
                "{b:?}: lead {} matched an owned customer",
                l.id
            );
        }
        let routed = leads
            .iter()
            .filter(|l| l.outcome == "unrouted" && l.status == "assigned");
        for l in routed {
            let why = l.routing.as_deref().unwrap_or_default();
            assert!(why.contains("线索轮流分配"), "{b:?}: lead {}: {why}", l.id);
        }

        // Older leads were answered; the last hours' wait, with their windows running.
        let open = count(&|l| l.status == "assigned" && l.responded_at.is_none());
        let answered = count(&|l| l.responded_at.is_some());
        assert!(
            answered > leads.len() / 2,
            "{b:?}: {answered} of {}",
            leads.len()
        );
        assert!(
            leads
                .iter()
                .all(|l| l.responded_at.is_none_or(|t| t <= now())),
            "{b:?}: no answer after the present"
        );
        assert!(open > 0, "{b:?}");
        assert!(
            leads
                .iter()
                .filter(|l| l.responded_at.is_none() && l.status == "assigned")
                .all(|l| l.window_due_at.is_some()),
            "{b:?}"
        );
    }
}
