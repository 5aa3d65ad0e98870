//! The review report of a closed cycle (issue 16): one typed [`Report`] that
//! `app.cycles().report` builds, and its renderers, one per format (Markdown for a git
//! review, one self-contained HTML file to mail, CSV with a row per key result, JSON as
//! the typed report itself). The CLI, the API and the cycle's page call the same code,
//! so a report reads the same wherever it is made; `milepost report --server` asks the
//! API for the JSON report and renders it locally with these renderers.
//!
//! A report holds only what its reader may see: its objectives come from the read model
//! (`list_in_cycle_shared`, which leaves out team-only objectives outside the reader's
//! reach), and the calibration from use cases that apply the same rule.

mod build;
mod chart;
mod csv;
mod html;
mod kpi;
mod markdown;

use jiff::Timestamp;
use jiff::civil::Date;
use milepost_core::{Commitment, CycleKind, CycleStatus, ScoreColour};
use serde::{Deserialize, Serialize};

pub use csv::render_csv;
pub use html::render_html;
pub use markdown::render_markdown;

/// The formats a report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// Markdown, readable in a git review.
    Md,
    /// One self-contained HTML file: styles inline, charts as inline SVG, no script.
    Html,
    /// CSV, one row per key result.
    Csv,
    /// The typed report as JSON.
    Json,
}

impl ReportFormat {
    /// The file extension (and the name in `?format=`).
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Md => "md",
            ReportFormat::Html => "html",
            ReportFormat::Csv => "csv",
            ReportFormat::Json => "json",
        }
    }

    /// The media type of the rendered report.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Md => "text/markdown; charset=utf-8",
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Json => "application/json",
        }
    }

    /// The format of an extension (`md`, `html`, `csv`, `json`).
    pub fn from_extension(extension: &str) -> Option<ReportFormat> {
        [ReportFormat::Md, ReportFormat::Html, ReportFormat::Csv, ReportFormat::Json]
            .into_iter()
            .find(|f| f.extension() == extension)
    }
}

/// Renders a report in a format.
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Md => render_markdown(report),
        ReportFormat::Html => render_html(report),
        ReportFormat::Csv => render_csv(report),
        // A report is plain data: serialising it cannot fail.
        ReportFormat::Json => serde_json::to_string_pretty(report).unwrap_or_default(),
    }
}

/// The name a downloaded report is saved under: `review-<workspace>-<cycle>.<ext>`.
pub fn file_name(report: &Report, format: ReportFormat) -> String {
    let clean = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>();
    format!("review-{}-{}.{}", clean(&report.workspace), clean(&report.cycle.slug), format.extension())
}

/// The review report of a closed cycle, as its reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// The workspace's slug.
    pub workspace: String,
    /// The cycle reviewed.
    pub cycle: ReportCycle,
    /// When the report was made.
    pub generated_at: Timestamp,
    /// The whole cycle in a few numbers.
    pub summary: ScoreGroup,
    /// Scores by team (the team an objective counts for: its owner team, or its owner's team).
    pub teams: Vec<ScoreGroup>,
    /// Scores by owner (the person who owns the objective).
    pub owners: Vec<ScoreGroup>,
    /// Committed against aspirational objectives: how many met their mark.
    pub commitments: Vec<CommitmentOutcome>,
    /// Confidence and forecast against what happened.
    pub calibration: ReportCalibration,
    /// The key results whose progress moved most over the cycle, up and down.
    pub movers: Movers,
    /// The KPIs that were lagging at some point within the cycle's dates.
    pub lagging_kpis: Vec<LaggingKpi>,
    /// The objectives of later cycles carried over from this one.
    pub carried_over: Vec<CarriedOver>,
    /// Every objective with its key results and retrospective note, in id order.
    pub objectives: Vec<ReportObjective>,
}

/// The cycle a report reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportCycle {
    /// Its id.
    pub id: i64,
    /// Its short name.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// quarter, half, year or custom.
    pub kind: CycleKind,
    /// Its status (closed).
    pub status: CycleStatus,
    /// Its first day.
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    /// Its last day.
    #[schema(value_type = String, format = Date)]
    pub end_date: Date,
}

