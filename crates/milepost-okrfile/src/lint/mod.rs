//! `milepost lint`: the rules that read a parsed OKR file and say what could be better.
//!
//! Each rule lives in a file of its own and has a kebab-case name, a severity and a
//! one-line summary in [`RULES`]. Errors are what stops `milepost apply` (syntax, a
//! missing or unknown name, a key result that cannot move); warnings are the advice of
//! SPEC §2 on writing good OKRs (few, measurable outcomes, not tasks or business as
//! usual). The rules that check names against the workspace run only when a
//! [`LintContext`] is given.

mod duplicate_file_owner;
mod duplicate_id;
mod duplicate_key_result;
mod duplicate_kpi;
mod incomplete_kpi;
mod key_result_incomplete;
mod key_result_is_a_task;
mod key_result_not_measurable;
mod key_result_too_long;
mod maintain_belongs_in_kpi;
mod missing_cycle;
mod missing_owner;
mod objective_is_a_metric;
mod objective_title_too_long;
mod objective_without_key_results;
mod start_equals_target;
mod too_many_key_results;
mod too_many_kpis;
mod unknown_cycle;
mod unknown_kpi;
mod unknown_owner;
mod unknown_team;

use crate::diagnostic::{Diagnostic, Severity};
use crate::file::{KeyResult, Objective, OkrFile};
use crate::kpi_file::Kpi;
use crate::parse::{
    KeyResultSpans, KpiSpans, ObjectiveSpans, ParsedFile, ParsedKpiFile, SYNTAX, SourceMap, is_kpi_file, parse,
    parse_kpis,
};
use crate::sentence::{ParsedKeyResult, SentenceTooLong, parse_key_result};
use serde::Serialize;
use std::collections::BTreeSet;

/// The names a workspace knows, for the rules that check names (`unknown-…`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LintContext {
    /// People's handles (`dana`).
    pub people: BTreeSet<String>,
    /// Teams' slugs (`customer-support`).
    pub teams: BTreeSet<String>,
    /// Cycles, by slug or name; matched ignoring case, so `2026-Q4` finds `2026-q4`.
    pub cycles: BTreeSet<String>,
    /// KPIs' slugs (`csat`).
    pub kpis: BTreeSet<String>,
    /// The slugs of the KPIs that have no measurement yet: a new key result that says
    /// no start and names one of these has nothing to start from.
    pub unmeasured_kpis: BTreeSet<String>,
}

/// A lint rule, as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Its name in diagnostics: `objective-without-key-results`.
    pub name: &'static str,
    /// How bad what it finds is.
    pub severity: Severity,
    /// What it finds, in a sentence.
    pub summary: &'static str,
}

/// What planning the files against the database met, which no rule of a file can see
/// (a start taken from a KPI's value, an id of another workspace, a member applying
/// someone else's file): `milepost lint --workspace` and `--server`, and
/// `POST /api/v1/okr-files/lint`, report it once every other rule passes. The linter
/// itself never does.
pub const APPLY_RULE: Rule = Rule {
    name: "apply",
    severity: Severity::Error,
    summary: "what apply would refuse that only the database can see; checked with --workspace or --server",
};

/// Every rule, the parser's `syntax` first, in the order of `docs/okr-files.md`.
pub const RULES: &[Rule] = &[
    Rule {
        name: SYNTAX,
        severity: Severity::Error,
        summary: "a line that is not what the format expects there; the message says what was expected",
    },
    key_result_too_long::RULE,
    missing_cycle::RULE,
    missing_owner::RULE,
    duplicate_id::RULE,
    duplicate_file_owner::RULE,
    objective_without_key_results::RULE,
    too_many_key_results::RULE,
    objective_title_too_long::RULE,
    objective_is_a_metric::RULE,
    key_result_incomplete::RULE,
    key_result_not_measurable::RULE,
    key_result_is_a_task::RULE,
    maintain_belongs_in_kpi::RULE,
    start_equals_target::RULE,
    duplicate_key_result::RULE,
    unknown_cycle::RULE,
    unknown_owner::RULE,
    unknown_team::RULE,
    unknown_kpi::RULE,
    incomplete_kpi::RULE,
    duplicate_kpi::RULE,
    too_many_kpis::RULE,
    APPLY_RULE,
];

