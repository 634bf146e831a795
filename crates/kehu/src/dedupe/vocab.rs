//! Word lists the test-data generator draws from, in the style of the demo data, with the
//! pinyin and English a business card would print. Kept apart from the matcher on purpose:
//! the generator's spellings are written by hand, not derived from the matcher's tables.

/// A city: name, pinyin, province (short), province pinyin, landline area code, a division
/// code for credit codes, relative weight, and districts for addresses.
pub(super) struct City {
    pub name: &'static str,
    pub pinyin: &'static str,
    pub province: &'static str,
    pub province_pinyin: &'static str,
    pub area_code: &'static str,
    pub division: &'static str,
    pub weight: u32,
    pub districts: &'static [&'static str],
}

const fn city(
    (name, pinyin): (&'static str, &'static str),
    (province, province_pinyin): (&'static str, &'static str),
    (area_code, division, weight): (&'static str, &'static str, u32),
    districts: &'static [&'static str],
) -> City {
    City {
        name,
        pinyin,
        province,
        province_pinyin,
        area_code,
        division,
        weight,
        districts,
    }
}

/// Cities weighted roughly by how many small firms they have.
pub(super) const CITIES: &[City] = &[
    city(
        ("上海", "Shanghai"),
        ("上海", "Shanghai"),
        ("021", "310115", 14),
        &["浦东新区", "闵行区", "嘉定区", "松江区"],
    ),
    city(
        ("北京", "Beijing"),
        ("北京", "Beijing"),
        ("010", "110108", 10),
        &["海淀区", "朝阳区", "丰台区", "大兴区"],
    ),
    city(
        ("深圳", "Shenzhen"),
        ("广东", "Guangdong"),
        ("0755", "440306", 10),
        &["南山区", "宝安区", "龙岗区", "福田区"],
    ),
    city(
        ("广州", "Guangzhou"),
        ("广东", "Guangdong"),
        ("020", "440106", 8),
        &["天河区", "白云区", "番禺区", "黄埔区"],
    ),
    city(
        ("苏州", "Suzhou"),
        ("江苏", "Jiangsu"),
        ("0512", "320506", 8),
        &["工业园区", "高新区", "吴中区", "相城区"],
    ),
    city(
        ("杭州", "Hangzhou"),
        ("浙江", "Zhejiang"),
        ("0571", "330106", 7),
        &["西湖区", "滨江区", "余杭区", "萧山区"],
    ),
    city(
        ("东莞", "Dongguan"),
        ("广东", "Guangdong"),
        ("0769", "441900", 6),
        &["长安镇", "虎门镇", "松山湖", "塘厦镇"],
    ),
    city(
        ("宁波", "Ningbo"),
        ("浙江", "Zhejiang"),
        ("0574", "330212", 5),
        &["鄞州区", "北仑区", "镇海区", "海曙区"],
    ),
    city(
        ("南京", "Nanjing"),
        ("江苏", "Jiangsu"),
        ("025", "320115", 5),
        &["江宁区", "鼓楼区", "浦口区", "栖霞区"],
    ),
    city(
        ("佛山", "Foshan"),
        ("广东", "Guangdong"),
        ("0757", "440606", 5),
        &["顺德区", "南海区", "禅城区", "三水区"],
    ),
    city(
        ("天津", "Tianjin"),
        ("天津", "Tianjin"),
        ("022", "120116", 4),
        &["滨海新区", "西青区", "东丽区", "武清区"],
    ),
    city(
        ("成都", "Chengdu"),
        ("四川", "Sichuan"),
        ("028", "510107", 4),
        &["武侯区", "高新区", "双流区", "郫都区"],
    ),
    city(
        ("武汉", "Wuhan"),
        ("湖北", "Hubei"),
        ("027", "420111", 4),
        &["洪山区", "东西湖区", "江夏区", "汉阳区"],
    ),
    city(
        ("无锡", "Wuxi"),
        ("江苏", "Jiangsu"),
        ("0510", "320214", 4),
        &["新吴区", "滨湖区", "惠山区", "锡山区"],
    ),
    city(
        ("厦门", "Xiamen"),
        ("福建", "Fujian"),
        ("0592", "350206", 3),
        &["湖里区", "思明区", "集美区", "海沧区"],
    ),
    city(
        ("青岛", "Qingdao"),
        ("山东", "Shandong"),
        ("0532", "370211", 3),
        &["黄岛区", "城阳区", "李沧区", "即墨区"],
    ),
    city(
        ("重庆", "Chongqing"),
        ("重庆", "Chongqing"),
        ("023", "500112", 3),
        &["渝北区", "九龙坡区", "江北区", "沙坪坝区"],
    ),
    city(
        ("长沙", "Changsha"),
        ("湖南", "Hunan"),
        ("0731", "430104", 3),
        &["岳麓区", "雨花区", "长沙县", "开福区"],
    ),
    city(
        ("郑州", "Zhengzhou"),
        ("河南", "Henan"),
        ("0371", "410105", 3),
        &["金水区", "中原区", "管城区", "郑东新区"],
    ),
    city(
        ("西安", "Xi'an"),
        ("陕西", "Shaanxi"),
        ("029", "610113", 3),
        &["雁塔区", "未央区", "长安区", "高新区"],
    ),
    city(
        ("常州", "Changzhou"),
        ("江苏", "Jiangsu"),
        ("0519", "320411", 3),
        &["新北区", "武进区", "天宁区", "钟楼区"],
    ),
    city(
        ("温州", "Wenzhou"),
        ("浙江", "Zhejiang"),
        ("0577", "330302", 3),
        &["鹿城区", "瓯海区", "龙湾区", "乐清市"],
    ),
    city(
        ("合肥", "Hefei"),
        ("安徽", "Anhui"),
        ("0551", "340104", 2),
        &["蜀山区", "包河区", "庐阳区", "瑶海区"],
    ),
    city(
        ("济南", "Jinan"),
        ("山东", "Shandong"),
        ("0531", "370102", 2),
        &["历下区", "槐荫区", "天桥区", "章丘区"],
    ),
    city(
        ("石家庄", "Shijiazhuang"),
        ("河北", "Hebei"),
        ("0311", "130104", 2),
        &["桥西区", "裕华区", "长安区", "新华区"],
    ),
];

