use super::*;
use proptest::prelude::*;

fn rec(company: &str) -> Record {
    Record {
        company: Some(company.to_owned()),
        ..Record::default()
    }
}

fn with(mut r: Record, f: impl FnOnce(&mut Record)) -> Record {
    f(&mut r);
    r
}

fn compare(level: Level, a: &Record, b: &Record) -> Match {
    Matcher::new(level).compare(&Prepared::new(a), &Prepared::new(b))
}

fn account(a: &Record, b: &Record) -> Match {
    compare(Level::Account, a, b)
}

#[test]
fn same_mobile_in_any_spelling_is_one_customer() {
    let a = with(rec("苏州华星精密有限公司"), |r| {
        r.mobile = Some("13800138000".into())
    });
    let b = with(rec("华星精密"), |r| {
        r.mobile = Some("+86 138-0013-8000".into())
    });
    let m = account(&a, &b);
    assert!(m.is_match && m.score > 0.99, "{m:?}");
    assert_eq!(m.reasons[0], Reason::SameMobile);
    assert_eq!(m.reasons[0].to_string(), "same mobile");
}

#[test]
fn suffix_region_width_and_bracket_variants_are_one_company() {
    let variants = [
        "苏州华星精密机械有限公司",
        "华星精密机械（苏州）有限公司",
        "江苏省苏州市华星精密机械股份有限公司",
        "苏州 华星精密机械 有限责任公司",
        "【苏州】华星精密机械",
    ];
    for a in variants {
        for b in variants {
            let m = account(&rec(a), &rec(b));
            assert!(m.is_match, "{a} / {b}: {m:?}");
            assert!(m.reasons.contains(&Reason::CompanyNameSame), "{a} / {b}");
            assert!(m.reasons.contains(&Reason::SameCity), "{a} / {b}");
        }
    }
}

#[test]
fn one_character_apart_in_the_same_city_needs_more_than_the_name() {
    let a = with(rec("苏州华星精密有限公司"), |r| {
        r.mobile = Some("13800138000".into());
        r.contact = Some("李建华".into());
    });
    let b = with(rec("苏州华兴精密有限公司"), |r| {
        r.mobile = Some("13912345678".into());
        r.contact = Some("王丽娟".into());
    });
    let m = account(&a, &b);
    assert!(!m.is_match, "{m:?}");
    assert!(
        m.reasons.contains(&Reason::CompanyNameSimilar(0.75)),
        "{m:?}"
    );
    assert!(m.reasons.contains(&Reason::SameCity));
    // Without phones it is still only a name and a city.
    let m = account(&rec("苏州华星精密"), &rec("苏州华兴精密"));
    assert!(!m.is_match, "{m:?}");
    // The same contact person as well: a typo in the name, one customer.
    let b = with(rec("苏州华兴精密有限公司"), |r| {
        r.contact = Some("李建华经理".into())
    });
    let a = with(rec("苏州华星精密有限公司"), |r| {
        r.contact = Some("李建华".into())
    });
    let m = account(&a, &b);
    assert!(m.is_match, "{m:?}");
    assert!(m.reasons.contains(&Reason::SameContact));
}

#[test]
fn a_different_credit_code_outweighs_a_shared_mobile() {
    let a = with(rec("苏州华星精密"), |r| {
        r.mobile = Some("13800138000".into());
        r.credit_code = Some("91350100M000100Y43".into());
    });
    let b = with(rec("苏州华星精密"), |r| {
        r.mobile = Some("13800138000".into());
        r.credit_code = Some("91110108551385082Q".into());
    });
    let m = account(&a, &b);
    assert!(!m.is_match, "{m:?}");
    assert_eq!(m.reasons[0], Reason::DifferentCreditCode);
    let same = with(b, |r| r.credit_code = a.credit_code.clone());
    assert_eq!(account(&a, &same).reasons[0], Reason::SameCreditCode);
}

#[test]
fn a_credit_code_places_a_firm_no_other_field_places() {
    let fuzhou = |r: &mut Record| r.credit_code = Some("91350100M000100Y43".into());
    assert_eq!(
        Prepared::new(&with(rec("华星精密"), fuzhou)).city,
        Some("福州")
    );
    // A municipality's districts are the municipality.
    let haidian = |r: &mut Record| r.credit_code = Some("91110108551385082Q".into());
    assert_eq!(
        Prepared::new(&with(rec("华星精密"), haidian)).city,
        Some("北京")
    );
    // Where the firm says it is wins over where it was registered.
    let moved = with(rec("华星精密"), |r| {
        fuzhou(r);
        r.city = Some("厦门".into());
    });
    assert_eq!(Prepared::new(&moved).city, Some("厦门"));
}

