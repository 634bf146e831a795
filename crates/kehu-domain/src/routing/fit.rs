//! Whether a rep fits a lead, for the territory and skill strategies: the places they cover
//! and the industries they serve (专长). A rep who does not fit is marked on their facts, so
//! the one eligibility check ([`skip_reason`](super::skip::skip_reason)) skips them with the
//! reason, before any strategy picks.

use super::region::same_place;
use super::strategy::CandidateFacts;
use crate::error::{FieldError, FieldErrors};
use crate::ids::UserId;
use crate::lead::profile::{INDUSTRY_MAX, same_label};
use std::collections::HashMap;

/// Most industries one rep serves.
pub const SKILLS_MAX: usize = 50;

/// The candidates with those whose territory misses `province` and `city` marked. A lead
/// naming no place never gets here: a territory rule misses it (`Miss::NoPlace`).
pub fn mark_territory(
    province: Option<&str>,
    city: Option<&str>,
    candidates: &HashMap<UserId, CandidateFacts>,
) -> HashMap<UserId, CandidateFacts> {
    let places: Vec<&str> = [province, city].into_iter().flatten().collect();
    let covers = |t: &String| places.iter().any(|p| same_place(t, p));
    mark(candidates, |f| {
        f.out_of_territory = !f.territory.iter().any(covers)
    })
}

/// The candidates with those whose skills miss `industry` marked with it.
pub fn mark_skill(
    industry: &str,
    candidates: &HashMap<UserId, CandidateFacts>,
) -> HashMap<UserId, CandidateFacts> {
    mark(candidates, |f| {
        let serves = f.skills.iter().any(|s| same_label(s, industry));
        f.lacks_skill = (!serves).then(|| industry.to_owned());
    })
}

fn mark(
    candidates: &HashMap<UserId, CandidateFacts>,
    set: impl Fn(&mut CandidateFacts),
) -> HashMap<UserId, CandidateFacts> {
    candidates
        .iter()
        .map(|(u, f)| {
            let mut f = f.clone();
            set(&mut f);
            (*u, f)
        })
        .collect()
}

/// A rep's skills as set (`PUT /api/v1/users/{id}/skills`): trimmed, each industry once
/// (compared as leads' industries are), in the order given. A blank or too long one is
/// named by its index (`industries[1]`).
pub fn parse_skills(raw: &[String]) -> Result<Vec<String>, FieldErrors> {
    let mut errs = FieldErrors::default();
    if raw.len() > SKILLS_MAX {
        errs.0.push(FieldError::new("industries", "too_long"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let s = crate::text::squash_spaces(s);
        if s.is_empty() || s.chars().count() > INDUSTRY_MAX {
            errs.0.push(FieldError::new(
                format!("industries[{i}]"),
                "industry_invalid",
            ));
        } else if !out.iter().any(|o| same_label(o, &s)) {
            out.push(s);
        }
    }
    errs.into_result().map(|()| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reps() -> HashMap<UserId, CandidateFacts> {
        let mut a = CandidateFacts::available("王芳");
        a.skills = vec!["机械设备".into(), "ＩＴ服务".into()];
        a.territory = vec!["江苏省".into()];
        let b = CandidateFacts::available("李强");
        HashMap::from([(UserId(1), a), (UserId(2), b)])
    }

    #[test]
    fn a_rep_without_the_industry_is_marked_with_it() {
        let m = mark_skill("机械设备", &reps());
        assert_eq!(m[&UserId(1)].lacks_skill, None);
        assert_eq!(m[&UserId(2)].lacks_skill.as_deref(), Some("机械设备"));
        let m = mark_skill("it服务", &reps());
        assert_eq!(m[&UserId(1)].lacks_skill, None, "compared folded");
    }

    #[test]
    fn territory_places_match_either_way_round() {
        let m = mark_territory(Some("江苏"), None, &reps());
        assert!(!m[&UserId(1)].out_of_territory);
        assert!(m[&UserId(2)].out_of_territory);
        assert!(mark_territory(None, None, &reps())[&UserId(1)].out_of_territory);
    }

    #[test]
    fn skills_are_trimmed_deduplicated_and_named_by_index() {
        let raw = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            parse_skills(&raw(&[" 机械设备 ", "机械设备", "电子"])).unwrap(),
            ["机械设备", "电子"]
        );
        let long = "业".repeat(INDUSTRY_MAX + 1);
        let e = parse_skills(&raw(&["电子", "", &long])).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_ref()).collect();
        assert_eq!(fields, ["industries[1]", "industries[2]"]);
    }
}
