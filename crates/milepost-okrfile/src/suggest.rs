//! "Did you mean …?": the nearest known word to a misspelt one.

/// Longer words are cut to this many characters before they are compared, so that a
/// pathological input costs a bounded amount of work.
const LONGEST: usize = 64;

/// The edit distance between two words (insertions, deletions, substitutions and swaps
/// of two neighbouring characters, each costing one), over at most their first
/// [`LONGEST`] characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(LONGEST).collect();
    let b: Vec<char> = b.chars().take(LONGEST).collect();
    // rows[i][j]: the distance between the first i characters of a and the first j of b.
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// The candidate nearest to `word`, when it is near enough to be a likely typo: at most
/// a third of the word's length away, and at least one edit for words of three letters.
/// Case is ignored; ties go to the first candidate.
pub(crate) fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = distance(&word, &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_edits() {
        assert_eq!(distance("kpi", "kpi"), 0);
        assert_eq!(distance("kpj", "kpi"), 1);
        assert_eq!(distance("commited", "committed"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("cadense", "cadence"), 1);
        assert_eq!(distance("cycel", "cycle"), 1, "a swap is one edit");
    }

    #[test]
    fn only_likely_typos_are_suggested() {
        assert_eq!(closest("kpj", ["kpi", "weight"]), Some("kpi"));
        assert_eq!(closest("customer-suport", ["customer-support", "sales"]), Some("customer-support"));
        assert_eq!(closest("source", ["kpi", "weight", "cadence"]), None);
        assert_eq!(closest("DANA", ["dana"]), Some("dana"));
    }

    #[test]
    fn huge_words_cost_bounded_work() {
        let long = "a".repeat(100_000);
        assert_eq!(distance(&long, &long), 0);
    }
}
