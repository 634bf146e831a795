//! Duplicate checks at the door (查重): the live check, and saves that a strong key refuses
//! or a fuzzy hit holds until the rep confirms "this is a different customer".
//!
//! Exact hits come from the identity keys (a strong one refuses the save: a mobile or a
//! credit code unless an admin chose other kinds; a weak one, a landline say, warns). Fuzzy
//! hits come from the match index: its candidates are scored by the same [`Matcher`] as
//! `kehu dedupe`, and a score at or above [`WARN_SCORE`] is a hit with the matcher's reasons. Hits reveal only what the rep may see: name, owner, since,
//! protected until, masked phone, and the id only when the rep may open the customer.

mod input;
mod protection;
mod reasons;
mod save;

pub use input::CheckInput;
pub use reasons::{reason_text, reasons_text};
pub use save::{SaveError, create, update};

use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::keys::KeyKind;
use kehu_domain::identity::matching::{Level, Match, Matcher, Prepared, Reason, index};
use kehu_domain::ids::CustomerId;
use kehu_store::identity::KeyMatch;
use kehu_store::match_index::Candidate;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A fuzzy candidate at or above this score is a hit: the matcher's own threshold, where it
/// calls two records one customer.
pub const WARN_SCORE: f32 = 0.5;

/// Candidates the index may propose for one check (the best proposed are scored).
const CANDIDATES: usize = 24;

/// Fuzzy hits shown at most, the likeliest first.
const MAX_FUZZY: usize = 5;

/// An existing customer the input collides with, as much as the actor may see of it.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateHit {
    /// The input field the hit is about (`phone`, `credit_code`; `name` for fuzzy hits).
    pub field: &'static str,
    /// The main reason as a stable code (`same_mobile`, `company_name_similar`, …).
    pub reason: &'static str,
    /// Every reason, the weightiest first (`{"code": …, "similarity": 0.94}`).
    pub reasons: Vec<Reason>,
    /// How sure the check is that it is the same customer, 0–1 (1 for a shared key).
    pub score: f32,
    /// Whether saving is refused (strong key) whatever the rep says.
    pub blocks: bool,
    /// A fuzzy hit: saving needs the rep's confirmation that it is another customer.
    pub fuzzy: bool,
    /// The existing customer's id, only when the actor may open it.
    pub id: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its owner; `None` when it is in the pool.
    pub owner_name: Option<String>,
    /// Since when.
    pub owner_since: DateTime<Utc>,
    /// Until when its owner's protection period runs; `None` in the pool.
    pub protected_until: Option<DateTime<Utc>>,
    /// Its phone, masked.
    pub masked_phone: String,
    /// An opaque reference to the hit that reveals no id: `kind|value` of the shared key
    /// (the actor's own input) for exact hits, `ref|…` (a digest of what the hit shows) for
    /// fuzzy ones. Confirmations and requests name hits by it.
    pub key: String,
    /// The customer, for the server's own use (never serialised).
    #[serde(skip)]
    pub(crate) customer: CustomerId,
}

/// Every existing customer the input collides with: exact hits first (strong ones first),
/// then fuzzy hits, likeliest first. `exclude` skips the record being edited.
pub async fn check(
    state: &AppState,
    actor: &Actor,
    input: &CheckInput,
    exclude: Option<CustomerId>,
) -> Result<Vec<DuplicateHit>, AppError> {
    // Fuzzy candidates and exact keys are read in one statement, from one snapshot: a
    // customer saved concurrently is seen by both reads or by neither, so a concurrent save
    // of the same mobile is never answered as a similar name to confirm while its shared
    // mobile goes unseen.
    let prepared = Prepared::new(&input.record);
    let probes = if prepared.is_empty() {
        Vec::new()
    } else {
        index::probes(&prepared)
    };
    let found = state
        .store
        .door_matches(&input.keys, &probes, exclude, CANDIDATES)
        .await?;
    let exact: Vec<KeyMatch> = found
        .exact
        .into_iter()
        .filter(|m| Some(m.customer_id) != exclude)
        .collect();
    let fuzzy = fuzzy_matches(&prepared, found.candidates);
    let fuzzy: Vec<(Candidate, Match)> = fuzzy
        .into_iter()
        // A strong key says it all already.
        .filter(|(c, _)| {
            !exact
                .iter()
                .any(|m| m.strong && m.customer_id == c.customer_id)
        })
        .collect();
    let mut out = Vec::new();
    for m in exact {
        // A weak key (a landline) that the fuzzy check also found is shown once, as the
        // fuzzy hit, which asks for a confirmation.
        if m.strong || !fuzzy.iter().any(|(c, _)| c.customer_id == m.customer_id) {
            out.push(exact_hit(m));
        }
    }
    out.extend(fuzzy.into_iter().map(|(c, m)| fuzzy_hit(c, m)));
    complete(state, actor, &mut out).await?;
    Ok(out)
}

