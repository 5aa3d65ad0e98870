//! `/api/v1/search`: objectives, key results, KPIs, people and teams of the caller's
//! workspace whose words begin with the query's words, as the caller may see them.

use crate::extract::{Authenticated, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::search::{SearchParams, SearchResults};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Searches the workspace. The query is read as words (letters and digits; anything
/// else only separates them, so no search syntax needs escaping) and a thing matches
/// when each word begins one of its words: `reten` finds "Raise retention". Results come
/// grouped by kind, best first, each with its page, the words matched in its title and
/// a snippet of its other text. Team-only objectives, and their key results, are found
/// only by those who may see them. An empty query, one of more than 200 characters or
/// 10 words, or one of punctuation only is a 400 naming `q`.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, description = "What matched, by kind", body = SearchResults), ErrorResponses))]
pub async fn search_workspace(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    Ok(Json(app.search().search(&caller, &params).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(search_workspace))
}
