//! The demo's leads (线索): four sources with response windows, routing rules per region
//! with a lead pool behind them, and two weeks of inquiries taken in through the same
//! intake, matching and routing as a real one — at the time each arrived. Some come from
//! existing customers (they go to the owner), some from firms outside every region (they
//! wait in the lead pool); older ones were answered, mostly within their window, and the
//! last few hours' are still open, so the workbench counts down.

use super::customers::Book;
use super::names::City;
use super::org::Org;
use super::{china_local, from_china_local, pick, pick_weighted};
use crate::auth::token::token_hash;
use crate::config::ServerConfig;
use crate::leads::{Sender, intake};
use crate::state::{AppState, Clock};
use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::CustomerInput;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::lead::{LeadId, LeadInput, ResponseWindow};
use kehu_domain::routing::RoutingRule;
use kehu_store::{Store, StoreError};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

/// Sources (code, name, response window in minutes, share of the leads).
const SOURCES: &[(&str, &str, u32, u32)] = &[
    ("web_form", "官网表单", 90, 5),
    ("douyin", "抖音", 15, 3),
    ("expo", "展会", 240, 2),
    ("phone", "电话", 30, 2),
];

/// Days of leads.
const DAYS: i64 = 14;

/// Leads on an ordinary day.
const PER_DAY: u32 = 18;

/// Leads younger than this are left unanswered (the workbench's countdowns).
const OPEN_HOURS: i64 = 3;

/// Where leads from outside every region come from: no rule's region covers them.
const ELSEWHERE: &[(&str, &str)] = &[("成都", "四川"), ("重庆", "重庆"), ("西安", "陕西")];

/// What asks the inquiries.
const MESSAGES: &[&str] = &[
    "想了解一下价格和交期",
    "请发一份产品资料和报价单",
    "我们有一批订单，想约时间详谈",
    "看了你们的视频，能寄样品吗？",
    "需要技术支持，请尽快联系",
    "展会上聊过，请跟进报价",
];

/// Seeds the sources, the rules and the leads; answers how many leads were taken in.
pub(super) async fn seed(
    store: &Store,
    rng: &mut StdRng,
    org: &Org,
    (created, book): (&[super::customers::Created], &mut Book),
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let start = now - TimeDelta::days(DAYS);
    let clock = Clock::at(start);
    let config = ServerConfig::new(([127, 0, 0, 1], 0).into(), String::new());
    let state = AppState::new(store.clone(), clock.clone(), config);
    let senders = sources(store, org, start).await?;
    rules(&state, org).await?;
    let shares: Vec<(&(Sender, u32, u32), u32)> = senders.iter().map(|s| (s, s.1)).collect();
    let mut taken = 0;
    for at in arrival_times(rng, now) {
        clock.set(at);
        let sender = pick_weighted(rng, &shares);
        let input = inquiry(store, rng, org, (created, &mut *book), now).await?;
        let key = format!("demo-{taken}");
        let done = intake(&state, &sender.0, Some(&key), &input)
            .await
            .map_err(|e| StoreError::Corrupt(format!("demo: lead {key}: {e:?}")))?;
        taken += 1;
        if now - at > TimeDelta::hours(OPEN_HOURS) {
            answer(store, rng, done.receipt.id, (at, now), sender.2, &org.admin).await?;
        }
    }
    Ok(taken)
}

/// Creates the sources with their windows and one intake token each: (sender, share,
/// window minutes).
async fn sources(
    store: &Store,
    org: &Org,
    at: DateTime<Utc>,
) -> Result<Vec<(Sender, u32, u32)>, StoreError> {
    let mut out = Vec::new();
    for &(code, name, minutes, share) in SOURCES {
        let id = store
            .create_lead_source(code, name, org.admin.user_id, at)
            .await?;
        store
            .set_response_window(id, Some(&ResponseWindow::standard(minutes)))
            .await?;
        let secret = format!("demo-{code}-{}", crate::auth::token::random_token());
        store
            .create_lead_source_token(
                id,
                "官网后台",
                &token_hash(&secret),
                600,
                org.admin.user_id,
                at,
            )
            .await?;
        let token = store
            .lead_source_token(&token_hash(&secret))
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("demo: token of {code} vanished")))?;
        out.push((Sender::Token(token), share, minutes));
    }
    Ok(out)
}

