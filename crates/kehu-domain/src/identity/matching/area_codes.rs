//! Landline area codes of the larger cities, so a record with a switchboard number but no
//! city still says where the company is (`0512-…` is 苏州). Source: the national numbering
//! plan (长途区号) as published by the Ministry of Industry and Information Technology; only
//! prefecture-level cities and municipalities, without the trunk 0.

/// Area code (digits after +86) → city, as named in the region list.
#[rustfmt::skip]
const AREA_CODES: &[(&str, &str)] = &[
    ("10", "北京"), ("20", "广州"), ("21", "上海"), ("22", "天津"), ("23", "重庆"), ("24", "沈阳"),
    ("25", "南京"), ("27", "武汉"), ("28", "成都"), ("29", "西安"),
    ("310", "邯郸"), ("311", "石家庄"), ("312", "保定"), ("315", "唐山"), ("316", "廊坊"),
    ("317", "沧州"), ("319", "邢台"), ("335", "秦皇岛"), ("351", "太原"), ("352", "大同"),
    ("371", "郑州"), ("379", "洛阳"), ("411", "大连"), ("412", "鞍山"), ("431", "长春"),
    ("451", "哈尔滨"), ("459", "大庆"), ("471", "呼和浩特"), ("472", "包头"),
    ("510", "无锡"), ("511", "镇江"), ("512", "苏州"), ("513", "南通"), ("514", "扬州"),
    ("515", "盐城"), ("516", "徐州"), ("517", "淮安"), ("518", "连云港"), ("519", "常州"),
    ("523", "泰州"), ("527", "宿迁"), ("531", "济南"), ("532", "青岛"), ("533", "淄博"),
    ("535", "烟台"), ("536", "潍坊"), ("537", "济宁"), ("538", "泰安"), ("539", "临沂"),
    ("631", "威海"), ("551", "合肥"), ("553", "芜湖"), ("570", "衢州"), ("571", "杭州"),
    ("572", "湖州"), ("573", "嘉兴"), ("574", "宁波"), ("575", "绍兴"), ("576", "台州"),
    ("577", "温州"), ("578", "丽水"), ("579", "金华"), ("580", "舟山"), ("591", "福州"),
    ("592", "厦门"), ("594", "莆田"), ("595", "泉州"), ("596", "漳州"), ("731", "长沙"),
    ("732", "湘潭"), ("733", "株洲"), ("734", "衡阳"), ("750", "江门"), ("752", "惠州"),
    ("754", "汕头"), ("755", "深圳"), ("756", "珠海"), ("757", "佛山"), ("758", "肇庆"),
    ("759", "湛江"), ("760", "中山"), ("769", "东莞"), ("771", "南宁"), ("772", "柳州"),
    ("773", "桂林"), ("791", "南昌"), ("851", "贵阳"), ("871", "昆明"), ("898", "海口"),
    ("931", "兰州"), ("951", "银川"), ("971", "西宁"), ("991", "乌鲁木齐"), ("891", "拉萨"),
];

/// The city of a landline given as E.164 digits (`8651265500490` → 苏州), if listed.
pub(super) fn city_of_landline(e164_digits: u64) -> Option<&'static str> {
    let s = e164_digits.to_string();
    let national = s.strip_prefix("86")?;
    // Two-digit codes are 10 and 2x; the rest have three digits.
    let len = if national.starts_with('1') || national.starts_with('2') {
        2
    } else {
        3
    };
    let code = national.get(..len)?;
    AREA_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, city)| *city)
}

#[cfg(test)]
mod tests {
    use super::super::super::regions::{self, Level};
    use super::*;

    #[test]
    fn every_city_is_a_city_of_the_region_list() {
        for (_, city) in AREA_CODES {
            let r = regions::whole(city).unwrap_or_else(|| panic!("{city} is not a region"));
            assert!(
                r.level == Level::City || ["北京", "上海", "天津", "重庆"].contains(city),
                "{city}"
            );
        }
    }

    #[test]
    fn area_codes_name_their_city() {
        assert_eq!(city_of_landline(8651265500490), Some("苏州"));
        assert_eq!(city_of_landline(861088886666), Some("北京"));
        assert_eq!(city_of_landline(862168886666), Some("上海"));
        assert_eq!(city_of_landline(8699912345678), None);
    }
}