/// Characters brands are made of, with their pinyin (the reading names use). Two of them make
/// a brand (华星); many sound alike, which is what makes real names collide.
#[rustfmt::skip]
pub(super) const BRAND_CHARS: &[(char, &str)] = &[
    ('华', "hua"), ('星', "xing"), ('兴', "xing"), ('鼎', "ding"), ('盛', "sheng"), ('胜', "sheng"), ('升', "sheng"), ('恒', "heng"),
    ('衡', "heng"), ('通', "tong"), ('同', "tong"), ('宏', "hong"), ('鸿', "hong"), ('弘', "hong"), ('达', "da"), ('金', "jin"),
    ('锦', "jin"), ('进', "jin"), ('鹏', "peng"), ('瑞', "rui"), ('锐', "rui"), ('睿', "rui"), ('丰', "feng"), ('峰', "feng"),
    ('锋', "feng"), ('汇', "hui"), ('辉', "hui"), ('慧', "hui"), ('诚', "cheng"), ('成', "cheng"), ('程', "cheng"), ('嘉', "jia"),
    ('佳', "jia"), ('家', "jia"), ('和', "he"), ('合', "he"), ('禾', "he"), ('永', "yong"), ('信', "xin"), ('新', "xin"),
    ('鑫', "xin"), ('天', "tian"), ('博', "bo"), ('远', "yuan"), ('源', "yuan"), ('元', "yuan"), ('中', "zhong"), ('众', "zhong"),
    ('科', "ke"), ('思', "si"), ('精', "jing"), ('晶', "jing"), ('东', "dong"), ('联', "lian"), ('创', "chuang"), ('立', "li"),
    ('利', "li"), ('力', "li"), ('昌', "chang"), ('盈', "ying"), ('赢', "ying"), ('海', "hai"), ('川', "chuan"), ('万', "wan"),
    ('泰', "tai"), ('太', "tai"), ('凯', "kai"), ('正', "zheng"), ('越', "yue"), ('森', "sen"), ('安', "an"), ('捷', "jie"),
    ('明', "ming"), ('鸣', "ming"), ('诺', "nuo"), ('德', "de"), ('得', "de"), ('润', "run"), ('卓', "zhuo"), ('辰', "chen"),
    ('晨', "chen"), ('光', "guang"), ('广', "guang"), ('世', "shi"), ('航', "hang"), ('杭', "hang"), ('维', "wei"), ('伟', "wei"),
    ('宝', "bao"), ('协', "xie"), ('泽', "ze"), ('业', "ye"), ('曦', "xi"), ('富', "fu"), ('福', "fu"), ('康', "kang"),
    ('腾', "teng"), ('银', "yin"), ('美', "mei"), ('百', "bai"), ('蓝', "lan"), ('启', "qi"), ('亿', "yi"), ('益', "yi"),
    ('艺', "yi"), ('顺', "shun"), ('君', "jun"), ('运', "yun"), ('云', "yun"), ('致', "zhi"), ('智', "zhi"), ('普', "pu"),
    ('茂', "mao"), ('贸', "mao"), ('振', "zhen"), ('朗', "lang"), ('坤', "kun"), ('凌', "ling"), ('帆', "fan"), ('隆', "long"),
    ('龙', "long"), ('祥', "xiang"), ('翔', "xiang"), ('旺', "wang"), ('宇', "yu"), ('峻', "jun"), ('骏', "jun"), ('欣', "xin"),
    ('泓', "hong"), ('旭', "xu"), ('奥', "ao"), ('邦', "bang"), ('彩', "cai"), ('灿', "can"), ('畅', "chang"), ('超', "chao"),
    ('驰', "chi"), ('崇', "chong"), ('楚', "chu"), ('纯', "chun"), ('聪', "cong"), ('翠', "cui"), ('丹', "dan"), ('道', "dao"),
    ('迪', "di"), ('典', "dian"), ('动', "dong"), ('敦', "dun"), ('方', "fang"), ('飞', "fei"), ('芬', "fen"), ('凤', "feng"),
    ('孚', "fu"), ('钢', "gang"), ('高', "gao"), ('格', "ge"), ('耕', "geng"), ('冠', "guan"), ('贯', "guan"), ('国', "guo"),
    ('豪', "hao"), ('浩', "hao"), ('皓', "hao"), ('亨', "heng"), ('红', "hong"), ('虹', "hong"), ('厚', "hou"), ('虎', "hu"),
    ('环', "huan"), ('焕', "huan"), ('煌', "huang"), ('徽', "hui"), ('惠', "hui"), ('吉', "ji"), ('骥', "ji"), ('坚', "jian"),
    ('建', "jian"), ('江', "jiang"), ('匠', "jiang"), ('杰', "jie"), ('洁', "jie"), ('劲', "jin"), ('京', "jing"), ('景', "jing"),
    ('敬', "jing"), ('炬', "ju"), ('聚', "ju"), ('俊', "jun"), ('开', "kai"), ('楷', "kai"), ('铠', "kai"), ('克', "ke"),
    ('阔', "kuo"), ('岚', "lan"), ('澜', "lan"), ('雷', "lei"), ('蕾', "lei"), ('磊', "lei"), ('丽', "li"), ('莲', "lian"),
    ('良', "liang"), ('亮', "liang"), ('林', "lin"), ('霖', "lin"), ('灵', "ling"), ('岭', "ling"), ('领', "ling"), ('路', "lu"),
    ('伦', "lun"), ('罗', "luo"), ('绿', "lv"), ('麦', "mai"), ('满', "man"), ('梦', "meng"), ('米', "mi"), ('妙', "miao"),
    ('民', "min"), ('铭', "ming"), ('木', "mu"), ('南', "nan"), ('宁', "ning"), ('农', "nong"), ('欧', "ou"), ('派', "pai"),
    ('沛', "pei"), ('品', "pin"), ('平', "ping"), ('屏', "ping"), ('齐', "qi"), ('奇', "qi"), ('琪', "qi"), ('麒', "qi"),
    ('乾', "qian"), ('强', "qiang"), ('桥', "qiao"), ('青', "qing"), ('清', "qing"), ('晴', "qing"), ('庆', "qing"), ('秋', "qiu"),
    ('全', "quan"), ('泉', "quan"), ('群', "qun"), ('然', "ran"), ('仁', "ren"), ('荣', "rong"), ('融', "rong"), ('如', "ru"),
    ('儒', "ru"), ('三', "san"), ('山', "shan"), ('善', "shan"), ('尚', "shang"), ('绍', "shao"), ('申', "shen"), ('深', "shen"),
    ('神', "shen"), ('生', "sheng"), ('圣', "sheng"), ('石', "shi"), ('时', "shi"), ('实', "shi"), ('士', "shi"), ('守', "shou"),
    ('书', "shu"), ('舒', "shu"), ('树', "shu"), ('双', "shuang"), ('水', "shui"), ('硕', "shuo"), ('松', "song"), ('苏', "su"),
    ('速', "su"), ('涛', "tao"), ('特', "te"), ('田', "tian"), ('铁', "tie"), ('庭', "ting"), ('童', "tong"), ('拓', "tuo"),
    ('威', "wei"), ('巍', "wei"), ('唯', "wei"), ('文', "wen"), ('沃', "wo"), ('五', "wu"), ('西', "xi"), ('希', "xi"),
    ('熙', "xi"), ('喜', "xi"), ('霞', "xia"), ('先', "xian"), ('贤', "xian"), ('想', "xiang"), ('向', "xiang"), ('晓', "xiao"),
    ('雄', "xiong"), ('修', "xiu"), ('轩', "xuan"), ('玄', "xuan"), ('雪', "xue"), ('勋', "xun"), ('迅', "xun"), ('亚', "ya"),
    ('雅', "ya"), ('炎', "yan"), ('研', "yan"), ('扬', "yang"), ('阳', "yang"), ('耀', "yao"), ('一', "yi"), ('伊', "yi"),
    ('怡', "yi"), ('宜', "yi"), ('义', "yi"), ('易', "yi"), ('逸', "yi"), ('毅', "yi"), ('英', "ying"), ('鹰', "ying"),
    ('影', "ying"), ('勇', "yong"), ('优', "you"), ('友', "you"), ('羽', "yu"), ('玉', "yu"), ('誉', "yu"), ('园', "yuan"),
    ('圆', "yuan"), ('悦', "yue"), ('跃', "yue"), ('韵', "yun"), ('展', "zhan"), ('湛', "zhan"), ('樟', "zhang"), ('昭', "zhao"),
    ('兆', "zhao"), ('哲', "zhe"), ('臻', "zhen"), ('政', "zheng"), ('之', "zhi"), ('芝', "zhi"), ('志', "zhi"), ('忠', "zhong"),
    ('洲', "zhou"), ('珠', "zhu"), ('资', "zi"), ('紫', "zi"), ('宗', "zong"), ('尊', "zun"), ('佐', "zuo"),
];

