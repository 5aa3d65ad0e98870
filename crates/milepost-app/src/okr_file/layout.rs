//! The order of a file kept in the database: `milepost export` writes objectives and
//! key results in the order their files last listed them.

use super::{Action, Checked, FieldChange, Place, Run};
use crate::AppError;
use milepost_store::Tx;
use std::collections::HashMap;

impl Run<'_> {
    /// Keeps the files' order: each objective's place among its file's, each key
    /// result's among its objective's. Places are written only when the stored ones do
    /// not already follow the file; a change of order among things placed before shows
    /// as an update of `position`, while a first placing or a gap left by a removed line
    /// is bookkeeping.
    pub(super) async fn layout(
        &mut self,
        tx: &mut Tx,
        files: &[Checked],
        objective_ids: &[Vec<i64>],
    ) -> Result<(), AppError> {
        let workspace = self.caller.workspace;
        for (file, row_ids) in files.iter().zip(objective_ids) {
            let mut objectives = Vec::new();
            for (position, id) in row_ids.iter().enumerate() {
                let row = self.row_objective(tx, *id).await?;
                let line = file.parsed.source_map.objectives[position].heading.line;
                objectives.push((row.id, row.title, row.position, line));
            }
            for (id, title, position, line, moved) in settle(objectives) {
                tx.set_objective_position(workspace, id, position).await?;
                self.layout_changed = true;
                if let Some(old) = moved {
                    let place = Place { index: file.index, file: file.name.clone(), line };
                    self.note_move(&place, "objective", id, &title, old, position);
                }
            }
            for (position, (objective, id)) in file.parsed.file.objectives.iter().zip(row_ids).enumerate() {
                let spans = &file.parsed.source_map.objectives[position];
                let rows = tx.key_results_of_objectives(workspace, &[*id]).await?;
                let mut key_results = Vec::new();
                for (n, kr) in objective.key_results.iter().enumerate() {
                    let found = match kr.id {
                        Some(kr_id) => rows.iter().find(|r| r.id == kr_id.0),
                        // A new one: the key result created under this objective with this sentence.
                        None => self
                            .changes
                            .iter()
                            .filter(|c| c.action == Action::Create && c.what == "key_result" && c.title == kr.text)
                            .filter_map(|c| c.id)
                            .find_map(|new_id| rows.iter().find(|r| r.id == new_id)),
                    };
                    if let Some(row) = found {
                        key_results.push((row.id, row.title.clone(), row.position, spans.key_results[n].line.line));
                    }
                }
                for (kr_id, title, position, line, moved) in settle(key_results) {
                    tx.set_key_result_position(workspace, kr_id, position).await?;
                    self.layout_changed = true;
                    if let Some(old) = moved {
                        let place = Place { index: file.index, file: file.name.clone(), line };
                        self.note_move(&place, "key_result", kr_id, &title, old, position);
                    }
                }
            }
        }
        Ok(())
    }

    /// A move within a file: an update of `position`, folded into the thing's update
    /// when it has one.
    fn note_move(&mut self, place: &Place, what: &str, id: i64, title: &str, old: i64, new: i64) {
        let field = FieldChange { field: "position".to_owned(), before: old.into(), after: new.into() };
        match self.changes.iter_mut().find(|c| c.what == what && c.id == Some(id) && c.action == Action::Update) {
            Some(change) => change.fields.push(field),
            None => {
                self.push(place, Action::Update, what, id, title, None::<&()>, None);
                if let Some(change) = self.changes.last_mut() {
                    change.fields.push(field);
                }
            }
        }
    }
}

/// The places to write for things listed in file order, each `(id, title, stored place,
/// line)`: none when the stored places already rise in file order; otherwise 1, 2, 3 …
/// for all, each with its old place when the thing changed rank among those placed before.
fn settle(items: Vec<(i64, String, Option<i64>, usize)>) -> Vec<(i64, String, i64, usize, Option<i64>)> {
    let rising = items.windows(2).all(|w| matches!((w[0].2, w[1].2), (Some(a), Some(b)) if a < b));
    if items.iter().all(|item| item.2.is_some()) && rising {
        return Vec::new();
    }
    let mut placed: Vec<(usize, i64)> =
        items.iter().enumerate().filter_map(|(index, item)| item.2.map(|p| (index, p))).collect();
    let file_rank: HashMap<usize, usize> = placed.iter().enumerate().map(|(rank, (index, _))| (*index, rank)).collect();
    placed.sort_by_key(|(_, p)| *p);
    let stored_rank: HashMap<usize, usize> =
        placed.iter().enumerate().map(|(rank, (index, _))| (*index, rank)).collect();
    items
        .into_iter()
        .enumerate()
        .map(|(index, (id, title, old, line))| {
            let moved = old.filter(|_| file_rank.get(&index) != stored_rank.get(&index));
            (id, title, i64::try_from(index).unwrap_or(i64::MAX) + 1, line, moved)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(stored: &[Option<i64>]) -> Vec<(i64, Option<i64>)> {
        let items = stored.iter().enumerate().map(|(i, p)| (i as i64, String::new(), *p, i)).collect();
        settle(items).into_iter().map(|(_, _, new, _, moved)| (new, moved)).collect()
    }

    #[test]
    fn places_are_written_only_when_the_stored_ones_do_not_follow_the_file() {
        assert_eq!(places(&[Some(1), Some(2), Some(3)]), []);
        // A line removed leaves a gap: nothing to write.
        assert_eq!(places(&[Some(1), Some(3)]), []);
        // A new line in the middle, or never placed: numbered, nothing moved.
        assert_eq!(places(&[Some(1), None, Some(2)]), [(1, None), (2, None), (3, None)]);
        assert_eq!(places(&[None, None]), [(1, None), (2, None)]);
        // Two lines swapped: both moved.
        assert_eq!(places(&[Some(2), Some(1), Some(3)]), [(1, Some(2)), (2, Some(1)), (3, None)]);
    }
}
