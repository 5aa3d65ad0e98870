//! Reading a KPI file: Markdown in, [`KpiFile`] plus positions and syntax diagnostics
//! out (the format is in `docs/okr-files.md`, "KPI files").
//!
//! The same line scanner as for OKR files: front matter (`kpis: @dana`), then for each
//! KPI a `# ` heading with its name and id marker, description lines, and one
//! `- key: value` bullet per setting. A line that fits none of these gets one
//! diagnostic and the scan goes on; the parser never fails and never panics.

use super::annotation::SYNTAX;
use super::front_matter::unquote;
use super::inline::{Cell, Trailing, peel, span, text, trim, trim_end};
use super::value::{Problem, parse_slug};
use super::{LineKind, classify, decode};
use crate::diagnostic::{Diagnostic, Span};
use crate::kpi_file::{Kpi, KpiFile, KpiOwner, KpiSourceText};
use crate::suggest::closest;
use milepost_core::{Cadence, KpiTier, Named};
use serde::Serialize;
use values::{example, parse_direction, parse_kpi_id, parse_number, parse_periods, parse_range, raw_of, unfence};

/// The settings a KPI may have, in the order the canonical form writes them.
pub const SETTINGS: [&str; 15] = [
    "slug",
    "unit",
    "direction",
    "target",
    "range",
    "warning band",
    "cadence",
    "tier",
    "tags",
    "lagging after",
    "formula",
    "drivers",
    "source",
    "query",
    "path",
];

/// Where the parts of a KPI file are, parallel to [`KpiFile`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct KpiSourceMap {
    /// The opening `---` of the front matter, when there is one.
    pub front_matter: Option<Span>,
    /// The value after `kpis:`, when the line is there.
    pub owner: Option<Span>,
    /// Each KPI's place.
    pub kpis: Vec<KpiSpans>,
}

/// Where a KPI is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiSpans {
    /// The whole heading line.
    pub heading: Span,
    /// The name's words.
    pub name: Span,
    /// The id in its marker.
    pub id: Option<Span>,
    /// Each setting's value, by key, in file order.
    pub settings: Vec<(&'static str, Span)>,
}

impl KpiSpans {
    /// Where a setting's value is written, if it is.
    pub fn setting(&self, key: &str) -> Option<Span> {
        self.settings.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
    }
}

/// What [`parse_kpis`] read: the file, where its parts are, and its syntax errors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedKpiFile {
    /// The file as data, as much of it as could be read.
    pub file: KpiFile,
    /// Where each part of `file` is written.
    pub source_map: KpiSourceMap,
    /// The syntax errors, in line order, without a file name.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether a text is a KPI file rather than an OKR file: its front matter has a `kpis:`
/// line. [`crate::check`] uses this to pick the parser.
pub fn is_kpi_file(source: &str) -> bool {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut lines = source.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    if lines.by_ref().find(|l| !l.trim().is_empty()).is_none_or(|l| l.trim_end() != "---") {
        return false;
    }
    for line in lines {
        if line.trim_end() == "---" || line.starts_with("# ") {
            return false;
        }
        if line.split_once(':').is_some_and(|(key, _)| key.trim().eq_ignore_ascii_case("kpis")) {
            return true;
        }
    }
    false
}

/// The slugs of the KPIs a text defines, when it is a KPI file (and none otherwise):
/// what `milepost lint` and `milepost apply` add to the workspace's KPIs, so that an
/// OKR file may link to a KPI that a KPI file beside it defines.
pub fn kpi_slugs(source: &str) -> Vec<String> {
    if !is_kpi_file(source) {
        return Vec::new();
    }
    parse_kpis(source).file.kpis.iter().filter_map(Kpi::effective_slug).collect()
}

