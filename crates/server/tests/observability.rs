//! Every routed response carries a request id that its log lines carry too.

use crate::common;

use common::App;

#[tokio::test]
async fn responses_carry_distinct_request_ids() {
    let app = App::start("sqlite").await;
    let c = app.client();
    let mut ids = Vec::new();
    for path in ["/healthz", "/api/v1/me", "/healthz"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(id.contains('-') && id.len() >= 10, "{id}");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}
