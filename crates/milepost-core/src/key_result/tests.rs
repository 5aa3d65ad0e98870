//! Tests of the parent module, `key_result`.

use super::*;
use jiff::civil::date;
use proptest::prelude::*;

fn spec(kind: KeyResultKind) -> MeasureSpec {
    MeasureSpec { kind: Some(kind), ..MeasureSpec::default() }
}

fn linear(start: f64, target: f64) -> Measure {
    let kind = if target > start { KeyResultKind::Increase } else { KeyResultKind::Decrease };
    Measure::try_new(MeasureSpec { start: Some(start), target: Some(target), ..spec(kind) }).unwrap()
}

fn quarter() -> CyclePeriod {
    CyclePeriod::try_new(date(2026, 10, 1), date(2026, 12, 31)).unwrap()
}

#[test]
fn increase_progress_is_share_of_the_way() {
    let m = linear(40.0, 80.0);
    assert_eq!(m.progress(Some(60.0), &[]).raw(), 0.5);
    assert_eq!(m.progress(Some(100.0), &[]).raw(), 1.5, "over-achievement stays visible");
    assert_eq!(m.progress(None, &[]).raw(), 0.0, "no value yet is the start");
}

#[test]
fn decrease_progress_counts_downwards() {
    let m = linear(8.0, 2.0);
    assert_eq!(m.kind(), KeyResultKind::Decrease);
    assert_eq!(m.progress(Some(5.0), &[]).raw(), 0.5);
    assert_eq!(m.progress(Some(9.0), &[]).raw(), -1.0 / 6.0);
}

#[test]
fn start_equal_to_target_is_an_error_not_a_nan() {
    let got = Measure::try_new(MeasureSpec { start: Some(5.0), target: Some(5.0), ..spec(KeyResultKind::Increase) });
    assert_eq!(got, Err(MeasureError::StartEqualsTarget { value: 5.0 }));
    assert_eq!(got.unwrap_err().field(), "target");
}

#[test]
fn an_increase_with_a_lower_target_is_refused() {
    let got = Measure::try_new(MeasureSpec { start: Some(5.0), target: Some(3.0), ..spec(KeyResultKind::Increase) });
    assert!(matches!(got, Err(MeasureError::WrongDirection { side: "above", .. })));
}

#[test]
fn relative_changes_become_absolute_targets() {
    let more = Measure::try_new(MeasureSpec {
        start: Some(100.0),
        relative_change: Some(0.2),
        ..spec(KeyResultKind::Increase)
    })
    .unwrap();
    assert_eq!(more.target(), Some(120.0));
    let fewer = Measure::try_new(MeasureSpec {
        start: Some(100.0),
        relative_change: Some(0.3),
        ..spec(KeyResultKind::Decrease)
    })
    .unwrap();
    assert_eq!(fewer.target(), Some(70.0));
    let delta =
        Measure::try_new(MeasureSpec { start: Some(500.0), delta: Some(-200.0), ..spec(KeyResultKind::Decrease) })
            .unwrap();
    assert_eq!(delta.target(), Some(300.0));
    let twice = Measure::try_new(MeasureSpec {
        start: Some(1.0),
        target: Some(2.0),
        delta: Some(1.0),
        ..spec(KeyResultKind::Increase)
    });
    assert_eq!(twice, Err(MeasureError::TargetGivenTwice));
}

#[test]
fn missing_and_non_finite_fields_are_named() {
    let got = Measure::try_new(MeasureSpec { target: Some(3.0), ..spec(KeyResultKind::Increase) }).unwrap_err();
    assert_eq!(got.field(), "start");
    let got =
        Measure::try_new(MeasureSpec { start: Some(f64::NAN), target: Some(3.0), ..spec(KeyResultKind::Increase) })
            .unwrap_err();
    assert_eq!(got, MeasureError::NotFinite { field: "start" });
    assert_eq!(Measure::try_new(spec(KeyResultKind::Range)).unwrap_err().field(), "range");
    assert_eq!(Measure::try_new(MeasureSpec::default()).unwrap_err().field(), "kind");
}

#[test]
fn maintain_scores_like_an_slo() {
    let m = Measure::try_new(MeasureSpec { target: Some(99.9), ..spec(KeyResultKind::Maintain) }).unwrap();
    assert_eq!(m, Measure::Maintain { threshold: 99.9, comparator: Comparator::AtLeast });
    assert_eq!(m.progress(Some(99.95), &[99.95, 99.8, 99.99, 99.9]).raw(), 0.75);
    assert_eq!(m.progress(None, &[]).raw(), 0.0);
    let below = Measure::try_new(MeasureSpec {
        target: Some(300.0),
        comparator: Some(Comparator::AtMost),
        ..spec(KeyResultKind::Maintain)
    })
    .unwrap();
    assert_eq!(below.progress(None, &[250.0, 350.0]).raw(), 0.5);
}

#[test]
fn range_counts_values_inside_the_band() {
    let m = Measure::try_new(MeasureSpec { range: Some((2.0, 3.0)), ..spec(KeyResultKind::Range) }).unwrap();
    assert_eq!(m.progress(None, &[1.9, 2.0, 2.5, 3.0, 3.1]).raw(), 0.6);
    let empty = Measure::try_new(MeasureSpec { range: Some((3.0, 3.0)), ..spec(KeyResultKind::Range) });
    assert!(matches!(empty, Err(MeasureError::EmptyRange { .. })));
}

