//! The reliability diagram as inline SVG: for each bin of probabilities, what was said
//! (x) against how often it happened (y), for the forecast and for the owners'
//! confidence, beside the diagonal of perfect calibration. No `xmlns` and no link: the
//! SVG sits inside the HTML report, which must reach nothing outside itself.

use super::ReliabilityRow;
use std::fmt::Write;

/// The plot's side, in pixels, and its margin for the axes' labels.
const SIDE: f64 = 240.0;
const MARGIN: f64 = 40.0;

fn x(p: f64) -> f64 {
    MARGIN + p.clamp(0.0, 1.0) * SIDE
}

fn y(p: f64) -> f64 {
    MARGIN / 2.0 + (1.0 - p.clamp(0.0, 1.0)) * SIDE
}

/// The radius of a point standing for `count` judgements, out of `most`.
fn radius(count: u64, most: u64) -> f64 {
    3.0 + 6.0 * (count as f64 / most.max(1) as f64).sqrt()
}

/// The reliability diagram of `rows`, as an `<svg>` element.
pub(super) fn reliability_svg(rows: &[ReliabilityRow]) -> String {
    let width = SIDE + MARGIN + 130.0;
    let height = SIDE + MARGIN * 1.5;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="reliability" role="img" aria-labelledby="reliability-title" width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title id="reliability-title">Reliability: what was said against what happened</title>"##
    );
    let _ = write!(
        svg,
        r##"<rect x="{}" y="{}" width="{SIDE}" height="{SIDE}" fill="#fafafa" stroke="#999"/>"##,
        x(0.0),
        y(1.0)
    );
    for tick in 0..=5 {
        let p = f64::from(tick) / 5.0;
        let _ = write!(
            svg,
            r##"<line x1="{x0}" y1="{yp}" x2="{x1}" y2="{yp}" stroke="#e3e3e3"/><text x="{tx}" y="{ty}" font-size="10" text-anchor="end">{p:.1}</text><text x="{xp}" y="{by}" font-size="10" text-anchor="middle">{p:.1}</text>"##,
            x0 = x(0.0),
            x1 = x(1.0),
            yp = y(p),
            tx = x(0.0) - 4.0,
            ty = y(p) + 3.0,
            xp = x(p),
            by = y(0.0) + 14.0,
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#777" stroke-dasharray="4 3"/>"##,
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0)
    );
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="11" text-anchor="middle">said (probability)</text><text x="12" y="{}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {})">happened (share)</text>"##,
        x(0.5),
        y(0.0) + 28.0,
        y(0.5),
        y(0.5)
    );
    let most = rows.iter().flat_map(|r| [r.forecast, r.confidence]).flatten().map(|c| c.count).max().unwrap_or(1);
    for row in rows {
        if let Some(cell) = row.forecast {
            let _ = write!(
                svg,
                r##"<circle class="forecast" cx="{:.1}" cy="{:.1}" r="{:.1}" fill="#1f6feb" fill-opacity="0.75"><title>forecast {:.2} → {:.2} ({})</title></circle>"##,
                x(cell.said),
                y(cell.happened),
                radius(cell.count, most),
                cell.said,
                cell.happened,
                cell.count
            );
        }
        if let Some(cell) = row.confidence {
            let r = radius(cell.count, most);
            let _ = write!(
                svg,
                r##"<rect class="confidence" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#d9822b" fill-opacity="0.75"><title>confidence {:.2} → {:.2} ({})</title></rect>"##,
                x(cell.said) - r,
                y(cell.happened) - r,
                2.0 * r,
                2.0 * r,
                cell.said,
                cell.happened,
                cell.count
            );
        }
    }
    let legend = x(1.0) + 14.0;
    let _ = write!(
        svg,
        r##"<circle cx="{}" cy="{}" r="5" fill="#1f6feb"/><text x="{}" y="{}" font-size="11">forecast</text><rect x="{}" y="{}" width="10" height="10" fill="#d9822b"/><text x="{}" y="{}" font-size="11">confidence</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#777" stroke-dasharray="4 3"/><text x="{}" y="{}" font-size="11">perfect</text>"##,
        legend + 5.0,
        y(1.0) + 5.0,
        legend + 14.0,
        y(1.0) + 9.0,
        legend,
        y(1.0) + 20.0,
        legend + 14.0,
        y(1.0) + 29.0,
        legend,
        y(1.0) + 45.0,
        legend + 10.0,
        y(1.0) + 45.0,
        legend + 14.0,
        y(1.0) + 49.0,
    );
    svg.push_str("</svg>");
    svg
}
