//! Lead intake (线索): one path for every way a lead comes in — a source's intake token
//! (web form, 抖音, …) or a rep entering it by hand. It parses the payload, matches it
//! against every customer first (`matching`), lets the domain decide where it goes, and
//! has the store write it in one transaction keyed by the sender's `Idempotency-Key`.

pub mod convert;
mod explain;
pub mod health;
pub mod import;
mod limits;
mod matching;
pub mod pool;
pub mod response;
pub mod sources;

pub use explain::explanation_text;
pub use limits::IntakeLimits;
pub use matching::customer_hits;

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::error::FieldError;
use kehu_domain::lead::{LeadInput, LeadSourceId, NewLead, decide};
use kehu_store::leads::{IntakeResult, LeadIntake, LeadReceipt, TokenSource};

/// Longest `Idempotency-Key` accepted.
const KEY_MAX: usize = 255;

/// Who sends a lead.
#[derive(Debug, Clone)]
pub enum Sender {
    /// A source's intake token.
    Token(TokenSource),
    /// A logged-in user entering it by hand (the body names the source).
    User(Actor),
}

/// The answer to an intake: the receipt, and whether it replays an earlier request.
#[derive(Debug, Clone)]
pub struct Intake {
    /// What was decided at intake.
    pub receipt: LeadReceipt,
    /// True when the key was seen before with the same payload.
    pub replayed: bool,
}

/// Takes in one lead. `key` is the `Idempotency-Key` header (`None` when absent).
pub async fn intake(
    state: &AppState,
    sender: &Sender,
    key: Option<&str>,
    input: &LeadInput,
) -> Result<Intake, AppError> {
    let key = idempotency_key(key)?;
    let (source, source_name, lead) = match (
        source_of(state, sender, input.source).await,
        NewLead::parse(input),
    ) {
        (Ok((source, name)), Ok(lead)) => (source, name, lead),
        // Every field error at once, the source's first, so a form shows them all together.
        (Err(AppError::Fields(mut errs)), lead) => {
            errs.0.extend(lead.err().into_iter().flat_map(|e| e.0));
            return Err(errs.into());
        }
        (Err(other), _) => return Err(other),
        (Ok(_), Err(errs)) => return Err(errs.into()),
    };
    let fingerprint = lead.fingerprint(source.0);
    // A replay is answered from its key alone, before any matching.
    if let Some(seen) = state.store.lead_replay(source, key, &fingerprint).await? {
        return answer(seen);
    }
    let hits = customer_hits(state, &lead).await?;
    let (token, entered_by) = match sender {
        Sender::Token(t) => (Some(t.token_id), None),
        Sender::User(a) => (None, Some(a.user_id)),
    };
    let req = LeadIntake {
        source,
        source_name: &source_name,
        token,
        entered_by,
        idempotency_key: key,
        fingerprint: &fingerprint,
        lead: &lead,
        hits: &hits,
        now: state.now(),
    };
    // A lead for routing is routed in the intake's own transaction.
    let route = crate::routing::router(state).await?;
    answer(state.store.intake_lead(&req, decide, Some(&route)).await?)
}

fn answer(result: IntakeResult) -> Result<Intake, AppError> {
    match result {
        IntakeResult::Created(receipt) => Ok(Intake {
            receipt,
            replayed: false,
        }),
        IntakeResult::Replayed(receipt) => Ok(Intake {
            receipt,
            replayed: true,
        }),
        IntakeResult::KeyReused => {
            Err(FieldError::new("Idempotency-Key", "idempotency_key_reused").into())
        }
    }
}

fn idempotency_key(raw: Option<&str>) -> Result<&str, FieldError> {
    let key = raw.map(str::trim).filter(|k| !k.is_empty());
    match key {
        None => Err(FieldError::new("Idempotency-Key", "required")),
        Some(k) if k.len() > KEY_MAX => Err(FieldError::new("Idempotency-Key", "too_long")),
        Some(k) => Ok(k),
    }
}

/// The source a lead belongs to: the token's, or the one a user chose from the list.
async fn source_of(
    state: &AppState,
    sender: &Sender,
    chosen: Option<i64>,
) -> Result<(LeadSourceId, String), AppError> {
    match sender {
        Sender::Token(_) if chosen.is_some() => {
            Err(FieldError::new("source", "unknown_field").into())
        }
        Sender::Token(t) => Ok((LeadSourceId(t.source_id), t.source_name.clone())),
        Sender::User(_) => {
            let id = chosen.ok_or_else(|| FieldError::new("source", "required"))?;
            match state.store.lead_source(id).await? {
                Some(s) if s.active => Ok((LeadSourceId(s.id), s.name)),
                _ => Err(FieldError::new("source", "unknown_value").into()),
            }
        }
    }
}
