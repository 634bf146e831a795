//! An intake decision in words, in the reader's language: "匹配到客户「苏州华星精密」（同一手机），
//! 负责人 张伟". The decision itself is stored as JSON (`kehu_domain::lead::Explanation`).

use crate::i18n::T;
use kehu_domain::lead::{Explanation, MatchReason, Outcome};

/// The whole explanation as one sentence.
pub fn explanation_text(t: T, e: &Explanation) -> String {
    let customer = e.matched.as_ref().map_or("", |m| m.name.as_str());
    let reasons = e
        .matched
        .as_ref()
        .map(|m| reasons_text(t, &m.reasons))
        .unwrap_or_default();
    let assignee = e.assignee.as_ref().map_or("", |a| a.name.as_str());
    match (e.outcome, &e.duplicate_of) {
        (Outcome::AssignedOwner, _) => t.fmt(
            "leads.explain_owner",
            &[
                ("customer", customer),
                ("reasons", &reasons),
                ("owner", assignee),
            ],
        ),
        (Outcome::Duplicate, Some(open)) => {
            let key = t.t(&format!("leads.key_{}", open.key.code())).to_owned();
            let lead = open.id.0.to_string();
            let args = [("lead", lead.as_str()), ("key", &key), ("owner", assignee)];
            if e.assignee.is_some() {
                t.fmt("leads.explain_duplicate_assigned", &args)
            } else {
                t.fmt("leads.explain_duplicate_unrouted", &args)
            }
        }
        _ if e.matched.is_some() => t.fmt(
            "leads.explain_pool",
            &[("customer", customer), ("reasons", &reasons)],
        ),
        _ => t.t("leads.explain_none").to_owned(),
    }
}

/// The matcher's reasons joined: "same mobile, company name 94% similar".
pub fn reasons_text(t: T, reasons: &[MatchReason]) -> String {
    reasons
        .iter()
        .map(|r| {
            let key = format!("fuzzy.reason.{}", r.code);
            let pct = r
                .similarity
                .map(|s| format!("{:.0}", s * 100.0))
                .unwrap_or_default();
            t.fmt(&key, &[("pct", &pct)])
        })
        .collect::<Vec<_>>()
        .join(t.t("fuzzy.separator"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use kehu_domain::identity::matching::Reason;
    use kehu_domain::ids::{CustomerId, UserId};
    use kehu_domain::lead::{CustomerHit, HitOwner, decide};

    #[test]
    fn an_owner_match_names_customer_reason_and_owner() {
        let hit = CustomerHit {
            customer: CustomerId(1),
            name: "苏州华星精密".into(),
            owner: Some(HitOwner {
                id: UserId(2),
                name: "张伟".into(),
            }),
            score: 1.0,
            exact: true,
            reasons: vec![MatchReason::from(&Reason::SameMobile)],
        };
        let d = decide(&[hit], None);
        assert_eq!(
            explanation_text(T(Locale::En), &d.explanation),
            "Matched 苏州华星精密 by same mobile; owner 张伟"
        );
        let none = decide(&[], None);
        assert!(!explanation_text(T(Locale::ZhCn), &none.explanation).contains('{'));
    }
}
