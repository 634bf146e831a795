//! `/api/v1/customers/{id}/deals`: a customer's deals (商机), adding one, moving one to
//! another stage (`PATCH …/deals/{deal_id}`, a loss with its `lost_reason`).

use super::ApiJson;
use crate::auth::ApiActor;
use crate::deals as actions;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use kehu_domain::deal::{DealId, DealInput, StageInput};
use kehu_domain::error::FieldError;
use kehu_domain::ids::CustomerId;
use kehu_store::deals::Deal;
use serde::{Deserialize, Serialize};

/// The deal routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/{id}/deals", get(list).post(create))
        .route("/api/v1/customers/{id}/deals/{deal_id}", patch(move_stage))
}

/// A path id; anything but a number is a record that does not exist.
fn id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// One deal as the API shows it. The amount is yuan as an exact decimal string
/// (`"12345.60"`), with `amount_fen` for arithmetic.
#[derive(Debug, Serialize)]
struct DealJson {
    id: i64,
    title: String,
    amount: Option<String>,
    amount_fen: Option<i64>,
    stage: String,
    expected_close_date: Option<NaiveDate>,
    lost_reason: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl From<Deal> for DealJson {
    fn from(d: Deal) -> Self {
        DealJson {
            amount: d.amount().map(|a| a.to_string()),
            id: d.id,
            title: d.title,
            amount_fen: d.amount_fen,
            stage: d.stage,
            expected_close_date: d.expected_close_date,
            lost_reason: d.lost_reason,
            created_by: d.created_by_name,
            created_at: d.created_at,
            closed_at: d.closed_at,
            updated_at: d.updated_at,
        }
    }
}

/// The list envelope, as every API list answers.
#[derive(Debug, Serialize)]
struct Items {
    items: Vec<DealJson>,
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(customer): Path<String>,
) -> Result<Json<Items>, ApiError> {
    let deals = actions::list(&state, &actor, CustomerId(id(&customer)?)).await?;
    Ok(Json(Items {
        items: deals.into_iter().map(DealJson::from).collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBody {
    title: Option<String>,
    /// Yuan, as a JSON number or a decimal string.
    amount: Option<serde_json::Value>,
    stage: Option<String>,
    expected_close_date: Option<String>,
}

impl NewBody {
    fn into_input(self) -> Result<DealInput, FieldError> {
        // A number is read from its JSON text, so `12345.6` is exactly 1234560 fen.
        let amount = match self.amount {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::String(s)) => Some(s),
            Some(_) => return Err(FieldError::new("amount", "invalid_type")),
        };
        Ok(DealInput {
            title: self.title,
            amount,
            stage: self.stage,
            expected_close_date: self.expected_close_date,
        })
    }
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(customer): Path<String>,
    ApiJson(body): ApiJson<NewBody>,
) -> Result<(StatusCode, Json<DealJson>), ApiError> {
    let customer = CustomerId(id(&customer)?);
    let input = body.into_input()?;
    let deal = actions::add(&state, &actor, customer, &input).await?;
    Ok((StatusCode::CREATED, Json(deal.into())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageBody {
    stage: Option<String>,
    lost_reason: Option<String>,
}

async fn move_stage(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((customer, deal)): Path<(String, String)>,
    ApiJson(body): ApiJson<StageBody>,
) -> Result<Json<DealJson>, ApiError> {
    let (customer, deal) = (CustomerId(id(&customer)?), DealId(id(&deal)?));
    let input = StageInput {
        stage: body.stage,
        lost_reason: body.lost_reason,
    };
    let moved = actions::move_to(&state, &actor, customer, deal, &input).await?;
    Ok(Json(moved.into()))
}
