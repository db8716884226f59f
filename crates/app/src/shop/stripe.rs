//! The two calls runcoach makes to Stripe's API: open a Checkout Session
//! for an order, and refund a payment. Form-encoded, authenticated with the
//! secret key, to `api_base` (tests point it at a local fake). Fulfilment
//! never depends on these answers: only signed webhooks move an order.

use runcoach_core::shop::ProductKind;
use runcoach_store::shop::{Order, Product};
use serde::Deserialize;

use super::StripeApi;

/// Stripe refuses Checkout Sessions that expire sooner than 30 minutes.
pub(crate) const MIN_SESSION_MS: i64 = 31 * 60 * 1000;

#[derive(Debug, Deserialize)]
pub(crate) struct CheckoutSession {
    pub id: String,
    pub url: String,
}

fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .map_err(|e| e.to_string())
}

async fn post(
    api: &StripeApi,
    path: &str,
    form: &[(String, String)],
    idempotency_key: &str,
) -> Result<serde_json::Value, String> {
    let response = client()?
        .post(format!("{}{path}", api.api_base.trim_end_matches('/')))
        .bearer_auth(&api.secret_key)
        .header("Idempotency-Key", idempotency_key)
        .form(form)
        .send()
        .await
        .map_err(|e| format!("cannot reach Stripe: {e}"))?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("Stripe answered {status} with no JSON: {e}"))?;
    if status.is_success() {
        Ok(body)
    } else {
        let message = body
            .pointer("/error/message")
            .and_then(|m| m.as_str())
            .unwrap_or("no message");
        Err(format!("Stripe answered {status}: {message}"))
    }
}

/// A Checkout Session for `order`: one line per order line at its
/// discounted total, our order id as `client_reference_id` and in the
/// metadata of the session and its payment (or subscription).
pub(crate) async fn create_checkout_session(
    api: &StripeApi,
    public_url: &str,
    order: &Order,
    products: &[Product],
) -> Result<CheckoutSession, String> {
    let base = public_url.trim_end_matches('/');
    let recurring = |id: &str| {
        products
            .iter()
            .any(|p| p.id == id && p.kind == ProductKind::CoachingSubscription)
    };
    let subscription = order.lines.iter().any(|l| recurring(&l.product_id));
    let mut form: Vec<(String, String)> = vec![
        (
            "mode".into(),
            if subscription {
                "subscription"
            } else {
                "payment"
            }
            .into(),
        ),
        ("client_reference_id".into(), order.id.clone()),
        ("metadata[order_id]".into(), order.id.clone()),
        (
            "success_url".into(),
            format!("{base}/orders/{}?paid=1", order.id),
        ),
        ("cancel_url".into(), format!("{base}/orders/{}", order.id)),
        ("expires_at".into(), (order.expires_at / 1000).to_string()),
    ];
    if subscription {
        form.push((
            "subscription_data[metadata][order_id]".into(),
            order.id.clone(),
        ));
    } else {
        form.push((
            "payment_intent_data[metadata][order_id]".into(),
            order.id.clone(),
        ));
    }
    for (i, line) in order.lines.iter().enumerate() {
        let name = products
            .iter()
            .find(|p| p.id == line.product_id)
            .map_or("runcoach", |p| p.name.as_str());
        let name = if line.quantity > 1 {
            format!("{name} × {}", line.quantity)
        } else {
            name.to_owned()
        };
        let key = |field: &str| format!("line_items[{i}][{field}]");
        form.push((key("quantity"), "1".into()));
        form.push((
            key("price_data][currency"),
            order.currency.to_ascii_lowercase(),
        ));
        form.push((key("price_data][unit_amount"), line.total_minor.to_string()));
        form.push((key("price_data][product_data][name"), name));
        if recurring(&line.product_id) {
            form.push((key("price_data][recurring][interval"), "month".into()));
        }
    }
    let body = post(
        api,
        "/v1/checkout/sessions",
        &form,
        &format!("checkout-{}", order.id),
    )
    .await?;
    serde_json::from_value(body)
        .map_err(|e| format!("unexpected Checkout Session from Stripe: {e}"))
}

/// Asks Stripe to refund `amount_minor` of a payment; the `charge.refunded`
/// webhook records it.
pub(crate) async fn create_refund(
    api: &StripeApi,
    payment_intent: &str,
    amount_minor: i64,
    order_id: &str,
) -> Result<(), String> {
    let form = vec![
        ("payment_intent".into(), payment_intent.to_owned()),
        ("amount".into(), amount_minor.to_string()),
        ("metadata[order_id]".into(), order_id.to_owned()),
    ];
    let key = format!(
        "refund-{order_id}-{amount_minor}-{}",
        runcoach_store::new_id()
    );
    post(api, "/v1/refunds", &form, &key).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    /// Stripe is only reachable over HTTPS: the client must speak TLS (a
    /// build without it fails before connecting, as a builder error).
    #[tokio::test]
    async fn the_client_speaks_https() {
        let e = super::client()
            .unwrap()
            .get("https://127.0.0.1:9/")
            .send()
            .await
            .unwrap_err();
        assert!(e.is_connect() && !e.is_builder(), "{e:?}");
    }
}
