//! The one interpretation of a key result sentence, shared by every door: the JSON API
//! (a new key result, or a change), the web forms and their live preview, and OKR files.
//! A sentence ("Keep uptime at or above 95%") says a kind, numbers, a unit and a metric;
//! a person may also give any of these beside it; a key result that already exists has
//! its own; and a few are derived. Field by field, the first of these that says
//! something wins:
//!
//! 1. **Given**: what the person gave beside the sentence (the API's fields; the web
//!    form's fields, typed or changed from what the form showed). OKR files give none:
//!    the sentence is all they say.
//! 2. **Said**: what the sentence says, when it is read: always for a new key result,
//!    and for a change when the sentence or the kind changes. Its numbers (start,
//!    target, range, comparator) count only when it reads as the kind chosen; its unit
//!    and metric too for a change (for a new key result, whatever the kind). A sentence
//!    that says no number ("Launch the referral program", "Improve NPS") does not change
//!    the kind of a key result that has numbers: give the kind to make it a milestone.
//! 3. **Kept**: what the key result already has (a change only), so an edited sentence
//!    that does not restate the start keeps the one it had.
//! 4. **Derived**: an increase or decrease that still has no start starts at its
//!    linked KPI's value at the cycle's start (SPEC §4, baselines), or, with no KPI, at
//!    0 when its sentence names a bare count (an increase to a target with no start
//!    and no change: "Hire 5 engineers", "Ship 3 features", "Book $120,000 in
//!    wholesale orders"); a maintain key result with no side is "at or above".
//!
//! A target, a relative change ("by 20%") and an absolute change ("by 200") are one
//! choice: the first level that states any of them states all three, so a target typed
//! beside "Reduce churn by 20%" replaces the 20%; a sentence that says both ("Double
//! paid seats from 200 to 400") is read by its target. What is still missing is a problem at
//! its field: a sentence too long to read (`title`), nothing measurable and no kind
//! (`kind`), an increase or decrease with no start (`start`). The checks of the numbers
//! themselves (start ≠ target, the direction) are the core's [`Measure::try_new`], on
//! [`Interpretation::spec`].
//!
//! [`Measure::try_new`]: milepost_core::Measure::try_new

use milepost_core::key_result::MeasureSpec;
use milepost_core::{Comparator, KeyResultKind, Measure, RequiredShare, Title};

/// The longest metric or unit accepted.
pub const SHORT_TEXT: usize = 100;

/// A key result's numbers with its metric and unit: what a sentence says, or what a key
/// result has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Numbers {
    /// The kind.
    pub kind: Option<KeyResultKind>,
    /// What is measured ("NPS").
    pub metric: Option<String>,
    /// The unit of the values.
    pub unit: Option<String>,
    /// The start (increase, decrease).
    pub start: Option<f64>,
    /// The target (increase, decrease) or threshold (maintain).
    pub target: Option<f64>,
    /// The band `[low, high]` (range).
    pub range: Option<[f64; 2]>,
    /// The good side of a maintain threshold.
    pub comparator: Option<Comparator>,
    /// The target as a change relative to the start (0.2 is 20% more).
    pub relative_change: Option<f64>,
    /// The target as an absolute change from the start.
    pub delta: Option<f64>,
    /// For maintain and range: the share of slices that must meet the goal, 0–1
    /// ("in 95% of weeks"); `None` is every slice.
    pub required_share: Option<f64>,
}

/// What a person gave beside the sentence; `None` is "not given". The metric and the unit
/// may be given as empty (`Some(None)`): none, whatever the sentence says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Given {
    /// The kind.
    pub kind: Option<KeyResultKind>,
    /// The metric; `Some(None)` for none.
    pub metric: Option<Option<String>>,
    /// The unit; `Some(None)` for none.
    pub unit: Option<Option<String>>,
    /// The start.
    pub start: Option<f64>,
    /// The target or threshold.
    pub target: Option<f64>,
    /// The band.
    pub range: Option<[f64; 2]>,
    /// The side of a maintain threshold.
    pub comparator: Option<Comparator>,
    /// The target as a relative change.
    pub relative_change: Option<f64>,
    /// The target as an absolute change.
    pub delta: Option<f64>,
    /// The share of slices that must meet the goal; `Some(None)` for every slice,
    /// whatever the sentence says.
    pub required_share: Option<Option<f64>>,
}

