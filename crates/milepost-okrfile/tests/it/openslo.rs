//! OpenSLO v1 into KPIs: the specification's own examples (tests/fixtures/openslo, with
//! their source), a Prometheus set written the way a team would, and the documents that
//! must be refused with the document and field named.

use crate::repo_file;
use milepost_core::{Cadence, KpiDirection};
use milepost_okrfile::{
    KpiFile, KpiOwner, KpiSourceText, SloImport, SloOptions, SloSeverity, SloText, import_slos, parse_kpis, render_kpis,
};
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo_file(&format!("tests/fixtures/openslo/{name}")))
        .expect("the fixture is in the repository")
}

fn import(name: &str, text: &str) -> SloImport {
    import_slos(&[SloText { name, text }], &SloOptions::default())
}

fn errors(import: &SloImport) -> Vec<String> {
    import.notes.iter().filter(|n| n.severity == SloSeverity::Error).map(ToString::to_string).collect()
}

fn warnings(import: &SloImport) -> Vec<String> {
    import.notes.iter().filter(|n| n.severity == SloSeverity::Warning).map(ToString::to_string).collect()
}

#[test]
fn the_specifications_threshold_example_is_a_lower_is_better_kpi_without_a_source() {
    let read = import("occurences-slo.yaml", &fixture("spec-budgeting-method-occurences-slo.yaml"));
    assert_eq!(errors(&read), Vec::<String>::new());
    assert_eq!(read.kpis.len(), 1);
    let slo = &read.kpis[0];
    assert_eq!(slo.kpi.name, "Searching time");
    assert_eq!(slo.kpi.slug.as_deref(), Some("search-slo"));
    assert_eq!(slo.kpi.direction, Some(KpiDirection::LowerIsBetter));
    assert_eq!(slo.kpi.target, Some(500.0));
    assert_eq!(slo.kpi.warning_band, Some(50.0));
    assert_eq!(slo.kpi.cadence, Some(Cadence::Daily));
    assert_eq!(slo.required_share, 0.99);
    assert_eq!(slo.kpi.source, None);
    assert!(slo.kpi.description.contains("99% of events below 500"), "{}", slo.kpi.description);
    assert!(slo.kpi.description.contains("2w rolling window"), "{}", slo.kpi.description);
    let warnings = warnings(&read);
    // `type: Any` is not a source Milepost reads, and the window is not modelled: both said.
    assert!(
        warnings.iter().any(|w| w.contains("metricSource.type") && w.contains("of Any is not read")),
        "{warnings:#?}"
    );
    assert!(warnings.iter().any(|w| w.contains("spec.timeWindow")), "{warnings:#?}");
}

#[test]
fn the_specifications_ratio_time_slice_example_is_a_share_in_percent() {
    let read = import("ratio-timeslices.yaml", &fixture("spec-budgeting-method-ratio-timeslices.yaml"));
    assert_eq!(errors(&read), Vec::<String>::new());
    let slo = &read.kpis[0];
    assert_eq!((slo.kpi.slug.as_deref(), slo.kpi.unit.as_deref()), (Some("main-page"), Some("%")));
    assert_eq!(slo.kpi.direction, Some(KpiDirection::HigherIsBetter));
    assert_eq!((slo.kpi.target, slo.kpi.warning_band), (Some(99.0), Some(1.0)));
    // One-minute slices are finer than a day: measured daily, and said so.
    assert_eq!(slo.kpi.cadence, Some(Cadence::Daily));
    assert!(warnings(&read).iter().any(|w| w.contains("timeSliceWindow") && w.contains("slices of 1m")));
}

#[test]
fn each_objective_of_the_specifications_sla_example_is_a_kpi_of_its_own() {
    let read = import("timeslices-slo.yaml", &fixture("spec-budgeting-method-timeslices-slo.yaml"));
    assert_eq!(errors(&read), Vec::<String>::new());
    let got: Vec<_> =
        read.kpis.iter().map(|k| (k.kpi.slug.clone().unwrap_or_default(), k.kpi.target, k.required_share)).collect();
    assert_eq!(
        got,
        [
            ("service-availability-internal-objective".to_owned(), Some(99.0), 0.995),
            ("service-availability-sla".to_owned(), Some(99.0), 0.99),
        ]
    );
    assert_eq!(read.kpis[1].kpi.name, "Reflaction of out availability SLA: SLA");
    assert!(
        read.kpis[0].kpi.description.contains("99.5% of 1m slices at least 99% good"),
        "{}",
        read.kpis[0].kpi.description
    );
}

#[test]
fn the_low_traffic_example_keeps_its_slice_bar_and_its_share() {
    let read = import("low-traffic.yaml", &fixture("spec-treat-low-traffic-as-equally-important-timeslices-slo.yaml"));
    assert_eq!(errors(&read), Vec::<String>::new());
    let slo = &read.kpis[0];
    assert_eq!((slo.kpi.target, slo.kpi.warning_band, slo.required_share), (Some(95.0), Some(5.0), 0.9995));
}

