//! `milepost report --cycle C --output md|html|csv|json [--out FILE]`: the review report
//! of a closed cycle, from the local database or, with `--server`, from a running
//! Milepost (which answers the typed report as JSON; it is rendered here by the same
//! renderers the server uses, so both give the same file).

use super::DataArgs;
use super::lookup::{local_cycle, remote_id};
use super::remote::RemoteArgs;
use clap::{Args, ValueEnum};
use milepost_app::report::{Report, ReportFormat, render};
use milepost_core::CycleId;
use std::path::PathBuf;

/// The formats of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Markdown, readable in a git review.
    Md,
    /// One self-contained HTML file (styles and charts inline), to mail or attach.
    Html,
    /// CSV, one row per key result.
    Csv,
    /// The typed report as JSON.
    Json,
}

impl From<Format> for ReportFormat {
    fn from(format: Format) -> ReportFormat {
        match format {
            Format::Md => ReportFormat::Md,
            Format::Html => ReportFormat::Html,
            Format::Csv => ReportFormat::Csv,
            Format::Json => ReportFormat::Json,
        }
    }
}

/// Arguments of `milepost report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The closed cycle: its id or its slug.
    #[arg(long, value_name = "CYCLE")]
    cycle: String,
    /// The format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    output: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The workspace (on the local database; optional when it has one).
    #[arg(long, value_name = "SLUG")]
    workspace: Option<String>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    data: DataArgs,
}

/// Builds the report and writes it.
pub async fn run(args: ReportArgs) -> anyhow::Result<()> {
    let report: Report = match args.remote.remote()? {
        Some(remote) => {
            let id = remote_id(&remote, "/api/v1/cycles", "cycle", &args.cycle).await?;
            remote.get(&format!("/api/v1/cycles/{id}/report"), &[("format", "json".to_owned())]).await?
        }
        None => {
            let config = args.data.load(None)?;
            let app = super::open(&config).await?;
            let caller = super::workspace_caller(&app, args.workspace.as_deref()).await?;
            let report = async {
                let id = CycleId(local_cycle(&app, &caller, &args.cycle).await?);
                app.cycles().report(&caller, id).await.map_err(super::explain)
            }
            .await;
            app.close().await;
            report?
        }
    };
    let text = render(&report, args.output.into());
    match &args.out {
        Some(path) => {
            super::apply::write_atomically(path, &text)?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
