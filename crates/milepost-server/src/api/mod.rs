//! The JSON API under `/api/v1`. Each handler parses the request with our extractors,
//! calls one app function and returns its view; the OpenAPI document is generated from
//! these handlers' annotations, so it cannot drift from them.

mod access;
mod calibration;
mod carry;
mod comments;
mod crud;
mod cycles;
mod health;
mod key_results;
mod kpis;
mod okr_files;
pub(crate) mod reminders;
pub(crate) mod review;
mod search;
pub(crate) mod session;
mod webhooks;
mod workspaces;

use crate::problem::Problem;
use axum::Router;
use milepost_app::App;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// A body that carries only the version a change is based on.
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// The version the change is based on.
    pub version: i64,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Milepost API",
        description = "OKRs and KPIs: workspaces, teams, people, cycles, objectives, key results, check-ins, initiatives and KPIs. \
            Errors are application/problem+json. Lists page with `limit` and `after`. Changes carry the `version` they are \
            based on; a stale one gets 409.",
    ),
    components(schemas(Problem, milepost_app::as_of::Known)),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "workspaces", description = "The workspace a token acts in"),
        (name = "reminders", description = "Reminders of the weekly check-in"),
        (name = "access", description = "API tokens and the audit trail (admins)"),
        (name = "session", description = "Logging in with email and password"),
        (name = "teams", description = "Teams in a tree"),
        (name = "people", description = "People and their roles"),
        (name = "cycles", description = "Time-boxed periods"),
        (name = "objectives", description = "Objectives and their alignment"),
        (name = "key-results", description = "Key results with progress and status"),
        (name = "check-ins", description = "The weekly word on a key result"),
        (name = "initiatives", description = "Work that moves key results"),
        (name = "okr-files", description = "OKRs as plain-text files: apply and export"),
        (name = "kpis", description = "KPIs: definitions, measurements, series and the board"),
        (name = "comments", description = "Comments with @mentions on objectives, key results and check-ins"),
        (name = "inbox", description = "What waits for the caller: check-ins due, mentions, replies, trouble"),
        (name = "search", description = "Full-text search over objectives, key results, KPIs, people and teams"),
        (name = "webhooks", description = "Signed webhooks from a durable outbox, their deliveries and retries (admins)"),
    )
)]
struct ApiDoc;

/// Declares the two ways to authenticate: a bearer token, or a browser's session cookie.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token: `milepost token create --workspace SLUG --role ROLE`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::extract::SESSION_COOKIE,
                "The session cookie set by POST /api/v1/session",
            ))),
        );
    }
}

/// The API's routes and its OpenAPI document.
pub fn routes() -> (Router<App>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let router = health::routes(router);
    let router = workspaces::routes(router);
    let router = access::routes(router);
    let router = session::routes(router);
    let router = crud::routes(router);
    let router = key_results::routes(router);
    let router = okr_files::routes(router);
    let router = kpis::routes(router);
    let router = calibration::routes(router);
    let router = cycles::routes(router);
    let router = carry::routes(router);
    let router = review::routes(router);
    let router = search::routes(router);
    let router = comments::routes(router);
    let router = reminders::routes(router);
    let router = webhooks::routes(router);
    router.split_for_parts()
}
