//! Extractors whose refusals are JSON too. Bodies: malformed → 400, wrong
//! shape → 422 naming the problem, too large → 413; query strings → 422.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError::Invalid(vec![runcoach_core::plan::FieldError {
                    field: "body",
                    message: e.body_text().replace(
                        "Failed to deserialize the JSON body into the target type: ",
                        "",
                    ),
                }])
                .into_response())
            }
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::BadRequest(format!(
                "malformed JSON: {}",
                e.body_text()
            ))
            .into_response()),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::coded(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send JSON with Content-Type: application/json",
            )
            .into_response()),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::coded(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "request body is larger than {} KiB",
                        super::BODY_LIMIT / 1024
                    ),
                )
                .into_response())
            }
            Err(other) => Err(ApiError::BadRequest(other.body_text()).into_response()),
        }
    }
}

/// A query-string extractor whose refusals are JSON like every other API
/// error (axum's own answer is a plain-text 400): 422 naming the problem.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError::Invalid(vec![runcoach_core::plan::FieldError {
                field: "query",
                message: e
                    .body_text()
                    .replace("Failed to deserialize query string: ", ""),
            }])),
        }
    }
}
