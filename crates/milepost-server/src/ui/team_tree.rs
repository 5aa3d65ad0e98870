//! The team tree as the pages walk it: the teams that are not archived, each under its
//! parent; the team an objective or a key result counts for; and the rollup of every
//! team's whole subtree (its objectives, its people's, and those of every team under
//! it), computed in one pass over the objectives and one walk up the tree, so a page
//! never re-filters the whole cycle once per team.

use super::view::{Badge, Names, badge};
use milepost_app::key_result::KeyResultView;
use milepost_app::objective::ObjectiveView;
use milepost_core::{Named, Status, objective_status};
use std::collections::{HashMap, HashSet};

/// The teams that are not archived, each under its parent, in id order.
#[derive(Debug, Clone, Default)]
pub struct TeamTree {
    /// The child teams of each team; `None` holds the roots.
    children: HashMap<Option<i64>, Vec<i64>>,
    /// The parent of each team in the tree.
    parent: HashMap<i64, Option<i64>>,
}

impl TeamTree {
    /// The tree of the teams in `names`. A team under an archived team is left out with
    /// it, as the alignment tree always did.
    pub fn of(names: &Names) -> TeamTree {
        let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
        let mut parent = HashMap::new();
        for id in names.team_order.iter() {
            if let Some(team) = names.teams.get(id).filter(|t| !t.archived) {
                children.entry(team.parent_team_id).or_default().push(*id);
                parent.insert(*id, team.parent_team_id);
            }
        }
        // Keep only what hangs from a root: a team whose parent is archived (or missing)
        // is not in the tree.
        let mut reachable = HashSet::new();
        let mut stack: Vec<i64> = children.get(&None).cloned().unwrap_or_default();
        while let Some(team) = stack.pop() {
            if reachable.insert(team) {
                stack.extend(children.get(&Some(team)).into_iter().flatten().copied());
            }
        }
        children.retain(|key, _| key.is_none_or(|k| reachable.contains(&k)));
        parent.retain(|team, _| reachable.contains(team));
        TeamTree { children, parent }
    }

    /// Whether `team` is in the tree.
    pub fn contains(&self, team: i64) -> bool {
        self.parent.contains_key(&team)
    }

    /// The teams at the root of the tree: the company's.
    pub fn roots(&self) -> &[i64] {
        self.children.get(&None).map_or(&[], Vec::as_slice)
    }

    /// Whether `team` is at the root of the tree.
    pub fn is_root(&self, team: i64) -> bool {
        self.parent.get(&team).is_some_and(Option::is_none)
    }

    /// The teams right under `team`.
    pub fn children(&self, team: i64) -> &[i64] {
        self.children.get(&Some(team)).map_or(&[], Vec::as_slice)
    }

    /// `team` and every team under it.
    pub fn subtree(&self, team: i64) -> HashSet<i64> {
        let mut out = HashSet::new();
        if !self.contains(team) {
            return out;
        }
        let mut stack = vec![team];
        while let Some(next) = stack.pop() {
            if out.insert(next) {
                stack.extend_from_slice(self.children(next));
            }
        }
        out
    }

    /// The teams above `team`, the root first (not `team` itself).
    pub fn ancestors(&self, team: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut at = self.parent.get(&team).copied().flatten();
        while let Some(next) = at {
            // A cycle in the data would loop forever; the store refuses them, and this
            // stops at one anyway.
            if out.contains(&next) {
                break;
            }
            out.push(next);
            at = self.parent.get(&next).copied().flatten();
        }
        out.reverse();
        out
    }

    /// Every team with the teams under it before it, so that adding each team's total
    /// to its parent's in this order rolls the whole tree up in one walk.
    fn children_first(&self) -> Vec<i64> {
        let mut order = Vec::with_capacity(self.parent.len());
        let mut stack: Vec<i64> = self.roots().to_vec();
        while let Some(team) = stack.pop() {
            order.push(team);
            stack.extend_from_slice(self.children(team));
        }
        // Parents came before their children; reversed, children come first.
        order.reverse();
        order
    }

    /// The rollup of every team's subtree over `objectives`: one pass over the
    /// objectives, then one walk up the tree. Objectives that count for no team in the
    /// tree (of a person without a team, or of an archived team) are in no rollup.
    pub fn rollups<'a>(
        &self,
        objectives: impl IntoIterator<Item = &'a ObjectiveView>,
        names: &Names,
    ) -> HashMap<i64, Rollup> {
        let mut rollups: HashMap<i64, Rollup> = HashMap::new();
        for objective in objectives {
            if let Some(team) = team_of(objective, names).filter(|t| self.contains(*t)) {
                rollups.entry(team).or_default().add(objective);
            }
        }
        for team in self.children_first() {
            let Some(Some(parent)) = self.parent.get(&team).copied() else { continue };
            if let Some(own) = rollups.get(&team).cloned() {
                rollups.entry(parent).or_default().merge(&own);
            }
        }
        rollups
    }
}

