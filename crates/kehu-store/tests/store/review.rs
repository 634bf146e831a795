//! Batch duplicate review: which customers an actor may review, as records the matcher reads.

use crate::support::*;
use chrono::FixedOffset;
use kehu_domain::customer::{ContactInput, CustomerInput, NewCustomer};
use kehu_domain::identity::matching::{Level, Prepared, cluster};
use kehu_domain::ids::CustomerId;
use kehu_domain::{Actor, Role};
use kehu_store::{NewUser, Store};
use kehu_testkit::BACKENDS;

fn with_contacts(name: &str, phone: &str, contacts: &[(&str, &str)]) -> NewCustomer {
    let input = CustomerInput {
        name: Some(name.into()),
        phone: Some(phone.into()),
        source: Some("web".into()),
        city: Some("苏州".into()),
        contacts: contacts
            .iter()
            .map(|(n, p)| ContactInput {
                name: Some((*n).into()),
                phone: Some((*p).into()),
                title: None,
            })
            .collect(),
        ..Default::default()
    };
    NewCustomer::parse(&input, FixedOffset::east_opt(8 * 3600).expect("offset")).expect("valid")
}

async fn admin(s: &Store) -> Actor {
    let id = s
        .create_user(
            &NewUser {
                login: "admin",
                name: "admin",
                role: Role::Admin,
                team_id: None,
                password_hash: "x",
            },
            t0(),
        )
        .await
        .expect("admin");
    s.actor(id).await.expect("load").expect("active")
}

fn ids(records: &[(CustomerId, kehu_domain::identity::matching::Record)]) -> Vec<CustomerId> {
    records.iter().map(|(id, _)| *id).collect()
}

#[tokio::test]
async fn each_actor_reviews_their_scope_with_contacts_folded_in() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(s).await;
        let a = s
            .create_customer(
                &o.rep_a,
                &with_contacts(
                    "苏州华星精密有限公司",
                    "13800138000",
                    &[("张伟", "13900139000"), ("李娜", "0512-88888888")],
                ),
                t0(),
            )
            .await
            .expect("create");
        let b_id = s
            .create_customer(&o.rep_b, &new_customer("华星精密", "13700137000"), t0())
            .await
            .expect("create");
        let south = s
            .create_customer(
                &o.other_manager,
                &new_customer("深圳南方电子", "13600136000"),
                t0(),
            )
            .await
            .expect("create");

        let all = s.match_records(&admin).await.expect("admin");
        assert_eq!(ids(&all), vec![a, b_id, south], "{b:?}: admin reviews all");
        let first = &all[0].1;
        assert_eq!(first.id, a.0.to_string());
        assert_eq!(first.company.as_deref(), Some("苏州华星精密有限公司"));
        assert_eq!(
            first.contact.as_deref(),
            Some("张伟"),
            "{b:?}: first contact"
        );
        assert_eq!(
            first.mobile.as_deref(),
            Some("+8613800138000/+8613900139000")
        );
        assert_eq!(first.landline.as_deref(), Some("+8651288888888"));
        assert_eq!(first.city.as_deref(), Some("苏州"));

        let team = s.match_records(&o.manager).await.expect("manager");
        assert_eq!(
            ids(&team),
            vec![a, b_id],
            "{b:?}: manager reviews the subtree"
        );
        let own = s.match_records(&o.rep_a).await.expect("rep");
        assert_eq!(ids(&own), vec![a], "{b:?}: a rep reviews only their own");
        let other = s.match_records(&o.other_manager).await.expect("other");
        assert_eq!(ids(&other), vec![south], "{b:?}");

        // A customer merged into another is reviewed no more.
        s.execute_admin(&format!(
            "update customers set merged_into = {} where id = {}",
            a.0, b_id.0
        ))
        .await
        .expect("mark merged");
        let all = s.match_records(&admin).await.expect("admin");
        assert_eq!(
            ids(&all),
            vec![a, south],
            "{b:?}: merged records are left out"
        );
        assert!(
            s.review_owners(&admin, &[b_id])
                .await
                .expect("owners")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn records_cluster_and_owners_are_named_within_scope() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        // rep_b entered rep_a's customer again: another name form, and rep_a's contact's
        // mobile as its main phone.
        let a = s
            .create_customer(
                &o.rep_a,
                &with_contacts(
                    "苏州华星精密有限公司",
                    "13800138000",
                    &[("张伟", "13900139000")],
                ),
                t0(),
            )
            .await
            .expect("create");
        let dup = s
            .create_customer(&o.rep_b, &new_customer("华星精密", "13900139000"), t0())
            .await
            .expect("create");
        s.create_customer(&o.rep_b, &new_customer("杭州云帆科技", "13700137000"), t0())
            .await
            .expect("create");

        let records = s.match_records(&o.manager).await.expect("records");
        let prepared: Vec<Prepared> = records.iter().map(|(_, r)| Prepared::new(r)).collect();
        let c = cluster(&prepared, Level::Account, &());
        assert_eq!(
            c.cluster_of,
            vec![0, 0, 2],
            "{b:?}: the two entries are one customer"
        );

        let owners = s
            .review_owners(&o.manager, &[a, dup])
            .await
            .expect("owners");
        assert_eq!(owners.get(&a).map(String::as_str), Some("rep_a"), "{b:?}");
        assert_eq!(owners.get(&dup).map(String::as_str), Some("rep_b"));
        let foreign = s.review_owners(&o.rep_a, &[a, dup]).await.expect("owners");
        assert_eq!(
            foreign.len(),
            1,
            "{b:?}: rep_b's customer stays hidden from rep_a"
        );
        assert!(
            s.review_owners(&o.other_manager, &[a, dup])
                .await
                .expect("owners")
                .is_empty(),
            "{b:?}: another subtree sees no owner"
        );
    }
}
