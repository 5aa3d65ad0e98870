//! `POST /api/v1/okr-files/lint` and `milepost lint --server` / `--workspace`: the
//! linter's every rule on a set of files, with the workspace's names (people, teams,
//! cycles, KPIs and which KPIs have no measurement yet). These are the same checks apply
//! runs before it plans, from the same function (`milepost_okrfile::check_files`).
//!
//! What only the database can judge (a start taken from a KPI's value, an id marker of
//! another workspace, a start moved after the cycle began without a reason, a member
//! applying someone else's file) is found by planning the files as `apply --dry-run`
//! does, once the rules pass: each problem the plan meets is reported at its file and
//! line under the rule `apply`. So a set of files that lints clean here, apply accepts.

use super::{ApplyRequest, OkrFileText, OkrFiles, check_count, lint_context};
use crate::error::{Location, Segment};
use crate::{AppError, Caller};
use serde::{Deserialize, Serialize};

/// Files to lint against the caller's workspace.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LintRequest {
    /// The files, OKR files and KPI files, as `apply` takes them.
    pub files: Vec<OkrFileText>,
}

/// One thing the linter found, at its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LintDiagnostic {
    /// The file's name, as sent.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The column, in characters, from 1.
    pub column: usize,
    /// The column just past the offending text.
    pub end_column: usize,
    /// `error` (apply refuses the file) or `warning` (advice).
    pub severity: String,
    /// The rule's name (docs/okr-files.md, "Rules").
    pub rule: String,
    /// What is wrong.
    pub message: String,
    /// How to put it right, when there is a way to say.
    pub suggestion: Option<String>,
}

/// What the linter found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FileLint {
    /// The file's name, as sent.
    pub name: String,
    /// What was found, in line order.
    pub diagnostics: Vec<LintDiagnostic>,
}

/// What the linter found in every file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LintReport {
    /// How many errors, in all: any error and apply refuses the files.
    pub errors: usize,
    /// How many warnings, in all.
    pub warnings: usize,
    /// Each file, in the order sent.
    pub files: Vec<FileLint>,
}

impl LintDiagnostic {
    fn of(d: milepost_okrfile::Diagnostic) -> LintDiagnostic {
        LintDiagnostic {
            file: d.file,
            line: d.line,
            column: d.column,
            end_column: d.end_column,
            severity: d.severity.as_str().to_owned(),
            rule: d.rule.to_owned(),
            message: d.message,
            suggestion: d.suggestion,
        }
    }
}

impl OkrFiles<'_> {
    /// Lints files against the caller's workspace, writing nothing. Any member may: it
    /// reads only the names every member sees.
    pub async fn lint(self, caller: &Caller, request: LintRequest) -> Result<LintReport, AppError> {
        check_count(&request.files)?;
        let names = self.app.workspaces().names(caller).await?;
        let context = lint_context(&names);
        let named = super::names_of(&request.files);
        let texts: Vec<(&str, &str)> =
            named.iter().zip(&request.files).map(|(name, file)| (name.as_str(), file.text.as_str())).collect();
        let found = milepost_okrfile::check_files(&texts, Some(&context));
        let tally = milepost_okrfile::Tally::of(&found.iter().flatten().cloned().collect::<Vec<_>>());
        let mut report = LintReport {
            errors: tally.errors,
            warnings: tally.warnings,
            files: named
                .into_iter()
                .zip(found)
                .map(|(name, found)| FileLint {
                    name,
                    diagnostics: found.into_iter().map(LintDiagnostic::of).collect(),
                })
                .collect(),
        };
        // A viewer may apply nothing, so there is no plan to try.
        if report.errors == 0 && caller.role != crate::caller::Role::Viewer {
            let plan = ApplyRequest { files: request.files.clone(), dry_run: true, reason: None, archive: true };
            let problems = match self.carry_out(caller, plan, false).await {
                Ok(_) => Vec::new(),
                Err(AppError::Invalid(problems)) => problems
                    .into_iter()
                    .map(|p| {
                        let index = match &p.location {
                            Location::Body(path) => match path.segments().get(1) {
                                Some(Segment::Index(index)) => *index,
                                _ => 0,
                            },
                            _ => 0,
                        };
                        (index, p.detail)
                    })
                    .collect(),
                Err(AppError::Forbidden { detail }) => vec![(0, detail)],
                Err(other) => return Err(other),
            };
            for (index, detail) in problems {
                let Some(file) = report.files.get_mut(index) else { continue };
                let text = request.files.get(index).map_or("", |f| f.text.as_str());
                file.diagnostics.push(planned(&file.name, text, &detail));
                file.diagnostics.sort_by_key(|d| (d.line, d.column));
                report.errors += 1;
            }
        }
        Ok(report)
    }
}

/// A problem the plan met, as a diagnostic of rule `apply`. The plan says where as
/// `name:line: what` (its `Place`); the diagnostic covers that line's text.
fn planned(name: &str, text: &str, detail: &str) -> LintDiagnostic {
    let rest = detail.strip_prefix(name).and_then(|r| r.strip_prefix(':'));
    let (line, message): (usize, &str) = match rest.and_then(|r| r.split_once(": ")) {
        Some((line, message)) => match line.parse() {
            Ok(line) => (line, message),
            Err(_) => (1, detail),
        },
        None => (1, detail),
    };
    let written = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
    let column = written.chars().take_while(|c| c.is_whitespace()).count() + 1;
    LintDiagnostic {
        file: name.to_owned(),
        line,
        column,
        end_column: written.chars().count().max(column) + 1,
        severity: "error".to_owned(),
        rule: "apply".to_owned(),
        message: message.to_owned(),
        suggestion: None,
    }
}

#[cfg(test)]
mod tests {
    use super::planned;

    #[test]
    fn a_planned_problem_is_placed_at_its_line() {
        let text = "---\ncycle: 2026-q4\nowner: @dana\n---\n\n# Grow\n\n  - Hire 5 engineers (kpi: csat)\n";
        let d = planned("okrs/a: b.md", text, "okrs/a: b.md:8: an increase needs a target above its start");
        assert_eq!((d.line, d.column, d.end_column), (8, 3, 33));
        assert_eq!(d.message, "an increase needs a target above its start");
        // Without a place it is the whole file's, at its first line.
        let d = planned("a.md", text, "you may not apply this file");
        assert_eq!((d.line, d.column, d.message.as_str()), (1, 1, "you may not apply this file"));
    }
}
