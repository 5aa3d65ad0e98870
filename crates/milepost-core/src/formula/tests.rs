//! The formula parser's errors, the unit algebra and evaluation, with property tests.

use super::*;
use proptest::prelude::*;

fn error(text: &str) -> FormulaError {
    Formula::parse(text).expect_err(text)
}

fn values(pairs: &[(&str, f64)]) -> impl Fn(&str) -> Option<f64> + use<> {
    let pairs: Vec<(String, f64)> = pairs.iter().map(|(s, v)| ((*s).to_owned(), *v)).collect();
    move |slug| pairs.iter().find(|(s, _)| s == slug).map(|(_, v)| *v)
}

fn units(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Unit + use<> {
    let pairs: Vec<(String, String)> = pairs.iter().map(|(s, u)| ((*s).to_owned(), (*u).to_owned())).collect();
    move |slug| Unit::of(pairs.iter().find(|(s, _)| s == slug).map(|(_, u)| u.as_str()))
}

#[test]
fn a_formula_reads_names_numbers_operators_and_parentheses() {
    let formula = Formula::parse("orders * average_order_value").unwrap();
    assert_eq!(formula.inputs(), ["orders", "average-order-value"]);
    let value = formula.evaluate(&values(&[("orders", 120.0), ("average-order-value", 50.0)])).unwrap();
    assert_eq!(value, 6000.0);
    let formula = Formula::parse("100 * (signups - churned) / -(-visits)").unwrap();
    let value = formula.evaluate(&values(&[("signups", 30.0), ("churned", 10.0), ("visits", 400.0)])).unwrap();
    assert_eq!(value, 5.0);
    assert_eq!(Formula::parse("a-b").unwrap().inputs(), ["a-b"], "a hyphen inside a name belongs to it");
    assert_eq!(Formula::parse("a- b").unwrap().inputs(), ["a", "b"]);
    assert_eq!(Formula::parse("a -b").unwrap().inputs(), ["a", "b"]);
    assert_eq!(Formula::parse("2.5e3 * a").unwrap().evaluate(&values(&[("a", 2.0)])).unwrap(), 5000.0);
}

#[test]
fn precedence_is_the_usual_one() {
    let formula = Formula::parse("a + b * c - d / e").unwrap();
    let value = formula.evaluate(&values(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 8.0), ("e", 4.0)])).unwrap();
    assert_eq!(value, 1.0 + 6.0 - 2.0);
    assert_eq!(Formula::parse("a - b - c").unwrap().evaluate(&values(&[("a", 10.0), ("b", 3.0), ("c", 2.0)])), Ok(5.0));
    assert_eq!(Formula::parse("a / b / c").unwrap().evaluate(&values(&[("a", 12.0), ("b", 3.0), ("c", 2.0)])), Ok(2.0));
}

#[test]
fn errors_say_where_and_why() {
    let e = error("orders * ");
    assert_eq!(e.column, 10);
    assert_eq!(e.to_string(), "column 10: expected a KPI name or number, found the end of the formula");
    let e = error("a * (b + c");
    assert_eq!(e.to_string(), "column 11: unclosed parenthesis opened at column 5");
    let e = error("a + b)");
    assert_eq!(e.column, 6);
    assert!(e.reason.contains("closes nothing"), "{}", e.reason);
    let e = error("a / 0");
    assert_eq!((e.column, e.reason.as_str()), (3, "division by zero"));
    assert_eq!(error("a / (1 - 1)").reason, "division by zero");
    let e = error("a $ b");
    assert_eq!((e.column, e.reason.as_str()), (3, "unexpected character '$'"));
    let e = error("a b");
    assert_eq!(e.column, 3);
    assert!(e.reason.starts_with("expected an operator"), "{}", e.reason);
    assert!(error("").reason.contains("empty"));
    assert!(error("   ").reason.contains("empty"));
    assert!(error("1 + 2").reason.contains("at least one KPI"));
    assert!(error("Orders").reason.contains("lower case"));
    assert!(error("2orders").reason.contains("operator between"));
    assert!(error("a * 1e999").reason.contains("too large"));
    assert!(error(&"(".repeat(100)).reason.contains("deeper"));
    assert!(error(&"a+".repeat(600)).reason.contains("at most"));
    assert_eq!(error("é + a").column, 1);
    assert_eq!(error("a + é").column, 5, "columns count characters, not bytes");
}

