//! Errors as the API and the pages show them. Internal causes are logged
//! with a reference and never sent to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::{HeaderValue, RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use runcoach_app::accounts::AccountError;
use runcoach_app::accounts::email::LinkError;
use runcoach_app::affiliates::AffiliateError;
use runcoach_app::coaching::CoachingError;
use runcoach_app::coaching::access::AccessError;
use runcoach_app::plans::edits::EditError;
use runcoach_core::plan::FieldError;

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
    /// An error with a stable snake_case `error` code and a sentence in
    /// `message` (the shape every error takes as the API moves to it),
    /// plus any fields of its own (`quote`, `products`).
    Coded {
        status: StatusCode,
        code: &'static str,
        message: String,
        extra: Option<serde_json::Value>,
    },
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

impl ApiError {
    pub fn coded(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Coded {
            status,
            code,
            message: message.into(),
            extra: None,
        }
    }
}

impl From<runcoach_app::shop::ShopError> for ApiError {
    fn from(e: runcoach_app::shop::ShopError) -> Self {
        use runcoach_app::shop::ShopError as E;
        let message = e.to_string();
        match e {
            E::Coupon(c) => ApiError::coded(StatusCode::UNPROCESSABLE_ENTITY, c.code(), message),
            E::Invalid(fields) => ApiError::Invalid(fields),
            E::NotFound => ApiError::NotFound,
            E::Forbidden => ApiError::coded(StatusCode::FORBIDDEN, "forbidden", message),
            E::TotalChanged(quote) => ApiError::Coded {
                status: StatusCode::CONFLICT,
                code: "total_changed",
                message: "the total changed since you saw it; here is the new quote".into(),
                extra: Some(serde_json::json!({ "quote": quote })),
            },
            E::EntitlementRequired(products) => ApiError::Coded {
                status: StatusCode::PAYMENT_REQUIRED,
                code: "entitlement_required",
                message,
                extra: Some(serde_json::json!({ "products": products })),
            },
            E::Conflict(code, message) => ApiError::coded(StatusCode::CONFLICT, code, message),
            E::Payment(cause) => {
                tracing::error!(%cause, "payment provider failed");
                ApiError::coded(
                    StatusCode::BAD_GATEWAY,
                    "payment_provider_unavailable",
                    "the payment provider did not answer; nothing was charged, try again",
                )
            }
            E::Store(e) => ApiError::internal(e),
        }
    }
}

impl From<LinkError> for ApiError {
    fn from(e: LinkError) -> Self {
        match e {
            LinkError::Invalid => ApiError::invalid("token", e.to_string()),
            LinkError::AccountExists => {
                ApiError::coded(StatusCode::CONFLICT, "account_exists", e.to_string())
            }
            LinkError::Store(e) => e.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(fields) => ApiError::Invalid(fields),
            AccountError::Locked { retry_after_s } => ApiError::TooMany { retry_after_s },
            AccountError::Unknown => ApiError::Unauthorized,
            AccountError::Link(e) => e.into(),
            AccountError::Store(e) => e.into(),
        }
    }
}

impl From<runcoach_app::plans::PlanError> for ApiError {
    fn from(e: runcoach_app::plans::PlanError) -> Self {
        use runcoach_app::plans::PlanError as E;
        match e {
            E::Invalid(fields) => ApiError::Invalid(fields),
            E::Shop(e) => e.into(),
            E::Store(e) => e.into(),
        }
    }
}

impl From<runcoach_app::log::LogError> for ApiError {
    fn from(e: runcoach_app::log::LogError) -> Self {
        use runcoach_app::log::LogError as E;
        match e {
            E::NotFound => ApiError::NotFound,
            E::Invalid(fields) => ApiError::Invalid(fields),
            E::Access(e) => e.into(),
            E::Edit(e) => e.into(),
            E::Store(e) => e.into(),
        }
    }
}

