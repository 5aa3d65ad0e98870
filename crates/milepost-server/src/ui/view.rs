//! How numbers and states look on a page: status badges (a word, an icon and a colour,
//! so colour is never the only signal), progress bars and doughnuts as small
//! server-side SVG (they read without JavaScript), values with their units, and the
//! names of people and teams. Presentation only: every number shown comes computed
//! from the app.

use milepost_app::person::PersonView;
use milepost_app::team::TeamView;
use milepost_app::{App, AppError, Caller};
use milepost_core::{Commitment, KeyResultKind, ScoreColour, Status};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// A status shown as a badge.
#[derive(Debug, Clone, Copy)]
pub struct Badge {
    /// The word: "On track".
    pub word: &'static str,
    /// The icon, for those who cannot tell the colours apart.
    pub icon: &'static str,
    /// The CSS class that colours it: `status-on_track`.
    pub class: &'static str,
}

/// The badge of a status.
pub fn badge(status: Status) -> Badge {
    let (word, icon, class) = match status {
        Status::OnTrack => ("On track", "✓", "status-on_track"),
        Status::AtRisk => ("At risk", "!", "status-at_risk"),
        Status::OffTrack => ("Off track", "✕", "status-off_track"),
        Status::Done => ("Done", "★", "status-done"),
        Status::NotStarted => ("Not started", "○", "status-not_started"),
        Status::Stale => ("Stale", "⏸", "status-stale"),
    };
    Badge { word, icon, class }
}

/// The badge of a score's colour band.
pub fn score_badge(colour: ScoreColour) -> Badge {
    match colour {
        ScoreColour::Green => Badge { word: "Green", icon: "✓", class: "score-green" },
        ScoreColour::Yellow => Badge { word: "Yellow", icon: "~", class: "score-yellow" },
        ScoreColour::Red => Badge { word: "Red", icon: "✕", class: "score-red" },
    }
}

/// A score in words: `0.7`, and when data that came after the close would now give
/// another, `0.7 (late data: 0.9)`: the frozen score stands.
pub fn score_text(score: &milepost_app::ScoreView) -> String {
    match score.late_value {
        Some(late) => format!("{:.1} (late data: {late:.1})", score.value),
        None => format!("{:.1}", score.value),
    }
}

/// The colour class of a progress bar for a status.
fn bar_class(status: Status) -> &'static str {
    badge(status).class
}

/// A percentage for people: `43%`; over-achievement shows (`120%`).
pub fn percent(share: f64) -> String {
    // Adding zero turns a negative zero (no progress on a decrease) into "0%", not "-0%".
    format!("{:.0}%", (share * 100.0).round() + 0.0)
}

