//! `milepost cycle`: a cycle's end of quarter. `cycle close` closes and grades a cycle
//! (`--dry-run` shows the scores it would freeze and what is still open; before its end
//! date it needs `--early`). `cycle carry` carries the unfinished
//! objectives of a closed cycle into a later one (by default the next by start date),
//! printing what it did as a table or JSON; `--dry-run` previews it and writes nothing.
//! It runs on the local database (`--data-dir`, `--database-url`) or on a server
//! (`--server URL --token T`) through the JSON API, and calls the same app functions as
//! the API either way.

use super::lookup::{local_cycle, local_team, remote_id};
use super::remote::RemoteArgs;
use super::{DataArgs, Output};
use clap::{Args, Subcommand};
use milepost_app::carry::{CarryRequest, CarryScope};
use milepost_app::cycle::CycleClose;
use milepost_core::CycleId;
use serde_json::Value;

/// Arguments of `milepost cycle`.
#[derive(Debug, Args)]
pub struct CycleArgs {
    #[command(subcommand)]
    command: CycleCommand,
    /// The workspace (default: the only one there is).
    #[arg(long, global = true)]
    workspace: Option<String>,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Debug, Subcommand)]
enum CycleCommand {
    /// Close and grade a cycle (admins): freeze every score under the workspace's
    /// thresholds. `--dry-run` shows what it would freeze.
    Close {
        /// The cycle (slug or id).
        #[arg(long, value_name = "SLUG|ID")]
        cycle: String,
        /// Close it even though its end date is still ahead.
        #[arg(long)]
        early: bool,
        /// Show the scores it would freeze and what is still open, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
        /// The same as `--output json`.
        #[arg(long, conflicts_with = "output")]
        json: bool,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Carry a closed cycle's unfinished objectives into a later cycle: copies that
    /// start from the value reached and link to their origin.
    Carry {
        /// The closed cycle (slug or id).
        #[arg(long, value_name = "SLUG|ID")]
        cycle: String,
        /// The cycle to carry into (default: the next one by start date).
        #[arg(long, value_name = "SLUG|ID")]
        into: Option<String>,
        /// Only the unfinished objectives of this team (slug or id).
        #[arg(long, value_name = "SLUG|ID", conflicts_with = "objective")]
        team: Option<String>,
        /// Only these objectives (repeat for more), finished or not.
        #[arg(long, value_name = "ID")]
        objective: Vec<i64>,
        /// Show what would be carried, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
        /// The same as `--output json`.
        #[arg(long, conflicts_with = "output")]
        json: bool,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

/// Runs `milepost cycle ...`.
pub async fn run(args: CycleArgs) -> anyhow::Result<()> {
    let workspace = args.workspace.as_deref();
    match args.command {
        CycleCommand::Close { cycle, early, dry_run, output, json, remote } => {
            let output = if json { Output::Json } else { output };
            Close { cycle, early, dry_run, output }.run(remote, &args.data, workspace).await
        }
        CycleCommand::Carry { cycle, into, team, objective, dry_run, output, json, remote } => {
            let carry = Carry { cycle, into, team, objective, dry_run };
            carry.run(if json { Output::Json } else { output }, remote, &args.data, workspace).await
        }
    }
}

/// What `milepost cycle carry` was asked.
struct Carry {
    cycle: String,
    into: Option<String>,
    team: Option<String>,
    objective: Vec<i64>,
    dry_run: bool,
}

impl Carry {
    /// Previews or makes the carry, locally or on a server, and prints the outcome.
    async fn run(
        self,
        output: Output,
        remote: RemoteArgs,
        data: &DataArgs,
        workspace: Option<&str>,
    ) -> anyhow::Result<()> {
        let Carry { cycle, into, team, objective, dry_run } = self;
        let outcome = match remote.remote()? {
            Some(remote) => {
                let source = remote_id(&remote, "/api/v1/cycles", "cycle", &cycle).await?;
                let target = match &into {
                    Some(key) => Some(remote_id(&remote, "/api/v1/cycles", "cycle", key).await?),
                    None => None,
                };
                let team = match &team {
                    Some(key) => Some(remote_id(&remote, "/api/v1/teams", "team", key).await?),
                    None => None,
                };
                let path = format!("/api/v1/cycles/{source}/carry");
                if dry_run {
                    let mut query = Vec::new();
                    if let Some(target) = target {
                        query.push(("target_cycle_id", target.to_string()));
                    }
                    if let Some(team) = team {
                        query.push(("team_id", team.to_string()));
                    }
                    if !objective.is_empty() {
                        let ids: Vec<String> = objective.iter().map(i64::to_string).collect();
                        query.push(("objective_ids", ids.join(",")));
                    }
                    remote.get::<Value>(&path, &query).await?
                } else {
                    let scope = scope_of(team, objective);
                    let body = serde_json::json!({"target_cycle_id": target, "scope": scope});
                    remote.post::<_, Value>(&path, &body).await?
                }
            }
            None => {
                let config = data.load(None)?;
                let app = super::open(&config).await?;
                let caller = super::workspace_caller(&app, workspace).await?;
                let source = local_cycle(&app, &caller, &cycle).await?;
                let target = match &into {
                    Some(key) => Some(local_cycle(&app, &caller, key).await?),
                    None => None,
                };
                let team = match &team {
                    Some(key) => Some(local_team(&app, &caller, key).await?),
                    None => None,
                };
                let request =
                    CarryRequest { target_cycle_id: target, scope: scope_of(team, objective), overrides: Vec::new() };
                let carries = app.carries();
                let outcome = if dry_run {
                    carries.preview(&caller, CycleId(source), request).await
                } else {
                    carries.carry(&caller, CycleId(source), request).await
                };
                serde_json::to_value(outcome.map_err(super::explain)?)?
            }
        };
        match output {
            Output::Json => println!("{}", serde_json::to_string_pretty(&outcome)?),
            Output::Table => print_outcome(&outcome),
        }
        Ok(())
    }
}

fn scope_of(team: Option<i64>, objectives: Vec<i64>) -> CarryScope {
    match (team, objectives.is_empty()) {
        (Some(team), _) => CarryScope::TeamId(team),
        (None, false) => CarryScope::ObjectiveIds(objectives),
        (None, true) => CarryScope::AllUnfinished,
    }
}

fn number(value: &Value) -> String {
    match value.as_f64() {
        Some(n) => format!("{}", (n * 1000.0).round() / 1000.0),
        None => "-".to_owned(),
    }
}

/// The outcome as a table: one row per objective, then its key results indented.
fn print_outcome(outcome: &Value) {
    let preview = outcome["preview"].as_bool().unwrap_or(false);
    let objectives = outcome["objectives"].as_array().map(Vec::as_slice).unwrap_or_default();
    println!(
        "{} {} objective(s) from cycle {} into cycle {}.",
        if preview { "Would carry" } else { "Carried" },
        objectives.len(),
        outcome["source_cycle_id"],
        outcome["target_cycle_id"]
    );
    let mut rows = Vec::new();
    for objective in objectives {
        let copy = match (&objective["copy_objective_id"], objective["created"].as_bool()) {
            (Value::Null, _) => "-".to_owned(),
            (id, Some(true)) => format!("{id} (new)"),
            (id, _) => format!("{id} (existing)"),
        };
        let alignment = &objective["alignment"];
        let aligned = match (alignment["by"].as_str().unwrap_or("-"), &alignment["parent_objective_id"]) {
            ("asks", _) => "asks: choose a parent".to_owned(),
            (by, Value::Null) => by.replace('_', " "),
            (by, parent) => format!("{} {parent}", by.replace('_', " ")),
        };
        rows.push(vec![
            objective["origin_objective_id"].to_string(),
            copy,
            objective["title"].as_str().unwrap_or_default().to_owned(),
            aligned,
        ]);
        for key_result in objective["key_results"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if preview && key_result["selected"] == false {
                continue;
            }
            let copy = match &key_result["copy_key_result_id"] {
                Value::Null => "-".to_owned(),
                id => id.to_string(),
            };
            rows.push(vec![
                format!("  {}", key_result["origin_key_result_id"]),
                copy,
                format!("  {}", key_result["title"].as_str().unwrap_or_default()),
                format!("starts at {}", number(&key_result["start"])),
            ]);
        }
        for skipped in objective["skipped_key_results"].as_array().map(Vec::as_slice).unwrap_or_default() {
            rows.push(vec![
                format!("  {}", skipped["origin_key_result_id"]),
                "skipped".to_owned(),
                format!("  {}", skipped["title"].as_str().unwrap_or_default()),
                skipped["reason"].as_str().unwrap_or_default().to_owned(),
            ]);
        }
    }
    super::print_table(&["ORIGIN", "COPY", "TITLE", "ALIGNED / START"], rows.into_iter());
}

/// What `milepost cycle close` was asked.
struct Close {
    cycle: String,
    early: bool,
    dry_run: bool,
    output: Output,
}

impl Close {
    /// Previews or closes the cycle, locally or on a server, and prints the outcome.
    async fn run(self, remote: RemoteArgs, data: &DataArgs, workspace: Option<&str>) -> anyhow::Result<()> {
        let (preview, closed): (Value, Option<Value>) = match remote.remote()? {
            Some(remote) => {
                let id = remote_id(&remote, "/api/v1/cycles", "cycle", &self.cycle).await?;
                let path = format!("/api/v1/cycles/{id}/close");
                let preview: Value = remote.get(&path, &[]).await?;
                let closed = match self.dry_run {
                    true => None,
                    false => {
                        let body =
                            serde_json::json!({"version": preview["cycle"]["version"], "confirm_early": self.early});
                        Some(remote.post::<_, Value>(&path, &body).await?)
                    }
                };
                (preview, closed)
            }
            None => {
                let config = data.load(None)?;
                let app = super::open(&config).await?;
                let caller = super::workspace_caller(&app, workspace).await?;
                let id = CycleId(local_cycle(&app, &caller, &self.cycle).await?);
                let preview = app.cycles().close_preview(&caller, id).await.map_err(super::explain)?;
                let closed = match self.dry_run {
                    true => None,
                    false => {
                        let close = CycleClose { version: preview.cycle.version, confirm_early: self.early };
                        let closed = app.cycles().close(&caller, id, close).await.map_err(super::explain)?;
                        Some(serde_json::to_value(closed)?)
                    }
                };
                (serde_json::to_value(preview)?, closed)
            }
        };
        match self.output {
            Output::Json => {
                let answer = serde_json::json!({"preview": preview, "closed": closed});
                println!("{}", serde_json::to_string_pretty(&answer)?);
            }
            Output::Table => print_close(&preview, closed.as_ref()),
        }
        Ok(())
    }
}

/// The scores a close froze (or would), one row per objective, then what is still open.
fn print_close(preview: &Value, closed: Option<&Value>) {
    let cycle = &preview["cycle"];
    let name = cycle["name"].as_str().unwrap_or_default();
    match closed {
        Some(_) => println!("Closed {name}: its scores are frozen."),
        None if preview["early"] == true => println!(
            "Closing {name} now would freeze these scores, {} days before its end date {} (it needs --early):",
            preview["days_left"],
            cycle["end_date"].as_str().unwrap_or_default()
        ),
        None => println!("Closing {name} now would freeze these scores:"),
    }
    let outcome = |kind: &str| {
        let o = &preview["summary"][kind];
        format!("{} of {}", o["succeeded"], o["total"])
    };
    println!("Committed succeeded: {}; aspirational succeeded: {}.", outcome("committed"), outcome("aspirational"));
    let rows = preview["objectives"].as_array().map(Vec::as_slice).unwrap_or_default().iter().map(|o| {
        let succeeded = match o["score"]["succeeded"].as_bool() {
            Some(true) => "succeeded",
            Some(false) => "missed",
            None => "-",
        };
        vec![
            o["id"].to_string(),
            o["title"].as_str().unwrap_or_default().to_owned(),
            o["commitment"].as_str().unwrap_or_default().to_owned(),
            number(&o["score"]["value"]),
            o["score"]["colour"].as_str().unwrap_or_default().to_owned(),
            succeeded.to_owned(),
        ]
    });
    super::print_table(&["ID", "OBJECTIVE", "KIND", "SCORE", "COLOUR", "OUTCOME"], rows);
    let open = &preview["still_open"];
    let count = |key: &str| open[key].as_array().map_or(0, Vec::len);
    println!(
        "Still open: {} key result(s) never checked in, {} overdue for a check-in, {} initiative(s) planned or active.",
        count("never_checked_in"),
        count("check_in_overdue"),
        open["initiatives_not_done"]
    );
}
