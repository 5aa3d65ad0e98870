//! `milepost forecast eval`: the demo's closed cycle replayed week by week, the forecast,
//! pace alone and the owners' confidence scored against what happened.

use crate::{milepost, start};
use serde_json::Value;
use std::path::Path;

fn eval(cwd: &Path, args: &[&str]) -> std::process::Output {
    milepost(cwd).args(["forecast", "eval", "--data-dir", "data"]).args(args).output().unwrap()
}

#[test]
fn closed_cycles_are_replayed_and_scored_for_the_forecast_pace_and_confidence() {
    let dir = tempfile::tempdir().unwrap();
    drop(start(dir.path(), &["--demo", "--data-dir", "data"]));
    let output = eval(dir.path(), &["--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let cycles = json["cycles"].as_array().unwrap();
    assert!(!cycles.is_empty(), "the demo has a closed quarter: {json}");
    assert!(json["key_results"].as_u64().unwrap() > 0, "{json}");
    for predictor in ["forecast", "pace", "confidence"] {
        let d = &json[predictor];
        let number = |field: &str| d[field].as_f64().unwrap_or_else(|| panic!("{predictor}.{field}: {json}"));
        // The Murphy decomposition adds up to the Brier score.
        let sum = number("reliability") - number("resolution") + number("uncertainty") + number("within_bin");
        assert!((sum - number("brier")).abs() < 1e-9, "{predictor}: {d}");
        assert!((0.0..=1.0).contains(&number("brier")));
        let counted: u64 = d["table"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum();
        assert_eq!(counted, d["count"].as_u64().unwrap(), "{d}");
    }
    // Forecast and pace judge the same key results each week; confidence where one was given.
    assert_eq!(json["forecast"]["count"], json["pace"]["count"]);
    assert!(json["confidence"]["count"].as_u64() <= json["pace"]["count"].as_u64());
    let coverage = json["coverage"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&coverage), "{json}");

    // One cycle, as a table for people: the same numbers.
    let first = cycles[0].as_i64().unwrap().to_string();
    let table = eval(dir.path(), &["--cycle", &first]);
    assert!(table.status.success(), "{}", String::from_utf8_lossy(&table.stderr));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("predictor   judged  brier"), "{text}");
    for line in
        ["forecast ", "pace ", "confidence ", "80% intervals held the end value", "reliability: said → happened"]
    {
        assert!(text.contains(line), "{line}: {text}");
    }
    if cycles.len() == 1 {
        let brier = format!("{:.3}", json["forecast"]["brier"].as_f64().unwrap());
        assert!(text.lines().any(|l| l.starts_with("forecast ") && l.contains(&brier)), "{brier}: {text}");
    }

    // A cycle that does not exist is an error, not an empty score.
    let missing = eval(dir.path(), &["--cycle", "999999"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("999999"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}
