//! The report as CSV: one row per key result, with its objective's team, owner and
//! commitment, in the objectives' order. Fields are quoted where they need it (RFC 4180),
//! and a field that a spreadsheet would read as a formula is prefixed with `'`.

use super::{Report, colour_text, commitment_text};

/// The header row.
pub const CSV_HEADER: [&str; 18] = [
    "objective",
    "team",
    "owner",
    "commitment",
    "key_result",
    "start",
    "target",
    "value_reached",
    "progress",
    "score",
    "colour",
    "succeeded",
    "last_confidence",
    "share_met",
    "required_share",
    "error_budget",
    "error_budget_left",
    "burn_rate",
];

/// One field, quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    let text = match text.chars().next() {
        Some('=' | '+' | '-' | '@') if text.parse::<f64>().is_err() => format!("'{text}"),
        _ => text.to_owned(),
    };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A share, 0–1, to four decimals; empty when absent.
fn share(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// Renders the report as CSV: a header, then one row per key result.
pub fn render_csv(report: &Report) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for o in &report.objectives {
        for k in &o.key_results {
            let row = [
                o.title.clone(),
                o.team.clone().unwrap_or_default(),
                o.owner.clone().unwrap_or_default(),
                commitment_text(o.commitment).to_owned(),
                k.title.clone(),
                number(k.start),
                number(k.target),
                number(k.value),
                format!("{:.4}", k.progress),
                k.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
                if k.colour.is_some() { colour_text(k.colour).to_owned() } else { String::new() },
                k.succeeded.map(|s| s.to_string()).unwrap_or_default(),
                k.confidence.map(|c| c.to_string()).unwrap_or_default(),
                share(k.share_met),
                share(k.required_share),
                share(k.error_budget),
                share(k.error_budget_left),
                k.burn_rate.map(|b| format!("{b:.2}")).unwrap_or_default(),
            ];
            out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
    }
    out
}
