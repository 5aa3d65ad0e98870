//! The report as Markdown, readable in a git review: headings per section, tables with
//! escaped cells, each objective with its key results and retrospective note.

use super::{Report, brier_text, colour_text, commitment_text, number_text, percent_text, score_text, yes_no};
use std::fmt::Write;

/// A table cell: pipes escaped, line breaks folded.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Free text as a block quote, each line quoted.
fn quote(text: &str) -> String {
    text.lines().map(|line| format!("> {line}\n")).collect()
}

fn table(out: &mut String, head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", head.iter().map(|_| "---|").collect::<String>());
    for row in rows {
        let _ = writeln!(out, "| {} |", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
    }
    out.push('\n');
}

/// Renders the report as Markdown.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let c = &report.cycle;
    let _ = writeln!(out, "# Review: {}\n", cell(&c.name));
    let _ = writeln!(
        out,
        "Workspace `{}`, cycle `{}` ({} to {}), made {}.\n",
        report.workspace,
        c.slug,
        c.start_date,
        c.end_date,
        report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} objectives, {} key results; mean score {}; {} succeeded; {} green, {} yellow, {} red.\n",
        s.objectives,
        s.key_results,
        score_text(s.mean_score),
        s.succeeded,
        s.green,
        s.yellow,
        s.red
    );
    let groups = |out: &mut String, title: &str, what: &str, groups: &[super::ScoreGroup]| {
        let _ = writeln!(out, "## {title}\n");
        table(
            out,
            &[what, "objectives", "key results", "mean score", "succeeded", "green", "yellow", "red"],
            groups.iter().map(|g| {
                vec![
                    g.name.clone(),
                    g.objectives.to_string(),
                    g.key_results.to_string(),
                    score_text(g.mean_score),
                    g.succeeded.to_string(),
                    g.green.to_string(),
                    g.yellow.to_string(),
                    g.red.to_string(),
                ]
            }),
        );
    };
    groups(&mut out, "Scores by team", "team", &report.teams);
    groups(&mut out, "Scores by owner", "owner", &report.owners);

    let _ = writeln!(out, "## Committed and aspirational\n");
    table(
        &mut out,
        &["commitment", "succeeds at", "objectives", "succeeded", "mean score"],
        report.commitments.iter().map(|o| {
            vec![
                commitment_text(o.commitment).to_owned(),
                format!("{:.1}", o.success_at),
                o.objectives.to_string(),
                o.succeeded.to_string(),
                score_text(o.mean_score),
            ]
        }),
    );

    let cal = &report.calibration;
    let _ = writeln!(out, "## Confidence calibration\n");
    let _ = writeln!(
        out,
        "{} key results judged, {} succeeded. Brier score (0 is perfect, 0.25 is always saying 50%): confidence {}, forecast {}.\n",
        cal.key_results,
        cal.succeeded,
        brier_text(cal.confidence),
        brier_text(cal.forecast)
    );
    if !cal.teams.is_empty() {
        table(
            &mut out,
            &["team", "confidence", "forecast"],
            cal.teams.iter().map(|t| vec![t.name.clone(), brier_text(t.confidence), brier_text(t.forecast)]),
        );
    }
    let _ = writeln!(out, "Reliability (the cycle replayed week by week): said → happened (how many).\n");
    let judged = |c: Option<super::ReliabilityCell>| {
        c.map_or_else(String::new, |c| format!("{:.2} → {:.2} ({})", c.said, c.happened, c.count))
    };
    table(
        &mut out,
        &["bin", "forecast", "confidence"],
        cal.reliability
            .iter()
            .filter(|r| r.forecast.is_some() || r.confidence.is_some())
            .map(|r| vec![format!("{:.2}–{:.2}", r.low, r.high), judged(r.forecast), judged(r.confidence)]),
    );

    let _ = writeln!(out, "## Biggest movers\n");
    for (title, movers) in [("Up", &report.movers.up), ("Down", &report.movers.down)] {
        let _ = writeln!(out, "### {title}\n");
        if movers.is_empty() {
            let _ = writeln!(out, "None.\n");
            continue;
        }
        table(
            &mut out,
            &["key result", "objective", "start", "end", "change"],
            movers.iter().map(|m| {
                vec![
                    m.title.clone(),
                    m.objective_title.clone(),
                    percent_text(Some(m.progress_at_start)),
                    percent_text(Some(m.progress_at_end)),
                    format!("{:+.0} pts", m.change * 100.0),
                ]
            }),
        );
    }

    let _ = writeln!(out, "## KPIs that lagged\n");
    if report.lagging_kpis.is_empty() {
        let _ = writeln!(out, "No KPI lagged during the cycle.\n");
    } else {
        table(
            &mut out,
            &["KPI", "first lagging", "days lagging", "lagging at the end", "value at the end"],
            report.lagging_kpis.iter().map(|k| {
                vec![
                    k.name.clone(),
                    k.first_lagging.to_string(),
                    k.days_lagging.to_string(),
                    yes_no(Some(k.lagging_at_end)).to_owned(),
                    format!("{} {}", number_text(k.value_at_end), k.unit.as_deref().unwrap_or("")).trim().to_owned(),
                ]
            }),
        );
    }

    let _ = writeln!(out, "## Carried over\n");
    if report.carried_over.is_empty() {
        let _ = writeln!(out, "Nothing carried over.\n");
    } else {
        table(
            &mut out,
            &["objective", "from objective", "into cycle"],
            report.carried_over.iter().map(|c| {
                vec![
                    format!("{} (#{})", c.title, c.objective_id),
                    format!("#{}", c.carried_from_objective_id),
                    c.cycle_name.clone(),
                ]
            }),
        );
    }

    let _ = writeln!(out, "## Objectives\n");
    for o in &report.objectives {
        let _ = writeln!(out, "### {} (#{})\n", cell(&o.title), o.id);
        let _ = writeln!(
            out,
            "{}, team {}, owner {}: score {} ({}), succeeded {}.\n",
            commitment_text(o.commitment),
            o.team.as_deref().unwrap_or("–"),
            o.owner.as_deref().unwrap_or("–"),
            score_text(o.score),
            colour_text(o.colour),
            yes_no(o.succeeded)
        );
        if !o.key_results.is_empty() {
            table(
                &mut out,
                &super::KEY_RESULT_COLUMNS,
                o.key_results.iter().map(|k| {
                    vec![
                        k.title.clone(),
                        k.owner.clone().unwrap_or_else(|| "–".to_owned()),
                        number_text(k.start),
                        number_text(k.target),
                        number_text(k.value),
                        percent_text(Some(k.progress)),
                        format!("{} {}", score_text(k.score), colour_text(k.colour)),
                        yes_no(k.succeeded).to_owned(),
                        k.confidence.map_or_else(|| "–".to_owned(), |c| c.to_string()),
                        super::budget_text(k),
                    ]
                }),
            );
        }
        match &o.retrospective {
            Some(note) => {
                let by = note.author.as_deref().map(|a| format!(" (by {a})")).unwrap_or_default();
                let _ = writeln!(out, "**What worked**{by}\n\n{}", quote(&note.worked));
                let _ = writeln!(out, "**What did not work**\n\n{}", quote(&note.did_not_work));
            }
            None => {
                let _ = writeln!(out, "_No retrospective written._\n");
            }
        }
    }
    out
}
