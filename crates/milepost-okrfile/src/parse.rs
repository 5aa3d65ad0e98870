//! Reading an OKR file: Markdown in, [`OkrFile`] plus positions and syntax diagnostics
//! out (the format is documented in `docs/okr-files.md`).
//!
//! The parser is a line scanner. Each line is one of: the front matter's fences and
//! `key: value` lines, an objective heading (`# `), a key result bullet (`- `), a line of
//! an objective's description, or a blank line. A line that fits none of these gets one
//! diagnostic saying what was expected, and the scanner carries on with the next line,
//! so one mistake never hides the rest of the file. The parser never fails and never
//! panics; its work is linear in the length of the text.

mod annotation;
mod front_matter;
mod inline;
pub(crate) mod kpis;
mod value;

pub(crate) use annotation::{Place, SYNTAX, opener_to_escape};
pub(crate) use inline::{decode, plain};
pub use kpis::{KpiSourceMap, KpiSpans, ParsedKpiFile, is_kpi_file, kpi_slugs, parse_kpis};

/// Where a closing `<!-- … -->` starts at the end of `cells`, if one ends them: the
/// renderer escapes it in a KPI's name so that it is not read as an id marker.
pub(crate) fn trailing_comment(cells: &[inline::Cell]) -> Option<usize> {
    inline::peel(inline::trim_end(cells)).filter(|p| p.kind == inline::Trailing::Comment).map(|p| p.start)
}

use crate::diagnostic::{Diagnostic, Span};
use crate::file::{KeyResult, Objective, OkrFile};
use annotation::{Annotation, read_trailing};
use inline::{Cell, span, text, trim};
use serde::Serialize;
use value::Id;

/// Where the parts of a file are, parallel to [`OkrFile`]: `objectives[i]` is where
/// `file.objectives[i]` is written, and so on down to key results.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SourceMap {
    /// The opening `---` of the front matter, when there is one.
    pub front_matter: Option<Span>,
    /// The value after `cycle:`, when the line is there (even if its value is wrong).
    pub cycle: Option<Span>,
    /// The value after `owner:`, when the line is there (even if its value is wrong).
    pub owner: Option<Span>,
    /// The value after `aligns:`, when the line is there (even if its value is wrong).
    pub aligns: Option<Span>,
    /// Each objective's place.
    pub objectives: Vec<ObjectiveSpans>,
}

/// Where an objective is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectiveSpans {
    /// The whole heading line.
    pub heading: Span,
    /// The title's words.
    pub title: Span,
    /// The id in its marker.
    pub id: Option<Span>,
    /// The value after `aligns:`.
    pub aligns: Option<Span>,
    /// Each key result's place.
    pub key_results: Vec<KeyResultSpans>,
}

/// Where a key result is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyResultSpans {
    /// The whole bullet line.
    pub line: Span,
    /// The sentence.
    pub text: Span,
    /// The owner's handle.
    pub owner: Option<Span>,
    /// The KPI's slug.
    pub kpi: Option<Span>,
    /// The id in its marker.
    pub id: Option<Span>,
}

/// What [`parse`] read: the file, where its parts are, and its syntax errors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedFile {
    /// The file as data, as much of it as could be read.
    pub file: OkrFile,
    /// Where each part of `file` is written.
    pub source_map: SourceMap,
    /// The syntax errors, in line order, without a file name.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads an OKR file. Never fails: what cannot be read becomes a diagnostic (rule
/// `syntax`) and the rest of the file is still read.
///
/// ```
/// let parsed = milepost_okrfile::parse("---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster\n\n- Cut build time from 20 min to 5 min\n");
/// assert!(parsed.diagnostics.is_empty());
/// assert_eq!(parsed.file.objectives[0].key_results[0].text, "Cut build time from 20 min to 5 min");
/// ```
pub fn parse(source: &str) -> ParsedFile {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<&str> = source.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut parsed = ParsedFile::default();
    let body = front_matter::read(&lines, &mut parsed);
    let mut body_reader = Body { parsed: &mut parsed, state: State::Before, paragraph_break: false, comment: None };
    for (index, line) in lines.iter().enumerate().skip(body) {
        body_reader.line(index + 1, line);
    }
    body_reader.finish();
    parsed.diagnostics.sort_by_key(|d| (d.line, d.column));
    parsed
}

