//! The match index: kept with the customer, bounded lookups, rebuilt when blocking changes,
//! and "different customer" confirmations.

use crate::support::*;
use kehu_domain::customer::CustomerPatch;
use kehu_domain::identity::matching::index::{StoredCustomer, probes, record_of};
use kehu_domain::identity::matching::{Prepared, Reason};
use kehu_domain::ids::CustomerId;
use kehu_store::Store;
use kehu_store::distinct::{AUDIT_FIELD, Distinct};
use kehu_testkit::BACKENDS;

/// The ids the index proposes for a record with this name, phone and city.
async fn found(s: &Store, name: &str, phone: Option<&str>, city: Option<&str>) -> Vec<CustomerId> {
    let record = record_of(&StoredCustomer {
        name,
        phone,
        city,
        ..StoredCustomer::default()
    });
    let probes = probes(&Prepared::new(&record));
    let mut ids: Vec<CustomerId> = s
        .match_candidates(&probes, None, 24)
        .await
        .expect("candidates")
        .into_iter()
        .map(|c| c.customer_id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_similar_name_finds_the_customer_and_a_rename_moves_it() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let huaxing = s
            .create_customer(
                &o.rep_a,
                &new_customer("苏州华星精密有限公司", "13800138000"),
                t0(),
            )
            .await
            .expect("create");
        s.create_customer(
            &o.rep_a,
            &new_customer("杭州绿源农业科技", "13900139000"),
            t0(),
        )
        .await
        .expect("create");
        assert_eq!(
            found(s, "华星精密机械", None, Some("苏州")).await,
            vec![huaxing],
            "{b:?}: a similar name in the same city is proposed, an unrelated one is not"
        );
        let candidate = &s
            .match_candidates(
                &probes(&Prepared::new(&record_of(&StoredCustomer {
                    name: "华星精密",
                    ..StoredCustomer::default()
                }))),
                None,
                24,
            )
            .await
            .expect("candidates")[0];
        assert_eq!(candidate.name, "苏州华星精密有限公司", "{b:?}");
        assert_eq!(candidate.masked_phone, "138****8000", "{b:?}: masked");
        assert_eq!(candidate.owner_name.as_deref(), Some("rep_a"), "{b:?}");

        // Renamed: the old name no longer finds it, the new one does.
        let before = s
            .customer_for(&o.rep_a, huaxing)
            .await
            .expect("load")
            .expect("readable");
        let patch = CustomerPatch {
            name: Some("无锡新材料".into()),
            ..Default::default()
        };
        let edited = patch
            .apply(
                &before.customer,
                chrono::FixedOffset::east_opt(8 * 3600).expect("tz"),
            )
            .expect("valid");
        s.update_customer(&o.rep_a, &before, &edited, t0())
            .await
            .expect("rename");
        assert!(
            found(s, "华星精密机械", None, Some("苏州"))
                .await
                .is_empty(),
            "{b:?}"
        );
        assert_eq!(
            found(s, "无锡新材料有限公司", None, None).await,
            vec![huaxing],
            "{b:?}"
        );
        // The record being edited is left out of its own check.
        let record = record_of(&StoredCustomer {
            name: "无锡新材料",
            ..StoredCustomer::default()
        });
        let own = s
            .match_candidates(&probes(&Prepared::new(&record)), Some(huaxing), 24)
            .await
            .expect("candidates");
        assert!(own.is_empty(), "{b:?}: {own:?}");
    }
}

#[tokio::test]
async fn a_key_over_its_cap_proposes_nobody_and_the_candidate_count_is_bounded() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        // 51 customers behind one switchboard: the landline key's cap is 50.
        let names = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土风云雷电山川河海湖江松柏桃李梅兰竹菊春夏秋冬东南西北中";
        let chars: Vec<char> = names.chars().collect();
        let mut ids = Vec::new();
        for (i, c) in chars.iter().take(51).enumerate() {
            let name = format!("{c}{}记", chars[(i * 7 + 3) % chars.len()]);
            let id = s
                .create_customer(&o.rep_a, &new_customer(&name, "0512-6688 0000"), t0())
                .await
                .expect("landline is weak");
            ids.push(id);
        }
        assert!(
            found(s, "", Some("0512-66880000"), None).await.is_empty(),
            "{b:?}: a key that common is skipped"
        );
        // Fewer than the cap (the others' keys gone): every one is proposed, up to the limit.
        let record = record_of(&StoredCustomer {
            name: "",
            phone: Some("0512-66880000"),
            ..StoredCustomer::default()
        });
        let probes = probes(&Prepared::new(&record));
        s.execute_admin(&format!(
            "delete from match_keys where customer_id > {}",
            ids[9].0
        ))
        .await
        .expect("delete");
        // Raw deletes bypass the store, so recount as the store would have.
        s.execute_admin("delete from match_key_counts")
            .await
            .expect("recount");
        s.execute_admin(
            "insert into match_key_counts (key, n) select key, count(*) from match_keys group by key",
        )
        .await
        .expect("recount");
        let ten = s
            .match_candidates(&probes, None, 24)
            .await
            .expect("candidates");
        assert_eq!(ten.len(), 10, "{b:?}");
        let three = s
            .match_candidates(&probes, None, 3)
            .await
            .expect("candidates");
        assert_eq!(three.len(), 3, "{b:?}: at most the limit");
    }
}

