//! Every lint rule against two fixtures under `tests/fixtures/rules/<rule>/`: one that
//! triggers it (`triggers.md`, with the exact places expected) and one that does not
//! (`passes.md`, which must be clean of every rule).

use milepost_okrfile::{Diagnostic, LintContext, RULES, Severity, check};

/// The workspace the fixtures are checked against.
fn workspace() -> LintContext {
    LintContext {
        people: ["dana", "lee"].map(String::from).into(),
        teams: ["customer-support", "company"].map(String::from).into(),
        cycles: ["2026-q4"].map(String::from).into(),
        kpis: ["csat", "uptime"].map(String::from).into(),
        unmeasured_kpis: ["uptime"].map(String::from).into(),
    }
}

fn fixture(rule: &str, name: &str) -> (String, String) {
    let path = super::repo_file(&format!("tests/fixtures/rules/{rule}/{name}.md")).display().to_string();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (path, text)
}

fn places(found: &[Diagnostic]) -> Vec<(&'static str, usize, usize)> {
    found.iter().map(|d| (d.rule, d.line, d.column)).collect()
}

/// Checks a rule's two fixtures: `triggers.md` finds exactly `expected` (rule, line,
/// column), all of them this rule at its severity; `passes.md` finds nothing at all.
fn check_rule(rule: &str, expected: &[(usize, usize)]) {
    check_fixtures(rule, "", expected);
}

/// The same with the fixtures `<prefix>triggers.md` and `<prefix>passes.md`.
fn check_fixtures(rule: &str, prefix: &str, expected: &[(usize, usize)]) {
    let severity = RULES.iter().find(|r| r.name == rule).map(|r| r.severity).expect("a documented rule");
    let (path, text) = fixture(rule, &format!("{prefix}triggers"));
    let found = check(&path, &text, Some(&workspace()));
    let want: Vec<(&str, usize, usize)> = expected.iter().map(|&(line, column)| (rule, line, column)).collect();
    let got = places(&found);
    assert_eq!(got, want, "{path}:\n{}", milepost_okrfile::render_human(&found, &text, false));
    assert!(found.iter().all(|d| d.severity == severity && d.file == path));
    assert!(found.iter().all(|d| !d.message.is_empty() && d.end_column > d.column), "{found:#?}");
    let (path, text) = fixture(rule, &format!("{prefix}passes"));
    let found = check(&path, &text, Some(&workspace()));
    assert!(found.is_empty(), "{path}:\n{}", milepost_okrfile::render_human(&found, &text, false));
}

macro_rules! rule_tests {
    ($($test:ident: $rule:literal => [$($place:expr),* $(,)?];)*) => {
        $(
            #[test]
            fn $test() {
                check_rule($rule, &[$($place),*]);
            }
        )*

        /// The rules covered above, to check that none is left without fixtures.
        const COVERED: &[&str] = &[$($rule),*];
    };
}

rule_tests! {
    syntax_errors_say_where_and_what_was_expected: "syntax" => [
        (4, 1), (7, 1), (9, 33), (11, 50), (12, 3), (13, 1), (14, 44), (15, 1), (17, 1), (18, 1),
    ];
    a_missing_cycle_is_an_error: "missing-cycle" => [(1, 1)];
    a_missing_owner_is_an_error: "missing-owner" => [(1, 1)];
    a_copied_id_marker_is_an_error: "duplicate-id" => [(9, 44), (11, 44)];
    an_objective_without_key_results_is_flagged: "objective-without-key-results" => [(6, 3)];
    more_than_five_key_results_are_flagged: "too-many-key-results" => [(6, 3)];
    an_objective_written_as_a_number_is_flagged: "objective-is-a-metric" => [(6, 3), (12, 3)];
    a_key_result_with_nothing_measurable_is_flagged: "key-result-not-measurable" => [(11, 3), (12, 3)];
    a_new_key_result_apply_would_refuse_is_an_error: "key-result-incomplete" => [(8, 3), (9, 3), (10, 3), (11, 3), (15, 3), (18, 3)];
    an_objective_title_over_three_hundred_characters_is_an_error: "objective-title-too-long" => [(6, 3), (10, 3)];
    a_key_result_over_two_thousand_characters_is_an_error: "key-result-too-long" => [(9, 3)];
    a_key_result_that_reads_as_a_task_is_flagged: "key-result-is-a-task" => [(9, 3), (10, 3), (11, 3)];
    a_maintain_key_result_without_a_kpi_is_flagged: "maintain-belongs-in-kpi" => [(11, 3)];
    start_equal_to_target_is_an_error: "start-equals-target" => [(8, 3), (9, 3), (10, 3)];
    duplicate_key_results_are_flagged: "duplicate-key-result" => [(10, 3), (15, 3)];
    an_unknown_cycle_is_an_error: "unknown-cycle" => [(2, 8)];
    an_unknown_person_is_an_error: "unknown-owner" => [(3, 8), (4, 9), (7, 41), (9, 41)];
    an_unknown_team_is_an_error: "unknown-team" => [(3, 8), (4, 9), (7, 41)];
    an_unknown_kpi_is_an_error: "unknown-kpi" => [(11, 35)];
    a_kpi_that_cannot_be_judged_is_an_error: "incomplete-kpi" => [(5, 3), (14, 11), (19, 14), (25, 10), (26, 17), (27, 18), (30, 3)];
    two_kpis_with_one_slug_are_an_error: "duplicate-kpi" => [(11, 3), (19, 9)];
    more_than_seven_kpis_are_flagged: "too-many-kpis" => [(47, 3)];
}