/// Reads a KPI file. Never fails: what cannot be read becomes a diagnostic (rule
/// `syntax`) and the rest of the file is still read.
///
/// ```
/// let parsed = milepost_okrfile::parse_kpis("---\nkpis: @dana\n---\n\n# Uptime\n\n- unit: %\n- direction: higher is better\n- target: 99.9\n- cadence: daily\n");
/// assert!(parsed.diagnostics.is_empty());
/// assert_eq!(parsed.file.kpis[0].target, Some(99.9));
/// ```
pub fn parse_kpis(source: &str) -> ParsedKpiFile {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<&str> = source.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut reader = Reader {
        parsed: ParsedKpiFile::default(),
        state: State::Before,
        paragraph_break: false,
        comment: None,
        pending: Pending::default(),
    };
    let body = reader.front_matter(&lines);
    for (index, line) in lines.iter().enumerate().skip(body) {
        reader.line(index + 1, line);
    }
    reader.close_kpi();
    if let Some(opened) = reader.comment {
        reader.error(Span::new(opened, 1, 5), "this comment is never closed", "end it with `-->`");
    }
    let mut parsed = reader.parsed;
    parsed.diagnostics.sort_by_key(|d| (d.line, d.column));
    parsed
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Before,
    Description,
    Settings,
}

/// The source settings of the KPI being read, put together when it ends.
#[derive(Debug, Default)]
struct Pending {
    source: Option<(String, String, Span)>,
    query: Option<(String, Span)>,
    path: Option<(String, Span)>,
}

struct Reader {
    parsed: ParsedKpiFile,
    state: State,
    paragraph_break: bool,
    comment: Option<usize>,
    pending: Pending,
}

impl Reader {
    fn error(&mut self, span: Span, message: impl Into<String>, suggestion: impl Into<String>) {
        self.parsed.diagnostics.push(Diagnostic::error(SYNTAX, span, message).suggest(suggestion));
    }

    fn problem(&mut self, span: Span, problem: Problem) {
        let d = Diagnostic::error(SYNTAX, span, problem.message);
        self.parsed.diagnostics.push(match problem.suggestion {
            Some(s) => d.suggest(s),
            None => d,
        });
    }

    /// Reads the front matter; returns the index of the first line of the body.
    fn front_matter(&mut self, lines: &[&str]) -> usize {
        let missing = "expected front matter: a `---` line, a `kpis: @<handle>` line and a `---` line";
        let fix = "start the file with `---`, `kpis: @<handle>` (or `kpis: nobody`) and `---`, one a line";
        let Some(start) = lines.iter().position(|l| !l.trim().is_empty()) else {
            self.error(Span::new(1, 1, 1), missing, fix);
            return lines.len();
        };
        if lines[start].trim_end() != "---" {
            self.error(Span::new(start + 1, 1, lines[start].chars().count() + 1), missing, fix);
            return start;
        }
        let fence = Span::new(start + 1, 1, 4);
        self.parsed.source_map.front_matter = Some(fence);
        let mut seen = false;
        for (index, line) in lines.iter().enumerate().skip(start + 1) {
            let number = index + 1;
            if line.trim_end() == "---" {
                if !seen {
                    self.error(fence, "expected a `kpis:` line in the front matter", "add `kpis: @<handle>`");
                }
                return index + 1;
            }
            if line.trim().is_empty() {
                continue;
            }
            if matches!(
                classify(&decode(line)),
                LineKind::Heading { level: 1, .. } | LineKind::Bullet { indent: 0, .. }
            ) {
                self.error(
                    fence,
                    format!("the front matter is not closed: expected `---` before line {number}"),
                    "add a line `---` after the `kpis:` line",
                );
                return index;
            }
            seen |= self.front_matter_line(number, line, seen);
        }
        self.error(fence, "the front matter is not closed: expected a closing `---`", "add a line `---`");
        lines.len()
    }

