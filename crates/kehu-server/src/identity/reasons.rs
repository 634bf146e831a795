//! The matcher's reasons in the user's language: "公司名称 94% 相似，同一城市".

use crate::i18n::T;
use kehu_domain::identity::matching::Reason;

/// One reason, e.g. "company name 94% similar".
pub fn reason_text(t: T, r: &Reason) -> String {
    let key = format!("fuzzy.reason.{}", r.code());
    match r {
        Reason::CompanyNameSimilar(s)
        | Reason::CompanyNamePinyin(s)
        | Reason::CompanyNameDifferent(s)
        | Reason::SameAddress(s) => {
            let pct = format!("{:.0}", s * 100.0);
            t.fmt(&key, &[("pct", &pct)])
        }
        _ => t.t(&key).to_owned(),
    }
}

/// Every reason, joined: "company name 94% similar, same city".
pub fn reasons_text(t: T, reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| reason_text(t, r))
        .collect::<Vec<_>>()
        .join(t.t("fuzzy.separator"))
}
