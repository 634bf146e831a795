//! Merging duplicates: what moves, what the ledger shows, stale merges, undoing a merge.

use crate::support::*;
use chrono::TimeDelta;
use kehu_domain::customer::keys::keys_of_new;
use kehu_domain::customer::merge::{MergeChoice, MergeField, MergeInput, MergePlan, plan};
use kehu_domain::customer::{ContactInput, CustomerInput, NewCustomer};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::LedgerKind;
use kehu_domain::{Actor, Role};
use kehu_store::customers::{ListQuery, Scope};
use kehu_store::{Store, StoreError};
use kehu_testkit::BACKENDS;

fn with_contact(name: &str, phone: &str, contact: &str) -> NewCustomer {
    let input = CustomerInput {
        name: Some(name.into()),
        phone: Some(phone.into()),
        source: Some("web".into()),
        contacts: vec![ContactInput {
            name: Some(contact.into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    NewCustomer::parse(
        &input,
        chrono::FixedOffset::east_opt(8 * 3600).expect("offset"),
    )
    .expect("valid")
}

/// Plans a merge of `ids` keeping the first, with `fields` taken from the given records.
async fn plan_for(
    s: &Store,
    actor: &Actor,
    ids: &[CustomerId],
    fields: &[(&str, CustomerId)],
) -> MergePlan {
    let mut records = Vec::new();
    for id in ids {
        let v = s
            .customer_for(actor, *id)
            .await
            .expect("q")
            .expect("visible");
        records.push(v.customer);
    }
    let input = MergeInput {
        customers: ids.iter().map(|i| i.0).collect(),
        kept: Some(ids[0].0),
        fields: fields.iter().map(|(f, i)| ((*f).to_owned(), i.0)).collect(),
        reason: Some("同一家公司".into()),
        ..MergeInput::default()
    };
    plan(&records, &MergeChoice::parse(&input).expect("valid")).expect("plan")
}

async fn contact_names(s: &Store, id: CustomerId) -> Vec<String> {
    let mut names: Vec<String> = s
        .contacts(id)
        .await
        .expect("contacts")
        .into_iter()
        .map(|k| k.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_merge_moves_contacts_and_keys_and_keeps_both_histories() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let a = s
            .create_customer(
                &o.rep_a,
                &with_contact("苏州华星精密", "13800138000", "张伟"),
                t0(),
            )
            .await
            .expect("a");
        let later = t0() + TimeDelta::days(1);
        let dup = s
            .create_customer(
                &o.rep_b,
                &with_contact("苏州华星精密有限公司", "13900139000", "李娜"),
                later,
            )
            .await
            .expect("dup");
        // The duplicate's follow-up history comes along.
        let note = kehu_domain::followup::NewFollowUp::parse(
            &kehu_domain::followup::FollowUpInput {
                kind: Some("call".into()),
                content: Some("聊了报价".into()),
                duration_secs: Some("120".into()),
                ..Default::default()
            },
            chrono::FixedOffset::east_opt(8 * 3600).expect("offset"),
        )
        .expect("valid");
        let verdict = kehu_domain::followup::EffectivenessRules::default().judge(&note);
        s.add_follow_up(&o.rep_b, dup, Some(o.rep_b.user_id), &note, &verdict, later)
            .await
            .expect("follow-up");
        let p = plan_for(s, &o.manager, &[a, dup], &[("name", dup), ("owner", dup)]).await;
        let at = t0() + TimeDelta::days(2);
        s.merge_customers(&o.manager, &p, at).await.expect("merge");
        let moved: Vec<_> = s
            .follow_ups(a)
            .await
            .expect("follow-ups")
            .into_iter()
            .map(|f| f.content)
            .collect();
        assert_eq!(
            moved,
            ["聊了报价"],
            "{b:?}: follow-ups survive on the kept record"
        );

        let kept = s
            .customer_for(&o.manager, a)
            .await
            .expect("q")
            .expect("kept");
        assert_eq!(kept.customer.name, "苏州华星精密有限公司", "{b:?}");
        assert_eq!(kept.customer.phone.e164(), "+8613800138000", "{b:?}");
        assert_eq!(kept.customer.owner_id, Some(o.rep_b.user_id), "{b:?}");
        // The merged-away id resolves to the kept one and is gone from lists.
        assert!(
            s.customer_for(&o.manager, dup).await.expect("q").is_none(),
            "{b:?}"
        );
        assert_eq!(s.merge_target(dup).await.expect("q"), Some(a), "{b:?}");
        assert_eq!(s.merge_target(a).await.expect("q"), None, "{b:?}");
        let team = ListQuery {
            scope: Scope::Team,
            q: None,
            before: None,
            limit: 50,
        };
        let listed: Vec<_> = s
            .list_customers(&o.manager, &team)
            .await
            .expect("list")
            .into_iter()
            .map(|v| v.customer.id)
            .collect();
        assert_eq!(listed, [a], "{b:?}");
        // Contacts of both, and the merged record's phone as a contact of its own.
        assert_eq!(
            contact_names(s, a).await,
            ["张伟", "李娜", "苏州华星精密有限公司"],
            "{b:?}"
        );
        // The merged record's mobile is no key any more; the kept one's is.
        let gone = keys_of_new(&new_customer("x", "13900139000"));
        assert!(
            s.customers_sharing_keys(&gone).await.expect("q").is_empty(),
            "{b:?}"
        );
        let kept_key = keys_of_new(&new_customer("x", "13800138000"));
        let hits = s.customers_sharing_keys(&kept_key).await.expect("q");
        assert_eq!(hits.iter().map(|h| h.customer_id).collect::<Vec<_>>(), [a]);
        // The timeline holds both creations and the merge; the owner changed by the ledger.
        let timeline = s.timeline(a).await.expect("timeline");
        let kinds: Vec<_> = timeline.iter().map(|e| (e.customer_id, e.kind)).collect();
        assert_eq!(
            kinds,
            [
                (a, LedgerKind::Create),
                (dup, LedgerKind::Create),
                (a, LedgerKind::Merge),
                (dup, LedgerKind::Merge),
            ],
            "{b:?}"
        );
        let own = s.ledger(a).await.expect("ledger");
        let last = own.last().expect("event");
        assert_eq!(
            (last.kind, last.to_user, last.reason.as_deref()),
            (LedgerKind::Merge, Some(o.rep_b.user_id), Some("同一家公司")),
            "{b:?}"
        );
        let audit = s.customer_audit(a).await.expect("audit");
        let fields: Vec<_> = audit.iter().map(|e| e.field.as_str()).collect();
        assert!(
            ["name", "owner", "merged_from"]
                .iter()
                .all(|f| fields.contains(f)),
            "{b:?}: {fields:?}"
        );
        let merges = s.merges_of(a).await.expect("merges");
        assert_eq!(merges.len(), 1, "{b:?}");
        assert_eq!(merges[0].merged, [dup], "{b:?}");
    }
}

#[tokio::test]
async fn a_record_changed_since_the_choice_makes_the_merge_stale_and_nothing_is_written() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let a = s
            .create_customer(
                &o.rep_a,
                &with_contact("无锡新材", "13800138001", "王强"),
                t0(),
            )
            .await
            .expect("a");
        let dup = s
            .create_customer(
                &o.rep_b,
                &with_contact("无锡新材料", "13900139001", "赵敏"),
                t0(),
            )
            .await
            .expect("dup");
        let p = plan_for(s, &o.manager, &[a, dup], &[("phone", dup)]).await;
        // rep_b edits the duplicate after the manager looked at it.
        let before = s
            .customer_for(&o.rep_b, dup)
            .await
            .expect("q")
            .expect("own");
        let mut edited = before.customer.clone();
        edited.industry = Some("新材料".into());
        s.update_customer(&o.rep_b, &before, &edited, t0())
            .await
            .expect("edit");
        let err = s.merge_customers(&o.manager, &p, t0()).await.unwrap_err();
        assert!(matches!(err, StoreError::Stale), "{b:?}: {err:?}");
        assert_eq!(s.merge_target(dup).await.expect("q"), None, "{b:?}");
        assert!(s.merges_of(a).await.expect("q").is_empty(), "{b:?}");
        assert_eq!(contact_names(s, a).await, ["王强"], "{b:?}");
        assert_eq!(contact_names(s, dup).await, ["赵敏"], "{b:?}");
        assert_eq!(s.ledger(a).await.expect("ledger").len(), 1, "{b:?}");
        let kept = s.customer_for(&o.manager, a).await.expect("q").expect("a");
        assert_eq!(kept.customer.phone.e164(), "+8613800138001", "{b:?}");
        let key = keys_of_new(&new_customer("x", "13900139001"));
        let hits = s.customers_sharing_keys(&key).await.expect("q");
        assert_eq!(
            hits.iter().map(|h| h.customer_id).collect::<Vec<_>>(),
            [dup]
        );
    }
}

#[tokio::test]
async fn an_admin_undoes_a_merge_and_later_work_on_the_kept_record_stays() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let team = o.manager.team_id.expect("team");
        let admin = user(s, "admin", Role::Admin, team).await;
        let a = s
            .create_customer(
                &o.rep_a,
                &with_contact("常州永信", "13800138002", "周杰"),
                t0(),
            )
            .await
            .expect("a");
        let dup = s
            .create_customer(
                &o.rep_b,
                &with_contact("常州永信机械", "13900139002", "吴磊"),
                t0(),
            )
            .await
            .expect("dup");
        let p = plan_for(
            s,
            &o.manager,
            &[a, dup],
            &[("name", dup), ("phone", dup), ("owner", dup)],
        )
        .await;
        let id = s
            .merge_customers(&o.manager, &p, t0())
            .await
            .expect("merge");
        // After the merge: a new contact on the kept record, and an edit of its industry.
        s.execute_admin(&format!(
            "insert into contacts (customer_id, name, created_at) values ({}, '新联系人', '2026-11-02T00:00:00Z')",
            a.0
        ))
        .await
        .expect("contact");
        let now = s.customer_for(&admin, a).await.expect("q").expect("a");
        let mut edited = now.customer.clone();
        edited.industry = Some("机械".into());
        s.update_customer(&admin, &now, &edited, t0())
            .await
            .expect("edit");

        let out = s.revert_merge(&admin, id, t0()).await.expect("revert");
        assert_eq!(out.restored, [dup], "{b:?}");
        assert_eq!(
            out.restored_fields,
            [MergeField::Name, MergeField::Phone, MergeField::Owner],
            "{b:?}"
        );
        assert_eq!(out.kept_edits, [MergeField::Industry], "{b:?}");
        let kept = s.customer_for(&admin, a).await.expect("q").expect("a");
        assert_eq!(kept.customer.name, "常州永信", "{b:?}");
        assert_eq!(kept.customer.phone.e164(), "+8613800138002", "{b:?}");
        assert_eq!(kept.customer.owner_id, Some(o.rep_a.user_id), "{b:?}");
        assert_eq!(kept.customer.industry.as_deref(), Some("机械"), "{b:?}");
        let back = s
            .customer_for(&o.rep_b, dup)
            .await
            .expect("q")
            .expect("dup back");
        assert_eq!(back.customer.owner_id, Some(o.rep_b.user_id), "{b:?}");
        assert_eq!(s.merge_target(dup).await.expect("q"), None, "{b:?}");
        assert_eq!(contact_names(s, a).await, ["周杰", "新联系人"], "{b:?}");
        assert_eq!(contact_names(s, dup).await, ["吴磊"], "{b:?}");
        for (phone, holder) in [("13800138002", a), ("13900139002", dup)] {
            let key = keys_of_new(&new_customer("x", phone));
            let hits = s.customers_sharing_keys(&key).await.expect("q");
            assert_eq!(
                hits.iter().map(|h| h.customer_id).collect::<Vec<_>>(),
                [holder]
            );
        }
        let kinds: Vec<_> = s
            .ledger(a)
            .await
            .expect("l")
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [LedgerKind::Create, LedgerKind::Merge, LedgerKind::Unmerge],
            "{b:?}"
        );
        assert!(s.merges_of(a).await.expect("q")[0].reverted_at.is_some());
        let again = s.revert_merge(&admin, id, t0()).await.unwrap_err();
        assert!(
            matches!(
                again,
                StoreError::Conflict {
                    what: "merge_reverted"
                }
            ),
            "{b:?}: {again:?}"
        );
        let unknown = s.revert_merge(&admin, id + 100, t0()).await.unwrap_err();
        assert!(
            matches!(unknown, StoreError::NotFound),
            "{b:?}: {unknown:?}"
        );
    }
}
