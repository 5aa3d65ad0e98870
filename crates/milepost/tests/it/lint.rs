//! `milepost lint`: compiler-style diagnostics, JSON for scripts, exit 1 on errors, and
//! names checked against a workspace's when one is given.

use super::*;
use serde_json::Value;

const FILE: &str = "---
cycle: 2026-Q4
owner: team/customer-support
---

# Streamline ticket resolution (committed)

- Cut first response time from 8h to 2h @dana
- Reduce recurring tickets by 30% @nobody
- Increase NPS from 40 to 40
";

#[test]
fn errors_exit_1_with_the_place_rule_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("support.md"), FILE).unwrap();
    let output = milepost(dir.path()).args(["lint", "support.md"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("error[start-equals-target]"), "{text}");
    assert!(text.contains("--> support.md:10:3"), "file:line:column: {text}");
    assert!(text.contains("help: "), "a suggested fix: {text}");
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    assert!(!text.contains("unknown-owner"), "names are not checked without a workspace");

    let json = milepost(dir.path()).args(["lint", "support.md", "--output", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    // The same as 0 to 0, and a new key result that does not say where it starts: apply
    // would refuse both.
    assert_eq!(report["errors"], 2, "{report}");
    assert!(report["diagnostics"].to_string().contains("key-result-incomplete"), "{report}");
    let first = &report["diagnostics"][0];
    assert_eq!(first["file"], "support.md");
    assert!(first["line"].is_u64() && first["column"].is_u64() && first["rule"].is_string());
}

/// SARIF 2.1.0 as code scanning reads it: the tool and its rules, each result with its
/// rule, level, message and the file, line and columns of the problem.
#[test]
fn sarif_marks_each_problem_at_its_line_for_code_scanning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("okrs/2026 Q4")).unwrap();
    std::fs::write(dir.path().join("okrs/2026 Q4/support.md"), FILE).unwrap();
    let output = milepost(dir.path()).args(["lint", "okrs/2026 Q4/support.md", "--output", "sarif"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "errors still exit 1");
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "milepost");
    assert_eq!(run["columnKind"], "unicodeCodePoints", "columns count characters, as the diagnostics do");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["id"].is_string() && r["shortDescription"]["text"].is_string()));
    let results = run["results"].as_array().unwrap();
    let error = results.iter().find(|r| r["ruleId"] == "start-equals-target").expect("the error is a result");
    assert_eq!(error["level"], "error");
    let index = error["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "start-equals-target", "ruleIndex points at its rule");
    let place = &error["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "okrs/2026%20Q4/support.md", "a relative URI");
    assert_eq!((place["region"]["startLine"].as_u64(), place["region"]["startColumn"].as_u64()), (Some(10), Some(3)));
    assert!(place["region"]["endColumn"].as_u64() > place["region"]["startColumn"].as_u64());
    // One result per diagnostic, as the JSON report has them.
    let json = milepost(dir.path()).args(["lint", "okrs/2026 Q4/support.md", "--output", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(results.len(), report["diagnostics"].as_array().unwrap().len());
    // A clean file is an empty list of results, and exit 0.
    std::fs::write(
        dir.path().join("clean.md"),
        "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster\n\n- Cut build time from 20 min to 5 min\n",
    )
    .unwrap();
    let clean = milepost(dir.path()).args(["lint", "clean.md", "--output", "sarif"]).output().unwrap();
    assert!(clean.status.success());
    let log: Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn a_clean_file_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let clean = "---\ncycle: 2026-Q4\nowner: team/customer-support\n---\n\n# Make support effortless\n\n\
                 - Cut first response time from 8h to 2h\n- Raise CSAT from 85% to 92%\n- Cut reopened tickets from 12% to 6%\n";
    std::fs::write(dir.path().join("ok.md"), clean).unwrap();
    let output = milepost(dir.path()).args(["lint", "ok.md"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn with_a_workspace_unknown_names_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    drop(server);
    std::fs::write(dir.path().join("support.md"), FILE).unwrap();
    let output = milepost(dir.path())
        .args(["lint", "support.md", "--workspace", "demo", "--data-dir", "data"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("error[unknown-owner]") && text.contains("@nobody"), "{text}");
    assert!(!text.contains("`@dana`"), "dana is a demo person: {text}");
    assert!(!text.contains("unknown-team") && !text.contains("unknown-cycle"), "{text}");
}

/// `--server` lints through the API with the server's workspace, and once the rules
/// pass, plans the files as apply would: what only the database sees is rule `apply`.
#[test]
fn with_a_server_the_files_are_checked_as_apply_would() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let token = server.token.clone().unwrap();
    let remote = ["--server", server.base.as_str(), "--token", token.as_str()];
    std::fs::write(dir.path().join("support.md"), FILE).unwrap();
    let output = milepost(dir.path()).args([&["lint", "support.md"][..], &remote].concat()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("error[unknown-owner]") && text.contains("@nobody"), "{text}");
    assert!(text.contains("error[start-equals-target]") && text.contains("--> support.md:10:3"), "{text}");
    // An id marker of no objective of the workspace: only the plan can see it.
    let ghost = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster <!-- id: O-999999 -->\n\n- Cut build time from 20 min to 5 min\n";
    std::fs::write(dir.path().join("dana.md"), ghost).unwrap();
    let output =
        milepost(dir.path()).args([&["lint", "dana.md", "--output", "json"][..], &remote].concat()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = &report["diagnostics"][0];
    assert_eq!((found["rule"].as_str(), found["line"].as_u64()), (Some("apply"), Some(6)), "{report}");
    assert!(found["message"].as_str().unwrap().contains("O-999999"), "{report}");
    // Without it, the file is clean, and lint says so.
    std::fs::write(dir.path().join("dana.md"), ghost.replace(" <!-- id: O-999999 -->", "")).unwrap();
    let output = milepost(dir.path()).args([&["lint", "dana.md"][..], &remote].concat()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn a_key_result_over_two_thousand_characters_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("Raise CSAT from 85% to 92% for {}", "é".repeat(2_001));
    let file = format!("---\ncycle: 2026-Q4\nowner: team/customer-support\n---\n\n# Delight customers\n\n- {long}\n");
    std::fs::write(dir.path().join("long.md"), file).unwrap();
    let output = milepost(dir.path()).args(["lint", "long.md"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("error[key-result-too-long]"), "{text}");
    assert!(text.contains("--> long.md:8:3"), "file:line:column: {text}");
    assert!(text.contains(&format!("{} characters", long.chars().count())), "{text}");
    assert!(text.contains("more than the 300 a key result may have"), "{text}");
}
