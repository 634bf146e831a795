//! Column names people give in spreadsheets, English and Chinese, one list per kind of
//! value. `kehu dedupe` and the lead import find their columns with the same lists.

/// Company names.
pub const COMPANY: &[&str] = &[
    "company",
    "company_name",
    "公司名称",
    "客户名称",
    "公司",
    "企业名称",
    "单位名称",
];
/// Contact persons.
pub const CONTACT: &[&str] = &["contact", "contact_name", "联系人", "联系人姓名"];
/// Mobile numbers.
pub const MOBILE: &[&str] = &["mobile", "手机", "手机号", "手机号码", "移动电话"];
/// Landlines (or any phone number).
pub const PHONE: &[&str] = &[
    "phone",
    "tel",
    "landline",
    "telephone",
    "电话",
    "座机",
    "固定电话",
    "联系电话",
];
/// E-mail addresses.
pub const EMAIL: &[&str] = &["email", "e_mail", "邮箱", "电子邮箱", "邮件"];
/// WeChat ids.
pub const WECHAT: &[&str] = &["wechat", "wechat_id", "微信", "微信号"];
/// Provinces.
pub const PROVINCE: &[&str] = &["province", "省份", "省", "所在省份"];
/// Cities.
pub const CITY: &[&str] = &["city", "城市", "所在城市"];
/// Industries (行业), for routing rules and reps' skills.
pub const INDUSTRY: &[&str] = &["industry", "行业", "所属行业"];
/// Tags, several in one cell (`,`, `，`, `;`, `、` or `|` between them).
pub const TAGS: &[&str] = &["tags", "tag", "标签"];
/// Grades (A/B/C).
pub const GRADE: &[&str] = &["grade", "等级", "客户等级", "级别"];
/// Addresses.
pub const ADDRESS: &[&str] = &["address", "地址", "详细地址", "公司地址"];
/// Unified social credit codes.
pub const CREDIT_CODE: &[&str] = &[
    "credit_code",
    "uscc",
    "统一社会信用代码",
    "信用代码",
    "社会信用代码",
];
/// What the person wrote or asked.
pub const MESSAGE: &[&str] = &[
    "message",
    "inquiry",
    "remark",
    "notes",
    "留言",
    "咨询内容",
    "需求",
    "备注",
];

/// A header as compared with the lists: BOM dropped, trimmed, lowercased, spaces and dashes
/// as `_` (so `E-mail` and `Company Name` are found).
pub fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
        .replace([' ', '-'], "_")
}

/// The position of the first of `names` (normalised headers) that `aliases` accepts.
pub fn find(names: &[String], aliases: &[&str]) -> Option<usize> {
    names.iter().position(|n| aliases.contains(&n.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_in_either_language_and_spelling() {
        let names: Vec<String> = ["\u{feff}Company Name", " 手机号 ", "E-mail"]
            .iter()
            .map(|h| normalize_header(h))
            .collect();
        assert_eq!(find(&names, COMPANY), Some(0));
        assert_eq!(find(&names, MOBILE), Some(1));
        assert_eq!(find(&names, EMAIL), Some(2));
        assert_eq!(find(&names, WECHAT), None);
    }
}
