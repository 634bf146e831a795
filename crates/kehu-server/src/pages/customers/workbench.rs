//! The rep's workbench is "my customers" (`/customers`, where a login lands): above the list,
//! each lead assigned to them that they have not answered yet, with the live countdown of its
//! response window (the lead pages' markup and script), the overdue ones marked.

use crate::error::PageError;
use crate::i18n::T;
use crate::pages::leads::WindowView;
use crate::pages::local_time;
use crate::state::AppState;
use kehu_domain::{Actor, Role};

/// The most open leads shown; the lead list has the rest.
const SHOWN: i64 = 50;

/// The workbench's open leads.
pub struct Workbench {
    pub(super) leads: Vec<OpenLead>,
    /// Some have a countdown: the page loads the script that keeps them current.
    pub(super) ticking: bool,
}

/// One open lead on the workbench.
pub struct OpenLead {
    pub(super) id: i64,
    /// Company, else contact, else phone.
    pub(super) who: String,
    pub(super) source: String,
    pub(super) received: String,
    /// The countdown; `None` for a source without a response window.
    pub(super) window: Option<WindowView>,
}

/// The open leads of `actor` themself (never a colleague's, whatever they may read);
/// `None` when there is nothing to show to someone who is not a rep.
pub async fn open_leads(
    state: &AppState,
    t: T,
    actor: &Actor,
) -> Result<Option<Workbench>, PageError> {
    let now = state.now();
    let offset = state.config.utc_offset;
    let leads = state.store.my_open_leads(actor, SHOWN).await?;
    if leads.is_empty() && actor.role != Role::Rep {
        return Ok(None);
    }
    let rows: Vec<OpenLead> = leads
        .into_iter()
        .map(|l| OpenLead {
            id: l.id,
            who: l
                .company
                .or(l.contact_name)
                .or_else(|| {
                    l.phone.map(|p| {
                        kehu_domain::customer::Phone::from_stored(p, l.phone_ext).national()
                    })
                })
                .unwrap_or_default(),
            source: l.source_name,
            received: local_time(l.received_at, offset),
            window: l.window_due_at.map(|due| WindowView::new(t, due, now)),
        })
        .collect();
    let ticking = rows.iter().any(|l| l.window.is_some());
    Ok(Some(Workbench {
        leads: rows,
        ticking,
    }))
}