/// One rule per team for its provinces (round robin), and the lead pool of the whole
/// department for what no team covers.
async fn rules(state: &AppState, org: &Org) -> Result<(), StoreError> {
    let mut rules = Vec::new();
    for team in &org.teams {
        // The team's own provinces: its territory is not a textbook region (华北组 sells in
        // 山东, which the textbook counts as 华东).
        let mut provinces: Vec<&str> = team.region.cities.iter().map(|c| c.province).collect();
        provinces.sort_unstable();
        provinces.dedup();
        let team_id = team.manager.team_id.map(|t| t.0);
        rules.push(json!({
            "name": format!("{}线索轮流分配", team.region.team),
            "criteria": { "provinces": provinces },
            "target": { "team": team_id },
            "strategy": "round_robin",
        }));
    }
    rules.push(json!({
        "name": "其余线索进认领池",
        "target": { "lead_pool": org.root.0 },
        "strategy": "round_robin",
    }));
    let rules: Vec<RoutingRule> = serde_json::from_value(json!(rules))
        .map_err(|e| StoreError::Corrupt(format!("demo: rules: {e}")))?;
    crate::routing::save_rules(state, &org.admin, &rules)
        .await
        .map_err(|e| StoreError::Corrupt(format!("demo: rules: {e:?}")))
}

/// When each lead arrives: office hours in China, more on weekdays, the newest ones within
/// the last hours before `now`.
fn arrival_times(rng: &mut StdRng, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    for day in (1..=DAYS).rev() {
        let date = china_local(now - TimeDelta::days(day)).date();
        for _ in 0..rng.random_range(PER_DAY / 2..=PER_DAY) {
            let minute = rng.random_range(8 * 60 + 30..21 * 60);
            let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or_default();
            out.push(from_china_local(date.and_time(time)));
        }
    }
    // The last few hours: what is still waiting for an answer.
    for _ in 0..6 {
        out.push(now - TimeDelta::minutes(rng.random_range(5..OPEN_HOURS * 60)));
    }
    out.sort();
    out
}

/// One inquiry: from an existing customer (about one in six), or a new firm, mostly in the
/// regions' cities and some from elsewhere.
async fn inquiry(
    store: &Store,
    rng: &mut StdRng,
    org: &Org,
    (created, book): (&[super::customers::Created], &mut Book),
    now: DateTime<Utc>,
) -> Result<LeadInput, StoreError> {
    let message = Some(pick(rng, MESSAGES).to_owned());
    if rng.random_bool(0.15) && !created.is_empty() {
        let id = created[rng.random_range(0..created.len())].id;
        return known(store, org, id, message).await;
    }
    let team = &org.teams[rng.random_range(0..org.teams.len())];
    let city: &City = &team.region.cities[rng.random_range(0..team.region.cities.len())];
    let mut input = lead_of(book.customer(rng, city, now)?, message);
    if rng.random_bool(0.1) {
        let (name, province) = pick(rng, ELSEWHERE);
        // The firm is from there: its name starts with that city, not the region's.
        input.company = input.company.map(|c| {
            c.strip_prefix(city.name)
                .map_or(c.clone(), |rest| format!("{name}{rest}"))
        });
        input.city = Some(name.to_owned());
        input.province = Some(province.to_owned());
    }
    Ok(input)
}

/// An inquiry from a stored customer, with its phone as the web form asks for it.
async fn known(
    store: &Store,
    org: &Org,
    id: CustomerId,
    message: Option<String>,
) -> Result<LeadInput, StoreError> {
    let view = store
        .customer_for(&org.admin, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("demo: customer {id:?} vanished")))?;
    let c = view.customer;
    Ok(LeadInput {
        company: Some(c.name),
        phone: Some(c.phone.e164().to_owned()),
        province: c.province,
        city: c.city,
        message,
        ..LeadInput::default()
    })
}

/// A new firm's inquiry: its name, first contact, phone, place and trade.
fn lead_of(c: CustomerInput, message: Option<String>) -> LeadInput {
    let contact = c.contacts.first();
    LeadInput {
        company: c.name,
        contact_name: contact.and_then(|k| k.name.clone()),
        phone: contact.and_then(|k| k.phone.clone()).or(c.phone),
        province: c.province,
        city: c.city,
        industry: c.industry,
        message,
        ..LeadInput::default()
    }
}

/// The assigned rep answers: mostly within the window, one in ten late.
async fn answer(
    store: &Store,
    rng: &mut StdRng,
    lead: i64,
    (at, now): (DateTime<Utc>, DateTime<Utc>),
    window: u32,
    admin: &Actor,
) -> Result<(), StoreError> {
    let Some(l) = store.lead_for(admin, lead).await? else {
        return Ok(());
    };
    let Some(rep) = l.assigned_to.filter(|_| l.status == "assigned") else {
        return Ok(());
    };
    let window = i64::from(window);
    let minutes = if rng.random_bool(0.9) {
        rng.random_range(1..=window.max(2) - 1)
    } else {
        rng.random_range(window + 1..window * 2 + 2)
    };
    let note = Some("已电话联系，约了下周拜访");
    // Never after the present: a late answer to an older lead is late, not in the future.
    let answered = (at + TimeDelta::minutes(minutes)).min(now);
    // A refusal (already answered) leaves the lead as it is.
    let _refused = store
        .respond_to_lead(LeadId(lead), UserId(rep), note, answered)
        .await?;
    Ok(())
}
