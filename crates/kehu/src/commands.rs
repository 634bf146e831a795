//! The subcommands, each a thin call into the libraries.

use crate::cli::{
    Cli, Command, JobsCommand, LeadsCommand, RoleArg, RoutingCommand, ServeArgs, TokenCommand,
    UserCommand,
};
use anyhow::{Context, bail};
use chrono::Utc;
use kehu_domain::Role;
use kehu_domain::ids::{TeamId, UserId};
use kehu_server::auth::{password, token};
use kehu_server::demo::{self, DemoSize};
use kehu_server::{Server, ServerConfig};
use kehu_store::{NewUser, Store, StoreError};
use std::io::{IsTerminal, Read};

/// The wall clock, read at the command-line edge.
#[expect(
    clippy::disallowed_methods,
    reason = "the CLI is an edge that reads the clock"
)]
fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}

/// Runs one parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.database_url, args).await,
        Command::Migrate => {
            open(&cli.database_url).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Demo => {
            let store = open(&cli.database_url).await?;
            if store.count_users().await? > 0 {
                bail!("the database already has users; demo data goes into an empty database only");
            }
            seed(&store).await
        }
        Command::User {
            command:
                UserCommand::Add {
                    login,
                    name,
                    role,
                    team,
                },
        } => add_user(&cli.database_url, &login, &name, role, team.as_deref()).await,
        Command::User {
            command: UserCommand::Disable { login },
        } => set_active(&cli.database_url, &login, false).await,
        Command::User {
            command: UserCommand::Enable { login },
        } => set_active(&cli.database_url, &login, true).await,
        Command::Token {
            command: TokenCommand::Create { login, name },
        } => create_token(&cli.database_url, &login, &name).await,
        Command::Jobs {
            command: JobsCommand::RunOnce,
        } => run_jobs(&cli.database_url).await,
        Command::Routing {
            command: RoutingCommand::Simulate(args),
        } => crate::simulate::run(&cli.database_url, &args, now()).await,
        Command::Dedupe(args) => crate::dedupe::run(&cli.database_url, &args).await,
        Command::Leads {
            command: LeadsCommand::Import(args),
        } => crate::leads::import(&cli.database_url, &args).await,
    }
}

/// Opens and migrates the database at `url`, naming it (password hidden) in errors.
pub(crate) async fn open(url: &str) -> anyhow::Result<Store> {
    let shown = kehu_server::config::redact_url(url);
    let store = Store::connect(url)
        .await
        .with_context(|| format!("cannot open database {shown}"))?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate database {shown}"))?;
    Ok(store)
}

