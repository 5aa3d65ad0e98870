//! Fuzzes the formula parser of formula KPIs: no input may make it panic or overflow
//! the stack; an error points inside the text (or just past it), and a formula that
//! reads evaluates to a finite number or a reason, never a NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use milepost_core::formula::{Formula, MAX_FORMULA_CHARS, Unit};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Formula::parse(text) {
        Err(error) => {
            let chars = text.chars().count();
            assert!(error.column >= 1, "{error} in {text:?}");
            assert!(error.column <= chars.max(MAX_FORMULA_CHARS) + 1, "{error} in {text:?}");
            assert!(!error.reason.is_empty());
        }
        Ok(formula) => {
            assert!(!formula.inputs().is_empty(), "a formula names a KPI");
            // Every input worth its length in characters, in a unit of its first letter.
            let value = formula.evaluate(&|slug| Some(slug.len() as f64 - 3.0));
            if let Ok(value) = value {
                assert!(value.is_finite(), "{value} from {text:?}");
            }
            let _ = formula.unit(&|slug| Unit::of(slug.get(..1)));
            // Reading what it keeps reads the same formula again.
            let again = Formula::parse(formula.as_str()).expect("a formula reads again");
            assert_eq!(again.inputs(), formula.inputs());
        }
    }
});
