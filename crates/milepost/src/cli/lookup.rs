//! Finding the cycle or team a person named on the command line, by its slug or its
//! id, on the local database or on a server: one rule for every command (a number is
//! an id; anything else is a slug, looked for page by page, archived ones included).

use super::remote::Remote;
use milepost_app::cycle::CycleQuery;
use milepost_app::team::TeamQuery;
use milepost_app::{App, Caller};
use serde_json::Value;

/// The id `key` names: itself when it is a number, else the id of the `what` with that
/// slug, looked for in the pages `page` answers, one `after` cursor at a time, each as
/// (id, slug) pairs and the next cursor.
async fn find(
    key: &str,
    what: &str,
    mut page: impl AsyncFnMut(Option<String>) -> anyhow::Result<(Vec<(i64, String)>, Option<String>)>,
) -> anyhow::Result<i64> {
    if let Ok(id) = key.parse::<i64>() {
        return Ok(id);
    }
    let mut after = None;
    loop {
        let (items, next) = page(after).await?;
        if let Some((id, _)) = items.iter().find(|(_, slug)| slug == key) {
            return Ok(*id);
        }
        match next {
            Some(next) => after = Some(next),
            None => anyhow::bail!("there is no {what} {key} in this workspace"),
        }
    }
}

/// A local cycle's id, from its slug or id.
pub(super) async fn local_cycle(app: &App, caller: &Caller, key: &str) -> anyhow::Result<i64> {
    find(key, "cycle", async |after| {
        let query = CycleQuery { include_archived: true, limit: Some(500), after, ..Default::default() };
        let page = app.cycles().list(caller, query).await.map_err(super::explain)?;
        Ok((page.items.into_iter().map(|c| (c.id.get(), c.slug)).collect(), page.next_cursor))
    })
    .await
}

/// A local team's id, from its slug or id.
pub(super) async fn local_team(app: &App, caller: &Caller, key: &str) -> anyhow::Result<i64> {
    find(key, "team", async |after| {
        let query = TeamQuery { include_archived: true, limit: Some(500), after, ..Default::default() };
        let page = app.teams().list(caller, query).await.map_err(super::explain)?;
        Ok((page.items.into_iter().map(|t| (t.id.get(), t.slug)).collect(), page.next_cursor))
    })
    .await
}

/// The id of the `what` `key` on a server: an id, or a slug looked up in the list at
/// `list` (`/api/v1/cycles`, `/api/v1/teams`).
pub(super) async fn remote_id(remote: &Remote, list: &str, what: &str, key: &str) -> anyhow::Result<i64> {
    find(key, what, async |after| {
        let mut params = vec![("limit", "500".to_owned()), ("include_archived", "true".to_owned())];
        if let Some(after) = after {
            params.push(("after", after));
        }
        let page: Value = remote.get(list, &params).await?;
        let items = page["items"].as_array().map(Vec::as_slice).unwrap_or_default();
        let found = items.iter().filter_map(|k| Some((k["id"].as_i64()?, k["slug"].as_str()?.to_owned()))).collect();
        Ok((found, page["next_cursor"].as_str().map(str::to_owned)))
    })
    .await
}
