//! Match first: where a new lead goes, as a pure function of the customers it matches and
//! the open lead of the same person, with the reasons kept as data.
//!
//! - It matches a customer with an owner → that owner has it, never a second rep.
//! - The same person has an open lead → it joins that lead (`duplicate_of`) and whoever has
//!   that lead, so one person never has two parallel open leads.
//! - Otherwise (a pool customer or nothing) → `unrouted`, the match recorded for routing.

use super::input::LeadKeyKind;
use super::{LeadId, LeadStatus};
use crate::identity::matching::Reason;
use crate::ids::{CustomerId, UserId};
use serde::{Deserialize, Serialize};

/// A fuzzy hit at or above this score is a match (the matcher's own "one customer" line).
pub const MATCH_SCORE: f32 = 0.5;

/// A rep, by id and name (names are kept so the explanation reads the same later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitOwner {
    /// The user.
    pub id: UserId,
    /// Their name at the time.
    pub name: String,
}

/// One of the matcher's reasons, as stored: its code and, for similarities, the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchReason {
    /// `same_mobile`, `company_name_similar`, … (the matcher's [`Reason::code`]).
    pub code: String,
    /// 0–1 for the similarity reasons.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub similarity: Option<f32>,
}

impl From<&Reason> for MatchReason {
    fn from(r: &Reason) -> Self {
        let similarity = match r {
            Reason::CompanyNameSimilar(s)
            | Reason::CompanyNamePinyin(s)
            | Reason::CompanyNameDifferent(s)
            | Reason::SameAddress(s) => Some(*s),
            _ => None,
        };
        MatchReason {
            code: r.code().to_owned(),
            similarity,
        }
    }
}

/// An existing customer the lead matched: by a shared key (exact) or the fuzzy matcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerHit {
    /// The customer.
    pub customer: CustomerId,
    /// Its name.
    pub name: String,
    /// Its owner; `None` in the pool.
    pub owner: Option<HitOwner>,
    /// 0–1; 1 for a shared strong key.
    pub score: f32,
    /// A shared strong key (mobile, credit code).
    pub exact: bool,
    /// Why, the weightiest first.
    pub reasons: Vec<MatchReason>,
}

impl CustomerHit {
    fn counts(&self) -> bool {
        self.exact || self.score >= MATCH_SCORE
    }
}

/// The open lead of the same person, found by a shared lead key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenLead {
    /// The lead.
    pub id: LeadId,
    /// Who has it; `None` while unrouted.
    pub assignee: Option<HitOwner>,
    /// The customer it matched.
    pub customer: Option<CustomerId>,
    /// The key it shares with the new lead.
    pub key: LeadKeyKind,
}

/// What intake decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Given to the owner of the matched customer.
    AssignedOwner,
    /// Joined the open lead of the same person.
    Duplicate,
    /// Awaiting routing.
    Unrouted,
}

impl Outcome {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::AssignedOwner => "assigned_owner",
            Self::Duplicate => "duplicate",
            Self::Unrouted => "unrouted",
        }
    }
}

/// Why the lead went where it went: stored as JSON, rendered in words by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The outcome.
    pub outcome: Outcome,
    /// The customer it matched, if any.
    pub matched: Option<CustomerHit>,
    /// Other customers considered (below the line, or less likely than `matched`).
    #[serde(default)]
    pub others: Vec<CustomerHit>,
    /// The open lead it joined.
    pub duplicate_of: Option<OpenLead>,
    /// Who has it now; `None` while unrouted.
    pub assignee: Option<HitOwner>,
}

/// The decision to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The new lead's status.
    pub status: LeadStatus,
    /// Who has it.
    pub assigned_to: Option<UserId>,
    /// The matched customer (or the open lead's).
    pub customer: Option<CustomerId>,
    /// The open lead it joined.
    pub duplicate_of: Option<LeadId>,
    /// Why.
    pub explanation: Explanation,
}