/// The start a linked KPI offers an increase or decrease that says none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Baseline {
    /// No KPI is linked (or its value was not looked up).
    NotLinked,
    /// A KPI is linked: its value at the cycle's start (or its first, when it was first
    /// measured later), `None` when it has no measurement yet.
    Linked(Option<f64>),
}

/// Something missing or unreadable, at a field of the key result (`title`, `kind`,
/// `start`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field of the key result at fault.
    pub field: &'static str,
    /// What is wrong, in words a person understands.
    pub detail: String,
}

/// What a key result is, once its sentence, the fields given and what it had are put
/// together; with the problems that keep it from being saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpretation {
    /// The numbers, metric and unit it takes.
    pub numbers: Numbers,
    /// Whether the target (or relative or absolute change) was given or said, rather
    /// than kept from what the key result had.
    pub target_restated: bool,
    /// Whether the kind came from the sentence (not given).
    pub kind_from_sentence: bool,
    /// Whether an increase or decrease has no start but what a linked KPI could give:
    /// look its value up and interpret again with [`Baseline::Linked`].
    pub wants_baseline: bool,
    /// What is missing or unreadable; empty when the numbers can be checked.
    pub problems: Vec<FieldProblem>,
}

impl Interpretation {
    /// The numbers as the core checks them into a [`milepost_core::Measure`].
    pub fn spec(&self) -> MeasureSpec {
        let n = &self.numbers;
        MeasureSpec {
            kind: n.kind,
            start: n.start,
            target: n.target,
            range: n.range.map(|[low, high]| (low, high)),
            comparator: n.comparator,
            relative_change: n.relative_change,
            delta: n.delta,
        }
    }
}

