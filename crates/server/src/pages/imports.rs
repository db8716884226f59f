//! The import pages: an upload form (a plain multipart form, no JavaScript)
//! and a status page with progress and the per-file report.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

use runcoach_formats::ErrorKind;
use runcoach_store::activities::{self, Activity, FileReport, FileStatus};

use super::activities::{activity_facts, counted_for, sport, started};
use super::form::FormErrors;
use super::{Nav, not_found, render, view};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;
use crate::web::uploads::{receive, start_upload_import};
use runcoach_app::imports::UPLOAD_LIMIT;
use runcoach_app::imports::status::{rfc3339, status_of};

pub struct JobView {
    pub status: String,
    pub running: bool,
    pub total: i64,
    pub done: i64,
    pub imported: i64,
    pub duplicates: i64,
    pub skipped: i64,
    pub failed: i64,
    pub error: String,
}

pub struct FileView {
    pub file: String,
    pub status: &'static str,
    pub result: String,
    pub details: String,
    /// The stored copy a duplicate is of: its page and when it started.
    pub copy_of: Option<(String, String)>,
}

/// One activity that came in.
pub struct CameView {
    /// On the runner's clock: "Wed 4 Mar, 22:44".
    pub when: String,
    pub what: String,
    /// Distance and time in the runner's units.
    pub facts: String,
    pub href: String,
    /// The planned session it counted for: its page and words.
    pub counted_for: Option<(String, String)>,
    /// Why it counted for none, when it is a run.
    pub unmatched: &'static str,
}

