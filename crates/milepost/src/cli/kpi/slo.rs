//! `milepost kpi import-slo FILE…`: OpenSLO v1 SLOs into KPIs (docs/kpis.md, "OpenSLO").
//!
//! The files are read by `milepost_okrfile::import_slos`: each objective of each SLO is a
//! KPI with a target, a warning band, a cadence and, where the indicator names a PromQL
//! query, a Prometheus source. What it cannot carry over is printed as a warning; an
//! error stops the import before anything is written. The KPIs then go either into the
//! database, created or updated by slug through the same use case as KPI files (the
//! owner's other KPIs are left alone), or with `--kpi-file` into a KPI file, to review
//! in git and `milepost apply`.

use super::super::Output;
use anyhow::Context;
use clap::Args;
use milepost_app::okr_file::OkrFileText;
use milepost_app::{App, Caller};
use milepost_core::Named;
use milepost_okrfile::{KpiFile, KpiOwner, SloImport, SloOptions, SloSeverity, SloText, import_slos};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `milepost kpi import-slo`.
#[derive(Debug, Args)]
pub struct ImportSloArgs {
    /// OpenSLO v1 YAML files: SLO documents, and the SLI and DataSource documents they
    /// name.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Who owns the KPIs: a person's handle (`@dana`), or `nobody`.
    #[arg(long, default_value = "nobody", value_name = "HANDLE")]
    owner: String,
    /// The Prometheus base URL for metric sources whose DataSource names none.
    #[arg(long, value_name = "URL")]
    prometheus_url: Option<String>,
    /// Write the KPIs into this KPI file (made, or merged by slug) instead of the
    /// database.
    #[arg(long, value_name = "FILE")]
    kpi_file: Option<PathBuf>,
    /// Only show what would change.
    #[arg(long)]
    dry_run: bool,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    output: Output,
}

impl ImportSloArgs {
    /// Whether it writes a file rather than the database.
    pub fn to_file(&self) -> bool {
        self.kpi_file.is_some()
    }
}

