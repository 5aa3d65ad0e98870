//! The command line: one file per subcommand.

mod migrate;
mod serve;

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
}

/// Where the data lives; every command that touches the database takes these.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory of the embedded SQLite database [env: MILEPOST_DATA_DIR] [default: milepost-data]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB [env: MILEPOST_DATABASE_URL] [default: the data directory's file]
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Settings file [default: milepost.toml when it exists]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl DataArgs {
    fn load(&self, listen: Option<SocketAddr>) -> anyhow::Result<Config> {
        let overrides = Overrides { listen, data_dir: self.data_dir.clone(), database_url: self.database_url.clone() };
        Config::load(self.config.as_deref(), &overrides)
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Migrate(args) => migrate::run(args).await,
    }
}

/// Opens the app on the configured database, creating the data directory for SQLite.
async fn open(config: &Config) -> anyhow::Result<milepost_app::App> {
    use anyhow::Context;
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("could not create the data directory {}", config.data_dir.display()))?;
    }
    let app = milepost_app::App::connect(&url)
        .await
        .with_context(|| format!("could not open the database {}", redact(&url)))?;
    app.migrate().await.context("could not bring the database schema up to date")?;
    Ok(app)
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