#[test]
fn placeholders_count_as_missing() {
    let blank = Record {
        id: "1".into(),
        company: Some(" 无 ".into()),
        contact: Some("不详".into()),
        mobile: Some("-".into()),
        landline: Some("N/A".into()),
        email: Some("暂无".into()),
        wechat: Some("null".into()),
        city: Some("未知".into()),
        address: Some("".into()),
        credit_code: Some("／".into()),
    };
    assert!(Prepared::new(&blank).is_empty());
    let m = account(&blank, &blank);
    assert!(!m.is_match && m.reasons.is_empty(), "{m:?}");
    // Unparseable values are absent too, not a shared garbage key.
    let junk = with(rec("苏州华星"), |r| r.mobile = Some("123".into()));
    let other = with(rec("北京东升"), |r| r.mobile = Some("123".into()));
    assert!(!account(&junk, &other).reasons.contains(&Reason::SameMobile));
}

#[test]
fn english_and_pinyin_names_meet_chinese_ones() {
    let cn = with(rec("苏州华星精密机械有限公司"), |r| {
        r.email = Some("zhangwei@hx-precision.com".into());
    });
    let en = with(rec("Suzhou Huaxing Precision Machinery Co., Ltd."), |r| {
        r.email = Some("ZhangWei@HX-Precision.com".into());
    });
    let m = account(&cn, &en);
    assert!(m.is_match, "{m:?}");
    assert!(m.reasons.contains(&Reason::SameEmail));
    assert!(m.reasons.contains(&Reason::SameCity), "{m:?}");
    assert!(
        m.reasons
            .iter()
            .any(|r| matches!(r, Reason::CompanyNamePinyin(s) if *s >= 0.75)),
        "{m:?}"
    );
    let py = rec("Suzhou Huaxing Jingmi Jixie Youxian Gongsi");
    let m = account(&cn, &py);
    assert!(m.reasons.contains(&Reason::CompanyNamePinyin(1.0)), "{m:?}");
    // Pinyin cannot tell 华星 from 华兴: with only the name and city it is not enough.
    assert!(!m.is_match, "{m:?}");
}

#[test]
fn contact_names_lose_titles_and_meet_their_pinyin() {
    let a = with(rec("苏州华星精密"), |r| {
        r.contact = Some("张伟经理".into())
    });
    let b = with(rec("苏州华星精密"), |r| {
        r.contact = Some("Zhang Wei".into())
    });
    let c = with(rec("苏州华星精密"), |r| {
        r.contact = Some("Wei ZHANG".into())
    });
    let d = with(rec("苏州华星精密"), |r| {
        r.contact = Some("张总".into())
    });
    assert!(account(&a, &b).reasons.contains(&Reason::SameContact));
    assert!(account(&a, &c).reasons.contains(&Reason::SameContact));
    assert!(account(&a, &d).reasons.contains(&Reason::SameSurname));
}

#[test]
fn the_level_decides_whether_colleagues_are_one_customer() {
    let a = with(rec("苏州华星精密有限公司"), |r| {
        r.contact = Some("张伟".into());
        r.landline = Some("0512-65500490".into());
    });
    let b = with(rec("苏州华星精密"), |r| {
        r.contact = Some("李娜".into());
        r.landline = Some("(0512) 6550 0490 转 801".into());
    });
    let m = account(&a, &b);
    assert!(m.is_match, "{m:?}");
    assert!(m.reasons.contains(&Reason::SameLandline));
    let m = compare(Level::Contact, &a, &b);
    assert!(!m.is_match, "{m:?}");
    assert!(m.reasons.contains(&Reason::DifferentContact));
    let same_person = with(b, |r| r.contact = Some("张伟".into()));
    assert!(compare(Level::Contact, &a, &same_person).is_match);
}

#[test]
fn branches_are_customers_of_their_own() {
    let sh = rec("苏州华星精密有限公司上海分公司");
    let bj = rec("苏州华星精密有限公司北京分公司");
    let m = account(&sh, &bj);
    assert!(
        !m.is_match && m.reasons.contains(&Reason::DifferentBranch),
        "{m:?}"
    );
}

fn ids(c: &Clustering) -> Vec<u32> {
    c.cluster_of.clone()
}

