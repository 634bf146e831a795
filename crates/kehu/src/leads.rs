//! `kehu leads import`: a file of leads through the server's import — the intake path of the
//! API and the pages, row by row — as a manager or admin named by `--as`, or as the system
//! user. A progress bar on a terminal; one line per row on standard output.

use crate::cli::LeadsImportArgs;
use crate::commands::open;
use crate::progress::Bar;
use anyhow::{Context, bail};
use kehu_domain::ids::UserId;
use kehu_domain::lead::LeadSourceId;
use kehu_domain::{Actor, Role};
use kehu_server::i18n::{Locale, T};
use kehu_server::leads::import::{self, ImportError, ImportReport, may_import};
use kehu_server::{AppState, Clock, ServerConfig};

/// Runs the import and prints its report; an error when a row was refused or it stopped.
pub async fn import(url: &str, args: &LeadsImportArgs) -> anyhow::Result<()> {
    let shown = args.file.display();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {shown}"))?;
    let mut config = ServerConfig::new("127.0.0.1:0".parse()?, url);
    config.utc_offset = args.offset.offset()?;
    let state = AppState::new(open(url).await?, Clock::System, config);
    let actor = importer(&state, args.as_login.as_deref()).await?;
    let source = import::find_source(&state, &args.source)
        .await?
        .with_context(|| format!("--source: no active lead source {}", args.source))?;
    let bar = Bar::new();
    let progress = |done: usize, total: usize| {
        if done == 0 {
            bar.start_count("importing", total as u64);
        } else {
            bar.set_position(done as u64);
        }
    };
    let done = import::import(
        &state,
        &actor,
        LeadSourceId(source.id),
        &bytes,
        usize::MAX,
        &progress,
    )
    .await;
    bar.clear();
    let t = T(Locale::En);
    let report = match done {
        Ok(r) => r,
        Err(ImportError::Table(e)) => bail!("{shown}: {}", e.message(t)),
        Err(ImportError::NoColumns) => bail!("{shown}: {}", t.t("lead_import.no_columns")),
        Err(ImportError::App(e)) => bail!("{}", e.message(Locale::En)),
    };
    print!("{}", render(t, &report));
    let failed = report.counts().failed;
    if let Some(stop) = report.stopped_text(t) {
        bail!("{stop}");
    }
    if failed > 0 {
        bail!("{failed} rows were refused (see above); the others are in");
    }
    Ok(())
}

/// The report as text: one line per row, then the summary.
fn render(t: T, report: &ImportReport) -> String {
    let mut out = String::new();
    for r in &report.rows {
        let result = t
            .t(&format!("lead_import.result_{}", r.outcome.code()))
            .to_owned();
        out.push_str(&format!(
            "line {}: {result}: {}\n",
            r.line,
            r.outcome.text(t)
        ));
    }
    out.push_str(&report.summary(t));
    out.push('\n');
    out
}

/// The user the leads are entered by: `--as` (a manager or admin), else the system user.
async fn importer(state: &AppState, login: Option<&str>) -> anyhow::Result<Actor> {
    let Some(login) = login else {
        // The system user (migration 0013) cannot log in; here it only signs the leads.
        let id = state.store.system_user().await?;
        return Ok(Actor {
            user_id: id,
            name: "_system".to_owned(),
            role: Role::Admin,
            team_id: None,
            team_path: None,
        });
    };
    let user = state
        .store
        .user_by_login(login)
        .await?
        .with_context(|| format!("--as: no user {login}"))?;
    let actor = state
        .store
        .actor(UserId(user.id))
        .await?
        .with_context(|| format!("--as: {login} is disabled"))?;
    if !may_import(&actor) {
        bail!("--as: {login} is a rep; only managers and admins import leads");
    }
    Ok(actor)
}
