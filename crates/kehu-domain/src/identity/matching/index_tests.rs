use super::*;
use crate::identity::matching::{Level, Matcher, SharedKeys};
use std::collections::{BTreeSet, HashMap};

fn rec(company: &str, city: &str) -> Record {
    Record {
        company: Some(company.to_owned()),
        city: (!city.is_empty()).then(|| city.to_owned()),
        ..Record::default()
    }
}

/// An in-memory index over `stored`: what the database table holds.
fn index(stored: &[Record]) -> HashMap<i64, Vec<(usize, bool)>> {
    let mut map: HashMap<i64, Vec<(usize, bool)>> = HashMap::new();
    for (i, r) in stored.iter().enumerate() {
        for k in index_keys(&Prepared::new(r)) {
            map.entry(k.key).or_default().push((i, k.role_a));
        }
    }
    map
}

/// The stored records a query finds, following the probe rules as the store does.
fn candidates(map: &HashMap<i64, Vec<(usize, bool)>>, query: &Record) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for probe in probes(&Prepared::new(query)) {
        let Some(list) = map.get(&probe.key) else {
            continue;
        };
        if list.len() >= probe.cap {
            continue;
        }
        out.extend(
            list.iter()
                .filter(|(_, a)| probe.pairs_with(*a))
                .map(|(i, _)| *i),
        );
    }
    out
}

#[test]
fn a_similar_name_in_the_same_city_is_a_candidate_and_a_match() {
    let stored = [
        rec("苏州华星精密有限公司", "苏州"),
        rec("上海申达物流有限公司", "上海"),
    ];
    let query = rec("苏州华星精密机械", "");
    let found = candidates(&index(&stored), &query);
    assert_eq!(found, BTreeSet::from([0]));
    let m =
        Matcher::new(Level::Account).compare(&Prepared::new(&query), &Prepared::new(&stored[0]));
    assert!(m.is_match, "{m:?}");
}

#[test]
fn roles_decide_who_meets_whom() {
    // Both with a city, different cities: the plain bigram keys are role B on both sides,
    // and B never meets B, so 华星 in 苏州 does not propose 华星 in 上海.
    let stored = [rec("华星精密", "上海")];
    assert!(candidates(&index(&stored), &rec("华星精密", "苏州")).is_empty());
    // A record without a city (role A on the bigram) meets both.
    assert_eq!(
        candidates(&index(&stored), &rec("华星精密", "")),
        BTreeSet::from([0])
    );
    // A Latin-letter name meets the Chinese one through pinyin.
    let stored = [rec("苏州华星精密有限公司", "苏州")];
    let query = rec("Suzhou Huaxing Precision Co., Ltd.", "");
    assert_eq!(candidates(&index(&stored), &query), BTreeSet::from([0]));
}

#[test]
fn keys_that_never_pair_are_not_stored() {
    let r = Record {
        contact: Some("张伟".into()),
        ..rec("苏州华星精密有限公司", "苏州")
    };
    for k in index_keys(&Prepared::new(&r)) {
        assert!(Kind::of(k.key as u64).cap() > 0, "{k:?}");
    }
    let keys = index_keys(&Prepared::new(&r));
    let unique: BTreeSet<i64> = keys.iter().map(|k| k.key).collect();
    assert_eq!(unique.len(), keys.len(), "each key once");
}

#[test]
fn a_key_over_its_cap_is_skipped() {
    // Sixty firms sharing a mobile (the cap is 50): a placeholder, not evidence.
    let stored: Vec<Record> = (0..60)
        .map(|i| Record {
            mobile: Some("13800000000".into()),
            ..rec(&format!("公司{i}号"), "")
        })
        .collect();
    let query = Record {
        mobile: Some("13800000000".into()),
        ..rec("完全不同", "")
    };
    assert!(candidates(&index(&stored), &query).is_empty());
    let few = &stored[..3];
    assert_eq!(candidates(&index(few), &query).len(), 3);
}

#[test]
fn the_index_proposes_what_batch_blocking_pairs() {
    let stored = [
        rec("苏州华星精密机械有限公司", "苏州"),
        rec("华星精密", ""),
        rec("Huaxing Precision", "苏州"),
        rec("杭州绿源农业科技有限公司", "杭州"),
        Record {
            mobile: Some("13912345678".into()),
            ..rec("某某贸易", "")
        },
    ];
    let query = Record {
        mobile: Some("+86 139-1234-5678".into()),
        ..rec("华星精密机械", "苏州")
    };
    let found = candidates(&index(&stored), &query);
    assert_eq!(found, BTreeSet::from([0, 1, 2, 4]));
}