/// The heading reserved for a KPI section: no objective may have this title.
pub const RESERVED_HEADING: &str = "KPIs";

/// Where the body scanner stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first objective.
    Before,
    /// In an objective, reading its description.
    Description,
    /// In an objective, after its first key result.
    KeyResults,
    /// Inside a reserved section, whose lines are skipped until the next objective.
    Reserved,
}

/// What a line is, judged by how it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// Nothing but white space.
    Blank,
    /// `#` followed by a space: a heading of `level` hashes, whose words start at `content`.
    Heading {
        /// How many `#`.
        level: usize,
        /// The index of the first cell after the hashes and the space.
        content: usize,
    },
    /// A `#` followed straight by text: "#Title".
    HashWithoutSpace,
    /// `- `, `* `, `+ ` or `1. `: a bullet whose words start at `content`.
    Bullet {
        /// How many spaces stand before the marker.
        indent: usize,
        /// The index of the first cell after the marker and its space.
        content: usize,
    },
    /// `<!--` at the start of the line.
    Comment,
    /// Anything else: words.
    Text,
}

/// Judges a line by how it starts; escaped characters are never structure.
pub(crate) fn classify(cells: &[Cell]) -> LineKind {
    let indent = cells.iter().take_while(|c| c.is_space()).count();
    let rest = &cells[indent..];
    let Some(first) = rest.first() else { return LineKind::Blank };
    let space_or_end = |k: usize| rest.get(k).is_none_or(Cell::is_space);
    if first.is('#') && indent < 4 {
        let level = rest.iter().take_while(|c| c.is('#')).count();
        return if space_or_end(level) {
            LineKind::Heading { level, content: indent + (level + 1).min(rest.len()) }
        } else {
            LineKind::HashWithoutSpace
        };
    }
    if (first.is('-') || first.is('*') || first.is('+')) && space_or_end(1) {
        return LineKind::Bullet { indent, content: indent + 2.min(rest.len()) };
    }
    let digits = rest.iter().take_while(|c| !c.escaped && c.c.is_ascii_digit()).count();
    if (1..=9).contains(&digits) && rest.get(digits).is_some_and(|c| c.is('.') || c.is(')')) && space_or_end(digits + 1)
    {
        return LineKind::Bullet { indent, content: indent + (digits + 2).min(rest.len()) };
    }
    if inline::has_at(rest, 0, "<!--") {
        return LineKind::Comment;
    }
    LineKind::Text
}

/// The body scanner: objectives, descriptions and key results.
struct Body<'a> {
    parsed: &'a mut ParsedFile,
    state: State,
    /// A blank line was seen inside a description.
    paragraph_break: bool,
    /// Inside a comment that did not close on its line: the line it opened on.
    comment: Option<usize>,
}

