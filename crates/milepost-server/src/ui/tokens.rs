//! `/settings/tokens` (admins): API tokens for machines. A new token is shown once,
//! on the page its form answers with; the list shows each token's prefix, role and
//! state; a token is revoked with a button (`app.access()`'s token use cases, as the
//! API's `/api/v1/tokens`).

use super::form::{Fields, Form, Problems, head};
use super::objective_form::{Choice, choices};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::access::{NewApiToken, TokenState, TokenView};
use milepost_app::permission::{self, Action};
use milepost_app::person::Role;
use milepost_app::{App, AppError, Path};
use milepost_core::{Named, TokenId};

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenLine>,
    roles: Vec<Choice>,
    fields: Fields,
    problems: Problems,
    /// The token just made, shown once.
    created: Option<String>,
}

/// A token as the list shows it.
pub struct TokenLine {
    /// Its id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// Its first characters.
    pub prefix: String,
    /// Its role.
    pub role: &'static str,
    /// Its state in words.
    pub state: &'static str,
    /// When it was last used, or "never".
    pub last_used: String,
    /// Whether it works (and so can be revoked).
    pub active: bool,
}

impl TokenLine {
    fn of(token: TokenView) -> TokenLine {
        TokenLine {
            id: token.id.get(),
            prefix: token.prefix,
            role: token.role.as_str(),
            state: match token.state {
                TokenState::Active => "active",
                TokenState::Expired => "expired",
                TokenState::Revoked => "revoked",
            },
            last_used: token
                .last_used_at
                .map_or_else(|| "never".to_owned(), |at| at.strftime("%Y-%m-%d %H:%M UTC").to_string()),
            active: token.state == TokenState::Active,
            name: token.name,
        }
    }
}

async fn tokens_page(
    app: &App,
    viewer: &Viewer,
    fields: Fields,
    problems: Problems,
    created: Option<String>,
) -> Result<TokensPage, AppError> {
    let tokens = app.access().list_tokens(&viewer.caller).await?.into_iter().rev().map(TokenLine::of).collect();
    let roles = choices(
        Role::ALL.iter().map(|r| (r.as_str().to_owned(), r.as_str().to_owned())),
        match fields.text("role") {
            "" => "viewer",
            role => role,
        },
    );
    Ok(TokensPage { layout: Layout::new(viewer, "settings", "API tokens"), tokens, roles, fields, problems, created })
}

/// `GET /settings/tokens`: the tokens and the form for a new one.
pub async fn show_tokens(State(app): State<App>, viewer: Viewer) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    Ok(page(StatusCode::OK, &tokens_page(&app, &viewer, Fields::default(), Problems::default(), None).await?))
}

/// `POST /settings/tokens`: makes a token and shows it, once.
pub async fn create_token(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let mut problems = Problems::default();
    let role = Role::parse(fields.text("role"));
    if role.is_none() {
        problems.add("role", format!("choose one of {}", Role::names()));
    }
    let days = fields.whole("expires_in_days", &mut problems);
    let days = match days.map(u32::try_from) {
        None => None,
        Some(Ok(days)) => Some(days),
        Some(Err(_)) => {
            problems.add("expires_in_days", "give a number of days from 1 to 3650, or leave it empty");
            None
        }
    };
    let status = match role {
        Some(role) if problems.is_empty() => {
            let new = NewApiToken { name: fields.optional("name"), role, expires_in_days: days };
            match app.access().create_token(&viewer.caller, new).await {
                Ok(created) => {
                    let page_ = tokens_page(&app, &viewer, Fields::default(), problems, Some(created.token)).await?;
                    return Ok(page(StatusCode::OK, &page_));
                }
                Err(error) => problems.refused(error, |path: &Path| Some(head(path).to_owned()))?,
            }
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok(page(status, &tokens_page(&app, &viewer, fields, problems, None).await?))
}

/// `POST /settings/tokens/{id}/revoke`: revokes a token; it stops working at once.
pub async fn revoke_token(State(app): State<App>, viewer: Viewer, Id(id): Id<TokenId>) -> PageResult {
    app.access().revoke_token(&viewer.caller, id).await?;
    Ok(see_other("/settings/tokens"))
}
