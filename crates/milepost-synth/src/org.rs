//! The organisation's shape: teams in a tree about six levels deep (leadership at the
//! root, departments under it, then groups, divisions, teams, squads), one team for
//! every six or seven people, and people in teams with their roles: a few admins, the
//! team leads as editors, a few viewers, and members for the rest.

use crate::random::{between, part, pick, stream, weighted};
use crate::words::{AREAS, DEPARTMENTS, FIRST_NAMES, LAST_NAMES, TEAM_KINDS};
use milepost_core::{Role, Slug};
use rand::RngExt;
use std::collections::HashSet;

/// How many people one team has, on average.
pub(crate) const PEOPLE_PER_TEAM: f64 = 6.67;
/// How many levels the team tree has (when there are enough teams).
const LEVELS: usize = 6;

/// A team to write.
#[derive(Debug, Clone)]
pub(crate) struct Team {
    pub(crate) id: i64,
    pub(crate) parent: Option<usize>,
    pub(crate) name: String,
    pub(crate) slug: String,
    /// What its objectives are about.
    pub(crate) area: String,
    /// Its people, the lead first.
    pub(crate) members: Vec<usize>,
}

/// A person to write.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) id: i64,
    pub(crate) team: usize,
    pub(crate) role: Role,
    pub(crate) name: String,
    pub(crate) handle: String,
    pub(crate) email: String,
    pub(crate) password_hash: Option<String>,
}

/// Teams and people.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub(crate) teams: Vec<Team>,
    pub(crate) people: Vec<Person>,
}

/// How many teams `people` people form.
pub(crate) fn team_count(people: usize) -> usize {
    ((people as f64 / PEOPLE_PER_TEAM).round() as usize).clamp(1, people.max(1))
}

/// How many teams each level of the tree holds: one root, then a geometric growth
/// that reaches `teams` at the last level.
fn level_sizes(teams: usize) -> Vec<usize> {
    let levels = LEVELS.min(teams);
    if levels <= 1 {
        return vec![teams.max(1)];
    }
    let total = |ratio: f64| (0..levels).map(|d| ratio.powi(d as i32)).sum::<f64>();
    let (mut low, mut high) = (1.0_f64, teams as f64);
    for _ in 0..100 {
        let middle = (low + high) / 2.0;
        if total(middle) < teams as f64 { low = middle } else { high = middle }
    }
    let mut sizes = Vec::with_capacity(levels);
    let mut cumulative = 0.0;
    let mut placed = 0;
    for level in 0..levels {
        cumulative += low.powi(level as i32);
        let left_levels = levels - level - 1;
        let mut upto = (cumulative.round() as usize).max(placed + 1).min(teams - left_levels);
        if level == levels - 1 {
            upto = teams;
        }
        sizes.push(upto - placed);
        placed = upto;
    }
    sizes
}

fn unique_slug(used: &mut HashSet<String>, name: &str) -> (String, String) {
    let base = Slug::from_title(name).map_or_else(|| "team".to_owned(), |s| s.as_str().to_owned());
    let mut slug = base.clone();
    let mut name = name.to_owned();
    let mut n = 2;
    while used.contains(&slug) {
        slug = format!("{base}-{n}");
        name = format!("{} {n}", name.trim_end_matches(char::is_numeric).trim_end());
        n += 1;
    }
    used.insert(slug.clone());
    (name, slug)
}