#[tokio::test]
async fn the_index_is_rebuilt_when_its_version_differs() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(
                &o.rep_a,
                &new_customer("苏州华星精密有限公司", "13800138000"),
                t0(),
            )
            .await
            .expect("create");
        assert_eq!(
            s.ensure_match_index().await.expect("current"),
            0,
            "{b:?}: current"
        );
        s.execute_admin("delete from match_keys")
            .await
            .expect("wipe");
        s.execute_admin("update match_index_meta set value = 'old' where name = 'version'")
            .await
            .expect("age");
        assert!(found(s, "华星精密", None, None).await.is_empty(), "{b:?}");
        assert_eq!(s.ensure_match_index().await.expect("rebuild"), 1, "{b:?}");
        assert_eq!(found(s, "华星精密", None, None).await, vec![id], "{b:?}");
        assert_eq!(
            s.match_index_version().await.expect("version"),
            Some(kehu_store::match_index::current_version()),
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn a_confirmation_is_recorded_with_the_save_and_in_the_audit_log() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let first = s
            .create_customer(
                &o.rep_a,
                &new_customer("苏州华星精密有限公司", "13800138000"),
                t0(),
            )
            .await
            .expect("create");
        let distinct = Distinct {
            other: first,
            other_name: "苏州华星精密有限公司".into(),
            score: 0.94,
            reasons: vec![Reason::CompanyNameSimilar(0.94), Reason::SameCity],
        };
        let second = s
            .create_customer_confirming(
                &o.rep_b,
                &new_customer("苏州华星精密机械", "13900139000"),
                &[distinct],
                t0(),
            )
            .await
            .expect("create");
        let list = s.distinct_confirmations(second).await.expect("list");
        assert_eq!(list.len(), 1, "{b:?}");
        assert_eq!(list[0].other_id, first, "{b:?}");
        assert_eq!(list[0].confirmed_by, "rep_b", "{b:?}");
        assert_eq!(list[0].confirmed_at, t0(), "{b:?}");
        assert_eq!(
            list[0].reasons[0]["code"], "company_name_similar",
            "{b:?}: {:?}",
            list[0].reasons
        );
        assert_eq!(
            s.confirmed_distinct(first).await.expect("ids"),
            vec![second],
            "{b:?}"
        );
        let audit = s.customer_audit(second).await.expect("audit");
        let row = audit
            .iter()
            .find(|a| a.field == AUDIT_FIELD)
            .expect("audited");
        assert_eq!(
            row.new_value.as_deref(),
            Some("苏州华星精密有限公司 (94%)"),
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn a_customer_merged_into_another_is_no_candidate() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let kept = s
            .create_customer(
                &o.rep_a,
                &new_customer("苏州华星精密有限公司", "13800138000"),
                t0(),
            )
            .await
            .expect("create");
        let merged = s
            .create_customer(
                &o.rep_b,
                &new_customer("华星精密（苏州）", "13900139000"),
                t0(),
            )
            .await
            .expect("create");
        assert_eq!(
            found(s, "华星精密", None, None).await,
            vec![kept, merged],
            "{b:?}"
        );
        s.execute_admin(&format!(
            "update customers set merged_into = {} where id = {}",
            kept.0, merged.0
        ))
        .await
        .expect("mark merged");
        assert_eq!(found(s, "华星精密", None, None).await, vec![kept], "{b:?}");
        // Nor does a rebuild index it again.
        s.execute_admin("update match_index_meta set value = 'old' where name = 'version'")
            .await
            .expect("age");
        assert_eq!(s.ensure_match_index().await.expect("rebuild"), 1, "{b:?}");
        assert_eq!(found(s, "华星精密", None, None).await, vec![kept], "{b:?}");
    }
}

#[tokio::test]
async fn a_name_part_one_customer_holds_is_proposed_before_parts_many_share() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        // 沛驰 is entered first (the lowest id), without a city; then 25 firms of 天津 whose
        // names share 农业 with the query, one key each, as 沛驰 shares one.
        let peichi = s
            .create_customer(&o.rep_a, &new_customer("沛驰", "13800138000"), t0())
            .await
            .expect("create");
        let chars: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土"
            .chars()
            .collect();
        for i in 0..25 {
            let name = format!("天津{}{}农业", chars[i], chars[(i + 5) % chars.len()]);
            s.create_customer(&o.rep_a, &new_customer(&name, &format!("139{i:08}")), t0())
                .await
                .expect("create");
        }
        let query = record_of(&StoredCustomer {
            name: "天津沛驰农业科技",
            ..StoredCustomer::default()
        });
        let found = s
            .match_candidates(&probes(&Prepared::new(&query)), None, 24)
            .await
            .expect("candidates");
        assert_eq!(found.len(), 24, "{b:?}: more candidates than the limit");
        assert_eq!(
            found[0].customer_id, peichi,
            "{b:?}: the key only 沛驰 holds outweighs one that 25 customers hold"
        );
        assert_eq!(
            found[0].shared_keys.name,
            Some(1),
            "{b:?}: and the index says no other customer's name holds it"
        );
        assert_eq!(found[1].shared_keys.name, Some(25), "{b:?}: 天津|农业");
    }
}
