//! HTML forms: our own extractor for `application/x-www-form-urlencoded` bodies (as
//! `extract.rs` has for JSON), and the problems of a post keyed by form field, so each
//! message is shown next to the field at fault.

use crate::problem::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use milepost_app::{AppError, FieldError, Location, Path, Segment};
use std::collections::HashMap;

/// The fields of a posted form, in order.
#[derive(Debug, Clone, Default)]
pub struct Form(pub Fields);

/// A form's fields by name (the last value of a repeated name wins).
#[derive(Debug, Clone, Default)]
pub struct Fields(HashMap<String, String>);

impl Fields {
    /// Fields with these values: a form shown filled in with what is stored.
    pub fn from_pairs<const N: usize>(pairs: [(&str, String); N]) -> Fields {
        Fields(pairs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect())
    }

    /// The field's value, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.0.get(name).map_or("", |v| v.trim())
    }

    /// The field's value, trimmed, or `None` when absent or blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// Whether the form has the field at all.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// A number field: `None` when blank; a problem recorded under `name` when it is not a number.
    pub fn number(&self, name: &str, problems: &mut Problems) -> Option<f64> {
        number(self.text(name)).unwrap_or_else(|problem| {
            problems.add(name, problem);
            None
        })
    }

    /// A whole-number field (an id, a confidence): `None` when blank.
    pub fn whole(&self, name: &str, problems: &mut Problems) -> Option<i64> {
        let text = self.text(name);
        if text.is_empty() {
            return None;
        }
        match text.parse::<i64>() {
            Ok(value) => Some(value),
            _ => {
                problems.add(name, format!("“{text}” is not a whole number"));
                None
            }
        }
    }
}

/// Reads a number as the forms take it: blank is `None`, thousands separators are
/// ignored (`1,000` is 1000), and anything else that is not a finite number is a problem
/// to show the person.
pub fn number(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.replace(',', "").parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        _ => Err(format!("“{text}” is not a number")),
    }
}

impl From<HashMap<String, String>> for Fields {
    fn from(fields: HashMap<String, String>) -> Self {
        Fields(fields)
    }
}

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the form as application/x-www-form-urlencoded",
            ));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            ApiError::new(rejection.status(), "bad_request", format!("the form could not be read: {rejection}"))
        })?;
        let fields = form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        Ok(Form(Fields(fields)))
    }
}

/// Percent-encodes `text` for a query string.
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The problems of a posted form, by field name; a message without a field (`""`) is
/// shown at the top of the form.
#[derive(Debug, Clone, Default)]
pub struct Problems(HashMap<String, String>);

impl Problems {
    /// Records a problem with `field` (the first one per field is kept).
    pub fn add(&mut self, field: &str, detail: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| detail.into());
    }

    /// The problem with `field`, or empty.
    pub fn of(&self, field: &str) -> &str {
        self.0.get(field).map_or("", String::as_str)
    }

    /// Whether `field` has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems there are.
    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// Records the app's problems, each at the form field `field_of` names for its
    /// place in the request (or at the top of the form when it names none).
    pub fn extend(&mut self, errors: &[FieldError], field_of: impl Fn(&Path) -> Option<String>) {
        for error in errors {
            let field = match &error.location {
                Location::Body(path) => field_of(path).unwrap_or_default(),
                Location::Parameter(name) | Location::Header(name) => name.clone(),
            };
            self.add(&field, error.detail.clone());
        }
    }

    /// Takes what a use case refused, for a form shown again. Every form refuses
    /// through here, so each refusal looks the same on all of them: field problems next
    /// to their fields (422), a stale version or a conflict (409) and a refusal (403) at
    /// the top of the form. Anything else (a missing thing, a bug, an outage) is handed
    /// back for the error page.
    pub fn refused(
        &mut self,
        error: AppError,
        field_of: impl Fn(&Path) -> Option<String>,
    ) -> Result<StatusCode, AppError> {
        match error {
            AppError::Invalid(errors) => {
                self.extend(&errors, field_of);
                Ok(StatusCode::UNPROCESSABLE_ENTITY)
            }
            error @ AppError::Forbidden { .. } => {
                self.add("", error.to_string());
                Ok(StatusCode::FORBIDDEN)
            }
            error @ (AppError::StaleVersion { .. } | AppError::Conflict { .. }) => {
                self.add("", error.to_string());
                Ok(StatusCode::CONFLICT)
            }
            other => Err(other),
        }
    }
}

/// The first step of a path when it is a field (`target` of `/target/0`), or "" for
/// the body itself: most forms name their fields after the request's top-level ones.
pub fn head(path: &Path) -> &str {
    match path.segments().first() {
        Some(Segment::Field(name)) => name,
        _ => "",
    }
}

/// Reads an optional query parameter that a GET form sends empty when nothing is
/// chosen (`?team_id=`): empty is `None`, anything else must parse.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// Like [`empty_as_none`], for one of the names of a [`Named`] enumeration.
pub fn empty_as_none_named<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: milepost_core::Named,
{
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => T::parse(text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not one of {}", T::names()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(error: AppError) -> (Result<StatusCode, AppError>, Problems) {
        let mut problems = Problems::default();
        let status = problems.refused(error, |path| Some(head(path).to_owned()));
        (status, problems)
    }

    #[test]
    fn every_form_refusal_lands_in_one_place_with_one_status() {
        let (status, problems) = refused(AppError::Invalid(vec![
            FieldError::body(Path::root().field("target"), "must be a number"),
            FieldError::body(Path::root(), "the request has a problem of its own"),
        ]));
        assert_eq!(status.unwrap(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problems.of("target"), "must be a number");
        assert_eq!(problems.of(""), "the request has a problem of its own", "a place no field shows is at the top");

        let stale = AppError::StaleVersion { what: "objective", id: 3, current: 5, given: 4 };
        let conflict =
            AppError::Conflict { code: "cycle_closed", detail: "the cycle is closed".into(), location: None };
        let forbidden = AppError::Forbidden { detail: "only its owner may change it".into() };
        for (error, expected) in
            [(stale, StatusCode::CONFLICT), (conflict, StatusCode::CONFLICT), (forbidden, StatusCode::FORBIDDEN)]
        {
            let message = error.to_string();
            let (status, problems) = refused(error);
            assert_eq!(status.unwrap(), expected, "{message}");
            assert_eq!(problems.of(""), message, "shown at the top of the form");
            assert_eq!(problems.count(), 1);
        }

        let (status, problems) = refused(AppError::NotFound { what: "objective", id: "9".into() });
        assert!(matches!(status, Err(AppError::NotFound { .. })), "a missing thing is the error page's");
        assert!(problems.is_empty());
    }
}