/// Plans the teams and people of an organisation of `people` people, ids from
/// `first_team` and `first_person`, emails at `domain`.
pub(crate) fn plan(seed: u64, people: usize, domain: &str, first_team: i64, first_person: i64) -> Org {
    let mut rng = stream(seed, part::TEAMS, 0);
    let sizes = level_sizes(team_count(people));
    let mut teams: Vec<Team> = Vec::new();
    let mut used = HashSet::new();
    let mut previous: Vec<usize> = Vec::new();
    for (level, size) in sizes.iter().enumerate() {
        let mut this_level = Vec::with_capacity(*size);
        for i in 0..*size {
            let parent = match previous.len() {
                0 => None,
                n if i < n && *size >= n => Some(previous[i]),
                n => Some(previous[rng.random_range(0..n)]),
            };
            let (wanted, area) = match level {
                0 => ("Leadership".to_owned(), "the company".to_owned()),
                1 => {
                    let department = DEPARTMENTS[i % DEPARTMENTS.len()];
                    (department.to_owned(), department.to_owned())
                }
                _ => {
                    let area = *pick(&mut rng, AREAS);
                    let kind = TEAM_KINDS[(level - 2).min(TEAM_KINDS.len() - 1)];
                    (format!("{area} {kind}"), area.to_owned())
                }
            };
            let (name, slug) = unique_slug(&mut used, &wanted);
            this_level.push(teams.len());
            teams.push(Team { id: first_team + teams.len() as i64, parent, name, slug, area, members: vec![] });
        }
        previous = this_level;
    }
    let has_children: HashSet<usize> = teams.iter().filter_map(|t| t.parent).collect();

    // Every team has a lead; leadership has a few more executives; the rest sit mostly
    // in the leaf teams.
    let mut counts = vec![1_usize; teams.len()];
    let executives = 6.min(people.saturating_sub(teams.len()));
    counts[0] += executives;
    let weights: Vec<f64> = (0..teams.len())
        .map(|t| {
            if t == 0 {
                0.0
            } else if has_children.contains(&t) {
                1.0
            } else {
                3.0
            }
        })
        .collect();
    let mut rng = stream(seed, part::PEOPLE, 0);
    let rest = people.saturating_sub(teams.len() + executives);
    if teams.len() > 1 {
        for _ in 0..rest {
            counts[weighted(&mut rng, &weights)] += 1;
        }
    } else {
        counts[0] += rest;
    }

    let admins = (people / 500).max(1);
    let mut handles = HashSet::new();
    let mut persons = Vec::with_capacity(people);
    for (t, count) in counts.iter().enumerate() {
        for k in 0..*count {
            let index = persons.len();
            let first = *pick(&mut rng, FIRST_NAMES);
            let last = *pick(&mut rng, LAST_NAMES);
            let name = format!("{first} {last}");
            let handle = unique_handle(&mut handles, &name);
            let role = if index < admins.min(1 + executives) {
                Role::Admin
            } else if k == 0 {
                Role::Editor
            } else if rng.random_bool(0.02) {
                Role::Viewer
            } else {
                Role::Member
            };
            let email = format!("{handle}@{domain}");
            teams[t].members.push(index);
            persons.push(Person {
                id: first_person + index as i64,
                team: t,
                role,
                name,
                handle,
                email,
                password_hash: None,
            });
        }
    }
    // More admins than the leadership holds: people of the first departments.
    let mut extra = admins.saturating_sub(1 + executives);
    let mut index = persons.len();
    while extra > 0 && index > 0 {
        index -= 1;
        if persons[index].role == Role::Member && between(&mut rng, 0.0, 1.0) < 0.5 {
            persons[index].role = Role::Admin;
            extra -= 1;
        }
    }
    Org { teams, people: persons }
}

fn unique_handle(used: &mut HashSet<String>, name: &str) -> String {
    let base = Slug::from_title(name).map_or_else(|| "person".to_owned(), |s| s.as_str().to_owned());
    let mut handle = base.clone();
    let mut n = 2;
    while used.contains(&handle) {
        handle = format!("{base}-{n}");
        n += 1;
    }
    used.insert(handle.clone());
    handle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_has_six_levels_and_the_requested_size() {
        for teams in [1, 2, 5, 6, 7, 30, 375, 1500] {
            let sizes = level_sizes(teams);
            assert_eq!(sizes.iter().sum::<usize>(), teams, "{sizes:?}");
            assert!(sizes.iter().all(|s| *s >= 1), "{sizes:?}");
            assert_eq!(sizes.len(), teams.min(LEVELS));
            assert_eq!(sizes[0], 1.min(teams));
        }
    }

    #[test]
    fn every_person_is_in_a_team_and_handles_are_unique() {
        let org = plan(7, 500, "x.example", 1, 1);
        assert_eq!(org.people.len(), 500);
        assert_eq!(org.teams.iter().map(|t| t.members.len()).sum::<usize>(), 500);
        let handles: HashSet<&str> = org.people.iter().map(|p| p.handle.as_str()).collect();
        assert_eq!(handles.len(), 500);
        let slugs: HashSet<&str> = org.teams.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(slugs.len(), org.teams.len());
        assert!(org.people.iter().any(|p| p.role == Role::Admin));
        assert!(org.people.iter().filter(|p| p.role == Role::Member).count() > 300);
    }
}
