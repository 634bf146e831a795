//! `/customers/merge`: choose the kept record and, field by field, whose value survives;
//! a confirmation step shows the result before anything is written.

use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::i18n::T;
use crate::merge;
use crate::pages::{Nav, local_time};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::FixedOffset;
use kehu_domain::FieldError;
use kehu_domain::customer::Customer;
use kehu_domain::customer::merge::{MergeField, MergeInput};
use kehu_domain::ids::CustomerId;
use serde::Deserialize;

/// A record of the merge: a column of the form.
pub struct Column {
    id: i64,
    name: String,
    version: i64,
}

/// One choice among the records' values of a field.
pub struct Cell {
    id: i64,
    value: String,
    checked: bool,
}

/// A field and the records' values for it.
pub struct FieldRow {
    code: &'static str,
    label: String,
    cells: Vec<Cell>,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates/merge.html")]
/// The field-by-field choice.
pub struct MergePage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    ids: String,
    columns: Vec<Column>,
    rows: Vec<FieldRow>,
}

/// A line of the confirmation: a field's value after the merge, and whose it was.
pub struct Outcome {
    label: String,
    value: String,
    from: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates/confirm.html")]
/// What the merge will do, before it is done.
pub struct ConfirmPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    /// The form as sent, to send again on confirmation.
    hidden: Vec<(String, String)>,
    ids: String,
    kept: String,
    merged: Vec<String>,
    outcome: Vec<Outcome>,
    contacts: Vec<String>,
}

/// The review and merge routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers/duplicates", get(super::duplicates::page))
        .route("/customers/merge", get(form).post(submit))
        .route(
            "/merges/{id}/undo",
            get(super::merge_undo::page).post(super::merge_undo::submit),
        )
}

#[derive(Debug, Deserialize)]
pub struct FormQuery {
    ids: Option<String>,
}

/// `1,2,3` → ids; anything else names the `ids` field.
fn parse_ids(raw: &str) -> Result<Vec<i64>, FieldError> {
    raw.split(',')
        .map(|s| s.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| FieldError::new("ids", "invalid_type"))
}

/// A field's value as people read it (phones masked where the record is).
fn value_text(t: T, c: &Customer, f: MergeField, offset: FixedOffset) -> String {
    let phone = if c.in_pool() {
        c.phone.masked()
    } else {
        c.phone.national()
    };
    match f {
        MergeField::Name => c.name.clone(),
        MergeField::Phone => phone,
        MergeField::Source => t.t(&format!("source.{}", c.source.code())).to_owned(),
        MergeField::Intent => t.t(&format!("intent.{}", c.intent.code())).to_owned(),
        MergeField::Grade => c.grade.map(|g| g.code().to_owned()).unwrap_or_default(),
        MergeField::CreditCode => c.credit_code.clone().unwrap_or_default(),
        MergeField::Industry => c.industry.clone().unwrap_or_default(),
        MergeField::Province => c.province.clone().unwrap_or_default(),
        MergeField::City => c.city.clone().unwrap_or_default(),
        MergeField::NextFollowUpAt => c
            .next_follow_up_at
            .map(|d| local_time(d, offset))
            .unwrap_or_default(),
        MergeField::Owner => c
            .owner_name
            .clone()
            .unwrap_or_else(|| t.t("customer.in_pool").to_owned()),
    }
}

/// The form: the first record is kept, and each field defaults to the first non-empty value.
pub async fn form(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<FormQuery>,
) -> Result<MergePage, PageError> {
    merge::require_merger(&session.actor)?;
    let t = T(session.locale);
    let ids = parse_ids(q.ids.as_deref().unwrap_or(""))?;
    let ids: Vec<CustomerId> = ids.into_iter().map(CustomerId).collect();
    let records = merge::load_records(&state, &session.actor, &ids).await?;
    let offset = state.config.utc_offset;
    let rows = MergeField::ALL
        .into_iter()
        .map(|f| {
            let values: Vec<String> = records
                .iter()
                .map(|c| value_text(t, c, f, offset))
                .collect();
            let pick = values.iter().position(|v| !v.is_empty()).unwrap_or(0);
            FieldRow {
                code: f.code(),
                label: t.t(&format!("customer.{}", f.code())).to_owned(),
                cells: records
                    .iter()
                    .zip(values)
                    .enumerate()
                    .map(|(i, (c, value))| Cell {
                        id: c.id.0,
                        value,
                        checked: i == pick,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(MergePage {
        t,
        nav: Some(Nav::new(&session, "duplicates")),
        flash: None,
        csrf: session.csrf.clone(),
        ids: q.ids.unwrap_or_default(),
        columns: records
            .iter()
            .map(|c| Column {
                id: c.id.0,
                name: c.name.clone(),
                version: c.version,
            })
            .collect(),
        rows,
    })
}

/// The form's pairs as a merge input: `ids`, `kept`, `f_<field>`, `v_<id>`, `reason`.
fn input_of(pairs: &[(String, String)]) -> Result<MergeInput, FieldError> {
    let mut input = MergeInput::default();
    let number = |field: &str, v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| FieldError::new(field.to_owned(), "invalid_type"))
    };
    for (k, v) in pairs {
        match k.as_str() {
            "ids" => input.customers = parse_ids(v)?,
            "kept" => input.kept = Some(number("kept", v)?),
            "reason" => input.reason = Some(v.clone()),
            _ => {
                if let Some(f) = k.strip_prefix("f_") {
                    input.fields.insert(f.to_owned(), number(f, v)?);
                } else if let Some(id) = k.strip_prefix("v_") {
                    input.versions.insert(id.to_owned(), number("versions", v)?);
                }
            }
        }
    }
    Ok(input)
}

/// `step=preview` shows the result; `step=confirm` merges and opens the kept customer.
pub async fn submit(
    State(state): State<AppState>,
    CsrfForm(session, pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = input_of(&pairs)?;
    let confirm = pairs.iter().any(|(k, v)| k == "step" && v == "confirm");
    if confirm {
        let (_, kept) = merge::merge(&state, &session.actor, &input).await?;
        return Ok(Redirect::to(&format!("/customers/{kept}?flash=merged")).into_response());
    }
    let t = T(session.locale);
    let plan = merge::preview(&state, &session.actor, &input).await?;
    let offset = state.config.utc_offset;
    let all: Vec<&Customer> = std::iter::once(&plan.kept_before)
        .chain(&plan.merged)
        .collect();
    let label = |c: &Customer| format!("{} #{}", c.name, c.id);
    let outcome = MergeField::ALL
        .into_iter()
        .map(|f| {
            let from = plan.choice.source(f);
            Outcome {
                label: t.t(&format!("customer.{}", f.code())).to_owned(),
                value: value_text(t, &plan.result, f, offset),
                from: all
                    .iter()
                    .find(|c| c.id == from)
                    .map(|c| label(c))
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(ConfirmPage {
        t,
        nav: Some(Nav::new(&session, "duplicates")),
        flash: None,
        csrf: session.csrf.clone(),
        hidden: pairs.into_iter().filter(|(k, _)| k != "step").collect(),
        ids: input
            .customers
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        kept: label(&plan.kept_before),
        merged: plan.merged.iter().map(label).collect(),
        outcome,
        contacts: plan
            .leftover_phones
            .iter()
            .map(|l| {
                let phone = if all.iter().any(|c| c.id == l.from && c.in_pool()) {
                    l.phone.masked()
                } else {
                    l.phone.national()
                };
                format!("{} · {phone}", l.name)
            })
            .collect(),
    }
    .into_response())
}
