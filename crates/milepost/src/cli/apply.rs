//! `milepost apply FILE…`: OKR files into the database. Prints the plan (create,
//! update, archive, with the fields that change) and carries it out in one transaction;
//! `--dry-run` only prints it. Applying the same files twice changes nothing the second
//! time. After a real apply, the ids of what was created are written into the files, so
//! that the next apply knows them.

use super::remote::RemoteArgs;
use super::{DataArgs, Output};
use anyhow::Context;
use clap::Args;
use milepost_app::okr_file::{Action, ApplyRequest, Change, OkrFileText, Plan};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `milepost apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// OKR files, or folders to search for `*.md` files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Only print the plan; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Why a start or target moves, when one does after its cycle began.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Archive the objectives and KPIs of the files' owners that no file mentions
    /// (without it, an apply that would archive any is refused, listing them).
    #[arg(long)]
    pub archive: bool,
    /// The workspace to apply to (on the local database; optional when it has one).
    #[arg(long, value_name = "SLUG")]
    pub workspace: Option<String>,
    /// `table`: the plan for people; `json`: the plan as JSON.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    data: DataArgs,
}

/// Reads the files, lints them, plans and (unless a dry run) applies.
pub async fn run(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let files = read_files(&args.files)?;
    let remote = args.remote.remote()?;
    let local = match remote {
        Some(_) => None,
        None => {
            let config = args.data.load(None)?;
            let app = super::open(&config).await?;
            let caller = super::workspace_caller(&app, args.workspace.as_deref()).await?;
            Some((app, caller))
        }
    };
    let context = match &local {
        // The KPIs that KPI files of this apply define are known to the key results
        // beside them: `check_files` adds them.
        Some((app, caller)) => Some(super::lint::context_from(app, caller).await?),
        None => None,
    };
    // Errors in the files are shown like `milepost lint` shows them, before anything else.
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut syntax = false;
    let texts: Vec<(&str, &str)> = files.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect();
    let found = milepost_okrfile::check_files(&texts, context.as_ref());
    for (file, found) in files.iter().zip(found) {
        let diagnostics: Vec<_> =
            found.into_iter().filter(|d| d.severity == milepost_okrfile::Severity::Error).collect();
        if !diagnostics.is_empty() {
            syntax = true;
            eprint!("{}", milepost_okrfile::render_human(&diagnostics, &file.text, color));
        }
    }
    if syntax {
        eprintln!("error: nothing applied: fix the errors above (`milepost lint` shows warnings too)");
        return Ok(ExitCode::from(1));
    }
    let request = ApplyRequest { files, dry_run: args.dry_run, reason: args.reason.clone(), archive: args.archive };
    let plan = match (remote, local) {
        (Some(remote), _) => remote.post("/api/v1/okr-files/apply", &request).await?,
        (None, Some((app, caller))) => {
            let plan = app.okr_files().apply(&caller, request).await;
            app.close().await;
            match plan {
                Ok(plan) => plan,
                // Each problem already says its file and line.
                Err(milepost_app::AppError::Invalid(problems)) => {
                    for problem in &problems {
                        eprintln!("error: {}", problem.detail);
                    }
                    eprintln!("error: nothing applied");
                    return Ok(ExitCode::from(1));
                }
                Err(other) => return Err(super::explain(other)),
            }
        }
        (None, None) => anyhow::bail!("there is neither a database nor a server to apply to"),
    };
    for file in &plan.files {
        write_atomically(Path::new(&file.name), &file.text)?;
    }
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
        Output::Table => print_plan(&plan, args.dry_run, std::io::stdout().is_terminal()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The files named on the command line, folders searched for `*.md`, in a stable order.
fn read_files(paths: &[PathBuf]) -> anyhow::Result<Vec<OkrFileText>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_markdown(path, &mut found)?;
        } else {
            found.push(path.clone());
        }
    }
    found.dedup();
    found
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
            Ok(OkrFileText { name: path.display().to_string(), text })
        })
        .collect()
}

fn collect_markdown(dir: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read the folder {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_markdown(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
    Ok(())
}

/// Replaces a file's text without ever leaving it half written.
pub(super) fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("could not create the folder {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.milepost-tmp"));
    std::fs::write(&temporary, text).with_context(|| format!("could not write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("could not replace {}", path.display()))
}

/// The plan for people: one line a change, the fields that change under it.
pub(super) fn print_plan(plan: &Plan, dry_run: bool, color: bool) {
    let color = color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let out = std::io::stdout();
    let mut out = out.lock();
    if plan.changes.is_empty() {
        let _ = writeln!(out, "No changes: the workspace already matches the files.");
        return;
    }
    for change in &plan.changes {
        let _ = writeln!(out, "{}", headline(change, color));
        for field in &change.fields {
            let value = |v: &serde_json::Value| if v.is_null() { "none".to_owned() } else { v.to_string() };
            let line = match change.action {
                Action::Create => format!("      {}: {}", field.field, value(&field.after)),
                _ => format!("      {}: {} → {}", field.field, value(&field.before), value(&field.after)),
            };
            let _ = writeln!(out, "{line}");
        }
    }
    let counts: Vec<String> = [
        (Action::Create, "to create"),
        (Action::Update, "to update"),
        (Action::Restore, "to restore"),
        (Action::Archive, "to archive"),
    ]
    .into_iter()
    .filter(|(action, _)| plan.count(*action) > 0)
    .map(|(action, words)| format!("{} {words}", plan.count(action)))
    .collect();
    let _ = writeln!(out, "\nPlan: {}.", counts.join(", "));
    if dry_run {
        let _ = writeln!(out, "Dry run: nothing was changed. Run without --dry-run to apply.");
    } else if plan.applied {
        let _ = writeln!(out, "Applied.");
        for file in &plan.files {
            let _ = writeln!(out, "Wrote the new ids into {}.", file.name);
        }
    }
}

fn headline(change: &Change, color: bool) -> String {
    let (sign, paint) = match change.action {
        Action::Create => ("+", "\x1b[32m"),
        Action::Update => ("~", "\x1b[33m"),
        Action::Restore => ("↺", "\x1b[36m"),
        Action::Archive => ("-", "\x1b[31m"),
    };
    let (what, prefix) = match change.what.as_str() {
        "key_result" => ("key result", "KR"),
        "kpi" => ("KPI", "KPI"),
        _ => ("objective", "O"),
    };
    let id = change.id.map(|id| format!(" {prefix}-{id}")).unwrap_or_default();
    let indent = if change.what == "key_result" { "    " } else { "  " };
    let place = match (&change.file, change.line) {
        (Some(file), Some(line)) => format!("  ({file}:{line})"),
        (Some(from), None) => format!("  ({from})"),
        _ => String::new(),
    };
    let text = format!("{indent}{sign} {} {what}{id} \"{}\"{place}", change.action.as_str(), change.title);
    if color { format!("{paint}{text}\x1b[0m") } else { text }
}
