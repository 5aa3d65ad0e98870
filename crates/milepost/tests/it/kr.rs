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
    let path = super::repo_file("../milepost-okrfile/tests/it/kr-sentences.jsonl");
    let samples = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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

/// A sentence of exactly `chars` characters, multi-byte ones among them, that reads as an
/// increase whatever its length.
fn sentence_of(chars: usize) -> String {
    let mut text = String::from("Increase NPS from 32 to 50 among customers in Zürich");
    while text.chars().count() < chars {
        text.push_str(" and Köln");
    }
    let mut text: String = text.chars().take(chars.saturating_sub(1)).collect();
    text.push('é');
    assert_eq!(text.chars().count(), chars);
    text
}

/// Runs `milepost kr parse --output jsonl` with `input` on standard input.
fn parse_lines(input: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = milepost(dir.path())
        .args(["kr", "parse", "--output", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    // Written from a thread, so that a child that stops reading early cannot block us.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

#[test]
fn a_sentence_over_two_thousand_characters_is_refused_naming_its_line() {
    let input = format!("Increase NPS from 32 to 50\nLaunch the referral program\n{}\n", sentence_of(2_001));
    let output = parse_lines(&input);
    assert!(!output.status.success(), "refused with a non-zero exit");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3: "), "names its line: {stderr}");
    assert!(stderr.contains("2001 characters") && stderr.contains("2000"), "says how long, and the limit: {stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "the lines before it were read: {stdout}");

    let dir = tempfile::tempdir().unwrap();
    let output = milepost(dir.path()).args(["kr", "parse", &sentence_of(2_001)]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("2001 characters"));
}

#[test]
fn a_sentence_of_exactly_two_thousand_characters_is_read() {
    let sentence = sentence_of(2_000);
    assert!(sentence.len() > 2_000, "multi-byte characters count once");
    let output = parse_lines(&format!("{sentence}\r\nIncrease NPS from 32 to 50"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["kind"] == "increase" && l["target"] == 50.0), "{lines:?}");

    let dir = tempfile::tempdir().unwrap();
    let output = milepost(dir.path()).args(["kr", "parse", &sentence]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_line_of_a_megabyte_is_counted_and_refused() {
    let line = "Increase NPS from 32 to 50. ".repeat(40_000);
    let output = parse_lines(&format!("Increase NPS from 32 to 50\n{line}\nIncrease NPS from 32 to 50\n"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("line 2: the key result sentence has {} characters", line.len())), "{stderr}");
}
