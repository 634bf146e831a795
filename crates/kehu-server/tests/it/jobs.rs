//! The recycle job with a fast-forwarded clock: warned once, recycled once with its rule, the
//! clock reset by an effective follow-up, and a catch-up pass shared by two instances.

use crate::harness::{Org, TestApp, fresh_phone, id_of, runner};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use kehu_domain::followup::{EffectivenessRules, FollowUpInput, NewFollowUp};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::LedgerKind;
use kehu_server::jobs;
use kehu_store::{Recycle, Store};
use kehu_testkit::BACKENDS;

#[expect(
    clippy::disallowed_methods,
    reason = "tests start from the real present"
)]
fn real_now() -> DateTime<Utc> {
    Utc::now()
}

async fn kinds(app: &TestApp, id: i64) -> Vec<LedgerKind> {
    let ledger = app.store().ledger(CustomerId(id)).await.expect("ledger");
    ledger.iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn a_neglected_customer_is_warned_once_then_recycled_once_with_its_rule() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let start = real_now();
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let run = |days: i64, hours: i64| {
            let state = runner(
                app,
                app.store().clone(),
                start + Duration::days(days) + Duration::hours(hours),
            );
            async move { jobs::run_once(&state).await.expect("pass").recycle }
        };
        // Day 26: nothing yet (30 days without an effective follow-up, warned 3 days before).
        assert_eq!(
            (run(26, 0).await.warned, run(26, 0).await.recycled),
            (0, 0),
            "{b:?}"
        );
        // Day 27: warned, once however often the job runs.
        assert_eq!(run(27, 1).await.warned, 1, "{b:?}");
        assert_eq!(run(28, 0).await.warned, 0, "{b:?}");
        let inbox = app
            .get(&o.rep_a, "/api/v1/notifications")
            .await
            .assert_status(200);
        let warned: Vec<_> = inbox
            .items()
            .iter()
            .filter(|n| n["kind"] == "recycle_warning")
            .cloned()
            .collect();
        assert_eq!(warned.len(), 1, "{b:?}: {}", inbox.body);
        // The rep's list marks it as about to be recycled, until it is.
        let marked = app
            .store()
            .recycle_due(&[CustomerId(id)], start)
            .await
            .expect("due");
        assert!(marked.contains_key(&id), "{b:?}: {marked:?}");
        // Day 30: recycled to the pool, by the system, with the rule and its facts; once.
        assert_eq!(run(30, 1).await.recycled, 1, "{b:?}");
        assert_eq!(run(31, 0).await.recycled, 0, "{b:?}");
        assert_eq!(
            kinds(app, id).await,
            [LedgerKind::Create, LedgerKind::Recycle],
            "{b:?}"
        );
        let ledger = app.store().ledger(CustomerId(id)).await.expect("ledger");
        let recycle = ledger.last().expect("event");
        assert_eq!(recycle.by_name, "系统", "{b:?}");
        let rule = recycle.rule.as_deref().expect("rule");
        assert!(
            rule.contains("\"no_follow_up\"") && rule.contains("\"days\":30"),
            "{b:?}: {rule}"
        );
        assert!(
            app.list_ids(&o.rep_b, "scope=pool").await.contains(&id),
            "{b:?}"
        );
        let marked = app
            .store()
            .recycle_due(&[CustomerId(id)], start)
            .await
            .expect("due");
        assert!(
            marked.is_empty(),
            "{b:?}: a pool customer is not marked: {marked:?}"
        );
        let inbox = app
            .get(&o.rep_a, "/api/v1/notifications")
            .await
            .assert_status(200);
        let recycled: Vec<_> = inbox
            .items()
            .iter()
            .filter(|n| n["kind"] == "recycled")
            .cloned()
            .collect();
        assert_eq!(recycled.len(), 1, "{b:?}: {}", inbox.body);
        let message = recycled[0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("苏州华星精密"),
            "{b:?}: the notice names the customer: {message}"
        );
        assert_eq!(recycled[0]["customer_id"], id, "{b:?}");
    }
}

