//! The appeal form with evidence files (multipart): filed from the customer page, or
//! completed from the appeal page by its appellant (an appeal filed from the duplicate
//! warning starts without statement and files).

use crate::appeals as actions;
use crate::auth::Session;
use crate::auth::extract::constant_time_eq;
use crate::error::{AppError, PageError};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Redirect;
use axum::routing::{MethodRouter, post};
use kehu_domain::error::FieldError;
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::appeal::parse_text;
use kehu_store::appeals::{MAX_FILE_BYTES, MAX_FILES, NewEvidence};

/// A form post of at most all files at their largest, plus the statement.
fn route<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    post(handler).layer(DefaultBodyLimit::max(
        MAX_FILES * MAX_FILE_BYTES + (1 << 20),
    ))
}

/// The appeal-form routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/customers/{id}/appeals", route(file))
        .route("/appeals/{id}/statement", route(complete))
}

/// What the form carries.
struct Posted {
    statement: String,
    files: Vec<NewEvidence>,
}

/// Reads the multipart body, checking its `csrf` field against the session's token.
async fn read(session: &Session, mut mp: Multipart) -> Result<Posted, AppError> {
    let mut csrf = String::new();
    let mut posted = Posted {
        statement: String::new(),
        files: Vec::new(),
    };
    let bad = |_| AppError::from(FieldError::new("evidence", "file_too_large"));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(|_| AppError::Csrf)?,
            "statement" => posted.statement = field.text().await.map_err(bad)?,
            "evidence" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let data = field.bytes().await.map_err(bad)?.to_vec();
                // A file input left empty still sends a nameless, empty part.
                if !name.is_empty() || !data.is_empty() {
                    posted.files.push(NewEvidence {
                        name,
                        content_type,
                        data,
                    });
                }
            }
            _ => {}
        }
    }
    if !constant_time_eq(csrf.as_bytes(), session.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    Ok(posted)
}

fn id_of(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn file(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    mp: Multipart,
) -> Result<Redirect, PageError> {
    let id = id_of(&id)?;
    let p = read(&session, mp).await?;
    let appeal = actions::file(
        &state,
        &session.actor,
        CustomerId(id),
        &p.statement,
        &p.files,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/appeals/{appeal}?flash=appeal_filed"
    )))
}

async fn complete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    mp: Multipart,
) -> Result<Redirect, PageError> {
    let id = id_of(&id)?;
    let p = read(&session, mp).await?;
    let a = actions::load(&state, &session.actor, id).await?;
    if a.appellant_id != session.actor.user_id.0 || a.status != "open" {
        return Err(AppError::Forbidden.into());
    }
    let statement = parse_text("statement", &p.statement, false)?;
    actions::check_files(&p.files)?;
    state
        .store
        .file_appeal(
            CustomerId(a.customer_id),
            &session.actor,
            statement.as_deref(),
            &p.files,
            state.now(),
        )
        .await
        .map_err(|e| match e {
            kehu_store::StoreError::Conflict { .. } => {
                AppError::from(FieldError::new("evidence", "too_many_files"))
            }
            e => e.into(),
        })?;
    Ok(Redirect::to(&format!("/appeals/{id}?flash=appeal_filed")))
}
