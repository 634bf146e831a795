use super::*;
use crate::identity::regions::{CITIES, PROVINCES, WORDLIKE};
use proptest::prelude::*;

fn name(raw: &str) -> CompanyName {
    CompanyName::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

fn core(raw: &str) -> String {
    name(raw).core().to_owned()
}

#[test]
fn suffix_and_region_spellings_of_one_company_share_a_core() {
    for raw in [
        "苏州华星精密有限公司",
        "苏州华星精密",
        "苏州市华星精密有限公司",
        "江苏省苏州市华星精密有限公司",
        "华星精密（苏州）有限公司",
        "华星精密【苏州】有限公司",
        "华星精密 (苏州市) 有限公司",
        "华星精密有限责任公司",
        "  苏州　华星 精密 有限 公司 ",
    ] {
        assert_eq!(core(raw), "华星精密", "{raw}");
    }
}

#[test]
fn industry_words_stay_in_the_core() {
    // the fuzzy matcher decides whether 华星精密 and 华星精密机械 are one company
    assert_eq!(core("苏州市华星精密机械有限公司"), "华星精密机械");
    assert_eq!(core("华星精密机械（苏州）有限公司"), "华星精密机械");
    assert_ne!(core("苏州华星精密"), core("苏州华星精密机械有限公司"));
    // and a one-character difference is a different core (华星 vs 华兴)
    assert_ne!(core("苏州华星精密"), core("苏州华兴精密"));
}

#[test]
fn parts_are_split_into_their_fields() {
    let n = name("江苏省苏州市华星精密机械有限公司");
    assert_eq!(n.display(), "江苏省苏州市华星精密机械有限公司");
    assert_eq!(n.region(), Some("苏州"));
    assert_eq!(n.legal_suffix(), Some("有限公司"));
    assert_eq!(n.branch(), None);
    assert_eq!(name("浙江华星电子").region(), Some("浙江"));
    assert_eq!(name("华星精密（苏州）有限公司").region(), Some("苏州"));
    // a bracketed city beats a leading province
    assert_eq!(name("江苏华星精密（苏州）有限公司").region(), Some("苏州"));
    assert_eq!(name("华星精密").region(), None);
    assert_eq!(name("华星精密").legal_suffix(), None);
}

#[test]
fn display_keeps_what_was_typed_with_spaces_squashed() {
    assert_eq!(
        name("  苏州  华星（精密）  Co., Ltd. ").display(),
        "苏州 华星（精密） Co., Ltd."
    );
}

#[test]
fn stacked_and_bracketed_legal_forms() {
    let n = name("中国平安保险（集团）股份有限公司");
    assert_eq!(
        (n.core(), n.legal_suffix()),
        ("中国平安保险", Some("集团股份有限公司"))
    );
    let n = name("苏州华星投资合伙企业（有限合伙）");
    assert_eq!(
        (n.core(), n.legal_suffix()),
        ("华星投资", Some("合伙企业（有限合伙）"))
    );
    let n = name("华星集团有限公司");
    assert_eq!((n.core(), n.legal_suffix()), ("华星", Some("集团有限公司")));
    for (raw, suffix) in [
        ("华星机械厂", "厂"),
        ("华星五金商行", "商行"),
        ("华星设计工作室", "工作室"),
        ("华星股份有限公司", "股份有限公司"),
    ] {
        assert_eq!(name(raw).legal_suffix(), Some(suffix), "{raw}");
    }
    // (中国) is dropped like a region, without claiming one
    let n = name("阿里巴巴（中国）有限公司");
    assert_eq!((n.core(), n.region()), ("阿里巴巴", None));
}

#[test]
fn english_legal_forms_in_every_spelling() {
    for raw in [
        "Huaxing Precision Co., Ltd.",
        "HUAXING PRECISION CO.,LTD",
        "Huaxing Precision Company Limited",
        "huaxing  precision co ltd",
        "Ｈｕａｘｉｎｇ Ｐｒｅｃｉｓｉｏｎ Ｃｏ．，Ｌｔｄ．",
    ] {
        let n = name(raw);
        assert_eq!(
            (n.core(), n.legal_suffix()),
            ("huaxingprecision", Some("Co., Ltd.")),
            "{raw}"
        );
    }
    for (raw, suffix) in [
        ("Huaxing Inc.", "Inc."),
        ("Huaxing Corp.", "Corp."),
        ("Huaxing Corporation", "Corp."),
        ("Huaxing LLC", "LLC"),
        ("Huaxing Ltd", "Ltd."),
        ("Huaxing Group Co., Ltd.", "Group Co., Ltd."),
        ("华星精密Co.,Ltd", "Co., Ltd."),
    ] {
        assert_eq!(name(raw).legal_suffix(), Some(suffix), "{raw}");
    }
    // only whole words: these are brands, not legal forms
    assert_eq!(core("Huaxingco"), "huaxingco");
    assert_eq!(core("Costco"), "costco");
    // pinyin regions are not recognised (yet): the pinyin matcher will handle them
    assert_eq!(
        core("Suzhou Huaxing Precision Co., Ltd."),
        "suzhouhuaxingprecision"
    );
}

#[test]
fn a_branch_is_a_customer_of_its_own() {
    let parent = name("苏州华星精密有限公司");
    let branch = name("苏州华星精密有限公司上海分公司");
    assert_eq!(branch.core(), parent.core());
    assert_eq!(branch.region(), Some("苏州"));
    assert_eq!(branch.legal_suffix(), Some("有限公司"));
    assert_eq!((parent.branch(), branch.branch()), (None, Some("上海")));
    assert_eq!(
        name("苏州华星精密有限公司上海市分公司").branch(),
        Some("上海")
    );
    assert_eq!(
        name("苏州华星精密有限公司工业园区分公司").branch(),
        Some("工业园区")
    );
    // without a legal form before it, a trailing city names the branch
    let n = name("华星精密上海分公司");
    assert_eq!((n.core(), n.branch()), ("华星精密", Some("上海")));
    // when parent and branch cannot be told apart the whole stays in the core
    let n = name("华星精密浦东分公司");
    assert_eq!((n.core(), n.branch()), ("华星精密浦东", Some("")));
}

#[test]
fn regions_are_matched_carefully() {
    // longest name first: 苏州 is not 苏 + 州; 内蒙古自治区 whole
    assert_eq!(core("内蒙古自治区包头市华星乳业有限公司"), "华星乳业");
    // 市场 is a word, not 市 + 场
    assert_eq!(core("苏州市场营销策划有限公司"), "市场营销策划");
    // a region is not stripped when nothing would be left
    let n = name("苏州市");
    assert_eq!((n.core(), n.region()), ("苏州市", None));
    assert_eq!(core("苏州有限公司"), "苏州");
    assert_eq!(core("有限公司"), "有限公司");
    assert_eq!(core("分公司"), "分公司");
    // a region in the middle is part of the brand
    assert_eq!(core("华星苏州精密"), "华星苏州精密");
    // city names that are also words keep their brand unless written with 市
    assert_eq!(core("朝阳精密仪器有限公司"), "朝阳精密仪器");
    assert_eq!(core("朝阳市精密仪器有限公司"), "精密仪器");
    assert_eq!(core("北京朝阳华星"), "朝阳华星");
}

#[test]
fn width_case_and_punctuation_are_folded() {
    assert_eq!(core("苏州ＡＢＣ精密　有限公司"), "abc精密");
    assert_eq!(core("苏州·华星-精密、有限公司。"), "华星精密");
}

#[test]
fn bad_names_say_why() {
    assert_eq!(
        CompanyName::parse("  "),
        Err(FieldError::new("name", "required"))
    );
    assert_eq!(
        CompanyName::parse("——？！"),
        Err(FieldError::new("name", "company_name_invalid"))
    );
    let long = "华".repeat(CompanyName::MAX + 1);
    assert_eq!(
        CompanyName::parse(&long),
        Err(FieldError::new("name", "too_long"))
    );
    assert!(CompanyName::parse(&"华".repeat(CompanyName::MAX)).is_ok());
}

/// Full-width form of ASCII, as a Chinese IME types it.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// How a region is written before or inside a name.
#[derive(Debug, Clone)]
enum RegionSpelling {
    None,
    City { shi: bool },
    ProvinceCity { sheng: bool, shi: bool },
    Bracketed { open: char, close: char, shi: bool },
}

fn spelling() -> impl Strategy<Value = RegionSpelling> {
    prop_oneof![
        Just(RegionSpelling::None),
        any::<bool>().prop_map(|shi| RegionSpelling::City { shi }),
        (any::<bool>(), any::<bool>())
            .prop_map(|(sheng, shi)| RegionSpelling::ProvinceCity { sheng, shi }),
        (
            prop::sample::select(vec![('（', '）'), ('(', ')'), ('【', '】'), ('[', ']')]),
            any::<bool>()
        )
            .prop_map(|((open, close), shi)| RegionSpelling::Bracketed {
                open,
                close,
                shi
            }),
    ]
}

/// Brand characters that start no region name, and brands in Latin letters.
fn brand() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(
            prop::sample::select("华星宏鑫瑞恒创科盛汇利美源丰精".chars().collect::<Vec<_>>()),
            2..4
        )
        .prop_map(|cs| cs.into_iter().collect::<String>()),
        "[A-Z]{2,4}",
    ]
}