#[test]
fn a_division_by_a_zero_input_gives_no_value() {
    let formula = Formula::parse("a / b").unwrap();
    assert_eq!(formula.evaluate(&values(&[("a", 1.0), ("b", 0.0)])), Err(EvalError::DivisionByZero(3)));
    assert_eq!(formula.evaluate(&values(&[("a", 1.0)])), Err(EvalError::Missing("b".into())));
    let huge = Formula::parse("a * a").unwrap();
    assert_eq!(huge.evaluate(&values(&[("a", 1e300)])), Err(EvalError::NotFinite));
}

#[test]
fn units_multiply_divide_and_refuse_unequal_sums() {
    let u = units(&[("orders", "count"), ("aov", "EUR"), ("usd", "USD"), ("uptime", "%"), ("latency", "ms")]);
    assert_eq!(Formula::parse("orders * aov").unwrap().unit(&u), Ok(Unit::of(Some("EUR"))));
    assert_eq!(Formula::parse("aov / aov").unwrap().unit(&u), Ok(Unit::plain()));
    assert_eq!(Formula::parse("aov / latency").unwrap().unit(&u).unwrap().to_string(), "EUR/ms");
    assert_eq!(Formula::parse("aov * aov").unwrap().unit(&u).unwrap().to_string(), "EUR^2");
    assert_eq!(Formula::parse("aov - 5").unwrap().unit(&u), Ok(Unit::of(Some("EUR"))), "a number takes the unit");
    let e = Formula::parse("aov + usd").unwrap().unit(&u).unwrap_err();
    assert_eq!(e.column, 5);
    assert_eq!(e.reason, "cannot add USD to EUR: both sides need the same unit");
    assert!(Formula::parse("uptime - latency").unwrap().unit(&u).is_err());
    assert!(Unit::plain().fits(&Unit::of(Some("%"))), "a ratio may feed a percentage");
    assert!(!Unit::of(Some("EUR")).fits(&Unit::of(Some("USD"))));
    assert_eq!(Unit::of(Some("EUR/order")).times(&Unit::of(Some("order"))), Unit::of(Some("EUR")));
}

#[test]
fn effects_replace_one_input_at_a_time() {
    let formula = Formula::parse("orders * aov").unwrap();
    let before = values(&[("orders", 100.0), ("aov", 50.0)]);
    let after = values(&[("orders", 80.0), ("aov", 51.0)]);
    let effects = formula.effects(&before, &after);
    assert_eq!(effects, vec![("orders".to_owned(), -1000.0), ("aov".to_owned(), 100.0)]);
}

fn symbol() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["EUR", "USD", "%", "ms", "s", "visits"]).prop_map(str::to_owned)
}

proptest! {
    #[test]
    fn adding_or_subtracting_unequal_units_is_always_refused(a in symbol(), b in symbol(), sub in any::<bool>()) {
        prop_assume!(a != b);
        let text = if sub { "x - y" } else { "x + y" };
        let u = units(&[("x", &a), ("y", &b)]);
        prop_assert!(Formula::parse(text).unwrap().unit(&u).is_err());
        let same = units(&[("x", &a), ("y", &a)]);
        prop_assert_eq!(Formula::parse(text).unwrap().unit(&same), Ok(Unit::of(Some(&a))));
    }

    #[test]
    fn multiplying_and_dividing_units_is_an_algebra(a in symbol(), b in symbol()) {
        let u = units(&[("x", &a), ("y", &b)]);
        let (ua, ub) = (Unit::of(Some(&a)), Unit::of(Some(&b)));
        prop_assert_eq!(Formula::parse("x * y").unwrap().unit(&u), Ok(ua.times(&ub)));
        prop_assert_eq!(Formula::parse("x * y / y").unwrap().unit(&u), Ok(ua.clone()));
        prop_assert_eq!(Formula::parse("x / x").unwrap().unit(&u), Ok(Unit::plain()));
        prop_assert_eq!(Formula::parse("(x / y) * y + x").unwrap().unit(&u), Ok(ua.clone()));
        prop_assert_eq!(ua.times(&ub), ub.times(&ua));
    }

    #[test]
    fn the_parser_never_panics_and_errors_point_inside(text in "[a-z0-9 ()+*/._$-]{0,40}") {
        match Formula::parse(&text) {
            Ok(formula) => prop_assert!(!formula.inputs().is_empty()),
            Err(e) => prop_assert!(e.column >= 1 && e.column <= text.chars().count() + 1, "{e} in {text:?}"),
        }
    }
}