    /// Reads one `key: value` line of the front matter; whether it was the `kpis:` line.
    fn front_matter_line(&mut self, number: usize, line: &str, seen: bool) -> bool {
        let chars: Vec<char> = line.chars().collect();
        let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
        let end = chars.iter().rposition(|c| !c.is_whitespace()).map_or(lead + 1, |k| k + 2);
        let Some(colon) = chars.iter().position(|&c| c == ':') else {
            self.error(
                Span::new(number, lead + 1, end),
                "expected `key: value` in the front matter",
                "write `kpis: @<handle>`",
            );
            return false;
        };
        let key = chars[..colon].iter().collect::<String>().trim().to_lowercase();
        let key_span = Span::new(number, lead + 1, colon + 1);
        if key != "kpis" {
            let (message, fix) = if ["cycle", "owner", "aligns"].contains(&key.as_str()) {
                (
                    format!("a KPI file holds KPIs, which belong to no cycle: `{key}:` is not read here"),
                    "keep objectives in an OKR file of their own, and name the KPIs' owner with `kpis: @<handle>`"
                        .to_owned(),
                )
            } else {
                let fix = match closest(&key, ["kpis"]) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "remove the line: a KPI file's front matter holds only `kpis:`".to_owned(),
                };
                (format!("`{key}` is not a front matter key of a KPI file: expected `kpis`"), fix)
            };
            self.error(key_span, message, fix);
            return false;
        }
        if seen {
            self.error(key_span, "`kpis` is given twice", "keep one of them");
            return false;
        }
        let value_start = colon + 1 + chars[colon + 1..].iter().take_while(|c| c.is_whitespace()).count();
        let value_end =
            chars.iter().rposition(|c| !c.is_whitespace()).map_or(value_start, |k| (k + 1).max(value_start));
        let raw: String = chars[value_start..value_end].iter().collect();
        let value = unquote(&raw);
        let value_span = Span::new(number, value_start + 1, value_end + 1);
        self.parsed.source_map.owner = Some(value_span);
        if value.is_empty() {
            self.error(
                Span::new(number, chars.len() + 1, chars.len() + 1),
                "expected whose KPIs these are after `kpis:`",
                "write `kpis: @<handle>` for a person's KPIs, or `kpis: nobody` for KPIs nobody owns",
            );
        } else if value.eq_ignore_ascii_case("nobody") {
            self.parsed.file.owner = Some(KpiOwner::Nobody);
        } else if let Some(handle) = value.strip_prefix('@') {
            match parse_slug(handle, "a person's handle") {
                Ok(handle) => self.parsed.file.owner = Some(KpiOwner::Person(handle)),
                Err(problem) => self.problem(value_span, problem),
            }
        } else {
            let fix = if value.starts_with("team/") {
                "KPIs are owned by a person: write `kpis: @<handle>` for the team's lead, and tag them with the team"
                    .to_owned()
            } else {
                format!("write `kpis: @{}` for a person, or `kpis: nobody`", value.to_lowercase())
            };
            self.error(value_span, format!("expected `@<handle>` or `nobody` after `kpis:`, found `{value}`"), fix);
        }
        true
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
        match classify(&cells) {
            LineKind::Blank => self.paragraph_break = true,
            LineKind::Comment => {
                if !line.contains("-->") {
                    self.comment = Some(number);
                }
                self.error(
                    whole,
                    "comments are not part of a KPI file: `milepost export` would not write them back",
                    "move the note into the KPI's description, or delete it",
                );
            }
            LineKind::Heading { level: 1, content } => self.heading(number, &cells, content),
            LineKind::Heading { level, .. } => self.error(
                whole,
                format!("expected `# ` (one `#`) to start a KPI, found a level-{level} heading"),
                "write `# <the KPI's name>`; other headings are not part of a KPI file",
            ),
            LineKind::HashWithoutSpace => self.error(
                span(number, &cells[..1.min(cells.len())], 1),
                "expected a space after `#` to start a KPI",
                "write `# Name`, or `\\#` to keep the `#` as text",
            ),
            LineKind::Bullet { indent, .. } if indent >= 2 => {
                self.error(
                    whole,
                    "expected a setting at the start of the line, found a nested list",
                    "settings are one level deep: `- target: 92`",
                );
            }
            LineKind::Bullet { content, .. } => self.setting(number, line, &cells, content, whole),
            LineKind::Text => self.text(&cells, whole),
        }
    }

    fn heading(&mut self, number: usize, cells: &[Cell], content: usize) {
        self.close_kpi();
        self.paragraph_break = false;
        let words = trim_end(&cells[content.min(cells.len())..]);
        let mut name_cells = words;
        let mut id = None;
        let mut id_span = None;
        if let Some(peeled) = peel(words).filter(|p| p.kind == Trailing::Comment) {
            let inner = trim(&words[peeled.inner_start..peeled.inner_end]);
            let marker = span(number, &words[peeled.start..], 1);
            let inner_text = text(inner);
            let value = inner_text.strip_prefix("id:").map(str::trim);
            match value.map(parse_kpi_id) {
                Some(Some(value)) => {
                    id = Some(value);
                    let after = inner.iter().position(|c| c.is(':')).map_or(inner.len(), |k| k + 1);
                    id_span = Some(span(number, trim(&inner[after..]), marker.column));
                }
                Some(None) => self.error(
                    marker,
                    format!("expected a KPI's id such as `KPI-3`, found `{}`", value.unwrap_or_default()),
                    "remove the marker: `milepost apply` gives a new KPI its id",
                ),
                None => self.error(
                    marker,
                    "the only comment a KPI heading holds is its id marker, `<!-- id: KPI-3 -->`",
                    "move the note into the KPI's description",
                ),
            }
            name_cells = trim(&words[..peeled.start]);
        }
        let name_cells = trim(name_cells);
        let name_span = span(number, name_cells, cells.len() + 1);
        let mut kpi = Kpi::new(text(name_cells));
        kpi.id = id;
        if kpi.name.is_empty() {
            self.error(
                name_span,
                "expected the KPI's name after `#`",
                "write `# <what it measures>`, as in `# Website uptime`",
            );
        }
        self.parsed.file.kpis.push(kpi);
        self.parsed.source_map.kpis.push(KpiSpans {
            heading: span(number, cells, 1),
            name: name_span,
            id: id_span,
            settings: Vec::new(),
        });
        self.state = State::Description;
    }

    fn text(&mut self, cells: &[Cell], whole: Span) {
        match self.state {
            State::Before => self.error(
                whole,
                "expected a KPI heading (`# Name`) before any text",
                "a KPI's description goes under its heading",
            ),
            State::Settings => self.error(
                whole,
                "expected a setting (`- key: value`) or the next KPI (`# …`), found text",
                "move this text above the first setting, where the description goes",
            ),
            State::Description => {
                let line = text(trim(cells));
                if let Some(kpi) = self.parsed.file.kpis.last_mut() {
                    if !kpi.description.is_empty() {
                        kpi.description.push_str(if self.paragraph_break { "\n\n" } else { "\n" });
                    }
                    kpi.description.push_str(&line);
                }
                self.paragraph_break = false;
            }
        }
    }

    fn setting(&mut self, number: usize, line: &str, cells: &[Cell], content: usize, whole: Span) {
        if self.state == State::Before {
            self.error(whole, "expected a KPI heading before this setting", "add a line `# <the KPI's name>` above it");
            return;
        }
        self.state = State::Settings;
        let rest = &cells[content.min(cells.len())..];
        let Some(colon) = rest.iter().position(|c| c.is(':')) else {
            self.error(
                whole,
                "expected a setting, `- key: value`",
                "write it as `- target: 92` or `- cadence: weekly`",
            );
            return;
        };
        let key_cells = trim(&rest[..colon]);
        let key_span = span(number, key_cells, whole.column);
        let key = text(key_cells).split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let Some(&key) = SETTINGS.iter().find(|k| **k == key) else {
            let fix = match closest(&key, SETTINGS) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("a KPI's settings are {}", SETTINGS.map(|k| format!("`{k}`")).join(", ")),
            };
            self.error(key_span, format!("`{key}` is not a KPI setting"), fix);
            return;
        };
        let value_cells = trim(&rest[colon + 1..]);
        let value_span = span(number, value_cells, whole.end_column);
        let Some(spans) = self.parsed.source_map.kpis.last_mut() else { return };
        if spans.setting(key).is_some() {
            self.error(key_span, format!("`{key}` is given twice for this KPI"), "keep one of them");
            return;
        }
        spans.settings.push((key, value_span));
        if value_cells.is_empty() {
            self.error(value_span, format!("expected a value after `{key}:`"), example(key));
            return;
        }
        let value = text(value_cells);
        let result = self.read_setting(key, &value, value_cells, line, value_span);
        if let Err(problem) = result {
            self.problem(value_span, problem);
        }
    }

    fn read_setting(
        &mut self,
        key: &'static str,
        value: &str,
        cells: &[Cell],
        line: &str,
        at: Span,
    ) -> Result<(), Problem> {
        let Some(kpi) = self.parsed.file.kpis.last_mut() else { return Ok(()) };
        match key {
            "slug" => kpi.slug = Some(parse_slug(value, "a KPI's slug")?),
            "unit" => kpi.unit = Some(value.to_owned()),
            "direction" => kpi.direction = Some(parse_direction(value)?),
            "target" => kpi.target = Some(parse_number(value)?),
            "range" => kpi.range = Some(parse_range(value)?),
            "warning band" => kpi.warning_band = Some(parse_number(value)?),
            "cadence" => {
                kpi.cadence =
                    Some(Cadence::parse(&value.to_lowercase()).ok_or_else(|| {
                        Problem::new(format!("expected {}, found `{value}`", Cadence::names()), None)
                    })?);
            }
            "tier" => {
                kpi.tier = Some(KpiTier::parse(&value.to_lowercase()).ok_or_else(|| {
                    Problem::new(
                        format!("expected `kpi` or `metric`, found `{value}`"),
                        Some(
                            "`kpi` puts it on the board with health and lagging alerts; `metric` only measures it"
                                .into(),
                        ),
                    )
                })?);
            }
            "tags" => {
                let mut tags = Vec::new();
                for tag in cells.split(|c| c.is(',')) {
                    let tag = text(trim(tag));
                    if tag.is_empty() {
                        return Err(Problem::new("a tag is empty: two commas in a row, or one at an end", None));
                    }
                    tags.push(tag);
                }
                kpi.tags = tags;
            }
            "lagging after" => kpi.lagging_after = Some(parse_periods(value)?),
            // A formula is written as code (`orders * average-order-value`), so that
            // Markdown reads its `*` as they are; without backticks it is read as written.
            "formula" => kpi.formula = Some(unfence(&raw_of(line, cells)).trim().to_owned()),
            "drivers" => {
                let mut drivers = Vec::new();
                for driver in cells.split(|c| c.is(',')) {
                    let driver = text(trim(driver));
                    if driver.is_empty() {
                        return Err(Problem::new("a driver is empty: two commas in a row, or one at an end", None));
                    }
                    drivers.push(parse_slug(&driver, "a driver's slug")?);
                }
                kpi.drivers = drivers;
            }
            "source" => {
                let (kind, url) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
                let kind = kind.to_lowercase();
                if !["sql", "prometheus", "json"].contains(&kind.as_str()) {
                    return Err(Problem::new(
                        format!("expected `sql`, `prometheus` or `json` and a URL, found `{value}`"),
                        Some("write `- source: sql sqlite:///path/to/metrics.db`, `- source: prometheus http://prometheus:9090` or `- source: json https://…`".into()),
                    ));
                }
                if url.trim().is_empty() {
                    return Err(Problem::new(format!("expected the URL after `{kind}`"), None));
                }
                self.pending.source = Some((kind, url.trim().to_owned(), at));
            }
            _ => {
                let raw = raw_of(line, cells);
                let code = unfence(&raw);
                if key == "query" {
                    self.pending.query = Some((code, at));
                } else {
                    self.pending.path = Some((code, at));
                }
            }
        }
        Ok(())
    }

    /// Puts the source of the KPI just read together, or says what it lacks.
    fn close_kpi(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let Some(kpi_index) = self.parsed.file.kpis.len().checked_sub(1) else { return };
        let source = match (pending.source, pending.query, pending.path) {
            (None, query, path) => {
                for (key, at) in [("query", query.map(|q| q.1)), ("path", path.map(|p| p.1))] {
                    if let Some(at) = at {
                        self.error(
                            at,
                            format!("`{key}:` belongs to a source, and this KPI has none"),
                            "add a `- source: …` line, or remove this one",
                        );
                    }
                }
                None
            }
            (Some((kind, url, at)), query, path) => {
                let (needs, has, stray) = if kind == "json" { ("path", path, query) } else { ("query", query, path) };
                if let Some((_, stray_at)) = stray {
                    let other = if needs == "path" { "query" } else { "path" };
                    self.error(
                        stray_at,
                        format!("a `{kind}` source takes a `{needs}:`, not a `{other}:`"),
                        format!("write `- {needs}: …`"),
                    );
                }
                match has {
                    None => {
                        self.error(at, format!("a `{kind}` source needs its `{needs}:` line"), example(needs));
                        None
                    }
                    Some((text, _)) => Some(match kind.as_str() {
                        "sql" => KpiSourceText::Sql { url, query: text },
                        "prometheus" => KpiSourceText::Prometheus { url, query: text },
                        _ => KpiSourceText::Json { url, path: text },
                    }),
                }
            }
        };
        self.parsed.file.kpis[kpi_index].source = source;
    }
}

mod values;

#[cfg(test)]
mod tests;
