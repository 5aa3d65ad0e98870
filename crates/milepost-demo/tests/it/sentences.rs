//! The demo agrees with itself (issue 21, point 2): every key result of the demo, in both
//! quarters, has the numbers its sentence reads (kind, start, target, band, threshold and
//! unit), as `milepost kr parse` and every other door read them. Only what a sentence
//! cannot say is held apart: the start of a key result that states a change ("Handle 20%
//! more tickets each week"), listed with its reason in `data/okrs/numbers.csv`, a start
//! that a linked KPI gives, and the zero a bare count starts from ("Book $120,000 in
//! wholesale orders").

use super::{Loaded, on_sqlite};
use jiff::civil::date;
use milepost_okrfile::parse_key_result;
use serde_json::Value;

/// The sentences of `data/okrs/numbers.csv`: key results whose start is held apart.
fn held_apart() -> Vec<String> {
    let text = include_str!("../../data/okrs/numbers.csv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').next().unwrap().trim_matches('"').to_owned())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Whether two JSON values are the same, numbers within rounding.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => close(x.as_f64().unwrap(), y.as_f64().unwrap()),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        _ => a == b,
    }
}

/// What is wrong between a key result's sentence and its stored numbers.
fn disagreements(key_result: &Value, held_apart: &[String]) -> Vec<String> {
    let title = key_result["title"].as_str().unwrap();
    let parsed = serde_json::to_value(parse_key_result(title).unwrap()).unwrap();
    let mut problems = Vec::new();
    for field in ["kind", "unit", "range", "comparator"] {
        if !same(&parsed[field], &key_result[field]) {
            problems.push(format!("{field}: the sentence says {}, the demo has {}", parsed[field], key_result[field]));
        }
    }
    let stored = |field: &str| key_result[field].as_f64();
    let said = |field: &str| parsed[field].as_f64();
    match (said("target"), stored("target")) {
        (Some(a), Some(b)) if close(a, b) => {}
        (None, None) => {}
        // "Reduce recurring tickets by 30%": the target is the start moved by the change.
        (None, Some(target)) if parsed["relative_change"].is_number() => {
            let change = said("relative_change").unwrap();
            let from = stored("start").unwrap_or(f64::NAN);
            if !close(from * (1.0 + change), target) {
                problems.push(format!("target: {from} changed by {change} is not the demo's {target}"));
            }
        }
        (a, b) => problems.push(format!("target: the sentence says {a:?}, the demo has {b:?}")),
    }
    match (said("start"), stored("start")) {
        (Some(a), Some(b)) if close(a, b) => {}
        (None, None) => {}
        (None, Some(_)) if held_apart.iter().any(|h| h == title) => {}
        (None, Some(_)) if key_result["kpi_id"].is_number() => {}
        (None, Some(zero)) if zero == 0.0 && parsed["kind"] == "increase" && parsed["target"].is_number() => {}
        (a, b) => problems.push(format!("start: the sentence says {a:?}, the demo has {b:?}")),
    }
    problems.into_iter().map(|p| format!("{title:?}: {p}")).collect()
}

#[tokio::test]
async fn every_demo_key_result_has_the_numbers_its_sentence_reads() {
    let (loaded, _dir) = on_sqlite(date(2026, 12, 7)).await;
    check(&loaded);
}

/// The check, on a loaded demo (also run on PostgreSQL, in `the_demo_loads_on_postgresql`).
pub(super) fn check(loaded: &Loaded) {
    let held_apart = held_apart();
    assert!(loaded.key_results.len() >= 50, "both quarters' key results: {}", loaded.key_results.len());
    let wrong: Vec<String> = loaded.key_results.iter().flat_map(|k| disagreements(k, &held_apart)).collect();
    assert!(wrong.is_empty(), "demo key results whose sentence reads otherwise:\n{}", wrong.join("\n"));

    // Each row of numbers.csv is needed: its sentence does not say the start it holds apart.
    for title in &held_apart {
        let key_result = loaded.key_results.iter().find(|k| k["title"] == title.as_str());
        assert!(key_result.is_some(), "numbers.csv names {title:?}, which the demo does not have");
        let parsed = parse_key_result(title).unwrap();
        assert!(parsed.start.is_none(), "{title:?} says its own start: numbers.csv need not hold it apart");
        assert!(parsed.kind.is_some(), "{title:?} reads as nothing measurable");
    }
}

#[test]
fn a_sentence_that_reads_otherwise_is_caught() {
    // The check itself can fail: a stored start that the sentence contradicts.
    let key_result = serde_json::json!({
        "title": "Raise NPS from 38 to 45", "kind": "increase", "unit": null, "range": null,
        "comparator": null, "start": 30.0, "target": 45.0, "kpi_id": null,
    });
    assert_eq!(disagreements(&key_result, &[]).len(), 1);
    let agreeing = serde_json::json!({
        "title": "Raise NPS from 38 to 45", "kind": "increase", "unit": null, "range": null,
        "comparator": null, "start": 38.0, "target": 45.0, "kpi_id": null,
    });
    assert!(disagreements(&agreeing, &[]).is_empty());
}
