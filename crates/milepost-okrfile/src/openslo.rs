//! OpenSLO v1 into KPIs (`milepost kpi import-slo`, docs/kpis.md "OpenSLO").
//!
//! An OpenSLO `SLO` states an objective for a service level indicator: a share of good
//! events, of good time slices, or of readings on the good side of a threshold. Milepost
//! reads each objective of an SLO as one KPI with a target, a warning band, a cadence
//! and, where the indicator names a PromQL query, a Prometheus source. The rules:
//!
//! - **A threshold metric** (`thresholdMetric`): the KPI's values are the metric's;
//!   `op: lt`/`lte` makes it lower is better and `gt`/`gte` higher is better; the
//!   objective's `value` is the target; the warning band is a tenth of the target's size
//!   (amber up to 10% beyond it).
//! - **A ratio metric** (`ratioMetric`): the KPI's values are the good share in percent
//!   (`good / total`, `(total − bad) / total`, or the `raw` ratio, a failure ratio turned
//!   round); higher is better. For `Occurrences` and `RatioTimeslices` the target is the
//!   objective's `target` (or `targetPercent`) in percent and the warning band is the
//!   error budget it leaves (`target: 0.99` → target 99%, amber down to 98%). For
//!   `Timeslices` the target is the slice's own bar, `timeSliceTarget`, and the band is
//!   what that leaves.
//! - **The share of slices** that must be good (`target` of a time-slice or threshold
//!   objective) is kept as [`SloKpi::required_share`] and written in the description.
//! - **The cadence** is the time slice's when it is a day, a week, a month or a quarter;
//!   otherwise daily (Milepost's finest), which is reported.
//! - **The source**: a metric source of type `Prometheus` (named on the metric or on the
//!   `DataSource` it refers to) with a `query` becomes a Prometheus source at the
//!   data source's `url` (or the URL given to the import). For a ratio the two queries are
//!   combined into one PromQL expression; a `counter: true` ratio compares the counters'
//!   increase over one period of the cadence. Other source types (Datadog, CloudWatch…)
//!   leave the KPI without a source, which is reported.
//!
//! What Milepost does not model is reported as a warning with the document and the
//! field it sits in, never dropped silently: alert policies, labels and annotations,
//! composite weights, unknown fields. A document Milepost cannot read (another
//! `apiVersion`, a missing field, a value out of range, an `indicatorRef` that names no
//! `SLI` of the files) is an error, and then nothing is imported.
//!
//! Pure: the caller reads the files and hands over their text.

use crate::kpi_file::{Kpi, KpiSourceText};
use milepost_core::{Cadence, KpiDirection, Slug};
use serde::Serialize;
use serde_json::{Map, Value};

/// One file of OpenSLO YAML, possibly several documents separated by `---`.
#[derive(Debug, Clone, Copy)]
pub struct SloText<'a> {
    /// The file's name, as messages show it.
    pub name: &'a str,
    /// Its YAML.
    pub text: &'a str,
}

/// What an import reads besides the files.
#[derive(Debug, Clone, Default)]
pub struct SloOptions {
    /// The Prometheus base URL for metric sources of type Prometheus whose `DataSource`
    /// gives none.
    pub prometheus_url: Option<String>,
}

/// The KPIs read from OpenSLO files, and what was reported on the way.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SloImport {
    /// One KPI per objective of each SLO, in file order.
    pub kpis: Vec<SloKpi>,
    /// Errors (nothing may be imported) and warnings (parts not imported).
    pub notes: Vec<SloNote>,
}

impl SloImport {
    /// Whether an error was found: then nothing should be imported.
    pub fn has_errors(&self) -> bool {
        self.notes.iter().any(|n| n.severity == SloSeverity::Error)
    }
}

/// A KPI made from one objective of an SLO.
#[derive(Debug, Clone, Serialize)]
pub struct SloKpi {
    /// The KPI, as a KPI file would define it (no owner, no id).
    pub kpi: Kpi,
    /// The share of periods (or events) that must be good, 0–1: the SLO's target.
    pub required_share: f64,
    /// Where it came from: `file`, SLO name and objective.
    pub origin: String,
}

/// How serious a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SloSeverity {
    /// The document cannot be read: nothing is imported.
    Error,
    /// A part that is not imported.
    Warning,
}

