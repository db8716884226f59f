//! Coaching pages: the coach's roster (alerts at a glance on a phone), a
//! coach's view of an athlete's plan with comments, the invitation an
//! athlete accepts, the athlete's grants on the settings page, comments on
//! the athlete's session page, and the admin's coach accounts. Plain
//! forms; every read goes through the same access seam as the API.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use runcoach_app::Actor;
use runcoach_app::coaching::comments::{self, CommentView, Target};
use runcoach_app::coaching::roster::RosterEntry;
use runcoach_app::coaching::{CoachingError, Level, Need, access, grants};
use runcoach_core::coaching::Alert;
use runcoach_store::now_ms;
use runcoach_store::users::Role;
use serde::Deserialize;

use super::form::FormErrors;
use super::{Nav, message, not_found, render, view};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;

fn actor(user: &PageUser) -> Actor {
    Actor::of(&user.0.user)
}

fn refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form expired; go back, reload the page and try again",
    )
        .into_response()
}

fn coaches_only(user: &PageUser) -> Option<Response> {
    (!actor(user).is_coach()).then(|| {
        message(
            StatusCode::FORBIDDEN,
            Nav::page(user),
            "Coaches only",
            "This page is for coach accounts; an admin creates them.",
        )
    })
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

// ------------------------------------------------------------ roster

pub struct AlertView {
    pub class: &'static str,
    pub label: &'static str,
}

fn alert_view(a: Alert) -> AlertView {
    let label = match a {
        Alert::Pain => "Pain",
        Alert::LoadSpike => "Load spike",
        Alert::MissedLongRuns => "Missed long runs",
        Alert::Inactive => "Inactive 7+ days",
        Alert::RaceSoon => "Race soon",
    };
    let class = match a {
        Alert::Pain | Alert::LoadSpike => "hot",
        Alert::MissedLongRuns | Alert::Inactive => "warm",
        Alert::RaceSoon => "info",
    };
    AlertView { class, label }
}

pub struct RosterRow {
    pub athlete_id: String,
    pub name: String,
    pub access: &'static str,
    pub alerts: Vec<AlertView>,
    /// Race and countdown, phase, this week, load: one short line each.
    pub facts: Vec<String>,
    pub pain: Vec<String>,
    pub unread: u32,
}

fn roster_row(e: &RosterEntry) -> RosterRow {
    let mut facts = Vec::new();
    if let (Some(race), Some(days)) = (&e.race, e.days_to_race) {
        facts.push(match days {
            0 => format!("{race}: race day"),
            d if d < 0 => format!("{race}: raced {} days ago", -d),
            d => format!("{race} in {d} days"),
        });
    } else {
        facts.push("No plan yet".into());
    }
    if let Some(w) = &e.week {
        let phase = e.phase.map(|p| p.label()).unwrap_or("this");
        let mut letters = phase.chars();
        let phase: String = letters
            .next()
            .map(|c| c.to_uppercase().chain(letters).collect())
            .unwrap_or_default();
        let compliance = w
            .compliance
            .map(|c| format!(", {:.0}% to plan", c * 100.0))
            .unwrap_or_default();
        facts.push(format!(
            "{phase} week: {:.1} of {:.1} km done{compliance}",
            w.done_km, w.planned_km
        ));
    }
    if let Some(a) = e.acwr {
        facts.push(format!("Load ratio {a:.2}"));
    }
    facts.push(match e.last_activity {
        Some(d) => format!("Last activity {}", view::day_label(d)),
        None => "Nothing logged yet".into(),
    });
    RosterRow {
        athlete_id: e.athlete_id.clone(),
        name: e.name.clone(),
        access: e.access.as_str(),
        alerts: e.alerts.iter().copied().map(alert_view).collect(),
        facts,
        pain: e
            .pain
            .iter()
            .map(|p| {
                format!(
                    "{} {}/10 on {}",
                    serde_json::to_value(p.location)
                        .ok()
                        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                        .unwrap_or_default(),
                    p.score,
                    view::day_label(p.date)
                )
            })
            .collect(),
        unread: e.unread,
    }
}

#[derive(Template)]
#[template(path = "coach_roster.html")]
struct RosterPage {
    nav: Nav,
    notice: String,
    /// The invitation form's problem, beside the e-mail field.
    errors: FormErrors,
    /// The address typed, kept after a refusal.
    email: String,
    invitation: String,
    athletes: Vec<RosterRow>,
}

async fn roster_page(
    state: &AppState,
    user: &PageUser,
    notice: String,
    errors: FormErrors,
    email: String,
    invitation: String,
) -> Result<Response, ApiError> {
    let today = runcoach_app::calendar::today_in(&user.0.user.time_zone);
    let roster =
        runcoach_app::coaching::roster::roster(&state.db, &actor(user), today, now_ms()).await?;
    Ok(render(&RosterPage {
        nav: Nav::page(user),
        notice,
        errors,
        email,
        invitation,
        athletes: roster.athletes.iter().map(roster_row).collect(),
    }))
}

pub async fn roster(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    if let Some(r) = coaches_only(&user) {
        return Ok(r);
    }
    roster_page(
        &state,
        &user,
        q.notice.unwrap_or_default(),
        FormErrors::new(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct InviteForm {
    csrf: String,
    email: String,
}

pub async fn invite(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<InviteForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    if let Some(r) = coaches_only(&user) {
        return Ok(r);
    }
    let public = crate::web::links::public_url(&state);
    match grants::invite(&state.db, &actor(&user), &form.email, public, now_ms()).await {
        Ok(inv) => {
            let notice = format!(
                "Invitation for {} ready: send them this link (valid 14 days, works once).",
                form.email.trim()
            );
            roster_page(
                &state,
                &user,
                notice,
                FormErrors::new(),
                String::new(),
                inv.url,
            )
            .await
        }
        Err(CoachingError::Invalid(_)) => {
            let mut errors = FormErrors::new();
            errors.add(
                "email",
                if form.email.trim().is_empty() {
                    "Enter your athlete's e-mail address".to_owned()
                } else {
                    format!(
                        "“{}” is not an e-mail address: write it like runner@example.com",
                        form.email.trim()
                    )
                },
            );
            let mut res = roster_page(
                &state,
                &user,
                String::new(),
                errors,
                form.email.clone(),
                String::new(),
            )
            .await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ one athlete

pub struct SessionItem {
    pub id: String,
    pub day: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub comments: Vec<CommentItem>,
}

pub struct CommentItem {
    pub author: String,
    pub role: &'static str,
    pub body: String,
    pub when: String,
}

fn comment_item(c: CommentView) -> CommentItem {
    CommentItem {
        when: c
            .created_at
            .parse::<jiff::Timestamp>()
            .map(|t| t.strftime("%-d %b %H:%M").to_string())
            .unwrap_or_default(),
        author: c.author.name,
        role: c.author.role,
        body: c.body,
    }
}

pub struct WeekItem {
    pub heading: String,
    pub sessions: Vec<SessionItem>,
    /// The week editor, for a coach whose access is `edit`.
    pub edit: Option<String>,
}

#[derive(Template)]
#[template(path = "coach_athlete.html")]
struct AthletePage {
    nav: Nav,
    /// Comments on weeks, and on sessions outside the weeks shown.
    other: Vec<(String, Vec<CommentItem>)>,
    athlete_id: String,
    name: String,
    access: &'static str,
    can_comment: bool,
    race: String,
    weeks: Vec<WeekItem>,
}

pub async fn athlete(
    State(state): State<AppState>,
    user: PageUser,
    Path(athlete_id): Path<String>,
) -> Result<Response, ApiError> {
    let me = actor(&user);
    // The owner reads their own plan at /plans; here a coach (or an admin)
    // reads an athlete's. No relation: the same 404 as no such athlete.
    let relation = match access::require(&state.db, &me, &athlete_id, Need::Read).await {
        Ok(r) => r,
        Err(access::AccessError::Store(e)) => return Err(e.into()),
        Err(_) => return Ok(not_found(Nav::page(&user))),
    };
    let Some((athlete, _)) = runcoach_store::users::by_id(&state.db, &athlete_id).await? else {
        return Ok(not_found(Nav::page(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    let plan_id = runcoach_store::plans::latest_id(&state.db, &athlete.id).await?;
    let plan = match &plan_id {
        Some(id) => runcoach_app::plans::standing(&state.db, &athlete.id, id).await?,
        None => None,
    };
    let tracker = runcoach_app::plans::tracker(
        &state.db,
        &athlete.id,
        plan_id.as_deref(),
        &athlete.time_zone,
    )
    .await?;
    let today = runcoach_app::calendar::today_in(&athlete.time_zone);
    // All the plan's comments at once, grouped by session.
    let mut by_session: std::collections::HashMap<String, Vec<CommentItem>> =
        std::collections::HashMap::new();
    if let Some(id) = &plan_id {
        for c in comments::read_plan(&state.db, &me, id).await? {
            let key = match (&c.session_id, c.week) {
                (Some(s), _) => s.clone(),
                (None, Some(w)) => format!("week:{w}"),
                (None, None) => continue,
            };
            by_session.entry(key).or_default().push(comment_item(c));
        }
    }
    let mut weeks = Vec::new();
    if let Some(plan) = &plan {
        // Last week, this week and next: what a coach reviews and plans.
        let shown = plan.weeks.iter().filter(|w| {
            let end: Date = w.start.saturating_add(jiff::Span::new().days(6));
            end >= today.saturating_sub(jiff::Span::new().days(7))
                && w.start <= today.saturating_add(jiff::Span::new().days(7))
        });
        for w in shown {
            let mut sessions = Vec::new();
            for (day, s) in w.sessions() {
                let Some(id) = s.id.clone() else { continue };
                if s.kind == runcoach_core::plan::SessionKind::Rest {
                    continue;
                }
                let outcome = tracker.outcome(s, day.date);
                sessions.push(SessionItem {
                    title: s.name(units),
                    day: view::day_label(day.date),
                    status: outcome.status.as_str(),
                    status_label: view::status_words(&outcome),
                    comments: by_session.remove(&id).unwrap_or_default(),
                    id,
                });
            }
            weeks.push(WeekItem {
                edit: plan_id
                    .as_ref()
                    .filter(|_| relation.allows(Need::Edit))
                    .map(|id| format!("/plans/{id}/weeks/{}/edit", w.index)),
                heading: format!(
                    "Week {} · {} · {}",
                    w.index,
                    w.phase.label(),
                    units.distance(w.run_km)
                ),
                sessions,
            });
        }
    }
    // Reading marks every comment of the plan read, so the ones outside
    // these weeks (and on whole weeks) are shown too.
    let mut other = Vec::new();
    if let Some(plan) = &plan {
        for w in &plan.weeks {
            if let Some(list) = by_session.remove(&format!("week:{}", w.index)) {
                other.push((format!("Week {}", w.index), list));
            }
            for (day, s) in w.sessions() {
                if let Some(list) = s.id.as_ref().and_then(|id| by_session.remove(id)) {
                    other.push((
                        format!("{}: {}", view::day_label(day.date), s.name(units)),
                        list,
                    ));
                }
            }
        }
    }
    Ok(render(&AthletePage {
        nav: Nav::page(&user),
        other,
        athlete_id: athlete.id.clone(),
        name: athlete.name.clone(),
        access: match relation {
            access::Relation::Coach(l) => l.as_str(),
            access::Relation::Admin => "admin (read only)",
            access::Relation::Owner => "yours",
        },
        can_comment: relation.allows(Need::Comment),
        race: plan
            .as_ref()
            .map(|p| view::race_title(&p.race))
            .unwrap_or_else(|| "No plan yet".into()),
        weeks,
    }))
}

#[derive(Deserialize)]
pub struct CommentForm {
    csrf: String,
    body: String,
    /// Where to come back to: the coach's athlete page or the session page.
    #[serde(default)]
    back: String,
}

/// A refused comment, shown again to fix.
#[derive(Template)]
#[template(path = "comment_retry.html")]
struct CommentRetry {
    nav: Nav,
    session_id: String,
    /// The form's own `back`, sent on again.
    back: String,
    /// Where "back without sending" goes (a checked local path).
    back_link: String,
    body: String,
    errors: FormErrors,
}

/// A comment from a page form: the athlete on their session page, a coach
/// on the athlete page. Errors come back as a short message page.
pub async fn comment(
    State(state): State<AppState>,
    user: PageUser,
    Path(session_id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    let back_is_coach =
        form.back.starts_with("/coach/athletes/") && crate::auth::is_local_path(&form.back);
    match comments::post(
        &state.db,
        &actor(&user),
        Target::Session(&session_id),
        &form.body,
    )
    .await
    {
        Ok(_) => {
            let back = if back_is_coach {
                format!("{}#s-{session_id}", form.back)
            } else {
                format!("/sessions/{session_id}#comments")
            };
            Ok(Redirect::to(&back).into_response())
        }
        // The comment again with its problem beside it, nothing lost.
        Err(CoachingError::Invalid(fields)) => {
            let mut errors = FormErrors::new();
            errors.extend_from(&fields, |_| "body", |_, m| m.to_owned());
            let mut res = render(&CommentRetry {
                nav: Nav::page(&user),
                back_link: if back_is_coach {
                    form.back.clone()
                } else {
                    format!("/sessions/{session_id}#comments")
                },
                session_id,
                back: form.back,
                body: form.body,
                errors,
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(CoachingError::NotFound) => Ok(not_found(Nav::page(&user))),
        Err(e) => Err(e.into()),
    }
}

/// The session page's comments, read (and so marked read) by the athlete.
pub async fn session_comments(
    state: &AppState,
    user: &PageUser,
    session_id: &str,
) -> Result<Vec<CommentItem>, ApiError> {
    match comments::read(&state.db, &actor(user), Target::Session(session_id)).await {
        Ok(list) => Ok(list.into_iter().map(comment_item).collect()),
        Err(CoachingError::Store(e)) => Err(e.into()),
        Err(_) => Ok(Vec::new()),
    }
}

// ------------------------------------------------------------ invitations

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    nav: Nav,
    secret: String,
    coach: String,
    /// A refused answer beside the access choice.
    errors: FormErrors,
}

pub async fn invitation(
    State(state): State<AppState>,
    user: PageUser,
    Path(secret): Path<String>,
) -> Result<Response, ApiError> {
    match grants::pending(&state.db, &secret, now_ms()).await? {
        Some(inv) => Ok(render(&InvitationPage {
            nav: Nav::page(&user),
            secret,
            coach: inv.coach_name,
            errors: FormErrors::new(),
        })),
        None => Ok(message(
            StatusCode::NOT_FOUND,
            Nav::page(&user),
            "Invitation not found",
            "This invitation was used already, has expired, or never existed. Ask your coach for a new link.",
        )),
    }
}

#[derive(Deserialize)]
pub struct AcceptForm {
    csrf: String,
    #[serde(default)]
    access: String,
}

pub async fn accept(
    State(state): State<AppState>,
    user: PageUser,
    Path(secret): Path<String>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    match grants::accept(&state.db, &actor(&user), &secret, &form.access, now_ms()).await {
        Ok(_) => Ok(Redirect::to("/settings?saved=coach#coaches").into_response()),
        Err(CoachingError::Invalid(fields)) => {
            let inv = grants::pending(&state.db, &secret, now_ms()).await?;
            let mut errors = FormErrors::new();
            errors.extend_from(
                &fields,
                |_| "access",
                |_, _| "Choose what your coach may do: see, comment or change your plan".into(),
            );
            let mut page = render(&InvitationPage {
                nav: Nav::page(&user),
                coach: inv.map(|i| i.coach_name).unwrap_or_default(),
                secret,
                errors,
            });
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(CoachingError::NotFound) => Ok(message(
            StatusCode::NOT_FOUND,
            Nav::page(&user),
            "Invitation not found",
            "This invitation was used already, has expired, or never existed. Ask your coach for a new link.",
        )),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ grants on settings

pub struct GrantItem {
    pub id: String,
    pub label: String,
    pub revocable: bool,
}

/// The athlete's grants as the settings page lists them.
pub async fn grant_items(state: &AppState, user: &PageUser) -> Result<Vec<GrantItem>, ApiError> {
    Ok(grants::list(&state.db, &actor(user), now_ms())
        .await?
        .into_iter()
        .map(|g| {
            let what = match g.access {
                Level::View => "can see your plan, log and progress",
                Level::Comment => "can see and comment",
                Level::Edit => "can see, comment and change your plan",
            };
            let how = if g.source == "purchase" {
                " (with your coaching purchase)"
            } else {
                ""
            };
            GrantItem {
                revocable: g.source != "purchase",
                label: format!("{} {what}{how}", g.coach_name),
                id: g.id,
            }
        })
        .collect())
}

/// Coaches the athlete could let in, as (id, name), for the settings form.
pub async fn coach_choices(
    state: &AppState,
    user: &PageUser,
) -> Result<Vec<(String, String)>, ApiError> {
    Ok(runcoach_app::coaching::profiles::list(&state.db)
        .await?
        .into_iter()
        .filter(|c| c.id != user.0.user.id)
        .map(|c| (c.id, c.name))
        .collect())
}

#[derive(Deserialize)]
pub struct GrantForm {
    csrf: String,
    #[serde(default)]
    coach_id: String,
    #[serde(default)]
    access: String,
}

/// The athlete lets a coach in from the settings page.
pub async fn create_grant(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<GrantForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    match grants::grant(&state.db, &actor(&user), &form.coach_id, &form.access).await {
        Ok(_) => Ok(Redirect::to("/settings?saved=granted#coaches").into_response()),
        Err(CoachingError::Invalid(fields)) => Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            Nav::page(&user),
            "Access not granted",
            &fields
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default(),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_grant(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    match grants::revoke(&state.db, &actor(&user), &id).await {
        Ok(()) | Err(CoachingError::NotFound) => {
            Ok(Redirect::to("/settings?saved=revoked#coaches").into_response())
        }
        Err(CoachingError::Conflict(_, m)) => Ok(message(
            StatusCode::CONFLICT,
            Nav::page(&user),
            "Not revoked",
            &m,
        )),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ admin

#[derive(Template)]
#[template(path = "admin_coaches.html")]
struct AdminCoaches {
    nav: Nav,
    notice: String,
    error: String,
    coaches: Vec<String>,
}

async fn admin_page(
    state: &AppState,
    user: &PageUser,
    notice: String,
    error: String,
) -> Result<Response, ApiError> {
    let coaches = runcoach_app::coaching::profiles::list(&state.db)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    Ok(render(&AdminCoaches {
        nav: Nav::page(user),
        notice,
        error,
        coaches,
    }))
}

fn admins_only(user: &PageUser) -> Option<Response> {
    (!actor(user).is_admin()).then(|| {
        message(
            StatusCode::FORBIDDEN,
            Nav::page(user),
            "Admins only",
            "Coach accounts are created by an admin.",
        )
    })
}

pub async fn admin(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    if let Some(r) = admins_only(&user) {
        return Ok(r);
    }
    admin_page(&state, &user, q.notice.unwrap_or_default(), String::new()).await
}

#[derive(Deserialize)]
pub struct CoachForm {
    csrf: String,
    email: String,
    name: String,
    password: String,
}

pub async fn create_coach(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<CoachForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    if let Some(r) = admins_only(&user) {
        return Ok(r);
    }
    let name = form.name.trim();
    let problem = if !form.email.contains('@') || form.email.trim().len() > 254 {
        Some("Give the coach's e-mail address.".to_owned())
    } else if name.is_empty() || name.chars().count() > 100 {
        Some("Give the coach's name (1–100 characters).".to_owned())
    } else {
        crate::auth::password::policy(&form.password, &form.email)
            .err()
            .map(|m| format!("Password: {m}"))
    };
    if let Some(problem) = problem {
        return admin_page(&state, &user, String::new(), problem).await;
    }
    let hash = crate::auth::password::hash_pooled(&form.password).await;
    match runcoach_store::users::create(&state.db, &form.email, name, &hash, Role::Coach).await {
        Ok(u) => Ok(Redirect::to(&format!(
            "/admin/coaches?notice=Coach+account+created+for+{}",
            u.email.replace('@', "%40").replace('+', "%2B")
        ))
        .into_response()),
        Err(runcoach_store::StoreError::Conflict) => {
            admin_page(
                &state,
                &user,
                String::new(),
                "An account with that e-mail already exists.".into(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ profile

#[derive(Template)]
#[template(path = "coach_profile.html")]
struct ProfilePage {
    nav: Nav,
    notice: String,
    /// Each problem beside its field.
    errors: FormErrors,
    bio: String,
    specialities: String,
    online: bool,
    location: String,
}

pub async fn profile(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    if let Some(r) = coaches_only(&user) {
        return Ok(r);
    }
    let mine = runcoach_app::coaching::profiles::list(&state.db)
        .await?
        .into_iter()
        .find(|c| c.id == user.0.user.id);
    Ok(render(&ProfilePage {
        nav: Nav::page(&user),
        notice: q.notice.unwrap_or_default(),
        errors: FormErrors::new(),
        bio: mine.as_ref().map(|c| c.bio.clone()).unwrap_or_default(),
        specialities: mine
            .as_ref()
            .map(|c| c.specialities.join(", "))
            .unwrap_or_default(),
        online: mine.as_ref().is_some_and(|c| c.online),
        location: mine.and_then(|c| c.in_person_location).unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
pub struct ProfileForm {
    csrf: String,
    #[serde(default)]
    bio: String,
    /// Comma-separated.
    #[serde(default)]
    specialities: String,
    #[serde(default)]
    online: Option<String>,
    #[serde(default)]
    location: String,
}

pub async fn profile_submit(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<ProfileForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    if let Some(r) = coaches_only(&user) {
        return Ok(r);
    }
    let input = runcoach_app::coaching::profiles::ProfileInput {
        bio: form.bio.clone(),
        specialities: form.specialities.split(',').map(str::to_owned).collect(),
        online: form.online.is_some(),
        in_person_location: Some(form.location.clone()),
    };
    match runcoach_app::coaching::profiles::put(&state.db, &actor(&user), &input).await {
        Ok(_) => Ok(Redirect::to("/coach/profile?notice=Profile+saved.").into_response()),
        Err(CoachingError::Invalid(fields)) => {
            let mut page = render(&ProfilePage {
                nav: Nav::page(&user),
                notice: String::new(),
                errors: {
                    let mut errors = FormErrors::new();
                    errors.extend_from(
                        &fields,
                        |f| {
                            if f == "in_person_location" {
                                "location"
                            } else {
                                f
                            }
                        },
                        |f, m| match f {
                            "bio" => format!("Keep “About you” shorter: {m}"),
                            "specialities" => format!("Specialities: {m}"),
                            "in_person_location" => format!("Where you coach: {m}"),
                            _ => m.to_owned(),
                        },
                    );
                    errors
                },
                bio: form.bio,
                specialities: form.specialities,
                online: form.online.is_some(),
                location: form.location,
            });
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}