/// Decides where a lead goes from the customers it matched (`hits`, any order) and the open
/// lead of the same person, if there is one.
pub fn decide(hits: &[CustomerHit], open: Option<&OpenLead>) -> Decision {
    let best = hits.iter().filter(|h| h.counts()).max_by(|a, b| {
        (a.exact, a.score)
            .partial_cmp(&(b.exact, b.score))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.customer.cmp(&a.customer))
    });
    let others: Vec<CustomerHit> = hits
        .iter()
        .filter(|h| Some(h.customer) != best.map(|b| b.customer))
        .take(4)
        .cloned()
        .collect();
    let owner = best.and_then(|b| b.owner.clone());
    // The owner wins over an open lead someone else (or nobody) has: a customer with an
    // owner is never worked by a second rep.
    let join = open.filter(|o| owner.is_none() || o.assignee == owner);
    let (outcome, assignee) = match (join, &owner) {
        (Some(o), _) => (Outcome::Duplicate, o.assignee.clone()),
        (None, Some(owner)) => (Outcome::AssignedOwner, Some(owner.clone())),
        (None, None) => (Outcome::Unrouted, None),
    };
    let status = match outcome {
        Outcome::AssignedOwner => LeadStatus::Assigned,
        Outcome::Duplicate => LeadStatus::Duplicate,
        Outcome::Unrouted => LeadStatus::Unrouted,
    };
    Decision {
        status,
        assigned_to: assignee.as_ref().map(|a| a.id),
        customer: best.map(|b| b.customer).or(join.and_then(|o| o.customer)),
        duplicate_of: join.map(|o| o.id),
        explanation: Explanation {
            outcome,
            matched: best.cloned(),
            others,
            duplicate_of: join.cloned(),
            assignee,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(id: i64, name: &str) -> HitOwner {
        HitOwner {
            id: UserId(id),
            name: name.to_owned(),
        }
    }

    fn hit(id: i64, owner: Option<HitOwner>, score: f32, exact: bool) -> CustomerHit {
        CustomerHit {
            customer: CustomerId(id),
            name: format!("客户{id}"),
            owner,
            score,
            exact,
            reasons: vec![MatchReason::from(&Reason::SameMobile)],
        }
    }

    fn open(id: i64, assignee: Option<HitOwner>) -> OpenLead {
        OpenLead {
            id: LeadId(id),
            assignee,
            customer: None,
            key: LeadKeyKind::Mobile,
        }
    }

    #[test]
    fn an_owned_match_goes_to_its_owner() {
        let d = decide(&[hit(7, Some(rep(3, "张伟")), 1.0, true)], None);
        assert_eq!(
            (d.status, d.assigned_to, d.customer),
            (LeadStatus::Assigned, Some(UserId(3)), Some(CustomerId(7)))
        );
        assert_eq!(d.explanation.outcome, Outcome::AssignedOwner);
        assert_eq!(d.explanation.assignee, Some(rep(3, "张伟")));
    }

    #[test]
    fn a_strong_key_beats_a_likelier_fuzzy_hit_and_weak_hits_do_not_count() {
        let hits = [
            hit(1, Some(rep(5, "李四")), 0.97, false),
            hit(2, Some(rep(3, "张伟")), 1.0, true),
            hit(3, Some(rep(6, "王五")), 0.3, false),
        ];
        assert_eq!(decide(&hits, None).assigned_to, Some(UserId(3)));
        let weak = decide(&[hit(3, Some(rep(6, "王五")), 0.3, false)], None);
        assert_eq!((weak.status, weak.customer), (LeadStatus::Unrouted, None));
        assert_eq!(weak.explanation.others.len(), 1);
    }

    #[test]
    fn a_pool_match_or_nothing_awaits_routing_with_the_match_kept() {
        let d = decide(&[hit(9, None, 1.0, true)], None);
        assert_eq!(
            (d.status, d.assigned_to, d.customer),
            (LeadStatus::Unrouted, None, Some(CustomerId(9)))
        );
        assert_eq!(decide(&[], None).explanation.outcome, Outcome::Unrouted);
    }

    #[test]
    fn the_same_person_joins_their_open_lead() {
        let d = decide(&[], Some(&open(4, None)));
        assert_eq!(
            (d.status, d.duplicate_of, d.assigned_to),
            (LeadStatus::Duplicate, Some(LeadId(4)), None)
        );
        let owned = decide(
            &[hit(7, Some(rep(3, "张伟")), 1.0, true)],
            Some(&open(4, Some(rep(3, "张伟")))),
        );
        assert_eq!(
            (owned.status, owned.duplicate_of, owned.assigned_to),
            (LeadStatus::Duplicate, Some(LeadId(4)), Some(UserId(3)))
        );
    }

    #[test]
    fn the_owner_wins_over_an_open_lead_someone_else_has() {
        let d = decide(
            &[hit(7, Some(rep(3, "张伟")), 1.0, true)],
            Some(&open(4, Some(rep(5, "李四")))),
        );
        assert_eq!(
            (d.status, d.assigned_to, d.duplicate_of),
            (LeadStatus::Assigned, Some(UserId(3)), None)
        );
    }
}
