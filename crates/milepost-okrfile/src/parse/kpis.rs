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
use milepost_core::{Cadence, KpiDirection, KpiId, KpiTier, Named};
use serde::Serialize;

/// The settings a KPI may have, in the order the canonical form writes them.
pub const SETTINGS: [&str; 13] = [
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

/// An example value for a setting, as a suggestion.
fn example(key: &str) -> String {
    let sample = match key {
        "slug" => "csat",
        "unit" => "%",
        "direction" => "higher is better",
        "target" => "92",
        "range" => "88 to 95",
        "warning band" => "3",
        "cadence" => "weekly",
        "tier" => "kpi",
        "tags" => "support, quality",
        "lagging after" => "2 periods",
        "source" => "sql sqlite:///var/lib/metrics.db",
        "query" => "`SELECT avg(score) AS value FROM surveys`",
        _ => "`data.value`",
    };
    format!("write it as `- {key}: {sample}`")
}

/// Reads `KPI-3` (the prefix in any case).
fn parse_kpi_id(text: &str) -> Option<KpiId> {
    let (prefix, digits) = text.split_once('-')?;
    let ok = prefix.eq_ignore_ascii_case("kpi")
        && !digits.is_empty()
        && digits.len() <= 19
        && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| digits.parse::<i64>().ok()).flatten().filter(|n| *n > 0).map(KpiId)
}

fn parse_direction(value: &str) -> Result<KpiDirection, Problem> {
    let words = value.to_lowercase().replace('_', " ");
    let words: Vec<&str> = words.split_whitespace().collect();
    match words.as_slice() {
        ["higher", "is", "better"] | ["higher"] => Ok(KpiDirection::HigherIsBetter),
        ["lower", "is", "better"] | ["lower"] => Ok(KpiDirection::LowerIsBetter),
        ["within", "a", "range"] | ["within", "range"] | ["range"] => Ok(KpiDirection::WithinRange),
        _ => Err(Problem::new(
            format!("expected `higher is better`, `lower is better` or `within a range`, found `{value}`"),
            None,
        )),
    }
}

/// Reads a number: `92`, `-3.5`, `1,200`, `1e6`.
pub(crate) fn parse_number(value: &str) -> Result<f64, Problem> {
    let value = value.trim();
    let cleaned: String = value.chars().filter(|c| !matches!(c, ',' | '_')).collect();
    let numeric = cleaned.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
        && cleaned.chars().any(|c| c.is_ascii_digit());
    if let Some(number) = numeric.then(|| cleaned.parse::<f64>().ok()).flatten().filter(|n| n.is_finite()) {
        return Ok(number);
    }
    let lead: String = value.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')).collect();
    let fix = (!lead.is_empty() && lead.len() < value.len()).then(|| {
        format!(
            "write the number alone, `{}`, and the unit on a line of its own: `- unit: {}`",
            lead,
            value[lead.len()..].trim()
        )
    });
    Err(Problem::new(format!("expected a number such as `92` or `1,200.5`, found `{value}`"), fix))
}

fn parse_range(value: &str) -> Result<[f64; 2], Problem> {
    let lower = value.to_lowercase();
    let Some((low, high)) = lower.split_once(" to ") else {
        return Err(Problem::new(
            format!("expected a range such as `88 to 95`, found `{value}`"),
            Some("write the low end, `to`, and the high end".into()),
        ));
    };
    Ok([parse_number(low)?, parse_number(high)?])
}

fn parse_periods(value: &str) -> Result<u32, Problem> {
    let lower = value.to_lowercase();
    let digits = lower.trim_end_matches("periods").trim_end_matches("period").trim();
    digits.parse::<u32>().map_err(|_| {
        Problem::new(
            format!("expected a number of periods such as `2 periods`, found `{value}`"),
            Some("a KPI lags after this many red periods of its cadence in a row".into()),
        )
    })
}

/// The source text of `cells` on `line`, before escapes were decoded: a query is kept
/// as written.
fn raw_of(line: &str, cells: &[Cell]) -> String {
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else { return String::new() };
    line.chars().skip(first.column - 1).take(last.column + last.width - first.column).collect()
}

