//! `POST /customers/requests`: from the duplicate warning, ask the owner of the existing
//! customer to add the rep as collaborator, or file an appeal. The buttons sit inside the
//! new-customer form, so the typed input comes along and is shown again, untouched.

use super::new::{NewForm, NewPage, render};
use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::state::AppState;
use axum::extract::State;
use kehu_domain::customer::keys::{IdentityKey, KeyKind};
use kehu_domain::error::FieldError;
use kehu_store::requests::RequestKind;
use serde::Deserialize;
use std::collections::HashMap;

/// The button pressed (`kind|key_kind|key_value`) and the rest of the form.
#[derive(Debug, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    request: String,
    #[serde(flatten)]
    form: NewForm,
}

fn parse(raw: &str) -> Option<(RequestKind, IdentityKey)> {
    let mut parts = raw.splitn(3, '|');
    let kind = RequestKind::parse(parts.next()?)?;
    let key_kind = KeyKind::parse(parts.next()?)?;
    let value = parts.next()?.to_owned();
    Some((
        kind,
        IdentityKey {
            kind: key_kind,
            value,
        },
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    CsrfForm(session, f): CsrfForm<RequestForm>,
) -> Result<NewPage, PageError> {
    let unknown = || AppError::from(FieldError::new("request", "unknown_value"));
    let (kind, customer) = match f.request.split_once("|ref|") {
        // A fuzzy hit: found again from the typed input, by the reference it was shown with.
        Some((kind, _)) => {
            let kind = RequestKind::parse(kind).ok_or_else(unknown)?;
            let key = &f.request[kind.code().len() + 1..];
            let input = f.form.check_params().input();
            let hits = crate::identity::check(&state, &session.actor, &input, None).await?;
            let hit = hits.into_iter().find(|h| h.key == key);
            (kind, hit.ok_or(AppError::NotFound)?.customer)
        }
        None => {
            let (kind, key) = parse(&f.request).ok_or_else(unknown)?;
            // The key must name an existing customer: a request cannot be aimed by guessing.
            let m = state
                .store
                .customers_sharing_keys(std::slice::from_ref(&key))
                .await?
                .into_iter()
                .find(|m| m.strong || m.kind == key.kind)
                .ok_or(AppError::NotFound)?;
            (kind, m.customer_id)
        }
    };
    if kind == RequestKind::Appeal {
        // An appeal tells the owner and their managers; its statement and evidence follow.
        state
            .store
            .file_appeal(customer, &session.actor, None, &[], state.now())
            .await?;
    } else {
        state
            .store
            .record_request(customer, session.actor.user_id, kind, None, state.now())
            .await?;
    }
    Ok(page(&session, f.form, kind))
}

fn page(session: &Session, form: NewForm, kind: RequestKind) -> NewPage {
    let t = T(session.locale);
    let mut page = render(session, form, HashMap::new());
    page.flash = Some(
        t.t(&format!("identity.requested_{}", kind.code()))
            .to_owned(),
    );
    page
}