/// Runs every rule on a parsed file and returns what they found, in line order. The
/// parser's own syntax diagnostics are not included (they are in `parsed.diagnostics`);
/// the `unknown-…` rules run only with a context.
pub fn lint(parsed: &ParsedFile, context: Option<&LintContext>) -> Vec<Diagnostic> {
    let input = Input {
        file: &parsed.file,
        map: &parsed.source_map,
        sentences: parsed
            .file
            .objectives
            .iter()
            .map(|o| o.key_results.iter().map(|k| parse_key_result(&k.text)).collect())
            .collect(),
    };
    let mut out = Vec::new();
    key_result_too_long::check(&input, &mut out);
    missing_cycle::check(&input, &mut out);
    missing_owner::check(&input, &mut out);
    duplicate_id::check(&input, &mut out);
    objective_without_key_results::check(&input, &mut out);
    too_many_key_results::check(&input, &mut out);
    objective_title_too_long::check(&input, &mut out);
    objective_is_a_metric::check(&input, &mut out);
    key_result_incomplete::check(&input, context, &mut out);
    key_result_not_measurable::check(&input, &mut out);
    key_result_is_a_task::check(&input, &mut out);
    maintain_belongs_in_kpi::check(&input, &mut out);
    start_equals_target::check(&input, &mut out);
    duplicate_key_result::check(&input, &mut out);
    if let Some(context) = context {
        unknown_cycle::check(&input, context, &mut out);
        unknown_owner::check(&input, context, &mut out);
        unknown_team::check(&input, context, &mut out);
        unknown_kpi::check(&input, context, &mut out);
    }
    sort(&mut out);
    out
}

/// Runs every KPI rule on a parsed KPI file, as [`lint`] does for an OKR file.
pub fn lint_kpis(parsed: &ParsedKpiFile, context: Option<&LintContext>) -> Vec<Diagnostic> {
    let input = KpiInput { parsed };
    let mut out = Vec::new();
    duplicate_id::check_kpis(&input, &mut out);
    incomplete_kpi::check(&input, &mut out);
    duplicate_kpi::check(&input, &mut out);
    too_many_kpis::check(&input, &mut out);
    if let Some(context) = context {
        unknown_owner::check_kpis(&input, context, &mut out);
    }
    sort(&mut out);
    out
}

/// Parses and lints one file, an OKR file or a KPI file ([`is_kpi_file`]): its syntax
/// diagnostics and every rule's, each placed in `path`, in line order. This is what
/// `milepost lint FILE` prints for one file.
///
/// ```
/// let text = "---\ncycle: 2026-Q4\nowner: team/support\n---\n\n# Delight customers\n\n- Improve customer experience\n";
/// let found = milepost_okrfile::check("okrs/support.md", text, None);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].rule, "key-result-incomplete");
/// assert_eq!((found[0].file.as_str(), found[0].line, found[0].column), ("okrs/support.md", 8, 3));
/// ```
pub fn check(path: &str, source: &str, context: Option<&LintContext>) -> Vec<Diagnostic> {
    let mut out = if is_kpi_file(source) {
        let parsed = parse_kpis(source);
        let mut out = parsed.diagnostics.clone();
        out.extend(lint_kpis(&parsed, context));
        out
    } else {
        let parsed = parse(source);
        let mut out = parsed.diagnostics.clone();
        out.extend(lint(&parsed, context));
        out
    };
    sort(&mut out);
    out.into_iter().map(|d| d.in_file(path)).collect()
}

/// Checks several files together, as `milepost lint` and `milepost apply` do: each
/// file's [`check`], then the rules that read the files side by side (two files for one
/// owner and cycle). Each file is `(path, text)`; the answer has one list per file, in
/// the same order, each in line order and placed in its file (two files may share a
/// name). The KPIs that KPI files among them define are known to the OKR files beside
/// them (a new one with no measurement yet).
pub fn check_files(files: &[(&str, &str)], context: Option<&LintContext>) -> Vec<Vec<Diagnostic>> {
    let context = context.map(|context| {
        let mut context = context.clone();
        for (_, text) in files.iter().filter(|(_, text)| is_kpi_file(text)) {
            let parsed = parse_kpis(text);
            for kpi in &parsed.file.kpis {
                if let Some(slug) = kpi.effective_slug() {
                    // A KPI the workspace does not have yet is made by the apply, with
                    // no measurement.
                    if !context.kpis.contains(&slug) {
                        context.unmeasured_kpis.insert(slug.clone());
                    }
                    context.kpis.insert(slug);
                }
            }
        }
        context
    });
    let parsed: Vec<(usize, &str, ParsedFile)> = files
        .iter()
        .enumerate()
        .filter(|(_, (_, text))| !is_kpi_file(text))
        .map(|(index, (path, text))| (index, *path, parse(text)))
        .collect();
    let together: Vec<(usize, &str, &ParsedFile)> =
        parsed.iter().map(|(index, path, file)| (*index, *path, file)).collect();
    let across = duplicate_file_owner::check(&together);
    files
        .iter()
        .enumerate()
        .map(|(index, (path, text))| {
            let mut found = check(path, text, context.as_ref());
            found.extend(across.iter().filter(|(i, _)| *i == index).map(|(_, d)| d.clone()));
            sort(&mut found);
            found
        })
        .collect()
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.line, d.column, d.severity));
}

