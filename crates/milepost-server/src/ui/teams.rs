//! `/settings/teams` (admins): the team tree, where teams are made, renamed, moved
//! (a move into the team's own subtree is refused by `app.teams().update`) and archived
//! or restored. Each form calls the same use case as the team API.

use super::form::{Fields, Form, Problems, head};
use super::objective_form::{Choice, choices};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::permission::{self, Action};
use milepost_app::team::{NewTeam, TeamPatch, TeamQuery, TeamView};
use milepost_app::{App, AppError, Caller, Path};
use milepost_core::TeamId;
use std::collections::HashMap;

/// Every team of the workspace, archived ones too, in id order.
pub async fn all_teams(app: &App, caller: &Caller) -> Result<Vec<TeamView>, AppError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let query = TeamQuery { include_archived: true, limit: Some(500), after, ..Default::default() };
        let page = app.teams().list(caller, query).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}

/// A team as the tree lists it: indented by its depth.
pub struct TeamLine {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its slug.
    pub slug: String,
    /// How deep it is (0 for a root).
    pub depth: usize,
}

/// The teams not archived, each under its parent, depth first (a team whose parent is
/// archived or missing is listed as a root).
fn tree(teams: &[TeamView]) -> Vec<TeamLine> {
    let live: Vec<&TeamView> = teams.iter().filter(|t| !t.archived).collect();
    let known: std::collections::HashSet<i64> = live.iter().map(|t| t.id.get()).collect();
    let mut children: HashMap<Option<i64>, Vec<&TeamView>> = HashMap::new();
    for team in &live {
        let parent = team.parent_team_id.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(team);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(&TeamView, usize)> = children.get(&None).into_iter().flatten().rev().map(|t| (*t, 0)).collect();
    while let Some((team, depth)) = stack.pop() {
        out.push(TeamLine { id: team.id.get(), name: team.name.clone(), slug: team.slug.clone(), depth });
        if depth < 64 {
            for child in children.get(&Some(team.id.get())).into_iter().flatten().rev() {
                stack.push((child, depth + 1));
            }
        }
    }
    out
}

/// The parents a select offers: none, then the tree with its depth shown.
fn parent_choices(lines: &[TeamLine], current: &str, except: Option<i64>) -> Vec<Choice> {
    let mut options = vec![(String::new(), "None: a top-level team".to_owned())];
    options.extend(
        lines
            .iter()
            .filter(|line| Some(line.id) != except)
            .map(|line| (line.id.to_string(), format!("{}{}", "— ".repeat(line.depth), line.name))),
    );
    choices(options, current)
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    layout: Layout,
    teams: Vec<TeamLine>,
    archived: Vec<TeamView>,
    parents: Vec<Choice>,
    fields: Fields,
    problems: Problems,
}

async fn teams_page(app: &App, viewer: &Viewer, fields: Fields, problems: Problems) -> Result<TeamsPage, AppError> {
    let all = all_teams(app, &viewer.caller).await?;
    let teams = tree(&all);
    let parents = parent_choices(&teams, fields.text("parent_team_id"), None);
    let archived = all.into_iter().filter(|t| t.archived).collect();
    Ok(TeamsPage { layout: Layout::new(viewer, "settings", "Teams"), teams, archived, parents, fields, problems })
}

/// `GET /settings/teams`: the team tree and the form for a new team.
pub async fn show_teams(State(app): State<App>, viewer: Viewer) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    Ok(page(StatusCode::OK, &teams_page(&app, &viewer, Fields::default(), Problems::default()).await?))
}

/// Reads the parent field: blank is none.
fn read_parent(fields: &Fields, problems: &mut Problems) -> Option<i64> {
    fields.whole("parent_team_id", problems)
}

/// A team form's field of a refusal's JSON pointer: named as the request's.
fn team_field(path: &Path) -> Option<String> {
    Some(head(path).to_owned())
}