async fn seed(store: &Store) -> anyhow::Result<()> {
    eprintln!("seeding the demo organisation …");
    let summary = demo::seed(store, now(), &DemoSize::FULL)
        .await
        .context("seeding demo data")?;
    println!(
        "demo organisation: {} customers ({} in the pool), {} leads",
        summary.customers, summary.in_pool, summary.leads
    );
    println!("demo logins (password for all: {}):", summary.password);
    for l in &summary.logins {
        println!(
            "  {:<14} {:<8} {:<8} {}",
            l.login,
            l.name,
            l.role.as_str(),
            l.team.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

async fn serve(url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let store = open(url).await?;
    if args.demo && store.count_users().await? == 0 {
        seed(&store).await?;
    }
    let mut config = ServerConfig::new(args.listen, url);
    config.secure_cookies = args.secure_cookies;
    config.session_hours = args.session_hours.clamp(1, 24 * 30);
    config.utc_offset = args.offset.offset()?;
    let server = Server::with_store(config, store, kehu_server::Clock::System).await?;
    if !args.no_jobs {
        kehu_server::jobs::spawn(server.state().clone(), kehu_server::jobs::EVERY);
    }
    println!("Kehu is running: open http://{}/", server.local_addr());
    server
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `kehu jobs run-once`: one pass of every job at the wall clock's now.
async fn run_jobs(url: &str) -> anyhow::Result<()> {
    let store = open(url).await?;
    let config = ServerConfig::new("127.0.0.1:0".parse()?, url);
    let state = kehu_server::AppState::new(store, kehu_server::Clock::System, config);
    let pass = kehu_server::jobs::run_once(&state).await?;
    let (r, e) = (pass.recycle, pass.escalation);
    println!(
        "recycled {} customers, sent {} warnings, skipped {} that changed meanwhile",
        r.recycled, r.warned, r.skipped
    );
    println!(
        "unanswered leads: {} reminders, {} managers told, {} reassigned, {} kept (nobody else could take them)",
        e.reminded, e.managers_told, e.reassigned, e.kept
    );
    println!(
        "waiting leads: {} found a rep or a lead pool",
        pass.rerouted
    );
    Ok(())
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Admin => Role::Admin,
        RoleArg::Manager => Role::Manager,
        RoleArg::Rep => Role::Rep,
    }
}

async fn team_id(store: &Store, name: &str) -> anyhow::Result<TeamId> {
    if let Some(t) = store.team_by_name(name).await? {
        return Ok(TeamId(t.id));
    }
    let id = store.create_team(name, None, now()).await?;
    eprintln!("created team {name}");
    Ok(id)
}

fn read_password() -> anyhow::Result<(String, bool)> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut s = String::new();
        stdin
            .lock()
            .read_to_string(&mut s)
            .context("reading the password from standard input")?;
        let p = s.lines().next().unwrap_or("").to_owned();
        if !p.is_empty() {
            if p.chars().count() < 8 {
                bail!("password: at least 8 characters");
            }
            return Ok((p, false));
        }
    }
    Ok((token::random_password(), true))
}

async fn add_user(
    url: &str,
    login: &str,
    name: &str,
    r: RoleArg,
    team: Option<&str>,
) -> anyhow::Result<()> {
    let login = login.trim();
    if login.is_empty() || login.chars().any(char::is_whitespace) {
        bail!("login: must be non-empty and without spaces");
    }
    let store = open(url).await?;
    let team_id = match team {
        Some(t) => Some(team_id(&store, t).await?),
        None => None,
    };
    let (pass, generated) = read_password()?;
    let hash = password::hash(pass.clone()).await;
    let user = NewUser {
        login,
        name: name.trim(),
        role: role(r),
        team_id,
        password_hash: &hash,
    };
    let id = match store.create_user(&user, now()).await {
        Err(StoreError::Conflict { .. }) => bail!("login: {login} is taken"),
        other => other?,
    };
    if role(r) == Role::Manager
        && let Some(t) = team_id
    {
        store.set_team_manager(t, id).await?;
    }
    println!(
        "added {} ({login}, {}) with id {}",
        name.trim(),
        role(r).as_str(),
        id.0
    );
    if generated {
        println!("password: {pass}");
    }
    Ok(())
}

async fn set_active(url: &str, login: &str, active: bool) -> anyhow::Result<()> {
    let store = open(url).await?;
    let user = store
        .user_by_login(login)
        .await?
        .with_context(|| format!("login: no user {login}"))?;
    store.set_user_active(UserId(user.id), active).await?;
    println!(
        "{login} {}",
        if active {
            "enabled"
        } else {
            "disabled; their sessions are ended"
        }
    );
    Ok(())
}

async fn create_token(url: &str, login: &str, name: &str) -> anyhow::Result<()> {
    let store = open(url).await?;
    let user = store
        .user_by_login(login)
        .await?
        .with_context(|| format!("login: no user {login}"))?;
    if !user.active {
        bail!("login: {login} is disabled");
    }
    let tok = token::random_token();
    store
        .create_api_token(UserId(user.id), name, &token::token_hash(&tok), now())
        .await?;
    println!("API token for {login} (shown once; send as `Authorization: Bearer <token>`):");
    println!("{tok}");
    Ok(())
}
