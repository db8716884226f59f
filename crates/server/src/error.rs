//! Errors as the API and the pages show them. Internal causes are logged
//! with a reference and never sent to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::{HeaderValue, RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use runcoach_core::plan::FieldError;
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden(&'static str),
    NotFound,
    /// Rate limited; the client may retry after this many seconds.
    TooMany {
        retry_after_s: i64,
    },
    /// Every import slot is taken; retry after this many seconds.
    ImportsFull {
        retry_after_s: i64,
    },
    Invalid(Vec<FieldError>),
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [FieldError]>,
}

impl ApiError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}

impl From<runcoach_store::StoreError> for ApiError {
    fn from(e: runcoach_store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message, fields) = match &self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.as_str(), None),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "sign in first: send the session cookie or an Authorization: Bearer token",
                None,
            ),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, *m, None),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not found", None),
            ApiError::ImportsFull { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "as many imports as the server runs at once are under way (yours or others'); try again after Retry-After seconds",
                None,
            ),
            ApiError::TooMany { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too many attempts; wait as long as Retry-After says and try again",
                None,
            ),
            ApiError::Invalid(f) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "some fields need fixing",
                Some(f.as_slice()),
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "something went wrong on our side; it has been logged",
                    None,
                )
            }
        };
        let mut res = (
            status,
            Json(Body {
                error: message,
                fields,
            }),
        )
            .into_response();
        if let ApiError::TooMany { retry_after_s } | ApiError::ImportsFull { retry_after_s } = self
        {
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_s.max(1)));
        }
        res
    }
}