impl Body<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>, suggestion: &str) {
        self.parsed.diagnostics.push(Diagnostic::error(SYNTAX, span, message).suggest(suggestion));
    }

    fn line(&mut self, number: usize, line: &str) {
        let cells = decode(line);
        let whole = span(number, trim(&cells), 1);
        if self.comment.is_some() {
            if line.contains("-->") {
                self.comment = None;
            }
            return;
        }
        let kind = classify(&cells);
        if self.state == State::Reserved && !matches!(kind, LineKind::Heading { level: 1, .. }) {
            return;
        }
        match kind {
            LineKind::Blank => self.paragraph_break = true,
            LineKind::Comment => {
                if !line.contains("-->") {
                    self.comment = Some(number);
                }
                self.error(
                    whole,
                    "comments are not part of an OKR file: `milepost export` would not write them back",
                    "move the note into the objective's description, or delete it",
                );
            }
            LineKind::Heading { level: 1, content } => self.heading(number, &cells, content),
            LineKind::Heading { level, .. } => self.error(
                whole,
                format!("expected `# ` (one `#`) to start an objective, found a level-{level} heading"),
                "write `# Title` for an objective; other headings are not part of an OKR file",
            ),
            LineKind::HashWithoutSpace => self.error(
                span(number, &cells[..1.min(cells.len())], 1),
                "expected a space after `#` to start an objective",
                "write `# Title`, or `\\#` to keep the `#` as text",
            ),
            LineKind::Bullet { indent, .. } if indent >= 2 => self.error(
                whole,
                "expected a key result at the start of the line, found a nested list",
                "key results are one level deep; initiatives are not written in OKR files",
            ),
            LineKind::Bullet { content, .. } => self.key_result(number, &cells, content, whole),
            LineKind::Text => self.text(&cells, whole),
        }
    }

    fn heading(&mut self, number: usize, cells: &[Cell], content: usize) {
        self.paragraph_break = false;
        let trail = read_trailing(Place::Objective, number, &cells[content..]);
        let title_cells = trim(&cells[content..content + trail.text_end]);
        if text(title_cells).eq_ignore_ascii_case(RESERVED_HEADING) {
            self.state = State::Reserved;
            self.error(
                span(number, trim(cells), 1),
                "KPIs are not written in an OKR file: they belong to no cycle, and have a file of their own",
                "move them to a KPI file, whose front matter is `kpis: @<owner>` (docs/okr-files.md, KPI files)",
            );
            return;
        }
        self.parsed.diagnostics.extend(trail.diagnostics);
        let title_span = span(number, title_cells, cells.len() + 1);
        let mut objective = Objective::new(text(title_cells));
        if objective.title.is_empty() {
            self.error(title_span, "expected the objective's title after `#`", "write `# <what you want to achieve>`");
        }
        let mut aligns = None;
        for found in trail.found {
            match found.annotation {
                Annotation::Commitment(c) => objective.commitment = Some(c),
                Annotation::Aligns(a) => {
                    objective.aligns = Some(a);
                    aligns = Some(found.span);
                }
                Annotation::Visibility(v) => objective.visibility = Some(v),
                // Key result annotations on a heading were reported and are dropped.
                _ => {}
            }
        }
        let mut id = None;
        if let Some((Id::Objective(value), at)) = trail.id {
            objective.id = Some(value);
            id = Some(at);
        }
        self.parsed.file.objectives.push(objective);
        self.parsed.source_map.objectives.push(ObjectiveSpans {
            heading: span(number, cells, 1),
            title: title_span,
            id,
            aligns,
            key_results: Vec::new(),
        });
        self.state = State::Description;
    }

    fn key_result(&mut self, number: usize, cells: &[Cell], content: usize, whole: Span) {
        if self.state == State::Before {
            self.error(
                whole,
                "expected an objective heading before this key result",
                "add a line `# <objective title>` above the key results",
            );
            return;
        }
        self.state = State::KeyResults;
        let trail = read_trailing(Place::KeyResult, number, &cells[content..]);
        self.parsed.diagnostics.extend(trail.diagnostics);
        let words = trim(&cells[content..content + trail.text_end]);
        let text_span = span(number, words, cells.len() + 1);
        let mut key_result = KeyResult::new(text(words));
        if key_result.text.is_empty() {
            self.error(text_span, "expected a key result sentence after the bullet", "write what will be true at the end of the cycle, with a number: `- Cut first response time from 8h to 2h`");
        }
        let (mut owner, mut kpi, mut id) = (None, None, None);
        for found in trail.found {
            match found.annotation {
                Annotation::Owner(handle) => {
                    key_result.owner = Some(handle);
                    owner = Some(found.span);
                }
                Annotation::Kpi(slug) => {
                    key_result.kpi = Some(slug);
                    kpi = Some(found.span);
                }
                Annotation::Weight(w) => key_result.weight = Some(w),
                Annotation::Cadence(c) => key_result.cadence = Some(c),
                Annotation::Share(s) => key_result.required_share = Some(s),
                // Heading annotations on a key result were reported and are dropped.
                _ => {}
            }
        }
        if let Some((Id::KeyResult(value), at)) = trail.id {
            key_result.id = Some(value);
            id = Some(at);
        }
        let spans = KeyResultSpans { line: span(number, cells, 1), text: text_span, owner, kpi, id };
        if let (Some(objective), Some(at)) =
            (self.parsed.file.objectives.last_mut(), self.parsed.source_map.objectives.last_mut())
        {
            objective.key_results.push(key_result);
            at.key_results.push(spans);
        }
    }

    fn text(&mut self, cells: &[Cell], whole: Span) {
        match self.state {
            State::Before => self.error(
                whole,
                "expected an objective heading (`# Title`) before any text",
                "an objective's description goes under its heading",
            ),
            State::KeyResults => {
                let indented = cells.first().is_some_and(Cell::is_space);
                let help = if indented {
                    "a key result is one line: join this line to the one above"
                } else {
                    "move this text above the first key result, where the description goes"
                };
                self.error(whole, "expected a key result (`- …`) or the next objective (`# …`), found text", help);
            }
            State::Description => {
                let line = text(trim(cells));
                if let Some(objective) = self.parsed.file.objectives.last_mut() {
                    let description = &mut objective.description;
                    if !description.is_empty() {
                        description.push_str(if self.paragraph_break { "\n\n" } else { "\n" });
                    }
                    description.push_str(&line);
                }
                self.paragraph_break = false;
            }
            State::Reserved => {}
        }
    }

    fn finish(&mut self) {
        if let Some(opened) = self.comment {
            self.error(Span::new(opened, 1, 5), "this comment is never closed", "end it with `-->`");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> LineKind {
        classify(&decode(line))
    }

    #[test]
    fn lines_are_judged_by_how_they_start() {
        assert_eq!(kind(""), LineKind::Blank);
        assert_eq!(kind("   "), LineKind::Blank);
        assert_eq!(kind("# Title"), LineKind::Heading { level: 1, content: 2 });
        assert_eq!(kind("#"), LineKind::Heading { level: 1, content: 1 });
        assert_eq!(kind("### Deep"), LineKind::Heading { level: 3, content: 4 });
        assert_eq!(kind("#Title"), LineKind::HashWithoutSpace);
        assert_eq!(kind("\\# Title"), LineKind::Text);
        assert_eq!(kind("- Ship"), LineKind::Bullet { indent: 0, content: 2 });
        assert_eq!(kind("-"), LineKind::Bullet { indent: 0, content: 1 });
        assert_eq!(kind("  * Ship"), LineKind::Bullet { indent: 2, content: 4 });
        assert_eq!(kind("12. Ship"), LineKind::Bullet { indent: 0, content: 4 });
        assert_eq!(kind("12\\. Ship"), LineKind::Text);
        assert_eq!(kind("---"), LineKind::Text);
        assert_eq!(kind("-5% is fine"), LineKind::Text);
        assert_eq!(kind("<!-- note -->"), LineKind::Comment);
        assert_eq!(kind("2026 was a year"), LineKind::Text);
    }

    #[test]
    fn descriptions_keep_their_paragraphs() {
        let parsed = parse("---\ncycle: 2026-Q4\nowner: @dana\n---\n# A\n\nOne\n  two\n\n\nThree\n- Ship it\n");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.file.objectives[0].description, "One\ntwo\n\nThree");
    }

    #[test]
    fn crlf_and_a_byte_order_mark_are_read_like_plain_newlines() {
        let parsed = parse("\u{feff}---\r\ncycle: 2026-Q4\r\nowner: @dana\r\n---\r\n# A\r\n- Ship it\r\n");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.file.objectives[0].key_results[0].text, "Ship it");
    }

    #[test]
    fn one_bad_line_gives_one_diagnostic_and_the_rest_is_read() {
        let parsed =
            parse("---\ncycle: 2026-Q4\nowner: @dana\n---\n# A\n- Ship it\nstray text\n## Deep\n- Ship more\n");
        assert_eq!(parsed.diagnostics.len(), 2, "{:?}", parsed.diagnostics);
        assert_eq!((parsed.diagnostics[0].line, parsed.diagnostics[1].line), (7, 8));
        assert_eq!(parsed.file.objectives[0].key_results.len(), 2);
    }

    #[test]
    fn a_kpi_section_is_reserved_and_skipped() {
        let parsed = parse("---\ncycle: x\nowner: @d\n---\n# KPIs\n- csat\nsome text\n# Next\n- Ship it\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.file.objectives.len(), 1);
        assert_eq!(parsed.file.objectives[0].title, "Next");
    }

    #[test]
    fn comments_are_errors_and_multi_line_ones_are_skipped() {
        let parsed = parse("---\ncycle: x\nowner: @d\n---\n# A\n<!-- one\n# not a heading\n-->\n- Ship it\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.file.objectives.len(), 1);
        assert_eq!(parsed.file.objectives[0].key_results.len(), 1);
        let parsed = parse("---\ncycle: x\nowner: @d\n---\n# A\n<!-- never closed\n");
        assert_eq!(parsed.diagnostics.len(), 2);
    }
}
