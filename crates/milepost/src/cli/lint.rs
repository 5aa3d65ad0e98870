//! `milepost lint FILE…`: check OKR files (docs/okr-files.md) and report problems the
//! way a compiler does, or as JSON for scripts. Exits with status 1 when any file has
//! an error; warnings alone leave it at 0.

use anyhow::Context;
use clap::{Args, ValueEnum};
use milepost_app::okr_file::{LintDiagnostic, LintReport, LintRequest, OkrFileText};
use milepost_okrfile::{Diagnostic, LintContext, Report, Severity, Span, Tally};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `milepost lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The OKR files to check; `-` reads one from standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// `human`: compiler-style messages, coloured on a terminal unless NO_COLOR is set;
    /// `json`: one JSON document with every diagnostic; `sarif`: SARIF 2.1.0, for code
    /// scanning in CI to mark the lines.
    #[arg(long, value_enum, default_value_t = LintOutput::Human)]
    pub output: LintOutput,
    /// Also check the files against this workspace (on the data directory or
    /// --database-url): its people, teams, cycles and KPIs, and then everything apply
    /// would check, by planning the files as `apply --dry-run` does (rule `apply`).
    #[arg(long, value_name = "SLUG")]
    pub workspace: Option<String>,
    #[command(flatten)]
    remote: super::remote::RemoteArgs,
    #[command(flatten)]
    data: super::DataArgs,
}

/// How `milepost lint` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintOutput {
    /// Messages for people, with the offending line underlined.
    Human,
    /// A JSON document for scripts and editors.
    Json,
    /// SARIF 2.1.0, which code-scanning services read to mark lines in a pull request.
    Sarif,
}

/// One file's text and what was found in it.
struct Linted {
    source: String,
    diagnostics: Vec<Diagnostic>,
}

/// Lints every file and prints the diagnostics. A file that cannot be read does not
/// stop the others; it is reported at the end as the command's error.
pub async fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let remote = args.remote.remote()?;
    let mut read_files = Vec::new();
    let mut unreadable = Vec::new();
    for path in &args.files {
        match read(path) {
            Ok(bytes) => read_files.push((display(path), bytes)),
            Err(error) => unreadable.push(format!("{}: {error:#}", display(path))),
        }
    }
    let linted = match (remote, &args.workspace) {
        (Some(remote), _) => {
            let (texts, mut linted) = decode(read_files);
            let request = LintRequest { files: texts.iter().map(|(_, file)| file.clone()).collect() };
            let report: LintReport = remote.post("/api/v1/okr-files/lint", &request).await?;
            for ((index, _), file) in texts.iter().zip(report.files) {
                linted[*index].diagnostics = file.diagnostics.into_iter().map(diagnostic).collect();
            }
            linted
        }
        (None, Some(slug)) => {
            let (texts, mut linted) = decode(read_files);
            let config = args.data.load(None)?;
            let app = super::open(&config).await?;
            let caller = app.workspaces().caller(slug).await.map_err(super::explain)?;
            let request = LintRequest { files: texts.iter().map(|(_, file)| file.clone()).collect() };
            let report = app.okr_files().lint(&caller, request).await;
            app.close().await;
            for ((index, _), file) in texts.iter().zip(report.map_err(super::explain)?.files) {
                linted[*index].diagnostics = file.diagnostics.into_iter().map(diagnostic).collect();
            }
            linted
        }
        (None, None) => {
            let (texts, mut linted) = decode(read_files);
            let pairs: Vec<(&str, &str)> = texts.iter().map(|(_, f)| (f.name.as_str(), f.text.as_str())).collect();
            for ((index, _), found) in texts.iter().zip(milepost_okrfile::check_files(&pairs, None)) {
                linted[*index].diagnostics = found;
            }
            linted
        }
    };
    let all: Vec<Diagnostic> = linted.iter().flat_map(|l| l.diagnostics.iter().cloned()).collect();
    let tally = Tally::of(&all);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.output {
        LintOutput::Json => {
            let report = Report::new(linted.len(), all);
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        }
        LintOutput::Sarif => {
            let log = milepost_okrfile::render_sarif(&all, env!("CARGO_PKG_VERSION"));
            writeln!(out, "{}", serde_json::to_string_pretty(&log)?)?;
        }
        LintOutput::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let mut first = true;
            for file in linted.iter().filter(|l| !l.diagnostics.is_empty()) {
                if !first {
                    writeln!(out)?;
                }
                first = false;
                write!(out, "{}", milepost_okrfile::render_human(&file.diagnostics, &file.source, color))?;
            }
            if !all.is_empty() {
                let files = linted.iter().filter(|l| !l.diagnostics.is_empty()).count();
                let word = if tally.errors > 0 { "error" } else { "warning" };
                let plural = if files == 1 { "" } else { "s" };
                writeln!(out, "\n{word}: {} in {files} file{plural}", tally.describe())?;
            }
        }
    }
    out.flush()?;
    if !unreadable.is_empty() {
        anyhow::bail!("could not read {}", unreadable.join("; "));
    }
    Ok(if tally.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The names of the caller's workspace, for the unknown-name rules.
pub(super) async fn context_from(
    app: &milepost_app::App,
    caller: &milepost_app::Caller,
) -> anyhow::Result<LintContext> {
    let names = app.workspaces().names(caller).await.map_err(super::explain)?;
    Ok(LintContext {
        people: names.people.into_iter().collect(),
        teams: names.teams.into_iter().collect(),
        cycles: names.cycles.into_iter().collect(),
        kpis: names.kpis.into_iter().collect(),
        unmeasured_kpis: names.unmeasured_kpis.into_iter().collect(),
    })
}

/// Each file's text, or for one that is not UTF-8 its one diagnostic: the texts to lint
/// (with their place among the files) and every file's entry, the texts' still empty.
fn decode(read_files: Vec<(String, Vec<u8>)>) -> (Vec<(usize, OkrFileText)>, Vec<Linted>) {
    let mut texts = Vec::new();
    let mut linted = Vec::new();
    for (index, (name, bytes)) in read_files.into_iter().enumerate() {
        match String::from_utf8(bytes) {
            Ok(text) => {
                texts.push((index, OkrFileText { name, text: text.clone() }));
                linted.push(Linted { source: text, diagnostics: Vec::new() });
            }
            Err(error) => linted.push(lint_bytes(&name, error.into_bytes(), None)),
        }
    }
    (texts, linted)
}

/// A diagnostic from the API's answer, as the renderers take it. The rule is matched to
/// the documented rules by name (a server newer than this milepost may know more: those
/// show as `apply`).
fn diagnostic(d: LintDiagnostic) -> Diagnostic {
    let rule =
        milepost_okrfile::RULES.iter().find(|r| r.name == d.rule).map_or(milepost_okrfile::APPLY_RULE.name, |r| r.name);
    let severity = if d.severity == "warning" { Severity::Warning } else { Severity::Error };
    let mut out =
        Diagnostic::new(rule, severity, Span::new(d.line, d.column, d.end_column), d.message).in_file(&d.file);
    out.suggestion = d.suggestion;
    out
}

/// A path as it is printed in diagnostics; `-` is standard input.
fn display(path: &Path) -> String {
    if path.as_os_str() == "-" { "<stdin>".to_owned() } else { path.display().to_string() }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes).context("could not read standard input")?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(anyhow::Error::from)
}

/// Lints a file's bytes; text that is not UTF-8 gets one syntax error at the first bad
/// byte instead.
fn lint_bytes(name: &str, bytes: Vec<u8>, context: Option<&LintContext>) -> Linted {
    match String::from_utf8(bytes) {
        Ok(source) => {
            let diagnostics = milepost_okrfile::check(name, &source, context);
            Linted { source, diagnostics }
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let diagnostic = Diagnostic::new(
                "syntax",
                Severity::Error,
                Span::new(line, column, column + 1),
                "the file is not UTF-8 text",
            )
            .suggest("save the file as UTF-8")
            .in_file(name);
            let source = String::from_utf8_lossy(&bytes).into_owned();
            Linted { source, diagnostics: vec![diagnostic] }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_utf8_is_one_error_at_the_bad_byte() {
        let linted = lint_bytes("x.md", b"---\nab\xffc\n".to_vec(), None);
        assert_eq!(linted.diagnostics.len(), 1);
        let d = &linted.diagnostics[0];
        assert_eq!((d.line, d.column, d.file.as_str(), d.rule), (2, 3, "x.md", "syntax"));
    }

    #[test]
    fn a_clean_file_has_no_diagnostics() {
        let text = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster\n\n- Cut build time from 20 min to 5 min\n";
        assert!(lint_bytes("x.md", text.as_bytes().to_vec(), None).diagnostics.is_empty());
    }
}
