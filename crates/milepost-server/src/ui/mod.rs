//! The web app: server-rendered pages (askama templates in `templates/`) over the same
//! app functions the JSON API calls, with progressive enhancement from `static/`.
//! Every page needs a logged-in session ([`Viewer`]); without one it redirects to
//! `/login`. Every form post must come from this site ([`Viewer`] refuses cross-site
//! unsafe requests with 403, as the API does for cookies). Pages carry their own
//! Content-Security-Policy, relaxed from the API's only as far as the pages need.

mod alignment;
mod as_of;
mod assets;
mod carry;
mod check_in;
mod comments;
mod cycle;
mod cycle_close;
mod cycle_form;
mod dashboard;
mod error_budget;
mod form;
mod initiative;
mod invitation;
mod key_result;
mod kpi;
mod kpi_form;
mod kpi_recover;
mod kpi_source;
mod kpi_tree;
mod lists;
mod objective;
mod objective_form;
mod owner;
mod paging;
mod people;
mod review;
mod search;
mod session;
mod settings;
mod setup;
mod team_tree;
mod teams;
mod tokens;
mod view;

use crate::extract::{refuse_cross_site, session_cookie};
use crate::problem::ApiError;
use askama::Template;
use axum::Router;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use milepost_app::session::SessionView;
use milepost_app::{App, AppError, Caller};

/// The pages' Content-Security-Policy: own scripts, styles and images (and `data:`
/// images, which Pico's icons are), own form targets, nothing inline, no frames.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The web app's routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(dashboard::show_dashboard))
        .route("/login", get(session::show_login).post(session::log_in))
        .route("/logout", post(session::log_out))
        .route("/search", get(search::show_search))
        .route("/setup", get(setup::show_setup).post(setup::save_setup))
        .route("/getting-started", get(setup::show_getting_started))
        .route("/invitations/{secret}", get(invitation::show_invitation).post(invitation::accept_invitation))
        .route("/settings", get(settings::show_settings).post(settings::save_settings))
        .route("/settings/teams", get(teams::show_teams).post(teams::create_team))
        .route("/settings/teams/{id}", get(teams::show_team).post(teams::save_team))
        .route("/settings/teams/{id}/archive", post(teams::archive_team))
        .route("/settings/people", get(people::show_people).post(people::invite_person))
        .route("/settings/people/{id}", get(people::show_person).post(people::save_person))
        .route("/settings/people/{id}/archive", post(people::archive_person))
        .route("/settings/people/{id}/password", post(people::reset_password))
        .route("/settings/tokens", get(tokens::show_tokens).post(tokens::create_token))
        .route("/settings/tokens/{id}/revoke", post(tokens::revoke_token))
        .route("/people/options", get(owner::people_options))
        .route("/objectives/{id}/archive", post(settings::archive_objective))
        .route("/key-results/{id}/archive", post(settings::archive_key_result))
        .route("/objectives/{id}/comments", post(comments::save_objective_comment))
        .route("/key-results/{id}/comments", post(comments::save_key_result_comment))
        .route("/check-ins/{id}/comments", post(comments::save_check_in_comment))
        .route("/comments/{id}/delete", post(comments::delete_comment))
        .route("/inbox", get(comments::show_inbox))
        .route("/inbox/dismiss", post(comments::dismiss_inbox_item))
        .route("/alignment", get(alignment::show_alignment))
        .route("/alignment/teams/{id}", get(alignment::show_alignment_team))
        .route("/check-in", get(check_in::show_check_in).post(check_in::save_check_in))
        .route("/kpis", get(kpi::show_kpis))
        .route("/kpis/new", get(kpi_form::show_new_kpi).post(kpi_form::save_new_kpi))
        .route("/kpis/{id}", get(kpi::show_kpi))
        .route("/kpis/{id}/edit", get(kpi_form::show_edit_kpi).post(kpi_form::save_kpi))
        .route("/kpis/{id}/recover", get(kpi_recover::show_recover).post(kpi_recover::save_recover))
        .route("/kpis/{id}/measurements", post(kpi_recover::record_measurements))
        .route("/kpis/{id}/source", get(kpi_source::show_source).post(kpi_source::save_source))
        .route("/kpis/{id}/source/run", post(kpi_source::run_source))
        .route("/kpis/{id}/source/remove", post(kpi_source::remove_source))
        .route("/cycles", get(cycle::show_cycles))
        .route("/cycles/new", get(cycle_form::show_new_cycle).post(cycle_form::save_new_cycle))
        .route("/cycles/{id}", get(cycle::show_cycle))
        .route("/cycles/{id}/edit", get(cycle_form::show_edit_cycle).post(cycle_form::save_cycle))
        .route("/cycles/{id}/carry", get(carry::show_carry).post(carry::save_carry))
        .route("/cycles/{id}/reopen", get(cycle_form::show_reopen_cycle).post(cycle_form::save_reopen_cycle))
        .route("/cycles/{id}/close", get(cycle_close::show_close_cycle).post(cycle_close::save_close_cycle))
        .route("/settings/scoring", get(cycle_close::show_scoring).post(cycle_close::save_scoring))
        .route("/cycles/{id}/report.md", get(review::download_report_md))
        .route("/cycles/{id}/report.html", get(review::download_report_html))
        .route("/cycles/{id}/report.csv", get(review::download_report_csv))
        .route("/cycles/{id}/report.json", get(review::download_report_json))
        .route("/objectives/{id}/retrospective", get(review::show_retrospective).post(review::save_retrospective))
        .route("/objectives", get(lists::show_objectives))
        .route("/objectives/new", get(objective_form::show_new_objective).post(objective_form::save_new_objective))
        .route("/objectives/{id}", get(objective::show_objective))
        .route("/objectives/{id}/edit", get(objective_form::show_edit_objective).post(objective_form::save_objective))
        .route("/objectives/{id}/rollup", post(objective_form::save_rollup))
        .route(
            "/objectives/{id}/key-results/new",
            get(objective_form::show_new_key_result).post(objective_form::save_new_key_result),
        )
        .route(
            "/objectives/{id}/initiatives/new",
            get(initiative::show_new_initiative).post(initiative::save_new_initiative),
        )
        .route("/initiatives/{id}/edit", get(initiative::show_edit_initiative).post(initiative::save_initiative))
        .route("/key-results/at-risk", get(lists::show_at_risk_key_results))
        .route("/key-results/parse", get(objective_form::parse_sentence))
        .route("/key-results/{id}/edit", get(key_result::show_edit_key_result).post(key_result::save_key_result))
        .route("/key-results/{id}/reread", get(key_result::reread_sentence))
        .route("/static/{*path}", get(assets::static_file))
}

