//! Names that meet by sound: English and pinyin renderings of Chinese names, and the
//! homophone twins (华星 / 华兴) that sound alike but are two firms.

use super::*;

fn rec(company: &str) -> Record {
    Record {
        company: Some(company.to_owned()),
        ..Record::default()
    }
}

fn account(a: &str, b: &str) -> Match {
    Matcher::new(Level::Account).compare(&Prepared::new(&rec(a)), &Prepared::new(&rec(b)))
}

fn clusters(names: &[&str]) -> Vec<u32> {
    let records: Vec<Prepared> = names.iter().map(|n| Prepared::new(&rec(n))).collect();
    cluster(&records, Level::Account, &()).cluster_of
}

#[test]
fn an_english_name_meets_the_whole_chinese_name_through_its_trade_words() {
    let m = account(
        "天津锦源网络科技有限公司",
        "Tianjin Jinyuan Network Technology Co., Ltd.",
    );
    assert!(m.reasons.contains(&Reason::CompanyNamePinyin(1.0)), "{m:?}");
    assert!(m.reasons.contains(&Reason::SameCity), "{m:?}");
    // The one firm of that sound in the data set: one customer.
    assert_eq!(
        clusters(&[
            "天津锦源网络科技有限公司",
            "Tianjin Jinyuan Network Technology Co., Ltd."
        ]),
        vec![0, 0]
    );
}

#[test]
fn a_shared_trade_does_not_carry_a_different_brand() {
    // 贯唯 and Renwei: different brands, the same long trade (文化传媒, Culture Media).
    let m = account(
        "深圳贯唯文化传媒有限责任公司",
        "Renwei Culture Media (Shenzhen) Co., Ltd.",
    );
    assert!(
        m.reasons
            .iter()
            .any(|r| matches!(r, Reason::CompanyNameDifferent(_))),
        "{m:?}"
    );
    assert!(!m.is_match, "{m:?}");
}

#[test]
fn homophone_twins_keep_an_english_name_from_choosing_one() {
    // 华星 and 华兴 are both `huaxing`: with both in 苏州, the English card could be either.
    let twins = [
        "苏州华星精密机械有限公司",
        "苏州华兴精密机械有限公司",
        "Suzhou Huaxing Precision Machinery Co., Ltd.",
    ];
    assert_eq!(clusters(&twins), vec![0, 1, 2]);
    // With one of them only, it is that one.
    assert_eq!(clusters(&[twins[0], twins[2]]), vec![0, 0]);
}

#[test]
fn two_spellings_of_a_twin_name_stay_apart_from_each_other() {
    let english = "Suzhou Huaxing Precision Machinery Co., Ltd.";
    let pinyin = "Suzhou Huaxing Jingmi Jixie Youxian Gongsi";
    let m = account(english, pinyin);
    assert!(m.reasons.contains(&Reason::CompanyNameSame), "{m:?}");
    // No twins known: the English and the pinyin card are one firm.
    assert_eq!(clusters(&[english, pinyin]), vec![0, 0]);
    // 华星 and 华兴 both in 苏州: the two cards may be one of each.
    let c = clusters(&[
        "苏州华星精密机械有限公司",
        "苏州华兴精密机械有限公司",
        english,
        pinyin,
    ]);
    assert_eq!(c, vec![0, 1, 2, 3]);
}

#[test]
fn the_brand_homophone_stays_a_different_firm_in_chinese() {
    assert_eq!(
        clusters(&["苏州华星精密有限公司", "苏州华兴精密有限公司"]),
        vec![0, 1]
    );
}
