//! The affiliate program over HTTP: thin adapters over
//! `runcoach_app::affiliates`, the referral link `/r/{slug}`, the `?ref=`
//! parameter on any page, and the referral cookie.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use runcoach_app::Actor;
use runcoach_app::affiliates::{
    self, Application, ApplicationView, CommissionView, Dashboard, Decision, PayoutLineView,
};
use runcoach_core::affiliate::{Program, is_automated, safe_redirect};
use runcoach_store::affiliates::Affiliate;
use runcoach_store::now_ms;
use serde::Deserialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::{self, CurrentUser};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::links::public_url;
use crate::web::referral::{REF_COOKIE, address_hash, held_click};

fn actor(user: &CurrentUser) -> Actor {
    Actor::of(&user.user)
}

/// Records a click for `slug` unless the request is a robot or a prefetch;
/// the `Set-Cookie` value when the cookie should change.
async fn record_click(
    state: &AppState,
    slug: &str,
    client: &Client,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Option<String>, ApiError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let purpose = text("sec-purpose").or_else(|| text("purpose"));
    // Link checkers and previews ask with HEAD; people's browsers GET.
    let automated = *method != Method::GET || is_automated(text("user-agent"), purpose);
    let slug = slug.trim().to_ascii_lowercase();
    let set = affiliates::click(
        &state.db,
        &slug,
        held_click(headers),
        &address_hash(state, client).await?,
        automated,
        now_ms(),
    )
    .await?;
    Ok(set.map(|(id, max_age)| auth::set_cookie(state, REF_COOKIE, &id, max_age)))
}

#[derive(Deserialize)]
pub struct LinkQuery {
    to: Option<String>,
}

/// `GET /r/{slug}`: a 302 to `/` or a same-site `?to=` path, remembering
/// the click in a first-party cookie.
pub async fn referral_link(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<LinkQuery>,
    method: Method,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // The visitor goes on even if the click could not be recorded.
    let cookie = record_click(&state, &slug, &client, &headers, &method)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = ?e, "referral click not recorded");
            None
        });
    let to = safe_redirect(q.to.as_deref());
    let mut res = Response::builder()
        .status(StatusCode::FOUND)
        .header(LOCATION, to)
        .header("cache-control", "no-store")
        .body(Body::empty())
        .map_err(ApiError::internal)?;
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().append(SET_COOKIE, c);
    }
    Ok(res)
}

/// `?ref={slug}` on any page does what the link does, without a redirect.
pub async fn ref_param(
    State(state): State<AppState>,
    client: Client,
    request: Request,
    next: Next,
) -> Response {
    let slug = (request.method() == Method::GET
        && !request.uri().path().starts_with("/api/")
        && !request.uri().path().starts_with("/r/"))
    .then(|| request.uri().query())
    .flatten()
    .and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "ref")
            .map(|(_, v)| v.to_owned())
    });
    let cookie = match slug {
        Some(slug) => {
            let headers = request.headers().clone();
            let method = request.method().clone();
            record_click(&state, &slug, &client, &headers, &method)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = ?e, "referral click not recorded");
                    None
                })
        }
        None => None,
    };
    let mut res = next.run(request).await;
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().append(SET_COOKIE, c);
    }
    res
}

// ------------------------------------------------------------------ program

pub async fn program(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Program>, ApiError> {
    Ok(Json(affiliates::program(&state.db, &actor(&user)).await?))
}

pub async fn set_program(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(program): ApiJson<Program>,
) -> Result<Json<Program>, ApiError> {
    Ok(Json(
        affiliates::set_program(&state.db, &actor(&user), program, now_ms()).await?,
    ))
}

// ------------------------------------------------------------- affiliates

pub async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    client: Client,
    ApiJson(application): ApiJson<Application>,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    let address = address_hash(&state, &client).await?;
    let made = affiliates::apply(
        &state.db,
        &actor(&user),
        application,
        Some(&address),
        now_ms(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

pub async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(
        affiliates::dashboard(&state.db, &actor(&user), public_url(&state), now_ms()).await?,
    ))
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Affiliate>>, ApiError> {
    Ok(Json(
        affiliates::affiliates(&state.db, &actor(&user)).await?,
    ))
}

async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    decision: Decision,
) -> Result<Json<Affiliate>, ApiError> {
    Ok(Json(
        affiliates::decide(&state.db, &actor(user), id, decision, now_ms()).await?,
    ))
}

pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Affiliate>, ApiError> {
    decide(&state, &user, &id, Decision::Approve).await
}

pub async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Affiliate>, ApiError> {
    decide(&state, &user, &id, Decision::Reject).await
}

pub async fn suspend(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Affiliate>, ApiError> {
    decide(&state, &user, &id, Decision::Suspend).await
}

pub async fn reinstate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Affiliate>, ApiError> {
    decide(&state, &user, &id, Decision::Reinstate).await
}

// ------------------------------------------------------ commissions, payouts

pub async fn commissions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<CommissionView>>, ApiError> {
    Ok(Json(
        affiliates::commissions(&state.db, &actor(&user), now_ms()).await?,
    ))
}

pub async fn approve_commission(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CommissionView>, ApiError> {
    Ok(Json(
        affiliates::approve_commission(&state.db, &actor(&user), &id, now_ms()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutRun {
    period: String,
}

pub async fn run_payouts(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(run): ApiJson<PayoutRun>,
) -> Result<(StatusCode, Json<Vec<PayoutLineView>>), ApiError> {
    let lines = affiliates::run_payouts(&state.db, &actor(&user), &run.period, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(lines)))
}

pub async fn payouts(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<PayoutLineView>>, ApiError> {
    Ok(Json(affiliates::payouts(&state.db, &actor(&user)).await?))
}

pub async fn payouts_csv(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<impl IntoResponse, ApiError> {
    let csv = affiliates::payouts_csv(&state.db, &actor(&user)).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"payouts.csv\""),
        ],
        csv,
    ))
}
