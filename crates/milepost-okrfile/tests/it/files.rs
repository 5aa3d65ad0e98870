//! OKR files end to end: the canonical fixtures read without a problem and render back
//! byte for byte, a messy file renders to its canonical form, the documentation's
//! example is one of the fixtures, and what is read is what the file says.

use milepost_core::{Cadence, Commitment, KeyResultId, ObjectiveId, Visibility};
use milepost_okrfile::{Alignment, Owner, Span, check, parse, render};

fn fixture(name: &str) -> String {
    let path = super::repo_file(&format!("tests/fixtures/canonical/{name}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn canonical_files_read_cleanly_and_render_back_unchanged() {
    for name in ["support.md", "minimal.md", "escapes.md", "messy.expected.md"] {
        let text = fixture(name);
        let parsed = parse(&text);
        assert!(parsed.diagnostics.is_empty(), "{name}: {:#?}", parsed.diagnostics);
        assert_eq!(render(&parsed.file), text, "{name}");
    }
}

#[test]
fn a_messy_file_renders_to_its_canonical_form() {
    let parsed = parse(&fixture("messy.md"));
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    assert_eq!(render(&parsed.file), fixture("messy.expected.md"));
}

#[test]
fn the_documented_example_is_canonical_and_lints_clean() {
    let docs = std::fs::read_to_string(super::repo_file("../../docs/okr-files.md")).expect("docs/okr-files.md");
    let start = docs.find("```markdown\n").expect("an example") + "```markdown\n".len();
    let end = start + docs[start..].find("```").expect("the example's end");
    assert_eq!(
        &docs[start..end],
        fixture("support.md"),
        "docs/okr-files.md and tests/fixtures/canonical/support.md differ"
    );
    assert!(check("support.md", &docs[start..end], None).is_empty());
}

#[test]
fn the_example_reads_as_it_says() {
    let parsed = parse(&fixture("support.md"));
    let file = &parsed.file;
    assert_eq!(file.cycle.as_deref(), Some("2026-Q4"));
    assert_eq!(file.owner, Some(Owner::Team("customer-support".into())));
    assert_eq!(
        file.aligns,
        Some(Alignment::Path { owner: Owner::Team("company".into()), objective: "delight-customers".into() })
    );
    let [first, second] = &file.objectives[..] else { panic!("two objectives") };
    assert_eq!(first.id, Some(ObjectiveId(12)));
    assert_eq!(first.title, "Streamline ticket resolution");
    assert_eq!(first.commitment, Some(Commitment::Committed));
    assert!(
        first
            .description
            .starts_with("Customers wait too long for a first answer, and too many come back with\nthe same")
    );
    assert_eq!(first.key_results.len(), 4);
    let kr = &first.key_results[1];
    assert_eq!(
        (kr.id, kr.text.as_str(), kr.owner.as_deref()),
        (Some(KeyResultId(41)), "Cut first response time from 8h to 2h", Some("dana"))
    );
    assert_eq!(first.key_results[2].weight.map(|w| w.get()), Some(2.0));
    assert_eq!(first.key_results[3].kpi.as_deref(), Some("csat"));
    assert_eq!(second.id, None);
    assert_eq!(second.commitment, Some(Commitment::Aspirational));
    assert_eq!(second.aligns, Some(Alignment::KeyResult { id: KeyResultId(7) }));
    assert_eq!(second.visibility, Some(Visibility::Team));
    assert_eq!(second.key_results[0].cadence, Some(Cadence::Weekly));
    assert!(second.key_results.iter().all(|k| k.id.is_none()));
}

#[test]
fn escapes_are_read_as_the_characters_they_keep() {
    let parsed = parse(&fixture("escapes.md"));
    let objective = &parsed.file.objectives[0];
    assert_eq!(objective.title, "Be bold (aspirational)");
    assert_eq!(objective.commitment, None);
    assert!(
        objective
            .description
            .starts_with("# is not a heading here,\n- nor is this a key result,\n1. nor this,\n<!-- nor")
    );
    assert!(objective.description.ends_with("a \\backslash\\( and \\*stars*."));
    let krs = &objective.key_results;
    assert_eq!((krs[0].text.as_str(), krs[0].owner.as_deref()), ("Answer pages within 5 min, not @oncall", None));
    assert_eq!(krs[1].text, "Keep p95 latency under 300 ms (kpi: latency)");
    assert_eq!(krs[1].kpi.as_deref(), Some("latency"));
    assert_eq!(krs[2].text, "Reduce paging noise (excluding planned maintenance) by 50%");
}

#[test]
fn renaming_an_objective_keeps_its_identity() {
    let before = parse(&fixture("support.md")).file;
    let renamed =
        fixture("support.md").replace("# Streamline ticket resolution", "# Resolve tickets at the first touch");
    let after = parse(&renamed).file;
    assert_eq!(after.objectives[0].id, before.objectives[0].id);
    assert_ne!(after.objectives[0].title, before.objectives[0].title);
    assert_eq!(after.objectives[0].key_results, before.objectives[0].key_results);
}

#[test]
fn spans_point_at_the_text_as_written() {
    let text = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship  faster (committed) <!-- id: O-4 -->\n\n- Cut build time ½ \\@me @lee (kpi: build-time) <!-- id: KR-9 -->\n";
    let parsed = parse(text);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let o = &parsed.source_map.objectives[0];
    assert_eq!(o.title, Span::new(6, 3, 15));
    assert_eq!(o.id, Some(Span::new(6, 37, 40)));
    let k = &o.key_results[0];
    assert_eq!(k.text, Span::new(8, 3, 24), "columns count characters, and an escape takes two");
    assert_eq!(k.owner, Some(Span::new(8, 25, 29)));
    assert_eq!(k.kpi, Some(Span::new(8, 36, 46)));
    assert_eq!(k.id, Some(Span::new(8, 57, 61)));
    assert_eq!(parsed.source_map.cycle, Some(Span::new(2, 8, 15)));
}