#[tokio::test]
async fn an_effective_follow_up_restarts_the_clock_and_a_short_one_does_not() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let start = real_now();
        let kept = id_of(&app.customer(&o.rep_a, "常州永信机械", &fresh_phone()).await);
        let lost = id_of(&app.customer(&o.rep_a, "无锡恒达电子", &fresh_phone()).await);
        let rep = app
            .store()
            .actor(UserId(o.rep_a.id))
            .await
            .expect("q")
            .expect("actor");
        let rules = EffectivenessRules::default();
        let cst = FixedOffset::east_opt(8 * 3600).expect("offset");
        for (id, content) in [
            (kept, "客户对报价有疑问，下周二安排技术演示"),
            (lost, "已联系"),
        ] {
            let input = FollowUpInput {
                kind: Some("note".into()),
                content: Some(content.into()),
                ..FollowUpInput::default()
            };
            let f = NewFollowUp::parse(&input, cst).expect("valid");
            app.store()
                .add_follow_up(
                    &rep,
                    CustomerId(id),
                    Some(rep.user_id),
                    &f,
                    &rules.judge(&f),
                    start + Duration::days(20),
                )
                .await
                .expect("follow-up");
        }
        let state = runner(app, app.store().clone(), start + Duration::days(31));
        let r = jobs::run_once(&state).await.expect("pass").recycle;
        assert_eq!(r.recycled, 1, "{b:?}");
        assert_eq!(app.list_ids(&o.rep_a, "scope=mine").await, [kept], "{b:?}");
    }
}

