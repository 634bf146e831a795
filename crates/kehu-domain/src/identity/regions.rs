//! Province and prefecture-level city names, to split a leading region off a company name.
//!
//! Source: the national administrative divisions (中华人民共和国行政区划, Ministry of Civil
//! Affairs), names only, without 省/市/自治区: the 34 provincial-level divisions and the 293
//! prefecture-level cities (地级市). Autonomous prefectures (自治州), leagues (盟), prefectures
//! (地区) and county-level cities (昆山, 义乌, …) are not listed: their names are long or
//! collide with ordinary words, and the credit code's division digits locate a company better.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Provincial-level divisions: provinces, municipalities, autonomous regions, SARs, Taiwan.
#[rustfmt::skip]
pub const PROVINCES: &[&str] = &[
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南",
    "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
];

/// Prefecture-level cities (地级市), grouped by province in the order of `PROVINCES`.
#[rustfmt::skip]
pub const CITIES: &[&str] = &[
    // 河北
    "石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊", "衡水",
    // 山西
    "太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁",
    // 辽宁
    "沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳", "盘锦", "铁岭",
    "朝阳", "葫芦岛",
    // 吉林
    "长春", "吉林", "四平", "辽源", "通化", "白山", "松原", "白城",
    // 黑龙江
    "哈尔滨", "齐齐哈尔", "鸡西", "鹤岗", "双鸭山", "大庆", "伊春", "佳木斯", "七台河", "牡丹江",
    "黑河", "绥化",
    // 江苏
    "南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江",
    "泰州", "宿迁",
    // 浙江
    "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水",
    // 安徽
    "合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "滁州", "阜阳",
    "宿州", "六安", "亳州", "池州", "宣城",
    // 福建
    "福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德",
    // 江西
    "南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州", "上饶",
    // 山东
    "济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂",
    "德州", "聊城", "滨州", "菏泽",
    // 河南
    "郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河",
    "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店",
    // 湖北
    "武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈", "咸宁", "随州",
    // 湖南
    "长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州",
    "怀化", "娄底",
    // 广东
    "广州", "韶关", "深圳", "珠海", "汕头", "佛山", "江门", "湛江", "茂名", "肇庆", "惠州", "梅州",
    "汕尾", "河源", "阳江", "清远", "东莞", "中山", "潮州", "揭阳", "云浮",
    // 海南
    "海口", "三亚", "三沙", "儋州",
    // 四川
    "成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳", "广元", "遂宁", "内江", "乐山", "南充",
    "眉山", "宜宾", "广安", "达州", "雅安", "巴中", "资阳",
    // 贵州
    "贵阳", "六盘水", "遵义", "安顺", "毕节", "铜仁",
    // 云南
    "昆明", "曲靖", "玉溪", "保山", "昭通", "丽江", "普洱", "临沧",
    // 陕西
    "西安", "铜川", "宝鸡", "咸阳", "渭南", "延安", "汉中", "榆林", "安康", "商洛",
    // 甘肃
    "兰州", "嘉峪关", "金昌", "白银", "天水", "武威", "张掖", "平凉", "酒泉", "庆阳", "定西",
    "陇南",
    // 青海
    "西宁", "海东",
    // 内蒙古
    "呼和浩特", "包头", "乌海", "赤峰", "通辽", "鄂尔多斯", "呼伦贝尔", "巴彦淖尔", "乌兰察布",
    // 广西
    "南宁", "柳州", "桂林", "梧州", "北海", "防城港", "钦州", "贵港", "玉林", "百色", "贺州",
    "河池", "来宾", "崇左",
    // 西藏
    "拉萨", "日喀则", "昌都", "林芝", "山南", "那曲",
    // 宁夏
    "银川", "石嘴山", "吴忠", "固原", "中卫",
    // 新疆
    "乌鲁木齐", "克拉玛依", "吐鲁番", "哈密",
];

/// What may follow a region name, longest first so 自治区 is not cut to 区.
const DESIGNATIONS: &[&str] = &[
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
];

/// Words that begin with 市 (market, municipal, citizen): `苏州市场` is 苏州 + 市场, not 苏州市 + 场.
const SHI_WORDS: &[char] = &['场', '政', '民'];

/// City names that are also everyday words or brands (朝阳 "rising sun", 安康 "well-being",
/// 普洱 tea…). At the start of a name they count as a region only with 市 (`朝阳市…`) or in
/// brackets, so `朝阳精密` keeps its brand.
pub(crate) const WORDLIKE: &[&str] = &[
    "朝阳", "大同", "安康", "白银", "普洱", "来宾", "三明", "吉安", "安顺",
];

/// How high a region sits: a city says more about where a company is than its province.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// A provincial-level division.
    Province,
    /// A prefecture-level city.
    City,
}

/// A region name found at the start of a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Leading {
    /// The bare name, e.g. `苏州`.
    pub name: &'static str,
    /// Province or city.
    pub level: Level,
    /// Bytes consumed, designation (省/市/…) included.
    pub len: usize,
}

/// A region name and what it is: 吉林 is both a province and a city.
struct Entry {
    name: &'static str,
    province: bool,
    city: bool,
}

/// Every region name by its first character, longest first: a lookup costs one hash and a
/// comparison or two instead of a scan of all 327 names (this runs for every suffix of every
/// company name while matching).
static BY_FIRST_CHAR: LazyLock<HashMap<char, Vec<Entry>>> = LazyLock::new(|| {
    let mut map: HashMap<char, Vec<Entry>> = HashMap::new();
    for (name, province) in PROVINCES
        .iter()
        .map(|n| (*n, true))
        .chain(CITIES.iter().map(|n| (*n, false)))
    {
        let Some(first) = name.chars().next() else {
            continue;
        };
        let entries = map.entry(first).or_default();
        match entries.iter_mut().find(|e| e.name == name) {
            Some(e) => e.city |= !province,
            None => entries.push(Entry {
                name,
                province,
                city: !province,
            }),
        }
    }
    for entries in map.values_mut() {
        entries.sort_by_key(|e| std::cmp::Reverse(e.name.len()));
    }
    map
});

