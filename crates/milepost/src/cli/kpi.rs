//! `milepost kpi`: KPIs on the local data directory: list, show, create, record one
//! value, import a CSV file, and draft an objective for a lagging KPI. Each calls the
//! same app function as the JSON API. `kpi source set|remove|run` manages a KPI's pull
//! source, locally or on a server (`--server URL --token T`) through the JSON API.
//! `kpi import-slo` defines KPIs from OpenSLO files (`slo.rs`).
//!
//! `import` reads the file twice, streaming: first it checks every row (a bad row stops
//! it before anything is written, naming the row and line), then it records the rows
//! in batches of `--batch-size`, with a progress bar on a terminal. A measurement is
//! identified by its KPI and time, so an import that was interrupted is resumed by
//! running it again: rows already recorded change nothing.

mod slo;
mod source;

use super::{DataArgs, Output};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use milepost_app::kpi::draft::DraftObjective;
use milepost_app::kpi::measurement::{CsvReader, parse_time};
use milepost_app::kpi::{
    KpiPatch, KpiQuery, KpiTree, KpiTreeRelation, KpiView, MeasurementInput, MeasurementSource, NewKpi, NewMeasurement,
};
use milepost_app::{App, Caller};
use milepost_core::{Cadence, KpiDirection, KpiTier, Named};
use source::{SourceCommand, local_source, remote_source};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

/// Arguments of `milepost kpi`.
#[derive(Debug, Args)]
pub struct KpiArgs {
    #[command(subcommand)]
    command: KpiCommand,
    /// The workspace (default: the only one there is).
    #[arg(long, global = true)]
    workspace: Option<String>,
    #[command(flatten)]
    data: DataArgs,
}

/// Which way a KPI is good.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum DirectionArg {
    /// Higher is better.
    Higher,
    /// Lower is better.
    Lower,
    /// Within a range.
    Range,
}

/// How often a KPI is measured.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum CadenceArg {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
}

/// A KPI or a plain metric.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum TierArg {
    Kpi,
    Metric,
}

impl From<TierArg> for KpiTier {
    fn from(tier: TierArg) -> KpiTier {
        match tier {
            TierArg::Kpi => KpiTier::Kpi,
            TierArg::Metric => KpiTier::Metric,
        }
    }
}

