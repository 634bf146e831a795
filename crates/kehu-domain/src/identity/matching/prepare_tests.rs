use super::super::{Level, Matcher, Reason, Record};
use super::*;
use proptest::prelude::*;

fn prepared(f: impl FnOnce(&mut Record)) -> Prepared {
    let mut r = Record::default();
    f(&mut r);
    Prepared::new(&r)
}

#[test]
fn a_city_is_found_however_it_is_written() {
    for raw in [
        "苏州",
        "苏州市",
        "江苏苏州",
        "江苏省苏州市",
        "苏州工业园区",
        "Suzhou",
        "SUZHOU CITY",
    ] {
        assert_eq!(
            prepared(|r| r.city = Some(raw.into())).city,
            Some("苏州"),
            "{raw}"
        );
    }
    assert_eq!(
        prepared(|r| r.city = Some("上海市".into())).city,
        Some("上海")
    );
    // A province alone does not place a company closely enough to compare.
    assert_eq!(prepared(|r| r.city = Some("江苏".into())).city, None);
}

#[test]
fn the_city_comes_from_the_name_the_address_or_the_switchboard_when_not_given() {
    let city = |f: fn(&mut Record)| prepared(f).city;
    assert_eq!(
        city(|r| r.company = Some("华星精密（苏州）有限公司".into())),
        Some("苏州")
    );
    assert_eq!(
        city(|r| r.address = Some("江苏省苏州市工业园区星湖街328号".into())),
        Some("苏州")
    );
    assert_eq!(
        city(|r| r.landline = Some("0512-65500490".into())),
        Some("苏州")
    );
    // The city column wins over what the name says.
    let both = |r: &mut Record| {
        r.city = Some("上海".into());
        r.company = Some("苏州华星精密".into());
    };
    assert_eq!(city(both), Some("上海"));
}

#[test]
fn phones_are_sorted_by_kind_not_by_column() {
    let p = prepared(|r| {
        r.mobile = Some("0512-65500490".into());
        r.landline = Some("13800138000 / 13900139000".into());
        r.wechat = Some("13700137000".into());
    });
    assert_eq!(&*p.landlines, &[8651265500490]);
    assert_eq!(&*p.mobiles, &[8613700137000, 8613800138000, 8613900139000]);
    assert_eq!(p.wechat.as_deref(), Some("13700137000"));
}

#[test]
fn latin_names_are_recognised() {
    let p = prepared(|r| {
        r.company = Some("Huaxing Precision (Suzhou) Co., Ltd.".into());
        r.contact = Some("Wei ZHANG".into());
    });
    let company = p.company.expect("company");
    assert!(company.latin);
    assert_eq!(company.core.iter().collect::<String>(), "huaxingprecision");
    assert_eq!(p.city, Some("苏州"));
    let contact = p.contact.expect("contact");
    assert_eq!(
        (&*contact.name, contact.reversed.as_deref()),
        ("weizhang", Some("zhangwei"))
    );
}

#[test]
fn a_landline_says_where_a_nameless_record_is() {
    let a = prepared(|r| {
        r.company = Some("新鑫进出口".into());
        r.landline = Some("0512-6870222".into());
    });
    let b = prepared(|r| r.company = Some("西安新鑫进出口".into()));
    let m = Matcher::new(Level::Account).compare(&a, &b);
    assert!(
        !m.is_match && m.reasons.contains(&Reason::DifferentCity),
        "{m:?}"
    );
}

proptest! {
    #[test]
    fn titles_do_not_change_who_it_is(
        name in "[张王李刘陈][伟芳娜建华明]{1,2}",
        title in proptest::sample::select(TITLES.to_vec()),
    ) {
        let plain = contact(&name).expect("a name");
        let titled = contact(&format!("{name}{title}")).expect("a name");
        prop_assert_eq!(&plain.name, &titled.name);
        prop_assert!(!titled.surname_only);
    }

    #[test]
    fn any_spelling_of_a_mobile_is_one_key(m in "1[3-9][0-9]{9}", style in 0..5usize) {
        let spelled = match style {
            0 => m.clone(),
            1 => format!("+86 {} {} {}", &m[..3], &m[3..7], &m[7..]),
            2 => format!("{}-{}-{}", &m[..3], &m[3..7], &m[7..]),
            3 => format!("0086{m}"),
            _ => m.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect(),
        };
        let p = prepared(|r| r.mobile = Some(spelled));
        prop_assert_eq!(p.mobiles.len(), 1);
        prop_assert_eq!(p.mobiles[0].to_string(), format!("86{m}"));
    }

    #[test]
    fn preparing_never_panics(s in "\\PC{0,40}") {
        let _ = prepared(|r| {
            r.company = Some(s.clone());
            r.contact = Some(s.clone());
            r.city = Some(s.clone());
            r.address = Some(s.clone());
            r.wechat = Some(s.clone());
        });
    }
}