#[test]
fn clusters_name_their_first_record_and_keep_strangers_apart() {
    let records: Vec<Prepared> = [
        with(rec("苏州华星精密有限公司"), |r| {
            r.mobile = Some("13800138000".into())
        }),
        with(rec("上海东升物流"), |r| {
            r.mobile = Some("13900000001".into())
        }),
        with(rec("华星精密"), |r| {
            r.mobile = Some("138 0013 8000".into())
        }),
        with(rec("苏州华兴精密有限公司"), |r| {
            r.mobile = Some("13700000002".into())
        }),
        with(rec("苏州华星精密机械"), |r| {
            r.landline = Some("0512-65500490".into());
            r.contact = Some("李建华".into());
        }),
        with(rec("华星精密（苏州）有限公司"), |r| {
            r.landline = Some("051265500490".into());
        }),
    ]
    .iter()
    .map(Prepared::new)
    .collect();
    let c = cluster(&records, Level::Account, &());
    assert_eq!(ids(&c), vec![0, 1, 0, 3, 0, 0]);
    assert!(c.links.iter().all(|l| l.score >= 0.5 && l.a < l.b));
}

#[test]
fn links_do_not_chain_across_two_credit_codes() {
    // Two firms with one name, told apart only by their credit codes, and a third record
    // that looks like both: it may join one of them, never both.
    let records: Vec<Prepared> = [
        with(rec("苏州华星精密有限公司"), |r| {
            r.credit_code = Some("91350100M000100Y43".into());
        }),
        with(rec("苏州华星精密有限公司"), |r| {
            r.credit_code = Some("91110108551385082Q".into());
        }),
        rec("苏州华星精密"),
    ]
    .iter()
    .map(Prepared::new)
    .collect();
    let c = cluster(&records, Level::Account, &());
    assert_ne!(c.cluster_of[0], c.cluster_of[1]);
}

#[test]
fn a_name_found_in_two_cities_does_not_place_a_record_without_one() {
    let firm = |name: &str, mobile: &str, contact: &str| {
        with(rec(name), |r| {
            r.mobile = Some(mobile.into());
            r.contact = Some(contact.into());
        })
    };
    let suzhou = firm("苏州华星精密机械有限公司", "13800138000", "张伟");
    let wuxi = firm("无锡华星精密机械有限公司", "13900139000", "李娜");
    let nowhere = firm("华星精密机械", "13700137000", "王芳");
    let prepared =
        |rs: &[&Record]| -> Vec<Prepared> { rs.iter().map(|r| Prepared::new(r)).collect() };
    // One firm of that name: the record without a city is that firm.
    let c = cluster(&prepared(&[&suzhou, &nowhere]), Level::Account, &());
    assert_eq!(c.cluster_of, vec![0, 0]);
    // Two firms of that name in two cities: it could be either.
    let c = cluster(&prepared(&[&suzhou, &wuxi, &nowhere]), Level::Account, &());
    assert_eq!(c.cluster_of, vec![0, 1, 2]);
}

#[test]
fn a_placeholder_number_shared_by_many_does_not_merge_them() {
    let records: Vec<Prepared> = (0..60)
        .map(|i| {
            with(rec(&format!("公司{i}号")), |r| {
                r.mobile = Some("13800000000".into())
            })
        })
        .map(|r| Prepared::new(&r))
        .collect();
    let c = cluster(&records, Level::Account, &());
    assert_eq!(ids(&c), (0..60).collect::<Vec<u32>>());
    assert_eq!(c.placeholder_values, 1);
}

#[test]
fn common_names_agree_by_coincidence() {
    // 张伟 at 40 firms: agreeing on 张伟 says little, agreeing on 李建华 a lot.
    let mut records: Vec<Prepared> = (0..40)
        .map(|i| {
            with(rec(&format!("苏州公司{i}")), |r| {
                r.contact = Some("张伟".into())
            })
        })
        .map(|r| Prepared::new(&r))
        .collect();
    records.push(Prepared::new(&with(rec("x"), |r| {
        r.contact = Some("李建华".into())
    })));
    records.push(Prepared::new(&with(rec("y"), |r| {
        r.contact = Some("李建华".into())
    })));
    let c = cluster(&records, Level::Account, &());
    let weight = |a: usize, b: usize| c.matcher.compare(&records[a], &records[b]).score;
    assert!(weight(0, 1) < weight(40, 41));
}

fn any_record() -> impl Strategy<Value = Record> {
    let field = || proptest::option::of("\\PC{0,24}|[华星兴精密苏州张伟0-9 +-]{0,14}");
    (
        field(),
        field(),
        field(),
        field(),
        field(),
        (field(), field(), field(), field()),
    )
        .prop_map(
            |(company, contact, mobile, landline, email, (wechat, city, address, code))| Record {
                id: String::new(),
                company,
                contact,
                mobile,
                landline,
                email,
                wechat,
                city,
                address,
                credit_code: code,
            },
        )
}