#[derive(Debug, Subcommand)]
enum KpiCommand {
    /// List KPIs with their health now, or as of a past date.
    List {
        /// Only KPIs or only plain metrics.
        #[arg(long, value_enum)]
        tier: Option<TierArg>,
        /// The KPI board as it stood then (an RFC 3339 instant, or a date: the end of
        /// that day in the workspace's time zone), from the measurements recorded by
        /// then. Lists the board's KPIs (tier `kpi`, not archived).
        #[arg(long, value_name = "WHEN")]
        as_of: Option<String>,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Show one KPI (by slug or id) with its health, trend and latest value.
    Show {
        /// The KPI's slug or id.
        kpi: String,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Define a KPI.
    Create {
        /// Its name ("Website uptime").
        #[arg(long)]
        name: String,
        /// Its slug (default: made from the name).
        #[arg(long)]
        slug: Option<String>,
        /// Which way it is good.
        #[arg(long, value_enum)]
        direction: DirectionArg,
        /// Its target (higher or lower is better).
        #[arg(long)]
        target: Option<f64>,
        /// Its good band, `LOW,HIGH` (within a range).
        #[arg(long, value_name = "LOW,HIGH")]
        range: Option<String>,
        /// How far off is still amber.
        #[arg(long)]
        warning_band: Option<f64>,
        /// How often it is measured.
        #[arg(long, value_enum)]
        cadence: CadenceArg,
        /// Unit of the values.
        #[arg(long)]
        unit: Option<String>,
        /// The owner's person id.
        #[arg(long, value_name = "PERSON_ID")]
        owner: Option<i64>,
        /// `kpi` (default) or `metric`.
        #[arg(long, value_enum)]
        tier: Option<TierArg>,
        /// A tag (repeat for more).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Compute it from other KPIs: `orders * average-order-value` (units checked).
        #[arg(long)]
        formula: Option<String>,
        /// The slug of a KPI that drives it (repeat for more).
        #[arg(long = "driver", value_name = "SLUG")]
        drivers: Vec<String>,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Change a KPI's formula or drivers.
    Update {
        /// The KPI's slug or id.
        kpi: String,
        /// Its new formula over other KPIs' slugs.
        #[arg(long, conflicts_with = "no_formula")]
        formula: Option<String>,
        /// Remove its formula: it is measured itself again.
        #[arg(long)]
        no_formula: bool,
        /// The slug of a KPI that drives it (repeat for more; replaces the list).
        #[arg(long = "driver", value_name = "SLUG", conflicts_with = "no_drivers")]
        drivers: Vec<String>,
        /// Remove every named driver.
        #[arg(long)]
        no_drivers: bool,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Record one value of a KPI.
    Record {
        /// The KPI's slug or id.
        kpi: String,
        /// The value.
        value: f64,
        /// The time it measures: RFC 3339 or a day (default: now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Import a CSV file of `measured_at,value` rows; running it again changes nothing.
    Import {
        /// The KPI's slug or id.
        kpi: String,
        /// The CSV file.
        file: PathBuf,
        /// Rows recorded per transaction.
        #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        batch_size: u32,
    },
    /// Draft an objective to bring a lagging KPI back on target.
    Draft {
        /// The KPI's slug or id.
        kpi: String,
        /// The cycle's id (default: the current one).
        #[arg(long)]
        cycle: Option<i64>,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Promote a plain metric to a KPI: onto the board, with health and lagging alerts.
    Promote {
        /// The metric's slug or id.
        kpi: String,
    },
    /// Demote a KPI to a plain metric: still measured and charted, off the board.
    Demote {
        /// The KPI's slug or id.
        kpi: String,
    },
    /// Set, remove or run a KPI's pull source (the server fetches its values itself).
    Source {
        #[command(subcommand)]
        command: SourceCommand,
    },
    /// Define KPIs from OpenSLO v1 SLOs: a target, a warning band and, for PromQL, a
    /// source. What cannot be carried over is reported.
    ImportSlo(slo::ImportSloArgs),
}

/// Promotes or demotes a KPI: one change of its tier, nothing else.
async fn set_tier(app: &App, caller: &Caller, key: &str, tier: KpiTier) -> anyhow::Result<()> {
    let found = app.kpis().find(caller, key).await.map_err(super::explain)?;
    let what = |tier: KpiTier| if tier == KpiTier::Kpi { "a KPI" } else { "a plain metric" };
    if found.tier == tier {
        println!("{} is {} already; nothing changed.", found.slug, what(tier));
        return Ok(());
    }
    let change: KpiPatch = serde_json::from_value(serde_json::json!({"version": found.version, "tier": tier}))
        .context("could not describe the change")?;
    let changed = app.kpis().update(caller, found.id, change).await.map_err(super::explain)?;
    let effect = if tier == KpiTier::Kpi {
        "it is on the board, with health and lagging alerts"
    } else {
        "it is still measured and charted, but off the board and without lagging alerts"
    };
    let verb = if tier == KpiTier::Kpi { "Promoted" } else { "Demoted" };
    println!("{verb} {} to {}: {effect}.", changed.slug, what(tier));
    Ok(())
}

/// The operator of the workspace named, or of the only one there is.
async fn caller(app: &App, workspace: Option<&str>) -> anyhow::Result<Caller> {
    let slug = match workspace {
        Some(slug) => slug.to_owned(),
        None => {
            let all = app.workspaces().list().await.map_err(super::explain)?;
            match all.as_slice() {
                [one] => one.slug.clone(),
                [] => anyhow::bail!("there is no workspace yet: make one with `milepost workspace create NAME`"),
                _ => anyhow::bail!("there are {} workspaces: say which with --workspace SLUG", all.len()),
            }
        }
    };
    app.workspaces().caller(&slug).await.map_err(super::explain)
}

pub(super) fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v}"))
}

fn goal(kpi: &KpiView) -> String {
    let unit = kpi.unit.as_deref().unwrap_or_default();
    match (kpi.direction, kpi.target, kpi.range) {
        (KpiDirection::WithinRange, _, Some([low, high])) => format!("{low}–{high}{unit}"),
        (KpiDirection::LowerIsBetter, Some(target), _) => format!("≤ {target}{unit}"),
        (_, Some(target), _) => format!("≥ {target}{unit}"),
        _ => "-".to_owned(),
    }
}

/// A KPI's driver tree, one KPI a line, indented by depth.
fn print_tree(tree: &KpiTree) {
    if tree.nodes.len() < 2 {
        return;
    }
    println!("Driver tree:");
    for node in &tree.nodes {
        let indent = "  ".repeat(usize::try_from(node.depth).unwrap_or(0));
        let relation = match node.relation {
            KpiTreeRelation::Root => "",
            KpiTreeRelation::Input => " (input)",
            KpiTreeRelation::Driver => " (driver)",
        };
        let unit = node.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        let lagging = if node.state.lagging { ", lagging" } else { "" };
        println!(
            "{indent}{}{relation}: {}{unit}, {}{lagging}",
            node.slug,
            number(node.state.last_value),
            node.state.health.as_str()
        );
        if let Some(driver) = &node.explained_by {
            println!("{indent}  most of the change comes from {driver}");
        }
    }
    if tree.truncated {
        println!("(deeper drivers left out)");
    }
}

fn print_kpis(kpis: &[KpiView]) {
    let rows = kpis.iter().map(|k| {
        vec![
            k.id.to_string(),
            k.slug.clone(),
            k.tier.as_str().to_owned(),
            k.state.health.as_str().to_owned(),
            // Recovering: off target while an active objective works on it.
            match (k.state.lagging, k.state.recovering) {
                (true, true) => "lagging, recovering".to_owned(),
                (true, false) => "lagging".to_owned(),
                (false, true) => "recovering".to_owned(),
                (false, false) => String::new(),
            },
            k.state.trend.as_str().to_owned(),
            number(k.state.last_value),
            goal(k),
            k.cadence.as_str().to_owned(),
        ]
    });
    super::print_table(&["ID", "SLUG", "TIER", "HEALTH", "LAGGING", "TREND", "LAST", "GOAL", "CADENCE"], rows);
}

/// What `kpi show` says of a KPI's recovery: while an active objective works on it
/// (recovering), that objective, the recovery objective drafted for it first; with
/// a recovery objective but back on target, that it has one.
fn recovery_line(kpi: &KpiView, work: &milepost_app::kpi::draft::KpiWork) -> Option<String> {
    let recovery = work.objectives.iter().find(|o| o.recovery);
    let working = recovery.or_else(|| work.objectives.first());
    match (kpi.state.recovering, working) {
        (true, Some(item)) => Some(format!(
            "Recovering: objective {} \"{}\" works on it (/objectives/{}){}.",
            item.objective.id,
            item.objective.title,
            item.objective.id,
            if item.recovery { ", its recovery OKR" } else { "" }
        )),
        (true, None) => Some("Recovering: an active objective you may not see works on it.".to_owned()),
        (false, _) => recovery.map(|item| {
            format!(
                "Recovery OKR: objective {} \"{}\" (/objectives/{}).",
                item.objective.id, item.objective.title, item.objective.id
            )
        }),
    }
}

fn print(output: Output, value: &impl serde::Serialize, table: impl FnOnce()) -> anyhow::Result<()> {
    match output {
        Output::Json => println!("{}", serde_json::to_string_pretty(value)?),
        Output::Table => table(),
    }
    Ok(())
}

pub async fn run(args: KpiArgs) -> anyhow::Result<()> {
    if let KpiCommand::Source { command } = &args.command {
        let (SourceCommand::Set { remote, .. }
        | SourceCommand::Remove { remote, .. }
        | SourceCommand::Run { remote, .. }) = command;
        if let Some(remote) = remote.remote()? {
            let KpiCommand::Source { command } = args.command else { return Ok(()) };
            return remote_source(&remote, command).await;
        }
    }
    if let KpiCommand::ImportSlo(import) = &args.command
        && import.to_file()
    {
        return slo::into_file(import);
    }
    let config = args.data.load(None)?;
    // Acting on the database itself, this command is the operator: its sources may read
    // what the operator's environment allows, as `milepost serve` does.
    let (sql_sources, http_sources) = super::serve::source_allow_lists()?;
    let app = super::open_with_sources(&config, sql_sources, http_sources).await?;
    let caller = caller(&app, args.workspace.as_deref()).await?;
    let result = command(&app, &caller, args.command).await;
    app.close().await;
    result
}

async fn command(app: &App, caller: &Caller, command: KpiCommand) -> anyhow::Result<()> {
    match command {
        KpiCommand::List { tier, as_of: Some(when), output } => {
            let query = milepost_app::as_of::AsOfQuery { as_of: Some(when), known: None };
            let as_of = app.workspaces().as_of(caller, &query).await.map_err(super::explain)?;
            let board = app.kpis().board_as_of(caller, as_of).await.map_err(super::explain)?;
            let kpis: Vec<KpiView> = board
                .items
                .iter()
                .map(|entry| entry.kpi.clone())
                .filter(|kpi| tier.is_none_or(|t| kpi.tier == t.into()))
                .collect();
            print(output, &kpis, || print_kpis(&kpis))
        }
        KpiCommand::List { tier, as_of: None, output } => {
            let mut kpis = Vec::new();
            let mut after = None;
            loop {
                let query = KpiQuery { tier: tier.map(Into::into), limit: Some(500), after, ..KpiQuery::default() };
                let page = app.kpis().list(caller, query).await.map_err(super::explain)?;
                kpis.extend(page.items);
                match page.next_cursor {
                    Some(cursor) => after = Some(cursor),
                    None => break,
                }
            }
            print(output, &kpis, || print_kpis(&kpis))
        }
        KpiCommand::Show { kpi, output } => {
            let kpi = app.kpis().find(caller, &kpi).await.map_err(super::explain)?;
            let work = app.kpis().work(caller, kpi.id).await.map_err(super::explain)?;
            let tree = app.kpis().tree(caller, kpi.id).await.map_err(super::explain)?;
            print(output, &kpi, || {
                println!("{} ({}), {}: {}", kpi.name, kpi.slug, kpi.tier.as_str(), kpi.description);
                print_kpis(std::slice::from_ref(&kpi));
                if let Some(at) = kpi.state.last_measured_at {
                    println!("Last measured at {at}.");
                }
                if let Some(line) = recovery_line(&kpi, &work) {
                    println!("{line}");
                }
                if let Some(formula) = &kpi.formula {
                    println!("Computed from its formula: {formula}");
                }
                print_tree(&tree);
            })
        }
        KpiCommand::Update { kpi, formula, no_formula, drivers, no_drivers, output } => {
            let found = app.kpis().find(caller, &kpi).await.map_err(super::explain)?;
            let mut change = serde_json::json!({"version": found.version});
            if no_formula {
                change["formula"] = serde_json::Value::Null;
            } else if let Some(formula) = formula {
                change["formula"] = formula.into();
            }
            if no_drivers {
                change["drivers"] = serde_json::json!([]);
            } else if !drivers.is_empty() {
                change["drivers"] = drivers.into();
            }
            let change: KpiPatch = serde_json::from_value(change).context("could not describe the change")?;
            let kpi = app.kpis().update(caller, found.id, change).await.map_err(super::explain)?;
            print(output, &kpi, || println!("Updated KPI {} ({}), version {}.", kpi.name, kpi.slug, kpi.version))
        }
        KpiCommand::Create {
            name,
            slug,
            direction,
            target,
            range,
            warning_band,
            cadence,
            unit,
            owner,
            tier,
            tags,
            formula,
            drivers,
            output,
        } => {
            let range = match range {
                Some(text) => {
                    let (low, high) = text.split_once(',').context("--range is LOW,HIGH, for example 2,3")?;
                    Some([
                        low.trim().parse().context("--range LOW is not a number")?,
                        high.trim().parse().context("--range HIGH is not a number")?,
                    ])
                }
                None => None,
            };
            let new = NewKpi {
                slug,
                name,
                description: None,
                owner_person_id: owner,
                unit,
                direction: match direction {
                    DirectionArg::Higher => KpiDirection::HigherIsBetter,
                    DirectionArg::Lower => KpiDirection::LowerIsBetter,
                    DirectionArg::Range => KpiDirection::WithinRange,
                },
                target,
                range,
                warning_band,
                cadence: match cadence {
                    CadenceArg::Daily => Cadence::Daily,
                    CadenceArg::Weekly => Cadence::Weekly,
                    CadenceArg::Monthly => Cadence::Monthly,
                    CadenceArg::Quarterly => Cadence::Quarterly,
                },
                tier: tier.map(Into::into),
                tags,
                lagging_after: None,
                source: None,
                formula,
                drivers,
            };
            let kpi = app.kpis().create(caller, new).await.map_err(super::explain)?;
            print(output, &kpi, || println!("Created KPI {} ({}), id {}.", kpi.name, kpi.slug, kpi.id))
        }
        KpiCommand::Record { kpi, value, at } => {
            let found = app.kpis().find(caller, &kpi).await.map_err(super::explain)?;
            let measured_at = match at {
                Some(text) => Some(parse_time(&text).with_context(|| {
                    format!("--at {text:?} is not a time: write 2026-11-16T09:00:00Z or 2026-11-16")
                })?),
                None => None,
            };
            let recorded = app
                .kpis()
                .record(caller, found.id, NewMeasurement { value, measured_at }, MeasurementSource::Cli)
                .await
                .map_err(super::explain)?;
            let at = recorded.measurement.measured_at;
            if recorded.written {
                println!("Recorded {value} for {} at {at}: {} now.", found.slug, recorded.kpi.state.health.as_str());
            } else {
                println!("{} already has {value} at {at}: nothing changed.", found.slug);
            }
            Ok(())
        }
        KpiCommand::Import { kpi, file, batch_size } => import(app, caller, &kpi, &file, batch_size).await,
        KpiCommand::Source { command } => local_source(app, caller, command).await,
        KpiCommand::ImportSlo(import) => slo::into_database(app, caller, &import).await,
        KpiCommand::Promote { kpi } => set_tier(app, caller, &kpi, KpiTier::Kpi).await,
        KpiCommand::Demote { kpi } => set_tier(app, caller, &kpi, KpiTier::Metric).await,
        KpiCommand::Draft { kpi, cycle, output } => {
            let found = app.kpis().find(caller, &kpi).await.map_err(super::explain)?;
            let drafted = app
                .kpis()
                .draft_recovery_objective(caller, found.id, DraftObjective { cycle_id: cycle })
                .await
                .map_err(super::explain)?;
            let objective = drafted.objective;
            print(output, &objective, || {
                if !drafted.created {
                    println!(
                        "{} already has an active recovery objective, {}: {} (nothing new drafted).",
                        found.slug, objective.id, objective.title
                    );
                    return;
                }
                println!("Drafted objective {}: {}", objective.id, objective.title);
                for key_result in &objective.key_results {
                    println!("  - {}", key_result.title);
                }
                println!("Edit it, then commit to it.");
            })
        }
    }
}

/// Streams the rows of a CSV file: each measurement, or the problem with its row.
struct Rows {
    lines: BufReader<std::fs::File>,
    reader: CsvReader,
    line: String,
    path: PathBuf,
}

impl Rows {
    fn open(path: &std::path::Path) -> anyhow::Result<Rows> {
        let handle = std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
        Ok(Rows { lines: BufReader::new(handle), reader: CsvReader::default(), line: String::new(), path: path.into() })
    }

    /// The next row; `None` at the end of the file.
    fn next_row(&mut self) -> anyhow::Result<Option<Result<MeasurementInput, String>>> {
        loop {
            self.line.clear();
            let read = self
                .lines
                .read_line(&mut self.line)
                .with_context(|| format!("could not read {}", self.path.display()))?;
            if read == 0 {
                return Ok(None);
            }
            if let Some(row) = self.reader.read_line(&self.line) {
                return Ok(Some(row.map_err(|problem| problem.detail)));
            }
        }
    }
}

async fn import(app: &App, caller: &Caller, kpi: &str, file: &std::path::Path, batch_size: u32) -> anyhow::Result<()> {
    let found = app.kpis().find(caller, kpi).await.map_err(super::explain)?;
    // First pass: every row is checked before anything is written.
    let latest = app.now().saturating_add(jiff::SignedDuration::from_mins(5)).unwrap_or(app.now());
    let mut total: u64 = 0;
    let mut rows = Rows::open(file)?;
    while let Some(row) = rows.next_row()? {
        let row = row.map_err(|detail| anyhow::anyhow!("{}: {detail}; nothing was imported", file.display()))?;
        total += 1;
        if row.measured_at > latest {
            anyhow::bail!(
                "{}: row {total}: {} is in the future: a measurement reports what was; nothing was imported",
                file.display(),
                row.measured_at
            );
        }
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("Importing into {}", found.slug));
    // Second pass: batches, each in its own transaction.
    let size = usize::try_from(batch_size).unwrap_or(50_000);
    let (mut written, mut corrected, mut check_ins) = (0, 0, 0);
    let mut rows = Rows::open(file)?;
    let mut done = false;
    while !done {
        let mut batch: Vec<MeasurementInput> = Vec::with_capacity(size);
        while batch.len() < size {
            match rows.next_row()? {
                Some(row) => batch.push(row.map_err(|detail| anyhow::anyhow!("{}: {detail}", file.display()))?),
                None => {
                    done = true;
                    break;
                }
            }
        }
        if batch.is_empty() {
            break;
        }
        let count = batch.len() as u64;
        let result =
            app.kpis().record_many(caller, found.id, batch, MeasurementSource::Csv).await.map_err(super::explain)?;
        written += result.written;
        corrected += result.corrected;
        check_ins += result.check_ins;
        bar.inc(count);
    }
    bar.finish_and_clear();
    println!(
        "Imported {} into {}: {total} rows read, {written} written ({corrected} corrections), {} unchanged, \
         {check_ins} key result check-ins.",
        file.display(),
        found.slug,
        total - written
    );
    Ok(())
}