/// What the rules read: the file, where its parts are, and each key result's sentence
/// read once.
pub(crate) struct Input<'a> {
    file: &'a OkrFile,
    map: &'a SourceMap,
    /// `sentences[i][j]` is what the sentence of key result `j` of objective `i` says, or
    /// why it was not read.
    sentences: Vec<Vec<Result<ParsedKeyResult, SentenceTooLong>>>,
}

/// What a sentence that was not read says to the rules that read sentences: nothing.
static UNREAD: ParsedKeyResult = ParsedKeyResult::unread();

/// One objective with its place.
pub(crate) struct ObjectiveAt<'a> {
    objective: &'a Objective,
    at: &'a ObjectiveSpans,
}

/// One key result with its place and what its sentence says.
pub(crate) struct KeyResultAt<'a> {
    /// The index of its objective.
    objective: usize,
    key_result: &'a KeyResult,
    at: &'a KeyResultSpans,
    /// What its sentence says; [`UNREAD`] when it was too long to read.
    sentence: &'a ParsedKeyResult,
    /// Why its sentence was not read, if it was not.
    too_long: Option<SentenceTooLong>,
}

impl<'a> Input<'a> {
    fn objectives(&self) -> impl Iterator<Item = ObjectiveAt<'a>> + '_ {
        self.file.objectives.iter().zip(&self.map.objectives).map(|(objective, at)| ObjectiveAt { objective, at })
    }

    /// The key results whose sentence was read: what the rules about sentences look at.
    fn key_results(&self) -> impl Iterator<Item = KeyResultAt<'_>> + '_ {
        self.every_key_result().filter(|k| k.too_long.is_none())
    }

    /// Every key result, its sentence read or not: for the rules about ids and names.
    fn every_key_result(&self) -> impl Iterator<Item = KeyResultAt<'_>> + '_ {
        self.file.objectives.iter().zip(&self.map.objectives).zip(&self.sentences).enumerate().flat_map(
            |(index, ((objective, at), sentences))| {
                objective.key_results.iter().zip(&at.key_results).zip(sentences).map(move |((key_result, at), read)| {
                    KeyResultAt {
                        objective: index,
                        key_result,
                        at,
                        sentence: read.as_ref().unwrap_or(&UNREAD),
                        too_long: read.as_ref().err().copied(),
                    }
                })
            },
        )
    }
}

/// What the KPI rules read: a parsed KPI file.
pub(crate) struct KpiInput<'a> {
    parsed: &'a ParsedKpiFile,
}

impl<'a> KpiInput<'a> {
    fn kpis(&self) -> impl Iterator<Item = (&'a Kpi, &'a KpiSpans)> + '_ {
        self.parsed.file.kpis.iter().zip(&self.parsed.source_map.kpis)
    }
}

/// Quotes a text for a message, shortened when long.
fn quote(text: &str) -> String {
    const LONGEST: usize = 60;
    if text.chars().count() <= LONGEST {
        format!("\"{text}\"")
    } else {
        let head: String = text.chars().take(LONGEST - 1).collect();
        format!("\"{}…\"", head.trim_end())
    }
}

/// Whether `name` is in `known`, ignoring case when `fold` is set.
fn knows(known: &BTreeSet<String>, name: &str, fold: bool) -> bool {
    known.contains(name) || (fold && known.iter().any(|k| k.eq_ignore_ascii_case(name)))
}

/// "did you mean `x`?" for the nearest known name, if one is near.
fn did_you_mean(known: &BTreeSet<String>, name: &str, what: &str) -> String {
    match crate::suggest::closest(name, known.iter().map(String::as_str)) {
        Some(near) => format!("did you mean `{near}`?"),
        None if known.is_empty() => format!("this workspace has no {what} yet"),
        None => format!("use the name of an existing {what}, or create it first"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_unique_kebab_case() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        for name in &names {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{name}");
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn long_texts_are_shortened_in_messages() {
        assert_eq!(quote("short"), "\"short\"");
        assert_eq!(quote(&"a".repeat(100)).chars().count(), 62);
    }
}
