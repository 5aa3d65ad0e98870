//! The resources that share one shape: list (with filters and pages), create, read,
//! change (with a version), archive and restore. One macro writes each set of handlers
//! so the six resources cannot drift apart; each handler keeps its own name, which is
//! its OpenAPI operation id.

use super::VersionBody;
use crate::extract::{Authenticated, Id, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::{StatusCode, header};
use milepost_app::as_of::AsOfQuery;
use milepost_app::cycle::{CyclePatch, CycleQuery, CycleView, NewCycle};
use milepost_app::initiative::{InitiativePatch, InitiativeQuery, InitiativeView, NewInitiative};
use milepost_app::kpi::{KpiPatch, KpiQuery, KpiView, NewKpi};
use milepost_app::objective::{NewObjective, ObjectivePatch, ObjectiveQuery, ObjectiveView};
use milepost_app::person::{NewPerson, PersonPatch, PersonQuery, PersonView};
use milepost_app::team::{NewTeam, TeamPatch, TeamQuery, TeamView};
use milepost_app::{App, Paged};
use milepost_core::{CycleId, InitiativeId, KpiId, ObjectiveId, PersonId, TeamId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

macro_rules! crud {
    (@get plain, $module:ident, $tag:literal, $item:literal, $id:ident, $view:ident, $get:ident) => {
        #[doc = concat!("Reads one of the ", $tag, ".")]
        #[utoipa::path(get, path = $item, tag = $tag,
            summary = concat!("Reads one of the ", $tag, "."),
            params(("id" = i64, Path, minimum = 1, description = "Its id")),
            responses((status = 200, description = "Found", body = $view), ErrorResponses))]
        pub async fn $get(State(app): State<App>, Authenticated(caller): Authenticated, Id(id): Id<$id>) -> Result<Json<$view>, ApiError> {
            Ok(Json(app.$module().get(&caller, id).await?))
        }
    };
    (@get as_of, $module:ident, $tag:literal, $item:literal, $id:ident, $view:ident, $get:ident) => {
        #[doc = concat!("Reads one of the ", $tag, ", now or as of a past instant.")]
        #[utoipa::path(get, path = $item, tag = $tag,
            summary = concat!("Reads one of the ", $tag, ", now or as of a past instant."),
            params(("id" = i64, Path, minimum = 1, description = "Its id"), AsOfQuery),
            responses((status = 200, description = "Found", body = $view), ErrorResponses))]
        pub async fn $get(
            State(app): State<App>,
            Authenticated(caller): Authenticated,
            Id(id): Id<$id>,
            Query(as_of): Query<AsOfQuery>,
        ) -> Result<Json<$view>, ApiError> {
            Ok(Json(app.$module().get_as_of(&caller, id, &as_of).await?))
        }
    };
    (
        $getkind:ident, $module:ident, $tag:literal, $collection:literal, $item:literal, $archive_path:literal, $restore_path:literal,
        $id:ident, $new:ident, $patch:ident, $view:ident, $query:ident,
        $list:ident, $create:ident, $get:ident, $update:ident, $archive:ident, $restore:ident $(,)?
    ) => {
        pub mod $module {
            use super::*;

            #[doc = concat!("Lists ", $tag, ", filtered and paged.")]
            #[utoipa::path(get, path = $collection, tag = $tag,
                summary = concat!("Lists ", $tag, ", filtered and paged."),
                params($query),
                responses((status = 200, description = concat!("A page of ", $tag), body = Paged<$view>), ErrorResponses))]
            pub async fn $list(
                State(app): State<App>,
                Authenticated(caller): Authenticated,
                Query(query): Query<$query>,
            ) -> Result<Json<Paged<$view>>, ApiError> {
                Ok(Json(app.$module().list(&caller, query).await?))
            }

            #[doc = concat!("Creates one of the ", $tag, ".")]
            #[utoipa::path(post, path = $collection, tag = $tag,
                summary = concat!("Creates one of the ", $tag, "."),
                request_body = $new,
                responses((status = 201, description = "Created", body = $view, headers(("location" = String, description = "Where it lives"))),
                    ErrorResponses))]
            pub async fn $create(
                State(app): State<App>,
                Authenticated(caller): Authenticated,
                Json(new): Json<$new>,
            ) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<$view>), ApiError> {
                let view = app.$module().create(&caller, new).await?;
                Ok((StatusCode::CREATED, [(header::LOCATION, format!("{}/{}", $collection, view.id))], Json(view)))
            }

            crud!(@get $getkind, $module, $tag, $item, $id, $view, $get);

            #[doc = concat!("Changes one of the ", $tag, "; fields left out stay as they are.")]
            #[utoipa::path(patch, path = $item, tag = $tag,
                summary = concat!("Changes one of the ", $tag, "; fields left out stay as they are."),
                params(("id" = i64, Path, minimum = 1, description = "Its id")),
                request_body = $patch, responses((status = 200, description = "Changed", body = $view), ErrorResponses))]
            pub async fn $update(
                State(app): State<App>,
                Authenticated(caller): Authenticated,
                Id(id): Id<$id>,
                Json(change): Json<$patch>,
            ) -> Result<Json<$view>, ApiError> {
                Ok(Json(app.$module().update(&caller, id, change).await?))
            }

            #[doc = concat!("Archives one of the ", $tag, ": hidden from lists, kept with its history.")]
            #[utoipa::path(post, path = $archive_path, tag = $tag,
                summary = concat!("Archives one of the ", $tag, ": hidden from lists, kept with its history."),
                params(("id" = i64, Path, minimum = 1, description = "Its id")),
                request_body = VersionBody, responses((status = 200, description = "Archived", body = $view), ErrorResponses))]
            pub async fn $archive(
                State(app): State<App>,
                Authenticated(caller): Authenticated,
                Id(id): Id<$id>,
                Json(body): Json<VersionBody>,
            ) -> Result<Json<$view>, ApiError> {
                Ok(Json(app.$module().archive(&caller, id, body.version, true).await?))
            }

            #[doc = concat!("Restores one of the archived ", $tag, ".")]
            #[utoipa::path(post, path = $restore_path, tag = $tag,
                summary = concat!("Restores one of the archived ", $tag, "."),
                params(("id" = i64, Path, minimum = 1, description = "Its id")),
                request_body = VersionBody, responses((status = 200, description = "Restored", body = $view), ErrorResponses))]
            pub async fn $restore(
                State(app): State<App>,
                Authenticated(caller): Authenticated,
                Id(id): Id<$id>,
                Json(body): Json<VersionBody>,
            ) -> Result<Json<$view>, ApiError> {
                Ok(Json(app.$module().archive(&caller, id, body.version, false).await?))
            }

            pub(crate) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
                router
                    .routes(routes!($list, $create))
                    .routes(routes!($get, $update))
                    .routes(routes!($archive))
                    .routes(routes!($restore))
            }
        }
    };
}

