//! `milepost backup FILE` and `milepost restore FILE`: a consistent online backup of the
//! database while servers keep writing, and its restore into an empty database (or, with
//! `--force`, over one). See docs/operations.md.

use super::DataArgs;
use anyhow::Context;
use clap::Args;
use milepost_sql::backup::{self, BackupInfo};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `milepost backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write: a SQLite database (from SQLite) or a pg_dump custom-format archive (from PostgreSQL)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    data: DataArgs,
}

/// Arguments of `milepost restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `milepost backup`
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Replace a database that holds workspaces (stop the servers using it first)
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    data: DataArgs,
}

fn describe(info: &BackupInfo) -> String {
    let schema = info.schema.as_deref().map(|s| format!(", schema {s}")).unwrap_or_default();
    format!(
        "{} backup, schema version {}, {} workspace(s){schema}",
        info.kind.as_str(),
        info.schema_version,
        info.workspaces
    )
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = args.data.load(None)?;
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        // Connecting would create an empty database: a backup of nothing.
        let file = config.database_url().trim_start_matches("sqlite://").trim_start_matches("sqlite:").to_owned();
        let path = std::path::Path::new(file.split('?').next().unwrap_or_default());
        anyhow::ensure!(path.is_file(), "there is no database at {}: nothing to back up", path.display());
    }
    let store = milepost_sql::Store::connect(&url)
        .await
        .with_context(|| format!("could not open the database {}", super::redact(&url)))?;
    let written = store.backup(&url, &args.file, args.force).await;
    store.close().await;
    let info = written.with_context(|| format!("could not back up {}", super::redact(&url)))?;
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up {} to {} ({}; {size} bytes) in {} ms.",
        super::redact(&url),
        args.file.display(),
        describe(&info),
        started.elapsed().as_millis()
    );
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = args.data.load(None)?;
    let url = config.database_url();
    let info = backup::restore(&args.file, &url, args.force)
        .await
        .with_context(|| format!("could not restore {} into {}", args.file.display(), super::redact(&url)))?;
    println!(
        "Restored {} ({}) into {} in {} ms; its schema is up to date (version {}).",
        args.file.display(),
        describe(&info),
        super::redact(&url),
        started.elapsed().as_millis(),
        milepost_sql::latest_version()
    );
    Ok(())
}
