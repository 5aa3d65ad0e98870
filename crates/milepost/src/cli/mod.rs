//! The command line: one file per subcommand.

mod apply;
mod audit;
mod backup;
mod bench;
mod check_in;
mod cycle;
mod diff;
mod export;
mod forecast;
mod kpi;
mod kr;
mod lint;
mod lookup;
mod migrate;
mod remote;
mod report;
mod search;
mod seed;
mod serve;
mod token;
mod user;
mod workspace;

use crate::config::{Config, Overrides};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Milepost: OKRs and KPIs in one self-hosted binary.
#[derive(Debug, Parser)]
#[command(name = "milepost", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and the JSON API.
    Serve(serve::ServeArgs),
    /// Bring the database schema up to date, then exit.
    Migrate(migrate::MigrateArgs),
    /// Write a consistent backup of the database to a file while servers keep running.
    Backup(backup::BackupArgs),
    /// Restore a backup made by `milepost backup` (into an empty database unless --force).
    Restore(backup::RestoreArgs),
    /// Create and list workspaces.
    Workspace(workspace::WorkspaceArgs),
    /// Make, list and revoke API tokens.
    Token(token::TokenArgs),
    /// Cycles: carry a closed cycle's unfinished objectives into the next.
    Cycle(cycle::CycleArgs),
    /// Forecasts: replay closed cycles and score the forecast against what happened.
    Forecast(forecast::ForecastArgs),
    /// Key result sentences: see what Milepost reads in them.
    Kr(kr::KrArgs),
    /// KPIs: list, show, create, record a value, import a CSV file, draft an OKR.
    Kpi(kpi::KpiArgs),
    /// Check-ins: import a CSV history of them.
    #[command(name = "check-ins")]
    CheckIns(check_in::CheckInArgs),
    /// Add people who log in, and set their passwords.
    User(user::UserArgs),
    /// Check OKR files (docs/okr-files.md) like a compiler: exit 1 on errors.
    Lint(lint::LintArgs),
    /// Apply OKR files to the database: print the plan, then carry it out in one go.
    Apply(apply::ApplyArgs),
    /// What a change to OKR and KPI files does (two folders or two git revisions), as
    /// Markdown for a pull request comment.
    Diff(diff::DiffArgs),
    /// Write the workspace's OKRs as files, one per owner and cycle.
    Export(export::ExportArgs),
    /// The review report of a closed cycle, as Markdown, HTML, CSV or JSON.
    Report(report::ReportArgs),
    /// The audit trail: export every change, who made it, when, before and after.
    Audit(audit::AuditArgs),
    /// Measure the server: pages, check-in writes and memory, each beside its baseline.
    Bench(bench::BenchArgs),
    /// Fill a workspace with a synthetic organisation of any size, for trying and benchmarking.
    Seed(seed::SeedArgs),
    /// Search objectives, key results, KPIs, people and teams by words or their start.
    Search(search::SearchArgs),
}

/// How a command prints its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts.
    Json,
}

/// Where the data lives; every command that touches the database takes these.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory of the embedded SQLite database [env: MILEPOST_DATA_DIR] [default: milepost-data]
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB [env: MILEPOST_DATABASE_URL] [default: the data directory's file]
    #[arg(long, value_name = "URL", global = true)]
    database_url: Option<String>,
    /// Settings file [default: milepost.toml when it exists]
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
}

impl DataArgs {
    fn load(&self, listen: Option<SocketAddr>) -> anyhow::Result<Config> {
        let overrides = Overrides {
            listen,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            database_read_url: None,
        };
        Config::load(self.config.as_deref(), &overrides)
    }
}

/// Runs a parsed command line; the exit status is success unless the command says
/// otherwise (lint exits 1 when a file has errors).
pub async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let done = std::process::ExitCode::SUCCESS;
    match cli.command {
        Command::Serve(args) => serve::run(args).await.map(|()| done),
        Command::Migrate(args) => migrate::run(args).await.map(|()| done),
        Command::Backup(args) => backup::backup(args).await.map(|()| done),
        Command::Restore(args) => backup::restore(args).await.map(|()| done),
        Command::Workspace(args) => workspace::run(args).await.map(|()| done),
        Command::Token(args) => token::run(args).await.map(|()| done),
        Command::Cycle(args) => cycle::run(args).await.map(|()| done),
        Command::Forecast(args) => forecast::run(args).await.map(|()| done),
        Command::Kr(args) => kr::run(args).map(|()| done),
        Command::Kpi(args) => kpi::run(args).await.map(|()| done),
        Command::CheckIns(args) => check_in::run(args).await.map(|()| done),
        Command::User(args) => user::run(args).await.map(|()| done),
        Command::Lint(args) => lint::run(args).await,
        Command::Apply(args) => apply::run(args).await,
        Command::Diff(args) => diff::run(args),
        Command::Export(args) => export::run(args).await.map(|()| done),
        Command::Report(args) => report::run(args).await.map(|()| done),
        Command::Audit(args) => audit::run(args).await.map(|()| done),
        Command::Bench(args) => bench::run(args).await.map(|()| done),
        Command::Seed(args) => seed::run(args).await.map(|()| done),
        Command::Search(args) => search::run(args).await.map(|()| done),
    }
}