/// Interprets a key result: `sentence` when it is read (`None` when it is not: a change
/// that keeps the sentence and the kind), the fields `given` beside it, what the key
/// result has (`current`, for a change) and the start its linked KPI offers. Pure; see
/// the module's documentation for the precedence.
pub fn interpret(
    sentence: Option<&str>,
    given: &Given,
    current: Option<&Numbers>,
    baseline: Baseline,
) -> Interpretation {
    let mut problems = Vec::new();
    let said = match sentence.map(crate::parse_key_result) {
        None => None,
        Some(Ok(parsed)) => Some(parsed),
        Some(Err(too_long)) => {
            problems.push(FieldProblem { field: "title", detail: too_long.to_string() });
            None
        }
    };
    let none = Numbers::default();
    let current = current.unwrap_or(&none);
    // A sentence that says no number (a milestone's "Launch the referral program", or
    // nothing measurable) does not change the kind of a key result that has one.
    let said_kind = said
        .as_ref()
        .and_then(|s| s.kind)
        .filter(|k| *k != KeyResultKind::Milestone || current.kind.is_none_or(|c| c == KeyResultKind::Milestone));
    let kind = given.kind.or(said_kind).or(current.kind);
    // The sentence's numbers count only for the kind it reads as.
    let agrees = said.as_ref().filter(|s| s.kind.is_some() && s.kind == kind);
    // Its unit and metric count for a new key result whatever the kind; for a change,
    // only when it reads as the kind the key result keeps.
    let says = said.as_ref().filter(|_| agrees.is_some() || current.kind.is_none());
    // A sentence that says a target and a change ("Double paid seats from 200 to 400")
    // is read by its target.
    let said_target = agrees.map(|s| match s.target {
        Some(target) => (Some(target), None, None),
        None => (None, s.relative_change, s.delta),
    });
    let given_target = (given.target, given.relative_change, given.delta);
    let states = |t: &(Option<f64>, Option<f64>, Option<f64>)| t.0.is_some() || t.1.is_some() || t.2.is_some();
    let (target_restated, (target, relative_change, delta)) = if states(&given_target) {
        (true, given_target)
    } else if let Some(said) = said_target.filter(states) {
        (true, said)
    } else {
        (false, (current.target, None, None))
    };
    let comparator = given.comparator.or(agrees.and_then(|s| s.comparator)).or(current.comparator);
    let mut numbers = Numbers {
        kind,
        metric: match &given.metric {
            Some(metric) => metric.clone(),
            None => says.and_then(|s| s.metric.clone()).or_else(|| current.metric.clone()),
        },
        unit: match &given.unit {
            Some(unit) => unit.clone(),
            None => says.and_then(|s| s.unit.clone()).or_else(|| current.unit.clone()),
        },
        start: given.start.or(agrees.and_then(|s| s.start)).or(current.start),
        target,
        range: given.range.or(agrees.and_then(|s| s.range)).or(current.range),
        comparator: if kind == Some(KeyResultKind::Maintain) {
            comparator.or(Some(Comparator::AtLeast))
        } else {
            comparator
        },
        relative_change,
        delta,
        // Only maintain and range key results have slices to meet.
        required_share: match given.required_share {
            Some(share) => share,
            None => agrees.and_then(|s| s.required_share).or(current.required_share),
        }
        .filter(|_| {
            matches!(kind, Some(KeyResultKind::Maintain | KeyResultKind::Range)) || given.required_share.is_some()
        }),
    };
    let quoted = sentence.filter(|_| problems.is_empty()).map_or_else(|| "it".to_owned(), |s| format!("\"{s}\""));
    let mut wants_baseline = false;
    match kind {
        None if problems.is_empty() => problems.push(FieldProblem {
            field: "kind",
            detail: format!(
                "nothing measurable was read in {quoted}: choose a kind, or write it with a number to reach, as in \
                 “Increase NPS from 32 to 50”"
            ),
        }),
        Some(KeyResultKind::Increase | KeyResultKind::Decrease) if numbers.start.is_none() => match baseline {
            Baseline::Linked(Some(value)) => numbers.start = Some(value),
            Baseline::Linked(None) => problems.push(FieldProblem {
                field: "start",
                detail: format!(
                    "{quoted} does not say where it starts and its KPI has no measurement yet: write `from … to …`, \
                     or give a start"
                ),
            }),
            Baseline::NotLinked => {
                wants_baseline = true;
                // A count the sentence names ("Hire 5 engineers"), not a start left out
                // beside a title that says no number.
                let counted =
                    agrees.is_some_and(|s| s.target.is_some() && s.relative_change.is_none() && s.delta.is_none());
                let bare_count = kind == Some(KeyResultKind::Increase)
                    && counted
                    && numbers.target.is_some()
                    && relative_change.is_none()
                    && delta.is_none();
                if bare_count {
                    numbers.start = Some(0.0);
                } else {
                    problems.push(FieldProblem {
                        field: "start",
                        detail: format!(
                            "{quoted} does not say where it starts: write `from … to …`, give a start, or link the \
                             KPI it moves"
                        ),
                    });
                }
            }
        },
        _ => {}
    }
    Interpretation {
        numbers,
        target_restated,
        kind_from_sentence: given.kind.is_none() && said_kind.is_some(),
        wants_baseline,
        problems,
    }
}

/// A key result's measure and the share of slices it must meet, checked by the core's
/// rules from an interpretation's numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Definition {
    /// The measure: kind and numbers, consistent.
    pub measure: Measure,
    /// The target as a change relative to the start, as it was stated.
    pub relative_change: Option<f64>,
    /// For maintain and range: the share of slices that must meet the goal, 0–1.
    pub required_share: Option<f64>,
}

