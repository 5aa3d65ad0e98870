//! Tests of the parent module, `kpis`.

use super::*;
use milepost_core::KpiId;

const FILE: &str = "---\nkpis: @dana\n---\n\n# Customer satisfaction <!-- id: KPI-3 -->\n\nShare of happy customers.\n\n- slug: csat\n- unit: %\n- direction: higher is better\n- target: 92\n- warning band: 3\n- cadence: weekly\n- tags: support, quality\n- source: sql sqlite:///tmp/m.db\n- query: `SELECT avg(score) AS value FROM surveys`\n\n# Churn\n\n- direction: within a range\n- range: 2 to 3.5\n- cadence: monthly\n- tier: metric\n- lagging after: 3 periods\n";

#[test]
fn a_kpi_file_reads_into_its_kpis() {
    assert!(is_kpi_file(FILE));
    let parsed = parse_kpis(FILE);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    assert_eq!(parsed.file.owner, Some(KpiOwner::Person("dana".into())));
    let csat = &parsed.file.kpis[0];
    assert_eq!(
        (csat.id, csat.name.as_str(), csat.slug.as_deref()),
        (Some(KpiId(3)), "Customer satisfaction", Some("csat"))
    );
    assert_eq!((csat.target, csat.warning_band, csat.cadence), (Some(92.0), Some(3.0), Some(Cadence::Weekly)));
    assert_eq!(csat.tags, ["support", "quality"]);
    assert_eq!(
        csat.source,
        Some(KpiSourceText::Sql {
            url: "sqlite:///tmp/m.db".into(),
            query: "SELECT avg(score) AS value FROM surveys".into()
        })
    );
    let churn = &parsed.file.kpis[1];
    assert_eq!((churn.range, churn.tier, churn.lagging_after), (Some([2.0, 3.5]), Some(KpiTier::Metric), Some(3)));
    assert_eq!(parsed.source_map.kpis[0].setting("target").map(|s| (s.line, s.column)), Some((12, 11)));
}

#[test]
fn okr_files_are_not_kpi_files() {
    assert!(!is_kpi_file("---\ncycle: 2026-Q4\nowner: @dana\n---\n# KPIs: kpis: everywhere\n"));
    assert!(!is_kpi_file("# kpis: no front matter\n"));
    assert!(is_kpi_file("\u{feff}\n---\r\nKPIs: nobody\r\n---\r\n"));
}

#[test]
fn each_wrong_line_says_what_was_expected() {
    let text = "---\nkpis: team/support\ncycle: 2026-Q4\n---\n- target: 3\n# Uptime <!-- note -->\n- targte: 99\n- target: 99%\n- target: 98\n- range: 1 - 2\n- cadence: hourly\n## Deep\n- query: `x`\n";
    let parsed = parse_kpis(text);
    let found: Vec<(usize, &str)> = parsed.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(found.len(), 11, "{found:#?}");
    let lines: Vec<usize> = found.iter().map(|f| f.0).collect();
    assert_eq!(lines, [2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    assert!(found[0].1.contains("`@<handle>` or `nobody`"));
    assert!(found[1].1.contains("belong to no cycle"));
    assert_eq!(parsed.diagnostics[4].suggestion.as_deref(), Some("did you mean `target`?"));
    assert_eq!(
        parsed.diagnostics[5].suggestion.as_deref(),
        Some("write the number alone, `99`, and the unit on a line of its own: `- unit: %`")
    );
    assert!(found[6].1.contains("given twice"));
    assert!(found[10].1.contains("belongs to a source"));
    // A wrong value is still a given one: the second `target:` is a repeat.
    assert_eq!(parsed.file.kpis[0].target, None);
}

#[test]
fn sources_need_their_query_or_path() {
    let parsed =
        parse_kpis("---\nkpis: nobody\n---\n# A\n- source: json http://x/\n- query: `q`\n# B\n- source: ftp x\n");
    let messages: Vec<&str> = parsed.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("needs its `path:` line"));
    assert!(messages[1].contains("not a `query:`"));
    assert!(messages[2].contains("expected `sql`, `prometheus` or `json`"));
    assert_eq!(parsed.file.owner, Some(KpiOwner::Nobody));
}

#[test]
fn code_spans_are_read_as_written() {
    assert_eq!(unfence("`SELECT \\* FROM t`"), "SELECT \\* FROM t");
    assert_eq!(unfence("`` a`b ``"), "a`b");
    assert_eq!(unfence("plain text"), "plain text");
    assert_eq!(unfence("`"), "`");
    assert_eq!(unfence("` `"), " ");
}

#[test]
fn formulas_and_drivers_read_and_render_back() {
    let text = "---\nkpis: @sam\n---\n\n# Weekly revenue\n\n- slug: weekly-revenue\n- unit: USD\n- direction: higher is better\n- target: 130000\n- cadence: weekly\n- formula: `orders * average-order-value`\n- drivers: conversion-rate, visits\n";
    let parsed = parse_kpis(text);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let revenue = &parsed.file.kpis[0];
    assert_eq!(revenue.formula.as_deref(), Some("orders * average-order-value"));
    assert_eq!(revenue.drivers, ["conversion-rate", "visits"]);
    assert_eq!(crate::render_kpis(&parsed.file), text, "the canonical form reads back as it was");
    // Without backticks the formula is read as written.
    let bare = parse_kpis(&text.replace("`orders * average-order-value`", "orders / visits"));
    assert_eq!(bare.file.kpis[0].formula.as_deref(), Some("orders / visits"));
    // A driver that is not a slug, or an empty one, is an error at its line.
    for drivers in ["Conversion Rate", "a,, b"] {
        let wrong = parse_kpis(&text.replace("conversion-rate, visits", drivers));
        assert_eq!(wrong.diagnostics.len(), 1, "{drivers}: {:#?}", wrong.diagnostics);
        assert_eq!(wrong.diagnostics[0].line, 13);
    }
}