#[test]
fn milestone_is_zero_until_done() {
    let m = Measure::try_new(spec(KeyResultKind::Milestone)).unwrap();
    assert_eq!(m.progress(None, &[]).raw(), 0.0);
    assert_eq!(m.progress(Some(1.0), &[]).raw(), 1.0);
    assert_eq!(m.progress(Some(0.5), &[]).raw(), 0.5, "weighted steps");
    assert_eq!(m.progress(Some(7.0), &[]).raw(), 1.0);
}

#[test]
fn expected_progress_is_linear_pace_without_a_schedule() {
    let m = linear(0.0, 10.0);
    let half = midnight(date(2026, 11, 16));
    assert!((m.expected_progress(&quarter(), None, half) - 0.5).abs() < 1e-9);
}

#[test]
fn a_back_loaded_schedule_expects_less_early() {
    let m = linear(0.0, 100.0);
    let q = quarter();
    // Plan: only 10 by the end of November, then the rest in December.
    let schedule = TargetSchedule::try_new(vec![SchedulePoint { date: date(2026, 11, 30), value: 10.0 }], &q).unwrap();
    let mid_november = midnight(date(2026, 11, 16));
    let expected = m.expected_progress(&q, Some(&schedule), mid_november);
    assert!(expected < 0.1, "expected {expected}");
    assert_eq!(m.expected_progress(&q, Some(&schedule), q.ends_at()), 1.0);
    assert_eq!(m.expected_progress(&q, Some(&schedule), q.starts_at()), 0.0);
}

#[test]
fn schedules_are_checked_against_the_cycle() {
    let q = quarter();
    let point = |d, value| SchedulePoint { date: d, value };
    assert!(matches!(
        TargetSchedule::try_new(vec![point(date(2027, 1, 5), 1.0)], &q),
        Err(ScheduleError::OutsideCycle(..))
    ));
    assert!(matches!(
        TargetSchedule::try_new(vec![point(date(2026, 11, 5), 1.0), point(date(2026, 11, 5), 2.0)], &q),
        Err(ScheduleError::OutOfOrder(..))
    ));
    assert!(matches!(TargetSchedule::try_new(vec![], &q), Err(ScheduleError::Empty)));
    assert!(matches!(
        TargetSchedule::try_new(vec![point(date(2026, 11, 5), f64::NAN)], &q),
        Err(ScheduleError::NotFinite(_))
    ));
}

fn finite_value() -> impl Strategy<Value = f64> {
    -1.0e6f64..1.0e6
}

proptest! {
    #[test]
    fn progress_is_monotone_in_current_value_in_the_targets_direction(
        start in finite_value(), target in finite_value(), a in finite_value(), b in finite_value(),
    ) {
        prop_assume!(start != target);
        let m = linear(start, target);
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let (p_low, p_high) = (m.progress(Some(low), &[]).raw(), m.progress(Some(high), &[]).raw());
        if target > start {
            prop_assert!(p_low <= p_high);
        } else {
            prop_assert!(p_low >= p_high);
        }
    }

    #[test]
    fn progress_is_zero_at_start_and_one_at_target(start in finite_value(), target in finite_value()) {
        prop_assume!((start - target).abs() > 1e-6);
        let m = linear(start, target);
        prop_assert!(m.progress(Some(start), &[]).raw().abs() < 1e-9);
        prop_assert!((m.progress(Some(target), &[]).raw() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn progress_is_always_finite(start in finite_value(), target in finite_value(), current in finite_value()) {
        let spec = MeasureSpec { start: Some(start), target: Some(target), ..spec(KeyResultKind::Increase) };
        if let Ok(m) = Measure::try_new(spec) {
            prop_assert!(m.progress(Some(current), &[]).raw().is_finite());
        }
    }

    #[test]
    fn maintain_progress_is_a_share(values in prop::collection::vec(finite_value(), 0..50), threshold in finite_value()) {
        let m = Measure::Maintain { threshold, comparator: Comparator::AtLeast };
        let p = m.progress(None, &values).raw();
        prop_assert!((0.0..=1.0).contains(&p));
    }

    #[test]
    fn expected_progress_never_decreases_over_time(
        a in 0i64..120, b in 0i64..120, planned in prop::collection::vec(0.0f64..100.0, 1..5),
    ) {
        let q = quarter();
        let points = planned.iter().enumerate().map(|(i, v)| SchedulePoint {
            date: date(2026, 10, 1).checked_add(jiff::Span::new().days(i as i64 * 15 + 5)).unwrap(),
            value: *v,
        }).collect::<Vec<_>>();
        let mut sorted = planned.clone();
        sorted.sort_by(f64::total_cmp);
        let points: Vec<_> = points.into_iter().zip(sorted).map(|(p, v)| SchedulePoint { value: v, ..p }).collect();
        let schedule = TargetSchedule::try_new(points, &q).unwrap();
        let m = linear(0.0, 100.0);
        let at = |days: i64| q.starts_at().checked_add(jiff::SignedDuration::from_hours(24 * days)).unwrap();
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        for schedule in [None, Some(&schedule)] {
            let e1 = m.expected_progress(&q, schedule, at(early));
            let e2 = m.expected_progress(&q, schedule, at(late));
            prop_assert!(e1 <= e2 + 1e-9, "{e1} > {e2}");
            prop_assert!((0.0..=1.0).contains(&e1));
        }
    }
}