crud!(
    plain,
    teams,
    "teams",
    "/api/v1/teams",
    "/api/v1/teams/{id}",
    "/api/v1/teams/{id}/archive",
    "/api/v1/teams/{id}/restore",
    TeamId,
    NewTeam,
    TeamPatch,
    TeamView,
    TeamQuery,
    list_teams,
    create_team,
    get_team,
    update_team,
    archive_team,
    restore_team,
);
crud!(
    plain,
    people,
    "people",
    "/api/v1/people",
    "/api/v1/people/{id}",
    "/api/v1/people/{id}/archive",
    "/api/v1/people/{id}/restore",
    PersonId,
    NewPerson,
    PersonPatch,
    PersonView,
    PersonQuery,
    list_people,
    create_person,
    get_person,
    update_person,
    archive_person,
    restore_person,
);
crud!(
    plain,
    cycles,
    "cycles",
    "/api/v1/cycles",
    "/api/v1/cycles/{id}",
    "/api/v1/cycles/{id}/archive",
    "/api/v1/cycles/{id}/restore",
    CycleId,
    NewCycle,
    CyclePatch,
    CycleView,
    CycleQuery,
    list_cycles,
    create_cycle,
    get_cycle,
    update_cycle,
    archive_cycle,
    restore_cycle,
);
crud!(
    as_of,
    objectives,
    "objectives",
    "/api/v1/objectives",
    "/api/v1/objectives/{id}",
    "/api/v1/objectives/{id}/archive",
    "/api/v1/objectives/{id}/restore",
    ObjectiveId,
    NewObjective,
    ObjectivePatch,
    ObjectiveView,
    ObjectiveQuery,
    list_objectives,
    create_objective,
    get_objective,
    update_objective,
    archive_objective,
    restore_objective,
);
crud!(
    plain,
    initiatives,
    "initiatives",
    "/api/v1/initiatives",
    "/api/v1/initiatives/{id}",
    "/api/v1/initiatives/{id}/archive",
    "/api/v1/initiatives/{id}/restore",
    InitiativeId,
    NewInitiative,
    InitiativePatch,
    InitiativeView,
    InitiativeQuery,
    list_initiatives,
    create_initiative,
    get_initiative,
    update_initiative,
    archive_initiative,
    restore_initiative,
);

crud!(
    plain,
    kpis,
    "kpis",
    "/api/v1/kpis",
    "/api/v1/kpis/{id}",
    "/api/v1/kpis/{id}/archive",
    "/api/v1/kpis/{id}/restore",
    KpiId,
    NewKpi,
    KpiPatch,
    KpiView,
    KpiQuery,
    list_kpis,
    create_kpi,
    get_kpi,
    update_kpi,
    archive_kpi,
    restore_kpi,
);

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    let router = teams::routes(router);
    let router = people::routes(router);
    let router = cycles::routes(router);
    let router = objectives::routes(router);
    let router = initiatives::routes(router);
    kpis::routes(router)
}
