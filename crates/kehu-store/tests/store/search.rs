//! The search box: customer and contact names, also in pinyin and initials.

use crate::support::*;
use kehu_domain::customer::NewContact;
use kehu_store::customers::{ListQuery, Scope};
use kehu_testkit::BACKENDS;

fn query(q: &str) -> ListQuery {
    ListQuery {
        scope: Scope::Mine,
        q: Some(q.into()),
        before: None,
        limit: 50,
    }
}

async fn names(store: &kehu_store::Store, actor: &kehu_domain::Actor, q: &str) -> Vec<String> {
    store
        .list_customers(actor, &query(q))
        .await
        .expect("list")
        .into_iter()
        .map(|v| v.customer.name)
        .collect()
}

#[tokio::test]
async fn contacts_are_found_by_pinyin_and_initials() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let mut with_zhang = new_customer("苏州华星精密", "13800138000");
        with_zhang.contacts.push(NewContact {
            name: "张伟".into(),
            phone: None,
            title: None,
        });
        s.create_customer(&o.rep_a, &with_zhang, t0())
            .await
            .expect("create");
        let mut with_wang = new_customer("常州永信机械", "13900139000");
        with_wang.contacts.push(NewContact {
            name: "王芳".into(),
            phone: None,
            title: None,
        });
        s.create_customer(&o.rep_a, &with_wang, t0())
            .await
            .expect("create");
        for q in ["zw", "zhangwei", "Zhang Wei", "张伟", "hxjm"] {
            assert_eq!(names(s, &o.rep_a, q).await, ["苏州华星精密"], "{b:?} {q}");
        }
        assert_eq!(names(s, &o.rep_a, "wf").await, ["常州永信机械"], "{b:?}");
        // Another rep's search finds nothing of rep A's customers.
        assert!(names(s, &o.rep_b, "zw").await.is_empty(), "{b:?}");
    }
}

#[tokio::test]
async fn a_renamed_customer_is_found_by_its_new_name_only() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("华星精密", "13800138000"), t0())
            .await
            .expect("create");
        let before = s
            .customer_for(&o.rep_a, id)
            .await
            .expect("q")
            .expect("visible");
        let mut edited = before.customer.clone();
        edited.name = "永信机械".into();
        s.update_customer(&o.rep_a, &before, &edited, t0())
            .await
            .expect("update");
        assert_eq!(names(s, &o.rep_a, "yxjx").await, ["永信机械"], "{b:?}");
        assert!(names(s, &o.rep_a, "hxjm").await.is_empty(), "{b:?}");
    }
}
