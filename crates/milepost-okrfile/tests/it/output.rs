//! Snapshots of what `milepost lint` prints: the compiler-style text (with and without
//! colour) and the JSON report, for `tests/fixtures/output/example.md`. Run with
//! `MILEPOST_UPDATE_SNAPSHOTS=1` to rewrite the expected files after a deliberate
//! change, and review the diff.

use milepost_okrfile::{Report, check, render_human};

fn path(name: &str) -> std::path::PathBuf {
    super::repo_file(&format!("tests/fixtures/output/{name}"))
}

fn snapshot(name: &str, got: &str) {
    if std::env::var_os("MILEPOST_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path(name), got).expect("the snapshot is written");
        return;
    }
    let expected = std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(got, expected, "{name} differs; rerun with MILEPOST_UPDATE_SNAPSHOTS=1 to accept");
}

fn example() -> (String, Vec<milepost_okrfile::Diagnostic>) {
    let source = std::fs::read_to_string(path("example.md")).expect("the example");
    let found = check("okrs/support.md", &source, None);
    (source, found)
}

#[test]
fn human_output_matches_the_snapshot() {
    let (source, found) = example();
    snapshot("example.human.txt", &render_human(&found, &source, false));
}

#[test]
fn coloured_output_matches_the_snapshot() {
    let (source, found) = example();
    snapshot("example.color.txt", &render_human(&found, &source, true));
}

#[test]
fn json_output_matches_the_snapshot() {
    let (_, found) = example();
    let json = serde_json::to_string_pretty(&Report::new(1, found)).expect("a report serializes");
    snapshot("example.json", &format!("{json}\n"));
}

#[test]
fn json_diagnostics_have_every_field_in_order() {
    let (_, found) = example();
    let json = serde_json::to_string(&found[0]).expect("a diagnostic serializes");
    let fields = ["file", "line", "column", "end_column", "severity", "rule", "message", "suggestion"];
    let positions: Vec<usize> =
        fields.iter().map(|f| json.find(&format!("\"{f}\":")).unwrap_or_else(|| panic!("{f} in {json}"))).collect();
    assert!(positions.is_sorted(), "{json}");
}

#[test]
fn nothing_is_printed_for_a_clean_file() {
    assert_eq!(render_human(&[], "anything", true), "");
}