/// `POST /settings/teams`: makes a team.
pub async fn create_team(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let mut problems = Problems::default();
    let parent_team_id = read_parent(&fields, &mut problems);
    let status = if problems.is_empty() {
        let new = NewTeam { slug: fields.optional("slug"), name: fields.text("name").to_owned(), parent_team_id };
        match app.teams().create(&viewer.caller, new).await {
            Ok(_) => return Ok(see_other("/settings/teams")),
            Err(error) => problems.refused(error, team_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &teams_page(&app, &viewer, fields, problems).await?))
}

#[derive(Template)]
#[template(path = "team_form.html")]
struct TeamPage {
    layout: Layout,
    team: TeamView,
    parents: Vec<Choice>,
    fields: Fields,
    problems: Problems,
}

async fn team_page(
    app: &App,
    viewer: &Viewer,
    team: TeamView,
    fields: Fields,
    problems: Problems,
) -> Result<TeamPage, AppError> {
    let all = all_teams(app, &viewer.caller).await?;
    let parents = parent_choices(&tree(&all), fields.text("parent_team_id"), Some(team.id.get()));
    Ok(TeamPage { layout: Layout::new(viewer, "settings", "Teams"), team, parents, fields, problems })
}

/// `GET /settings/teams/{id}`: a team's form: rename, move, archive or restore.
pub async fn show_team(State(app): State<App>, viewer: Viewer, Id(id): Id<TeamId>) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let team = app.teams().get(&viewer.caller, id).await?;
    let fields = Fields::from(HashMap::from([
        ("name".to_owned(), team.name.clone()),
        ("slug".to_owned(), team.slug.clone()),
        ("parent_team_id".to_owned(), team.parent_team_id.map(|p| p.to_string()).unwrap_or_default()),
        ("version".to_owned(), team.version.to_string()),
    ]));
    Ok(page(StatusCode::OK, &team_page(&app, &viewer, team, fields, Problems::default()).await?))
}

/// `POST /settings/teams/{id}`: renames or moves the team, based on the version the
/// form showed. A move under itself or one of its sub-teams is refused at the parent.
pub async fn save_team(State(app): State<App>, viewer: Viewer, Id(id): Id<TeamId>, Form(fields): Form) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let team = app.teams().get(&viewer.caller, id).await?;
    let mut problems = Problems::default();
    let parent = read_parent(&fields, &mut problems);
    let version = fields.whole("version", &mut problems).unwrap_or(team.version);
    let status = if problems.is_empty() {
        let change = TeamPatch {
            version,
            slug: fields.optional("slug"),
            name: Some(fields.text("name").to_owned()),
            parent_team_id: Some(parent),
        };
        match app.teams().update(&viewer.caller, id, change).await {
            Ok(_) => return Ok(see_other("/settings/teams")),
            Err(error) => problems.refused(error, team_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &team_page(&app, &viewer, team, fields, problems).await?))
}

/// `POST /settings/teams/{id}/archive`: archives the team (`archived=false` restores it).
pub async fn archive_team(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<TeamId>,
    Form(fields): Form,
) -> PageResult {
    let (version, archived) = super::settings::archive_form(&fields)?;
    app.teams().archive(&viewer.caller, id, version, archived).await?;
    Ok(see_other("/settings/teams"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: i64, parent: Option<i64>, archived: bool) -> TeamView {
        TeamView {
            id: TeamId(id),
            slug: format!("t{id}"),
            name: format!("T{id}"),
            parent_team_id: parent,
            archived,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn the_tree_lists_each_team_under_its_parent_depth_first() {
        let teams = [team(1, None, false), team(2, Some(1), false), team(3, None, false), team(4, Some(2), false)];
        let lines: Vec<(i64, usize)> = tree(&teams).iter().map(|l| (l.id, l.depth)).collect();
        assert_eq!(lines, [(1, 0), (2, 1), (4, 2), (3, 0)]);
        let with_archived = [team(1, None, true), team(2, Some(1), false)];
        let lines: Vec<(i64, usize)> = tree(&with_archived).iter().map(|l| (l.id, l.depth)).collect();
        assert_eq!(lines, [(2, 0)], "under an archived parent, a team shows as a root");
    }
}