#[test]
fn a_stored_customer_becomes_a_record() {
    let contacts = [
        ("张伟", Some("+8613800138000")),
        ("李娜", Some("+8651266881234")),
    ];
    let r = record_of(&StoredCustomer {
        name: "苏州华星精密有限公司",
        phone: Some("+8651266880000"),
        credit_code: Some("91320500MA1MXXXX0X"),
        province: Some("江苏"),
        city: None,
        contacts: &contacts,
    });
    assert_eq!(r.company.as_deref(), Some("苏州华星精密有限公司"));
    assert_eq!(r.contact.as_deref(), Some("张伟"));
    assert_eq!(r.mobile.as_deref(), Some("+8613800138000"));
    assert_eq!(r.landline.as_deref(), Some("+8651266880000/+8651266881234"));
    assert_eq!(r.city.as_deref(), Some("江苏"));
    let p = Prepared::new(&r);
    assert_eq!(p.mobiles.len(), 1);
    assert_eq!(p.landlines.len(), 2);
}

#[test]
fn the_fingerprint_is_stable_within_a_build() {
    assert_eq!(fingerprint(), fingerprint());
    assert_ne!(fingerprint(), 0);
}

/// What the store counts for each candidate of `query`: per part, the postings of the rarest
/// key under its cap that the candidate shares with the query.
fn shared_keys(
    map: &HashMap<i64, Vec<(usize, bool)>>,
    query: &Record,
) -> HashMap<usize, SharedKeys> {
    let mut out: HashMap<usize, SharedKeys> = HashMap::new();
    for probe in probes(&Prepared::new(query)) {
        let Some(list) = map.get(&probe.key) else {
            continue;
        };
        if list.len() >= probe.cap {
            continue;
        }
        let n = list.len() as u32;
        for (i, _) in list.iter().filter(|(_, a)| probe.pairs_with(*a)) {
            let s = out.entry(*i).or_default();
            let slot = match probe.part {
                KeyPart::Name => &mut s.name,
                KeyPart::Sound => &mut s.sound,
                KeyPart::Identity | KeyPart::Contact => continue,
            };
            *slot = Some(slot.map_or(n, |m| m.min(n)));
        }
    }
    out
}

/// The check at the door: `query` against each of `stored` the index proposes, with the
/// index's counts; the stored records it calls one customer with `query`.
fn door_hits(stored: &[Record], query: &Record) -> BTreeSet<usize> {
    let map = index(stored);
    let matcher = Matcher::new(Level::Account);
    let q = Prepared::new(query);
    shared_keys(&map, query)
        .into_iter()
        .filter(|(i, shared)| {
            matcher
                .compare_shared(&q, &Prepared::new(&stored[*i]), *shared)
                .is_match
        })
        .map(|(i, _)| i)
        .collect()
}

fn person(company: &str, city: &str, contact: &str) -> Record {
    Record {
        contact: Some(contact.to_owned()),
        ..rec(company, city)
    }
}

#[test]
fn a_brand_only_one_stored_firm_holds_warns_a_rep_naming_another_person() {
    let stored = [
        Record {
            mobile: Some("13800138000".into()),
            ..person("杭州峰康光电科技有限公司", "杭州", "李娜")
        },
        rec("上海申达物流有限公司", "上海"),
    ];
    // Another person of the firm types its brand and city: no other stored customer's name
    // holds 峰康, so the name stands for this firm.
    let query = person("峰康", "杭州", "王强");
    assert_eq!(door_hits(&stored, &query), BTreeSet::from([0]));
    // Without the index's counts the brand alone could be any firm's.
    let m =
        Matcher::new(Level::Account).compare(&Prepared::new(&query), &Prepared::new(&stored[0]));
    assert!(!m.is_match, "{m:?}");
    // The same for an English card of the firm: no other name of the city sounds so.
    let card = person(
        "Hangzhou Fengkang Optoelectronics Technology Co., Ltd.",
        "杭州",
        "Wang Qiang",
    );
    assert_eq!(door_hits(&stored, &card), BTreeSet::from([0]));
}

#[test]
fn a_brand_two_stored_firms_hold_is_not_enough() {
    let stored = [
        person("杭州峰康光电科技有限公司", "杭州", "李娜"),
        person("杭州峰康物流有限公司", "杭州", "赵敏"),
    ];
    let query = person("峰康", "杭州", "王强");
    assert_eq!(
        shared_keys(&index(&stored), &query)[&0].name,
        Some(2),
        "both hold 杭州|峰康"
    );
    assert!(door_hits(&stored, &query).is_empty());
}

#[test]
fn a_rare_name_one_character_apart_is_still_another_firm() {
    let stored = [person("苏州华星精密机械有限公司", "苏州", "张伟")];
    // Only this firm holds 苏州|精密 and 苏州|机械, yet 华兴 is not 华星: a twin, not a typo.
    let twin = person("苏州华兴精密机械", "苏州", "李强");
    assert_eq!(
        shared_keys(&index(&stored), &twin)[&0].name,
        Some(1),
        "the trade's bigrams are rare here"
    );
    assert!(door_hits(&stored, &twin).is_empty());
    // Its brand alone shares no name key at all.
    assert!(door_hits(&stored, &person("华兴", "苏州", "李强")).is_empty());
}