/// Trades: the Chinese words, their pinyin as a card prints it, and their English rendering.
#[rustfmt::skip]
pub(super) const TRADES: &[(&str, &str, &str)] = &[
    ("精密机械", "Jingmi Jixie", "Precision Machinery"), ("机械设备", "Jixie Shebei", "Machinery Equipment"),
    ("自动化设备", "Zidonghua Shebei", "Automation Equipment"), ("五金制品", "Wujin Zhipin", "Hardware Products"),
    ("数控机床", "Shukong Jichuang", "CNC Machine Tool"), ("电子科技", "Dianzi Keji", "Electronic Technology"),
    ("电子元件", "Dianzi Yuanjian", "Electronic Components"), ("光电科技", "Guangdian Keji", "Optoelectronics Technology"),
    ("包装材料", "Baozhuang Cailiao", "Packaging Materials"), ("彩印包装", "Caiyin Baozhuang", "Printing & Packaging"),
    ("化工", "Huagong", "Chemical"), ("新材料", "Xin Cailiao", "New Materials"), ("涂料", "Tuliao", "Coatings"),
    ("纺织", "Fangzhi", "Textile"), ("服饰", "Fushi", "Apparel"), ("食品", "Shipin", "Food"),
    ("饮品", "Yinpin", "Beverage"), ("建材", "Jiancai", "Building Materials"), ("家居", "Jiaju", "Home Furnishing"),
    ("医疗器械", "Yiliao Qixie", "Medical Devices"), ("生物科技", "Shengwu Keji", "Biotechnology"),
    ("物流", "Wuliu", "Logistics"), ("供应链管理", "Gongyinglian Guanli", "Supply Chain Management"),
    ("软件", "Ruanjian", "Software"), ("信息技术", "Xinxi Jishu", "Information Technology"),
    ("网络科技", "Wangluo Keji", "Network Technology"), ("智能科技", "Zhineng Keji", "Intelligent Technology"),
    ("贸易", "Maoyi", "Trading"), ("实业", "Shiye", "Industrial"), ("环保科技", "Huanbao Keji", "Environmental Technology"),
    ("汽车配件", "Qiche Peijian", "Auto Parts"), ("模具", "Muju", "Mould"), ("塑胶制品", "Sujiao Zhipin", "Plastic Products"),
    ("电气", "Dianqi", "Electric"), ("照明", "Zhaoming", "Lighting"), ("建筑工程", "Jianzhu Gongcheng", "Construction Engineering"),
    ("装饰工程", "Zhuangshi Gongcheng", "Decoration Engineering"), ("文化传媒", "Wenhua Chuanmei", "Culture Media"),
    ("广告", "Guanggao", "Advertising"), ("教育科技", "Jiaoyu Keji", "Education Technology"),
    ("企业管理咨询", "Qiye Guanli Zixun", "Management Consulting"), ("进出口", "Jinchukou", "Import & Export"),
    ("医药", "Yiyao", "Pharmaceutical"), ("农业科技", "Nongye Keji", "Agricultural Technology"),
    ("新能源", "Xin Nengyuan", "New Energy"), ("仪器仪表", "Yiqi Yibiao", "Instruments"),
];

