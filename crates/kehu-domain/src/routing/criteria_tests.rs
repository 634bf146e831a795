use super::*;
use chrono::TimeZone;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<FixedOffset> {
    let cn = FixedOffset::east_opt(8 * 3600).unwrap();
    cn.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// A Monday morning.
fn monday() -> DateTime<FixedOffset> {
    at(2026, 11, 23, 9)
}

fn lead() -> LeadFacts {
    LeadFacts {
        source: 1,
        province: Some("江苏省".into()),
        city: Some("苏州".into()),
        industry: Some("机械设备".into()),
        grade: Some(Grade::A),
        tags: vec!["ERP".into(), "数控机床".into()],
    }
}

/// What `c` says of `lead()` and of `lead()` changed by `f`.
fn miss(c: &Criteria) -> Option<Miss> {
    c.miss(&lead(), monday())
}

fn miss_with(c: &Criteria, f: impl FnOnce(&mut LeadFacts)) -> Option<Miss> {
    let mut l = lead();
    f(&mut l);
    c.miss(&l, monday())
}

#[test]
fn empty_criteria_match_everything() {
    assert_eq!(Criteria::default().miss(&lead(), at(2026, 11, 23, 3)), None);
    assert_eq!(
        Criteria::default().miss(&LeadFacts::default(), monday()),
        None
    );
}

#[test]
fn each_criterion_names_its_miss() {
    let c = Criteria {
        sources: vec![2],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), Some(Miss::Source));
    let c = Criteria {
        provinces: vec!["浙江".into()],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), Some(Miss::Province));
    // 2026-11-23 is a Monday.
    let c = Criteria {
        weekdays: vec![6, 7],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), Some(Miss::Weekday));
    let night = TimeWindow {
        from: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
        until: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    };
    let c = Criteria {
        time: Some(night),
        ..Criteria::default()
    };
    assert_eq!(c.miss(&lead(), at(2026, 11, 23, 12)), Some(Miss::Time));
    assert_eq!(c.miss(&lead(), at(2026, 11, 23, 23)), None);
    assert_eq!(c.miss(&lead(), at(2026, 11, 23, 8)), None);
}

#[test]
fn places_match_with_or_without_their_designation() {
    let c = Criteria {
        provinces: vec!["江苏".into()],
        cities: vec!["苏州市".into(), "无锡".into()],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), None, "江苏 takes 江苏省, 苏州市 takes 苏州");
    assert_eq!(
        miss_with(&c, |l| l.city = Some("南京".into())),
        Some(Miss::City)
    );
    assert_eq!(miss_with(&c, |l| l.province = None), Some(Miss::NoProvince));
    assert_eq!(
        miss_with(&c, |l| l.city = Some(" ".into())),
        Some(Miss::NoCity)
    );
}

#[test]
fn a_region_takes_the_provinces_it_is_made_of() {
    let c = Criteria {
        regions: vec![Region::South, Region::East],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), None);
    for p in ["上海市", "广西壮族自治区", "福建"] {
        assert_eq!(miss_with(&c, |l| l.province = Some(p.into())), None, "{p}");
    }
    assert_eq!(
        miss_with(&c, |l| l.province = Some("四川省".into())),
        Some(Miss::Region)
    );
    // The region is judged by the province only: a city without one is not enough.
    assert_eq!(miss_with(&c, |l| l.province = None), Some(Miss::NoProvince));
}

#[test]
fn industries_compare_folded_and_need_an_industry() {
    let c = Criteria {
        industries: vec!["电子".into(), " 机械设备".into()],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), None);
    let c = Criteria {
        industries: vec!["ＩＴ服务".into()],
        ..Criteria::default()
    };
    assert_eq!(miss_with(&c, |l| l.industry = Some("it服务".into())), None);
    assert_eq!(miss(&c), Some(Miss::Industry));
    assert_eq!(miss_with(&c, |l| l.industry = None), Some(Miss::NoIndustry));
}

#[test]
fn grades_need_a_grade() {
    let c = Criteria {
        grades: vec![Grade::A, Grade::B],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), None);
    assert_eq!(
        miss_with(&c, |l| l.grade = Some(Grade::C)),
        Some(Miss::Grade)
    );
    assert_eq!(miss_with(&c, |l| l.grade = None), Some(Miss::NoGrade));
}

#[test]
fn tags_match_when_the_lead_has_any_of_them() {
    let c = Criteria {
        tags: vec!["MES".into(), "erp".into()],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), None, "ERP is enough; MES is not needed too");
    assert_eq!(
        miss_with(&c, |l| l.tags = vec!["数控机床".into()]),
        Some(Miss::Tags)
    );
    assert_eq!(miss_with(&c, |l| l.tags.clear()), Some(Miss::NoTags));
}

#[test]
fn the_first_failed_criterion_is_named_and_codes_are_stable() {
    let c = Criteria {
        regions: vec![Region::North],
        industries: vec!["化工".into()],
        ..Criteria::default()
    };
    assert_eq!(miss(&c), Some(Miss::Region));
    assert_eq!(Miss::NoIndustry.code(), "no_industry");
    let json = serde_json::to_string(&Miss::NoTags).unwrap();
    assert_eq!(json, "\"no_tags\"");
}

#[test]
fn criteria_read_regions_and_grades_by_name_and_refuse_others() {
    let c: Criteria =
        serde_json::from_str(r#"{"regions": ["华东", "西南"], "grades": ["A"], "tags": ["ERP"]}"#)
            .unwrap();
    assert_eq!(c.regions, [Region::East, Region::Southwest]);
    assert_eq!(c.grades, [Grade::A]);
    assert!(serde_json::from_str::<Criteria>(r#"{"regions": ["华东区"]}"#).is_err());
    assert!(serde_json::from_str::<Criteria>(r#"{"grades": ["D"]}"#).is_err());
    // Rules saved before these criteria existed read as before, and write them back the same.
    let old: Criteria = serde_json::from_str(r#"{"sources": [1]}"#).unwrap();
    let back = serde_json::to_value(&old).unwrap();
    assert_eq!(back.get("regions"), None);
}
