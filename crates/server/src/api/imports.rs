//! The imports API: uploads (streamed to disk, then queued as durable
//! import jobs run by `runcoach_app::imports`), their status, the stored
//! activities and the history summary. The job's row in the database is
//! the source of truth, so any app server answers `GET /api/v1/imports/{id}`.

use axum::Json;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use runcoach_app::imports::status::{ActivityItem, ImportStatus, status_of};
use runcoach_core::history::HistorySummary;
use runcoach_store::activities;
use serde::{Deserialize, Serialize};

use super::json::ApiQuery;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::web::uploads::{receive, start_upload_import};

#[derive(Serialize)]
pub struct Started {
    pub id: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<Started>), Response> {
    // Not multipart, or no boundary: a JSON error like every other.
    let multipart = multipart.map_err(|r| {
        let code = if r.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            "unsupported_media_type"
        } else {
            "bad_request"
        };
        ApiError::coded(
            r.status(),
            code,
            format!("send the files as multipart/form-data: {}", r.body_text()),
        )
        .into_response()
    })?;
    let ticket = state
        .imports
        .reserve(&user.user.id)
        .map_err(IntoResponse::into_response)?;
    let upload = receive(&state, multipart).await?;
    let id = start_upload_import(&state, &user.user.id, upload, ticket)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((StatusCode::ACCEPTED, Json(Started { id })))
}

pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<ImportStatus>, ApiError> {
    let detail = status_of(&state.db, &user.user.id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(detail.status))
}

#[derive(Deserialize)]
pub struct Range {
    pub from: Option<String>,
    pub to: Option<String>,
}

fn day_start_ms(d: Date) -> i64 {
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_millisecond())
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (both days included, UTC); either may be left out.
pub fn parse_range(q: &Range) -> Result<(i64, i64), ApiError> {
    let mut errors = Vec::new();
    let mut parse = |field: &'static str, v: &Option<String>| -> Option<Date> {
        let v = v.as_deref()?.trim();
        if v.is_empty() {
            return None;
        }
        match runcoach_core::dates::parse(v) {
            Ok(d) => Some(d),
            Err(message) => {
                errors.push(runcoach_core::plan::FieldError { field, message });
                None
            }
        }
    };
    let from = parse("from", &q.from);
    let to = parse("to", &q.to);
    match (from, to) {
        (Some(f), Some(t)) if f > t => errors.push(runcoach_core::plan::FieldError {
            field: "to",
            message: format!("{t} is before from ({f})"),
        }),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let from_ms = from.map_or(i64::MIN, day_start_ms);
    let to_ms = to
        .and_then(|t| t.tomorrow().ok())
        .map_or(i64::MAX, day_start_ms);
    Ok((from_ms, to_ms))
}

pub async fn list_activities(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<Range>,
) -> Result<Json<Vec<ActivityItem>>, ApiError> {
    let (from, to) = parse_range(&q)?;
    let list = activities::list(&state.db, &user.user.id, from, to).await?;
    Ok(Json(list.iter().map(ActivityItem::from).collect()))
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    pub date: Option<String>,
}

/// What the history says, plus the plan form's recent result when there is one.
#[derive(Serialize)]
pub struct History {
    #[serde(flatten)]
    pub summary: HistorySummary,
    pub vdot: Option<f64>,
    pub recent: Option<runcoach_core::plan::RecentInput>,
}

pub async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<History>, ApiError> {
    let today = super::plans::day_from(q.date.as_deref(), &user.user.time_zone)?;
    let summary =
        runcoach_app::imports::history_of(&state.db, &user.user.id, &user.user.time_zone, today)
            .await?;
    Ok(Json(History {
        vdot: summary
            .best_effort
            .as_ref()
            .map(|e| (e.vdot * 10.0).round() / 10.0),
        recent: summary.recent_input(),
        summary,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_whole_utc_days_and_bad_dates_are_named() {
        let (from, to) = parse_range(&Range {
            from: Some("2026-03-02".into()),
            to: Some("2026-03-02".into()),
        })
        .unwrap();
        assert_eq!((from, to - from), (1_772_409_600_000, 86_400_000));
        let Err(ApiError::Invalid(errors)) = parse_range(&Range {
            from: Some("2026-13-01".into()),
            to: Some("yesterday".into()),
        }) else {
            panic!("refused")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["from", "to"]);
        assert!(
            parse_range(&Range {
                from: Some("2026-03-03".into()),
                to: Some("2026-03-02".into())
            })
            .is_err()
        );
    }
}