const INDUSTRIES: &[&str] = &[
    "精密",
    "精密机械",
    "科技",
    "电子",
    "贸易",
    "新材料",
    "包装",
    "模具",
    "自动化设备",
    "五金",
];

const SUFFIXES: &[&str] = &[
    "",
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "集团有限公司",
    "集团",
    "厂",
    "商行",
    "工作室",
    " Co., Ltd.",
    "Co.,Ltd",
    " CO., LTD.",
    " Company Limited",
    " Ltd",
    " Limited",
    " Inc.",
    " Corp.",
    " Corporation",
    " LLC",
    " Group",
    " Group Co., Ltd.",
];

/// Fragments that exercise every rule when strung together at random.
const PIECES: &[&str] = &[
    "苏州",
    "苏州市",
    "江苏省",
    "吉林",
    "朝阳",
    "内蒙古自治区",
    "上海",
    "市",
    "省",
    "场",
    "华星",
    "精密",
    "有限公司",
    "有限",
    "公司",
    "分公司",
    "集团",
    "厂",
    "（",
    "）",
    "(",
    ")",
    "【",
    "】",
    "中国",
    "合伙",
    "有限合伙",
    " ",
    "　",
    ",",
    ".",
    "-",
    "Co",
    "Ltd",
    "co",
    "rp",
    "Group",
    "Inc",
    "Huaxing",
    "ＡＢ",
    "x",
    "1",
    "İ",
    "ß",
];

