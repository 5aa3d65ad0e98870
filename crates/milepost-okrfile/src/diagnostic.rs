//! Diagnostics as data: what is wrong, where, and how to fix it.
//!
//! The parser and the lint rules never print: each problem becomes a [`Diagnostic`]
//! that carries its place in the file (line and columns, counted in characters from 1),
//! a rule name, a message and, where one exists, a suggested fix. Front ends choose how
//! to show them: [`render_human`] prints them the way a compiler does, with the
//! offending line and its part underlined; serialized with serde they become JSON for
//! scripts and editors.

use serde::Serialize;
use std::fmt::Write as _;

/// A place in a file: one line and a run of characters on it.
///
/// Lines and columns count from 1; columns count characters (Unicode scalar values),
/// not bytes, so a diagnostic points at the same place in any editor. `end_column` is
/// the column just past the last character, so an empty span has
/// `end_column == column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// The line, from 1.
    pub line: usize,
    /// The first column, from 1.
    pub column: usize,
    /// The column just past the last character.
    pub end_column: usize,
}

impl Span {
    /// A span on `line` from `column` up to, not including, `end_column`.
    pub fn new(line: usize, column: usize, end_column: usize) -> Span {
        Span { line, column, end_column: end_column.max(column) }
    }
}

/// How bad a problem is: errors stop `milepost apply` and make `milepost lint` fail;
/// warnings are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file cannot be applied as written.
    Error,
    /// The file can be applied, but reads as a weaker OKR than it could be.
    Warning,
}

impl Severity {
    /// The word printed before a diagnostic: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, as the caller named it; empty until [`Diagnostic::in_file`] sets it.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The first column of the offending text, from 1, in characters.
    pub column: usize,
    /// The column just past the offending text.
    pub end_column: usize,
    /// Whether the problem is an error or a warning.
    pub severity: Severity,
    /// The rule that found it, in kebab-case: `objective-without-key-results`.
    pub rule: &'static str,
    /// What is wrong, in a sentence.
    pub message: String,
    /// How to fix it, when there is a fix to suggest.
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span`, with no file name yet and no suggestion.
    pub fn new(rule: &'static str, severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: String::new(),
            line: span.line,
            column: span.column,
            end_column: span.end_column,
            severity,
            rule,
            message: message.into(),
            suggestion: None,
        }
    }

    /// An error at `span`.
    pub fn error(rule: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, Severity::Error, span, message)
    }

    /// A warning at `span`.
    pub fn warning(rule: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, Severity::Warning, span, message)
    }

    /// The same diagnostic with a suggested fix.
    pub fn suggest(mut self, suggestion: impl Into<String>) -> Diagnostic {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// The same diagnostic, placed in `file`.
    pub fn in_file(mut self, file: &str) -> Diagnostic {
        self.file = file.to_owned();
        self
    }

    /// The place the diagnostic points at.
    pub fn span(&self) -> Span {
        Span::new(self.line, self.column, self.end_column)
    }
}

/// How many errors and warnings a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    /// The number of errors.
    pub errors: usize,
    /// The number of warnings.
    pub warnings: usize,
}

impl Tally {
    /// Counts the errors and warnings of `diagnostics`.
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        Tally { errors, warnings: diagnostics.len() - errors }
    }

    /// "1 error and 2 warnings", "3 warnings", or "no problems".
    pub fn describe(self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        match (self.errors, self.warnings) {
            (0, 0) => "no problems".to_owned(),
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
        }
    }
}

/// What `milepost lint --output json` prints: how many files were read, the tally, and
/// every diagnostic in file and line order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// How many files were linted.
    pub files: usize,
    /// How many diagnostics are errors.
    pub errors: usize,
    /// How many diagnostics are warnings.
    pub warnings: usize,
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// A report on `files` files that found `diagnostics`.
    pub fn new(files: usize, diagnostics: Vec<Diagnostic>) -> Report {
        let Tally { errors, warnings } = Tally::of(&diagnostics);
        Report { files, errors, warnings, diagnostics }
    }
}

/// ANSI styles, or nothing when colour is off.
struct Palette {
    on: bool,
}

impl Palette {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on && !text.is_empty() { format!("\u{1b}[{code}m{text}\u{1b}[0m") } else { text.to_owned() }
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.paint("1;31", text),
            Severity::Warning => self.paint("1;33", text),
        }
    }

    fn gutter(&self, text: &str) -> String {
        self.paint("1;34", text)
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// How wide a tab is shown, as rustc shows it.
const TAB_WIDTH: usize = 4;

/// Prints diagnostics the way a compiler does, one block each, with the line of
/// `source` each points at and the offending part underlined:
///
/// ```text
/// warning[key-result-not-measurable]: nothing in this key result can be measured
///  --> okrs/support.md:9:3
///   |
/// 9 | - Improve customer experience
///   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^ help: say which number moves and to where
/// ```
///
/// `source` is the text of the file the diagnostics belong to. ANSI colours are used
/// only when `color` is true. Blocks are separated by a blank line; the text ends with
/// a newline unless there is nothing to print.
pub fn render_human(diagnostics: &[Diagnostic], source: &str, color: bool) -> String {
    let palette = Palette { on: color };
    // Lines as the parser counts them: without a byte order mark or carriage returns.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<&str> = source.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut out = String::new();
    for (k, d) in diagnostics.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let number = d.line.to_string();
        let pad = " ".repeat(number.chars().count());
        let header = format!("{}[{}]", d.severity.as_str(), d.rule);
        let _ = writeln!(out, "{}{}", palette.severity(d.severity, &header), palette.bold(&format!(": {}", d.message)));
        let place = if d.file.is_empty() { "<input>" } else { d.file.as_str() };
        let _ = writeln!(out, "{pad}{} {place}:{}:{}", palette.gutter("-->"), d.line, d.column);
        let _ = writeln!(out, "{pad} {}", palette.gutter("|"));
        let text = d.line.checked_sub(1).and_then(|i| lines.get(i)).copied().unwrap_or("");
        let (shown, offset, width) = underline(text, d.column, d.end_column);
        let shown = shown.trim_end();
        if shown.is_empty() {
            let _ = writeln!(out, "{} {}", palette.gutter(&number), palette.gutter("|"));
        } else {
            let _ = writeln!(out, "{} {} {shown}", palette.gutter(&number), palette.gutter("|"));
        }
        let mut marks = "^".repeat(width);
        if let Some(help) = &d.suggestion {
            marks.push_str(" help: ");
            marks.push_str(help);
        }
        let _ = writeln!(
            out,
            "{pad} {} {}{}",
            palette.gutter("|"),
            " ".repeat(offset),
            palette.severity(d.severity, &marks)
        );
    }
    out
}

