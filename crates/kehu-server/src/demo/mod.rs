//! The demo organisation (`kehu demo`): a Chinese SMB sales department with three regional
//! teams, a few thousand customers, half a year of ownership history and two weeks of
//! leads routed by rules, all created through
//! the same parsers, rules and store calls as real use, so the demo shows real behaviour.

mod customers;
mod fields;
mod follow_ups;
mod history;
mod leads;
mod names;
mod org;
#[cfg(test)]
mod tests;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Utc};
use kehu_domain::Role;
use kehu_store::{Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How big a demo organisation to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSize {
    /// Reps in each of the three regional teams.
    pub reps_per_team: usize,
    /// Customers in total.
    pub customers: usize,
}

impl DemoSize {
    /// The size `kehu demo` builds: big enough for lists, pools and reports to look lived in.
    pub const FULL: DemoSize = DemoSize {
        reps_per_team: 5,
        customers: 2000,
    };
    /// A quick one, for tests.
    pub const SMALL: DemoSize = DemoSize {
        reps_per_team: 2,
        customers: 60,
    };
}

/// One demo login, for printing at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Login name (pinyin of the person's name).
    pub login: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team name; `None` for the admin.
    pub team: Option<String>,
}

/// What was seeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Every account: the admin first, then each team's manager and reps.
    pub logins: Vec<DemoLogin>,
    /// The password of every account.
    pub password: &'static str,
    /// Customers created.
    pub customers: usize,
    /// Customers in the pool at the end.
    pub in_pool: usize,
    /// Leads taken in (two weeks of them).
    pub leads: usize,
}

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "kehu2026";

/// How far back the demo's history reaches.
const HISTORY_DAYS: i64 = 180;

/// The teams' time zone (China has one, without daylight saving).
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("+08:00 is a valid offset"),
};

/// Seeds a demo organisation into an empty, migrated store. `now` is the present; history is spread over the preceding ~180 days.
///
/// The same `now` and `size` always give the same organisation. On a store that already
/// holds the demo teams this fails with `Conflict { what: "team" }` before writing anything.
pub async fn seed(
    store: &Store,
    now: DateTime<Utc>,
    size: &DemoSize,
) -> Result<DemoSummary, StoreError> {
    let mut rng = StdRng::seed_from_u64(2026);
    // One hash for every account: Argon2 costs ~15 ms a call, on purpose.
    let password_hash = crate::auth::password::hash(DEMO_PASSWORD.to_owned()).await;
    if password_hash.is_empty() {
        return Err(StoreError::Corrupt(
            "demo: hashing the demo password failed".to_owned(),
        ));
    }
    let org = org::build(store, &mut rng, now, size.reps_per_team, &password_hash).await?;
    let (created, mut book) =
        customers::create_all(store, &mut rng, &org, now, size.customers).await?;
    let in_pool = history::play(store, &mut rng, &org, &created, now).await?;
    follow_ups::log(store, &mut rng, &created, now).await?;
    let leads = leads::seed(store, &mut rng, &org, (&created, &mut book), now).await?;
    Ok(DemoSummary {
        logins: org.logins,
        password: DEMO_PASSWORD,
        customers: created.len(),
        in_pool,
        leads,
    })
}

/// Picks an item by weight; `items` is never empty and its weights are positive.
fn pick_weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for &(item, weight) in items {
        if roll < weight {
            return item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

/// Picks one item of a non-empty constant list.
fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// `now` as a wall-clock time in China.
fn china_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&CHINA).naive_local()
}

/// A wall-clock time in China, back to UTC. Infallible: a fixed offset has no gaps.
fn from_china_local(t: NaiveDateTime) -> DateTime<Utc> {
    (t - TimeDelta::seconds(i64::from(CHINA.local_minus_utc()))).and_utc()
}
