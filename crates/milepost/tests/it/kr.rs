//! `milepost kr parse`: one sentence in, one JSON object out; or one a line.

use super::*;
use serde_json::Value;
use std::io::Write;

#[test]
fn one_sentence_gives_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let output = milepost(dir.path()).args(["kr", "parse", "Increase NPS from 32 to 50"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    let parsed: Value = serde_json::from_str(&text).unwrap();
    let order =
        ["kind", "metric", "start", "target", "range", "relative_change", "delta", "comparator", "unit", "measurable"];
    assert_eq!(parsed.as_object().unwrap().len(), order.len(), "exactly these fields: {text}");
    let positions: Vec<usize> = order.iter().map(|k| text.find(&format!("\"{k}\":")).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "fields in the documented order: {text}");
    assert_eq!(parsed["kind"], "increase");
    assert_eq!(parsed["start"], 32.0);
    assert_eq!(parsed["target"], 50.0);
}

#[test]
fn jsonl_reads_every_sample_line_in_order() {
    let samples =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/examples/kr-sentences.jsonl"))
            .unwrap();
    let cases: Vec<Value> = samples.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let input: String = cases.iter().map(|c| format!("{}\n", c["text"].as_str().unwrap())).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut child = milepost(dir.path())
        .args(["kr", "parse", "--output", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let lines: Vec<Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), cases.len(), "one object a line");
    for (case, got) in cases.iter().zip(&lines) {
        assert_eq!(got["kind"], case["expect"]["kind"], "{}", case["text"]);
        assert_eq!(got["measurable"], case["expect"]["measurable"], "{}", case["text"]);
    }
}

#[test]
fn no_sentence_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = milepost(dir.path()).args(["kr", "parse"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--output jsonl"));
}