/// Reads the files; prints the notes; stops on an error.
fn read(args: &ImportSloArgs) -> anyhow::Result<(SloImport, KpiFile)> {
    let texts: Vec<(String, String)> = args
        .files
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .map(|text| (path.display().to_string(), text))
                .with_context(|| format!("could not read {}", path.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    let files: Vec<SloText<'_>> = texts.iter().map(|(name, text)| SloText { name, text }).collect();
    let options = SloOptions { prometheus_url: args.prometheus_url.clone() };
    let read = import_slos(&files, &options);
    for note in &read.notes {
        eprintln!("{note}");
    }
    if read.has_errors() {
        let count = read.notes.iter().filter(|n| n.severity == SloSeverity::Error).count();
        anyhow::bail!("nothing imported: {count} error(s) above");
    }
    if read.kpis.is_empty() {
        anyhow::bail!(
            "no SLO in {}: nothing to import",
            texts.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    let owner = owner(&args.owner)?;
    let file = KpiFile { owner: Some(owner), kpis: read.kpis.iter().map(|k| k.kpi.clone()).collect() };
    Ok((read, file))
}

fn owner(text: &str) -> anyhow::Result<KpiOwner> {
    let text = text.trim();
    if text == "nobody" {
        return Ok(KpiOwner::Nobody);
    }
    let handle = text.strip_prefix('@').unwrap_or(text);
    anyhow::ensure!(
        !handle.is_empty() && handle.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
        "--owner {text:?} is not a handle: write @dana, or nobody"
    );
    Ok(KpiOwner::Person(handle.to_owned()))
}

fn print_kpis(read: &SloImport) {
    let rows = read.kpis.iter().map(|k| {
        let kpi = &k.kpi;
        let unit = kpi.unit.as_deref().unwrap_or_default();
        let goal = match (kpi.direction, kpi.target) {
            (Some(milepost_core::KpiDirection::LowerIsBetter), Some(t)) => format!("≤ {t}{unit}"),
            (_, Some(t)) => format!("≥ {t}{unit}"),
            _ => "-".to_owned(),
        };
        vec![
            kpi.slug.clone().unwrap_or_default(),
            kpi.name.clone(),
            goal,
            super::number(kpi.warning_band),
            format!("{}%", (k.required_share * 1e6).round() / 1e4),
            kpi.cadence.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            kpi.source.as_ref().map(|s| s.kind().to_owned()).unwrap_or_else(|| "-".to_owned()),
        ]
    });
    super::super::print_table(&["SLUG", "NAME", "GOAL", "WARNING BAND", "SHARE", "CADENCE", "SOURCE"], rows);
}

/// `--kpi-file`: the KPIs into a KPI file, merged by slug with what it holds.
pub fn into_file(args: &ImportSloArgs) -> anyhow::Result<()> {
    let (read, mut file) = read(args)?;
    let path = args.kpi_file.as_deref().unwrap_or(Path::new("kpis.md"));
    let (mut added, mut replaced) = (0, 0);
    if path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
        let parsed = milepost_okrfile::parse_kpis(&text);
        if let Some(error) = parsed.diagnostics.iter().find(|d| d.severity == milepost_okrfile::Severity::Error) {
            anyhow::bail!(
                "{}:{}:{}: {} — fix the KPI file first (`milepost lint {}`)",
                path.display(),
                error.line,
                error.column,
                error.message,
                path.display()
            );
        }
        let mut existing = parsed.file;
        if existing.owner != file.owner {
            anyhow::bail!(
                "{} holds the KPIs of {}, not of {}: one KPI file per owner",
                path.display(),
                existing.owner.map_or_else(|| "nobody".to_owned(), |o| o.to_string()),
                file.owner.as_ref().map_or_else(|| "nobody".to_owned(), ToString::to_string)
            );
        }
        for mut kpi in std::mem::take(&mut file.kpis) {
            let slug = kpi.effective_slug();
            match existing.kpis.iter_mut().find(|k| k.effective_slug() == slug) {
                Some(old) => {
                    kpi.id = old.id; // the id marker stays with its KPI
                    *old = kpi;
                    replaced += 1;
                }
                None => {
                    existing.kpis.push(kpi);
                    added += 1;
                }
            }
        }
        file = existing;
    } else {
        added = file.kpis.len();
    }
    let text = milepost_okrfile::render_kpis(&file);
    match args.output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "kpis": read.kpis, "notes": read.notes, "file": text }))?
        ),
        Output::Table => print_kpis(&read),
    }
    if args.dry_run {
        if args.output == Output::Table {
            println!("\nDry run: {} would hold:\n\n{text}", path.display());
        }
        return Ok(());
    }
    super::super::apply::write_atomically(path, &text)?;
    if args.output == Output::Table {
        println!(
            "\nWrote {} ({added} new, {replaced} replaced). Review it, then `milepost apply {}`.",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// The KPIs into the database, as one KPI file of the owner that names only them.
pub async fn into_database(app: &App, caller: &Caller, args: &ImportSloArgs) -> anyhow::Result<()> {
    let (read, file) = read(args)?;
    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let name = format!("{} (as KPIs)", names.join(", "));
    let text = milepost_okrfile::render_kpis(&file);
    // Where each KPI's heading is in the KPI file made here, to say which SLO a problem
    // is about rather than a line of a file nobody sees.
    let headings: Vec<usize> =
        milepost_okrfile::parse_kpis(&text).source_map.kpis.iter().map(|k| k.heading.line).collect();
    let mut plan = match app
        .okr_files()
        .import_kpis(caller, OkrFileText { name: name.clone(), text }, args.dry_run)
        .await
    {
        Ok(plan) => plan,
        Err(milepost_app::AppError::Invalid(problems)) => {
            for problem in &problems {
                let detail = problem.detail.strip_prefix(&format!("{name}:")).and_then(|rest| {
                    let (line, message) = rest.split_once(": ")?;
                    let line: usize = line.parse().ok()?;
                    let index = headings.iter().rposition(|h| *h <= line)?;
                    let kpi = read.kpis.get(index)?;
                    Some(format!("KPI `{}` ({}): {message}", kpi.kpi.slug.as_deref().unwrap_or_default(), kpi.origin))
                });
                eprintln!("error: {}", detail.unwrap_or_else(|| problem.detail.clone()));
            }
            anyhow::bail!("nothing imported");
        }
        Err(other) => return Err(super::super::explain(other)),
    };
    // The KPI file was made here, not read: there is no file to write ids into, and a
    // change is placed at the SLO it comes from.
    plan.files.clear();
    for change in &mut plan.changes {
        let index = change.line.and_then(|line| headings.iter().rposition(|h| *h <= line));
        if let Some(kpi) = index.and_then(|i| read.kpis.get(i)) {
            change.file = Some(kpi.origin.clone());
            change.line = None;
        }
    }
    match args.output {
        Output::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({ "kpis": read.kpis, "notes": read.notes, "plan": plan })
                )?
            )
        }
        Output::Table => {
            print_kpis(&read);
            println!();
            super::super::apply::print_plan(&plan, args.dry_run, std::io::stdout().is_terminal());
        }
    }
    Ok(())
}