/// Checks an interpretation's numbers into a [`Definition`]: the measure by the core's
/// [`Measure::try_new`] (start ≠ target, the direction), and the required share (0–1,
/// only for maintain and range, at `required_share`). Every problem, at its field.
pub fn definition(reading: &Interpretation) -> Result<Definition, Vec<FieldProblem>> {
    let spec = reading.spec();
    let mut problems = Vec::new();
    let share = match reading.numbers.required_share {
        None => None,
        Some(_) if !matches!(spec.kind, Some(KeyResultKind::Maintain | KeyResultKind::Range)) => {
            problems.push(FieldProblem {
                field: "required_share",
                detail: "only maintain and range key results take a required share (the share of slices that must \
                         meet the goal)"
                    .to_owned(),
            });
            None
        }
        Some(share) => match RequiredShare::try_new(share) {
            Ok(share) => Some(share.get()),
            Err(error) => {
                problems.push(FieldProblem { field: "required_share", detail: error.to_string() });
                None
            }
        },
    };
    let measure = match Measure::try_new(spec) {
        Ok(measure) => Some(measure),
        Err(error) => {
            problems.push(FieldProblem { field: error.field(), detail: error.to_string() });
            None
        }
    };
    match measure {
        Some(measure) if problems.is_empty() => {
            Ok(Definition { measure, relative_change: spec.relative_change, required_share: share })
        }
        _ => Err(problems),
    }
}

/// Whether a new key result names a KPI, as far as a file shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiLink {
    /// It names none.
    None,
    /// It names a KPI; `measured` is false when the KPI is known to have no measurement
    /// yet (so it has no value to start from), true when it has one or is not known.
    Kpi {
        /// Whether the KPI has a measurement to start from.
        measured: bool,
    },
}