/// Something reported about a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloNote {
    /// Error or warning.
    pub severity: SloSeverity,
    /// The file.
    pub file: String,
    /// The document in the file, from 1.
    pub document: usize,
    /// The field, as a dotted path (`spec.objectives[0].target`); empty for the whole
    /// document.
    pub field: String,
    /// What is wrong or left out, in a sentence.
    pub message: String,
}

impl std::fmt::Display for SloNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let word = match self.severity {
            SloSeverity::Error => "error",
            SloSeverity::Warning => "warning",
        };
        write!(f, "{word}: {} (document {})", self.file, self.document)?;
        if !self.field.is_empty() {
            write!(f, ", {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One parsed document with where it is.
struct Doc {
    file: String,
    index: usize,
    kind: String,
    name: String,
    body: Map<String, Value>,
}

/// Reads every `SLO` of the files into KPIs; `SLI` and `DataSource` documents are
/// looked up by name from the SLOs that refer to them.
pub fn import_slos(files: &[SloText<'_>], options: &SloOptions) -> SloImport {
    let mut out = SloImport::default();
    let mut docs = Vec::new();
    for file in files {
        read_documents(file, &mut docs, &mut out.notes);
    }
    let mut reader = Reader { docs: &docs, options, notes: &mut out.notes };
    let mut kpis = Vec::new();
    for doc in docs.iter().filter(|d| d.kind == "SLO") {
        kpis.extend(reader.slo(doc));
    }
    for doc in docs.iter() {
        if !matches!(doc.kind.as_str(), "SLO" | "SLI" | "DataSource") {
            reader.warn(
                doc,
                "kind",
                format!("a {} is not imported: Milepost reads SLO, SLI and DataSource documents", doc.kind),
            );
        }
    }
    // Two objectives may not land on one slug.
    let mut seen = std::collections::HashMap::new();
    for kpi in &kpis {
        let slug = kpi.kpi.slug.clone().unwrap_or_default();
        if let Some(first) = seen.insert(slug.clone(), kpi.origin.clone()) {
            out.notes.push(SloNote {
                severity: SloSeverity::Error,
                file: kpi.origin.split(':').next().unwrap_or_default().to_owned(),
                document: 0,
                field: "metadata.name".into(),
                message: format!(
                    "{} and {first} would both be the KPI `{slug}`: give the SLOs different names",
                    kpi.origin
                ),
            });
        }
    }
    out.kpis = kpis;
    out
}

fn read_documents(file: &SloText<'_>, docs: &mut Vec<Doc>, notes: &mut Vec<SloNote>) {
    let note = |document: usize, field: &str, message: String| SloNote {
        severity: SloSeverity::Error,
        file: file.name.to_owned(),
        document,
        field: field.to_owned(),
        message,
    };
    let values: Vec<Value> = match serde_saphyr::from_multiple(file.text) {
        Ok(values) => values,
        Err(error) => {
            let message = error.to_string();
            let first = message.lines().next().unwrap_or("not YAML").trim().to_owned();
            notes.push(note(0, "", format!("is not readable YAML: {first}")));
            return;
        }
    };
    let mut index = 0;
    for value in values {
        if value.is_null() {
            continue; // an empty document, such as after a trailing `---`
        }
        index += 1;
        let Value::Object(body) = value else {
            notes.push(note(
                index,
                "",
                "an OpenSLO document is a mapping with apiVersion, kind, metadata and spec".into(),
            ));
            continue;
        };
        let api = body.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        if api != "openslo/v1" {
            let found = if api.is_empty() { "no apiVersion".to_owned() } else { format!("`{api}`") };
            notes.push(note(
                index,
                "apiVersion",
                format!("Milepost reads OpenSLO `openslo/v1` documents; this one has {found}"),
            ));
            continue;
        }
        let Some(kind) = body.get("kind").and_then(Value::as_str).map(str::to_owned) else {
            notes.push(note(index, "kind", "the document has no kind (SLO, SLI, DataSource…)".into()));
            continue;
        };
        let name =
            body.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or_default().to_owned();
        if name.is_empty() {
            notes.push(note(index, "metadata.name", format!("the {kind} has no metadata.name")));
            continue;
        }
        docs.push(Doc { file: file.name.to_owned(), index, kind, name, body });
    }
}

struct Reader<'a> {
    docs: &'a [Doc],
    options: &'a SloOptions,
    notes: &'a mut Vec<SloNote>,
}

/// What an objective is measured with.
enum Metric<'a> {
    Threshold(&'a Map<String, Value>),
    Ratio(&'a Map<String, Value>),
}

/// How an SLO counts its budget.
#[derive(Clone, Copy, PartialEq)]
enum Budgeting {
    Occurrences,
    Timeslices,
    RatioTimeslices,
}

impl<'a> Reader<'a> {
    fn note(&mut self, severity: SloSeverity, doc: &Doc, field: &str, message: String) {
        self.notes.push(SloNote {
            severity,
            file: doc.file.clone(),
            document: doc.index,
            field: field.to_owned(),
            message,
        });
    }
    fn error(&mut self, doc: &Doc, field: &str, message: impl Into<String>) {
        self.note(SloSeverity::Error, doc, field, message.into());
    }
    fn warn(&mut self, doc: &Doc, field: &str, message: impl Into<String>) {
        self.note(SloSeverity::Warning, doc, field, message.into());
    }

    /// Reports every key of `map` not in `known`, under `at`.
    fn unknown_keys(&mut self, doc: &Doc, at: &str, map: &Map<String, Value>, known: &[&str]) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            self.warn(doc, &join(at, key), format!("`{key}` is not an OpenSLO v1 field Milepost knows: ignored"));
        }
    }

    fn slo(&mut self, doc: &'a Doc) -> Vec<SloKpi> {
        self.unknown_keys(doc, "", &doc.body, &["apiVersion", "kind", "metadata", "spec"]);
        self.metadata(doc);
        let Some(spec) = doc.body.get("spec").and_then(Value::as_object) else {
            self.error(doc, "spec", "the SLO has no spec");
            return Vec::new();
        };
        self.unknown_keys(
            doc,
            "spec",
            spec,
            &[
                "description",
                "service",
                "indicator",
                "indicatorRef",
                "timeWindow",
                "budgetingMethod",
                "objectives",
                "alertPolicies",
            ],
        );
        let budgeting = match spec.get("budgetingMethod").and_then(Value::as_str) {
            Some("Occurrences") => Budgeting::Occurrences,
            Some("Timeslices") => Budgeting::Timeslices,
            Some("RatioTimeslices") => Budgeting::RatioTimeslices,
            Some(other) => {
                self.error(
                    doc,
                    "spec.budgetingMethod",
                    format!("`{other}` is not a budgeting method: Occurrences, Timeslices or RatioTimeslices"),
                );
                return Vec::new();
            }
            None => {
                // Required by the specification, yet left out of some of its own examples.
                self.warn(
                    doc,
                    "spec.budgetingMethod",
                    "no budgetingMethod: read as Occurrences (the share of good events)",
                );
                Budgeting::Occurrences
            }
        };
        if spec.get("alertPolicies").is_some_and(|v| !v.is_null()) {
            self.warn(
                doc,
                "spec.alertPolicies",
                "alert policies are not imported: Milepost shows a KPI's health and marks it lagging after its red periods",
            );
        }
        let window = self.time_window(doc, spec);
        let display = doc
            .body
            .get("metadata")
            .and_then(|m| m.get("displayName"))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&doc.name)
            .trim()
            .to_owned();
        let service = spec.get("service").and_then(Value::as_str).map(str::to_owned);
        let description = spec.get("description").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
        let slo_indicator = self.indicator_of(doc, spec, "spec");
        let Some(objectives) = spec.get("objectives").and_then(Value::as_array).filter(|o| !o.is_empty()) else {
            self.error(doc, "spec.objectives", "the SLO needs at least one objective");
            return Vec::new();
        };
        let several = objectives.len() > 1;
        let mut kpis = Vec::new();
        for (i, objective) in objectives.iter().enumerate() {
            let at = format!("spec.objectives[{i}]");
            let Some(objective) = objective.as_object() else {
                self.error(doc, &at, "an objective is a mapping (displayName, op, value, target…)");
                continue;
            };
            let indicator = match self.indicator_of(doc, objective, &at) {
                Some(own) => Some(own),
                None => slo_indicator.clone(),
            };
            let Some((indicator_at, indicator_doc, indicator)) = indicator else {
                let named = |m: &Map<String, Value>| m.contains_key("indicator") || m.contains_key("indicatorRef");
                if !named(spec) && !named(objective) {
                    self.error(doc, &at, "no indicator: give spec.indicator or spec.indicatorRef (or, for a composite SLO, the objective's own)");
                }
                continue;
            };
            let parts = Parts {
                doc,
                display: &display,
                service: service.as_deref(),
                description: &description,
                window: &window,
            };
            if let Some(kpi) = self.objective(
                &parts,
                budgeting,
                &at,
                objective,
                several.then_some(i),
                (&indicator_at, indicator_doc, &indicator),
            ) {
                kpis.push(kpi);
            }
        }
        kpis
    }

    fn metadata(&mut self, doc: &Doc) {
        let Some(metadata) = doc.body.get("metadata").and_then(Value::as_object) else { return };
        self.unknown_keys(doc, "metadata", metadata, &["name", "displayName", "labels", "annotations"]);
        for key in ["labels", "annotations"] {
            if metadata.get(key).and_then(Value::as_object).is_some_and(|m| !m.is_empty()) {
                self.warn(
                    doc,
                    &format!("metadata.{key}"),
                    format!("{key} are not imported (a KPI has tags; add them by hand)"),
                );
            }
        }
    }

    /// The window, in words for the description; reports what is not modelled.
    fn time_window(&mut self, doc: &Doc, spec: &Map<String, Value>) -> String {
        let Some(windows) = spec.get("timeWindow") else { return String::new() };
        let Some(window) = windows.as_array().and_then(|w| w.first()).and_then(Value::as_object) else {
            self.error(
                doc,
                "spec.timeWindow",
                "timeWindow is a list of exactly one window (duration, isRolling or calendar)",
            );
            return String::new();
        };
        if windows.as_array().is_some_and(|w| w.len() > 1) {
            self.error(doc, "spec.timeWindow", "timeWindow takes exactly one window");
        }
        let duration = match window.get("duration").and_then(Value::as_str) {
            Some(text) => match parse_duration(text) {
                Some(_) => text.to_owned(),
                None => {
                    self.error(
                        doc,
                        "spec.timeWindow[0].duration",
                        format!(
                            "`{text}` is not a duration: a whole number and one of m, h, d, w, M, Q, Y (`4w`, `1Q`)"
                        ),
                    );
                    return String::new();
                }
            },
            None => {
                self.error(doc, "spec.timeWindow[0].duration", "the time window needs a duration (`28d`, `1M`)");
                return String::new();
            }
        };
        let rolling = window.get("isRolling").and_then(Value::as_bool).unwrap_or(!window.contains_key("calendar"));
        self.warn(
            doc,
            "spec.timeWindow",
            format!(
                "the {duration} {} window is kept in the description only: Milepost reads a KPI period by period of its cadence",
                if rolling { "rolling" } else { "calendar" }
            ),
        );
        format!("{duration} {}", if rolling { "rolling window" } else { "calendar window" })
    }

    /// The indicator given inline or by reference under `map` (at `at`): the path of its
    /// spec, the document it is in and its spec.
    fn indicator_of(
        &mut self,
        doc: &'a Doc,
        map: &Map<String, Value>,
        at: &str,
    ) -> Option<(String, &'a Doc, Map<String, Value>)> {
        if let Some(inline) = map.get("indicator") {
            let Some(inline) = inline.as_object() else {
                self.error(doc, &join(at, "indicator"), "the indicator is a mapping with metadata and spec");
                return None;
            };
            let Some(spec) = inline.get("spec").and_then(Value::as_object) else {
                self.error(
                    doc,
                    &join(at, "indicator.spec"),
                    "the indicator has no spec (thresholdMetric or ratioMetric)",
                );
                return None;
            };
            return Some((join(at, "indicator.spec"), doc, spec.clone()));
        }
        let name = map.get("indicatorRef").and_then(Value::as_str)?;
        let docs = self.docs;
        match docs.iter().find(|d| d.kind == "SLI" && d.name == name) {
            Some(sli) => match sli.body.get("spec").and_then(Value::as_object) {
                Some(spec) => Some(("spec".into(), sli, spec.clone())),
                None => {
                    self.error(sli, "spec", "the SLI has no spec (thresholdMetric or ratioMetric)");
                    None
                }
            },
            None => {
                self.error(
                    doc,
                    &join(at, "indicatorRef"),
                    format!("no SLI named `{name}` in the files given: add the file that defines it"),
                );
                None
            }
        }
    }

    fn objective(
        &mut self,
        parts: &Parts<'_>,
        budgeting: Budgeting,
        at: &str,
        objective: &Map<String, Value>,
        index: Option<usize>,
        (indicator_at, indicator_doc, indicator): (&str, &Doc, &Map<String, Value>),
    ) -> Option<SloKpi> {
        let doc = parts.doc;
        self.unknown_keys(
            doc,
            at,
            objective,
            &[
                "displayName",
                "op",
                "value",
                "target",
                "targetPercent",
                "timeSliceTarget",
                "timeSliceWindow",
                "indicator",
                "indicatorRef",
                "compositeWeight",
            ],
        );
        if objective.contains_key("compositeWeight") {
            self.warn(
                doc,
                &join(at, "compositeWeight"),
                "composite weights are not imported: each objective becomes a KPI of its own",
            );
        }
        let share = self.required_share(doc, at, objective)?;
        let metric = match (indicator.get("thresholdMetric"), indicator.get("ratioMetric")) {
            (Some(Value::Object(m)), None) => Metric::Threshold(m),
            (None, Some(Value::Object(m))) => Metric::Ratio(m),
            (Some(_), Some(_)) => {
                self.error(
                    indicator_doc,
                    indicator_at,
                    "an indicator has either a thresholdMetric or a ratioMetric, not both",
                );
                return None;
            }
            _ => {
                self.error(indicator_doc, indicator_at, "the indicator needs a thresholdMetric or a ratioMetric");
                return None;
            }
        };
        self.unknown_keys(indicator_doc, indicator_at, indicator, &["description", "thresholdMetric", "ratioMetric"]);
        let slice = match objective.get("timeSliceWindow") {
            None => None,
            Some(value) => {
                let text = match value {
                    Value::Number(n) => format!("{n}m"), // a bare number is minutes
                    Value::String(s) => s.clone(),
                    _ => String::new(),
                };
                match parse_duration(&text) {
                    Some(d) => Some((text, d)),
                    None => {
                        self.error(
                            doc,
                            &join(at, "timeSliceWindow"),
                            format!("`{text}` is not a duration (`1m`, `5m`, `1d`)"),
                        );
                        return None;
                    }
                }
            }
        };
        if matches!(budgeting, Budgeting::Timeslices | Budgeting::RatioTimeslices) && slice.is_none() {
            self.error(doc, &join(at, "timeSliceWindow"), "a time-slice SLO needs timeSliceWindow on each objective");
            return None;
        }
        let cadence = match &slice {
            Some((text, duration)) => match duration.cadence() {
                Some(cadence) => cadence,
                None => {
                    self.warn(
                        doc,
                        &join(at, "timeSliceWindow"),
                        format!("slices of {text} are finer than Milepost's finest cadence: the KPI is measured daily"),
                    );
                    Cadence::Daily
                }
            },
            None => Cadence::Daily,
        };
        let objective_name =
            objective.get("displayName").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let mut kpi = Kpi::new(match (index, objective_name) {
            (Some(_), Some(o)) => format!("{}: {o}", parts.display),
            (Some(i), None) => format!("{} (objective {})", parts.display, i + 1),
            (None, _) => parts.display.to_owned(),
        });
        let slug = match index {
            None => doc.name.clone(),
            Some(i) => format!(
                "{}-{}",
                doc.name,
                objective_name
                    .and_then(Slug::from_title)
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_else(|| (i + 1).to_string())
            ),
        };
        kpi.slug = match Slug::parse(&slug) {
            Ok(s) => Some(s.as_str().to_owned()),
            Err(_) => Slug::from_title(&slug).map(|s| s.as_str().to_owned()),
        };
        kpi.cadence = Some(cadence);
        let period = cadence_range(cadence);
        let condition = match metric {
            Metric::Threshold(metric) => {
                let metric_at = format!("{indicator_at}.thresholdMetric");
                let op = objective.get("op").and_then(Value::as_str);
                let value = objective.get("value").and_then(Value::as_f64);
                let (Some(op), Some(value)) = (op, value) else {
                    self.error(doc, at, "an objective on a threshold metric needs op (lt, lte, gt, gte) and value");
                    return None;
                };
                let (direction, words) = match op {
                    "lt" => (KpiDirection::LowerIsBetter, "below"),
                    "lte" => (KpiDirection::LowerIsBetter, "at or below"),
                    "gt" => (KpiDirection::HigherIsBetter, "above"),
                    "gte" => (KpiDirection::HigherIsBetter, "at or above"),
                    other => {
                        self.error(doc, &join(at, "op"), format!("`{other}` is not an operator: lt, lte, gt or gte"));
                        return None;
                    }
                };
                if !value.is_finite() {
                    self.error(doc, &join(at, "value"), "the value must be a finite number");
                    return None;
                }
                kpi.direction = Some(direction);
                kpi.target = Some(value);
                kpi.warning_band = Some(tidy(value.abs() / 10.0));
                kpi.source = self
                    .query_of(indicator_doc, &metric_at, metric)
                    .map(|(url, query)| KpiSourceText::Prometheus { url, query });
                format!("{words} {}", number(value))
            }
            Metric::Ratio(metric) => {
                let metric_at = format!("{indicator_at}.ratioMetric");
                // The value is the good share: higher is better, whatever `op` says
                // (the specification uses it for threshold metrics only).
                if let Some(op) = objective.get("op").and_then(Value::as_str).filter(|op| !matches!(*op, "gt" | "gte"))
                {
                    self.warn(
                        doc,
                        &join(at, "op"),
                        format!("`op: {op}` is ignored on a ratio metric: the good share is better higher"),
                    );
                }
                let bar = if budgeting == Budgeting::Timeslices {
                    let Some(bar) = objective.get("timeSliceTarget").and_then(Value::as_f64) else {
                        self.error(
                            doc,
                            &join(at, "timeSliceTarget"),
                            "a Timeslices objective needs timeSliceTarget, the share a good slice reaches",
                        );
                        return None;
                    };
                    if !(bar > 0.0 && bar <= 1.0) {
                        self.error(
                            doc,
                            &join(at, "timeSliceTarget"),
                            format!("timeSliceTarget is a share in (0, 1]; {} is not", number(bar)),
                        );
                        return None;
                    }
                    bar
                } else {
                    share
                };
                let target = tidy(bar * 100.0);
                kpi.unit = Some("%".into());
                kpi.direction = Some(KpiDirection::HigherIsBetter);
                kpi.target = Some(target);
                kpi.warning_band = Some(tidy((100.0 - target).clamp(0.0, target)));
                kpi.source = self.ratio_source(indicator_doc, &metric_at, metric, period);
                match budgeting {
                    Budgeting::Timeslices => format!("at least {}% good", number(target)),
                    _ => "good".to_owned(),
                }
            }
        };
        kpi.description = describe(parts, budgeting, share, &condition, slice.as_ref().map(|(t, _)| t.as_str()));
        Some(SloKpi {
            kpi,
            required_share: share,
            origin: format!(
                "{}: SLO {}{}",
                doc.file,
                doc.name,
                objective_name.map(|o| format!(", objective {o}")).unwrap_or_default()
            ),
        })
    }

    /// The objective's `target` or `targetPercent`, as a share 0–1.
    fn required_share(&mut self, doc: &Doc, at: &str, objective: &Map<String, Value>) -> Option<f64> {
        match (objective.get("target"), objective.get("targetPercent")) {
            (Some(_), Some(_)) => {
                self.error(doc, at, "give target or targetPercent, not both");
                None
            }
            (Some(target), None) => match target.as_f64() {
                Some(t) if (0.0..1.0).contains(&t) => Some(t),
                _ => {
                    self.error(
                        doc,
                        &join(at, "target"),
                        format!("target is a share in [0, 1) (0.99 for 99%); {target} is not"),
                    );
                    None
                }
            },
            (None, Some(percent)) => match percent.as_f64() {
                Some(p) if (0.0..100.0).contains(&p) => Some(p / 100.0),
                _ => {
                    self.error(
                        doc,
                        &join(at, "targetPercent"),
                        format!("targetPercent is a percentage in [0, 100); {percent} is not"),
                    );
                    None
                }
            },
            (None, None) => {
                self.error(doc, at, "the objective needs target (0.99) or targetPercent (99)");
                None
            }
        }
    }

    /// A PromQL query and URL from one metric source, or `None` (reported).
    fn query_of(&mut self, doc: &Doc, at: &str, holder: &Map<String, Value>) -> Option<(String, String)> {
        let Some(source) = holder.get("metricSource").and_then(Value::as_object) else {
            self.error(doc, at, "needs a metricSource");
            return None;
        };
        let at = join(at, "metricSource");
        self.unknown_keys(doc, &at, source, &["metricSourceRef", "type", "spec"]);
        let reference = source.get("metricSourceRef").and_then(Value::as_str);
        let docs = self.docs;
        let data_source = match reference {
            Some(name) => match docs.iter().find(|d| d.kind == "DataSource" && d.name == name) {
                Some(found) => Some(found),
                None => {
                    if source.get("type").is_none() {
                        self.error(
                            doc,
                            &join(&at, "metricSourceRef"),
                            format!("no DataSource named `{name}` in the files given, and no type"),
                        );
                        return None;
                    }
                    self.warn(
                        doc,
                        &join(&at, "metricSourceRef"),
                        format!("no DataSource named `{name}` in the files given"),
                    );
                    None
                }
            },
            None => None,
        };
        let source_spec = data_source.and_then(|d| d.body.get("spec")).and_then(Value::as_object);
        let kind = source
            .get("type")
            .and_then(Value::as_str)
            .or_else(|| source_spec.and_then(|s| s.get("type")).and_then(Value::as_str))
            .unwrap_or_default();
        if !kind.eq_ignore_ascii_case("prometheus") {
            let kind = if kind.is_empty() { "no type" } else { kind };
            self.warn(
                doc,
                &join(&at, "type"),
                format!("a metric source of {kind} is not read by Milepost (it reads Prometheus, SQL and JSON): the KPI has no source; record its values or set one"),
            );
            return None;
        }
        let spec = source.get("spec").and_then(Value::as_object);
        let Some(query) = spec.and_then(|s| s.get("query").or_else(|| s.get("promql"))).and_then(Value::as_str) else {
            self.error(doc, &join(&at, "spec.query"), "a Prometheus metric source needs spec.query, the PromQL query");
            return None;
        };
        let details = source_spec.and_then(|s| s.get("connectionDetails")).and_then(Value::as_object);
        let url = details
            .and_then(|d| ["url", "address", "endpoint"].iter().find_map(|k| d.get(*k).and_then(Value::as_str)))
            .or_else(|| spec.and_then(|s| s.get("url")).and_then(Value::as_str))
            .map(str::to_owned)
            .or_else(|| self.options.prometheus_url.clone());
        let Some(url) = url else {
            self.warn(
                doc,
                &at,
                "the Prometheus source names no URL (a DataSource's connectionDetails.url): the KPI has no source; give --prometheus-url",
            );
            return None;
        };
        Some((url, query.trim().to_owned()))
    }

    /// One PromQL expression for the good share in percent.
    fn ratio_source(&mut self, doc: &Doc, at: &str, ratio: &Map<String, Value>, period: &str) -> Option<KpiSourceText> {
        self.unknown_keys(doc, at, ratio, &["counter", "good", "bad", "total", "rawType", "raw"]);
        let counter = ratio.get("counter").and_then(Value::as_bool).unwrap_or(false);
        let part = |reader: &mut Self, name: &str| -> Option<Option<(String, String)>> {
            match ratio.get(name) {
                None => Some(None),
                Some(Value::Object(holder)) => reader.query_of(doc, &join(at, name), holder).map(Some),
                Some(_) => {
                    reader.error(doc, &join(at, name), format!("`{name}` is a mapping with a metricSource"));
                    None
                }
            }
        };
        let over =
            |query: &str| if counter { format!("sum(increase(({query})[{period}:]))") } else { format!("({query})") };
        if ratio.contains_key("raw") {
            if ratio.contains_key("good") || ratio.contains_key("bad") || ratio.contains_key("total") {
                self.error(doc, at, "raw cannot be used together with good, bad or total");
                return None;
            }
            let failure = match ratio.get("rawType").and_then(Value::as_str) {
                Some("success") => false,
                Some("failure") => true,
                _ => {
                    self.error(doc, &join(at, "rawType"), "raw needs rawType: success or failure");
                    return None;
                }
            };
            let (url, query) = part(self, "raw")??;
            let query = if failure { format!("100 * (1 - ({query}))") } else { format!("100 * ({query})") };
            return Some(KpiSourceText::Prometheus { url, query });
        }
        if ratio.contains_key("good") == ratio.contains_key("bad") {
            self.error(doc, at, "a ratio metric has good or bad (one of them) over total, or raw");
            return None;
        }
        if !ratio.contains_key("total") {
            self.error(doc, &join(at, "total"), "a ratio metric needs total, the denominator");
            return None;
        }
        let good = part(self, "good");
        let bad = part(self, "bad");
        let total = part(self, "total");
        let (Some(good), Some(bad), Some(Some((total_url, total)))) = (good, bad, total) else { return None };
        let (numerator_url, query) = match (good, bad) {
            (Some((url, good)), None) => (url, format!("100 * {} / {}", over(&good), over(&total))),
            (None, Some((url, bad))) => (url, format!("100 * (1 - {} / {})", over(&bad), over(&total))),
            _ => return None,
        };
        if numerator_url != total_url {
            self.warn(doc, at, "the numerator and total come from different Prometheus servers: the KPI has no source");
            return None;
        }
        Some(KpiSourceText::Prometheus { url: total_url, query })
    }
}