/// The scores of a group of objectives (the whole cycle, a team, an owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreGroup {
    /// The team's or person's id; absent for the whole cycle and for "no team"/"no owner".
    pub id: Option<i64>,
    /// Its name.
    pub name: String,
    /// How many objectives.
    pub objectives: u64,
    /// How many key results they hold.
    pub key_results: u64,
    /// The mean of the objectives' scores; absent when none has one.
    pub mean_score: Option<f64>,
    /// How many objectives met their mark (1.0 committed, 0.7 aspirational).
    pub succeeded: u64,
    /// How many objectives scored red.
    pub red: u64,
    /// How many scored yellow.
    pub yellow: u64,
    /// How many scored green.
    pub green: u64,
}

/// How the objectives of one commitment fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitmentOutcome {
    /// committed or aspirational.
    pub commitment: Commitment,
    /// The score at which an objective of this commitment succeeds.
    pub success_at: f64,
    /// How many objectives.
    pub objectives: u64,
    /// How many met their mark.
    pub succeeded: u64,
    /// The mean of their scores.
    pub mean_score: Option<f64>,
}

/// A Brier score and how many judgements it counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportBrier {
    /// From 0 (perfect) to 1; 0.25 is what always saying 50% earns.
    pub brier: f64,
    /// How many judgements.
    pub count: u64,
}

/// One team's calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeamCalibrationRow {
    /// The team.
    pub team_id: i64,
    /// Its name.
    pub name: String,
    /// The confidence its members gave, against the outcomes.
    pub confidence: Option<ReportBrier>,
    /// The forecast at their check-ins, against the outcomes.
    pub forecast: Option<ReportBrier>,
}

/// One bin of the reliability table: what was said (a probability) against how often
/// it happened.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReliabilityCell {
    /// How many judgements fell in the bin.
    pub count: u64,
    /// Their mean probability.
    pub said: f64,
    /// The share of them that succeeded.
    pub happened: f64,
}

/// One row of the reliability table, a bin of probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReliabilityRow {
    /// The bin's lowest probability.
    pub low: f64,
    /// Its highest.
    pub high: f64,
    /// The forecast's judgements in the bin (weekly, from what was known each week).
    pub forecast: Option<ReliabilityCell>,
    /// The owners' confidence (over 10) in the bin.
    pub confidence: Option<ReliabilityCell>,
}

/// Confidence and forecast against what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportCalibration {
    /// Key results judged.
    pub key_results: u64,
    /// How many of them succeeded.
    pub succeeded: u64,
    /// The confidence given at check-ins, for the whole cycle.
    pub confidence: Option<ReportBrier>,
    /// The forecast at the same check-ins.
    pub forecast: Option<ReportBrier>,
    /// Per team.
    pub teams: Vec<TeamCalibrationRow>,
    /// The reliability table: the cycle replayed week by week.
    pub reliability: Vec<ReliabilityRow>,
}

/// A key result whose progress moved over the cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mover {
    /// The key result.
    pub key_result_id: i64,
    /// Its sentence.
    pub title: String,
    /// Its objective.
    pub objective_id: i64,
    /// The objective's title.
    pub objective_title: String,
    /// Progress at the cycle's start (from the value known then, else its start).
    pub progress_at_start: f64,
    /// Progress at the end.
    pub progress_at_end: f64,
    /// End minus start.
    pub change: f64,
}

/// The biggest movers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Movers {
    /// The largest gains, largest first.
    pub up: Vec<Mover>,
    /// The largest losses (progress that went backwards), largest first.
    pub down: Vec<Mover>,
}

/// A KPI that was lagging at some point within the cycle's dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LaggingKpi {
    /// The KPI.
    pub kpi_id: i64,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: Option<String>,
    /// The first day of the cycle on which it was lagging.
    #[schema(value_type = String, format = Date)]
    pub first_lagging: Date,
    /// On how many of the cycle's days (checked at each day's end) it was lagging.
    pub days_lagging: u64,
    /// Whether it was still lagging at the cycle's end.
    pub lagging_at_end: bool,
    /// Its last value in the cycle.
    pub value_at_end: Option<f64>,
}

/// An objective of a later cycle carried over from this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CarriedOver {
    /// The copy.
    pub objective_id: i64,
    /// Its title.
    pub title: String,
    /// The objective of this cycle it was carried from.
    pub carried_from_objective_id: i64,
    /// The cycle it was carried into.
    pub cycle_id: i64,
    /// That cycle's name.
    pub cycle_name: String,
}