#[tokio::test]
async fn after_downtime_two_instances_catch_up_and_recycle_each_customer_once() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let start = real_now();
        let mut ids = Vec::new();
        for i in 0..6 {
            ids.push(id_of(
                &app.customer(&o.rep_a, &format!("客户{i}号精密"), &fresh_phone())
                    .await,
            ));
        }
        let at = start + Duration::days(100);
        let other = Store::connect(&app.db.url).await.expect("second store");
        let (one, two) = (runner(app, app.store().clone(), at), runner(app, other, at));
        let (a, b2) = tokio::join!(jobs::run_once(&one), jobs::run_once(&two));
        let (a, b2) = (a.expect("pass").recycle, b2.expect("pass").recycle);
        assert_eq!(a.recycled + b2.recycled, 6, "{b:?}: {a:?} {b2:?}");
        for id in ids {
            assert_eq!(
                kinds(app, id).await,
                [LedgerKind::Create, LedgerKind::Recycle],
                "{b:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_owner_on_leave_ten_days_loses_the_customer_ten_days_later_to_the_microsecond() {
    use kehu_domain::ownership::protection::ProtectionRules;
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let away = id_of(&app.customer(&o.rep_a, "苏州远航物流", &fresh_phone()).await);
        let home = id_of(&app.customer(&o.rep_b, "杭州德润纺织", &fresh_phone()).await);
        let since = |id: i64| async move {
            app.store()
                .ownership_state(CustomerId(id))
                .await
                .expect("state")
                .expect("customer")
                .owner_since
        };
        let (since_away, since_home) = (since(away).await, since(home).await);
        // rep_a is away from day 5 to day 15 of their ownership: ten days.
        let instant = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        app.post(
            &o.rep_a,
            &format!("/api/v1/users/{}/leaves", o.rep_a.id),
            serde_json::json!({
                "from": instant(since_away + Duration::days(5)),
                "until": instant(since_away + Duration::days(15)),
                "note": "年假",
            }),
        )
        .await
        .assert_status(201);
        let run = |at: DateTime<Utc>| {
            let state = runner(app, app.store().clone(), at);
            async move { jobs::run_once(&state).await.expect("pass").recycle }
        };
        let micro = Duration::microseconds(1);
        // Without leave: recycled exactly 30 days after the owner got it, not a moment before.
        assert_eq!(
            run(since_home + Duration::days(30) - micro).await.recycled,
            0,
            "{b:?}"
        );
        assert_eq!(
            run(since_home + Duration::days(30)).await.recycled,
            1,
            "{b:?}"
        );
        assert_eq!(
            kinds(app, home).await.last(),
            Some(&LedgerKind::Recycle),
            "{b:?}"
        );
        assert_eq!(kinds(app, away).await, [LedgerKind::Create], "{b:?}");
        // The preview an admin sees agrees: on day 39 the customer on leave stays.
        let pool = app.store().pools().await.expect("pools").remove(0);
        let preview = app
            .store()
            .recycle_preview(
                pool.id,
                &pool.rules,
                &[],
                &ProtectionRules::default(),
                since_away + Duration::days(39),
            )
            .await
            .expect("preview");
        assert!(
            preview.customers.iter().all(|c| c.customer_id != away),
            "{b:?}: {preview:?}"
        );
        // With ten days of leave: ten days later, to the microsecond.
        let due = since_away + Duration::days(40);
        assert_eq!(run(due - micro).await.recycled, 0, "{b:?}");
        assert_eq!(kinds(app, away).await, [LedgerKind::Create], "{b:?}");
        assert_eq!(run(due).await.recycled, 1, "{b:?}");
        assert_eq!(
            kinds(app, away).await,
            [LedgerKind::Create, LedgerKind::Recycle],
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn protection_extended_by_a_follow_up_holds_off_a_short_rule_until_it_ends() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let pool = app
            .store()
            .pools()
            .await
            .expect("pools")
            .into_iter()
            .find(|p| p.is_default)
            .expect("default pool");
        // A strict pool: 5 days without an effective follow-up.
        app.patch(
            &o.admin,
            &format!("/api/v1/pools/{}", pool.id),
            serde_json::json!({"rules": {"recycle": {"no_follow_up_days": 5}}}),
        )
        .await
        .assert_status(200);
        let id = id_of(&app.customer(&o.rep_a, "宁波海纳电器", &fresh_phone()).await);
        let since = app
            .store()
            .ownership_state(CustomerId(id))
            .await
            .expect("state")
            .expect("customer")
            .owner_since;
        let rep = app
            .store()
            .actor(UserId(o.rep_a.id))
            .await
            .expect("q")
            .expect("actor");
        let input = FollowUpInput {
            kind: Some("note".into()),
            content: Some("客户确认下月采购计划，约好周五面谈".into()),
            ..FollowUpInput::default()
        };
        let cst = FixedOffset::east_opt(8 * 3600).expect("offset");
        let f = NewFollowUp::parse(&input, cst).expect("valid");
        let verdict = EffectivenessRules::default().judge(&f);
        app.store()
            .add_follow_up(
                &rep,
                CustomerId(id),
                Some(rep.user_id),
                &f,
                &verdict,
                since + Duration::days(10),
            )
            .await
            .expect("follow-up");
        // Day 10's follow-up: the 5-day clock runs out on day 15, but it extended the
        // protection (15 days) by 7 to day 22, and the customer stays until then.
        let run = |at: DateTime<Utc>| {
            let state = runner(app, app.store().clone(), at);
            async move { jobs::run_once(&state).await.expect("pass").recycle }
        };
        assert_eq!(run(since + Duration::days(16)).await.recycled, 0, "{b:?}");
        let edge = since + Duration::days(22);
        assert_eq!(
            run(edge - Duration::microseconds(1)).await.recycled,
            0,
            "{b:?}"
        );
        assert_eq!(run(edge).await.recycled, 1, "{b:?}");
    }
}

#[tokio::test]
async fn a_follow_up_logged_while_a_pass_runs_keeps_the_customer() {
    use kehu_domain::ownership::protection::ProtectionRules;
    use kehu_domain::pool::{RecycleRecord, RecycleVerdict, recycle_change};
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let store = app.store();
        let start = real_now();
        let saved = id_of(&app.customer(&o.rep_a, "常州永信机械", &fresh_phone()).await);
        let lost = id_of(&app.customer(&o.rep_a, "无锡恒达电子", &fresh_phone()).await);
        let at = start + Duration::days(31);
        // The pass judges both due…
        let mut judged = Vec::new();
        for p in store.pools().await.expect("pools") {
            let whitelist: Vec<i64> = p.whitelist.iter().map(|u| u.id).collect();
            let j = store
                .judge_pool(p.id, &p.rules, &whitelist, &ProtectionRules::default(), at)
                .await
                .expect("judge");
            judged.extend(j.into_iter().map(|j| (j, p.id)));
        }
        judged.retain(|(j, _)| matches!(j.verdict, RecycleVerdict::Recycle { .. }));
        judged.sort_by_key(|(j, _)| j.customer_id);
        assert_eq!(
            judged
                .iter()
                .map(|(j, _)| j.customer_id)
                .collect::<Vec<_>>(),
            [saved, lost],
            "{b:?}"
        );
        // …then, before it writes, the rep logs an effective follow-up on one of them.
        let rep = store
            .actor(UserId(o.rep_a.id))
            .await
            .expect("q")
            .expect("actor");
        let input = FollowUpInput {
            kind: Some("note".into()),
            content: Some("客户确认下周到厂参观，带技术负责人".into()),
            ..FollowUpInput::default()
        };
        let cst = FixedOffset::east_opt(8 * 3600).expect("offset");
        let f = NewFollowUp::parse(&input, cst).expect("valid");
        let rules = EffectivenessRules::default();
        store
            .add_follow_up(
                &rep,
                CustomerId(saved),
                Some(rep.user_id),
                &f,
                &rules.judge(&f),
                at,
            )
            .await
            .expect("follow-up");
        let system = store.system_user().await.expect("system");
        let changes: Vec<_> = judged
            .iter()
            .map(|(j, pool)| {
                let record = RecycleRecord {
                    cause: match j.verdict {
                        RecycleVerdict::Recycle { cause, .. } => cause.into(),
                        _ => unreachable!("retained"),
                    },
                    due: at,
                    pool: "公海".into(),
                };
                let change =
                    recycle_change(system, &j.ownership_state(), &record, at).expect("change");
                Recycle {
                    change,
                    pool: *pool,
                    activity: j.activity,
                    customer_name: j.customer_name.clone(),
                    owner_name: j.owner_name.clone(),
                }
            })
            .collect();
        let done = store.recycle_all(&changes).await.expect("recycle");
        assert_eq!(done, [false, true], "{b:?}: the followed-up customer stays");
        assert_eq!(app.list_ids(&o.rep_a, "scope=mine").await, [saved], "{b:?}");
    }
}

