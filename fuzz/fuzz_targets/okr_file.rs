//! Fuzzes the OKR file parser, the linter and the renderer: no input may make them
//! panic or hang, and rendering what was parsed is stable (render ∘ parse is idempotent).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = milepost_okrfile::parse(text);
    let _ = milepost_okrfile::lint(&parsed, None);
    let rendered = milepost_okrfile::render(&parsed.file);
    let again = milepost_okrfile::render(&milepost_okrfile::parse(&rendered).file);
    assert_eq!(rendered, again, "rendering is stable");
});
