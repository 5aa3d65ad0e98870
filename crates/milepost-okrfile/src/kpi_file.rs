//! KPI files as data, and their canonical text (SPEC §5: "KPIs can be written as plain
//! text too").
//!
//! A KPI file holds one owner's KPIs, or the KPIs that nobody owns. KPIs belong to no
//! cycle, so a KPI file is a file of its own rather than a section of an OKR file: its
//! front matter says `kpis: @dana` (or `kpis: nobody`) instead of `cycle:` and `owner:`.
//! Each KPI is a level-one heading with its name and id marker, an optional
//! description, and one `- key: value` bullet per setting:
//!
//! ```markdown
//! ---
//! kpis: @dana
//! ---
//!
//! # Customer satisfaction <!-- id: KPI-3 -->
//!
//! Share of surveyed customers who rate their support 4 or 5.
//!
//! - slug: csat
//! - unit: %
//! - direction: higher is better
//! - target: 92
//! - warning band: 3
//! - cadence: weekly
//! ```
//!
//! [`crate::parse_kpis`] reads that text; [`render_kpis`] writes a [`KpiFile`] back in
//! the one canonical layout, so that `parse_kpis(&render_kpis(&file)).file == file`.

use crate::render::{description_line, escape};
use milepost_core::{Cadence, KpiDirection, KpiId, KpiTier, Named};
use serde::Serialize;
use std::fmt::Write as _;

/// One owner's KPIs.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct KpiFile {
    /// Who owns every KPI of the file, from `kpis:`; `None` when the line is missing or
    /// wrong, which is an error.
    pub owner: Option<KpiOwner>,
    /// The KPIs, in file order.
    pub kpis: Vec<Kpi>,
}

/// Who owns the KPIs of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum KpiOwner {
    /// A person, by handle: written `@dana`.
    Person(String),
    /// Nobody: written `nobody`.
    Nobody,
}

impl std::fmt::Display for KpiOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KpiOwner::Person(handle) => write!(f, "@{handle}"),
            KpiOwner::Nobody => f.write_str("nobody"),
        }
    }
}

/// A KPI as a file defines it. What the file leaves out is `None` (or empty) and takes
/// its default when applied: no unit, no warning band (0), tier `kpi`, no tags, lagging
/// after 2 red periods, no source. A missing direction or cadence is an error
/// (`incomplete-kpi`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    /// The id given by `milepost apply`, kept as `<!-- id: KPI-3 -->`.
    pub id: Option<KpiId>,
    /// The display name: the heading.
    pub name: String,
    /// The description: paragraphs separated by `"\n\n"`, lines by `"\n"`.
    pub description: String,
    /// Its short name, which key results use in `(kpi: …)`; made from the name when
    /// left out.
    pub slug: Option<String>,
    /// The unit of its values (`%`, `ms`, `USD`).
    pub unit: Option<String>,
    /// Which way it is good.
    pub direction: Option<KpiDirection>,
    /// The target, for higher or lower is better.
    pub target: Option<f64>,
    /// The good band `[low, high]`, for within a range.
    pub range: Option<[f64; 2]>,
    /// How far off the target or band is still amber.
    pub warning_band: Option<f64>,
    /// How often it is measured.
    pub cadence: Option<Cadence>,
    /// `kpi` or `metric`.
    pub tier: Option<KpiTier>,
    /// Tags, for grouping.
    pub tags: Vec<String>,
    /// Red periods in a row after which it lags.
    pub lagging_after: Option<u32>,
    /// Where the server pulls its values from.
    pub source: Option<KpiSourceText>,
    /// The formula over other KPIs' slugs it is computed from, written as code:
    /// `` - formula: `orders * average-order-value` ``.
    pub formula: Option<String>,
    /// The slugs of the KPIs that drive it: `- drivers: visits, conversion-rate`.
    pub drivers: Vec<String>,
}

impl Kpi {
    /// A KPI with a name and nothing else.
    pub fn new(name: impl Into<String>) -> Kpi {
        Kpi {
            id: None,
            name: name.into(),
            description: String::new(),
            slug: None,
            unit: None,
            direction: None,
            target: None,
            range: None,
            warning_band: None,
            cadence: None,
            tier: None,
            tags: Vec::new(),
            lagging_after: None,
            source: None,
            formula: None,
            drivers: Vec::new(),
        }
    }

    /// The slug it is known by: the one written, or else the one made from its name.
    pub fn effective_slug(&self) -> Option<String> {
        match &self.slug {
            Some(slug) => Some(slug.clone()),
            None => milepost_core::Slug::from_title(&self.name).map(|s| s.as_str().to_owned()),
        }
    }
}

/// A pull source as a file writes it: `- source: sql <url>` with `- query: …`,
/// `- source: prometheus <url>` with `- query: …`, or `- source: json <url>` with
/// `- path: …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KpiSourceText {
    /// A SQL query against a SQLite or PostgreSQL database.
    Sql {
        /// The database URL.
        url: String,
        /// The query.
        query: String,
    },
    /// A PromQL query against a Prometheus-compatible API.
    Prometheus {
        /// The base URL.
        url: String,
        /// The PromQL query.
        query: String,
    },
    /// A JSON document and a dotted path to the number in it.
    Json {
        /// The document's URL.
        url: String,
        /// The path: `data.items.0.value`.
        path: String,
    },
}

impl KpiSourceText {
    /// The word after `source:`.
    pub fn kind(&self) -> &'static str {
        match self {
            KpiSourceText::Sql { .. } => "sql",
            KpiSourceText::Prometheus { .. } => "prometheus",
            KpiSourceText::Json { .. } => "json",
        }
    }
}