/// The line as shown (tabs expanded), and where and how wide the underline is.
fn underline(text: &str, column: usize, end_column: usize) -> (String, usize, usize) {
    let mut shown = String::new();
    let (mut offset, mut width) = (None, 0);
    let mut at = 0;
    for (k, c) in text.chars().enumerate() {
        let column_here = k + 1;
        if column_here == column {
            offset = Some(at);
        }
        let cells = if c == '\t' { TAB_WIDTH } else { 1 };
        if column_here >= column && column_here < end_column {
            width += cells;
        }
        if c == '\t' {
            shown.push_str(&" ".repeat(TAB_WIDTH));
        } else {
            shown.push(c);
        }
        at += cells;
    }
    // A span at or past the end of the line (an empty line, a missing value) points
    // just after its last character.
    let offset = offset.unwrap_or(at);
    (shown, offset, width.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_prints_like_a_compiler_message() {
        let source = "---\ncycle: 2026-Q4\n---\n\n# Be better\n\n- Improve customer experience\n";
        let d = Diagnostic::warning("key-result-not-measurable", Span::new(7, 3, 30), "nothing to measure")
            .suggest("say which number moves")
            .in_file("okrs/support.md");
        let expected = "warning[key-result-not-measurable]: nothing to measure\n \
                        --> okrs/support.md:7:3\n  |\n\
                        7 | - Improve customer experience\n  \
                        |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^ help: say which number moves\n";
        assert_eq!(render_human(&[d], source, false), expected);
    }

    #[test]
    fn colour_is_only_used_when_asked_for() {
        let d = Diagnostic::error("syntax", Span::new(1, 1, 2), "bad");
        assert!(!render_human(std::slice::from_ref(&d), "x", false).contains('\u{1b}'));
        assert!(render_human(&[d], "x", true).contains("\u{1b}[1;31m"));
    }

    #[test]
    fn a_byte_order_mark_does_not_shift_the_underline() {
        let d = Diagnostic::error("syntax", Span::new(1, 1, 2), "bad");
        assert_eq!(
            render_human(&[d], "\u{feff}x\r\n", false),
            "error[syntax]: bad\n --> <input>:1:1\n  |\n1 | x\n  | ^\n"
        );
    }

    #[test]
    fn tabs_are_expanded_and_the_underline_follows_them() {
        let (shown, offset, width) = underline("\tab", 2, 3);
        assert_eq!(shown, "    ab");
        assert_eq!((offset, width), (4, 1));
        assert_eq!(underline("\tab", 1, 2), ("    ab".to_owned(), 0, 4));
    }

    #[test]
    fn spans_past_the_end_point_just_after_the_line() {
        assert_eq!(underline("abc", 9, 9), ("abc".to_owned(), 3, 1));
        assert_eq!(underline("", 1, 1), (String::new(), 0, 1));
    }

    #[test]
    fn tallies_read_as_english() {
        let e = Diagnostic::error("syntax", Span::new(1, 1, 1), "e");
        let w = Diagnostic::warning("x", Span::new(1, 1, 1), "w");
        assert_eq!(Tally::of(&[]).describe(), "no problems");
        assert_eq!(Tally::of(std::slice::from_ref(&e)).describe(), "1 error");
        assert_eq!(Tally::of(&[w.clone(), w.clone()]).describe(), "2 warnings");
        assert_eq!(Tally::of(&[e, w.clone(), w]).describe(), "1 error and 2 warnings");
    }
}