/// What an objective's description is made of.
struct Parts<'a> {
    doc: &'a Doc,
    display: &'a str,
    service: Option<&'a str>,
    description: &'a str,
    window: &'a str,
}

fn describe(parts: &Parts<'_>, budgeting: Budgeting, share: f64, condition: &str, slice: Option<&str>) -> String {
    let mut lines = Vec::new();
    if !parts.description.is_empty() {
        lines.push(parts.description.to_owned());
    }
    let share = format!("{}%", number(tidy(share * 100.0)));
    let what = match (budgeting, slice) {
        (Budgeting::Occurrences, _) => format!("{share} of events {condition}"),
        (Budgeting::Timeslices, Some(s)) => format!("{share} of {s} slices {condition}"),
        (Budgeting::RatioTimeslices, Some(s)) => format!("{share} {condition} on average over {s} slices"),
        (_, None) => format!("{share} {condition}"),
    };
    let mut from = format!("From the OpenSLO SLO `{}`", parts.doc.name);
    if let Some(service) = parts.service {
        from.push_str(&format!(" of the service `{service}`"));
    }
    from.push_str(&format!(": {what}"));
    if !parts.window.is_empty() {
        from.push_str(&format!(", over a {}", parts.window));
    }
    from.push('.');
    lines.push(from);
    lines.join("\n\n")
}