impl From<EditError> for ApiError {
    fn from(e: EditError) -> Self {
        let message = e.to_string();
        match e {
            EditError::NotFound => ApiError::NotFound,
            EditError::Forbidden => ApiError::coded(StatusCode::FORBIDDEN, "forbidden", message),
            EditError::Invalid(op) => ApiError::Coded {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_edit",
                message,
                extra: Some(serde_json::json!({ "fields": [op] })),
            },
            EditError::Violations(v) => ApiError::Coded {
                status: StatusCode::CONFLICT,
                code: "guardrail_violations",
                message,
                extra: Some(serde_json::json!({ "violations": v })),
            },
            EditError::Changed => ApiError::coded(StatusCode::CONFLICT, "plan_changed", message),
            EditError::Store(e) => ApiError::internal(e),
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        CoachingError::from(e).into()
    }
}

impl From<CoachingError> for ApiError {
    fn from(e: CoachingError) -> Self {
        let message = e.to_string();
        match e {
            CoachingError::Invalid(fields) => ApiError::Invalid(fields),
            CoachingError::NotFound => ApiError::NotFound,
            CoachingError::Forbidden(_) => {
                ApiError::coded(StatusCode::FORBIDDEN, "forbidden", message)
            }
            CoachingError::Conflict(code, message) => {
                ApiError::coded(StatusCode::CONFLICT, code, message)
            }
            CoachingError::PaymentRequired(code, message) => {
                ApiError::coded(StatusCode::PAYMENT_REQUIRED, code, message)
            }
            CoachingError::Guardrails(violations) => ApiError::Coded {
                status: StatusCode::CONFLICT,
                code: "guardrail_violations",
                message: format!("{message}; send accept_warnings: true to save it anyway"),
                extra: Some(serde_json::json!({ "violations": violations })),
            },
            CoachingError::Store(e) => ApiError::internal(e),
        }
    }
}

impl From<AffiliateError> for ApiError {
    fn from(e: AffiliateError) -> Self {
        let message = e.to_string();
        match e {
            AffiliateError::Invalid(fields) => ApiError::Invalid(fields),
            AffiliateError::NotFound => ApiError::NotFound,
            AffiliateError::Forbidden => {
                ApiError::coded(StatusCode::FORBIDDEN, "forbidden", message)
            }
            AffiliateError::Conflict(code, message) => {
                ApiError::coded(StatusCode::CONFLICT, code, message)
            }
            AffiliateError::Store(e) => ApiError::internal(e),
        }
    }
}

impl From<runcoach_store::StoreError> for ApiError {
    fn from(e: runcoach_store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl ApiError {
    /// Status, stable code and sentence: the one mapping every error body
    /// follows (`{"error": code, "message": sentence, "fields"?: [...]}`).
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Coded {
                status,
                code,
                message,
                ..
            } => (*status, code, message.clone()),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "sign in first: send the session cookie or an Authorization: Bearer token".into(),
            ),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", (*m).into()),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", "not found".into()),
            ApiError::ImportsFull { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "imports_busy",
                "as many imports as the server runs at once are under way (yours or others'); try again after Retry-After seconds".into(),
            ),
            ApiError::TooMany { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many attempts; wait as long as Retry-After says and try again".into(),
            ),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "some fields need fixing".into(),
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "something went wrong on our side; it has been logged".into(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let mut body = serde_json::json!({ "error": code, "message": message });
        if let Some(map) = body.as_object_mut() {
            match &self {
                ApiError::Invalid(fields) => {
                    map.insert("fields".into(), serde_json::json!(fields));
                }
                ApiError::Coded {
                    extra: Some(serde_json::Value::Object(extra)),
                    ..
                } => map.extend(extra.clone()),
                _ => {}
            }
        }
        let mut res = (status, Json(body)).into_response();
        if let ApiError::TooMany { retry_after_s } | ApiError::ImportsFull { retry_after_s } = self
        {
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_s.max(1)));
        }
        res
    }
}
