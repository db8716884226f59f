//! Uploads cannot exhaust memory or disk: every form field and file is
//! capped while it streams, and uploads and import jobs are limited per
//! athlete and per server (429 with Retry-After when full; accepted jobs
//! queue for their turn).

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::{App, json_of};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use runcoach_server::Config;
use runcoach_server::importer::ImportLimits;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn run_file() -> Part {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/activities/gz/pf__fenix2-run.fit.gz");
    Part::bytes(std::fs::read(path).unwrap()).file_name("pf__fenix2-run.fit.gz")
}

async fn token_of(app: &App, c: &reqwest::Client) -> String {
    let (_, t) = json_of(
        c.post(app.url("/api/v1/tokens"))
            .json(&json!({"name": "uploads"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    t["token"].as_str().unwrap().to_owned()
}

/// An upload that declares `declared` bytes and sends only `first`: the
/// server is left waiting for the rest.
async fn partial_upload(app: &App, token: &str, declared: usize, first: &[u8]) -> TcpStream {
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/imports HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {declared}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    // The server may answer and close before all of it is read.
    let _ = s.write_all(first).await;
    s
}

async fn response_head(s: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "no answer in 10 s: the server is still reading"
    );
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn a_huge_form_field_is_refused_before_it_is_read() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let token = token_of(&app, &ana).await;
        // 400 MiB declared, as in the report; 64 KiB sent is enough to know.
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n".to_vec();
        body.extend(std::iter::repeat_n(b'a', 64 * 1024));
        let mut s = partial_upload(&app, &token, 400 << 20, &body).await;
        let head = response_head(&mut s).await;
        assert!(head.starts_with("HTTP/1.1 413"), "{backend}: {head}");
    }
}

#[tokio::test]
async fn files_over_their_cap_and_too_many_files_are_refused() {
    for backend in backends() {
        let config = Config {
            imports: ImportLimits {
                file_bytes: 1024,
                files: 2,
                ..ImportLimits::default()
            },
            ..Config::default()
        };
        let app = App::start_with(backend, config).await;
        let ana = app.signup("ana@example.com").await;
        let big = Form::new().part("files", Part::bytes(vec![b'x'; 2048]).file_name("long.gpx"));
        let (s, err) = json_of(
            ana.post(app.url("/api/v1/imports"))
                .multipart(big)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{backend}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains("long.gpx"),
            "{err}"
        );
        // An export zip may be as large as the whole upload.
        let zip = Form::new().part(
            "files",
            Part::bytes(vec![b'x'; 2048]).file_name("export.zip"),
        );
        let r = ana
            .post(app.url("/api/v1/imports"))
            .multipart(zip)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{backend}");
        let three = (0..3).fold(Form::new(), |f, i| {
            f.part(
                "files",
                Part::bytes(vec![b'x'; 10]).file_name(format!("{i}.gpx")),
            )
        });
        let (s, err) = json_of(
            ana.post(app.url("/api/v1/imports"))
                .multipart(three)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{backend}: {err}");
    }
}

async fn upload(app: &App, c: &reqwest::Client) -> (StatusCode, Value, Option<String>) {
    let r = c
        .post(app.url("/api/v1/imports"))
        .multipart(Form::new().part("files", run_file()))
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (s, v) = json_of(r).await;
    (s, v, retry)
}

async fn finished(app: &App, c: &reqwest::Client, id: &str) -> Value {
    for _ in 0..400 {
        let (_, v) = json_of(
            c.get(app.url(&format!("/api/v1/imports/{id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        if v["status"] != "queued" && v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish");
}

#[tokio::test]
async fn imports_are_limited_per_athlete_and_per_server() {
    for backend in backends() {
        let config = Config {
            imports: ImportLimits {
                running: 1,
                accepted: 2,
                per_athlete: 1,
                ..ImportLimits::default()
            },
            ..Config::default()
        };
        let app = App::start_with(backend, config).await;
        let ana = app.signup("ana@example.com").await;
        let ben = app.signup("ben@example.com").await;
        let cy = app.signup("cy@example.com").await;
        let (ana_token, ben_token) = (token_of(&app, &ana).await, token_of(&app, &ben).await);
        let file_head = b"--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"slow.gpx\"\r\n\r\n<gpx";

        // Ana's slow upload holds her one slot.
        let slow = partial_upload(&app, &ana_token, 1 << 20, file_head).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (s, err, retry) = upload(&app, &ana).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{backend}: {err}");
        assert_eq!(retry.as_deref(), Some("30"));
        assert!(
            err["message"].as_str().unwrap().contains("Retry-After"),
            "{err}"
        );

        // Another athlete still gets in while the server has room; queued
        // behind nothing, the job runs and finishes.
        let (s, started, _) = upload(&app, &ben).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{backend}: {started}");
        let done = finished(&app, &ben, started["id"].as_str().unwrap()).await;
        assert_eq!(done["status"], "done", "{backend}: {done}");

        // Two slow uploads fill the server: a third athlete is turned away.
        let also_slow = partial_upload(&app, &ben_token, 1 << 20, file_head).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (s, _, retry) = upload(&app, &cy).await;
        assert_eq!(
            (s, retry.as_deref()),
            (StatusCode::TOO_MANY_REQUESTS, Some("30")),
            "{backend}"
        );

        // A client that hangs up frees its slot.
        drop(slow);
        let mut accepted = None;
        for _ in 0..40 {
            let (s, v, _) = upload(&app, &ana).await;
            if s == StatusCode::ACCEPTED {
                accepted = Some(v);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let started = accepted.expect("ana's slot came back");
        let done = finished(&app, &ana, started["id"].as_str().unwrap()).await;
        assert_eq!(done["status"], "done", "{backend}: {done}");
        drop(also_slow);
    }
}