/// A duration shorthand: a whole number and a unit letter.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Duration {
    amount: u64,
    unit: char,
}

impl Duration {
    /// The Milepost cadence this slice is exactly, if any.
    fn cadence(self) -> Option<Cadence> {
        match (self.amount, self.unit) {
            (1, 'd') | (24, 'h') | (1440, 'm') => Some(Cadence::Daily),
            (1, 'w') | (7, 'd') => Some(Cadence::Weekly),
            (1, 'M') => Some(Cadence::Monthly),
            (1, 'Q') | (3, 'M') => Some(Cadence::Quarterly),
            _ => None,
        }
    }
}

fn parse_duration(text: &str) -> Option<Duration> {
    let unit = text.chars().last()?;
    if !"mhdwMQY".contains(unit) {
        return None;
    }
    let digits = &text[..text.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    (amount > 0).then_some(Duration { amount, unit })
}

/// The PromQL range of one period of a cadence.
fn cadence_range(cadence: Cadence) -> &'static str {
    match cadence {
        Cadence::Daily => "1d",
        Cadence::Weekly => "1w",
        Cadence::Monthly => "30d",
        Cadence::Quarterly => "91d",
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") }
}

/// Rounds away the binary noise of `0.995 * 100`.
fn tidy(value: f64) -> f64 {
    (value * 1e9).round() / 1e9
}

fn number(value: f64) -> String {
    let text = format!("{value}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_a_whole_number_and_a_unit() {
        assert_eq!(parse_duration("28d"), Some(Duration { amount: 28, unit: 'd' }));
        assert_eq!(parse_duration("1Q").and_then(Duration::cadence), Some(Cadence::Quarterly));
        assert_eq!(parse_duration("1m").and_then(Duration::cadence), None);
        for bad in ["", "d", "0d", "1.5d", "-1d", "1s", "1 d", "d1"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn shares_lose_their_binary_noise() {
        assert_eq!(tidy(0.995 * 100.0), 99.5);
        assert_eq!(number(99.0), "99");
    }
}