/// A code span's inside (`` `SELECT 1` `` → `SELECT 1`): the backtick fences, and one
/// space inside each when both are there, come off; text without fences stays.
fn unfence(raw: &str) -> String {
    let ticks = raw.chars().take_while(|&c| c == '`').count();
    let closing = raw.chars().rev().take_while(|&c| c == '`').count();
    if ticks == 0 || ticks != closing || raw.chars().count() <= 2 * ticks {
        return raw.to_owned();
    }
    let fence = "`".repeat(ticks);
    let inner = &raw[fence.len()..raw.len() - fence.len()];
    match inner.strip_prefix(' ').and_then(|i| i.strip_suffix(' ')) {
        Some(stripped) if !stripped.trim().is_empty() => stripped.to_owned(),
        _ => inner.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "---\nkpis: @dana\n---\n\n# Customer satisfaction <!-- id: KPI-3 -->\n\nShare of happy customers.\n\n- slug: csat\n- unit: %\n- direction: higher is better\n- target: 92\n- warning band: 3\n- cadence: weekly\n- tags: support, quality\n- source: sql sqlite:///tmp/m.db\n- query: `SELECT avg(score) AS value FROM surveys`\n\n# Churn\n\n- direction: within a range\n- range: 2 to 3.5\n- cadence: monthly\n- tier: metric\n- lagging after: 3 periods\n";

    #[test]
    fn a_kpi_file_reads_into_its_kpis() {
        assert!(is_kpi_file(FILE));
        let parsed = parse_kpis(FILE);
        assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
        assert_eq!(parsed.file.owner, Some(KpiOwner::Person("dana".into())));
        let csat = &parsed.file.kpis[0];
        assert_eq!(
            (csat.id, csat.name.as_str(), csat.slug.as_deref()),
            (Some(KpiId(3)), "Customer satisfaction", Some("csat"))
        );
        assert_eq!((csat.target, csat.warning_band, csat.cadence), (Some(92.0), Some(3.0), Some(Cadence::Weekly)));
        assert_eq!(csat.tags, ["support", "quality"]);
        assert_eq!(
            csat.source,
            Some(KpiSourceText::Sql {
                url: "sqlite:///tmp/m.db".into(),
                query: "SELECT avg(score) AS value FROM surveys".into()
            })
        );
        let churn = &parsed.file.kpis[1];
        assert_eq!((churn.range, churn.tier, churn.lagging_after), (Some([2.0, 3.5]), Some(KpiTier::Metric), Some(3)));
        assert_eq!(parsed.source_map.kpis[0].setting("target").map(|s| (s.line, s.column)), Some((12, 11)));
    }

    #[test]
    fn okr_files_are_not_kpi_files() {
        assert!(!is_kpi_file("---\ncycle: 2026-Q4\nowner: @dana\n---\n# KPIs: kpis: everywhere\n"));
        assert!(!is_kpi_file("# kpis: no front matter\n"));
        assert!(is_kpi_file("\u{feff}\n---\r\nKPIs: nobody\r\n---\r\n"));
    }

    #[test]
    fn each_wrong_line_says_what_was_expected() {
        let text = "---\nkpis: team/support\ncycle: 2026-Q4\n---\n- target: 3\n# Uptime <!-- note -->\n- targte: 99\n- target: 99%\n- target: 98\n- range: 1 - 2\n- cadence: hourly\n## Deep\n- query: `x`\n";
        let parsed = parse_kpis(text);
        let found: Vec<(usize, &str)> = parsed.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(found.len(), 11, "{found:#?}");
        let lines: Vec<usize> = found.iter().map(|f| f.0).collect();
        assert_eq!(lines, [2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        assert!(found[0].1.contains("`@<handle>` or `nobody`"));
        assert!(found[1].1.contains("belong to no cycle"));
        assert_eq!(parsed.diagnostics[4].suggestion.as_deref(), Some("did you mean `target`?"));
        assert_eq!(
            parsed.diagnostics[5].suggestion.as_deref(),
            Some("write the number alone, `99`, and the unit on a line of its own: `- unit: %`")
        );
        assert!(found[6].1.contains("given twice"));
        assert!(found[10].1.contains("belongs to a source"));
        // A wrong value is still a given one: the second `target:` is a repeat.
        assert_eq!(parsed.file.kpis[0].target, None);
    }

    #[test]
    fn sources_need_their_query_or_path() {
        let parsed =
            parse_kpis("---\nkpis: nobody\n---\n# A\n- source: json http://x/\n- query: `q`\n# B\n- source: ftp x\n");
        let messages: Vec<&str> = parsed.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("needs its `path:` line"));
        assert!(messages[1].contains("not a `query:`"));
        assert!(messages[2].contains("expected `sql`, `prometheus` or `json`"));
        assert_eq!(parsed.file.owner, Some(KpiOwner::Nobody));
    }

    #[test]
    fn code_spans_are_read_as_written() {
        assert_eq!(unfence("`SELECT \\* FROM t`"), "SELECT \\* FROM t");
        assert_eq!(unfence("`` a`b ``"), "a`b");
        assert_eq!(unfence("plain text"), "plain text");
        assert_eq!(unfence("`"), "`");
        assert_eq!(unfence("` `"), " ");
    }
}
