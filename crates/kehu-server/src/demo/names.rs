//! Word lists the demo draws from: people, places, companies and reasons.

/// The team every sales team hangs under.
pub(super) const ROOT_TEAM: &str = "销售部";

/// A city a team covers, with what its customers' records carry.
pub(super) struct City {
    /// Short city name, also the leading region of company names.
    pub name: &'static str,
    /// Short province name (municipalities are their own province).
    pub province: &'static str,
    /// Landline area code with its trunk 0.
    pub area_code: &'static str,
    /// Digits of a local landline number (7 in a few smaller cities).
    pub local_digits: u32,
    /// A county-level division code in the city (its business district), for credit codes.
    pub division: &'static str,
}

/// A regional team and the cities it covers, biggest market first.
pub(super) struct Region {
    /// Team name.
    pub team: &'static str,
    /// Its share of the customers, relative to the other teams.
    pub share: u32,
    /// Cities covered.
    pub cities: &'static [City],
}

const fn city(
    name: &'static str,
    province: &'static str,
    area_code: &'static str,
    local_digits: u32,
    division: &'static str,
) -> City {
    City {
        name,
        province,
        area_code,
        local_digits,
        division,
    }
}

/// The three regional teams.
pub(super) const REGIONS: &[Region] = &[
    Region {
        team: "华东组",
        share: 40,
        cities: &[
            city("上海", "上海", "021", 8, "310115"),
            city("苏州", "江苏", "0512", 8, "320505"),
            city("杭州", "浙江", "0571", 8, "330106"),
            city("南京", "江苏", "025", 8, "320105"),
            city("宁波", "浙江", "0574", 8, "330212"),
        ],
    },
    Region {
        team: "华南组",
        share: 35,
        cities: &[
            city("广州", "广东", "020", 8, "440106"),
            city("深圳", "广东", "0755", 8, "440305"),
            city("东莞", "广东", "0769", 8, "441900"),
            city("佛山", "广东", "0757", 8, "440604"),
            city("厦门", "福建", "0592", 7, "350203"),
        ],
    },
    Region {
        team: "华北组",
        share: 25,
        cities: &[
            city("北京", "北京", "010", 8, "110108"),
            city("天津", "天津", "022", 8, "120116"),
            city("石家庄", "河北", "0311", 8, "130102"),
            city("济南", "山东", "0531", 8, "370102"),
            city("青岛", "山东", "0532", 8, "370212"),
        ],
    },
];

