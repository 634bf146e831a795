//! The posting count of every blocking key (`match_key_counts`): right after every write of
//! the match index, and what the check's skip of over-cap keys does with it.

use crate::support::*;
use kehu_domain::customer::merge::{MergeChoice, MergeInput, plan};
use kehu_domain::customer::{CustomerPatch, NewCustomer};
use kehu_domain::identity::matching::Prepared;
use kehu_domain::identity::matching::index::{StoredCustomer, probes, record_of};
use kehu_domain::ids::CustomerId;
use kehu_domain::{Actor, Role};
use kehu_store::Store;
use kehu_store::customers::BulkRow;
use kehu_testkit::BACKENDS;

/// The index's candidates for a record with this name and phone.
async fn candidates(s: &Store, name: &str, phone: Option<&str>) -> Vec<CustomerId> {
    let record = record_of(&StoredCustomer {
        name,
        phone,
        ..StoredCustomer::default()
    });
    s.match_candidates(&probes(&Prepared::new(&record)), None, 24)
        .await
        .expect("candidates")
        .into_iter()
        .map(|c| c.customer_id)
        .collect()
}

async fn assert_exact(s: &Store, after: &str) {
    assert_eq!(
        s.match_key_count_drift().await.expect("drift"),
        0,
        "{:?}: the counts match the postings after {after}",
        s.backend()
    );
}

async fn rename(s: &Store, actor: &Actor, id: CustomerId, patch: CustomerPatch) {
    let before = s
        .customer_for(actor, id)
        .await
        .expect("load")
        .expect("readable");
    let edited = patch
        .apply(
            &before.customer,
            chrono::FixedOffset::east_opt(8 * 3600).expect("tz"),
        )
        .expect("valid");
    s.update_customer(actor, &before, &edited, t0())
        .await
        .expect("edit");
}

#[tokio::test]
async fn counts_stay_right_through_create_bulk_edit_merge_undo_and_rebuild() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        assert_exact(s, "migrating an empty database").await;
        let kept = s
            .create_customer(&o.rep_a, &new_customer("常州永信机械", "13800138002"), t0())
            .await
            .expect("create");
        let dup = s
            .create_customer(&o.rep_b, &new_customer("常州永信", "13900139002"), t0())
            .await
            .expect("create");
        assert_exact(s, "create").await;

        let rows: Vec<BulkRow> = ["苏州华星精密", "苏州华兴精密", "常州永信科技"]
            .iter()
            .enumerate()
            .map(|(i, name)| BulkRow {
                row: i + 1,
                customer: Ok::<NewCustomer, _>(new_customer(name, &format!("1370013700{i}"))),
                owner: None,
            })
            .collect();
        let report = s
            .bulk_insert_customers(&o.manager, &rows, t0())
            .await
            .expect("bulk");
        assert_eq!(report.created.len(), 3, "{b:?}");
        assert_exact(s, "a bulk insert").await;

        rename(
            s,
            &o.rep_b,
            dup,
            CustomerPatch {
                name: Some("常州永信精工".into()),
                ..Default::default()
            },
        )
        .await;
        assert_exact(s, "a rename").await;

        let mut records = Vec::new();
        for id in [kept, dup] {
            let view = s.customer_for(&o.manager, id).await.expect("load");
            records.push(view.expect("visible").customer);
        }
        let input = MergeInput {
            customers: vec![kept.0, dup.0],
            kept: Some(kept.0),
            fields: [("name".to_owned(), dup.0)].into(),
            reason: Some("同一家公司".into()),
            ..MergeInput::default()
        };
        let p = plan(&records, &MergeChoice::parse(&input).expect("valid")).expect("plan");
        let merge = s
            .merge_customers(&o.manager, &p, t0())
            .await
            .expect("merge");
        assert_exact(s, "a merge").await;

        let team = o.manager.team_id.expect("team");
        let admin = user(s, "admin", Role::Admin, team).await;
        s.revert_merge(&admin, merge, t0()).await.expect("revert");
        assert_exact(s, "undoing the merge").await;

        s.execute_admin("update match_index_meta set value = 'old' where name = 'version'")
            .await
            .expect("age");
        assert_eq!(s.ensure_match_index().await.expect("rebuild"), 5, "{b:?}");
        assert_exact(s, "a rebuild").await;
    }
}

#[tokio::test]
async fn an_over_cap_key_is_skipped_without_drowning_a_real_hit_and_comes_back_under_it() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        // 50 customers behind one switchboard: the landline kind's cap is 50, so the key is
        // too common to pair (a posting list at the cap is skipped).
        let names = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土风云雷电山川河海湖江松柏桃李梅兰竹菊春夏秋冬东南西北中";
        let chars: Vec<char> = names.chars().collect();
        let mut ids = Vec::new();
        for (i, c) in chars.iter().take(49).enumerate() {
            let name = format!("{c}{}记", chars[(i * 7 + 3) % chars.len()]);
            let id = s
                .create_customer(&o.rep_a, &new_customer(&name, "0512-6688 0000"), t0())
                .await
                .expect("landline is weak");
            ids.push(id);
        }
        let huaxing = s
            .create_customer(
                &o.rep_b,
                &new_customer("苏州华星精密有限公司", "0512-6688 0000"),
                t0(),
            )
            .await
            .expect("create");
        assert!(
            candidates(s, "", Some("0512-66880000")).await.is_empty(),
            "{b:?}: the switchboard alone proposes nobody"
        );
        assert_eq!(
            candidates(s, "华星精密", Some("0512-66880000")).await,
            vec![huaxing],
            "{b:?}: the name still finds the real hit beside the over-cap key"
        );

        // One of them gets its own line: 49 left under the key, which pairs again.
        rename(
            s,
            &o.rep_a,
            ids[0],
            CustomerPatch {
                phone: Some("0512-6688 0001".into()),
                ..Default::default()
            },
        )
        .await;
        assert_exact(s, "a phone change").await;
        let found = candidates(s, "", Some("0512-66880000")).await;
        assert_eq!(found.len(), 24, "{b:?}: proposed again, up to the limit");
        assert!(!found.contains(&ids[0]), "{b:?}");
    }
}
