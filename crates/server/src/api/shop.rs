//! The shop's JSON API: extract, call `runcoach_app::shop`, render.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use runcoach_app::Actor;
use runcoach_app::shop::{
    self, CartItem, CouponInput, CouponSummary, CouponUpdate, OrderRequest, PricedQuote,
    ProductInput, ProductUpdate, ShopError, WebhookError,
};
use runcoach_store::now_ms;
use runcoach_store::shop::{Entitlement, Order, Product};
use serde::Deserialize;
use serde_json::{Value, json};

use super::json::ApiJson;
use crate::AppState;
use crate::auth::{CurrentUser, MaybeUser};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::limits::CodeGuard;

fn actor(user: &CurrentUser) -> Actor {
    Actor::of(&user.user)
}

pub async fn products(
    State(state): State<AppState>,
    user: MaybeUser,
) -> Result<Json<Vec<Product>>, ApiError> {
    let actor = user.0.as_ref().map(actor);
    Ok(Json(shop::products(&state.db, actor.as_ref()).await?))
}

pub async fn create_product(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let product = shop::create_product(&state.db, &actor(&user), input, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

pub async fn update_product(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<ProductUpdate>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(
        shop::update_product(&state.db, &actor(&user), &id, update).await?,
    ))
}

pub async fn entitlements(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Entitlement>>, ApiError> {
    Ok(Json(
        shop::entitlements(&state.db, &actor(&user), now_ms()).await?,
    ))
}

pub async fn create_coupon(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<CouponInput>,
) -> Result<(StatusCode, Json<CouponSummary>), ApiError> {
    let coupon = shop::create_coupon(&state.db, &actor(&user), input, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(coupon)))
}

pub async fn coupons(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<CouponSummary>>, ApiError> {
    Ok(Json(shop::coupons(&state.db, &actor(&user)).await?))
}

pub async fn update_coupon(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<CouponUpdate>,
) -> Result<Json<CouponSummary>, ApiError> {
    Ok(Json(
        shop::update_coupon(&state.db, &actor(&user), &id, update).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    items: Vec<CartItem>,
    coupon: Option<String>,
}

/// Anyone may ask for a price; wrong codes count against the client's and
/// the account's guessing limits.
pub async fn quote(
    State(state): State<AppState>,
    user: MaybeUser,
    client: Client,
    ApiJson(request): ApiJson<QuoteRequest>,
) -> Result<Json<PricedQuote>, ApiError> {
    let actor = user.0.as_ref().map(actor);
    let guard = CodeGuard::new(&state, &client, actor.as_ref(), request.coupon.is_some()).await?;
    let quote = shop::quote(
        &state.db,
        actor.as_ref(),
        &request.items,
        request.coupon.as_deref(),
        now_ms(),
    )
    .await?;
    if let Some(error) = quote.coupon.as_ref().and_then(|c| c.error) {
        guard.failed(&state, error).await?;
    }
    Ok(Json(quote))
}

pub async fn place_order(
    State(state): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    ApiJson(request): ApiJson<OrderRequest>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let actor = actor(&user);
    let guard = CodeGuard::new(&state, &client, Some(&actor), request.coupon.is_some()).await?;
    match shop::place_order_referred(
        &state.db,
        &state.config.shop,
        &actor,
        &request,
        crate::web::referral::held_click(&headers),
        now_ms(),
    )
    .await
    {
        Ok(order) => Ok((StatusCode::CREATED, Json(order))),
        Err(ShopError::Coupon(e)) => {
            guard.failed(&state, e.code()).await?;
            Err(ShopError::Coupon(e).into())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn orders(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Order>>, ApiError> {
    Ok(Json(
        shop::orders(&state.db, &actor(&user), now_ms()).await?,
    ))
}

pub async fn order(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        shop::order(&state.db, &actor(&user), &id, now_ms()).await?,
    ))
}

pub async fn cancel_order(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        shop::cancel_order(&state.db, &actor(&user), &id, now_ms()).await?,
    ))
}

#[derive(Deserialize)]
pub struct StatusFilter {
    status: Option<String>,
}

pub async fn admin_orders(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(filter): Query<StatusFilter>,
) -> Result<Json<Vec<Order>>, ApiError> {
    Ok(Json(
        shop::admin_orders(&state.db, &actor(&user), filter.status.as_deref()).await?,
    ))
}

pub async fn mark_paid(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        shop::mark_paid(&state.db, &actor(&user), &id, now_ms()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    amount_minor: i64,
}

pub async fn refund(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<RefundRequest>,
) -> Result<Json<Order>, ApiError> {
    let order = shop::record_refund(
        &state.db,
        &state.config.shop,
        &actor(&user),
        &id,
        request.amount_minor,
        now_ms(),
    )
    .await?;
    Ok(Json(order))
}

/// Stripe's webhook: the raw body is verified before it is parsed. Valid
/// events answer 200 (duplicates and events we do not act on included);
/// a bad signature or body 400; a failure of ours 500 with nothing
/// recorded, so Stripe's retry applies it.
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    match shop::stripe_webhook(&state.db, &state.config.shop, signature, &body, now_ms()).await {
        Ok(outcome) => Ok(Json(json!({ "received": true, "outcome": outcome }))),
        Err(WebhookError::NotConfigured) => Err(ApiError::NotFound),
        Err(e @ (WebhookError::Signature(_) | WebhookError::NotAnEvent(_))) => Err(
            ApiError::coded(StatusCode::BAD_REQUEST, "invalid_webhook", e.to_string()),
        ),
        Err(WebhookError::Store(e)) => Err(ApiError::internal(e)),
    }
}
