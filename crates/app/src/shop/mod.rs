//! The shop's use-cases: the catalogue, coupons, quotes, orders, payment
//! events and what buying unlocks. Rules come from `runcoach_core::shop`;
//! every write is one transaction of the store's.

mod catalogue;
mod checkout;
mod coupons;
mod payments;
pub mod signature;
mod stripe;

pub use catalogue::{
    ProductInput, ProductUpdate, create_product, entitlements, plan_access, product, product_names,
    products, update_product,
};
pub use checkout::{
    CartItem, CouponVerdict, OrderRequest, PricedQuote, cancel_order, expire_overdue, order,
    orders, place_order, place_order_referred, quote,
};
pub use coupons::{
    CouponInput, CouponSummary, CouponUpdate, coupons, create_coupon, update_coupon,
};
pub use payments::{
    WebhookError, WebhookOutcome, admin_orders, mark_paid, record_refund, stripe_webhook,
};

use runcoach_core::plan::FieldError;
use runcoach_core::shop::{CouponError, Quote};
use runcoach_store::StoreError;
use runcoach_store::shop::Product;

/// How the shop is set up on this server.
#[derive(Debug, Clone)]
pub struct ShopConfig {
    /// The site's own address (`RUNCOACH_PUBLIC_URL`): the base of every
    /// absolute link sent elsewhere, never taken from a request's Host.
    pub public_url: String,
    /// How long an unpaid order holds its coupon use (`RUNCOACH_ORDER_TTL`).
    pub order_ttl_ms: i64,
    /// Stripe's API, when payments go through Stripe.
    pub stripe: Option<StripeApi>,
    /// Webhook endpoint secrets (`RUNCOACH_STRIPE_WEBHOOK_SECRETS`); several
    /// during a rotation.
    pub webhook_secrets: Vec<String>,
}

impl Default for ShopConfig {
    fn default() -> Self {
        ShopConfig {
            public_url: "http://127.0.0.1:8080".into(),
            order_ttl_ms: 30 * 60 * 1000,
            stripe: None,
            webhook_secrets: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StripeApi {
    pub secret_key: String,
    /// `https://api.stripe.com` unless pointed elsewhere (tests run a fake).
    pub api_base: String,
}

/// Why a shop use-case said no.
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    #[error("{0}")]
    Coupon(CouponError),
    #[error("some fields need fixing")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("only an admin can do this")]
    Forbidden,
    #[error("the total changed since the quote")]
    TotalChanged(Box<Quote>),
    #[error("this race distance is part of a training plan for sale")]
    EntitlementRequired(Vec<Product>),
    /// A request that conflicts with the current state, with its code.
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error("the payment provider failed: {0}")]
    Payment(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ShopError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ShopError::Invalid(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}