/// The team an objective counts for: the team that owns it, or the team of the person
/// who owns it (none for an archived person, whom the tree does not show).
pub fn team_of(objective: &ObjectiveView, names: &Names) -> Option<i64> {
    match (objective.owner_team_id, objective.owner_person_id) {
        (Some(team), _) => Some(team),
        (None, Some(person)) => names.people.get(&person).filter(|p| !p.archived).and_then(|p| p.team_id),
        (None, None) => None,
    }
}

/// Whether a key result of `objective` is in one of `teams`: its objective counts for
/// one of them, or its owner is a person of one of them.
pub fn key_result_in(
    key_result: &KeyResultView,
    objective: &ObjectiveView,
    teams: &HashSet<i64>,
    names: &Names,
) -> bool {
    let owner_team = key_result.owner_person_id.and_then(|p| names.people.get(&p)).and_then(|p| p.team_id);
    team_of(objective, names).is_some_and(|t| teams.contains(&t)) || owner_team.is_some_and(|t| teams.contains(&t))
}

/// A set of objectives summed up: how many, the mean of their progress (unweighted, as
/// the app computed each; for the eye only) and how many are in each status.
#[derive(Debug, Clone, Default)]
pub struct Rollup {
    /// How many objectives.
    pub objectives: usize,
    /// How many of them have a progress.
    measured: usize,
    /// The sum of those progresses.
    progress: f64,
    /// The sum of the progress those objectives were expected to have by now.
    expected: f64,
    /// How many are in each status, in the order of `Status::ALL`.
    statuses: [usize; 6],
}

impl Rollup {
    /// The rollup of `objectives`.
    pub fn of<'a>(objectives: impl IntoIterator<Item = &'a ObjectiveView>) -> Rollup {
        let mut rollup = Rollup::default();
        for objective in objectives {
            rollup.add(objective);
        }
        rollup
    }

    /// Counts one more objective.
    pub fn add(&mut self, objective: &ObjectiveView) {
        self.objectives += 1;
        if let Some(progress) = objective.progress {
            self.measured += 1;
            self.progress += progress.clamp(0.0, 1.0);
            self.expected += objective.expected_progress;
        }
        if let Some(index) = Status::ALL.iter().position(|s| *s == objective.status) {
            self.statuses[index] += 1;
        }
    }

    /// Adds another rollup's objectives to this one.
    pub fn merge(&mut self, other: &Rollup) {
        self.objectives += other.objectives;
        self.measured += other.measured;
        self.progress += other.progress;
        self.expected += other.expected;
        for (mine, theirs) in self.statuses.iter_mut().zip(other.statuses) {
            *mine += theirs;
        }
    }

    /// The mean progress of the objectives that have one; `None` when none has.
    pub fn mean(&self) -> Option<f64> {
        #[expect(clippy::cast_precision_loss, reason = "a count of objectives is far below 2^52")]
        (self.measured > 0).then(|| self.progress / self.measured as f64)
    }

    /// The mean progress expected by now of the objectives that have a progress: the
    /// subtree's pace.
    pub fn pace(&self) -> Option<f64> {
        #[expect(clippy::cast_precision_loss, reason = "a count of objectives is far below 2^52")]
        (self.measured > 0).then(|| self.expected / self.measured as f64)
    }

    /// How far the mean progress is behind the pace, in progress (0.07 is 7 points
    /// behind; negative is ahead); `None` with nothing measured.
    pub fn behind(&self) -> Option<f64> {
        Some(self.pace()? - self.mean()?)
    }

    /// The subtree's status: the objective rule ([`objective_status`]) on its mean
    /// progress against its pace, over its objectives' statuses (not started while none
    /// has started, done when all are, stale rather than on track while one is stale).
    pub fn status(&self) -> Status {
        let statuses: Vec<Status> =
            Status::ALL.iter().zip(self.statuses).filter(|(_, n)| *n > 0).map(|(s, _)| *s).collect();
        match (self.mean(), self.pace()) {
            (Some(mean), Some(pace)) => objective_status(Some(milepost_core::Progress::new(mean)), pace, &statuses),
            _ => Status::NotStarted,
        }
    }

    /// The statuses that occur, with how many objectives are in each.
    pub fn status_counts(&self) -> Vec<(Badge, usize)> {
        Status::ALL.iter().zip(self.statuses).filter(|(_, n)| *n > 0).map(|(s, n)| (badge(*s), n)).collect()
    }

    /// How many are on track or done.
    pub fn on_track_or_done(&self) -> usize {
        Status::ALL
            .iter()
            .zip(self.statuses)
            .filter(|(s, _)| matches!(s, Status::OnTrack | Status::Done))
            .map(|(_, n)| n)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_rollup_has_no_mean() {
        let rollup = Rollup::default();
        assert_eq!(rollup.mean(), None);
        assert!(rollup.status_counts().is_empty());
    }
}