/// What a hit shows beyond the match itself, for the check and a refused save alike: its id
/// where the actor may open the customer, and until when its owner's protection runs.
async fn complete(
    state: &AppState,
    actor: &Actor,
    hits: &mut [DuplicateHit],
) -> Result<(), AppError> {
    reveal_ids(state, actor, hits).await?;
    protection::protect(state, hits).await
}

/// Sets each hit's id where the actor may open the customer: one read for all hits.
async fn reveal_ids(
    state: &AppState,
    actor: &Actor,
    hits: &mut [DuplicateHit],
) -> Result<(), AppError> {
    if hits.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<CustomerId> = hits.iter().map(|h| h.customer).collect();
    ids.sort();
    ids.dedup();
    let readable = state.store.readable_among(actor, &ids).await?;
    for h in hits {
        h.id = readable.contains(&h.customer).then_some(h.customer.0);
    }
    Ok(())
}

/// The index's candidates scored against the input, those at or above [`WARN_SCORE`], the
/// likeliest [`MAX_FUZZY`]. The matcher has no data-set statistics; what the index counted
/// of the name keys each candidate shares with the input stands in for them (a name part no
/// other stored customer holds).
fn fuzzy_matches(prepared: &Prepared, candidates: Vec<Candidate>) -> Vec<(Candidate, Match)> {
    let matcher = Matcher::new(Level::Account);
    let mut found: Vec<(Candidate, Match)> = candidates
        .into_iter()
        .filter_map(|c| {
            let m = matcher.compare_shared(prepared, &Prepared::new(&c.record), c.shared_keys);
            (m.score >= WARN_SCORE).then_some((c, m))
        })
        .collect();
    found.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    found.truncate(MAX_FUZZY);
    found
}

/// An exact hit, its id not yet revealed (see [`reveal_ids`]).
fn exact_hit(m: KeyMatch) -> DuplicateHit {
    let reason = match m.kind {
        KeyKind::Mobile => Reason::SameMobile,
        KeyKind::Landline => Reason::SameLandline,
        KeyKind::CreditCode => Reason::SameCreditCode,
    };
    DuplicateHit {
        field: m.kind.field(),
        reason: reason.code(),
        reasons: vec![reason],
        score: 1.0,
        blocks: m.strong,
        fuzzy: false,
        id: None,
        name: m.name,
        owner_name: m.owner_name,
        owner_since: m.owner_since,
        protected_until: None,
        masked_phone: m.masked_phone,
        key: format!("{}|{}", m.kind.code(), m.value),
        customer: m.customer_id,
    }
}

/// A fuzzy hit, its id not yet revealed (see [`reveal_ids`]).
fn fuzzy_hit(c: Candidate, m: Match) -> DuplicateHit {
    let key = fuzzy_ref(&c);
    DuplicateHit {
        field: "name",
        reason: m
            .reasons
            .first()
            .map_or("company_name_similar", Reason::code),
        reasons: m.reasons,
        score: m.score,
        blocks: false,
        fuzzy: true,
        id: None,
        name: c.name,
        owner_name: c.owner_name,
        owner_since: c.owner_since,
        protected_until: None,
        masked_phone: c.masked_phone,
        key,
        customer: c.customer_id,
    }
}

/// `ref|` and a digest of what the hit shows (name, owner since, masked phone): stable
/// between the check and the save, distinct for distinct customers, and made only of what
/// the rep sees, so it cannot be turned back into an id.
fn fuzzy_ref(c: &Candidate) -> String {
    let mut h = Sha256::new();
    for part in [
        c.name.as_str(),
        &c.owner_since.timestamp_micros().to_string(),
        &c.masked_phone,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("ref|{}", &hex::encode(h.finalize())[..20])
}
