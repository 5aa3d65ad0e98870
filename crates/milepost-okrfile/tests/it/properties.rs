//! Property tests: numbers read back to their value, stated start and target decide the
//! kind, and no input makes the parser panic, loop or break its invariants.

use milepost_core::KeyResultKind;
use milepost_okrfile::{MAX_SENTENCE_CHARS, parse_key_result};
use proptest::prelude::*;

/// Writes `n` with a comma every three digits.
fn with_separators(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

proptest! {
    #[test]
    fn numbers_with_thousands_separators_read_as_their_value(n in 1_000u64..10_000_000_000) {
        let parsed = parse_key_result(&format!("Reach {} new customers", with_separators(n))).unwrap();
        prop_assert_eq!(parsed.kind, Some(KeyResultKind::Increase));
        prop_assert_eq!(parsed.target, Some(n as f64));
    }

    #[test]
    fn numbers_with_a_scale_suffix_read_as_their_value(
        whole in 1u32..1000, tenths in 0u32..10, scale in prop::sample::select(vec![
            ("k", 1e3), ("K", 1e3), ("M", 1e6), (" million", 1e6), (" thousand", 1e3), ("bn", 1e9), (" billion", 1e9),
        ]),
        currency in prop::sample::select(vec!["", "$", "€", "£"]),
    ) {
        let literal = if tenths == 0 { whole.to_string() } else { format!("{whole}.{tenths}") };
        let value = (f64::from(whole) + f64::from(tenths) / 10.0) * scale.1;
        let parsed = parse_key_result(&format!("Grow revenue to {currency}{literal}{}", scale.0)).unwrap();
        prop_assert!(parsed.target.is_some_and(|t| close(t, value)), "{:?} for {}", parsed.target, value);
    }

    #[test]
    fn stated_start_and_target_decide_the_kind(
        verb in prop::sample::select(vec!["Increase", "Reduce", "Grow", "Cut", "Improve", "Lower", "Raise", "Decrease"]),
        metric in prop::sample::select(vec!["weekly signups", "p95 latency", "churn", "NPS", "cost per lead"]),
        a in 0u32..100_000, b in 0u32..100_000, a_cents in 0u32..100, b_cents in 0u32..100,
        unit in prop::sample::select(vec!["", "%", " ms", " days"]),
    ) {
        let (a, b) = (f64::from(a) + f64::from(a_cents) / 100.0, f64::from(b) + f64::from(b_cents) / 100.0);
        prop_assume!(a != b);
        let parsed = parse_key_result(&format!("{verb} {metric} from {a}{unit} to {b}{unit}")).unwrap();
        let kind = if b > a { KeyResultKind::Increase } else { KeyResultKind::Decrease };
        prop_assert_eq!(parsed.kind, Some(kind));
        prop_assert_eq!(parsed.start, Some(a));
        prop_assert_eq!(parsed.target, Some(b));
    }

    #[test]
    fn arbitrary_text_never_panics_and_keeps_the_invariants(text in any::<String>()) {
        let read = parse_key_result(&text);
        prop_assert_eq!(read.is_err(), text.chars().count() > MAX_SENTENCE_CHARS);
        let Ok(parsed) = read else { return Ok(()) };
        prop_assert_eq!(parsed.kind.is_none(), !parsed.measurable);
        for v in [parsed.start, parsed.target, parsed.relative_change, parsed.delta].into_iter().flatten() {
            prop_assert!(v.is_finite());
        }
    }

    #[test]
    fn sentence_like_text_never_panics_and_keeps_the_invariants(
        words in prop::collection::vec(prop::sample::select(vec![
            "Increase", "keep", "from", "to", "by", "between", "and", "at", "or", "above", "below", "of", "in", "half",
            "a", "third", "dozen", "ten", "twenty-five", "zero", "$", "€", "%", "x", "k", "M", "1/5", "24/7", "-", "→",
            "99.9", "1,000", "100,000,000", "1e309", "99999999999999999999999999999999999", "h", "min", "days",
            "million", "more", "fewer", "reduction", "increase", "Level", "SOC", "2", "Q3", "2026", "this", "quarter",
            "@dana", "(kpi:", "csat)", "ÿ", "日本", "🚀", "", " ", ",", ".", "down", "up", "within", "over", "under",
        ]), 0..30),
    ) {
        let text = words.join(" ");
        let parsed = parse_key_result(&text).unwrap();
        prop_assert_eq!(parsed.kind.is_none(), !parsed.measurable);
        if parsed.kind.is_none() {
            prop_assert!(parsed.start.is_none() && parsed.target.is_none() && parsed.range.is_none());
        }
        for v in [parsed.start, parsed.target, parsed.relative_change, parsed.delta].into_iter().flatten() {
            prop_assert!(v.is_finite());
        }
        let json = serde_json::to_value(&parsed).expect("a parse serializes");
        prop_assert_eq!(json.as_object().map(|o| o.len()), Some(10));
    }
}

#[test]
fn empty_and_blank_text_read_as_nothing_measurable() {
    for text in ["", " ", "\n\t", "—", "%%%"] {
        let parsed = parse_key_result(text).unwrap();
        assert_eq!(parsed.kind, None, "{text:?}");
        assert!(!parsed.measurable);
    }
}

#[test]
fn huge_numbers_never_become_infinite() {
    let digits = "9".repeat(400);
    let parsed = parse_key_result(&format!("Grow revenue from {digits} to $9{digits}bn")).unwrap();
    for v in [parsed.start, parsed.target].into_iter().flatten() {
        assert!(v.is_finite());
    }
}

#[test]
fn two_thousand_characters_parse_without_pathological_backtracking() {
    // Only that it returns: repeated phrase openers and number words are the worst case
    // for a grammar that backtracks. The longest sentence read is the worst case there is.
    let longest = |unit: &str| {
        unit.repeat(MAX_SENTENCE_CHARS / unit.chars().count() + 1).chars().take(MAX_SENTENCE_CHARS).collect::<String>()
    };
    for unit in [
        "from by to between and at or above one twenty hundred a dozen $ 1, ",
        "1,000,000 2.5M 3x 4/5 ",
        "a",
        "9",
        "Increase NPS ",
        "about ",
        "é",
    ] {
        let text = longest(unit);
        assert_eq!(text.chars().count(), MAX_SENTENCE_CHARS);
        assert!(parse_key_result(&text).is_ok(), "{unit:?}");
    }
}

#[test]
fn a_sentence_over_two_thousand_characters_is_refused_whatever_its_bytes() {
    for c in ["a", "é", "日", "🚀"] {
        let at_limit = c.repeat(MAX_SENTENCE_CHARS);
        assert!(parse_key_result(&at_limit).is_ok(), "{c:?} × {MAX_SENTENCE_CHARS}");
        let over = c.repeat(MAX_SENTENCE_CHARS + 1);
        let refused = parse_key_result(&over).expect_err("one character too many");
        assert_eq!(refused.chars, MAX_SENTENCE_CHARS + 1);
        assert!(refused.to_string().contains("2001 characters"), "{refused}");
    }
    let ten_megabytes = "Increase NPS from 32 to 50. ".repeat(400_000);
    assert_eq!(parse_key_result(&ten_megabytes).map_err(|e| e.chars), Err(ten_megabytes.len()));
}