/// What would keep a new key result written as `sentence` from being created, with no
/// field given beside it (as an OKR file writes one): the interpretation's problems,
/// its title, metric and unit, and its [`definition`]; each at its field. `required_share`
/// is the file's `(share: …)`. When it names a measured KPI, an increase or decrease
/// that says no start takes the KPI's value at the cycle's start, which only the
/// database knows, so its start and its measure are not judged here; an unmeasured one
/// has nothing to start from.
///
/// This is the part of `milepost apply`'s checks of a new key result that needs no
/// database; `milepost lint` reports it (`key-result-incomplete`) so that lint refuses
/// what apply would.
pub fn new_key_result_problems(sentence: &str, required_share: Option<f64>, kpi: KpiLink) -> Vec<FieldProblem> {
    let given = Given { required_share: required_share.map(Some), ..Given::default() };
    let baseline = match kpi {
        KpiLink::Kpi { measured: false } => Baseline::Linked(None),
        KpiLink::None | KpiLink::Kpi { measured: true } => Baseline::NotLinked,
    };
    let reading = interpret(Some(sentence), &given, None, baseline);
    let waits_for_kpi = kpi == KpiLink::Kpi { measured: true } && reading.wants_baseline;
    let mut problems: Vec<FieldProblem> =
        reading.problems.iter().filter(|p| !(waits_for_kpi && p.field == "start")).cloned().collect();
    if reading.problems.iter().any(|p| p.field == "title") {
        return problems;
    }
    if let Err(error) = Title::parse(sentence) {
        problems.push(FieldProblem { field: "title", detail: error.to_string() });
    }
    for (field, text) in [("metric", &reading.numbers.metric), ("unit", &reading.numbers.unit)] {
        if text.as_deref().is_some_and(|t| t.trim().chars().count() > SHORT_TEXT) {
            problems.push(FieldProblem { field, detail: format!("must be at most {SHORT_TEXT} characters") });
        }
    }
    if reading.problems.is_empty()
        && !waits_for_kpi
        && let Err(found) = definition(&reading)
    {
        problems.extend(found);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sentence: &str) -> Interpretation {
        interpret(Some(sentence), &Given::default(), None, Baseline::NotLinked)
    }

    #[test]
    fn a_sentence_says_kind_numbers_unit_and_comparator() {
        let maintain = read("Keep uptime at or above 95%");
        assert!(maintain.problems.is_empty(), "{maintain:?}");
        assert_eq!(maintain.numbers.kind, Some(KeyResultKind::Maintain));
        assert_eq!(maintain.numbers.target, Some(95.0));
        assert_eq!(maintain.numbers.comparator, Some(Comparator::AtLeast));
        assert_eq!(maintain.numbers.unit.as_deref(), Some("%"));
        let below = read("Keep p95 latency at or below 300ms");
        assert_eq!(below.numbers.comparator, Some(Comparator::AtMost));
        let increase = read("Increase NPS from 32 to 50");
        assert_eq!((increase.numbers.start, increase.numbers.target), (Some(32.0), Some(50.0)));
    }

    #[test]
    fn a_bare_count_starts_at_zero_and_anything_else_must_say_where_it_starts() {
        for count in ["Ship 3 features", "Hire 5 engineers"] {
            let read = read(count);
            assert!(read.problems.is_empty(), "{read:?}");
            assert_eq!(read.numbers.start, Some(0.0), "{count}");
        }
        let booked = read("Book $120,000 in wholesale orders");
        assert_eq!((booked.numbers.start, booked.numbers.unit.as_deref()), (Some(0.0), Some("USD")), "{booked:?}");
        let more = read("Handle 20% more tickets");
        assert_eq!(more.problems[0].field, "start", "a change needs a start: {more:?}");
        let double = read("Double paid seats from 200 to 400");
        assert!(double.problems.is_empty(), "{double:?}");
        assert_eq!((double.numbers.target, double.numbers.relative_change), (Some(400.0), None));
        let relative = read("Reduce churn by 20%");
        assert_eq!(relative.problems[0].field, "start");
        // A start left out beside a title that names no count is missing, not zero.
        let given = Given { kind: Some(KeyResultKind::Increase), target: Some(6.0), ..Given::default() };
        let grow = interpret(Some("Grow"), &given, None, Baseline::NotLinked);
        assert_eq!(grow.problems[0].field, "start", "{grow:?}");
        assert!(relative.problems[0].detail.starts_with("\"Reduce churn by 20%\" does not say where it starts"));
        assert!(relative.wants_baseline);
    }

    #[test]
    fn a_linked_kpi_gives_the_start_before_a_count_does() {
        let hire = interpret(Some("Hire 5 engineers"), &Given::default(), None, Baseline::Linked(Some(2.0)));
        assert_eq!(hire.numbers.start, Some(2.0));
        let churn = interpret(Some("Reduce churn by 20%"), &Given::default(), None, Baseline::Linked(Some(10.0)));
        assert!(churn.problems.is_empty(), "{churn:?}");
        assert_eq!((churn.numbers.start, churn.numbers.relative_change), (Some(10.0), Some(-0.2)));
        let empty = interpret(Some("Reduce churn by 20%"), &Given::default(), None, Baseline::Linked(None));
        assert!(empty.problems[0].detail.contains("no measurement yet"), "{empty:?}");
    }

    #[test]
    fn given_fields_override_the_sentence() {
        let given = Given { target: Some(60.0), unit: Some(None), ..Given::default() };
        let read = interpret(Some("Increase NPS from 32% to 50%"), &given, None, Baseline::NotLinked);
        assert_eq!((read.numbers.start, read.numbers.target, read.numbers.unit), (Some(32.0), Some(60.0), None));
        // A target given replaces a relative change said.
        let given = Given { start: Some(10.0), target: Some(7.0), ..Given::default() };
        let read = interpret(Some("Reduce churn by 20%"), &given, None, Baseline::NotLinked);
        assert_eq!((read.numbers.target, read.numbers.relative_change), (Some(7.0), None));
        // Another kind given: the sentence's numbers are not that kind's.
        let given = Given { kind: Some(KeyResultKind::Maintain), target: Some(90.0), ..Given::default() };
        let read = interpret(Some("Increase uptime from 80% to 99%"), &given, None, Baseline::NotLinked);
        assert_eq!((read.numbers.kind, read.numbers.target), (Some(KeyResultKind::Maintain), Some(90.0)));
    }

    #[test]
    fn an_edited_sentence_moves_what_it_restates_and_keeps_the_rest() {
        let current = Numbers {
            kind: Some(KeyResultKind::Maintain),
            unit: Some("%".into()),
            target: Some(94.0),
            comparator: Some(Comparator::AtLeast),
            ..Numbers::default()
        };
        let read =
            interpret(Some("Keep uptime at or above 95%"), &Given::default(), Some(&current), Baseline::NotLinked);
        assert_eq!(read.numbers.target, Some(95.0), "issue 15: the target follows the sentence");
        let current = Numbers {
            kind: Some(KeyResultKind::Increase),
            start: Some(32.0),
            target: Some(50.0),
            ..Numbers::default()
        };
        let read = interpret(Some("Increase NPS to 60"), &Given::default(), Some(&current), Baseline::NotLinked);
        assert_eq!((read.numbers.start, read.numbers.target), (Some(32.0), Some(60.0)), "the start is kept");
        // A sentence that says no number keeps the kind and numbers it had.
        for plain in ["Improve NPS", "Deploy daily"] {
            let read = interpret(Some(plain), &Given::default(), Some(&current), Baseline::NotLinked);
            assert!(read.problems.is_empty());
            assert_eq!((read.numbers.kind, read.numbers.target), (Some(KeyResultKind::Increase), Some(50.0)));
            assert!(!read.target_restated);
        }
        // Given as a milestone, it becomes one.
        let given = Given { kind: Some(KeyResultKind::Milestone), ..Given::default() };
        let read = interpret(Some("Launch it"), &given, Some(&current), Baseline::NotLinked);
        assert_eq!(read.numbers.kind, Some(KeyResultKind::Milestone));
    }

    #[test]
    fn nothing_measurable_and_no_kind_is_a_problem_at_the_kind() {
        let read = read("Improve the vibe");
        assert_eq!(read.problems.len(), 1);
        assert_eq!(read.problems[0].field, "kind");
        let too_long = read_long();
        assert_eq!(too_long.problems.iter().map(|p| p.field).collect::<Vec<_>>(), ["title"]);
    }

    #[test]
    fn a_share_of_slices_is_said_given_or_kept() {
        let said = read("Keep p95 latency under 300 ms in 95% of weeks");
        assert_eq!(said.numbers.required_share, Some(0.95), "{said:?}");
        assert_eq!(said.numbers.target, Some(300.0));
        let given = Given { required_share: Some(Some(0.9)), ..Given::default() };
        let read_given =
            interpret(Some("Keep uptime at or above 99% in 11 of 12 weeks"), &given, None, Baseline::NotLinked);
        assert_eq!(read_given.numbers.required_share, Some(0.9));
        let cleared = Given { required_share: Some(None), ..Given::default() };
        let read_cleared =
            interpret(Some("Keep uptime at or above 99% in 11 of 12 weeks"), &cleared, None, Baseline::NotLinked);
        assert_eq!(read_cleared.numbers.required_share, None);
        let current = Numbers { required_share: Some(0.8), ..said.numbers.clone() };
        let kept =
            interpret(Some("Keep p95 latency under 250 ms"), &Given::default(), Some(&current), Baseline::NotLinked);
        assert_eq!((kept.numbers.target, kept.numbers.required_share), (Some(250.0), Some(0.8)));
        // An increase has no slices to meet.
        let kind = Given { kind: Some(KeyResultKind::Increase), start: Some(1.0), ..Given::default() };
        let increase = interpret(Some("Reach 300 ms"), &kind, Some(&current), Baseline::NotLinked);
        assert_eq!(increase.numbers.required_share, None);
    }

    fn read_long() -> Interpretation {
        read(&"Increase NPS from 32 to 50 ".repeat(100))
    }
}
