//! Milepost's plain-text OKRs (SPEC §5).
//!
//! Teams keep OKRs in git as Markdown and review them like code. This crate reads that
//! text and nothing else: it is pure, with no I/O, no clock and no runtime, so every rule
//! can be tested with a string. The pieces, in the order text flows through them:
//!
//! - [`parse`] reads a file (the format of `docs/okr-files.md`) into an [`OkrFile`], a
//!   [`SourceMap`] of where each part is written, and syntax [`Diagnostic`]s;
//! - [`parse_key_result`] reads a key result sentence such as "Cut first response time
//!   from 8h to 2h" into its kind, metric, numbers and unit;
//! - [`lint()`] runs the rules of [`RULES`] over a parsed file, and [`check`] does both
//!   for one file, as `milepost lint` does;
//! - [`render_human`] prints diagnostics like a compiler; serialized, they are JSON;
//! - [`render`] writes a file back in canonical form, as `milepost export` does, so that
//!   `parse(&render(&file)).file == file`;
//! - [`insert_ids`] writes the ids that `milepost apply` gave new lines into the file.

pub mod diagnostic;
pub mod diff;
pub mod file;
pub mod identity;
pub mod interpretation;
pub mod kpi_file;
pub mod lint;
pub mod openslo;
pub mod parse;
pub mod render;
pub mod sarif;
pub mod sentence;
mod suggest;

pub use diagnostic::{Diagnostic, Report, Severity, Span, Tally, render_human};
pub use diff::{FileText, FilesDiff, diff_files, render_diff_markdown};
pub use file::{Alignment, KeyResult, Objective, OkrFile, Owner, normalize_description};
pub use identity::{NewIds, insert_ids, insert_kpi_ids};
pub use kpi_file::{Kpi, KpiFile, KpiOwner, KpiSourceText, direction_words, render_kpis};
pub use lint::{APPLY_RULE, LintContext, RULES, Rule, check, check_files, lint, lint_kpis};
pub use openslo::{SloImport, SloKpi, SloNote, SloOptions, SloSeverity, SloText, import_slos};
pub use parse::{
    KeyResultSpans, KpiSourceMap, KpiSpans, ObjectiveSpans, ParsedFile, ParsedKpiFile, SourceMap, is_kpi_file,
    kpi_slugs, parse, parse_kpis,
};
pub use render::render;
pub use sarif::render_sarif;
pub use sentence::{MAX_SENTENCE_CHARS, ParsedKeyResult, SentenceTooLong, parse_key_result};
