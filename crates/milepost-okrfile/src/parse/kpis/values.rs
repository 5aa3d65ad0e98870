//! The values of a KPI file's settings read into their types: a direction, a range, a
//! number of periods, an id marker; and the raw text of a line, for messages.

use crate::parse::inline::Cell;
use crate::parse::value::Problem;
use milepost_core::{KpiDirection, KpiId};

/// An example value for a setting, as a suggestion.
pub(super) fn example(key: &str) -> String {
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
        "formula" => "`orders * average-order-value`",
        "drivers" => "visits, conversion-rate",
        "source" => "sql sqlite:///var/lib/metrics.db",
        "query" => "`SELECT avg(score) AS value FROM surveys`",
        _ => "`data.value`",
    };
    format!("write it as `- {key}: {sample}`")
}

/// Reads `KPI-3` (the prefix in any case).
pub(super) fn parse_kpi_id(text: &str) -> Option<KpiId> {
    let (prefix, digits) = text.split_once('-')?;
    let ok = prefix.eq_ignore_ascii_case("kpi")
        && !digits.is_empty()
        && digits.len() <= 19
        && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| digits.parse::<i64>().ok()).flatten().filter(|n| *n > 0).map(KpiId)
}

pub(super) fn parse_direction(value: &str) -> Result<KpiDirection, Problem> {
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

pub(super) fn parse_range(value: &str) -> Result<[f64; 2], Problem> {
    let lower = value.to_lowercase();
    let Some((low, high)) = lower.split_once(" to ") else {
        return Err(Problem::new(
            format!("expected a range such as `88 to 95`, found `{value}`"),
            Some("write the low end, `to`, and the high end".into()),
        ));
    };
    Ok([parse_number(low)?, parse_number(high)?])
}

pub(super) fn parse_periods(value: &str) -> Result<u32, Problem> {
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
pub(super) fn raw_of(line: &str, cells: &[Cell]) -> String {
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else { return String::new() };
    line.chars().skip(first.column - 1).take(last.column + last.width - first.column).collect()
}

/// A code span's inside (`` `SELECT 1` `` → `SELECT 1`): the backtick fences, and one
/// space inside each when both are there, come off; text without fences stays.
pub(super) fn unfence(raw: &str) -> String {
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