#[test]
fn a_copied_kpi_marker_is_an_error() {
    check_fixtures("duplicate-id", "kpis-", &[(11, 27)]);
}

#[test]
fn a_kpi_file_of_an_unknown_person_is_an_error() {
    check_fixtures("unknown-owner", "kpis-", &[(2, 7)]);
}

#[test]
fn every_rule_has_fixtures() {
    let mut documented: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    let mut covered = COVERED.to_vec();
    // The rule that reads several files at once has a test of its own.
    covered.push("duplicate-file-owner");
    // What only the database sees is found by the plan, tested through the API.
    covered.push("apply");
    documented.sort_unstable();
    covered.sort_unstable();
    assert_eq!(covered, documented);
}

#[test]
fn names_are_checked_only_against_a_workspace() {
    for rule in ["unknown-cycle", "unknown-owner", "unknown-team", "unknown-kpi"] {
        let (path, text) = fixture(rule, "triggers");
        assert!(check(&path, &text, None).is_empty(), "{rule}");
    }
}

#[test]
fn rule_severities_follow_the_spec() {
    let errors = [
        "syntax",
        "missing-cycle",
        "missing-owner",
        "duplicate-id",
        "start-equals-target",
        "incomplete-kpi",
        "duplicate-kpi",
        "key-result-too-long",
        "key-result-incomplete",
        "objective-title-too-long",
        "duplicate-file-owner",
        "apply",
    ];
    for rule in RULES {
        let expected = if errors.contains(&rule.name) || rule.name.starts_with("unknown-") {
            Severity::Error
        } else {
            Severity::Warning
        };
        assert_eq!(rule.severity, expected, "{}", rule.name);
    }
}

#[test]
fn every_rule_is_documented() {
    let docs = std::fs::read_to_string(super::repo_file("../../docs/okr-files.md")).expect("docs/okr-files.md");
    for rule in RULES {
        let row = format!("| `{}` | {} |", rule.name, rule.severity.as_str());
        assert!(docs.contains(&row), "docs/okr-files.md lacks the row {row}");
    }
}

#[test]
fn diagnostics_come_in_line_order_across_parser_and_rules() {
    let text = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Grow revenue 20%\n\n- Improve things (wieght: 2)\n- Keep uptime above 99%\n";
    let found = check("x.md", text, None);
    let order: Vec<_> = found.iter().map(|d| (d.line, d.column)).collect();
    assert!(order.is_sorted(), "{order:?}");
    assert_eq!(found.len(), 4, "{found:#?}");
}

#[test]
fn two_files_for_one_owner_and_cycle_are_an_error_in_the_second() {
    let a = "---\ncycle: 2026-Q4\nowner: team/customer-support\n---\n\n# Delight customers\n\n- Raise CSAT from 85% to 92%\n";
    let b = "---\ncycle: 2026-q4\nowner:  team/customer-support\n---\n\n# Answer faster\n\n- Cut first response time from 8h to 2h\n";
    let other_cycle = b.replace("2026-q4", "2027-q1");
    let person = b.replace("team/customer-support", "@dana");
    let found = milepost_okrfile::check_files(&[("a.md", a), ("b.md", b)], Some(&workspace()));
    assert!(found[0].is_empty(), "{found:#?}");
    let found = &found[1];
    assert_eq!(places(found), [("duplicate-file-owner", 3, 9)], "{found:#?}");
    assert_eq!(found[0].file, "b.md");
    assert!(found[0].message.contains("a.md already holds the objectives of team/customer-support"), "{found:#?}");
    // Another cycle, or another owner, is another file's business.
    for other in [other_cycle.as_str(), person.as_str()] {
        let found = milepost_okrfile::check_files(&[("a.md", a), ("b.md", other)], None);
        assert!(found.iter().flatten().all(|d| d.rule != "duplicate-file-owner"), "{found:#?}");
    }
    // Each file's own diagnostics come with it, in order.
    let bad = a.replace("from 85% to 92%", "from 85% to 85%");
    let found = milepost_okrfile::check_files(&[("a.md", &bad), ("b.md", b)], None);
    let order: Vec<(&str, &str, usize)> = found.iter().flatten().map(|d| (d.file.as_str(), d.rule, d.line)).collect();
    assert_eq!(order, [("a.md", "start-equals-target", 8), ("b.md", "duplicate-file-owner", 3)]);
}
