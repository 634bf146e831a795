//! Regions (大区) for routing rules: the seven conventional geographic regions of China
//! (七大地理分区, as taught in Chinese school geography and used by most sales organisations):
//! 华东, 华南, 华北, 华中, 西南, 西北, 东北, each a fixed set of provincial-level divisions. A
//! lead is in a region when its province is one of them, spelled with or without 省/市/自治区
//! (`江苏`, `江苏省`, `广西壮族自治区`), compared as territory places are ([`same_place`]).

use serde::{Deserialize, Serialize};

/// One of the seven regions. In rules and explanations it is written in Chinese (`"华东"`);
/// any other name is refused where the rule is read, naming its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Region {
    /// 华东: 上海, 江苏, 浙江, 安徽, 福建, 江西, 山东, 台湾.
    #[serde(rename = "华东")]
    East,
    /// 华南: 广东, 广西, 海南, 香港, 澳门.
    #[serde(rename = "华南")]
    South,
    /// 华北: 北京, 天津, 河北, 山西, 内蒙古.
    #[serde(rename = "华北")]
    North,
    /// 华中: 河南, 湖北, 湖南.
    #[serde(rename = "华中")]
    Central,
    /// 西南: 重庆, 四川, 贵州, 云南, 西藏.
    #[serde(rename = "西南")]
    Southwest,
    /// 西北: 陕西, 甘肃, 青海, 宁夏, 新疆.
    #[serde(rename = "西北")]
    Northwest,
    /// 东北: 辽宁, 吉林, 黑龙江.
    #[serde(rename = "东北")]
    Northeast,
}

impl Region {
    /// Every region, in the conventional order.
    pub const ALL: [Region; 7] = [
        Self::East,
        Self::South,
        Self::North,
        Self::Central,
        Self::Southwest,
        Self::Northwest,
        Self::Northeast,
    ];

    /// Its Chinese name, as rules write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::East => "华东",
            Self::South => "华南",
            Self::North => "华北",
            Self::Central => "华中",
            Self::Southwest => "西南",
            Self::Northwest => "西北",
            Self::Northeast => "东北",
        }
    }

    /// Its provincial-level divisions, short names (those of `identity::PROVINCES`).
    pub fn provinces(self) -> &'static [&'static str] {
        match self {
            Self::East => &[
                "上海", "江苏", "浙江", "安徽", "福建", "江西", "山东", "台湾",
            ],
            Self::South => &["广东", "广西", "海南", "香港", "澳门"],
            Self::North => &["北京", "天津", "河北", "山西", "内蒙古"],
            Self::Central => &["河南", "湖北", "湖南"],
            Self::Southwest => &["重庆", "四川", "贵州", "云南", "西藏"],
            Self::Northwest => &["陕西", "甘肃", "青海", "宁夏", "新疆"],
            Self::Northeast => &["辽宁", "吉林", "黑龙江"],
        }
    }

    /// Whether `province`, as a lead gives it, lies in this region.
    pub fn contains(self, province: &str) -> bool {
        self.provinces().iter().any(|p| same_place(p, province))
    }
}

/// Whether two place names name the same place: one is the other's beginning once trimmed,
/// so `苏州` and `苏州市`, `广西` and `广西壮族自治区` are one place. Empty names are nowhere.
pub fn same_place(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    !a.is_empty() && !b.is_empty() && (a.starts_with(b) || b.starts_with(a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::PROVINCES;

    #[test]
    fn every_province_lies_in_exactly_one_region() {
        for p in PROVINCES {
            let homes: Vec<&str> = Region::ALL
                .iter()
                .filter(|r| r.contains(p))
                .map(|r| r.name())
                .collect();
            assert_eq!(homes.len(), 1, "{p}: {homes:?}");
        }
        let listed: usize = Region::ALL.iter().map(|r| r.provinces().len()).sum();
        assert_eq!(listed, PROVINCES.len());
    }

    #[test]
    fn provinces_match_with_or_without_their_designation() {
        assert!(Region::East.contains("江苏省"));
        assert!(Region::East.contains(" 上海市 "));
        assert!(Region::South.contains("广西壮族自治区"));
        assert!(Region::Northwest.contains("新疆维吾尔自治区"));
        assert!(Region::Northeast.contains("黑龙江"));
        assert!(!Region::East.contains("广东省"));
        assert!(!Region::East.contains(""));
        // 山西 (华北) and 陕西 (西北) differ by one character.
        assert!(Region::North.contains("山西省") && !Region::Northwest.contains("山西省"));
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for r in Region::ALL {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.name()));
            assert_eq!(serde_json::from_str::<Region>(&json).unwrap(), r);
        }
        assert!(serde_json::from_str::<Region>("\"华东地区\"").is_err());
    }
}
