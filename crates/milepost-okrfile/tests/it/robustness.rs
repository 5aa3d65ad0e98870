//! No input makes the parser, the rules or the renderers panic or hang: arbitrary text,
//! text made of the format's own pieces, and valid files with random damage. And
//! whatever was read, its canonical rendering is stable: rendering it again after a
//! parse gives the same text.

use super::round_trip::okr_file;
use milepost_okrfile::{LintContext, check, lint, parse, render, render_human};
use proptest::prelude::*;

fn context() -> LintContext {
    LintContext {
        people: ["dana"].map(String::from).into(),
        teams: ["support"].map(String::from).into(),
        cycles: ["2026-q4"].map(String::from).into(),
        kpis: ["csat"].map(String::from).into(),
        unmeasured_kpis: Default::default(),
    }
}

/// Everything a front end does with a text, checked for its invariants.
fn exercise(text: &str) -> Result<(), TestCaseError> {
    let parsed = parse(text);
    let context = context();
    let mut found = lint(&parsed, Some(&context));
    found.extend(lint(&parsed, None));
    found.extend(check("f.md", text, Some(&context)));
    let line_count = text.split('\n').count();
    for d in &found {
        prop_assert!(d.line >= 1 && d.line <= line_count.max(1), "{d:?}");
        prop_assert!(d.column >= 1 && d.end_column >= d.column, "{d:?}");
    }
    let _ = render_human(&found, text, true);
    let canonical = render(&parsed.file);
    prop_assert_eq!(render(&parse(&canonical).file), canonical.clone(), "not stable for {:?}", text);
    Ok(())
}

/// Lines built from the pieces of the format.
fn pieces() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "---",
        "cycle:",
        "owner:",
        "aligns:",
        "kpis:",
        " 2026-Q4",
        " team/x",
        " @dana",
        " O-1",
        " KR-2",
        "# ",
        "## ",
        "#",
        "- ",
        "  - ",
        "* ",
        "1. ",
        "12) ",
        "Increase churn from 5% to 3%",
        "Keep CSAT at or above 92%",
        "Write docs",
        " (committed)",
        " (kpi: csat)",
        " (weight: 2)",
        " (weight: -1)",
        " (cadence: daily)",
        " (aligns: x/y)",
        " (kpj: a)",
        " (a, kpi: b)",
        " @lee",
        " <!-- id: O-3 -->",
        " <!-- id: KR-4 -->",
        " <!-- x -->",
        "<!--",
        "-->",
        "\\",
        "\\(",
        "(",
        ")",
        ",",
        ":",
        "\"",
        "'",
        "\t",
        "\r",
        "\u{feff}",
        "é",
        "🚀",
        "KPIs",
        "\n",
        "\n",
        "\n",
        "\n",
    ]);
    prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

/// Damage to a text: cut a range, insert a piece, or repeat a line.
#[derive(Debug, Clone)]
enum Damage {
    Cut(usize, usize),
    Insert(usize, String),
    RepeatLine(usize),
    SwapLines(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), 0usize..20).prop_map(|(at, len)| Damage::Cut(at, len)),
        (any::<usize>(), prop_oneof!["[-#*@()<>!:,\\\\ \n\t]{1,4}".boxed(), any::<String>().boxed()])
            .prop_map(|(at, s)| Damage::Insert(at, s)),
        any::<usize>().prop_map(Damage::RepeatLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Damage::SwapLines(a, b)),
    ]
}

fn apply(text: &str, damage: &Damage) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len().max(1);
    let mut lines: Vec<&str> = text.split('\n').collect();
    let m = lines.len();
    match damage {
        Damage::Cut(at, len) => {
            let at = at % n;
            chars.iter().enumerate().filter(|(k, _)| *k < at || *k >= at + len).map(|(_, c)| c).collect()
        }
        Damage::Insert(at, piece) => {
            let at = at % n;
            let mut out: String = chars[..at.min(chars.len())].iter().collect();
            out.push_str(piece);
            out.extend(&chars[at.min(chars.len())..]);
            out
        }
        Damage::RepeatLine(k) => {
            let line = lines[k % m];
            lines.insert(k % m, line);
            lines.join("\n")
        }
        Damage::SwapLines(a, b) => {
            lines.swap(a % m, b % m);
            lines.join("\n")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        exercise(&text)?;
    }

    #[test]
    fn text_made_of_the_formats_pieces_never_panics(text in pieces()) {
        exercise(&text)?;
    }

    #[test]
    fn damaged_files_never_panic(file in okr_file(), damages in prop::collection::vec(damage(), 1..6)) {
        let mut text = render(&file);
        for d in &damages {
            text = apply(&text, d);
        }
        exercise(&text)?;
    }
}

/// The fastest of three runs of `check` on `text`: the least disturbed by whatever else
/// the machine is doing.
fn fastest_check(name: &str, text: &str) -> std::time::Duration {
    (0..3)
        .map(|_| {
            let started = std::time::Instant::now();
            let _ = check(name, text, None);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn huge_files_are_read_in_linear_time() {
    let objective = "# Ship faster (committed) <!-- id: O-1 -->\n\nWords.\n\n- Cut build time from 20 min to 5 min @dana (kpi: csat)\n";
    let file = |n: usize| format!("---\ncycle: 2026-Q4\nowner: @dana\n---\n\n{}", objective.repeat(n));
    let found = check("big.md", &file(2_000), None);
    assert_eq!(found.len(), 2 * 1_999, "every objective but the first repeats the first's id and key result");
    // Eight times the text must take about eight times as long, not sixty-four: a ratio
    // measured in one run, so a slow or busy machine does not matter.
    let small = fastest_check("small.md", &file(500));
    let large = fastest_check("large.md", &file(4_000));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    assert!(ratio < 24.0, "8× the text took {ratio:.1}× as long ({small:?} → {large:?})");
    // Pathological lines finish too (a quadratic scan of these would not).
    let long_line = format!("- {}\n", "(a) ".repeat(50_000) + &"@x ".repeat(50_000) + &"<!-- ".repeat(20_000));
    let _ = check("long.md", &format!("---\n---\n# T\n{long_line}"), None);
    let parens = format!("---\n---\n# T\n- x {}{}\n", "(".repeat(100_000), ")".repeat(100_000));
    let _ = check("parens.md", &parens, None);
}
