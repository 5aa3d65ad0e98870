//! `milepost check-ins import FILE`: a CSV history of check-ins (columns `key_result`,
//! `checked_in_at`, `value` and, optionally, `confidence`, `note`, `blockers`, `author`;
//! see `milepost_app::check_in_import`) recorded on the local data directory all or
//! nothing, through the same app function as `POST /api/v1/check-ins/import`.

use super::DataArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use milepost_app::check_in_import::parse_check_in_csv;
use std::path::PathBuf;

/// Arguments of `milepost check-ins`.
#[derive(Debug, Args)]
pub struct CheckInArgs {
    #[command(subcommand)]
    command: CheckInCommand,
    /// The workspace (default: the only one there is).
    #[arg(long, global = true)]
    workspace: Option<String>,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Debug, Subcommand)]
enum CheckInCommand {
    /// Import a CSV file of check-ins (key_result,checked_in_at,value,confidence,note,blockers,author), all or nothing.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

/// Runs `milepost check-ins`.
pub async fn run(args: CheckInArgs) -> anyhow::Result<()> {
    let config = args.data.load(None)?;
    let CheckInCommand::Import { file } = args.command;
    let text = std::fs::read_to_string(&file).with_context(|| format!("could not read {}", file.display()))?;
    let app = super::open(&config).await?;
    let result = async {
        let caller = super::workspace_caller(&app, args.workspace.as_deref()).await?;
        let rows = parse_check_in_csv(&text)
            .map_err(super::explain)
            .with_context(|| format!("{}: nothing was imported", file.display()))?;
        let imported = app
            .check_ins()
            .import(&caller, rows)
            .await
            .map_err(super::explain)
            .with_context(|| format!("{}: nothing was imported", file.display()))?;
        println!(
            "Imported {}: {} check-ins on {} key results.",
            file.display(),
            imported.imported,
            imported.key_results
        );
        Ok(())
    }
    .await;
    app.close().await;
    result
}