proptest! {
    #[test]
    fn never_panics_and_the_core_is_a_fixed_point(s in "\\PC{0,40}") {
        if let Ok(n) = CompanyName::parse(&s) {
            let again = CompanyName::parse(n.core()).expect("a core parses");
            prop_assert_eq!(again.core(), n.core());
        }
    }

    #[test]
    fn names_made_of_tricky_pieces_never_panic_and_the_core_is_a_fixed_point(
        pieces in prop::collection::vec(prop::sample::select(PIECES), 0..10),
    ) {
        let raw = pieces.concat();
        if let Ok(n) = CompanyName::parse(&raw) {
            let again = CompanyName::parse(n.core()).expect("a core parses");
            prop_assert_eq!(again.core(), n.core(), "{}", raw);
        }
    }

    #[test]
    fn any_spelling_of_a_generated_name_has_brand_and_industry_as_core(
        brand in brand(),
        industry in prop::sample::select(INDUSTRIES),
        suffix in prop::sample::select(SUFFIXES),
        spelling in spelling(),
        city in prop::sample::select(CITIES).prop_filter("needs 市", |c| !WORDLIKE.contains(c)),
        province in prop::sample::select(PROVINCES),
        gaps in prop::collection::vec(prop::sample::select(vec!["", "", " ", "  ", "\u{3000}"]), 4),
        wide in any::<bool>(),
    ) {
        let shi = |yes: bool| if yes { "市" } else { "" };
        let (before, inside, region) = match spelling {
            RegionSpelling::None => (String::new(), String::new(), None),
            RegionSpelling::City { shi: s } => (format!("{city}{}", shi(s)), String::new(), Some(city)),
            RegionSpelling::ProvinceCity { sheng, shi: s } => (
                format!("{province}{}{}{city}{}", if sheng { "省" } else { "" }, gaps[0], shi(s)),
                String::new(),
                Some(city),
            ),
            RegionSpelling::Bracketed { open, close, shi: s } => {
                (String::new(), format!("{open}{city}{}{close}", shi(s)), Some(city))
            }
        };
        let raw = format!("{before}{}{brand}{}{industry}{}{inside}{}{suffix}", gaps[1], gaps[2], gaps[3], gaps[0]);
        let raw = if wide { full_width(&raw) } else { raw };
        let n = CompanyName::parse(&raw).expect("a valid name");
        prop_assert_eq!(n.core(), format!("{brand}{industry}").to_lowercase(), "{}", raw);
        prop_assert_eq!(n.region(), region, "{}", raw);
        prop_assert_eq!(n.legal_suffix().is_some(), !suffix.is_empty(), "{}", raw);
        prop_assert_eq!(n.branch(), None);
    }
}
