//! kill -9 in the middle of an import: the real binary, a real SQLite data
//! directory, a real SIGKILL. The next `serve` takes the job again once
//! its lease has run out, resumes it and finishes with every activity
//! stored once; the upload's folder is kept until then, and removed after.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const PASSWORD: &str = "long enough password";
const FILES: usize = 600;

fn runcoach() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_runcoach"));
    c.env_clear()
        .env("NO_COLOR", "1")
        .env("RUNCOACH_PASSWORD", PASSWORD);
    c
}

/// `serve` on a free port; its address once it listens.
fn serve(data: &Path) -> (Child, String) {
    let mut child = runcoach()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && let Some(at) = line.find("listening on http://")
        {
            let addr = line[at + "listening on http://".len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
            return (child, addr);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve did not start");
}

fn gpx(i: usize) -> String {
    let day = jiff::civil::date(2024, 1, 1)
        .checked_add(jiff::Span::new().days(i as i64))
        .unwrap();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><type>running</type><trkseg>
<trkpt lat="53.3000" lon="-6.2000"><time>{day}T07:00:00Z</time></trkpt>
<trkpt lat="53.3045" lon="-6.2000"><time>{day}T07:03:00Z</time></trkpt>
<trkpt lat="53.3090" lon="-6.2000"><time>{day}T07:06:00Z</time></trkpt>
</trkseg></trk></gpx>
"#
    )
}

async fn status(c: &reqwest::Client, base: &str, id: &str) -> Value {
    c.get(format!("{base}/api/v1/imports/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_import_killed_mid_way_finishes_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let out = runcoach()
        .args([
            "admin",
            "create-user",
            "--email",
            "ana@example.com",
            "--role",
            "athlete",
            "--data-dir",
        ])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (mut first, addr) = serve(data.path());
    let base = format!("http://{addr}");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-requested-with", "runcoach".parse().unwrap());
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap();
    let r = c
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"email": "ana@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let form = (0..FILES).fold(Form::new(), |f, i| {
        f.part(
            "files",
            Part::text(gpx(i)).file_name(format!("run-{i:04}.gpx")),
        )
    });
    let r = c
        .post(format!("{base}/api/v1/imports"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Killed (SIGKILL) once the first batch is stored.
    let at_kill = loop {
        let s = status(&c, &base, &id).await;
        if s["done"].as_i64().unwrap() > 0 {
            first.kill().unwrap();
            break s;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    first.wait().unwrap();
    assert_eq!(at_kill["status"], "running", "{at_kill}");
    assert!(
        data.path().join("uploads").join(&id).is_dir(),
        "the upload's files outlive the server"
    );

    // The next server resumes the job once its lease runs out (30 s).
    let (mut second, addr) = serve(data.path());
    let base = format!("http://{addr}");
    let r = c
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"email": "ana@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let mut done = status(&c, &base, &id).await;
    for _ in 0..1200 {
        if done["status"] != "queued" && done["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        done = status(&c, &base, &id).await;
    }
    let activities: Value = c
        .get(format!("{base}/api/v1/activities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Removed just after the import is marked done.
    let folder = data.path().join("uploads").join(&id);
    for _ in 0..100 {
        if !folder.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let upload_left = folder.exists();
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (
            &done["done"],
            &done["total"],
            &done["imported"],
            &done["duplicates"]
        ),
        (&json!(FILES), &json!(FILES), &json!(FILES), &json!(0)),
        "killed at {at_kill}, finished as {done}"
    );
    assert_eq!(
        activities.as_array().unwrap().len(),
        FILES,
        "each stored once"
    );
    assert!(!upload_left, "a finished job's files are removed");
}