#[test]
fn the_readme_example_without_a_budgeting_method_reads_as_occurrences_and_says_so() {
    let read = import("readme.yaml", &fixture("spec-readme-inline-sli.yaml"));
    assert_eq!(errors(&read), Vec::<String>::new());
    let slo = &read.kpis[0];
    assert_eq!((slo.kpi.name.as_str(), slo.kpi.target, slo.kpi.warning_band), ("Foo SLO", Some(98.0), Some(2.0)));
    let warnings = warnings(&read);
    assert!(warnings.iter().any(|w| w.contains("spec.budgetingMethod") && w.contains("Occurrences")), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("of Datadog is not read")), "{warnings:#?}");
}

#[test]
fn a_prometheus_ratio_becomes_one_promql_query_at_the_data_sources_url() {
    let read = import("prometheus.yaml", &fixture("prometheus.yaml"));
    assert_eq!(errors(&read), Vec::<String>::new());
    let slugs: Vec<_> = read.kpis.iter().map(|k| k.kpi.slug.clone().unwrap_or_default()).collect();
    assert_eq!(slugs, ["web-availability", "checkout-latency"]);
    let availability = &read.kpis[0];
    assert_eq!((availability.kpi.target, availability.kpi.warning_band), (Some(99.5), Some(0.5)));
    assert_eq!(
        availability.kpi.source,
        Some(KpiSourceText::Prometheus {
            url: "http://prometheus.internal:9090".into(),
            // Counters: the increase over one period of the daily cadence, good over total.
            query: "100 * sum(increase((sum(localhost_server_requests{code=~\"2xx|3xx\",host=\"*\",instance=\"127.0.0.1:9090\"}))[1d:])) \
                    / sum(increase((localhost_server_requests{code=\"total\",host=\"*\",instance=\"127.0.0.1:9090\"})[1d:]))"
                .into(),
        })
    );
    let latency = &read.kpis[1];
    assert_eq!(latency.kpi.direction, Some(KpiDirection::LowerIsBetter));
    assert_eq!((latency.kpi.target, latency.kpi.warning_band, latency.required_share), (Some(300.0), Some(30.0), 0.95));
    assert!(
        matches!(&latency.kpi.source, Some(KpiSourceText::Prometheus { query, .. }) if query.starts_with("histogram_quantile(0.95"))
    );
    assert!(warnings(&read).iter().any(|w| w.contains("metadata.labels")));
}

#[test]
fn a_url_given_to_the_import_serves_sources_whose_data_source_names_none() {
    let text =
        fixture("prometheus.yaml").replace("  connectionDetails:\n    url: http://prometheus.internal:9090\n", "");
    let without = import("p.yaml", &text);
    assert!(without.kpis.iter().all(|k| k.kpi.source.is_none()));
    assert!(warnings(&without).iter().any(|w| w.contains("--prometheus-url")));
    let with = import_slos(
        &[SloText { name: "p.yaml", text: &text }],
        &SloOptions { prometheus_url: Some("http://127.0.0.1:9090".into()) },
    );
    assert!(with.kpis.iter().all(
        |k| matches!(&k.kpi.source, Some(KpiSourceText::Prometheus { url, .. }) if url == "http://127.0.0.1:9090")
    ));
}

#[test]
fn slos_read_into_a_kpi_file_round_trip_through_its_text() {
    for name in [
        "prometheus.yaml",
        "spec-budgeting-method-occurences-slo.yaml",
        "spec-budgeting-method-timeslices-slo.yaml",
        "spec-readme-inline-sli.yaml",
    ] {
        let read = import(name, &fixture(name));
        let file = KpiFile {
            owner: Some(KpiOwner::Person("dana".into())),
            kpis: read.kpis.into_iter().map(|k| k.kpi).collect(),
        };
        let text = render_kpis(&file);
        let parsed = parse_kpis(&text);
        assert_eq!(parsed.diagnostics, Vec::new(), "{name}:\n{text}");
        assert_eq!(parsed.file, file, "{name}:\n{text}");
    }
}