pub struct RecentView {
    pub id: String,
    pub when: String,
    pub status: String,
    pub imported: i64,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct Page {
    nav: Nav,
    job: Option<JobView>,
    came: Vec<CameView>,
    files: Vec<FileView>,
    recent: Vec<RecentView>,
    /// A refusal that is not about the files (imports under way).
    error: String,
    /// What was wrong with the files chosen, beside the file field.
    errors: FormErrors,
    limit_mb: usize,
}

fn nav(user: &PageUser) -> Nav {
    Nav::page(user)
}

async fn form(state: &AppState, user: &PageUser, error: String, errors: FormErrors) -> Response {
    let recent = match activities::recent_imports(&state.db, &user.0.user.id, 10).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(&Page {
        nav: nav(user),
        job: None,
        came: Vec::new(),
        files: Vec::new(),
        recent: recent
            .into_iter()
            .map(|r| RecentView {
                when: rfc3339(r.created_at).replace('T', " ").replace('Z', " UTC"),
                id: r.id,
                status: r.status,
                imported: r.imported,
            })
            .collect(),
        error,
        errors,
        limit_mb: UPLOAD_LIMIT >> 20,
    })
}

/// The upload form again with one problem beside the file field.
async fn refused_files(
    state: &AppState,
    user: &PageUser,
    status: StatusCode,
    message: String,
) -> Response {
    let mut errors = FormErrors::new();
    errors.add("files", message);
    let mut page = form(state, user, String::new(), errors).await;
    *page.status_mut() = status;
    page
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Response {
    form(&state, &user, String::new(), FormErrors::new()).await
}

pub async fn submit(
    State(state): State<AppState>,
    user: PageUser,
    multipart: Multipart,
) -> Response {
    let ticket = match state.imports.reserve(&user.0.user.id) {
        Ok(t) => t,
        Err(e) => {
            let mut page = form(
                &state,
                &user,
                "Imports are under way (yours or others'); wait for them and try again in a minute."
                    .into(),
                FormErrors::new(),
            )
            .await;
            *page.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            if let ApiError::ImportsFull { retry_after_s } = e {
                page.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, retry_after_s.into());
            }
            return page;
        }
    };
    let upload = match receive(&state, multipart).await {
        Ok(u) => u,
        Err(res) if res.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refused_files(
                &state,
                &user,
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "That is too large: at most {} MB in all and {} MB per activity file. Upload fewer files at a time, or use runcoach import",
                    UPLOAD_LIMIT >> 20,
                    state.config.imports.file_bytes >> 20
                ),
            )
            .await;
        }
        Err(res) => return res,
    };
    let csrf = upload
        .fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    if !user.form_ok(csrf) {
        return (
            StatusCode::FORBIDDEN,
            "the form expired; go back, reload the page and try again",
        )
            .into_response();
    }
    match start_upload_import(&state, &user.0.user.id, upload, ticket).await {
        Ok(id) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Err(ApiError::Invalid(_)) => {
            refused_files(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose at least one FIT, GPX or TCX file, or a Strava export zip".into(),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

pub async fn status(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Response {
    match report(&state, &user, &id).await {
        Ok(Some(res)) => res,
        Ok(None) => not_found(nav(&user)),
        Err(e) => e.into_response(),
    }
}

/// The plain-words reason a file gave nothing new.
fn file_view(f: FileReport, copies: &HashMap<String, Activity>, zone: &str) -> FileView {
    let mut copy_of = None;
    let (status, result, details) = match f.status {
        FileStatus::Imported => (
            "imported",
            match (f.activities, f.duplicates) {
                (1, 0) => "imported".to_owned(),
                (n, 0) => format!("{n} activities imported"),
                (n, d) => format!("{n} imported, {d} already there"),
            },
            f.note.unwrap_or_default(),
        ),
        FileStatus::Duplicate => {
            let found = f.note.as_deref().and_then(activities::duplicate_of);
            copy_of = found
                .and_then(|(id, _)| copies.get(id))
                .map(|a| (format!("/activities/{}", a.id), started(a, zone)));
            let replaced = found.is_some_and(|(_, replaced)| replaced);
            (
                "duplicate",
                "skipped: already there".to_owned(),
                format!(
                    "The same activity is already in your history (it starts within a minute of this one and its distance is within 2 %), so it was not added twice.{}",
                    if replaced {
                        " This copy had more detail, so the stored one now uses its numbers."
                    } else {
                        ""
                    }
                ),
            )
        }
        FileStatus::Skipped => (
            "skipped",
            "skipped: imported before".to_owned(),
            "This same file was imported earlier, so it was not read again.".to_owned(),
        ),
        FileStatus::Failed => (
            "failed",
            "refused: could not be read".to_owned(),
            f.error
                .map(|e| unreadable(f.error_kind.as_deref().and_then(ErrorKind::parse), &e))
                .or(f.note)
                .unwrap_or_default(),
        ),
    };
    FileView {
        file: f.file,
        status,
        result,
        details,
        copy_of,
    }
}

async fn report(state: &AppState, user: &PageUser, id: &str) -> Result<Option<Response>, ApiError> {
    let u = &user.0.user;
    let Some(detail) = status_of(&state.db, &u.id, id).await? else {
        return Ok(None);
    };
    let units = view::units_of(&u.units);
    let job = detail.status;
    let running = job.status == "queued" || job.status == "running";
    let mut came = Vec::with_capacity(detail.activities.len());
    for a in &detail.activities {
        let matched = match &a.planned_session_id {
            Some(sid) => counted_for(&state.db, &u.id, sid, units).await?,
            None => None,
        };
        let run = a.sport.is_running();
        came.push(CameView {
            when: started(a, &u.time_zone),
            what: sport(a),
            facts: activity_facts(a, units),
            href: format!("/activities/{}", a.id),
            unmatched: if matched.is_none() && run {
                "An extra run: no planned run was left on that day."
            } else {
                ""
            },
            counted_for: matched,
        });
    }
    // The stored copies duplicates name, read once (only when there are any).
    let copies: HashMap<String, Activity> = if detail
        .files
        .iter()
        .any(|f| f.status == FileStatus::Duplicate)
    {
        activities::all(&state.db, &u.id)
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect()
    } else {
        HashMap::new()
    };
    let files = detail
        .files
        .into_iter()
        .map(|f| file_view(f, &copies, &u.time_zone))
        .collect();
    let page = Page {
        nav: nav(user),
        job: Some(JobView {
            status: job.status,
            running,
            total: job.total,
            done: job.done,
            imported: job.imported,
            duplicates: job.duplicates,
            skipped: job.skipped,
            failed: job.failed.len() as i64,
            error: job.error.unwrap_or_default(),
        }),
        came,
        files,
        recent: Vec::new(),
        error: String::new(),
        errors: FormErrors::new(),
        limit_mb: UPLOAD_LIMIT >> 20,
    };
    let mut res = render(&page);
    if running {
        res.headers_mut()
            .insert("refresh", HeaderValue::from_static("2"));
    }
    Ok(Some(res))
}

/// Why a file could not be read, in the runner's words: the decoder's
/// reasons name FIT file types (`monitoring_b`) and XML elements, which
/// say nothing to someone who just copied a watch's folder. The wording
/// is chosen by the failure's kind (stored beside its message); damage
/// reports, and failures of no known kind, stay as the decoder says.
fn unreadable(kind: Option<ErrorKind>, reason: &str) -> String {
    let not_a_run = |what: &str| format!("This file is not a run we can read ({what}).");
    match kind {
        Some(ErrorKind::MonitoringFile) => {
            not_a_run("a Garmin monitoring file: steps and heart rate through the day")
        }
        Some(ErrorKind::WorkoutFile) => not_a_run("a planned workout, not a recorded one"),
        Some(ErrorKind::CourseFile) => not_a_run("a route, not a recorded run"),
        Some(ErrorKind::SettingsFile) => not_a_run("the watch's settings"),
        Some(ErrorKind::TotalsFile) => not_a_run("the watch's totals and goals"),
        Some(ErrorKind::HealthFile) => not_a_run("a health measurement"),
        Some(ErrorKind::ScheduleFile) => not_a_run("a training schedule"),
        Some(ErrorKind::OtherFitFile) => not_a_run("another kind of watch file"),
        Some(ErrorKind::Empty) => "This file is empty.".into(),
        Some(ErrorKind::NotThisFormat) => {
            "This is not a FIT, GPX or TCX file, so it holds no run we can read.".into()
        }
        Some(ErrorKind::RouteOnly) => {
            "This GPX file holds a route or waypoints, not a recorded run.".into()
        }
        Some(ErrorKind::NoActivity) => "This file holds no recorded activity.".into(),
        _ => reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use runcoach_formats::DecodeError;

    use super::unreadable;

    /// The page's words for what the decoder said, through the kind the
    /// import keeps beside the message.
    fn words(e: &DecodeError) -> String {
        unreadable(Some(e.kind()), &e.to_string())
    }

    #[test]
    fn decoder_reasons_read_as_the_runner_would_say_them() {
        let monitoring = DecodeError::NotAnActivity {
            file_type: "monitoring_b".into(),
        };
        assert_eq!(
            words(&monitoring),
            "This file is not a run we can read (a Garmin monitoring file: steps and heart rate through the day)."
        );
        let workout = DecodeError::NotAnActivity {
            file_type: "workout".into(),
        };
        assert_eq!(
            words(&workout),
            "This file is not a run we can read (a planned workout, not a recorded one)."
        );
        assert_eq!(words(&DecodeError::Empty), "This file is empty.");
        assert_eq!(
            words(&DecodeError::UnknownFormat),
            "This is not a FIT, GPX or TCX file, so it holds no run we can read."
        );
        assert_eq!(
            words(&DecodeError::NoTrackPoints),
            "This GPX file holds a route or waypoints, not a recorded run."
        );
        assert_eq!(
            words(&DecodeError::NoActivities),
            "This file holds no recorded activity."
        );
        // Damage reports say where the file broke: kept as they are.
        let damaged = DecodeError::Fit("bad header".into());
        assert_eq!(words(&damaged), damaged.to_string());
        // A failure of no known kind (a report from before kinds were
        // kept) is shown as it was stored, never guessed from its words.
        let old = DecodeError::Empty.to_string();
        assert_eq!(unreadable(None, &old), old);
    }
}
