//! `milepost audit export`: a workspace's whole audit trail (every change: who, what,
//! when, before and after), oldest first, as JSON Lines or CSV, for an admin to keep or
//! hand to an auditor. It reads the trail page by page, so a long one never sits in
//! memory whole.

use super::DataArgs;
use super::remote::RemoteArgs;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use milepost_app::Paged;
use milepost_app::access::{EventQuery, EventView};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `milepost audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Write every event of the trail, oldest first.
    Export {
        /// The workspace (on the local database; optional when it has one).
        #[arg(long, value_name = "SLUG")]
        workspace: Option<String>,
        /// Only events about this kind of thing (`objective`, `key_result`, …).
        #[arg(long, value_name = "KIND")]
        entity: Option<String>,
        /// `jsonl`: one JSON object a line; `csv`: a header, then one row an event
        /// (before and after as JSON text).
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        remote: RemoteArgs,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// How the trail is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// JSON Lines.
    Jsonl,
    /// Comma-separated values (RFC 4180).
    Csv,
}

/// The columns of the CSV form, in order.
const COLUMNS: [&str; 9] =
    ["id", "at", "actor_person_id", "actor_token_id", "action", "entity", "entity_id", "before", "after"];

/// Runs `milepost audit`.
pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    let AuditCommand::Export { workspace, entity, format, output, remote, data } = args.command;
    let mut out: Box<dyn Write> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("could not create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if format == Format::Csv {
        writeln!(out, "{}", COLUMNS.join(","))?;
    }
    let remote = remote.remote()?;
    let local = match &remote {
        Some(_) => None,
        None => {
            let config = data.load(None)?;
            let app = super::open(&config).await?;
            let caller = super::workspace_caller(&app, workspace.as_deref()).await?;
            Some((app, caller))
        }
    };
    let mut after: Option<String> = None;
    let mut count = 0usize;
    loop {
        let query = EventQuery { entity: entity.clone(), entity_id: None, limit: Some(500), after: after.clone() };
        let page: Paged<EventView> = match (&remote, &local) {
            (Some(remote), _) => {
                let mut params = vec![("limit", "500".to_owned())];
                if let Some(entity) = &query.entity {
                    params.push(("entity", entity.clone()));
                }
                if let Some(after) = &query.after {
                    params.push(("after", after.clone()));
                }
                remote.get("/api/v1/events", &params).await?
            }
            (None, Some((app, caller))) => app.access().events(caller, query).await.map_err(super::explain)?,
            (None, None) => anyhow::bail!("there is neither a database nor a server to read from"),
        };
        for event in &page.items {
            match format {
                Format::Jsonl => writeln!(out, "{}", serde_json::to_string(event)?)?,
                Format::Csv => writeln!(out, "{}", csv_row(event))?,
            }
        }
        count += page.items.len();
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    out.flush()?;
    if let Some((app, _)) = local {
        app.close().await;
    }
    if let Some(path) = output {
        eprintln!("Wrote {count} events to {}", path.display());
    }
    Ok(())
}

fn csv_row(event: &EventView) -> String {
    let json = |value: &Option<serde_json::Value>| value.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let number = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let cells = [
        event.id.to_string(),
        event.at.to_string(),
        number(event.actor_person_id),
        number(event.actor_token_id),
        event.action.clone(),
        event.entity.clone(),
        event.entity_id.to_string(),
        json(&event.before),
        json(&event.after),
    ];
    cells.iter().map(|cell| csv_cell(cell)).collect::<Vec<_>>().join(",")
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break, quotes doubled.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_cell("objective"), "objective");
        assert_eq!(csv_cell(r#"{"title":"Grow, fast"}"#), r#""{""title"":""Grow, fast""}""#);
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell(""), "");
    }
}
