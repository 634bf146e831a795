use super::*;
use crate::customer::{Grade, IntentLevel, Source};
use crate::ids::UserId;
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0)
        .single()
        .expect("valid")
}

fn customer(id: i64, name: &str, phone: &str, owner: Option<i64>) -> Customer {
    Customer {
        id: CustomerId(id),
        name: name.into(),
        phone: Phone::parse("phone", phone).expect("valid"),
        source: Source::Web,
        intent: IntentLevel::Medium,
        grade: None,
        credit_code: None,
        industry: None,
        province: None,
        city: None,
        next_follow_up_at: None,
        owner_id: owner.map(UserId),
        owner_name: owner.map(|o| format!("u{o}")),
        owner_team_path: owner.map(|_| "/1/2/".into()),
        owner_since: at(1),
        version: id,
        created_at: at(1),
        updated_at: at(1),
    }
}

fn input(customers: &[i64], kept: i64, fields: &[(&str, i64)]) -> MergeInput {
    MergeInput {
        customers: customers.to_vec(),
        kept: Some(kept),
        fields: fields.iter().map(|(f, i)| ((*f).to_owned(), *i)).collect(),
        ..MergeInput::default()
    }
}

fn fields_of(e: &FieldErrors) -> Vec<(&str, &str)> {
    e.0.iter().map(|f| (f.field.as_ref(), f.code)).collect()
}

#[test]
fn every_bad_part_of_a_choice_is_named() {
    let e = MergeChoice::parse(&input(&[1], 2, &[("colour", 1), ("phone", 9)])).unwrap_err();
    assert_eq!(
        fields_of(&e),
        [
            ("customers", "merge.too_few"),
            ("kept", "merge.not_in_merge"),
            ("colour", "unknown_field"),
            ("phone", "merge.not_in_merge"),
        ]
    );
    let mut i = input(&[1, 1, 2], 1, &[]);
    i.kept = None;
    i.versions.insert("7".into(), 0);
    let e = MergeChoice::parse(&i).unwrap_err();
    assert_eq!(
        fields_of(&e),
        [
            ("customers", "merge.repeated"),
            ("kept", "required"),
            ("versions", "merge.not_in_merge"),
        ]
    );
    let many: Vec<i64> = (1..=21).collect();
    let e = MergeChoice::parse(&input(&many, 1, &[])).unwrap_err();
    assert_eq!(fields_of(&e), [("customers", "merge.too_many")]);
}

#[test]
fn fields_come_from_the_chosen_records_and_lost_phones_become_contacts() {
    let mut a = customer(1, "苏州华星精密", "13800138000", Some(5));
    a.city = Some("苏州".into());
    let mut b = customer(2, "苏州华星精密有限公司", "0512-6550 0490", Some(6));
    b.credit_code = Some("91320500MA1XXXXX0X".into());
    let c = customer(3, "华星精密", "13900139000", None);
    let choice = MergeChoice::parse(&input(
        &[1, 2, 3],
        1,
        &[("name", 2), ("credit_code", 2), ("owner", 2)],
    ))
    .expect("valid");
    let p = plan(&[c, b.clone(), a.clone()], &choice).expect("plan");
    assert_eq!(p.result.id, CustomerId(1));
    assert_eq!(p.result.name, b.name);
    assert_eq!(p.result.phone, a.phone);
    assert_eq!(p.result.city.as_deref(), Some("苏州"));
    assert_eq!(p.result.credit_code, b.credit_code);
    assert_eq!(p.result.owner_id, Some(UserId(6)));
    assert!(p.changes_owner());
    let lost: Vec<_> = p.leftover_phones.iter().map(|l| l.from).collect();
    assert_eq!(lost, [CustomerId(2), CustomerId(3)]);
    let changed: Vec<_> = p.changed_fields().into_iter().map(|c| c.0).collect();
    assert_eq!(
        changed,
        [MergeField::Name, MergeField::CreditCode, MergeField::Owner]
    );
    assert_eq!(p.merged.len(), 2);
}

