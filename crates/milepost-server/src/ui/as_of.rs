//! Pages as of a past date (issue 18): the date picker, the "you are looking at the
//! past" banner, and the query text that links inside such a page keep. The checks and
//! the numbers are the app's (`app.workspaces().as_of`, the `_as_of` reads); this only
//! draws them.

use super::Viewer;
use milepost_app::as_of::{AsOf, AsOfQuery, Known};
use milepost_app::{App, AppError};

/// What a page that can show the past draws: the picker, and the banner when it does.
#[derive(Debug, Clone)]
pub struct TimeTravel {
    /// The picker's value: the date asked for, or empty for today.
    pub value: String,
    /// Today, the latest date the picker offers.
    pub today: String,
    /// The banner, when the page shows the past.
    pub banner: Option<PastBanner>,
    /// The query text links inside the page add to keep showing the same past
    /// (`?as_of=…`), or nothing.
    pub keep: String,
}

/// The banner of a page that shows the past.
#[derive(Debug, Clone)]
pub struct PastBanner {
    /// The date (or instant) shown, as asked.
    pub label: String,
    /// Whether late data count (as known now).
    pub known_now: bool,
    /// The same page as recorded then.
    pub then_link: String,
    /// The same page as known now.
    pub now_link: String,
    /// The same page today.
    pub live_link: String,
}

/// `text` made safe inside a query string.
fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Reads a page's `as_of` and `known` through the app (a bad one is the app's 422) and
/// what the page at `path` draws for them.
pub async fn read(
    app: &App,
    viewer: &Viewer,
    query: &AsOfQuery,
    path: &str,
) -> Result<(Option<AsOf>, TimeTravel), AppError> {
    let as_of = app.workspaces().as_of(&viewer.caller, query).await?;
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let Some((text, checked)) = query.as_of.as_deref().zip(as_of) else {
        return Ok((None, TimeTravel { value: String::new(), today, banner: None, keep: String::new() }));
    };
    let text = text.trim();
    let known_now = checked.known() == Known::Now;
    let then = format!("?as_of={}", escape(text));
    let keep = if known_now { format!("{then}&known=now") } else { then.clone() };
    let banner = PastBanner {
        label: text.to_owned(),
        known_now,
        then_link: format!("{path}{then}"),
        now_link: format!("{path}{then}&known=now"),
        live_link: path.to_owned(),
    };
    let value = text.get(..10).filter(|d| d.parse::<jiff::civil::Date>().is_ok()).unwrap_or_default().to_owned();
    Ok((Some(checked), TimeTravel { value, today, banner: Some(banner), keep }))
}