#[tokio::test]
async fn an_open_deal_keeps_a_neglected_customer_until_it_is_lost() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let start = real_now();
        let dealing = id_of(&app.customer(&o.rep_a, "常州永信机械", &fresh_phone()).await);
        let idle = id_of(&app.customer(&o.rep_a, "无锡恒达电子", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{dealing}/deals");
        let deal = app
            .post(&o.rep_a, &path, serde_json::json!({ "title": "二期产线" }))
            .await
            .assert_status(201);
        let deal = deal.body["id"].as_i64().expect("id");
        let pass = |days: i64| {
            let state = runner(app, app.store().clone(), start + Duration::days(days));
            async move { jobs::run_once(&state).await.expect("pass").recycle }
        };
        // The default rule exempts customers with an open deal.
        assert_eq!(pass(31).await.recycled, 1, "{b:?}");
        assert_eq!(
            app.list_ids(&o.rep_a, "scope=mine").await,
            [dealing],
            "{b:?}"
        );
        assert!(!app.list_ids(&o.rep_a, "scope=mine").await.contains(&idle));
        app.patch(
            &o.rep_a,
            &format!("{path}/{deal}"),
            serde_json::json!({ "stage": "lost", "lost_reason": "预算取消" }),
        )
        .await
        .assert_status(200);
        // Lost: nothing holds it any more, and it has gone 31 days without a follow-up.
        assert_eq!(pass(32).await.recycled, 1, "{b:?}");
        assert!(
            app.list_ids(&o.rep_a, "scope=mine").await.is_empty(),
            "{b:?}"
        );
    }
}
