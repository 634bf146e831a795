//! Where Chinese meets Latin letters: pinyin of Chinese text, and company or person names
//! written in pinyin or English (`Suzhou Huaxing Precision Co., Ltd.`, `Zhang Wei`), so a
//! business card in English can meet the record typed in Chinese.

use super::super::regions::{CITIES, PROVINCES};
use pinyin::ToPinyin;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Legal-form and filler words of English and pinyin company names, dropped like the Chinese
/// suffixes are: they say nothing about which company it is.
const FILLER_WORDS: &[&str] = &[
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "plc",
    "group",
    "the",
    "and",
    "of",
    "china",
    "prc",
    "youxian",
    "gongsi",
    "youxiangongsi",
    "gufen",
    "zeren",
    "jituan",
    "branch",
    "fengongsi",
];

/// Conventional English renderings of Chinese trade words, with the pinyin of the Chinese
/// (`Precision Machinery` is 精密机械, `jingmijixie`), so an English name can meet the
/// Chinese one beyond its brand. Phrases first where a phrase reads differently from its
/// words (信息技术 is `Information Technology`, 科技 alone `Technology`); filler words such as
/// `and` are gone before lookup.
const TRADE_WORDS: &[(&str, &str)] = &[
    ("information technology", "xinxijishu"),
    ("science technology", "keji"),
    ("supply chain", "gongyinglian"),
    ("machine tool", "jichuang"),
    ("machine tools", "jichuang"),
    ("building materials", "jiancai"),
    ("medical devices", "yiliaoqixie"),
    ("medical equipment", "yiliaoqixie"),
    ("auto parts", "qichepeijian"),
    ("home furnishing", "jiaju"),
    ("import export", "jinchukou"),
    ("real estate", "fangdichan"),
    ("new energy", "xinnengyuan"),
    ("new materials", "xincailiao"),
    ("environmental protection", "huanbao"),
    ("technology", "keji"),
    ("technologies", "keji"),
    ("tech", "keji"),
    ("biotechnology", "shengwukeji"),
    ("biotech", "shengwukeji"),
    ("biological", "shengwu"),
    ("network", "wangluo"),
    ("electronic", "dianzi"),
    ("electronics", "dianzi"),
    ("optoelectronic", "guangdian"),
    ("optoelectronics", "guangdian"),
    ("precision", "jingmi"),
    ("machinery", "jixie"),
    ("equipment", "shebei"),
    ("automation", "zidonghua"),
    ("hardware", "wujin"),
    ("products", "zhipin"),
    ("components", "yuanjian"),
    ("packaging", "baozhuang"),
    ("printing", "yinshua"),
    ("materials", "cailiao"),
    ("material", "cailiao"),
    ("chemical", "huagong"),
    ("chemicals", "huagong"),
    ("coatings", "tuliao"),
    ("paint", "tuliao"),
    ("textile", "fangzhi"),
    ("textiles", "fangzhi"),
    ("apparel", "fushi"),
    ("garment", "fuzhuang"),
    ("garments", "fuzhuang"),
    ("clothing", "fuzhuang"),
    ("food", "shipin"),
    ("foods", "shipin"),
    ("beverage", "yinpin"),
    ("furniture", "jiaju"),
    ("logistics", "wuliu"),
    ("management", "guanli"),
    ("software", "ruanjian"),
    ("intelligent", "zhineng"),
    ("smart", "zhineng"),
    ("trading", "maoyi"),
    ("industrial", "shiye"),
    ("environmental", "huanbao"),
    ("automotive", "qiche"),
    ("mould", "muju"),
    ("moulds", "muju"),
    ("mold", "muju"),
    ("molds", "muju"),
    ("plastic", "sujiao"),
    ("plastics", "sujiao"),
    ("electric", "dianqi"),
    ("electrical", "dianqi"),
    ("lighting", "zhaoming"),
    ("construction", "jianzhu"),
    ("engineering", "gongcheng"),
    ("decoration", "zhuangshi"),
    ("culture", "wenhua"),
    ("media", "chuanmei"),
    ("advertising", "guanggao"),
    ("education", "jiaoyu"),
    ("enterprise", "qiye"),
    ("consulting", "zixun"),
    ("pharmaceutical", "yiyao"),
    ("pharmaceuticals", "yiyao"),
    ("agricultural", "nongye"),
    ("agriculture", "nongye"),
    ("energy", "nengyuan"),
    ("instruments", "yiqi"),
    ("investment", "touzi"),
    ("development", "fazhan"),
    ("international", "guoji"),
    ("holdings", "konggu"),
    ("steel", "gangtie"),
    ("communication", "tongxin"),
    ("communications", "tongxin"),
    ("semiconductor", "bandaoti"),
];

static TRADE_PINYIN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| TRADE_WORDS.iter().copied().collect());

/// Cities whose usual reading is not the pinyin table's first reading of a character
/// (重 chóng, 厦 xià, 长 cháng, 蚌 bèng, 六 lù, 乐 lè, 莞 guǎn, 朝 cháo, 台 tāi…).
const CITY_READINGS: &[(&str, &str)] = &[
    ("重庆", "chongqing"),
    ("厦门", "xiamen"),
    ("长沙", "changsha"),
    ("长春", "changchun"),
    ("长治", "changzhi"),
    ("蚌埠", "bengbu"),
    ("六安", "luan"),
    ("乐山", "leshan"),
    ("东莞", "dongguan"),
    ("朝阳", "chaoyang"),
    ("台州", "taizhou"),
    ("丽水", "lishui"),
    ("佛山", "foshan"),
    ("大连", "dalian"),
    ("铜陵", "tongling"),
];

