//! KPI files end to end: the canonical fixture reads cleanly and renders back byte for
//! byte, the documentation's example is that fixture, and for any KPI file Milepost can
//! hold, `parse_kpis(render_kpis(file)) == file` with no diagnostic.

use milepost_core::{Cadence, KpiDirection, KpiId, KpiTier};
use milepost_okrfile::{Kpi, KpiFile, KpiOwner, KpiSourceText, check, is_kpi_file, parse_kpis, render_kpis};
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = super::repo_file(&format!("tests/fixtures/canonical/{name}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_canonical_kpi_file_reads_cleanly_and_renders_back_unchanged() {
    let text = fixture("kpis.md");
    assert!(is_kpi_file(&text));
    let parsed = parse_kpis(&text);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    assert_eq!(render_kpis(&parsed.file), text);
    assert!(check("kpis.md", &text, None).is_empty());
    let [csat, response, backlog] = &parsed.file.kpis[..] else { panic!("three KPIs") };
    assert_eq!((csat.id, csat.slug.as_deref(), csat.target), (Some(KpiId(3)), Some("csat"), Some(92.0)));
    assert_eq!(csat.description.lines().count(), 2);
    assert_eq!((response.direction, response.lagging_after), (Some(KpiDirection::LowerIsBetter), Some(3)));
    assert!(matches!(&response.source, Some(KpiSourceText::Prometheus { query, .. }) if query.contains("[1d]")));
    assert_eq!((backlog.id, backlog.range, backlog.tier), (None, Some([50.0, 200.0]), Some(KpiTier::Metric)));
    assert!(matches!(&backlog.source, Some(KpiSourceText::Json { path, .. }) if path == "queues.0.open"));
}

#[test]
fn the_documented_kpi_example_is_canonical() {
    let docs = std::fs::read_to_string(super::repo_file("../../docs/okr-files.md")).expect("docs/okr-files.md");
    let opening = "```markdown\n---\nkpis:";
    let start = docs.find(opening).expect("a KPI file example") + "```markdown\n".len();
    let end = start + docs[start..].find("```\n").expect("the example's end");
    assert_eq!(&docs[start..end], fixture("kpis.md"), "docs/okr-files.md and tests/fixtures/canonical/kpis.md differ");
}

#[test]
fn a_messy_kpi_file_renders_canonically() {
    let messy = "---\nKPIs: \"@dana\"\n---\n# Uptime   \n* Direction:   Higher\n*  TARGET: 99.90\n- Cadence: Daily\n- lagging after: 1\n- tags: a,b ,  c\n- source: SQL   sqlite:///x.db\n- query:   SELECT 1\n";
    let parsed = parse_kpis(messy);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    assert_eq!(
        render_kpis(&parsed.file),
        "---\nkpis: @dana\n---\n\n# Uptime\n\n- slug: uptime\n- direction: higher is better\n- target: 99.9\n- cadence: daily\n- tags: a, b, c\n- lagging after: 1 period\n- source: sql sqlite:///x.db\n- query: `SELECT 1`\n"
    );
}

/// Words and marks that the parser could take for structure.
const TRICKY: &[&str] = &[
    "Uptime",
    "<!--",
    "-->",
    "<!-- id: KPI-1 -->",
    "#",
    "-",
    "*",
    "1.",
    "---",
    "\\",
    "\\\\",
    "\\#",
    "`",
    "``",
    "`code`",
    ":",
    "key:",
    ",",
    "\\,",
    "(",
    ")",
    "@dana",
    "é",
    "🚀",
    "½",
    "to",
    "kpis:",
];

fn words() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![prop::sample::select(TRICKY).prop_map(str::to_owned), "[A-Za-z]{1,8}"], 1..6)
        .prop_map(|w| w.join(" ").trim().to_owned())
        .prop_filter("not empty", |t| !t.is_empty())
}

fn description() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(words(), 1..3), 0..3)
        .prop_map(|paragraphs| paragraphs.iter().map(|p| p.join("\n")).collect::<Vec<_>>().join("\n\n"))
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![0.0, 92.0, 99.9, -3.5, 0.1 + 0.2, 1e21, 1e-7, 1_200.5]),
        any::<f64>().prop_filter("finite", |n| n.is_finite()),
    ]
}

fn source() -> impl Strategy<Value = KpiSourceText> {
    prop_oneof![
        (words(), words()).prop_map(|(url, query)| KpiSourceText::Sql { url, query }),
        (words(), words()).prop_map(|(url, query)| KpiSourceText::Prometheus { url, query }),
        (words(), words()).prop_map(|(url, path)| KpiSourceText::Json { url, path }),
    ]
}

fn kpi() -> impl Strategy<Value = Kpi> {
    let direction = prop::sample::select(vec![
        KpiDirection::HigherIsBetter,
        KpiDirection::LowerIsBetter,
        KpiDirection::WithinRange,
    ]);
    let cadence = prop::sample::select(vec![Cadence::Daily, Cadence::Weekly, Cadence::Monthly, Cadence::Quarterly]);
    (
        (prop::option::of((1i64..=i64::MAX).prop_map(KpiId)), words(), description(), "[a-z0-9][a-z0-9-]{0,12}"),
        (prop::option::of(words()), prop::option::of(direction), prop::option::of(number())),
        (prop::option::of((number(), number()).prop_map(|(a, b)| [a, b])), prop::option::of(number())),
        (prop::option::of(cadence), prop::option::of(prop::sample::select(vec![KpiTier::Kpi, KpiTier::Metric]))),
        (prop::collection::vec(words(), 0..4), prop::option::of(any::<u32>()), prop::option::of(source())),
        (prop::option::of(words()), prop::collection::vec("[a-z0-9][a-z0-9-]{0,12}", 0..3)),
    )
        .prop_map(
            |(
                (id, name, description, slug),
                (unit, direction, target),
                (range, warning_band),
                (cadence, tier),
                (tags, lagging_after, source),
                (formula, drivers),
            )| Kpi {
                id,
                name,
                description,
                slug: Some(slug),
                unit,
                direction,
                target,
                range,
                warning_band,
                cadence,
                tier,
                tags,
                lagging_after,
                source,
                formula,
                drivers,
            },
        )
}

fn kpi_file() -> impl Strategy<Value = KpiFile> {
    (
        prop_oneof![Just(KpiOwner::Nobody), "[a-z0-9][a-z0-9-]{0,12}".prop_map(KpiOwner::Person)],
        prop::collection::vec(kpi(), 0..5),
    )
        .prop_map(|(owner, kpis)| KpiFile { owner: Some(owner), kpis })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_a_rendered_kpi_file_gives_the_file_back(file in kpi_file()) {
        let text = render_kpis(&file);
        prop_assert!(is_kpi_file(&text), "{}", text);
        let parsed = parse_kpis(&text);
        prop_assert!(parsed.diagnostics.is_empty(), "{:#?}\n{}", parsed.diagnostics, text);
        prop_assert_eq!(&parsed.file, &file, "{}", text);
        prop_assert_eq!(render_kpis(&parsed.file), text);
    }

    #[test]
    fn any_text_read_as_a_kpi_file_never_panics(text in "(---\n|kpis: @d\n|# [a-z<!>-]{0,9}\n|- [a-z ]{0,6}: [a-z0-9`, .-]{0,9}\n|[a-z ]{0,8}\n|\n){0,20}") {
        let parsed = parse_kpis(&text);
        for d in &parsed.diagnostics {
            prop_assert!(d.line >= 1 && d.end_column >= d.column);
        }
        let _ = check("x.md", &text, None);
    }
}
