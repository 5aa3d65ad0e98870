//! `milepost apply` and `milepost export` as a person runs them: on the local data
//! directory, and against a running server with `--server URL --token T`.

use crate::{milepost, start};
use std::path::Path;
use std::process::Output;

fn run(cwd: &Path, args: &[&str]) -> Output {
    milepost(cwd).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const SUPPORT: &str = "okrs/2026-q4/teams/customer-support.md";

#[test]
fn export_apply_and_a_dry_run_on_the_local_database() {
    let dir = tempfile::tempdir().unwrap();
    drop(start(dir.path(), &["--demo", "--data-dir", "data"]));
    let exported = run(dir.path(), &["export", "okrs", "--data-dir", "data"]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(stdout(&exported).contains("2026-q4/teams/customer-support.md"), "{}", stdout(&exported));
    let noop = run(dir.path(), &["apply", "okrs", "--data-dir", "data"]);
    assert!(noop.status.success(), "{}", stderr(&noop));
    assert_eq!(stdout(&noop), "No changes: the workspace already matches the files.\n");

    // A new key result and a renamed objective; a dry run shows them and writes nothing.
    let path = dir.path().join(SUPPORT);
    let original = std::fs::read_to_string(&path).unwrap();
    let edited = original.replace("# Streamline ticket resolution", "# Resolve tickets for good")
        + "- Launch the help-centre search\n";
    assert!(edited.contains("# Resolve tickets for good"), "{original}");
    std::fs::write(&path, &edited).unwrap();
    let planned = run(dir.path(), &["apply", SUPPORT, "--dry-run", "--data-dir", "data"]);
    let text = stdout(&planned);
    assert!(planned.status.success(), "{}", stderr(&planned));
    assert!(
        text.contains("~ update objective O-")
            && text.contains("title: \"Streamline ticket resolution\" → \"Resolve tickets for good\""),
        "{text}"
    );
    assert!(text.contains("+ create key result \"Launch the help-centre search\""), "{text}");
    assert!(
        text.contains("Plan: 1 to create, 1 to update.") && text.contains("Dry run: nothing was changed"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);

    let applied = run(dir.path(), &["apply", SUPPORT, "--data-dir", "data"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(stdout(&applied).contains(&format!("Wrote the new ids into {SUPPORT}.")), "{}", stdout(&applied));
    let with_ids = std::fs::read_to_string(&path).unwrap();
    assert!(with_ids.contains("- Launch the help-centre search <!-- id: KR-"), "{with_ids}");
    let again = run(dir.path(), &["apply", "okrs", "--data-dir", "data"]);
    assert_eq!(stdout(&again), "No changes: the workspace already matches the files.\n");

    // Apply then export: the same text.
    let out = run(
        dir.path(),
        &["export", "again", "--cycle", "2026-Q4", "--owner", "team/customer-support", "--data-dir", "data"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("again/2026-q4/teams/customer-support.md")).unwrap(), with_ids);
}

#[test]
fn a_file_with_errors_is_shown_like_lint_and_nothing_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    drop(start(dir.path(), &["--demo", "--data-dir", "data"]));
    let file = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster\n\n- Cut build time from 20 min to 20 min\n- Grow NPS from 30 to 50 @nobody\n";
    std::fs::write(dir.path().join("dana.md"), file).unwrap();
    let output = run(dir.path(), &["apply", "dana.md", "--data-dir", "data"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("error[start-equals-target]") && text.contains("--> dana.md:8:3"), "{text}");
    assert!(text.contains("error[unknown-owner]") && text.contains("nothing applied"), "{text}");
    assert_eq!(std::fs::read_to_string(dir.path().join("dana.md")).unwrap(), file);
    let exported = run(dir.path(), &["export", "out", "--owner", "@dana", "--data-dir", "data"]);
    assert!(!std::fs::read_to_string(dir.path().join("out/2026-q4/people/dana.md")).unwrap().contains("Ship faster"));
    assert!(exported.status.success());
}

#[test]
fn apply_and_export_against_a_server_with_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let token = server.token.clone().unwrap();
    let file = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster (committed)\n\n- Cut build time from 20 min to 5 min\n";
    std::fs::write(dir.path().join("dana.md"), file).unwrap();
    let remote = ["--server", server.base.as_str(), "--token", token.as_str()];
    // Dana has an objective in the demo that the file does not mention: archiving it
    // takes --archive, and without it nothing is applied.
    let refused = run(dir.path(), &[&["apply", "dana.md"][..], &remote].concat());
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("would archive 1 objective") && stderr(&refused).contains("--archive"));
    assert_eq!(std::fs::read_to_string(dir.path().join("dana.md")).unwrap(), file, "no ids written");
    let applied = run(dir.path(), &[&["apply", "dana.md", "--archive"][..], &remote].concat());
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(stdout(&applied).contains("+ create objective O-"), "{}", stdout(&applied));
    let with_ids = std::fs::read_to_string(dir.path().join("dana.md")).unwrap();
    assert!(with_ids.contains("# Ship faster (committed) <!-- id: O-"), "{with_ids}");
    let again = run(dir.path(), &[&["apply", "dana.md", "--output", "json"][..], &remote].concat());
    let plan: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(plan["changes"], serde_json::json!([]));

    let exported = run(dir.path(), &[&["export", "out", "--owner", "@dana"][..], &remote].concat());
    assert!(exported.status.success(), "{}", stderr(&exported));
    let text = std::fs::read_to_string(dir.path().join("out/2026-q4/people/dana.md")).unwrap();
    assert!(text.contains(with_ids.lines().nth(5).unwrap()), "{text}");

    // A wrong token is refused with the server's own words.
    let bad = ["--server", server.base.as_str(), "--token", "mp_not-a-token"];
    let refused = run(dir.path(), &[&["apply", "dana.md"][..], &bad].concat());
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("401"), "{}", stderr(&refused));
}

#[test]
fn kpi_files_are_exported_linted_and_applied_with_the_okr_files() {
    let dir = tempfile::tempdir().unwrap();
    drop(start(dir.path(), &["--demo", "--data-dir", "data"]));
    let exported = run(dir.path(), &["export", "okrs", "--data-dir", "data"]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    // The demo's KPIs are in files of their own, one per owner.
    let path = dir.path().join("okrs/kpis/hannah.md");
    let original = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}: {}", stdout(&exported)));
    assert!(original.starts_with("---\nkpis: @hannah\n---\n\n# "), "{original}");
    assert!(original.contains("- slug: csat\n"), "{original}");

    // A new KPI, and a key result beside it that links to it, in one apply.
    let kpi = "\n# Refund rate\n\n- slug: refund-rate\n- unit: %\n- direction: lower is better\n- target: 2\n- cadence: monthly\n";
    std::fs::write(&path, format!("{original}{kpi}")).unwrap();
    let okrs = "---\ncycle: 2026-Q4\nowner: @hannah\n---\n\n# Customers keep what they buy\n\n- Cut the refund rate from 4% to 2% (kpi: refund-rate)\n";
    std::fs::write(dir.path().join("refunds.md"), okrs).unwrap();
    let lint =
        run(dir.path(), &["lint", "okrs/kpis/hannah.md", "refunds.md", "--workspace", "demo", "--data-dir", "data"]);
    assert!(lint.status.success(), "{}{}", stdout(&lint), stderr(&lint));
    let applied = run(dir.path(), &["apply", "okrs/kpis/hannah.md", "refunds.md", "--data-dir", "data"]);
    let text = stdout(&applied);
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(text.contains("+ create KPI KPI-") && text.contains("\"Refund rate\""), "{text}");
    assert!(text.contains("+ create objective O-"), "{text}");
    assert!(std::fs::read_to_string(&path).unwrap().contains("# Refund rate <!-- id: KPI-"));
    let again = run(dir.path(), &["apply", "okrs/kpis/hannah.md", "refunds.md", "--data-dir", "data"]);
    assert_eq!(stdout(&again), "No changes: the workspace already matches the files.\n", "{}", stderr(&again));

    // A KPI that cannot be judged is shown like lint shows it, and nothing is applied.
    std::fs::write(&path, format!("{original}\n# Refund rate\n\n- cadence: monthly\n")).unwrap();
    let refused = run(dir.path(), &["apply", "okrs/kpis/hannah.md", "--data-dir", "data"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("error[incomplete-kpi]: the KPI \"Refund rate\" does not say which way is good"),
        "{}",
        stderr(&refused)
    );
}
