//! `milepost export DIR`: the workspace's OKRs as files in canonical form, one per owner
//! and cycle (`DIR/<cycle>/teams/<slug>.md`, `DIR/<cycle>/people/<handle>.md`). Export
//! then apply is a no-op.

use super::DataArgs;
use super::remote::RemoteArgs;
use clap::Args;
use milepost_app::okr_file::{ExportQuery, OkrFileText};
use std::path::PathBuf;

/// Arguments of `milepost export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write the files into (made when missing; files of the same name are replaced).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Only this cycle, by name or slug.
    #[arg(long, value_name = "CYCLE")]
    pub cycle: Option<String>,
    /// Only this owner: `team/<slug>` or `@<handle>`.
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// The workspace to export (on the local database; optional when it has one).
    #[arg(long, value_name = "SLUG")]
    pub workspace: Option<String>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    data: DataArgs,
}

/// Writes the files and says which.
pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let query = ExportQuery { cycle: args.cycle.clone(), owner: args.owner.clone() };
    let files: Vec<OkrFileText> = match args.remote.remote()? {
        Some(remote) => {
            let mut params = Vec::new();
            if let Some(cycle) = &query.cycle {
                params.push(("cycle", cycle.clone()));
            }
            if let Some(owner) = &query.owner {
                params.push(("owner", owner.clone()));
            }
            remote.get("/api/v1/okr-files", &params).await?
        }
        None => {
            let config = args.data.load(None)?;
            let app = super::open(&config).await?;
            let caller = super::workspace_caller(&app, args.workspace.as_deref()).await?;
            let files = app.okr_files().export(&caller, query).await.map_err(super::explain);
            app.close().await;
            files?
        }
    };
    for file in &files {
        // Names come from slugs and handles, which hold no `/` or `..`; check anyway.
        if file.name.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            anyhow::bail!("refusing to write a file named {:?}", file.name);
        }
        super::apply::write_atomically(&args.dir.join(&file.name), &file.text)?;
    }
    let plural = if files.len() == 1 { "" } else { "s" };
    println!("Wrote {} file{plural} to {}", files.len(), args.dir.display());
    for file in &files {
        println!("  {}", file.name);
    }
    Ok(())
}
