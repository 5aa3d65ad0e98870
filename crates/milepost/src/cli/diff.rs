//! `milepost diff OLD NEW`: what a change to OKR and KPI files does, for review. OLD and
//! NEW are each a folder or a git revision (a branch, a tag, a commit, `HEAD~1`); for
//! revisions the files are read from git (`git ls-tree`, `git show`), under `--path`.
//! The comparison is `milepost_okrfile::diff_files`: by meaning, not by line. Markdown
//! for a pull request comment, or JSON.

use anyhow::Context;
use clap::{Args, ValueEnum};
use milepost_okrfile::{FileText, diff_files, render_diff_markdown};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Arguments of `milepost diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The files before: a folder, or a git revision (`main`, `HEAD~1`, a commit).
    #[arg(value_name = "OLD")]
    old: String,
    /// The files after: a folder, or a git revision.
    #[arg(value_name = "NEW")]
    new: String,
    /// For git revisions: the folder of the repository that holds the OKR files
    /// (default: the whole repository).
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
    /// `markdown`: for a pull request comment; `json`: for scripts.
    #[arg(long, value_enum, default_value_t = DiffOutput::Markdown)]
    output: DiffOutput,
}

/// How `milepost diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffOutput {
    /// Markdown, for a pull request comment.
    Markdown,
    /// JSON, for scripts.
    Json,
}

/// Compares the two sets; exits 1 when the new files have errors.
pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let old = files_of(&args.old, args.path.as_deref())?;
    let new = files_of(&args.new, args.path.as_deref())?;
    let old: Vec<FileText<'_>> = old.iter().map(|(name, text)| FileText { name, text }).collect();
    let new: Vec<FileText<'_>> = new.iter().map(|(name, text)| FileText { name, text }).collect();
    let diff = diff_files(&old, &new);
    match args.output {
        DiffOutput::Markdown => print!("{}", render_diff_markdown(&diff)),
        DiffOutput::Json => println!("{}", serde_json::to_string_pretty(&diff)?),
    }
    Ok(if diff.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The Markdown files of a folder, or of a git revision under `path`, by their path
/// relative to it, in a stable order. Files that are neither OKR nor KPI files (a
/// README) are left out.
fn files_of(source: &str, path: Option<&Path>) -> anyhow::Result<Vec<(String, String)>> {
    let folder = Path::new(source);
    let mut files = if folder.is_dir() {
        let mut found = Vec::new();
        collect(folder, folder, &mut found)?;
        found
    } else {
        from_git(source, path)?
    };
    files.retain(|(_, text)| is_okr_text(text));
    files.sort();
    Ok(files)
}

/// Whether a Markdown file is an OKR or KPI file: front matter naming a cycle or KPIs.
fn is_okr_text(text: &str) -> bool {
    let Some(rest) = text.trim_start_matches('\u{feff}').strip_prefix("---") else { return false };
    let front = rest.split("\n---").next().unwrap_or_default();
    front.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("cycle:") || l.starts_with("kpis:") || l.starts_with("owner:")
    })
}

fn collect(root: &Path, dir: &Path, found: &mut Vec<(String, String)>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read the folder {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, found)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
            let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            found.push((name, text));
        }
    }
    Ok(())
}

fn git(args: &[&str]) -> anyhow::Result<std::process::Output> {
    Command::new("git").args(args).output().context("could not run git: is it installed?")
}

fn from_git(revision: &str, path: Option<&Path>) -> anyhow::Result<Vec<(String, String)>> {
    // A revision, never an option: `--output=x` is not a branch.
    if revision.starts_with('-') {
        anyhow::bail!("{revision:?} is neither a folder nor a git revision");
    }
    let commit = git(&["rev-parse", "--verify", "--quiet", &format!("{revision}^{{commit}}")])?;
    if !commit.status.success() {
        anyhow::bail!(
            "{revision:?} is neither a folder nor a git revision here (run it inside the repository, \
             with a branch, tag or commit such as main or HEAD~1)"
        );
    }
    let commit = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
    let under = path.map(|p| p.display().to_string()).unwrap_or_default();
    let mut list = vec!["ls-tree", "-r", "-z", "--name-only", "--full-name", commit.as_str()];
    if !under.is_empty() {
        list.extend(["--", under.as_str()]);
    }
    let listed = git(&list)?;
    anyhow::ensure!(listed.status.success(), "git ls-tree failed: {}", String::from_utf8_lossy(&listed.stderr).trim());
    let mut files = Vec::new();
    for name in String::from_utf8_lossy(&listed.stdout).split('\0').filter(|n| n.ends_with(".md")) {
        let shown = git(&["show", &format!("{commit}:{name}")])?;
        anyhow::ensure!(shown.status.success(), "git show {revision}:{name} failed");
        let text = String::from_utf8(shown.stdout).with_context(|| format!("{revision}:{name} is not UTF-8 text"))?;
        let relative = match path {
            Some(p) => {
                Path::new(name).strip_prefix(p).map(|r| r.display().to_string()).unwrap_or_else(|_| name.to_owned())
            }
            None => name.to_owned(),
        };
        files.push((relative, text));
    }
    Ok(files)
}
