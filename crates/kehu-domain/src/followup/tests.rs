use super::*;
use chrono::FixedOffset;

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

fn input(kind: &str, content: &str) -> FollowUpInput {
    FollowUpInput {
        kind: Some(kind.into()),
        content: Some(content.into()),
        ..FollowUpInput::default()
    }
}

fn parse(i: &FollowUpInput) -> NewFollowUp {
    NewFollowUp::parse(i, cst()).expect("valid")
}

#[test]
fn every_bad_field_is_named_at_once() {
    let bad = FollowUpInput {
        kind: Some("fax".into()),
        content: Some("  ".into()),
        duration_secs: Some("ten".into()),
        next_follow_up_at: Some("tomorrow".into()),
        ..FollowUpInput::default()
    };
    let errs = NewFollowUp::parse(&bad, cst()).unwrap_err();
    let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_ref()).collect();
    assert_eq!(
        fields,
        ["kind", "content", "duration_secs", "next_follow_up_at"]
    );
}

#[test]
fn tags_split_at_any_comma_and_repeat_once() {
    let mut i = input("call", "聊了报价");
    i.tags = Some("价格敏感，需技术演示、价格敏感, 竞品对比中;".into());
    assert_eq!(parse(&i).tags, ["价格敏感", "需技术演示", "竞品对比中"]);
    i.tags = Some("一二三四五六七八九十一二三四五六七八九十一".into());
    assert_eq!(
        NewFollowUp::parse(&i, cst()).unwrap_err().0[0].code,
        "tag_too_long"
    );
}

#[test]
fn a_short_note_does_not_count_and_says_why() {
    let rules = EffectivenessRules::default();
    let short = parse(&input("note", "已联系"));
    assert_eq!(rules.judge(&short).unmet, [Unmet::ContentShorterThan(15)]);
    let long = parse(&input("note", "客户对报价有疑问，下周二安排技术演示"));
    assert!(rules.judge(&long).is_effective());
}

#[test]
fn a_call_counts_from_its_minimum_duration_exactly() {
    let rules = EffectivenessRules::default();
    let mut i = input("call", "打了电话");
    i.duration_secs = Some("59".into());
    assert_eq!(rules.judge(&parse(&i)).unmet, [Unmet::CallShorterThan(60)]);
    i.duration_secs = Some("60".into());
    assert!(rules.judge(&parse(&i)).is_effective());
    i.duration_secs = None;
    assert!(!rules.judge(&parse(&i)).is_effective());
}

#[test]
fn a_visit_needs_a_contact_person() {
    let rules = EffectivenessRules::default();
    let mut i = input("visit", "上门拜访");
    assert_eq!(rules.judge(&parse(&i)).unmet, [Unmet::NoContact]);
    i.contact_id = Some("7".into());
    assert!(rules.judge(&parse(&i)).is_effective());
}

#[test]
fn whitespace_does_not_count_as_content() {
    let rules = EffectivenessRules::default();
    let padded = parse(&input("wechat", "好 的 好 的 好 的"));
    assert!(!rules.judge(&padded).is_effective());
}

#[test]
fn unattainable_rules_are_refused_by_kind_and_field() {
    let mut rules = EffectivenessRules::default();
    assert!(rules.validate().is_ok());
    rules.call.min_duration_secs = 24 * 3600;
    let errs = rules.validate().unwrap_err();
    assert_eq!(errs.0[0].field, "call.min_duration_secs");
}
