//! Match first, at system level: a lead is compared with every customer, whoever owns it
//! (the rep-facing duplicate check in `crate::identity` reveals only what a rep may see;
//! intake needs the owner itself). Exact hits come from the identity keys, fuzzy ones from
//! the match index scored by the same matcher as the duplicate check.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::customer::keys::KeyKind;
use kehu_domain::identity::matching::{Level, Matcher, Prepared, Reason, index};
use kehu_domain::lead::{CustomerHit, MATCH_SCORE, MatchReason, NewLead};

/// Candidates the index may propose for one lead.
const CANDIDATES: usize = 24;

/// Hits kept for the decision and its explanation.
const MAX_HITS: usize = 5;

/// The customers `lead` matches: shared strong keys (exact), then fuzzy hits at or above
/// [`MATCH_SCORE`], likeliest first. Owners are filled in by the store inside the intake
/// transaction, so they are read where they are used.
pub async fn customer_hits(state: &AppState, lead: &NewLead) -> Result<Vec<CustomerHit>, AppError> {
    // Every key: which are strong is the stored keys' flag (an admin setting), read with them.
    let strong = lead.identity_keys();
    let prepared = Prepared::new(&lead.record());
    let probes = if prepared.is_empty() {
        Vec::new()
    } else {
        index::probes(&prepared)
    };
    // Exact and fuzzy matches in one statement, as the duplicate check reads them.
    let found = state
        .store
        .door_matches(&strong, &probes, None, CANDIDATES)
        .await?;
    let mut hits: Vec<CustomerHit> = Vec::new();
    for m in found.exact.into_iter().filter(|m| m.strong) {
        let reason = match m.kind {
            KeyKind::CreditCode => Reason::SameCreditCode,
            _ => Reason::SameMobile,
        };
        if !hits.iter().any(|h| h.customer == m.customer_id) {
            hits.push(CustomerHit {
                customer: m.customer_id,
                name: m.name,
                owner: None,
                score: 1.0,
                exact: true,
                reasons: vec![MatchReason::from(&reason)],
            });
        }
    }
    let matcher = Matcher::new(Level::Account);
    let mut fuzzy: Vec<CustomerHit> = found
        .candidates
        .into_iter()
        .filter(|c| !hits.iter().any(|h| h.customer == c.customer_id))
        .filter_map(|c| {
            let m = matcher.compare_shared(&prepared, &Prepared::new(&c.record), c.shared_keys);
            (m.score >= MATCH_SCORE).then(|| CustomerHit {
                customer: c.customer_id,
                name: c.name,
                owner: None,
                score: m.score,
                exact: false,
                reasons: m.reasons.iter().map(MatchReason::from).collect(),
            })
        })
        .collect();
    fuzzy.sort_by(|a, b| b.score.total_cmp(&a.score));
    hits.extend(fuzzy);
    hits.truncate(MAX_HITS);
    Ok(hits)
}