/// Writes a KPI file in canonical form: the front matter, then each KPI as a heading
/// (name and id marker), a blank line, its description and a blank line when it has
/// one, and its settings one a line in the order `slug`, `unit`, `direction`, `target`
/// or `range`, `warning band`, `cadence`, `tier`, `tags`, `lagging after`, `formula`,
/// `drivers`, `source`,
/// `query` or `path`, each only when it is not the default. The slug is always
/// written, because key results name the KPI by it.
pub fn render_kpis(file: &KpiFile) -> String {
    let mut out = String::from("---\n");
    if let Some(owner) = &file.owner {
        let _ = writeln!(out, "kpis: {owner}");
    }
    out.push_str("---\n");
    for kpi in &file.kpis {
        out.push('\n');
        render_kpi(kpi, &mut out);
    }
    out
}

fn render_kpi(kpi: &Kpi, out: &mut String) {
    out.push_str("# ");
    out.push_str(&heading_text(&kpi.name));
    if let Some(id) = kpi.id {
        let _ = write!(out, " <!-- id: KPI-{id} -->");
    }
    out.push('\n');
    if !kpi.description.is_empty() {
        out.push('\n');
        for line in kpi.description.split('\n') {
            out.push_str(&description_line(line));
            out.push('\n');
        }
    }
    let mut settings: Vec<(&str, String)> = Vec::new();
    if let Some(slug) = kpi.effective_slug() {
        settings.push(("slug", slug));
    }
    if let Some(unit) = &kpi.unit {
        settings.push(("unit", value_text(unit)));
    }
    if let Some(direction) = kpi.direction {
        settings.push(("direction", direction_words(direction).to_owned()));
    }
    if let Some(target) = kpi.target {
        settings.push(("target", number(target)));
    }
    if let Some([low, high]) = kpi.range {
        settings.push(("range", format!("{} to {}", number(low), number(high))));
    }
    if let Some(band) = kpi.warning_band {
        settings.push(("warning band", number(band)));
    }
    if let Some(cadence) = kpi.cadence {
        settings.push(("cadence", cadence.as_str().to_owned()));
    }
    if let Some(tier) = kpi.tier {
        settings.push(("tier", tier.as_str().to_owned()));
    }
    if !kpi.tags.is_empty() {
        // A comma would split the tag, and a backslash at its end would escape the next
        // tag's comma: both are escaped.
        let tags: Vec<String> = kpi
            .tags
            .iter()
            .map(|t| {
                let last = t.chars().count().saturating_sub(1);
                escape(t, |k, c| c == ',' || (c == '\\' && k == last))
            })
            .collect();
        settings.push(("tags", tags.join(", ")));
    }
    if let Some(n) = kpi.lagging_after {
        settings.push(("lagging after", format!("{n} {}", if n == 1 { "period" } else { "periods" })));
    }
    if let Some(formula) = &kpi.formula {
        settings.push(("formula", code(formula)));
    }
    if !kpi.drivers.is_empty() {
        settings.push(("drivers", kpi.drivers.join(", ")));
    }
    match &kpi.source {
        Some(KpiSourceText::Sql { url, query } | KpiSourceText::Prometheus { url, query }) => {
            let kind = kpi.source.as_ref().map_or("sql", KpiSourceText::kind);
            settings.push(("source", format!("{kind} {}", value_text(url))));
            settings.push(("query", code(query)));
        }
        Some(KpiSourceText::Json { url, path }) => {
            settings.push(("source", format!("json {}", value_text(url))));
            settings.push(("path", code(path)));
        }
        None => {}
    }
    if !settings.is_empty() {
        out.push('\n');
        for (key, value) in settings {
            let _ = writeln!(out, "- {key}: {value}");
        }
    }
}

/// The words a file writes for a direction.
pub fn direction_words(direction: KpiDirection) -> &'static str {
    match direction {
        KpiDirection::HigherIsBetter => "higher is better",
        KpiDirection::LowerIsBetter => "lower is better",
        KpiDirection::WithinRange => "within a range",
    }
}

/// A number as the shortest text that reads back as the same number.
pub(crate) fn number(value: f64) -> String {
    if value == 0.0 { "0".to_owned() } else { value.to_string() }
}

/// A heading's text: backslashes that would escape, and a closing `<!-- … -->` that
/// would be read as an id marker, are escaped.
fn heading_text(name: &str) -> String {
    let cells = crate::parse::plain(name);
    let opener = crate::parse::trailing_comment(&cells);
    escape(name, |k, _| Some(k) == opener)
}

/// A setting's value with its backslashes escaped.
fn value_text(text: &str) -> String {
    escape(text, |_, _| false)
}

/// A query or path as a code span: in backticks, more of them than any run inside, so
/// that it reads back character for character and renders as code.
pub(crate) fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest == 0 { format!("{fence}{text}{fence}") } else { format!("{fence} {text} {fence}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_short_and_exact() {
        assert_eq!(number(92.0), "92");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(1_200.5), "1200.5");
        for value in [1e21, 1e-7, 0.1 + 0.2, -3.25, f64::MAX] {
            assert_eq!(number(value).parse::<f64>().ok(), Some(value));
        }
    }

    #[test]
    fn code_spans_take_more_backticks_than_the_text_has() {
        assert_eq!(code("SELECT 1"), "`SELECT 1`");
        assert_eq!(code("SELECT `value` FROM t"), "`` SELECT `value` FROM t ``");
        assert_eq!(code("a``b"), "``` a``b ```");
    }
}