/// Every refusal names the file, the document and the field, and imports nothing.
#[test]
fn documents_milepost_cannot_read_are_refused_with_where_and_why() {
    let slo = |objective: &str, extra: &str| {
        format!(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: s\nspec:\n  budgetingMethod: Occurrences\n{extra}  \
             indicator:\n    spec:\n      thresholdMetric:\n        metricSource:\n          type: Any\n          spec: {{}}\n  \
             objectives:\n    - {objective}\n"
        )
    };
    let cases = [
        ("apiVersion: openslo/v2alpha\nkind: SLO\nmetadata:\n  name: s\n".to_owned(), "apiVersion", "`openslo/v2alpha`"),
        (slo("op: lt\n      value: 5\n      target: 1.5", ""), "spec.objectives[0].target", "[0, 1)"),
        (slo("op: lt\n      value: 5\n      targetPercent: 100", ""), "spec.objectives[0].targetPercent", "[0, 100)"),
        (slo("op: lt\n      value: 5\n      target: 0.9\n      targetPercent: 90", ""), "spec.objectives[0]", "not both"),
        (slo("op: eq\n      value: 5\n      target: 0.9", ""), "spec.objectives[0].op", "`eq` is not an operator"),
        (slo("value: 5\n      target: 0.9", ""), "spec.objectives[0]", "needs op"),
        (slo("op: lt\n      value: 5\n      target: 0.9", "  timeWindow:\n    - duration: 2 weeks\n"), "spec.timeWindow[0].duration", "`2 weeks`"),
        (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: s\nspec:\n  budgetingMethod: Occurrences\n  indicatorRef: nowhere\n  objectives:\n    - target: 0.9\n".to_owned(),
            "spec.indicatorRef",
            "no SLI named `nowhere`",
        ),
        (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: s\nspec:\n  budgetingMethod: Sometimes\n  objectives: []\n".to_owned(),
            "spec.budgetingMethod",
            "`Sometimes` is not a budgeting method",
        ),
        ("apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: s\nspec:\n  budgetingMethod: Timeslices\n  objectives: []\n".to_owned(), "spec.objectives", "at least one objective"),
        ("key: [unclosed\n".to_owned(), "", "not readable YAML"),
        ("apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  displayName: x\n".to_owned(), "metadata.name", "no metadata.name"),
    ];
    for (text, field, words) in cases {
        let read = import("bad.yaml", &text);
        assert!(read.has_errors(), "refused: {text}");
        let error = read.notes.iter().find(|n| n.severity == SloSeverity::Error).expect("an error");
        assert_eq!((error.file.as_str(), error.field.as_str()), ("bad.yaml", field), "{text}\n{:#?}", read.notes);
        assert!(error.message.contains(words), "`{}` should say {words}", error.message);
    }
}

#[test]
fn ratio_metrics_take_good_or_bad_over_total_or_raw_with_its_type() {
    let ratio = |metric: &str| {
        format!(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: r\nspec:\n  budgetingMethod: Occurrences\n  indicator:\n    spec:\n      \
             ratioMetric:\n{metric}\n  objectives:\n    - target: 0.999\n"
        )
    };
    let source =
        |q: &str| format!("metricSource:\n            type: Prometheus\n            spec:\n              query: {q}");
    let url = SloOptions { prometheus_url: Some("http://p:9090".into()) };
    let query_of = |metric: String| {
        let read = import_slos(&[SloText { name: "r.yaml", text: &ratio(&metric) }], &url);
        (read.has_errors(), read.kpis.first().and_then(|k| k.kpi.source.clone()))
    };
    let bad_total =
        format!("        bad:\n          {}\n        total:\n          {}", source("errors"), source("requests"));
    assert_eq!(
        query_of(bad_total),
        (
            false,
            Some(KpiSourceText::Prometheus {
                url: "http://p:9090".into(),
                query: "100 * (1 - (errors) / (requests))".into()
            })
        )
    );
    let raw_failure = format!("        rawType: failure\n        raw:\n          {}", source("error_ratio"));
    assert_eq!(
        query_of(raw_failure),
        (
            false,
            Some(KpiSourceText::Prometheus { url: "http://p:9090".into(), query: "100 * (1 - (error_ratio))".into() })
        )
    );
    let raw_untyped = format!("        raw:\n          {}", source("ratio"));
    assert!(query_of(raw_untyped).0, "raw without rawType is refused");
    let both = format!(
        "        good:\n          {}\n        bad:\n          {}\n        total:\n          {}",
        source("g"),
        source("b"),
        source("t")
    );
    assert!(query_of(both).0, "good and bad together are refused");
    let no_total = format!("        good:\n          {}", source("g"));
    assert!(query_of(no_total).0, "good without total is refused");
}

#[test]
fn two_slos_of_one_name_are_refused_rather_than_merged() {
    let text = fixture("spec-readme-inline-sli.yaml");
    let read = import_slos(
        &[SloText { name: "a.yaml", text: &text }, SloText { name: "b.yaml", text: &text }],
        &SloOptions::default(),
    );
    assert!(errors(&read).iter().any(|e| e.contains("would both be the KPI `foo-slo`")), "{:#?}", read.notes);
}

proptest! {
    /// Whatever the text, the import answers with KPIs or notes, never a panic; and
    /// an import with an error has a note saying so.
    #[test]
    fn any_text_is_read_or_refused_without_a_panic(text in "(apiVersion: openslo/v1\n|kind: SLO\n|metadata:\n  name: [a-z]{1,5}\n|spec:\n|  objectives:\n|    - target: [0-9.]{1,4}\n|  budgetingMethod: [A-Za-z]{1,12}\n|[ -~]{0,20}\n|---\n){0,12}") {
        let read = import("any.yaml", &text);
        if read.has_errors() {
            prop_assert!(read.notes.iter().any(|n| n.severity == SloSeverity::Error));
        }
        for kpi in &read.kpis {
            prop_assert!(kpi.required_share >= 0.0 && kpi.required_share < 1.0);
        }
    }
}
