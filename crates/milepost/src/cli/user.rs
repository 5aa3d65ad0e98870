//! `milepost user`: people who log in. `milepost user create --admin` makes the first
//! admin of a workspace; a password is read from standard input or made up and shown
//! once.

use super::DataArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use milepost_app::person::{NewPerson, PersonQuery, Role};
use milepost_core::Named;
use rand::RngExt;
use std::io::BufRead;

/// Arguments of `milepost user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a person who can log in.
    Create {
        /// The workspace.
        #[arg(long)]
        workspace: String,
        /// Their email, which they log in with.
        #[arg(long)]
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// Make them an admin (the same as --role admin).
        #[arg(long, conflicts_with = "role")]
        admin: bool,
        /// admin, editor, member (default) or viewer.
        #[arg(long)]
        role: Option<String>,
        /// Read the password from the first line of standard input instead of making one up.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a person's password (and end their sessions).
    Password {
        /// The workspace.
        #[arg(long)]
        workspace: String,
        /// Their email.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead of making one up.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A password of 20 letters and digits, about 119 bits.
fn made_up_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("could not read the password from standard input")?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((made_up_password(), true))
    }
}

fn parse_role(admin: bool, role: Option<&str>) -> anyhow::Result<Role> {
    if admin {
        return Ok(Role::Admin);
    }
    Ok(match role.unwrap_or("member") {
        "admin" => Role::Admin,
        "editor" => Role::Editor,
        "member" => Role::Member,
        "viewer" => Role::Viewer,
        other => anyhow::bail!("{other:?} is not a role: use admin, editor, member or viewer"),
    })
}

pub async fn run(args: UserArgs) -> anyhow::Result<()> {
    let config = args.data.load(None)?;
    let app = super::open(&config).await?;
    match args.command {
        UserCommand::Create { workspace, email, name, admin, role, password_stdin } => {
            let role = parse_role(admin, role.as_deref())?;
            let (password, made_up) = password(password_stdin)?;
            let caller = app.workspaces().caller(&workspace).await.map_err(super::explain)?;
            let new = NewPerson { handle: None, name, email, role: Some(role), team_id: None };
            let person =
                app.people().create_with_password(&caller, new, Some(&password)).await.map_err(super::explain)?;
            println!("Added {} <{}> to `{workspace}` as {}.", person.name, person.email, role.as_str());
            if made_up {
                println!("Password (shown once): {password}");
            }
        }
        UserCommand::Password { workspace, email, password_stdin } => {
            let (password, made_up) = password(password_stdin)?;
            let caller = app.workspaces().caller(&workspace).await.map_err(super::explain)?;
            let everyone = PersonQuery { limit: Some(500), ..PersonQuery::default() };
            let email = email.trim().to_lowercase();
            let mut found = None;
            let mut page = app.people().list(&caller, everyone.clone()).await.map_err(super::explain)?;
            loop {
                found = found.or_else(|| page.items.iter().find(|p| p.email == email).cloned());
                match (&found, page.next_cursor.clone()) {
                    (None, Some(after)) => {
                        let query = PersonQuery { after: Some(after), ..everyone.clone() };
                        page = app.people().list(&caller, query).await.map_err(super::explain)?;
                    }
                    _ => break,
                }
            }
            let person = found.with_context(|| format!("nobody in `{workspace}` has the email {email}"))?;
            app.access().set_password(&caller, person.id, &password).await.map_err(super::explain)?;
            println!("Set the password of {} <{}>; their sessions have ended.", person.name, person.email);
            if made_up {
                println!("Password (shown once): {password}");
            }
        }
    }
    app.close().await;
    Ok(())
}