/// A progress bar as inline SVG: the bar filled to `progress` (clamped for drawing;
/// the label says the real share) and a tick at `expected`, the pace.
pub fn progress_bar(progress: Option<f64>, expected: Option<f64>, status: Status) -> String {
    let shown = progress.unwrap_or(0.0).clamp(0.0, 1.0) * 100.0;
    let mut label = match progress {
        Some(p) => format!("Progress {}", percent(p)),
        None => "No progress yet".to_owned(),
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="bar {class}" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="LABEL"><rect class="bar-track" x="0" y="0" width="100" height="10" rx="2"/><rect class="bar-fill" x="0" y="0" width="{shown:.1}" height="10" rx="2"/>"#,
        class = bar_class(status),
    );
    if let Some(expected) = expected {
        let at = expected.clamp(0.0, 1.0) * 100.0;
        let _ = write!(svg, r#"<rect class="bar-pace" x="{:.1}" y="0" width="0.8" height="10"/>"#, (at - 0.4).max(0.0));
        let _ = write!(label, ", expected by now {}", percent(expected));
    }
    svg.push_str("</svg>");
    svg.replace("LABEL", &label)
}

/// A doughnut of a share as inline SVG, with the share written in its middle, in one
/// neutral colour: it sums up several objectives, whose statuses say the rest.
pub fn doughnut(share: Option<f64>) -> String {
    let shown = share.unwrap_or(0.0).clamp(0.0, 1.0);
    // A circle of radius 15.915 has a circumference of 100, so the dash is the percentage.
    let text = share.map_or_else(|| "–".to_owned(), percent);
    format!(
        r#"<svg class="doughnut neutral" viewBox="0 0 42 42" role="img" aria-label="Progress {text}"><circle class="doughnut-track" cx="21" cy="21" r="15.915" fill="none" stroke-width="6"/><circle class="doughnut-fill" cx="21" cy="21" r="15.915" fill="none" stroke-width="6" stroke-dasharray="{dash:.1} {rest:.1}" stroke-dashoffset="25"/><text x="21" y="24" text-anchor="middle">{text}</text></svg>"#,
        dash = shown * 100.0,
        rest = 100.0 - shown * 100.0,
    )
}

/// A number for people: at most two decimals, no trailing zeros, thousands apart.
pub fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let (sign, digits) = text.strip_prefix('-').map_or(("", text), |rest| ("-", rest));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A value with its unit: `42%`, `$1,200`, `3.5 h`; `–` when there is none.
pub fn value(value: Option<f64>, unit: Option<&str>) -> String {
    let Some(value) = value else { return "–".to_owned() };
    match unit {
        None | Some("") => number(value),
        Some("%") => format!("{}%", number(value)),
        Some("USD") => format!("${}", number(value)),
        Some("EUR") => format!("€{}", number(value)),
        Some("GBP") => format!("£{}", number(value)),
        Some(unit) => format!("{} {unit}", number(value)),
    }
}

/// A key result's kind for people.
pub fn kind(kind: KeyResultKind) -> &'static str {
    match kind {
        KeyResultKind::Increase => "Increase",
        KeyResultKind::Decrease => "Decrease",
        KeyResultKind::Maintain => "Maintain",
        KeyResultKind::Range => "Range",
        KeyResultKind::Milestone => "Milestone",
    }
}

/// A commitment for people.
pub fn commitment(commitment: Commitment) -> &'static str {
    match commitment {
        Commitment::Committed => "Committed",
        Commitment::Aspirational => "Aspirational",
    }
}

/// The people and teams of a workspace, to show names instead of ids.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// People by id.
    pub people: Arc<HashMap<i64, PersonView>>,
    /// Teams by id, in id order in `team_order`.
    pub teams: Arc<HashMap<i64, TeamView>>,
    /// Team ids in id order.
    pub team_order: Arc<Vec<i64>>,
}

impl Names {
    /// Every person and team of the caller's workspace (not archived), from the app's
    /// read model.
    pub async fn load(app: &App, caller: &Caller) -> Result<Names, AppError> {
        let directory = app.people().directory(caller).await?;
        Ok(Names { people: directory.people, teams: directory.teams, team_order: directory.team_order })
    }

    /// A person's name, or `person N` for one not found.
    pub fn person(&self, id: Option<i64>) -> String {
        match id {
            Some(id) => self.people.get(&id).map_or_else(|| format!("person {id}"), |p| p.name.clone()),
            None => "nobody".to_owned(),
        }
    }

    /// A team's name.
    pub fn team(&self, id: i64) -> String {
        self.teams.get(&id).map_or_else(|| format!("team {id}"), |t| t.name.clone())
    }

    /// The owner of an objective: its person or its team.
    pub fn owner(&self, person: Option<i64>, team: Option<i64>) -> String {
        match (person, team) {
            (Some(_), _) => self.person(person),
            (None, Some(team)) => self.team(team),
            (None, None) => "nobody".to_owned(),
        }
    }
}