proptest! {
    #[test]
    fn scoring_is_symmetric_bounded_and_total(a in any_record(), b in any_record()) {
        for level in [Level::Account, Level::Contact] {
            let x = compare(level, &a, &b);
            let y = compare(level, &b, &a);
            prop_assert!((0.0..=1.0).contains(&x.score), "{x:?}");
            prop_assert!((x.score - y.score).abs() < 1e-6, "{x:?} / {y:?}");
            prop_assert_eq!(x.is_match, y.is_match);
        }
    }

    #[test]
    fn a_record_with_a_mobile_matches_itself(a in any_record(), m in "1[3-9][0-9]{9}") {
        let a = with(a, |r| { r.mobile = Some(m); r.credit_code = None; });
        prop_assert!(account(&a, &a).is_match);
    }

    #[test]
    fn placeholders_are_missing_whatever_their_spacing(
        p in proptest::sample::select(vec!["无", "-", "不详", "N/A", "暂无", "未知", "null", "NULL", "n/a"]),
        pad in " {0,3}",
    ) {
        let raw = format!("{pad}{p}{pad}");
        let r = Record { company: Some(raw.clone()), mobile: Some(raw.clone()), contact: Some(raw), ..Record::default() };
        prop_assert!(Prepared::new(&r).is_empty());
    }
}

#[test]
fn an_abbreviation_joins_the_one_firm_it_can_mean() {
    // One 华星 in 苏州: `苏州华星` is that firm. Two (精密 and 物流): it could be either.
    let records = |names: &[&str]| -> Vec<Prepared> {
        names.iter().map(|n| Prepared::new(&rec(n))).collect()
    };
    let one = records(&["苏州华星精密机械有限公司", "苏州华星"]);
    assert_eq!(cluster(&one, Level::Account, &()).cluster_of, vec![0, 0]);
    let two = records(&[
        "苏州华星精密机械有限公司",
        "苏州华星物流有限公司",
        "苏州华星",
    ]);
    assert_eq!(cluster(&two, Level::Account, &()).cluster_of, vec![0, 1, 2]);
}

#[test]
fn at_contact_level_a_record_without_a_person_joins_at_most_one() {
    let zhang = with(rec("苏州华星精密有限公司"), |r| {
        r.contact = Some("张伟".into())
    });
    let li = with(rec("苏州华星精密有限公司"), |r| {
        r.contact = Some("李娜".into())
    });
    let nameless = rec("苏州华星精密有限公司");
    let m = compare(Level::Contact, &zhang, &nameless);
    assert!(m.reasons.contains(&Reason::NoCommonPerson), "{m:?}");
    assert!(m.score < account(&zhang, &nameless).score);
    let records: Vec<Prepared> = [zhang, li, nameless].iter().map(Prepared::new).collect();
    let c = cluster(&records, Level::Contact, &());
    assert_ne!(c.cluster_of[0], c.cluster_of[1], "two people stay two");
    let c = cluster(&records, Level::Account, &());
    assert_eq!(c.cluster_of, vec![0, 0, 0], "one firm");
}

#[test]
fn another_persons_mobile_is_no_evidence_against_the_firm_at_account_level() {
    let stored = with(rec("宁波士弘医药有限公司"), |r| {
        r.contact = Some("邹怡琪".into());
        r.mobile = Some("13957400001".into());
        r.city = Some("宁波".into());
    });
    // Another person of the firm: their mobile differs as any two people's do.
    let other = with(rec("宁波士弘医药"), |r| {
        r.contact = Some("王建国".into());
        r.mobile = Some("13857400002".into());
        r.city = Some("宁波".into());
    });
    let m = account(&other, &stored);
    assert!(m.reasons.contains(&Reason::DifferentContact), "{m:?}");
    assert!(!m.reasons.contains(&Reason::DifferentMobile), "{m:?}");
    // The same person with another mobile: that still counts against.
    let same_person = with(other.clone(), |r| r.contact = Some("邹怡琪".into()));
    let m2 = account(&same_person, &stored);
    assert!(m2.reasons.contains(&Reason::DifferentMobile), "{m2:?}");
    // At contact level two people are two contacts, mobiles and all.
    let c = compare(Level::Contact, &other, &stored);
    assert!(c.reasons.contains(&Reason::DifferentMobile), "{c:?}");
    assert!(!c.is_match, "{c:?}");
}
