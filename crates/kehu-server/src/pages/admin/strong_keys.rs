//! `POST /admin/rules/strong-keys`: which identity keys are strong, a form of its own on the
//! rules page. A kind that cannot become strong (several customers share one of its values)
//! is refused with the page shown again: the boxes as ticked, the reason at the form, and a
//! link to the duplicate review where those customers are merged.

use super::rules::{render_with, values_of};
use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError};
use crate::follow_ups::{EFFECTIVENESS, PROTECTION};
use crate::pools::admin_only;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use kehu_domain::customer::keys::{KeyKind, StrongKeys};
use kehu_domain::followup::EffectivenessRules;
use kehu_domain::ownership::protection::ProtectionRules;
use std::collections::HashMap;

/// The strong keys route.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/rules/strong-keys", post(save))
}

/// The kinds whose box is ticked (`strong.<code>` = `on`).
fn ticked(form: &HashMap<String, String>) -> StrongKeys {
    let kinds: Vec<KeyKind> = KeyKind::ALL
        .into_iter()
        .filter(|k| {
            form.get(&format!("strong.{}", k.code()))
                .is_some_and(|v| v == "on")
        })
        .collect();
    StrongKeys::of(&kinds)
}

async fn save(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    admin_only(&session.actor)?;
    let strong = ticked(&form);
    match state
        .store
        .put_strong_keys(&session.actor, &strong, state.now())
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/rules?flash=strong_keys_saved").into_response()),
        Err(kehu_store::StoreError::KeyShared(shared)) => {
            let message = AppError::KeyShared(shared).message(session.locale);
            Ok(refused(&state, &session, &strong, message).await?)
        }
        Err(other) => Err(other.into()),
    }
}

/// The rules page again, the boxes as ticked and `message` at the strong keys' form.
async fn refused(
    state: &AppState,
    session: &Session,
    strong: &StrongKeys,
    message: String,
) -> Result<Response, PageError> {
    let e: EffectivenessRules = state.store.setting(EFFECTIVENESS).await?;
    let p: ProtectionRules = state.store.setting(PROTECTION).await?;
    let errors = HashMap::from([("strong_keys".to_owned(), message)]);
    let page = render_with(
        session,
        values_of(&e, &p.default),
        errors,
        None,
        (&p, strong),
    );
    Ok((StatusCode::CONFLICT, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ticked_boxes_are_the_strong_kinds() {
        let form = HashMap::from([
            ("strong.landline".to_owned(), "on".to_owned()),
            ("strong.mobile".to_owned(), "on".to_owned()),
            ("csrf".to_owned(), "x".to_owned()),
        ]);
        assert_eq!(
            ticked(&form),
            StrongKeys::of(&[KeyKind::Mobile, KeyKind::Landline])
        );
        assert_eq!(ticked(&HashMap::new()), StrongKeys::of(&[]));
    }
}