/// Opens the app on the configured database, creating the data directory for SQLite.
/// Its KPI sources may read nothing (an `apply` that sets one is refused as by a
/// server that allows none); `serve` and `kpi` give the operator's lists to
/// [`open_with_sources`].
async fn open(config: &Config) -> anyhow::Result<milepost_app::App> {
    open_with_sources(config, Vec::new(), Vec::new()).await
}

/// Opens the app as [`open`] does, its KPI sources allowed to read the databases of
/// `sql_sources` and fetch the URLs under `http_sources` (`MILEPOST_SQL_SOURCES`,
/// `MILEPOST_HTTP_SOURCES`), and never Milepost's own database.
async fn open_with_sources(
    config: &Config,
    sql_sources: Vec<String>,
    http_sources: Vec<String>,
) -> anyhow::Result<milepost_app::App> {
    open_store(connect(config).await?, sql_sources, http_sources).await
}

/// Opens the app on `store` as [`open_with_sources`] does.
async fn open_store(
    store: milepost_sql::Store,
    sql_sources: Vec<String>,
    http_sources: Vec<String>,
) -> anyhow::Result<milepost_app::App> {
    use anyhow::Context;
    let own = milepost_sources::OwnDatabase::of(&store);
    let webhook_urls = serve::webhook_allow_list()?;
    let app = milepost_app::App::new(store.into_database())
        .with_sources(milepost_sources::KpiSources::shared(sql_sources, http_sources, own))
        .with_webhook_sender(milepost_sources::WebhookClient::shared(webhook_urls));
    app.migrate().await.context("could not bring the database schema up to date")?;
    Ok(app)
}

/// Opens the configured database (making the data directory of a SQLite file first).
async fn connect(config: &Config) -> anyhow::Result<milepost_sql::Store> {
    use anyhow::Context;
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("could not create the data directory {}", config.data_dir.display()))?;
    }
    milepost_sql::Store::connect(&url).await.with_context(|| format!("could not open the database {}", redact(&url)))
}

/// Whom a local command acts as: the operator of the workspace named, or of the only
/// workspace there is.
async fn workspace_caller(app: &milepost_app::App, slug: Option<&str>) -> anyhow::Result<milepost_app::Caller> {
    if let Some(slug) = slug {
        return app.workspaces().caller(slug).await.map_err(explain);
    }
    let workspaces = app.workspaces().list().await.map_err(explain)?;
    match workspaces.as_slice() {
        [only] => app.workspaces().caller(&only.slug).await.map_err(explain),
        [] => anyhow::bail!("there is no workspace yet: create one with `milepost workspace create NAME`"),
        many => {
            let slugs: Vec<&str> = many.iter().map(|w| w.slug.as_str()).collect();
            anyhow::bail!("say which workspace with --workspace: {}", slugs.join(", "))
        }
    }
}

/// Turns an app error into a message for the command line, with each problem's place.
fn explain(error: milepost_app::AppError) -> anyhow::Error {
    match &error {
        milepost_app::AppError::Invalid(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| {
                    // The place as the steps of the request (`key_results/0/target`);
                    // a CSV row's problem already names its row and line.
                    let at = match &p.location {
                        milepost_app::Location::Body(path) => path.pointer().trim_start_matches('/').to_owned(),
                        milepost_app::Location::Parameter(name) | milepost_app::Location::Header(name) => name.clone(),
                    };
                    format!("  {at}: {}", p.detail)
                })
                .collect();
            if lines.len() == 1 {
                anyhow::anyhow!("{}", lines[0].trim_start())
            } else {
                anyhow::anyhow!("{error}:\n{}", lines.join("\n"))
            }
        }
        _ => anyhow::anyhow!("{error}"),
    }
}

/// Prints rows as aligned columns under a header.
fn print_table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        line(row);
    }
}

/// A database URL fit for printing: no password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_output() {
        assert_eq!(redact("postgres://app:s3cret@db:5432/milepost"), "postgres://app:***@db:5432/milepost");
        assert_eq!(redact("postgres://postgres@127.0.0.1/test"), "postgres://postgres@127.0.0.1/test");
        assert_eq!(redact("sqlite://milepost-data/milepost.db"), "sqlite://milepost-data/milepost.db");
    }
}