#[test]
fn missing_or_changed_records_are_refused() {
    let a = customer(1, "甲", "13800138000", Some(5));
    let b = customer(2, "乙", "13900139000", Some(5));
    let choice = MergeChoice::parse(&input(&[1, 2], 1, &[])).expect("valid");
    assert_eq!(
        plan(std::slice::from_ref(&a), &choice),
        Err(MergeError::NotFound(CustomerId(2)))
    );
    let mut stale = input(&[1, 2], 1, &[]);
    stale.versions.insert("2".into(), 99);
    let choice = MergeChoice::parse(&stale).expect("valid");
    assert_eq!(
        plan(&[a, b], &choice),
        Err(MergeError::Stale(CustomerId(2)))
    );
}

#[test]
fn only_managers_in_scope_and_admins_may_merge() {
    let actor = |role| Actor {
        user_id: UserId(9),
        name: "m".into(),
        role,
        team_id: None,
        team_path: Some("/1/2/".into()),
    };
    assert!(!may_merge(&actor(Role::Rep), Some("/1/2/"), false));
    assert!(may_merge(&actor(Role::Manager), Some("/1/2/3/"), false));
    assert!(!may_merge(&actor(Role::Manager), Some("/1/4/"), false));
    assert!(may_merge(&actor(Role::Manager), None, true));
    assert!(may_merge(&actor(Role::Admin), Some("/1/4/"), false));
}

#[test]
fn undoing_keeps_later_edits() {
    let a = customer(1, "甲", "13800138000", Some(5));
    let mut b = customer(2, "乙", "13900139000", Some(6));
    b.industry = Some("机械".into());
    let choice =
        MergeChoice::parse(&input(&[1, 2], 1, &[("name", 2), ("industry", 2)])).expect("ok");
    let p = plan(&[a, b], &choice).expect("plan");
    let mut now = p.result.clone();
    now.industry = Some("汽车零部件".into());
    let r = reversal(
        &CustomerFields::of(&p.kept_before),
        &CustomerFields::of(&p.result),
        &now,
    );
    assert_eq!(r.restored.name, "甲");
    assert_eq!(r.restored.industry.as_deref(), Some("汽车零部件"));
    assert_eq!(r.restored_fields, [MergeField::Name]);
    assert_eq!(r.kept_edits, [MergeField::Industry]);
}

proptest! {
    #[test]
    fn each_field_comes_from_its_record_and_undo_restores_the_kept_one(
        picks in proptest::collection::vec(0usize..3, MergeField::ALL.len()),
        kept in 0usize..3,
    ) {
        let mut records = vec![
            customer(1, "甲公司", "13800138000", Some(5)),
            customer(2, "乙公司", "0512-6550 0490", None),
            customer(3, "丙公司", "13900139000", Some(7)),
        ];
        records[1].grade = Some(Grade::A);
        records[2].city = Some("无锡".into());
        records[2].next_follow_up_at = Some(at(20));
        let fields: Vec<(&str, i64)> = MergeField::ALL
            .iter()
            .zip(&picks)
            .map(|(f, p)| (f.code(), records[*p].id.0))
            .collect();
        let choice = MergeChoice::parse(&input(&[1, 2, 3], records[kept].id.0, &fields))
            .expect("valid");
        let p = plan(&records, &choice).expect("plan");
        let result = CustomerFields::of(&p.result);
        for (f, pick) in MergeField::ALL.iter().zip(&picks) {
            prop_assert_eq!(result.text(*f), CustomerFields::of(&records[*pick]).text(*f));
        }
        // No phone of any record is lost: it is the main phone or a leftover contact.
        for r in &records {
            prop_assert!(
                r.phone == p.result.phone
                    || p.leftover_phones.iter().any(|l| l.phone == r.phone)
            );
        }
        let undo = reversal(&CustomerFields::of(&p.kept_before), &result, &p.result);
        prop_assert_eq!(CustomerFields::of(&undo.restored), CustomerFields::of(&records[kept]));
        prop_assert!(undo.kept_edits.is_empty());
    }
}