/// Legal forms, weighted: most small firms are plain 有限公司.
pub(super) const SUFFIXES: &[(&str, u32)] = &[
    ("有限公司", 75),
    ("有限责任公司", 12),
    ("股份有限公司", 10),
    ("集团有限公司", 3),
];

/// Surnames with pinyin and weight (the big ones dominate, as in life).
#[rustfmt::skip]
pub(super) const SURNAMES: &[(char, &str, u32)] = &[
    ('王', "Wang", 72), ('李', "Li", 70), ('张', "Zhang", 66), ('刘', "Liu", 54), ('陈', "Chen", 45),
    ('杨', "Yang", 31), ('黄', "Huang", 24), ('赵', "Zhao", 23), ('吴', "Wu", 21), ('周', "Zhou", 21),
    ('徐', "Xu", 15), ('孙', "Sun", 15), ('马', "Ma", 13), ('朱', "Zhu", 13), ('胡', "Hu", 12),
    ('郭', "Guo", 12), ('何', "He", 11), ('林', "Lin", 10), ('高', "Gao", 10), ('罗', "Luo", 10),
    ('郑', "Zheng", 9), ('梁', "Liang", 9), ('谢', "Xie", 8), ('宋', "Song", 7), ('唐', "Tang", 7),
    ('韩', "Han", 6), ('冯', "Feng", 6), ('邓', "Deng", 6), ('曹', "Cao", 6), ('彭', "Peng", 6),
    ('曾', "Zeng", 5), ('肖', "Xiao", 5), ('田', "Tian", 5), ('董', "Dong", 5), ('潘', "Pan", 5),
    ('袁', "Yuan", 5), ('蒋', "Jiang", 5), ('蔡', "Cai", 5), ('余', "Yu", 5), ('杜', "Du", 4),
    ('叶', "Ye", 4), ('程', "Cheng", 4), ('魏', "Wei", 4), ('苏', "Su", 4), ('丁', "Ding", 4),
    ('沈', "Shen", 4), ('姚', "Yao", 3), ('卢', "Lu", 3), ('钟', "Zhong", 3), ('汪', "Wang", 3),
    ('范', "Fan", 3), ('金', "Jin", 3), ('石', "Shi", 3), ('廖', "Liao", 3), ('贾', "Jia", 3),
    ('夏', "Xia", 3), ('方', "Fang", 3), ('白', "Bai", 3), ('邹', "Zou", 3), ('孟', "Meng", 3),
    ('熊', "Xiong", 3), ('秦', "Qin", 3), ('邱', "Qiu", 3), ('江', "Jiang", 3), ('尹', "Yin", 2),
    ('薛', "Xue", 2), ('段', "Duan", 2), ('雷', "Lei", 2), ('侯', "Hou", 2), ('龙', "Long", 2),
    ('陶', "Tao", 2), ('顾', "Gu", 2), ('毛', "Mao", 2), ('郝', "Hao", 2), ('龚', "Gong", 2),
    ('邵', "Shao", 2), ('钱', "Qian", 2), ('戴', "Dai", 2), ('孔', "Kong", 2), ('陆', "Lu", 2),
];