/// The longest region name at the start of `s` (lowercased, compact), with its designation.
/// `bare_wordlike` lets 朝阳-like names count without 市 (inside brackets).
fn leading(s: &str, bare_wordlike: bool) -> Option<Leading> {
    let entry = BY_FIRST_CHAR
        .get(&s.chars().next()?)?
        .iter()
        .find(|e| s.starts_with(e.name))?;
    let name = entry.name;
    let rest = &s[name.len()..];
    let designation = DESIGNATIONS
        .iter()
        .find(|d| rest.starts_with(**d))
        .filter(|d| **d != "市" || !rest[d.len()..].starts_with(SHI_WORDS))
        .copied();
    if designation.is_none() && !bare_wordlike && WORDLIKE.contains(&name) {
        return None;
    }
    // 吉林 is both a province and a city: 吉林省 is the province, otherwise the city.
    let is_city = entry.city && (designation != Some("省") || !entry.province);
    Some(Leading {
        name,
        level: if is_city {
            Level::City
        } else {
            Level::Province
        },
        len: name.len() + designation.map_or(0, str::len),
    })
}

/// Every region at the start of `s`, in order (`江苏省苏州市…` → 江苏, 苏州), and the bytes
/// they take. Stops before consuming all of `s`, so a name that is only a region stays.
pub(crate) fn leading_all(s: &str) -> (Vec<Leading>, usize) {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(r) = leading(&s[at..], false) {
        if at + r.len >= s.len() {
            break;
        }
        found.push(r);
        at += r.len;
    }
    (found, at)
}

/// The region `s` consists of entirely (`苏州`, `苏州市`, `江苏省苏州市`), the most specific.
pub(crate) fn whole(s: &str) -> Option<Leading> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(r) = leading(&s[at..], true) {
        found.push(r);
        at += r.len;
    }
    if at == s.len() {
        most_specific(&found)
    } else {
        None
    }
}

/// The region `s` ends with (`华为上海` → 上海, also `上海市`), and where it starts; never
/// all of `s`.
pub(crate) fn trailing(s: &str) -> Option<(Leading, usize)> {
    s.char_indices()
        .skip(1)
        .find_map(|(i, _)| whole(&s[i..]).map(|r| (r, i)))
}

/// The last city among `found`, else the last province: `江苏省苏州市` is 苏州, and of
/// `苏州华星（无锡）` the bracket names the place this company is registered.
pub(crate) fn most_specific(found: &[Leading]) -> Option<Leading> {
    found
        .iter()
        .rev()
        .find(|r| r.level == Level::City)
        .or_else(|| found.last())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leading_one(s: &str) -> Option<Leading> {
        leading(s, false)
    }

    #[test]
    fn the_list_is_complete_and_has_no_duplicates() {
        assert_eq!(PROVINCES.len(), 34);
        assert_eq!(CITIES.len(), 293);
        let mut all: Vec<_> = CITIES.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), CITIES.len());
    }

    #[test]
    fn longest_name_and_designation_win() {
        let r = leading_one("江苏省苏州市华星").expect("region");
        assert_eq!(
            (r.name, r.level, r.len),
            ("江苏", Level::Province, "江苏省".len())
        );
        let r = leading_one("苏州市华星").expect("region");
        assert_eq!(
            (r.name, r.level, r.len),
            ("苏州", Level::City, "苏州市".len())
        );
        assert_eq!(
            leading_one("内蒙古自治区包头").map(|r| r.name),
            Some("内蒙古")
        );
        assert_eq!(
            leading_one("广西壮族自治区").map(|r| r.len),
            Some("广西壮族自治区".len())
        );
        assert_eq!(leading_one("华星苏州"), None);
    }

    #[test]
    fn market_is_not_a_city_designation() {
        let r = leading_one("苏州市场营销").expect("region");
        assert_eq!(r.len, "苏州".len());
    }

    #[test]
    fn jilin_province_and_jilin_city() {
        assert_eq!(
            leading_one("吉林省长春").map(|r| r.level),
            Some(Level::Province)
        );
        assert_eq!(
            leading_one("吉林市化纤").map(|r| r.level),
            Some(Level::City)
        );
        assert_eq!(
            leading_one("上海市华星").map(|r| r.level),
            Some(Level::Province)
        );
    }

    #[test]
    fn whole_and_leading_all() {
        assert_eq!(whole("江苏省苏州市").map(|r| r.name), Some("苏州"));
        assert_eq!(whole("苏州华星"), None);
        let (found, len) = leading_all("江苏苏州华星");
        assert_eq!(found.len(), 2);
        assert_eq!(len, "江苏苏州".len());
        // a name that is only a region keeps it
        assert_eq!(leading_all("苏州市").1, 0);
        // after 北京, 朝阳 is the district, and a brand elsewhere: not split without 市
        let (found, len) = leading_all("北京朝阳精密");
        assert_eq!((found.len(), len), (1, "北京".len()));
        assert_eq!(leading_all("朝阳市精密").1, "朝阳市".len());
        assert_eq!(whole("朝阳").map(|r| r.name), Some("朝阳"));
        assert_eq!(
            trailing("华为上海市").map(|(r, i)| (r.name, i)),
            Some(("上海", "华为".len()))
        );
        assert_eq!(trailing("上海"), None);
    }
}
