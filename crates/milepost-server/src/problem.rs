//! The one place where errors become HTTP responses: `application/problem+json`
//! (RFC 9457) with a stable `code`, a sentence saying what is wrong, and for input
//! errors the place of each problem (`pointer` into the body, or `parameter`).
//! Storage failures are logged here, once, and the client gets no internals: a database
//! that cannot be reached is a 503 with `Retry-After`; anything unexpected (a bug, a
//! stored value that cannot be read) is a 500 whose error id is in the log beside the
//! details and in the answer, so a person can report it and an operator find it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use milepost_app::{AppError, FieldError, Location, Path, Segment};
use serde::Serialize;
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder, ResponsesBuilder};

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `/problems/<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What is wrong here, in a sentence.
    pub detail: String,
    /// A stable machine-readable code: `invalid`, `not_found`, `stale_version` …
    pub code: String,
    /// Each problem with the input and where it is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The seconds a 503 asks the client to wait (`Retry-After`) before trying again.
pub const RETRY_AFTER_SECS: u64 = 1;

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    retry_after: Option<u64>,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
}

impl ApiError {
    /// An error with a status, a code and a sentence.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError { status, retry_after: None, code, detail: detail.into(), errors: Vec::new() }
    }

    /// A 503: the database is unavailable; the client may retry after [`RETRY_AFTER_SECS`].
    pub fn unavailable(detail: impl Into<String>) -> ApiError {
        ApiError {
            retry_after: Some(RETRY_AFTER_SECS),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
        }
    }

    /// A 500: something unexpected went wrong. The details go to the log with a new
    /// error id; the client gets the id, never the details.
    pub fn internal(what: &'static str, error: &dyn std::fmt::Display) -> ApiError {
        let id = error_id();
        tracing::error!(error_id = %id, error = %error, "{what}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("something went wrong on the server; it has been logged with error id {id}"),
        )
    }

    /// A 400 about one request parameter or header.
    pub fn bad_request(location: Location, detail: impl Into<String>) -> ApiError {
        let detail = detail.into();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            retry_after: None,
            code: "bad_request",
            errors: vec![FieldError { location, detail: detail.clone() }],
            detail,
        }
    }

    /// A 422 about one place in the body.
    pub fn invalid_body(path: Path, detail: impl Into<String>) -> ApiError {
        let detail = detail.into();
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            retry_after: None,
            code: "invalid",
            errors: vec![FieldError { location: Location::Body(path), detail: detail.clone() }],
            detail,
        }
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What is wrong, in a sentence.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Each problem with the input and where it is.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// Names the row of a batch in each problem whose path starts with a row's index
    /// (`/41/value` is row 42), so a person finds the line to fix.
    pub fn with_row_numbers(mut self) -> ApiError {
        let row_of = |location: &Location| match location {
            Location::Body(path) => match path.segments().first() {
                Some(Segment::Index(index)) => Some(*index),
                _ => None,
            },
            _ => None,
        };
        for error in &mut self.errors {
            if let Some(index) = row_of(&error.location)
                && !error.detail.starts_with("row ")
            {
                error.detail = format!("row {}: {}", index + 1, error.detail);
            }
        }
        if let [one] = self.errors.as_slice() {
            self.detail = one.detail.clone();
        }
        self
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let code = error.code();
        match error {
            AppError::Invalid(errors) => {
                let query_only = errors.iter().all(|e| !matches!(e.location, Location::Body(_)));
                // Problems with parameters are a 400 `bad_request`, whichever layer finds them.
                let (status, code) = if query_only {
                    (StatusCode::BAD_REQUEST, "bad_request")
                } else {
                    (StatusCode::UNPROCESSABLE_ENTITY, code)
                };
                let detail = AppError::Invalid(errors.clone()).to_string();
                ApiError { status, retry_after: None, code, detail, errors }
            }
            AppError::NotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, code, error.to_string()),
            AppError::StaleVersion { .. } => ApiError::new(StatusCode::CONFLICT, code, error.to_string()),
            AppError::Unauthenticated { .. } => ApiError::new(StatusCode::UNAUTHORIZED, code, error.to_string()),
            AppError::Forbidden { .. } => ApiError::new(StatusCode::FORBIDDEN, code, error.to_string()),
            AppError::TooManyRequests { retry_after_secs, .. } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, error.to_string())
            },
            AppError::Conflict { ref location, .. } => {
                let errors = location
                    .clone()
                    .map(|location| vec![FieldError { location, detail: error.to_string() }])
                    .unwrap_or_default();
                ApiError { status: StatusCode::CONFLICT, retry_after: None, code, detail: error.to_string(), errors }
            }
            AppError::DiskFull => {
                tracing::error!("the database's disk is full: a write was refused");
                ApiError::new(StatusCode::INSUFFICIENT_STORAGE, code, error.to_string())
            }
            AppError::Store(ref store) if store.is_unavailable() => {
                tracing::error!(error = %store, "the database is unavailable");
                ApiError::unavailable("the database could not complete the request; try again shortly")
            }
            AppError::Store(ref store) => ApiError::internal("unexpected storage failure", store),
        }
    }
}

/// A fresh id for one logged error: 16 hex digits, unique enough to find its line in
/// the log.
fn error_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_owned()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            type_uri: format!("/problems/{}", self.code),
            title: title(self.status),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_owned(),
            errors: self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"milepost\""));
        }
        response
    }
}

/// The error answers every API operation may give, for the OpenAPI document.
pub struct ErrorResponses;

impl utoipa::IntoResponses for ErrorResponses {
    fn responses() -> std::collections::BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
        let problem = || ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("Problem"))).build();
        let cases = [
            ("400", "The request's parameters or headers are wrong"),
            ("401", "Not logged in: send Authorization: Bearer <token>, or log in for a session cookie"),
            ("403", "The caller's role does not allow this, or a cookie request came from another site"),
            ("404", "No such thing in this workspace"),
            ("405", "The method is not allowed here"),
            ("409", "Someone else changed it first, or it clashes with the state of things"),
            ("413", "The request body is too large"),
            ("415", "The request body is not JSON"),
            ("422", "The request body is wrong; `errors` says where"),
            ("429", "Too many failed logins; wait as long as Retry-After says"),
            ("503", "The database is unavailable; try again after Retry-After seconds"),
            ("507", "The server's disk is full: nothing was saved"),
        ];
        let mut builder = ResponsesBuilder::new();
        for (status, description) in cases {
            builder = builder.response(
                status,
                ResponseBuilder::new().description(description).content(PROBLEM_JSON, problem()).build(),
            );
        }
        builder.build().into()
    }
}
