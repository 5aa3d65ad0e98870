//! Fuzzes the key result sentence parser: no input may make it panic or hang, and what
//! it returns must be internally consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(parsed) = milepost_okrfile::parse_key_result(text) else {
        assert!(text.chars().count() > milepost_okrfile::MAX_SENTENCE_CHARS, "only a long sentence is refused");
        return;
    };
    assert_eq!(parsed.kind.is_some(), parsed.measurable, "measurable exactly when a kind was read");
    for value in [parsed.start, parsed.target, parsed.relative_change, parsed.delta].into_iter().flatten() {
        assert!(value.is_finite(), "{value} from {text:?}");
    }
});
