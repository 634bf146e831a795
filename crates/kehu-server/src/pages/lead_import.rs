//! `/leads/import`: managers and admins upload a CSV or Excel file of leads for one source;
//! every row goes through intake (match first, then routing) while the request waits, up to
//! [`PAGE_MAX_ROWS`] rows, and the page answers with the row-by-row report. The same file
//! again replays its rows; larger files go through `kehu leads import`.

use crate::auth::Session;
use crate::auth::extract::constant_time_eq;
use crate::error::{AppError, PageError, field_label};
use crate::i18n::T;
use crate::leads::import::{ImportError, ImportReport, PAGE_MAX_ROWS, import, may_import};
use crate::pages::Nav;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kehu_domain::lead::LeadSourceId;
use std::collections::HashMap;

/// The largest upload: 5,000 rows of a wide export fit easily.
const MAX_UPLOAD: usize = 10 << 20;

/// The import page's route: the form and the upload.
pub fn router() -> Router<AppState> {
    let upload = post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD + (64 << 10)));
    Router::new().route("/leads/import", get(page).merge(upload))
}

/// One row of the report as shown.
struct RowView {
    line: u64,
    /// `created`, `joined`, `replayed`, `error`.
    code: &'static str,
    lead: Option<i64>,
    text: String,
}

/// The report as shown.
struct ReportView {
    summary: String,
    stopped: Option<String>,
    /// Each column of the file and the field it fills, in words.
    columns: Vec<(String, String)>,
    rows: Vec<RowView>,
}

/// The upload form, and after an upload its report.
#[derive(Template, WebTemplate)]
#[template(path = "leads/import.html")]
struct ImportPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    sources: Vec<(String, String)>,
    source: String,
    errors: HashMap<String, String>,
    max_rows: usize,
    report: Option<ReportView>,
}

impl ImportPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

async fn render(state: &AppState, session: &Session) -> Result<ImportPage, PageError> {
    if !may_import(&session.actor) {
        return Err(AppError::Forbidden.into());
    }
    let sources = state.store.lead_sources().await?;
    Ok(ImportPage {
        t: T(session.locale),
        nav: Some(Nav::new(session, "leads")),
        flash: None,
        csrf: session.csrf.clone(),
        sources: sources
            .into_iter()
            .filter(|s| s.active)
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
        source: String::new(),
        errors: HashMap::new(),
        max_rows: PAGE_MAX_ROWS,
        report: None,
    })
}

async fn page(State(state): State<AppState>, session: Session) -> Result<ImportPage, PageError> {
    render(&state, &session).await
}

/// What the form sends.
#[derive(Default)]
struct Upload {
    source: String,
    file: Vec<u8>,
}

/// Reads the multipart body, checking its `csrf` field against the session's token; a body
/// over the limit is an error at the file field.
async fn read(
    session: &Session,
    mut mp: Multipart,
) -> Result<Result<Upload, &'static str>, AppError> {
    let mut csrf = String::new();
    let mut up = Upload::default();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Ok(Err("import_file_too_large")),
        };
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(|_| AppError::Csrf)?,
            "source" => up.source = field.text().await.unwrap_or_default(),
            "file" => match field.bytes().await {
                Ok(b) => up.file = b.to_vec(),
                Err(_) => return Ok(Err("import_file_too_large")),
            },
            _ => {}
        }
    }
    if !constant_time_eq(csrf.as_bytes(), session.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    Ok(Ok(up))
}

async fn upload(
    State(state): State<AppState>,
    session: Session,
    mp: Multipart,
) -> Result<Response, PageError> {
    let mut page = render(&state, &session).await?;
    let t = page.t;
    let up = match read(&session, mp).await? {
        Ok(up) => up,
        Err(code) => return Ok(refused(page, "file", t.t(&format!("error.{code}")))),
    };
    page.source.clone_from(&up.source);
    let source = up.source.trim().parse::<i64>().ok();
    let Some(source) = source.filter(|id| page.sources.iter().any(|(s, _)| *s == id.to_string()))
    else {
        let code = if up.source.trim().is_empty() {
            "required"
        } else {
            "unknown_value"
        };
        return Ok(refused(page, "source", t.t(&format!("error.{code}"))));
    };
    if up.file.is_empty() {
        return Ok(refused(page, "file", t.t("error.required")));
    }
    let done = import(
        &state,
        &session.actor,
        LeadSourceId(source),
        &up.file,
        PAGE_MAX_ROWS,
        &|_, _| {},
    );
    match done.await {
        Ok(report) => {
            page.report = Some(view(t, &report));
            Ok(page.into_response())
        }
        Err(ImportError::Table(e)) => Ok(refused(page, "file", &e.message(t))),
        Err(ImportError::NoColumns) => Ok(refused(page, "file", t.t("lead_import.no_columns"))),
        Err(ImportError::App(e)) => Err(e.into()),
    }
}

/// The form again with `message` at `field`.
fn refused(mut page: ImportPage, field: &str, message: &str) -> Response {
    page.errors.insert(field.to_owned(), message.to_owned());
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

fn view(t: T, report: &ImportReport) -> ReportView {
    ReportView {
        summary: report.summary(t),
        stopped: report.stopped_text(t),
        columns: report
            .columns
            .iter()
            .map(|(header, field)| {
                let fills =
                    field.map_or_else(|| t.t("leads.extra").to_owned(), |f| field_label(t, f));
                (header.clone(), fills)
            })
            .collect(),
        rows: report
            .rows
            .iter()
            .map(|r| RowView {
                line: r.line,
                code: r.outcome.code(),
                lead: r.outcome.lead(),
                text: r.outcome.text(t),
            })
            .collect(),
    }
}
