//! Our own extractors. axum's `Json`, `Query` and `Path` answer bad input with plain
//! text; these answer with a problem document that says what is wrong and where (a
//! JSON pointer into the body, or the parameter's name). clippy.toml bans the raw ones.

use crate::problem::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use milepost_app::{App, Caller, Location, Path};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON body in, or a JSON body out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Where serde stopped, as the app's [`Path`].
fn body_path(at: &serde_path_to_error::Path) -> Path {
    at.iter().fold(Path::root(), |path, segment| match segment {
        serde_path_to_error::Segment::Seq { index } => path.index(*index),
        serde_path_to_error::Segment::Map { key } | serde_path_to_error::Segment::Enum { variant: key } => {
            path.field(key.as_str())
        }
        serde_path_to_error::Segment::Unknown => path.field("?"),
    })
}

/// Reads serde's message without its "at line 1 column 7" tail, which the pointer
/// already says better.
fn plain_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .is_some_and(|v| v.eq_ignore_ascii_case("application/json") || v.ends_with("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with the header Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "too_large", "the request body is larger than this endpoint accepts")
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("the request body could not be read: {rejection}"),
                )
            }
        })?;
        from_json_slice(&bytes).map(Json)
    }
}

/// A body a client may send as CSV text or as a JSON document.
pub enum CsvOrJson {
    /// `text/csv`, as text.
    Csv(String),
    /// `application/json`, as bytes for [`from_json_slice`].
    Json(Bytes),
}

/// Reads a whole body sent as `text/csv` or `application/json`, at most `limit`
/// bytes. `what` names what the body holds (`the check-ins`), for the 415 that another
/// media type gets; `too_large` is the sentence of the 413 for a body over the limit.
pub async fn csv_or_json(request: Request, limit: usize, what: &str, too_large: String) -> Result<CsvOrJson, ApiError> {
    let media = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let csv = media == "text/csv";
    if !csv && media != "application/json" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send {what} as CSV (Content-Type: text/csv) or as a JSON array (Content-Type: application/json)"),
        ));
    }
    let bytes = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", too_large))?;
    if !csv {
        return Ok(CsvOrJson::Json(bytes));
    }
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Ok(CsvOrJson::Csv(text)),
        Err(_) => Err(ApiError::invalid_body(Path::root(), "the CSV body is not UTF-8 text")),
    }
}

/// Reads a JSON body already in hand, with the same problems as [`Json`]: a JSON
/// pointer to the place at fault and a sentence saying what is wrong there.
pub fn from_json_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    if value.is_ok()
        && let Err(error) = deserializer.end()
    {
        return Err(ApiError::invalid_body(Path::root(), format!("the body is not valid JSON: {error}")));
    }
    match value {
        Ok(value) => Ok(value),
        Err(error) => {
            let path = body_path(error.path());
            let inner = error.into_inner();
            let detail = if inner.is_syntax() || inner.is_eof() {
                format!("the body is not valid JSON: {inner}")
            } else {
                plain_message(&inner)
            };
            Err(ApiError::invalid_body(path, detail))
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(error) => {
                tracing::error!(%error, "a response could not be written as JSON");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the response could not be written")
                    .into_response()
            }
        }
    }
}

/// Query-string parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(Query).map_err(|error| {
            let name = error.path().iter().next().map_or_else(|| "query".to_owned(), |s| s.to_string());
            let inner = error.into_inner().to_string();
            ApiError::bad_request(Location::Parameter(name), format!("bad query parameter: {inner}"))
        })
    }
}

/// The id in a path such as `/api/v1/objectives/{id}`, as the id type of what the
/// path names (`Id<ObjectiveId>`): a whole number above zero, or a 400 that says so.
#[derive(Debug, Clone, Copy)]
pub struct Id<T>(pub T);

impl<S: Send + Sync, T: From<i64>> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request(Location::Parameter("id".into()), "this path takes an id"))?;
        let (name, value) = params
            .iter()
            .next()
            .ok_or_else(|| ApiError::bad_request(Location::Parameter("id".into()), "this path takes an id"))?;
        match value.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Id(T::from(id))),
            _ => Err(ApiError::bad_request(
                Location::Parameter(name.to_owned()),
                format!("{value:?} is not an id: ids are whole numbers above zero"),
            )),
        }
    }
}

/// The slug in a path such as `/api/v1/workspaces/{slug}`.
#[derive(Debug, Clone)]
pub struct Slug(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Slug {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request(Location::Parameter("slug".into()), "this path takes a slug"))?;
        let (_, value) = params
            .iter()
            .next()
            .ok_or_else(|| ApiError::bad_request(Location::Parameter("slug".into()), "this path takes a slug"))?;
        Ok(Slug(value.to_owned()))
    }
}

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "milepost_session";

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

/// Refuses a request that a browser sent from another site: CSRF protection for
/// everything a cookie authenticates. Browsers say where a request comes from with
/// `Sec-Fetch-Site` (and `Origin`); clients that are not browsers send neither, and
/// carry no ambient cookie to abuse.
pub fn refuse_cross_site(parts: &Parts) -> Result<(), ApiError> {
    if parts.method.is_safe() {
        return Ok(());
    }
    let refused = || {
        ApiError::from(milepost_app::AppError::Forbidden {
            detail: "this request came from another site; it is refused to protect your session".to_owned(),
        })
    };
    if let Some(site) = parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return if matches!(site, "same-origin" | "none") { Ok(()) } else { Err(refused()) };
    }
    if let Some(origin) = parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        return if origin_host == host { Ok(()) } else { Err(refused()) };
    }
    Ok(())
}

/// The address a request came from, for rate limiting logins.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string());
        Ok(ClientAddress(address))
    }
}

/// The caller of a request, from its `Authorization: Bearer <token>` header (the
/// workspace the token acts in and the role it acts with) or, without one, from its
/// session cookie (the person logged in, their team and role). Every workspace-scoped
/// handler takes one, so no handler can forget to authenticate.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl<S> FromRequestParts<S> for Authenticated
where
    S: Send + Sync,
    App: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let missing = || {
            ApiError::from(milepost_app::AppError::Unauthenticated {
                detail:
                    "log in (POST /api/v1/session), or send an API token in the header Authorization: Bearer mp_…; \
                         an admin makes one with `milepost token create --workspace SLUG --role ROLE`"
                        .to_owned(),
            })
        };
        let app = App::from_ref(state);
        let Some(header) = parts.headers.get(header::AUTHORIZATION) else {
            // No token: a browser's session cookie, if it has one.
            let cookie = session_cookie(&parts.headers).ok_or_else(missing)?;
            refuse_cross_site(parts)?;
            let (caller, _) = app.access().authenticate_session(&cookie).await?;
            return Ok(Authenticated(caller));
        };
        let value = header.to_str().map_err(|_| missing())?.trim();
        let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(missing());
        }
        Ok(Authenticated(app.access().authenticate_token(token.trim()).await?))
    }
}
