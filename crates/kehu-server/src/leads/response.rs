//! Response windows (黄金响应窗口) at the front door: an admin sets a source's window and
//! ladder; the assigned rep records the first response, which stops the clock.

use crate::error::AppError;
use crate::pools::admin_only;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::customer::optional_text;
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::lead::{LeadId, ResponseWindow, ResponseWindowInput};
use kehu_store::leads::RespondRefusal;

/// Longest note with a first response, in characters.
pub const NOTE_MAX: usize = 500;

/// A first response as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RespondInput {
    /// What was said (optional).
    pub note: Option<String>,
}

/// Sets (`Some`) or removes (`None`) source `source`'s window (admins). Leads assigned from
/// now on get it.
pub async fn set_window(
    state: &AppState,
    actor: &Actor,
    source: i64,
    input: Option<&ResponseWindowInput>,
) -> Result<Option<ResponseWindow>, AppError> {
    admin_only(actor)?;
    let window = input.map(ResponseWindow::parse).transpose()?;
    if !state
        .store
        .set_response_window(source, window.as_ref())
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(window)
}

/// Records `actor`'s first response to lead `id`. A lead they may not read is 404; one
/// they read but is not theirs is 403; a second response is refused naming the lead.
pub async fn respond(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &RespondInput,
) -> Result<(), AppError> {
    if state.store.lead_for(actor, id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let note = optional_text("note", input.note.as_deref(), NOTE_MAX).map_err(FieldErrors::from)?;
    let done = state
        .store
        .respond_to_lead(LeadId(id), actor.user_id, note.as_deref(), state.now())
        .await?;
    match done {
        Ok(()) => Ok(()),
        Err(RespondRefusal::NotAssignee) => Err(AppError::Forbidden),
        Err(RespondRefusal::AlreadyResponded(_)) => {
            Err(FieldErrors::from(FieldError::new("lead", "already_responded")).into())
        }
    }
}
