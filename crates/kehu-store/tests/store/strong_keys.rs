//! Which identity keys are strong, as an admin sets it: the stored keys follow the setting,
//! saves and imports are refused by the new kinds, and a kind whose values customers already
//! share is refused with an example, nothing changed.

use crate::support::*;
use kehu_domain::customer::Phone;
use kehu_domain::customer::keys::{IdentityKey, KeyKind, StrongKeys};
use kehu_domain::{Actor, Role};
use kehu_store::customers::{BulkRow, RowProblem};
use kehu_store::identity::{STRONG_KEYS, SharedKey};
use kehu_store::{Store, StoreError};
use kehu_testkit::BACKENDS;

fn landline_key(raw: &str) -> Vec<IdentityKey> {
    vec![IdentityKey::phone(
        &Phone::parse("phone", raw).expect("valid"),
    )]
}

async fn admin(s: &Store, o: &Org) -> Actor {
    let team = o.rep_a.team_id.expect("team");
    user(s, "admin", Role::Admin, team).await
}

#[tokio::test]
async fn the_strong_kinds_follow_the_setting_and_a_shared_value_refuses_the_change() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(s, &o).await;
        let all = StrongKeys::of(&KeyKind::ALL);

        // By default a switchboard is shared: both save.
        let first = s
            .create_customer(&o.rep_a, &new_customer("常州永信", "0519-8888 6666"), t0())
            .await
            .expect("landline 1");
        let second = s
            .create_customer(
                &o.rep_b,
                &new_customer("常州永信机械", "051988886666"),
                t0(),
            )
            .await
            .expect("landline 2");

        // Making landlines strong is refused while two customers share one: nothing changes.
        let err = s.put_strong_keys(&admin, &all, t0()).await.unwrap_err();
        let StoreError::KeyShared(shared) = err else {
            panic!("{b:?}: {err:?}")
        };
        assert_eq!(
            *shared,
            SharedKey {
                kind: KeyKind::Landline,
                values: 1,
                example: "+8651988886666".into(),
                customers: vec![(first, "常州永信".into()), (second, "常州永信机械".into())],
            },
            "{b:?}"
        );
        let stored: StrongKeys = s.setting(STRONG_KEYS).await.expect("setting");
        assert_eq!(stored, StrongKeys::default(), "{b:?}");
        let hits = s
            .customers_sharing_keys(&landline_key("051988886666"))
            .await
            .expect("lookup");
        assert!(hits.iter().all(|h| !h.strong), "{b:?}: {hits:?}");

        // Once the second has its own number, the change goes through.
        let before = s
            .customer_for(&o.rep_b, second)
            .await
            .expect("q")
            .expect("visible");
        let mut edited = before.customer.clone();
        edited.phone = Phone::parse("phone", "0519-8888 7777").expect("valid");
        s.update_customer(&o.rep_b, &before, &edited, t0())
            .await
            .expect("own number");
        s.put_strong_keys(&admin, &all, t0()).await.expect("change");
        let stored: StrongKeys = s.setting(STRONG_KEYS).await.expect("setting");
        assert_eq!(stored, all, "{b:?}");
        let hits = s
            .customers_sharing_keys(&landline_key("0519-88886666"))
            .await
            .expect("lookup");
        assert_eq!(
            hits.iter()
                .map(|h| (h.customer_id, h.strong))
                .collect::<Vec<_>>(),
            vec![(first, true)],
            "{b:?}"
        );

        // Now a third customer on that switchboard is refused, by form and by import alike.
        let err = s
            .create_customer(&o.rep_b, &new_customer("永信机械", "0519 88886666"), t0())
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Duplicate { field: "phone", existing } if existing == first),
            "{b:?}: {err:?}"
        );
        let rows = [BulkRow {
            row: 2,
            customer: Ok(new_customer("永信机械厂", "0519-8888-6666")),
            owner: Some(o.rep_b.user_id),
        }];
        let report = s
            .bulk_insert_customers(&o.manager, &rows, t0())
            .await
            .expect("import");
        assert!(report.created.is_empty(), "{b:?}: {report:?}");
        assert!(
            matches!(report.rejected[0].problem, RowProblem::Duplicate { existing, .. } if existing == first),
            "{b:?}: {report:?}"
        );

        // Mobiles made weak: one mobile may now be saved twice, then it cannot be strong again.
        s.put_strong_keys(&admin, &StrongKeys::of(&[KeyKind::CreditCode]), t0())
            .await
            .expect("mobiles weak");
        let a = s
            .create_customer(&o.rep_a, &new_customer("无锡新材", "13911112222"), t0())
            .await
            .expect("mobile 1");
        let bb = s
            .create_customer(&o.rep_b, &new_customer("无锡新材料", "139 1111 2222"), t0())
            .await
            .expect("mobile 2 (mobiles weak)");
        let err = s
            .put_strong_keys(&admin, &StrongKeys::default(), t0())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::KeyShared(s) if s.kind == KeyKind::Mobile
                && s.customers.iter().map(|c| c.0).collect::<Vec<_>>() == vec![a, bb]),
            "{b:?}: {err:?}"
        );
        // The refused change left every flag as it was: the mobile and the landline weak.
        for key in [landline_key("0519-88886666"), landline_key("13911112222")] {
            let hits = s.customers_sharing_keys(&key).await.expect("lookup");
            assert!(
                !hits.is_empty() && hits.iter().all(|h| !h.strong),
                "{b:?}: {hits:?}"
            );
        }
    }
}

/// A raw statement on the test database (to set up what only an old migration wrote).
async fn exec(b: kehu_testkit::Backend, url: &str, sql: &str) {
    match b {
        kehu_testkit::Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.expect("db");
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&pool)
                .await
                .expect("exec");
        }
        kehu_testkit::Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.expect("db");
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&pool)
                .await
                .expect("exec");
        }
    }
}

#[tokio::test]
async fn a_kind_that_stays_strong_keeps_the_weak_rows_of_numbers_shared_before() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(s, &o).await;
        let first = s
            .create_customer(&o.rep_a, &new_customer("苏州华星", "13800138000"), t0())
            .await
            .expect("first");
        let later = s
            .create_customer(&o.rep_b, &new_customer("华星精密", "13900139000"), t0())
            .await
            .expect("later");
        // What the identity migration wrote for a mobile two customers already shared: the
        // later customer keeps it as a weak key, for the duplicate review.
        let sql = format!(
            "update identity_keys set value = '+8613800138000', strong = false \
             where customer_id = {} and kind = 'mobile'",
            later.0
        );
        exec(b, &o.db.url, &sql).await;

        s.put_strong_keys(&admin, &StrongKeys::of(&KeyKind::ALL), t0())
            .await
            .expect("landlines strong too; mobiles unchanged");
        let key = vec![IdentityKey::phone(
            &Phone::parse("phone", "13800138000").expect("valid"),
        )];
        let hits = s.customers_sharing_keys(&key).await.expect("lookup");
        assert_eq!(
            hits.iter()
                .map(|h| (h.customer_id, h.strong))
                .collect::<Vec<_>>(),
            vec![(first, true), (later, false)],
            "{b:?}"
        );
    }
}
