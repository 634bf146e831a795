//! The command-line grammar.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;

/// Kehu (客户): a self-hosted sales CRM where every customer has exactly one owner.
#[derive(Debug, Parser)]
#[command(name = "kehu", version, about, long_about = None)]
pub struct Cli {
    /// Database: sqlite://PATH (created if missing) or postgres://USER:PASS@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "KEHU_DATABASE_URL",
        default_value = "sqlite://kehu.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app and API (migrates the database first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Seed the demo organisation into an empty database and exit.
    Demo,
    /// Manage users.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Find duplicate customers in a CSV file: which records are one customer.
    Dedupe(crate::dedupe::DedupeArgs),
    /// Leads: import a file of leads through the intake path.
    Leads {
        /// What to do.
        #[command(subcommand)]
        command: LeadsCommand,
    },
    /// Lead routing: replay past leads through rules without writing anything.
    Routing {
        /// What to do.
        #[command(subcommand)]
        command: RoutingCommand,
    },
    /// Time-based rules (recycling and its warnings, response windows, waiting leads), for cron users.
    Jobs {
        /// What to run.
        #[command(subcommand)]
        command: JobsCommand,
    },
}

/// `kehu leads …`.
#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// Import leads from a CSV file (UTF-8 or GBK) or an Excel workbook (.xlsx), one per
    /// row, each through intake as if entered by hand: matched against the customers first,
    /// then routed. Columns are found by their English or Chinese headers (company/公司名称,
    /// contact/联系人, mobile/手机, phone/电话, email/邮箱, wechat/微信, credit_code/统一社会信用代码,
    /// province/省份, city/城市, message/留言/备注, industry/行业, tags/标签 (several in one cell,
    /// split at commas or 、), grade/等级); others go into the lead's extra fields.
    /// Importing the same file again replays its rows and creates nothing twice. Prints one
    /// line per row; fails (exit 1) when a row was refused.
    Import(LeadsImportArgs),
}

/// `kehu leads import` options.
#[derive(Debug, Args)]
pub struct LeadsImportArgs {
    /// The lead source: its id, code or name (an active source).
    #[arg(long)]
    pub source: String,
    /// The file to import.
    #[arg(long, value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// Import as this user (a manager or admin), who is recorded as having entered the
    /// leads; without it, as the system user.
    #[arg(long = "as", value_name = "LOGIN")]
    pub as_login: Option<String>,
    #[command(flatten)]
    pub offset: OffsetArg,
}

/// `kehu routing …`.
#[derive(Debug, Subcommand)]
pub enum RoutingCommand {
    /// Replay the leads received in a date range through a draft rule list (or the live
    /// rules) and print what each rep would have received against their target share, with
    /// fairness figures. Nothing is written.
    Simulate(SimulateArgs),
}

/// `kehu routing simulate` options.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// First day (YYYY-MM-DD, local) or instant (RFC 3339) replayed.
    #[arg(long)]
    pub from: String,
    /// Last day replayed (YYYY-MM-DD, included), or the first instant not replayed (RFC 3339).
    #[arg(long)]
    pub to: String,
    /// A JSON file with the draft rules, `{"rules": [...]}` as `GET /api/v1/routing-rules`
    /// answers; without it the live rules are simulated alone.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub offset: OffsetArg,
}

/// `kehu jobs …`.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Run every job once, now, and exit. Safe beside running servers: each due item is
    /// handled once.
    RunOnce,
}

/// `kehu serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KEHU_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seed the demo organisation when the database has no users yet.
    #[arg(long)]
    pub demo: bool,
    /// Mark cookies Secure (set this when Kehu is served over HTTPS).
    #[arg(long, env = "KEHU_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Session lifetime in hours.
    #[arg(long, env = "KEHU_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: i64,
    #[command(flatten)]
    pub offset: OffsetArg,
    /// Do not run the time-based jobs (recycling) in this process; run `kehu jobs run-once`
    /// from cron instead.
    #[arg(long, env = "KEHU_NO_JOBS")]
    pub no_jobs: bool,
}

/// `kehu user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input when it is not a terminal,
    /// otherwise generated and printed.
    Add {
        /// Unique login.
        #[arg(long)]
        login: String,
        /// Display name, e.g. 张伟.
        #[arg(long)]
        name: String,
        /// Role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Team name; created (at the top level) if it does not exist.
        #[arg(long)]
        team: Option<String>,
    },
    /// Disable a user (left the company): ends their sessions; their API tokens stop working.
    Disable {
        /// The user's login.
        #[arg(long)]
        login: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// The user's login.
        #[arg(long)]
        login: String,
    },
}

/// `kehu token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; the token is printed alone on the last line.
    Create {
        /// The user's login.
        #[arg(long)]
        login: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// A role on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Sees and changes everything.
    Admin,
    /// Manages a team's customers.
    Manager,
    /// Works their own customers and the pool.
    Rep,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn database_url_defaults_to_sqlite_file() {
        let cli = Cli::try_parse_from(["kehu", "migrate"]).expect("parses");
        if std::env::var_os("KEHU_DATABASE_URL").is_none() {
            assert_eq!(cli.database_url, "sqlite://kehu.db");
        }
        let cli = Cli::try_parse_from([
            "kehu",
            "routing",
            "simulate",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ])
        .expect("parses");
        assert!(matches!(cli.command, Command::Routing { .. }));
        let cli = Cli::try_parse_from([
            "kehu", "leads", "import", "--source", "展会", "--file", "a.csv",
        ])
        .expect("parses");
        assert!(matches!(cli.command, Command::Leads { .. }));
        let err = Cli::try_parse_from([
            "kehu", "user", "add", "--login", "x", "--name", "X", "--role", "boss",
        ])
        .unwrap_err();
        assert!(err.to_string().contains("boss"), "{err}");
    }
}

/// `--utc-offset-hours`, shared by the commands that read times or apply routing rules.
#[derive(Debug, Args)]
pub struct OffsetArg {
    /// The team's UTC offset in hours, for times typed without a zone and the routing rules'
    /// weekdays and hours (China: 8).
    #[arg(
        long,
        env = "KEHU_UTC_OFFSET_HOURS",
        default_value_t = 8,
        allow_negative_numbers = true
    )]
    pub utc_offset_hours: i32,
}

impl OffsetArg {
    /// The offset, or an error naming the flag when it is out of range.
    pub fn offset(&self) -> anyhow::Result<chrono::FixedOffset> {
        use anyhow::Context;
        chrono::FixedOffset::east_opt(self.utc_offset_hours * 3600)
            .context("--utc-offset-hours must be within ±23")
    }
}
