//! `milepost token`: API tokens for machines and scripts. A token is printed once, when
//! it is made; only its hash is kept.

use super::{DataArgs, Output};
use clap::{Args, Subcommand, ValueEnum};
use milepost_app::access::NewApiToken;
use milepost_app::person::Role;
use milepost_core::Named;
use milepost_core::TokenId;

/// Arguments of `milepost token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
    #[command(flatten)]
    data: DataArgs,
}

/// The role a token acts with.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Editor,
    Member,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::Editor => Role::Editor,
            RoleArg::Member => Role::Member,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Make a token; it is printed once and cannot be shown again.
    Create {
        /// The workspace it acts in.
        #[arg(long)]
        workspace: String,
        /// The role it acts with.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// What it is for.
        #[arg(long)]
        name: Option<String>,
        /// Days until it stops working (default: never).
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// List a workspace's tokens (never their secrets).
    List {
        /// The workspace.
        #[arg(long)]
        workspace: String,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The workspace.
        #[arg(long)]
        workspace: String,
        /// The token's id, from `milepost token list`.
        id: i64,
    },
}

pub async fn run(args: TokenArgs) -> anyhow::Result<()> {
    let config = args.data.load(None)?;
    let app = super::open(&config).await?;
    match args.command {
        TokenCommand::Create { workspace, role, name, expires_in_days, output } => {
            let caller = app.workspaces().caller(&workspace).await.map_err(super::explain)?;
            let created = app
                .access()
                .create_token(&caller, NewApiToken { name, role: role.into(), expires_in_days })
                .await
                .map_err(super::explain)?;
            match output {
                Output::Json => println!("{}", serde_json::to_string_pretty(&created)?),
                Output::Table => {
                    println!("{}", created.token);
                    eprintln!(
                        "This is the only time the token is shown. It acts in `{workspace}` as {}{}.",
                        created.details.role.as_str(),
                        created.details.expires_at.map(|at| format!(" until {at}")).unwrap_or_default()
                    );
                    eprintln!("Use it as: curl -H 'Authorization: Bearer {}' …/api/v1/objectives", created.token);
                }
            }
        }
        TokenCommand::List { workspace, output } => {
            let caller = app.workspaces().caller(&workspace).await.map_err(super::explain)?;
            let tokens = app.access().list_tokens(&caller).await.map_err(super::explain)?;
            match output {
                Output::Json => println!("{}", serde_json::to_string_pretty(&tokens)?),
                Output::Table => {
                    let rows = tokens.iter().map(|t| {
                        vec![
                            t.id.to_string(),
                            t.name.clone(),
                            t.role.as_str().to_owned(),
                            format!("{}…", t.prefix),
                            format!("{:?}", t.state).to_lowercase(),
                            t.last_used_at.map_or_else(|| "never".to_owned(), |at| at.to_string()),
                        ]
                    });
                    super::print_table(&["ID", "NAME", "ROLE", "STARTS WITH", "STATE", "LAST USED"], rows);
                }
            }
        }
        TokenCommand::Revoke { workspace, id } => {
            let caller = app.workspaces().caller(&workspace).await.map_err(super::explain)?;
            let token = app.access().revoke_token(&caller, TokenId(id)).await.map_err(super::explain)?;
            println!("Revoked token {} ({}); it no longer works.", token.id, token.name);
        }
    }
    app.close().await;
    Ok(())
}
