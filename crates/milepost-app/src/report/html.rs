//! The report as one self-contained HTML file, readable when mailed or attached: styles
//! inline in one `<style>` element, the reliability chart as inline SVG, no script, no
//! image, font or link outside the file (only `#` anchors inside it).

use super::chart::reliability_svg;
use super::{
    Report, ScoreGroup, brier_text, colour_text, commitment_text, number_text, percent_text, score_text, yes_no,
};
use milepost_core::ScoreColour;
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d1d1f;max-width:1100px;margin:2rem auto;padding:0 1rem;line-height:1.45}\
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}h3{font-size:1.1rem;margin-top:1.6rem}\
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.92rem}th,td{border:1px solid #d5d5d5;padding:.25rem .55rem;text-align:left;vertical-align:top}\
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}\
.badge{display:inline-block;border-radius:.7rem;padding:0 .5rem;font-size:.85rem;font-weight:600}\
.red{background:#fde2e1;color:#a1140c}.yellow{background:#fff3c4;color:#7a5a00}.green{background:#dcf5e3;color:#106b2c}.none{background:#eee;color:#555}\
.muted{color:#666}blockquote{margin:.3rem 0 .8rem;padding:.2rem .8rem;border-left:3px solid #ccc;white-space:pre-wrap}\
.summary{font-size:1.05rem}nav a{margin-right:.8rem}";

/// Text made safe for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn badge(colour: Option<ScoreColour>, text: &str) -> String {
    let class = match colour {
        None => "none",
        some => colour_text(some),
    };
    format!(r#"<span class="badge {class}">{}</span>"#, escape(text))
}

/// A table: `head` as header cells, each row's cells already HTML; cells starting with
/// `#n` are numbers (right-aligned, the marker dropped).
fn table(out: &mut String, head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for c in row {
            match c.strip_prefix("#n") {
                Some(number) => {
                    let _ = write!(out, r#"<td class="n">{number}</td>"#);
                }
                None => {
                    let _ = write!(out, "<td>{c}</td>");
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

fn n(text: impl std::fmt::Display) -> String {
    format!("#n{}", escape(&text.to_string()))
}

fn group_rows(groups: &[ScoreGroup]) -> impl Iterator<Item = Vec<String>> + '_ {
    groups.iter().map(|g| {
        vec![
            escape(&g.name),
            n(g.objectives),
            n(g.key_results),
            n(score_text(g.mean_score)),
            n(g.succeeded),
            n(g.green),
            n(g.yellow),
            n(g.red),
        ]
    })
}

const GROUP_HEAD: [&str; 7] = ["objectives", "key results", "mean score", "succeeded", "green", "yellow", "red"];

/// Renders the report as one self-contained HTML document.
pub fn render_html(report: &Report) -> String {
    let mut out = String::new();
    let c = &report.cycle;
    let title = format!("Review: {}", c.name);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"muted\">Workspace <code>{}</code> · cycle <code>{}</code> · {} to {} · made {}</p></header>",
        escape(&title),
        escape(&report.workspace),
        escape(&c.slug),
        c.start_date,
        c.end_date,
        report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    );
    out.push_str(
        "<nav><a href=\"#teams\">Teams</a><a href=\"#owners\">Owners</a><a href=\"#commitments\">Committed and aspirational</a><a href=\"#calibration\">Calibration</a><a href=\"#movers\">Movers</a><a href=\"#kpis\">KPIs</a><a href=\"#carried\">Carried over</a><a href=\"#objectives\">Objectives</a></nav>\n",
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<p class=\"summary\">{} objectives, {} key results · mean score <strong>{}</strong> · {} succeeded · {} {} {}</p>",
        s.objectives,
        s.key_results,
        score_text(s.mean_score),
        s.succeeded,
        badge(Some(ScoreColour::Green), &format!("{} green", s.green)),
        badge(Some(ScoreColour::Yellow), &format!("{} yellow", s.yellow)),
        badge(Some(ScoreColour::Red), &format!("{} red", s.red)),
    );

    out.push_str("<section id=\"teams\"><h2>Scores by team</h2>");
    table(&mut out, &[&["team"][..], &GROUP_HEAD[..]].concat(), group_rows(&report.teams));
    out.push_str("</section><section id=\"owners\"><h2>Scores by owner</h2>");
    table(&mut out, &[&["owner"][..], &GROUP_HEAD[..]].concat(), group_rows(&report.owners));
    out.push_str("</section><section id=\"commitments\"><h2>Committed and aspirational</h2>");
    table(
        &mut out,
        &["commitment", "succeeds at", "objectives", "succeeded", "mean score"],
        report.commitments.iter().map(|o| {
            vec![
                commitment_text(o.commitment).to_owned(),
                n(format!("{:.1}", o.success_at)),
                n(o.objectives),
                n(o.succeeded),
                n(score_text(o.mean_score)),
            ]
        }),
    );

    let cal = &report.calibration;
    out.push_str("</section><section id=\"calibration\"><h2>Confidence calibration</h2>");
    let _ = write!(
        out,
        "<p>{} key results judged, {} succeeded. Brier score (0 is perfect; 0.25 is what always saying 50% earns): confidence <strong>{}</strong>, forecast <strong>{}</strong>.</p>",
        cal.key_results,
        cal.succeeded,
        escape(&brier_text(cal.confidence)),
        escape(&brier_text(cal.forecast))
    );
    if !cal.teams.is_empty() {
        table(
            &mut out,
            &["team", "confidence", "forecast"],
            cal.teams.iter().map(|t| vec![escape(&t.name), n(brier_text(t.confidence)), n(brier_text(t.forecast))]),
        );
    }
    out.push_str("<h3>Reliability</h3><p class=\"muted\">The cycle replayed week by week: what the forecast and the owners' confidence said, against how often it happened. Points on the dashed line are perfectly calibrated.</p>");
    out.push_str(&reliability_svg(&cal.reliability));
    let judged = |c: Option<super::ReliabilityCell>| {
        c.map_or_else(String::new, |c| n(format!("{:.2} → {:.2} ({})", c.said, c.happened, c.count)))
    };
    table(
        &mut out,
        &["bin", "forecast", "confidence"],
        cal.reliability
            .iter()
            .filter(|r| r.forecast.is_some() || r.confidence.is_some())
            .map(|r| vec![format!("{:.2}–{:.2}", r.low, r.high), judged(r.forecast), judged(r.confidence)]),
    );

    out.push_str("</section><section id=\"movers\"><h2>Biggest movers</h2>");
    for (title, movers) in [("Up", &report.movers.up), ("Down", &report.movers.down)] {
        let _ = write!(out, "<h3>{title}</h3>");
        if movers.is_empty() {
            out.push_str("<p class=\"muted\">None.</p>");
            continue;
        }
        table(
            &mut out,
            &["key result", "objective", "start", "end", "change"],
            movers.iter().map(|m| {
                vec![
                    escape(&m.title),
                    format!("<a href=\"#objective-{}\">{}</a>", m.objective_id, escape(&m.objective_title)),
                    n(percent_text(Some(m.progress_at_start))),
                    n(percent_text(Some(m.progress_at_end))),
                    n(format!("{:+.0} pts", m.change * 100.0)),
                ]
            }),
        );
    }

    out.push_str("</section><section id=\"kpis\"><h2>KPIs that lagged</h2>");
    if report.lagging_kpis.is_empty() {
        out.push_str("<p class=\"muted\">No KPI lagged during the cycle.</p>");
    } else {
        table(
            &mut out,
            &["KPI", "first lagging", "days lagging", "lagging at the end", "value at the end"],
            report.lagging_kpis.iter().map(|k| {
                vec![
                    escape(&k.name),
                    k.first_lagging.to_string(),
                    n(k.days_lagging),
                    yes_no(Some(k.lagging_at_end)).to_owned(),
                    n(format!("{} {}", number_text(k.value_at_end), k.unit.as_deref().unwrap_or("")).trim()),
                ]
            }),
        );
    }

    out.push_str("</section><section id=\"carried\"><h2>Carried over</h2>");
    if report.carried_over.is_empty() {
        out.push_str("<p class=\"muted\">Nothing carried over.</p>");
    } else {
        table(
            &mut out,
            &["objective", "from", "into cycle"],
            report.carried_over.iter().map(|c| {
                vec![
                    format!("{} (#{})", escape(&c.title), c.objective_id),
                    format!("<a href=\"#objective-{0}\">#{0}</a>", c.carried_from_objective_id),
                    escape(&c.cycle_name),
                ]
            }),
        );
    }

    out.push_str("</section><section id=\"objectives\"><h2>Objectives</h2>");
    for o in &report.objectives {
        let _ = write!(
            out,
            "<article id=\"objective-{}\"><h3>{} {}</h3><p class=\"muted\">{} · team {} · owner {} · succeeded {}</p>",
            o.id,
            escape(&o.title),
            badge(o.colour, &score_text(o.score)),
            commitment_text(o.commitment),
            escape(o.team.as_deref().unwrap_or("–")),
            escape(o.owner.as_deref().unwrap_or("–")),
            yes_no(o.succeeded)
        );
        if !o.key_results.is_empty() {
            table(
                &mut out,
                &super::KEY_RESULT_COLUMNS,
                o.key_results.iter().map(|k| {
                    vec![
                        escape(&k.title),
                        escape(k.owner.as_deref().unwrap_or("–")),
                        n(number_text(k.start)),
                        n(number_text(k.target)),
                        n(number_text(k.value)),
                        n(percent_text(Some(k.progress))),
                        badge(k.colour, &score_text(k.score)),
                        yes_no(k.succeeded).to_owned(),
                        n(k.confidence.map_or_else(|| "–".to_owned(), |c| c.to_string())),
                        escape(&super::budget_text(k)),
                    ]
                }),
            );
        }
        match &o.retrospective {
            Some(note) => {
                let by = note.author.as_deref().map(|a| format!(" <span class=\"muted\">by {}</span>", escape(a)));
                let _ = write!(
                    out,
                    "<div class=\"retrospective\"><strong>What worked</strong>{}<blockquote>{}</blockquote><strong>What did not work</strong><blockquote>{}</blockquote></div>",
                    by.unwrap_or_default(),
                    escape(&note.worked),
                    escape(&note.did_not_work)
                );
            }
            None => out.push_str("<p class=\"muted\">No retrospective written.</p>"),
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section></body></html>\n");
    out
}
