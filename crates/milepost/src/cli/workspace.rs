//! `milepost workspace`: create and list the workspaces of this installation (on the
//! local data directory or database, as its operator).

use super::{DataArgs, Output};
use clap::{Args, Subcommand};
use milepost_app::workspace::NewWorkspace;

/// Arguments of `milepost workspace`.
#[derive(Debug, Args)]
pub struct WorkspaceArgs {
    #[command(subcommand)]
    command: WorkspaceCommand,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Debug, Subcommand)]
enum WorkspaceCommand {
    /// Create a workspace: one organisation, with its own people, OKRs and KPIs.
    Create {
        /// Its display name ("Acme Outfitters").
        name: String,
        /// Its short name (default: made from the name).
        #[arg(long)]
        slug: Option<String>,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// List the workspaces.
    List {
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
}

pub async fn run(args: WorkspaceArgs) -> anyhow::Result<()> {
    let config = args.data.load(None)?;
    let app = super::open(&config).await?;
    match args.command {
        WorkspaceCommand::Create { name, slug, output } => {
            let workspace = app.workspaces().create(NewWorkspace { slug, name }).await.map_err(super::explain)?;
            match output {
                Output::Json => println!("{}", serde_json::to_string_pretty(&workspace)?),
                Output::Table => {
                    println!("Created the workspace `{}` ({}).", workspace.slug, workspace.name);
                    println!(
                        "Next: make an admin token with `milepost token create --workspace {} --role admin`.",
                        workspace.slug
                    );
                }
            }
        }
        WorkspaceCommand::List { output } => {
            let workspaces = app.workspaces().list().await.map_err(super::explain)?;
            match output {
                Output::Json => println!("{}", serde_json::to_string_pretty(&workspaces)?),
                Output::Table => {
                    let rows =
                        workspaces.iter().map(|w| vec![w.slug.clone(), w.name.clone(), w.created_at.to_string()]);
                    super::print_table(&["SLUG", "NAME", "CREATED"], rows);
                }
            }
        }
    }
    app.close().await;
    Ok(())
}