/// An objective in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportObjective {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The team it counts for.
    pub team_id: Option<i64>,
    /// That team's name.
    pub team: Option<String>,
    /// Its owner.
    pub owner_person_id: Option<i64>,
    /// The owner's name.
    pub owner: Option<String>,
    /// committed or aspirational.
    pub commitment: Commitment,
    /// Its progress, 0–1 (unclamped).
    pub progress: Option<f64>,
    /// Its score (frozen at close).
    pub score: Option<f64>,
    /// The score's colour.
    pub colour: Option<ScoreColour>,
    /// Whether it met its mark.
    pub succeeded: Option<bool>,
    /// Its key results.
    pub key_results: Vec<ReportKeyResult>,
    /// What its owners wrote at close; absent when nothing was written.
    pub retrospective: Option<ReportRetrospective>,
}

/// A key result in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportKeyResult {
    /// Its id.
    pub id: i64,
    /// Its sentence.
    pub title: String,
    /// Its owner's name.
    pub owner: Option<String>,
    /// Unit of its values.
    pub unit: Option<String>,
    /// Its start.
    pub start: Option<f64>,
    /// Its target.
    pub target: Option<f64>,
    /// The value reached.
    pub value: Option<f64>,
    /// Its progress (unclamped).
    pub progress: f64,
    /// Its score (frozen at close).
    pub score: Option<f64>,
    /// The score's colour.
    pub colour: Option<ScoreColour>,
    /// Whether its score met its objective's mark.
    pub succeeded: Option<bool>,
    /// The last confidence given, 0–10.
    pub confidence: Option<u8>,
    /// Maintain and range: the share of slices that met the goal (issue 20's error
    /// budget), 0–1.
    #[serde(default)]
    pub share_met: Option<f64>,
    /// Maintain and range: the share of slices required, 0–1.
    #[serde(default)]
    pub required_share: Option<f64>,
    /// Maintain and range: the error budget, the share allowed to miss (1 − required).
    #[serde(default)]
    pub error_budget: Option<f64>,
    /// Maintain and range: the share of the error budget left, 0–1.
    #[serde(default)]
    pub error_budget_left: Option<f64>,
    /// Maintain and range: the burn rate over the last seven slices (1.0 spends the
    /// budget exactly by the cycle's end); absent with a zero budget.
    #[serde(default)]
    pub burn_rate: Option<f64>,
}

/// The columns of a key result's row in the Markdown and HTML reports, in order.
const KEY_RESULT_COLUMNS: [&str; 10] = [
    "key result",
    "owner",
    "start",
    "target",
    "reached",
    "progress",
    "score",
    "succeeded",
    "confidence",
    "error budget",
];

/// A key result's error budget in a few words for the report's tables: "met 92% of
/// 95% required · 50% of budget left · burn 0.7×", or `–` for other kinds.
fn budget_text(k: &ReportKeyResult) -> String {
    let (Some(required), Some(left)) = (k.required_share, k.error_budget_left) else { return "–".to_owned() };
    let met = k.share_met.map_or_else(|| "nothing judged".to_owned(), |m| format!("met {}", percent_text(Some(m))));
    let burn = k.burn_rate.map(|b| format!(" · burn {b:.1}×")).unwrap_or_default();
    format!("{met} of {} required · {} of budget left{burn}", percent_text(Some(required)), percent_text(Some(left)))
}

/// An objective's retrospective note in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportRetrospective {
    /// What worked.
    pub worked: String,
    /// What did not.
    pub did_not_work: String,
    /// Who wrote it last.
    pub author: Option<String>,
}

/// A score as text: `0.7`, or `–` without one.
fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_owned(), |s| format!("{s:.1}"))
}

/// A number as text, without trailing zeros: `12`, `3.5`, `0.25`.
fn number_text(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => {
            let text = format!("{v:.3}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
    }
}

/// A progress (0–1, unclamped) as a percentage: `85%`.
fn percent_text(progress: Option<f64>) -> String {
    progress.map_or_else(|| "–".to_owned(), |p| format!("{:.0}%", p * 100.0))
}

/// A colour's name, or `–`.
fn colour_text(colour: Option<ScoreColour>) -> &'static str {
    match colour {
        Some(ScoreColour::Red) => "red",
        Some(ScoreColour::Yellow) => "yellow",
        Some(ScoreColour::Green) => "green",
        None => "–",
    }
}