/// Common surnames with their pinyin.
#[rustfmt::skip]
pub(super) const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("林", "lin"), ("高", "gao"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("潘", "pan"), ("袁", "yuan"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"),
    ("杜", "du"), ("叶", "ye"), ("程", "cheng"), ("魏", "wei"), ("苏", "su"),
    ("吕", "lv"), ("丁", "ding"), ("沈", "shen"), ("姚", "yao"), ("卢", "lu"),
    ("钟", "zhong"), ("汪", "wang"), ("范", "fan"), ("金", "jin"), ("石", "shi"),
    ("廖", "liao"), ("贾", "jia"), ("夏", "xia"), ("方", "fang"), ("白", "bai"),
    ("邹", "zou"), ("孟", "meng"), ("熊", "xiong"), ("秦", "qin"), ("邱", "qiu"),
    ("江", "jiang"), ("尹", "yin"), ("薛", "xue"), ("段", "duan"), ("雷", "lei"),
    ("侯", "hou"), ("龙", "long"), ("陶", "tao"), ("贺", "he"), ("顾", "gu"),
    ("毛", "mao"), ("郝", "hao"), ("龚", "gong"), ("邵", "shao"), ("钱", "qian"),
    ("严", "yan"), ("戴", "dai"), ("孔", "kong"), ("汤", "tang"), ("陆", "lu"),
];

/// Given names with their pinyin.
#[rustfmt::skip]
pub(super) const GIVEN_NAMES: &[(&str, &str)] = &[
    ("芳", "fang"), ("伟", "wei"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("晨", "chen"),
    ("雪", "xue"), ("琳", "lin"), ("丹", "dan"), ("建华", "jianhua"), ("志强", "zhiqiang"),
    ("晓明", "xiaoming"), ("海燕", "haiyan"), ("婷婷", "tingting"), ("建国", "jianguo"),
    ("欣怡", "xinyi"), ("子涵", "zihan"), ("佳琪", "jiaqi"), ("思远", "siyuan"),
    ("文博", "wenbo"), ("嘉怡", "jiayi"), ("俊杰", "junjie"), ("宏伟", "hongwei"),
    ("晓燕", "xiaoyan"), ("玉兰", "yulan"), ("立新", "lixin"), ("春梅", "chunmei"),
    ("国强", "guoqiang"), ("建军", "jianjun"), ("丽娟", "lijuan"), ("雨桐", "yutong"),
    ("一鸣", "yiming"), ("亚楠", "yanan"), ("振华", "zhenhua"), ("慧敏", "huimin"),
    ("海峰", "haifeng"), ("红梅", "hongmei"), ("志伟", "zhiwei"), ("秀英", "xiuying"),
    ("晓东", "xiaodong"), ("雅婷", "yating"),
];

/// Two-character brand names, the distinctive part of a company name.
pub(super) const BRANDS: &[&str] = &[
    "华星", "云帆", "鼎盛", "恒通", "宏达", "金鹏", "瑞丰", "汇诚", "嘉和", "永信", "天合", "博远",
    "中科", "睿思", "精工", "新锐", "东升", "联创", "立信", "长盈", "海川", "信达", "万和", "泰丰",
    "凯盛", "正泰", "华越", "森源", "安捷", "明辉", "诺达", "同创", "德润", "锦程", "卓越", "辰光",
    "盛世", "远航", "创维", "宝利", "协力", "众诚", "佳禾", "润泽", "兴业", "晨曦", "鑫源", "富康",
    "华腾", "星河", "恒瑞", "盈科", "耀华", "弘毅", "思拓", "银河", "美嘉", "通达", "百川", "蓝海",
    "启明", "乐天", "亿达", "和顺", "君诚", "鸿运", "致远", "普瑞", "华信", "天瑞", "金诺", "优品",
    "华茂", "振兴", "朗坤", "双赢", "源丰", "德力", "益康", "凌云",
];

/// The ten industries, each with the trade words its company names use.
pub(super) const INDUSTRIES: &[(&str, &[&str])] = &[
    (
        "机械制造",
        &["精密机械", "机械设备", "自动化设备", "五金制品", "数控机床"],
    ),
    (
        "电子元器件",
        &["电子科技", "电子元件", "微电子", "光电科技", "电路科技"],
    ),
    (
        "包装印刷",
        &["包装材料", "印务", "彩印包装", "纸品包装", "塑料包装"],
    ),
    (
        "化工材料",
        &["化工", "新材料", "涂料", "精细化工", "高分子材料"],
    ),
    ("纺织服装", &["纺织", "服饰", "制衣", "家纺", "面料"]),
    ("食品饮料", &["食品", "饮品", "食品科技", "农产品", "酒业"]),
    ("建材家居", &["建材", "家居", "装饰材料", "门窗", "陶瓷"]),
    (
        "医疗器械",
        &["医疗器械", "医疗科技", "生物科技", "医用耗材", "康复设备"],
    ),
    (
        "物流运输",
        &["物流", "供应链管理", "货运代理", "国际货运", "仓储服务"],
    ),
    (
        "软件信息",
        &["软件", "信息技术", "网络科技", "数据科技", "智能科技"],
    ),
];

/// Legal suffixes with their weights: most small firms are plain 有限公司.
pub(super) const LEGAL_SUFFIXES: &[(&str, u32)] =
    &[("有限公司", 75), ("股份有限公司", 12), ("有限责任公司", 13)];

/// What a private (B2C) customer wants, with the industry that sells it.
pub(super) const PERSON_NEEDS: &[(&str, &str)] = &[
    ("装修", "建材家居"),
    ("全屋定制", "建材家居"),
    ("门窗更换", "建材家居"),
    ("年货团购", "食品饮料"),
    ("婚宴酒水", "食品饮料"),
    ("家用呼吸机", "医疗器械"),
    ("轮椅", "医疗器械"),
    ("搬家", "物流运输"),
    ("定制西服", "纺织服装"),
    ("窗帘布艺", "纺织服装"),
];

/// Titles of a company's first contact: the person who decides.
pub(super) const LEAD_TITLES: &[&str] = &["总经理", "老板", "厂长", "董事长", "采购经理"];

/// Titles of further contacts.
pub(super) const OTHER_TITLES: &[&str] = &[
    "采购经理",
    "采购专员",
    "技术总监",
    "工程师",
    "财务",
    "老板娘",
    "副总经理",
    "行政主管",
    "生产经理",
    "仓库主管",
];

/// Titles of a private customer's contact.
pub(super) const PERSON_TITLES: &[&str] = &["本人", "家属"];

/// Why reps give customers back to the pool.
pub(super) const RELEASE_REASONS: &[&str] = &[
    "客户暂无预算",
    "联系不上，电话多次未接",
    "已选择竞品",
    "离职交接前清理",
    "需求已取消",
    "客户明确拒绝，半年内无采购计划",
    "非目标客户，规模太小",
    "跟进三个月无进展",
];

/// Why managers move customers between reps.
pub(super) const TRANSFER_REASONS: &[&str] = &[
    "区域调整",
    "客户要求更换对接人",
    "重点客户由资深销售跟进",
    "团队内负载均衡",
];

/// Mobile number prefixes of the three carriers.
pub(super) const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "198", "199",
];

/// What reps write after a call or a visit (each long enough to count as effective).
pub(super) const FOLLOW_UP_NOTES: &[&str] = &[
    "电话沟通了报价，客户希望下周安排技术演示",
    "拜访采购负责人，确认了年度采购计划和预算范围",
    "客户在对比两家供应商，已发送案例资料和参考报价",
    "微信沟通交期要求，客户关心售后服务响应时间",
    "客户反馈样品测试通过，等待内部审批流程",
    "约了下周二上门，和技术负责人讨论改造方案",
];

#[cfg(test)]
mod tests {
    use super::REGIONS;
    use kehu_domain::identity::division::{lookup, short_name};

    #[test]
    fn every_demo_city_has_a_division_code_inside_it() {
        for city in REGIONS.iter().flat_map(|r| r.cities) {
            let d = lookup(city.division)
                .unwrap_or_else(|| panic!("{}: unknown code {}", city.name, city.division));
            assert_eq!(d.city.map(short_name), Some(city.name), "{}", city.division);
            assert_eq!(short_name(d.province), city.province, "{}", city.division);
        }
    }
}