/// A day for people: `2026-11-16`.
pub fn day(at: jiff::Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

/// When something is due, relative to `now`: `overdue by 3 days`, `today`, `in 2 days`.
pub fn due(at: Option<jiff::Timestamp>, now: jiff::Timestamp) -> String {
    let Some(at) = at else { return "now: no check-in yet".to_owned() };
    let days = (at.as_second() - now.as_second()).div_euclid(86_400);
    match days {
        ..-1 => format!("overdue by {} days", -days),
        -1 => "overdue by a day".to_owned(),
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        _ => format!("in {days} days"),
    }
}

/// An objective as one line of a list.
#[derive(Debug, Clone)]
pub struct ObjectiveLine {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Who owns it.
    pub owner: String,
    /// Committed or aspirational.
    pub commitment: &'static str,
    /// Its progress, as a percentage.
    pub progress: String,
    /// Its expected progress, as a percentage.
    pub expected: String,
    /// Its progress bar with the pace.
    pub bar: String,
    /// Its status.
    pub badge: Badge,
    /// Its score, once graded: `0.7`.
    pub score: Option<(String, Badge)>,
    /// Whether a score meets its commitment, once graded.
    pub succeeded: Option<bool>,
}

impl ObjectiveLine {
    /// The line of `objective`.
    pub fn of(objective: &milepost_app::objective::ObjectiveView, names: &Names) -> ObjectiveLine {
        ObjectiveLine {
            id: objective.id.get(),
            title: objective.title.clone(),
            owner: names.owner(objective.owner_person_id, objective.owner_team_id),
            commitment: commitment(objective.commitment),
            progress: objective.progress.map_or_else(|| "–".to_owned(), percent),
            expected: percent(objective.expected_progress),
            bar: progress_bar(objective.progress, Some(objective.expected_progress), objective.status),
            badge: badge(objective.status),
            score: objective.score.map(|s| (score_text(&s), score_badge(s.colour))),
            succeeded: objective.score.and_then(|s| s.succeeded),
        }
    }
}

/// A key result as one line of a list.
#[derive(Debug, Clone)]
pub struct KeyResultLine {
    /// Its id.
    pub id: i64,
    /// Its objective.
    pub objective_id: i64,
    /// Its sentence.
    pub title: String,
    /// Its kind, for people.
    pub kind: &'static str,
    /// Its start, with unit.
    pub start: String,
    /// Its current value, with unit.
    pub current: String,
    /// Its target (or threshold, or band), with unit.
    pub target: String,
    /// Its progress, as a percentage.
    pub progress: String,
    /// Its progress bar with the pace.
    pub bar: String,
    /// Its status.
    pub badge: Badge,
    /// Why it has that status, in words: which signal decided ("the owner's confidence
    /// is 5/10"), so a status is never left to contradict the forecast beside it.
    pub why: String,
    /// Its latest confidence: `7/10`.
    pub confidence: String,
    /// Who owns it.
    pub owner: String,
    /// When its next check-in is due, relative to now.
    pub due: String,
    /// Whether a check-in is due within two days (or overdue).
    pub needs_check_in: bool,
    /// High confidence on a value that has not moved.
    pub diverging: bool,
    /// Its score, once graded.
    pub score: Option<(String, Badge)>,
    /// Maintain and range: its error budget in words (issue 20).
    pub budget: Option<super::error_budget::BudgetLine>,
}

impl KeyResultLine {
    /// The line of `key_result`, as of `now`.
    pub fn of(
        key_result: &milepost_app::key_result::KeyResultView,
        names: &Names,
        now: jiff::Timestamp,
    ) -> KeyResultLine {
        let unit = key_result.unit.as_deref();
        let target = match (key_result.kind, key_result.range) {
            (KeyResultKind::Range, Some([low, high])) => {
                format!("{} – {}", value(Some(low), unit), value(Some(high), unit))
            }
            (KeyResultKind::Maintain, _) => {
                let side = match key_result.comparator {
                    Some(milepost_core::Comparator::AtMost) => "≤ ",
                    _ => "≥ ",
                };
                format!("{side}{}", value(key_result.target, unit))
            }
            (KeyResultKind::Milestone, _) => "done".to_owned(),
            _ => value(key_result.target, unit),
        };
        let current = match key_result.kind {
            KeyResultKind::Milestone => key_result.current.map_or_else(|| "–".to_owned(), percent),
            _ => value(key_result.current, unit),
        };
        let soon = now.saturating_add(jiff::SignedDuration::from_hours(48)).unwrap_or(now);
        KeyResultLine {
            id: key_result.id.get(),
            objective_id: key_result.objective_id,
            title: key_result.title.clone(),
            kind: kind(key_result.kind),
            start: match key_result.kind {
                KeyResultKind::Milestone => "not done".to_owned(),
                _ => value(key_result.start, unit),
            },
            current,
            target,
            progress: percent(key_result.progress),
            bar: progress_bar(Some(key_result.progress), Some(key_result.expected_progress), key_result.status),
            badge: badge(key_result.status),
            why: status_why(key_result),
            confidence: key_result.confidence.map_or_else(|| "–".to_owned(), |c| format!("{c}/10")),
            owner: names.person(key_result.owner_person_id),
            due: due(key_result.check_in_due_at, now),
            needs_check_in: key_result.check_in_due_at.is_none_or(|at| at <= soon),
            diverging: key_result.diverging,
            score: key_result.score.map(|s| (score_text(&s), score_badge(s.colour))),
            budget: key_result
                .error_budget
                .as_ref()
                .map(|b| super::error_budget::BudgetLine::of(b, key_result.cadence)),
        }
    }
}

/// Which signal decided a key result's status, in words for the page.
pub fn status_why(key_result: &milepost_app::key_result::KeyResultView) -> String {
    use milepost_core::StatusReason;
    match key_result.status_reason {
        StatusReason::TargetReached => "the target is reached".to_owned(),
        StatusReason::CycleNotBegun => "the cycle has not begun".to_owned(),
        StatusReason::FirstCheckInNotDue => "no check-in yet; the first is not due".to_owned(),
        StatusReason::CheckInMissed => match key_result.last_check_in_at {
            Some(at) => format!("decided by a missed check-in: the last was on {}", at.strftime("%Y-%m-%d")),
            None => "decided by a missed check-in: nobody has checked in yet".to_owned(),
        },
        StatusReason::Forecast => match &key_result.forecast {
            Some(f) => format!("decided by the forecast: {} to reach it", percent(f.probability)),
            None => "decided by the forecast".to_owned(),
        },
        StatusReason::Pace => match key_result.kind {
            KeyResultKind::Milestone => "a milestone is on track until its cycle ends".to_owned(),
            KeyResultKind::Maintain | KeyResultKind::Range => {
                format!("decided by pace: the goal was met {} of the time so far", percent(key_result.progress))
            }
            _ => format!(
                "decided by pace: {} done, {} expected by now",
                percent(key_result.progress.clamp(0.0, 1.0)),
                percent(key_result.expected_progress)
            ),
        },
        StatusReason::LatestMissesGoal => "decided by the latest value, which misses the goal".to_owned(),
        StatusReason::MilestoneNotDone => "not done when the cycle ended".to_owned(),
        StatusReason::Confidence => match key_result.confidence {
            Some(c) => format!("decided by the owner's confidence: {c}/10"),
            None => "decided by the owner's confidence".to_owned(),
        },
        StatusReason::ErrorBudgetBurning => match key_result.error_budget.and_then(|b| b.burn_rate) {
            Some(rate) => format!(
                "decided by the error budget: it will run out before the cycle ends at the current burn rate ({})",
                super::error_budget::burn_rate(rate)
            ),
            None => {
                "decided by the error budget: it will run out before the cycle ends at the current burn rate".to_owned()
            }
        },
        StatusReason::ErrorBudgetSpent => {
            "decided by the error budget: it is spent, so the required share can no longer be met".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_people_write_them() {
        assert_eq!(number(1234567.0), "1,234,567");
        assert_eq!(number(-1234.5), "-1,234.5");
        assert_eq!(number(0.125), "0.13");
        assert_eq!(number(42.0), "42");
        assert_eq!(value(Some(92.5), Some("%")), "92.5%");
        assert_eq!(value(Some(1200.0), Some("USD")), "$1,200");
        assert_eq!(value(Some(3.0), Some("h")), "3 h");
        assert_eq!(value(None, Some("h")), "–");
    }

    #[test]
    fn a_progress_bar_says_its_numbers_in_words() {
        let svg = progress_bar(Some(1.2), Some(0.5), Status::Done);
        assert!(svg.contains(r#"aria-label="Progress 120%, expected by now 50%""#), "{svg}");
        assert!(svg.contains(r#"width="100.0""#), "drawn clamped: {svg}");
        assert!(svg.contains("status-done"), "{svg}");
    }
}