/// Region pinyin (`suzhou`, `jiangsu`) → region name; where two share a spelling (台州, 泰州)
/// the first listed wins, which only costs the city agreement of that pair.
static REGION_PINYIN: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (name, reading) in CITY_READINGS {
        map.insert((*reading).to_owned(), *name);
    }
    for name in PROVINCES.iter().chain(CITIES) {
        map.entry(pinyin_of(name)).or_insert(*name);
    }
    map
});

/// The plain pinyin of each character that has one, ASCII letters and digits kept, the rest
/// dropped: `华星A1` → `huaxinga1`. `ü` is written `v`, as on keyboards.
pub(super) fn pinyin_of(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        push_pinyin(c, &mut out);
    }
    out
}

/// [`pinyin_of`] for a string held as characters.
pub(super) fn pinyin_of_chars(s: &[char]) -> String {
    let mut out = String::with_capacity(s.len() * 4);
    for c in s {
        push_pinyin(*c, &mut out);
    }
    out
}

/// Appends the pinyin of `c` (or `c` itself when it is an ASCII letter or digit).
pub(super) fn push_pinyin(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(p) = c.to_pinyin() {
        out.extend(p.plain().chars().map(|c| if c == 'ü' { 'v' } else { c }));
    }
}

/// The region a pinyin word names (`suzhou` → 苏州), if any.
pub(super) fn region_of_pinyin(word: &str) -> Option<&'static str> {
    REGION_PINYIN.get(word).copied()
}

/// Lowercase ASCII words of `s`, split at anything that is not a letter or digit.
pub(super) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A company name in Latin letters reduced to what identifies it: legal and filler words and
/// region words dropped (`Suzhou Huaxing Precision Co., Ltd.` → `huaxingprecision`, region
/// 苏州). `None` when nothing would be left.
pub(super) fn company_core(display: &str) -> Option<(String, Option<&'static str>)> {
    let words = words(display);
    let kept: Vec<&String> = words
        .iter()
        .filter(|w| !FILLER_WORDS.contains(&w.as_str()))
        .collect();
    let mut region = None;
    let mut core = String::new();
    for w in &kept {
        // A region word is only dropped while something else remains: `Shanghai Co.` stays.
        match region_of_pinyin(w) {
            Some(r) if kept.len() > 1 => region = region.or(Some(r)),
            _ => core.push_str(w),
        }
    }
    (!core.is_empty()).then_some((core, region))
}

/// The [`company_core`] of an English name with its trade words in pinyin
/// (`Suzhou Huaxing Precision Machinery Co., Ltd.` → `huaxingjingmijixie`): what the Chinese
/// name sounds like. `None` when no word is a known trade word.
pub(super) fn company_core_in_pinyin(display: &str) -> Option<String> {
    let words = words(display);
    let kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !FILLER_WORDS.contains(w))
        .collect();
    let (mut out, mut translated, mut i) = (String::new(), false, 0);
    while i < kept.len() {
        let phrase = (1..=2.min(kept.len() - i)).rev().find_map(|n| {
            TRADE_PINYIN
                .get(kept[i..i + n].join(" ").as_str())
                .map(|p| (n, *p))
        });
        if let Some((n, pinyin)) = phrase {
            out.push_str(pinyin);
            translated = true;
            i += n;
            continue;
        }
        // As in `company_core`: a region word goes while something else remains.
        if kept.len() == 1 || region_of_pinyin(kept[i]).is_none() {
            out.push_str(kept[i]);
        }
        i += 1;
    }
    translated.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_of_chinese_and_latin() {
        assert_eq!(pinyin_of("华星精密"), "huaxingjingmi");
        assert_eq!(pinyin_of("吕A-1"), "lva1");
    }

    #[test]
    fn every_region_has_a_pinyin_spelling_and_polyphones_read_as_places() {
        assert_eq!(region_of_pinyin("suzhou"), Some("苏州"));
        assert_eq!(region_of_pinyin("chongqing"), Some("重庆"));
        assert_eq!(region_of_pinyin("xiamen"), Some("厦门"));
        assert_eq!(region_of_pinyin("shanghai"), Some("上海"));
        assert_eq!(region_of_pinyin("huaxing"), None);
    }

    #[test]
    fn english_trade_words_read_as_the_chinese_name() {
        let spoken = |s: &str| company_core_in_pinyin(s);
        assert_eq!(
            spoken("Suzhou Huaxing Precision Machinery Co., Ltd."),
            Some("huaxingjingmijixie".to_owned())
        );
        assert_eq!(
            spoken("Tianjin Jinyuan Network Technology Co., Ltd."),
            Some("jinyuanwangluokeji".to_owned())
        );
        // A phrase reads differently from its words; `&` and `and` are dropped.
        assert_eq!(
            spoken("Shanghai Donghai Information Technology Co., Ltd."),
            Some("donghaixinxijishu".to_owned())
        );
        assert_eq!(
            spoken("DONGGUAN CHAOYI IMPORT & EXPORT CO., LIMITED"),
            Some("chaoyijinchukou".to_owned())
        );
        // Nothing to translate: the core as it is.
        assert_eq!(spoken("Suzhou Huaxing Jingmi Youxian Gongsi"), None);
    }

    #[test]
    fn latin_company_names_lose_legal_words_and_region() {
        assert_eq!(
            company_core("Suzhou Huaxing Precision Machinery Co., Ltd."),
            Some(("huaxingprecisionmachinery".to_owned(), Some("苏州")))
        );
        assert_eq!(
            company_core("HUAXING JINGMI (SUZHOU) YOUXIAN GONGSI"),
            Some(("huaxingjingmi".to_owned(), Some("苏州")))
        );
        assert_eq!(
            company_core("Shanghai Co., Ltd."),
            Some(("shanghai".to_owned(), None))
        );
        assert_eq!(company_core("Co., Ltd."), None);
    }
}