/// Characters of given names, with pinyin.
#[rustfmt::skip]
pub(super) const GIVEN_CHARS: &[(char, &str)] = &[
    ('伟', "wei"), ('芳', "fang"), ('娜', "na"), ('敏', "min"), ('静', "jing"), ('丽', "li"),
    ('强', "qiang"), ('磊', "lei"), ('军', "jun"), ('洋', "yang"), ('勇', "yong"), ('艳', "yan"),
    ('杰', "jie"), ('娟', "juan"), ('涛', "tao"), ('明', "ming"), ('超', "chao"), ('霞', "xia"),
    ('平', "ping"), ('刚', "gang"), ('鹏', "peng"), ('宇', "yu"), ('浩', "hao"), ('凯', "kai"),
    ('晨', "chen"), ('雪', "xue"), ('琳', "lin"), ('丹', "dan"), ('建', "jian"), ('华', "hua"),
    ('志', "zhi"), ('晓', "xiao"), ('海', "hai"), ('燕', "yan"), ('婷', "ting"), ('国', "guo"),
    ('欣', "xin"), ('怡', "yi"), ('子', "zi"), ('涵', "han"), ('佳', "jia"), ('琪', "qi"),
    ('思', "si"), ('远', "yuan"), ('文', "wen"), ('博', "bo"), ('嘉', "jia"), ('俊', "jun"),
    ('宏', "hong"), ('玉', "yu"), ('兰', "lan"), ('立', "li"), ('新', "xin"), ('春', "chun"),
    ('梅', "mei"), ('红', "hong"), ('秀', "xiu"), ('英', "ying"), ('东', "dong"), ('雅', "ya"),
    ('振', "zhen"), ('峰', "feng"), ('慧', "hui"), ('楠', "nan"), ('亚', "ya"), ('鸣', "ming"),
    ('一', "yi"), ('桐', "tong"), ('雨', "yu"), ('斌', "bin"), ('辉', "hui"), ('波', "bo"),
];

