//! `milepost migrate`: bring the schema up to date and exit (servers also do it at start).

use super::DataArgs;
use clap::Args;

/// Arguments of `milepost migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    data: DataArgs,
}

pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let config = args.data.load(None)?;
    let app = super::open(&config).await?;
    app.close().await;
    println!("The database at {} is up to date.", super::redact(&config.database_url()));
    Ok(())
}