/// The person logged in, for a page: their caller and session. Without a session a
/// page redirects to `/login`; an unsafe request from another site is refused.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who asks, as the app functions take it.
    pub caller: Caller,
    /// The session: workspace and person.
    pub session: SessionView,
    /// How many items wait in the person's inbox, for the navigation.
    pub inbox: usize,
}

impl<S> FromRequestParts<S> for Viewer
where
    S: Send + Sync,
    App: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        refuse_cross_site(parts).map_err(|error| PageError::from(error).into_response())?;
        let to_login = || {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let next = if parts.method.is_safe() { next } else { "/" };
            Redirect::to(&format!("/login?next={}", form::encode(next))).into_response()
        };
        let app = App::from_ref(state);
        let Some(secret) = session_cookie(&parts.headers) else {
            // An installation with no workspace yet has nobody to log in: its set-up first.
            return match app.first_run().needed().await {
                Ok(true) => Err(see_other("/setup")),
                Ok(false) => Err(to_login()),
                Err(error) => Err(PageError::from(error).into_response()),
            };
        };
        match app.access().authenticate_session(&secret).await {
            Ok((caller, session)) => {
                // The inbox's count is a courtesy of the navigation: a page still shows
                // when it cannot be counted.
                let inbox = match app.inbox().count(&caller).await {
                    Ok(count) => count,
                    Err(error) => {
                        tracing::warn!(%error, "the inbox could not be counted for the navigation");
                        0
                    }
                };
                Ok(Viewer { caller, session, inbox })
            }
            Err(AppError::Unauthenticated { .. }) => Err(to_login()),
            Err(error) => Err(PageError::from(error).into_response()),
        }
    }
}

/// The frame every page shares: who is logged in and which part of the nav bar is current.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The person's name.
    pub person: String,
    /// The workspace's slug.
    pub workspace: String,
    /// The nav bar entry of this page: `dashboard`, `alignment`, `check-in`, `cycles`, `new`, `settings`.
    pub nav: &'static str,
    /// Whether the person is an admin (the nav shows the settings).
    pub admin: bool,
    /// The page's title.
    pub title: String,
    /// How many items wait in the person's inbox.
    pub inbox: usize,
    /// On the pages that can show the past: the date picker and, when they do, the
    /// banner (`as_of.rs`).
    pub time: Option<as_of::TimeTravel>,
}

impl Layout {
    /// The frame for `viewer` on the page `nav` titled `title`.
    pub fn new(viewer: &Viewer, nav: &'static str, title: impl Into<String>) -> Layout {
        Layout {
            person: viewer.session.person.name.clone(),
            workspace: viewer.session.workspace.clone(),
            admin: viewer.caller.role == milepost_app::person::Role::Admin,
            nav,
            title: title.into(),
            inbox: viewer.inbox,
            time: None,
        }
    }

    /// The query text that links inside a page showing the past add to keep it
    /// (`?as_of=…`); nothing on a page of today.
    pub fn keep(&self) -> &str {
        self.time.as_ref().map_or("", |t| t.keep.as_str())
    }

    /// `aria-current="page"` for the settings tab titled `title` on its page.
    pub fn current_title(&self, title: &str) -> &'static str {
        if self.title == title { "page" } else { "false" }
    }

    /// `aria-current="page"` for the nav entry of this page.
    pub fn current(&self, entry: &str) -> &'static str {
        if self.nav == entry { "page" } else { "false" }
    }
}

/// Renders a template as an HTML page with `status` and the pages' CSP.
pub fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => {
            let mut response = (status, body).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the page could not be rendered")
                .into_response()
        }
    }
}

/// A page's answer after a successful form post: 303 See Other to `location`.
pub fn see_other(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    response
}

/// The page shown when something goes wrong: the status and its sentence.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    detail: String,
}

/// Why a page could not be shown: rendered as an HTML page with the API's status.
#[derive(Debug)]
pub struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError(error)
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError(ApiError::from(error))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status == StatusCode::UNAUTHORIZED {
            return see_other("/login");
        }
        let template = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            detail: self.0.detail().to_owned(),
        };
        page(status, &template)
    }
}

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;
