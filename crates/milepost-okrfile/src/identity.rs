//! Writing ids back into a file: after `milepost apply` creates an objective or a key
//! result, its line gets the `<!-- id: … -->` marker that keeps its identity across
//! edits (docs/okr-files.md). Only those lines change; everything else in the file stays
//! byte for byte as its author wrote it, so a hand-laid-out file is never reformatted.

use crate::parse::{ParsedFile, ParsedKpiFile};
use milepost_core::{KeyResultId, KpiId, ObjectiveId};
use std::collections::BTreeMap;

/// The ids given to the objectives and key results of a file that had none, by their
/// place in it: `objectives[i]` is the id of `file.objectives[i]` (or `None` to leave it
/// alone), and `key_results[i][j]` that of its `j`-th key result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewIds {
    /// One entry an objective of the file.
    pub objectives: Vec<Option<ObjectiveId>>,
    /// One list an objective, one entry a key result.
    pub key_results: Vec<Vec<Option<KeyResultId>>>,
}

/// `source` with a marker appended to each line named in `ids` that has no marker yet.
/// `parsed` must be what [`crate::parse`] read from `source`. Trailing spaces before a
/// new marker are dropped, so the line ends as the canonical form writes it.
pub fn insert_ids(source: &str, parsed: &ParsedFile, ids: &NewIds) -> String {
    let mut markers: BTreeMap<usize, String> = BTreeMap::new();
    for (index, spans) in parsed.source_map.objectives.iter().enumerate() {
        if spans.id.is_none()
            && let Some(Some(id)) = ids.objectives.get(index)
        {
            markers.insert(spans.heading.line, format!("<!-- id: O-{id} -->"));
        }
        for (position, kr) in spans.key_results.iter().enumerate() {
            if kr.id.is_none()
                && let Some(Some(id)) = ids.key_results.get(index).and_then(|list| list.get(position))
            {
                markers.insert(kr.line.line, format!("<!-- id: KR-{id} -->"));
            }
        }
    }
    write_markers(source, &markers)
}

/// The same for a KPI file: `ids[i]` is the id of `file.kpis[i]`, or `None` to leave it
/// alone. `parsed` must be what [`crate::parse_kpis`] read from `source`.
pub fn insert_kpi_ids(source: &str, parsed: &ParsedKpiFile, ids: &[Option<KpiId>]) -> String {
    let mut markers: BTreeMap<usize, String> = BTreeMap::new();
    for (spans, id) in parsed.source_map.kpis.iter().zip(ids) {
        if let (None, Some(id)) = (spans.id, id) {
            markers.insert(spans.heading.line, format!("<!-- id: KPI-{id} -->"));
        }
    }
    write_markers(source, &markers)
}

/// `source` with `markers[n]` appended to line `n`.
fn write_markers(source: &str, markers: &BTreeMap<usize, String>) -> String {
    if markers.is_empty() {
        return source.to_owned();
    }
    let mut out = String::with_capacity(source.len() + markers.len() * 24);
    for (number, line) in source.split_inclusive('\n').enumerate() {
        let Some(marker) = markers.get(&(number + 1)) else {
            out.push_str(line);
            continue;
        };
        let (text, ending) = match line.strip_suffix("\r\n") {
            Some(text) => (text, "\r\n"),
            None => line.strip_suffix('\n').map_or((line, ""), |text| (text, "\n")),
        };
        out.push_str(text.trim_end());
        out.push(' ');
        out.push_str(marker);
        out.push_str(ending);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, parse_kpis, render};

    #[test]
    fn kpi_markers_go_on_new_kpi_headings_only() {
        let text =
            "---\nkpis: @dana\n---\n\n# Uptime  \n- direction: higher\n# Latency <!-- id: KPI-2 -->\n\n# Churn\r\n";
        let parsed = parse_kpis(text);
        let out = insert_kpi_ids(text, &parsed, &[Some(KpiId(5)), Some(KpiId(9)), Some(KpiId(6))]);
        assert_eq!(
            out,
            "---\nkpis: @dana\n---\n\n# Uptime <!-- id: KPI-5 -->\n- direction: higher\n# Latency <!-- id: KPI-2 -->\n\n# Churn <!-- id: KPI-6 -->\r\n"
        );
        let again = parse_kpis(&out);
        let ids: Vec<_> = again.file.kpis.iter().map(|k| k.id).collect();
        assert_eq!(ids, [Some(KpiId(5)), Some(KpiId(2)), Some(KpiId(6))]);
        assert_eq!(insert_kpi_ids(text, &parsed, &[None, None, None]), text);
    }

    const NEW: &str = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster   \n\nWhy it matters.\n\n- Cut build time from 20 min to 5 min\n- Launch the beta <!-- id: KR-9 -->\n*  Grow weekly users from 10 to 40  \n";

    #[test]
    fn markers_go_on_the_new_lines_only_and_the_rest_is_kept() {
        let parsed = parse(NEW);
        let ids = NewIds {
            objectives: vec![Some(ObjectiveId(3))],
            key_results: vec![vec![Some(KeyResultId(10)), Some(KeyResultId(99)), Some(KeyResultId(11))]],
        };
        let out = insert_ids(NEW, &parsed, &ids);
        assert_eq!(
            out,
            "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster <!-- id: O-3 -->\n\nWhy it matters.\n\n- Cut build time from 20 min to 5 min <!-- id: KR-10 -->\n- Launch the beta <!-- id: KR-9 -->\n*  Grow weekly users from 10 to 40 <!-- id: KR-11 -->\n"
        );
        let again = parse(&out);
        assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
        assert_eq!(again.file.objectives[0].id, Some(ObjectiveId(3)));
        let kr_ids: Vec<_> = again.file.objectives[0].key_results.iter().map(|kr| kr.id).collect();
        assert_eq!(kr_ids, vec![Some(KeyResultId(10)), Some(KeyResultId(9)), Some(KeyResultId(11))]);
    }

    #[test]
    fn a_canonical_file_stays_canonical_with_its_new_ids() {
        let canonical = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Ship faster (committed)\n\n- Cut build time from 20 min to 5 min\n";
        let parsed = parse(canonical);
        assert_eq!(render(&parsed.file), canonical);
        let ids = NewIds { objectives: vec![Some(ObjectiveId(1))], key_results: vec![vec![Some(KeyResultId(2))]] };
        let out = insert_ids(canonical, &parsed, &ids);
        assert_eq!(render(&parse(&out).file), out);
    }

    #[test]
    fn nothing_to_insert_gives_the_text_back() {
        let parsed = parse(NEW);
        assert_eq!(insert_ids(NEW, &parsed, &NewIds::default()), NEW);
    }
}