/// `yes`, `no` or `–`.
fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "–",
    }
}

/// A commitment's name.
fn commitment_text(commitment: Commitment) -> &'static str {
    match commitment {
        Commitment::Committed => "committed",
        Commitment::Aspirational => "aspirational",
    }
}

/// A Brier score as text with its count.
fn brier_text(brier: Option<ReportBrier>) -> String {
    brier.map_or_else(|| "–".to_owned(), |b| format!("{:.3} ({})", b.brier, b.count))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of one objective with one key result, titled `title`.
    fn report_titled(title: &str) -> Report {
        let group = ScoreGroup {
            id: None,
            name: title.to_owned(),
            objectives: 1,
            key_results: 1,
            mean_score: Some(0.5),
            succeeded: 0,
            red: 0,
            yellow: 1,
            green: 0,
        };
        Report {
            workspace: "acme".to_owned(),
            cycle: ReportCycle {
                id: 1,
                slug: "2026-q3".to_owned(),
                name: "2026 Q3".to_owned(),
                kind: CycleKind::Quarter,
                status: CycleStatus::Closed,
                start_date: jiff::civil::date(2026, 7, 1),
                end_date: jiff::civil::date(2026, 9, 30),
            },
            generated_at: Timestamp::UNIX_EPOCH,
            summary: group.clone(),
            teams: vec![group.clone()],
            owners: vec![group],
            commitments: Vec::new(),
            calibration: ReportCalibration {
                key_results: 1,
                succeeded: 0,
                confidence: None,
                forecast: None,
                teams: Vec::new(),
                reliability: Vec::new(),
            },
            movers: Movers::default(),
            lagging_kpis: Vec::new(),
            carried_over: Vec::new(),
            objectives: vec![ReportObjective {
                id: 7,
                title: title.to_owned(),
                team_id: None,
                team: None,
                owner_person_id: None,
                owner: None,
                commitment: Commitment::Committed,
                progress: Some(0.5),
                score: Some(0.5),
                colour: Some(ScoreColour::Yellow),
                succeeded: Some(false),
                key_results: vec![ReportKeyResult {
                    id: 9,
                    title: "=HYPERLINK(\"x\")".to_owned(),
                    owner: None,
                    unit: None,
                    start: Some(0.0),
                    target: Some(10.0),
                    value: Some(5.0),
                    progress: 0.5,
                    score: Some(0.5),
                    colour: Some(ScoreColour::Yellow),
                    succeeded: Some(false),
                    confidence: Some(4),
                    share_met: None,
                    required_share: None,
                    error_budget: None,
                    error_budget_left: None,
                    burn_rate: None,
                }],
                retrospective: Some(ReportRetrospective {
                    worked: "a <b>bold</b> move".to_owned(),
                    did_not_work: "line one\nline two".to_owned(),
                    author: None,
                }),
            }],
        }
    }

    #[test]
    fn html_escapes_what_people_wrote_and_reaches_nothing_outside() {
        let html = render_html(&report_titled("<script>alert(1)</script> & co"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), "{html}");
        assert!(html.contains("a &lt;b&gt;bold&lt;/b&gt; move"));
        assert!(!html.contains("<script") && !html.contains("http") && !html.contains("src="));
        assert!(html.contains("<svg class=\"reliability\""));
    }

    #[test]
    fn csv_quotes_fields_and_defuses_formulas() {
        let csv = render_csv(&report_titled("Grow, \"fast\""));
        let mut lines = csv.lines();
        assert_eq!(lines.next().map(|l| l.split(',').count()), Some(18));
        assert_eq!(
            lines.next(),
            Some("\"Grow, \"\"fast\"\"\",,,committed,\"'=HYPERLINK(\"\"x\"\")\",0,10,5,0.5000,0.5,yellow,false,4,,,,,")
        );
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn markdown_keeps_tables_whole_and_quotes_notes() {
        let md = render_markdown(&report_titled("A | B"));
        assert!(md.contains("| A \\| B | 1 |"), "{md}");
        assert!(md.contains("> line one\n> line two\n"), "{md}");
    }
}
