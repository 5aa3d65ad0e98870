//! Sentence tables, each line a sentence with the exact parse expected: the project's
//! sample corpus (`kr-sentences.jsonl`, how people write key results, with the rules it
//! follows in `kr-sentences.md` beside it), our own held-out set (`held_out.jsonl`, written
//! before the parser was built and never tuned against), and the regressions found by
//! probing afterwards (`regressions.jsonl`). All three are in the repository; a copy of
//! the sample kept elsewhere (which may be newer) is checked too when
//! `MILEPOST_TEST_KR_SENTENCES` names it, as the PostgreSQL tests use a server only when
//! one is named.

use milepost_okrfile::parse_key_result;
use serde_json::Value;

/// The field order of a serialized parse.
const FIELDS: [&str; 10] =
    ["kind", "metric", "start", "target", "range", "relative_change", "delta", "comparator", "unit", "measurable"];

/// Whether a parsed value is the expected one (numbers within 1e-9).
pub(super) fn same(expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9,
            _ => false,
        },
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        _ => expected == got,
    }
}

/// Checks one line; returns what is wrong with it, if anything.
fn check_line(line: &str) -> Option<String> {
    let case: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return Some(format!("unreadable line {line:?}: {e}")),
    };
    let text = case["text"].as_str().unwrap_or_default();
    let Ok(parsed) = parse_key_result(text) else { return Some(format!("{text:?}: refused as too long")) };
    let json = serde_json::to_string(&parsed).expect("a parse serializes");
    let got: Value = serde_json::from_str(&json).expect("a parse reads back");
    let mut problems = Vec::new();
    // serde_json's map sorts its keys, so the order is checked on the text.
    let positions: Vec<Option<usize>> = FIELDS.iter().map(|f| json.find(&format!("\"{f}\":"))).collect();
    // `required_share` is the one field left out when the sentence does not state it.
    let fields = 10 + usize::from(parsed.required_share.is_some());
    if positions.iter().any(Option::is_none)
        || !positions.is_sorted()
        || got.as_object().map(|o| o.len()) != Some(fields)
    {
        problems.push(format!("fields out of shape: {json}"));
    }
    for (field, expected) in case["expect"].as_object().into_iter().flatten() {
        if !same(expected, &got[field]) {
            problems.push(format!("{field}: expected {expected}, got {}", got[field]));
        }
    }
    let metric = parsed.metric.clone().unwrap_or_default().to_lowercase();
    for word in case["metric_has"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !metric.contains(word) {
            problems.push(format!("metric {:?} lacks {word:?}", parsed.metric));
        }
    }
    if parsed.measurable != parsed.kind.is_some() {
        problems.push("measurable disagrees with kind".to_string());
    }
    (!problems.is_empty()).then(|| format!("{text:?}: {}", problems.join("; ")))
}

/// Checks every line of a JSONL table and reports all mismatches at once.
fn check_table(name: &str, table: &str) {
    let lines: Vec<&str> = table.lines().filter(|l| !l.trim().is_empty()).collect();
    let failures: Vec<String> = lines.iter().filter_map(|l| check_line(l)).collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} lines parse wrong:\n{}",
        failures.len(),
        lines.len(),
        failures.join("\n")
    );
}

/// The variable that names an outside copy of the sample corpus to check as well.
const OUTSIDE_SAMPLE_VAR: &str = "MILEPOST_TEST_KR_SENTENCES";

#[test]
fn every_sample_sentence_parses_as_expected() {
    let path = super::repo_file("tests/it/kr-sentences.jsonl");
    let table = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(table.lines().filter(|l| !l.trim().is_empty()).count(), 50);
    check_table("kr-sentences.jsonl", &table);
}

/// An outside copy of the sample, when one is named: optional, as a PostgreSQL server is.
#[test]
fn an_outside_sample_parses_as_expected_when_one_is_named() {
    let Some(path) = std::env::var_os(OUTSIDE_SAMPLE_VAR) else {
        eprintln!("{OUTSIDE_SAMPLE_VAR} is not set: this test of an outside sample corpus checks nothing");
        return;
    };
    let table = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{OUTSIDE_SAMPLE_VAR} names {}, which cannot be read: {e}", path.display()));
    check_table(&path.display().to_string(), &table);
}

#[test]
fn held_out_sentences_parse_as_expected() {
    let table = include_str!("held_out.jsonl");
    assert!(table.lines().count() >= 60);
    check_table("held_out.jsonl", table);
}

/// Sentences that parsed wrong when probed after the first run, each with its exact
/// expected parse (metric included), so that every fix stays fixed.
#[test]
fn sentences_fixed_after_the_first_run_stay_fixed() {
    check_table("regressions.jsonl", include_str!("regressions.jsonl"));
}
