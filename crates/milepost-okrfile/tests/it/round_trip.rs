//! The round trip `milepost export` and `milepost apply` rely on: for any file Milepost
//! can hold, `parse(render(file)) == file` with no diagnostic, and the rendered text is
//! canonical (`render(parse(text)) == text`). The text fields are drawn from words that
//! look like the format's own structure, so that escaping is what is tested.

use milepost_core::{Cadence, Commitment, KeyResultId, ObjectiveId, Visibility, Weight};
use milepost_okrfile::{Alignment, KeyResult, Objective, OkrFile, Owner, normalize_description, parse, render};
use proptest::prelude::*;

/// Words and marks that the parser could take for structure.
const TRICKY: &[&str] = &[
    "Increase",
    "churn",
    "from",
    "5%",
    "to",
    "3%",
    "(committed)",
    "(aspirational)",
    "(kpi: csat)",
    "(kpj: csat)",
    "(weight: 2)",
    "(excluding trials)",
    "(",
    ")",
    "()",
    "@dana",
    "@",
    "a@b.c",
    "<!--",
    "-->",
    "<!-- id: O-1 -->",
    "<!-- id: KR-2 -->",
    "#",
    "##",
    "-",
    "*",
    "+",
    "1.",
    "2)",
    "---",
    "\\",
    "\\\\",
    "\\(",
    "\\@",
    "\\#",
    "`code`",
    "*stars*",
    "_",
    "=",
    "KPIs",
    "kpis:",
    "cycle:",
    ":",
    ",",
    "é",
    "日本",
    "🚀",
    "\t",
    "½",
    "x\u{a0}y",
];

fn slug() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{0,12}"
}

fn words() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![prop::sample::select(TRICKY).prop_map(str::to_owned), "[A-Za-z]{1,8}"], 1..8)
        .prop_map(|w| w.join(" ").trim().to_owned())
        .prop_filter("a title is not empty and not the reserved heading", |t| {
            !t.is_empty() && !t.eq_ignore_ascii_case("kpis")
        })
}

fn owner() -> impl Strategy<Value = Owner> {
    prop_oneof![slug().prop_map(Owner::Team), slug().prop_map(Owner::Person)]
}

fn alignment() -> impl Strategy<Value = Alignment> {
    prop_oneof![
        (1i64..=i64::MAX).prop_map(|id| Alignment::Objective { id: ObjectiveId(id) }),
        (1i64..1_000_000).prop_map(|id| Alignment::KeyResult { id: KeyResultId(id) }),
        (owner(), slug()).prop_map(|(owner, objective)| Alignment::Path { owner, objective }),
    ]
}

fn description() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(words(), 1..3), 0..3)
        .prop_map(|paragraphs| paragraphs.iter().map(|p| p.join("\n")).collect::<Vec<_>>().join("\n\n"))
}

fn weight() -> impl Strategy<Value = Weight> {
    prop_oneof![
        prop::sample::select(vec![0.001, 0.5, 1.0, 2.0, 3.25, 1000.0]),
        (1u32..=1_000_000).prop_map(|n| f64::from(n) / 1000.0),
    ]
    .prop_map(|w| Weight::try_new(w).expect("a usable weight"))
}

fn key_result() -> impl Strategy<Value = KeyResult> {
    (
        prop::option::of((1i64..=i64::MAX).prop_map(KeyResultId)),
        words(),
        prop::option::of(slug()),
        prop::option::of(slug()),
        prop::option::of(weight()),
        prop::option::of(prop::sample::select(vec![
            Cadence::Daily,
            Cadence::Weekly,
            Cadence::Monthly,
            Cadence::Quarterly,
        ])),
        // A share of slices in whole percent, written `(share: 95%)`.
        prop::option::of((1u32..=100).prop_map(|percent| f64::from(percent) / 100.0)),
    )
        .prop_map(|(id, text, owner, kpi, weight, cadence, required_share)| KeyResult {
            id,
            text,
            owner,
            kpi,
            weight,
            cadence,
            required_share,
        })
}

fn objective() -> impl Strategy<Value = Objective> {
    (
        prop::option::of((1i64..=i64::MAX).prop_map(ObjectiveId)),
        words(),
        prop::option::of(prop::sample::select(vec![Commitment::Committed, Commitment::Aspirational])),
        prop::option::of(alignment()),
        prop::option::of(prop::sample::select(vec![Visibility::Workspace, Visibility::Team])),
        description(),
        prop::collection::vec(key_result(), 0..7),
    )
        .prop_map(|(id, title, commitment, aligns, visibility, description, key_results)| Objective {
            id,
            title,
            commitment,
            aligns,
            visibility,
            description,
            key_results,
        })
}

fn cycle() -> impl Strategy<Value = String> {
    prop_oneof!["20[0-9]{2}-Q[1-4]", "20[0-9]{2}-H[12]", "20[0-9]{2}", "[a-z][a-z0-9 ._-]{0,12}[a-z0-9]"]
}

pub(crate) fn okr_file() -> impl Strategy<Value = OkrFile> {
    (
        prop::option::of(cycle()),
        prop::option::of(owner()),
        prop::option::of(alignment()),
        prop::collection::vec(objective(), 0..5),
    )
        .prop_map(|(cycle, owner, aligns, objectives)| OkrFile { cycle, owner, aligns, objectives })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_a_rendered_file_gives_the_file_back(file in okr_file()) {
        let text = render(&file);
        let parsed = parse(&text);
        prop_assert!(parsed.diagnostics.is_empty(), "{:#?}\n{}", parsed.diagnostics, text);
        prop_assert_eq!(&parsed.file, &file, "{}", text);
        // The rendered text is canonical: rendering what it says gives it back.
        prop_assert_eq!(render(&parsed.file), text);
    }

    #[test]
    fn every_objective_and_key_result_keeps_its_line(file in okr_file()) {
        let text = render(&file);
        let parsed = parse(&text);
        let lines: Vec<&str> = text.lines().collect();
        for (objective, at) in parsed.file.objectives.iter().zip(&parsed.source_map.objectives) {
            prop_assert!(lines[at.heading.line - 1].starts_with("# "));
            prop_assert_eq!(objective.key_results.len(), at.key_results.len());
            for k in &at.key_results {
                prop_assert!(lines[k.line.line - 1].starts_with("- "));
            }
        }
    }

    #[test]
    fn descriptions_normalise_idempotently(text in "[ a-z\n\t]{0,60}") {
        let once = normalize_description(&text);
        prop_assert_eq!(normalize_description(&once), once.clone());
        prop_assert!(!once.starts_with('\n') && !once.ends_with('\n') && !once.contains("\n\n\n"));
    }
}