/// The names everyone has met several people by: pinyin of surname and given name.
pub(super) const COMMON_NAMES: &[(&str, &str, &str, u32)] = &[
    ("张伟", "Zhang", "Wei", 30),
    ("王伟", "Wang", "Wei", 12),
    ("王芳", "Wang", "Fang", 12),
    ("李伟", "Li", "Wei", 10),
    ("李娜", "Li", "Na", 10),
    ("张敏", "Zhang", "Min", 8),
    ("李静", "Li", "Jing", 8),
    ("王静", "Wang", "Jing", 8),
    ("刘伟", "Liu", "Wei", 8),
    ("王秀英", "Wang", "Xiuying", 6),
];

/// Titles a rep writes after a surname or a name.
pub(super) const TITLES: &[&str] = &["总", "经理", "总经理", "老板", "工", "主任", "先生", "女士"];

/// Roads for addresses.
#[rustfmt::skip]
pub(super) const ROADS: &[&str] = &[
    "人民路", "中山路", "解放路", "建设路", "长江路", "黄河路", "工业园路", "科技路", "创业路",
    "新华路", "和平路", "星湖街", "金桥路", "高新大道", "滨河路", "发展大道", "光明路", "东方路",
    "迎宾大道", "胜利路", "青年路", "学府路", "振兴路", "富民路", "华山路", "泰山路", "衡山路",
];

/// Public mail providers, weighted.
pub(super) const FREE_MAIL: &[(&str, u32)] = &[
    ("qq.com", 50),
    ("163.com", 25),
    ("126.com", 10),
    ("sina.com", 5),
    ("foxmail.com", 5),
    ("gmail.com", 3),
    ("hotmail.com", 2),
];

/// Placeholders people type for "unknown".
pub(super) const PLACEHOLDERS: &[&str] = &["无", "-", "不详", "N/A", "暂无", "未知", "null", "/"];
