//! The operator's commands as processes: migrate, create an admin, back up.

use std::process::{Command, Output};

fn runcoach(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runcoach"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("runcoach runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn migrate_create_admin_and_back_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();

    let out = runcoach(&["db", "migrate", "--data-dir", d], &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).0.ends_with("runcoach.db: migrations applied\n"),
        "{:?}",
        text(&out)
    );

    // The password comes from the environment, never a flag.
    let out = runcoach(
        &[
            "admin",
            "create-user",
            "--email",
            "Boss@Example.com",
            "--role",
            "admin",
            "--data-dir",
            d,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("RUNCOACH_PASSWORD"),
        "{:?}",
        text(&out)
    );
    let pw = [("RUNCOACH_PASSWORD", "a long admin password")];
    let out = runcoach(
        &[
            "admin",
            "create-user",
            "--email",
            "Boss@Example.com",
            "--role",
            "admin",
            "--data-dir",
            d,
        ],
        &pw,
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out)
            .0
            .starts_with("created boss@example.com (admin) with id "),
        "{:?}",
        text(&out)
    );
    let again = runcoach(
        &[
            "admin",
            "create-user",
            "--email",
            "boss@example.com",
            "--role",
            "coach",
            "--data-dir",
            d,
        ],
        &pw,
    );
    assert_eq!(
        (again.status.code(), text(&again).1.trim()),
        (
            Some(2),
            "runcoach: an account with email boss@example.com already exists"
        )
    );
    let bad_role = runcoach(
        &[
            "admin",
            "create-user",
            "--email",
            "x@example.com",
            "--role",
            "king",
            "--data-dir",
            d,
        ],
        &pw,
    );
    assert!(text(&bad_role).1.contains("unknown role 'king'"));

    let backup = dir.path().join("backup.db");
    let b = backup.to_str().unwrap();
    let out = runcoach(&["backup", "--to", b, "--data-dir", d], &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(backup.metadata().unwrap().len() > 0);
    let out = runcoach(&["backup", "--to", b, "--data-dir", d], &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an existing file is never overwritten"
    );
    assert!(text(&out).1.contains("already exists"));

    // The copy is a working database holding the admin.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = runcoach_store::Db::open_sqlite_file(&backup).await.unwrap();
        let (user, _) = runcoach_store::users::by_email(&db, "boss@example.com")
            .await
            .unwrap()
            .expect("admin in the backup");
        assert_eq!(user.role, runcoach_store::users::Role::Admin);
    });
}

/// Boolean settings from the environment take the spellings operators use
/// (systemd units and container files write `1`, `yes`, `on`); anything
/// else is refused by name before the server starts.
#[test]
fn boolean_environment_variables_accept_the_usual_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    // An address that cannot be bound: a run that got past parsing stops there.
    let args = ["serve", "--data-dir", d, "--bind", "203.0.113.1:1"];
    for value in [
        "1", "0", "true", "false", "TRUE", "yes", "no", "on", "off", "y", "n",
    ] {
        for var in [
            "RUNCOACH_TRUST_PROXY",
            "RUNCOACH_SECURE_COOKIES",
            "RUNCOACH_DEMO",
        ] {
            let out = runcoach(&args, &[(var, value)]);
            let (_, err) = text(&out);
            assert!(
                err.contains("cannot listen on 203.0.113.1:1"),
                "{var}={value}: {err}"
            );
        }
    }
    let out = runcoach(&args, &[("RUNCOACH_TRUST_PROXY", "maybe")]);
    assert_eq!(out.status.code(), Some(2));
    let (_, err) = text(&out);
    assert!(
        err.contains("invalid value 'maybe'") && err.contains("--trust-proxy"),
        "{err}"
    );
}

/// The shop's settings are checked before the server starts: a webhook
/// secret pasted with a space would never match a signature, and an order
/// time-to-live must be a duration.
#[test]
fn shop_settings_are_refused_by_name_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let args = ["serve", "--data-dir", d, "--bind", "127.0.0.1:0"];
    let out = runcoach(
        &args,
        &[("RUNCOACH_STRIPE_WEBHOOK_SECRETS", "whsec_a, whsec_b")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("RUNCOACH_STRIPE_WEBHOOK_SECRETS: a secret contains whitespace"),
        "{:?}",
        text(&out)
    );
    for bad in ["30", "5 minutes", "0m", "-5m"] {
        let out = runcoach(&args, &[("RUNCOACH_ORDER_TTL", bad)]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            text(&out)
                .1
                .contains("is not a duration: write 90s, 5m or 2h"),
            "{bad}: {:?}",
            text(&out)
        );
    }
    let out = runcoach(&args, &[("RUNCOACH_PUBLIC_URL", "coach.example.com")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("must start with https:// or http://"));
}

#[test]
fn admin_coupon_create_uses_the_shops_rules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let out = runcoach(
        &[
            "admin",
            "coupon",
            "create",
            "--code",
            " run10 ",
            "--percent-off",
            "10",
            "--per-athlete-limit",
            "1",
            "--applies-to",
            "training_plan",
            "--starts",
            "2026-11-01T00:00:00Z",
            "--expires",
            "2027-01-31T00:00:00Z",
            "--data-dir",
            d,
        ],
        &[],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).0.starts_with("created coupon RUN10 "),
        "{:?}",
        text(&out)
    );
    let out = runcoach(
        &[
            "admin",
            "coupon",
            "create",
            "--code",
            "RUN10",
            "--percent-off",
            "10",
            "--expires",
            "2027-01-31T00:00:00Z",
            "--data-dir",
            d,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("another coupon has this code"),
        "{:?}",
        text(&out)
    );
    let out = runcoach(
        &[
            "admin",
            "coupon",
            "create",
            "--code",
            "BAD CODE",
            "--expires",
            "soon",
            "--data-dir",
            d,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out).1;
    assert!(
        err.contains("--expires: 'soon' is not an RFC 3339 time"),
        "{err}"
    );
    assert!(
        err.contains("--code: use 1 to 64 letters and digits"),
        "{err}"
    );
    assert!(err.contains("--percent-off: give exactly one of"), "{err}");
}

#[test]
fn serve_demo_never_logs_the_password() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_runcoach"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--data-dir", d])
        .env_clear()
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut logged = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !logged.contains("listening") && std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            logged.push_str(&line);
            logged.push('\n');
        }
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    logged.push_str(&String::from_utf8_lossy(&out.stderr));
    assert!(
        logged.contains("demo athlete seeded: log in as demo@runcoach.local"),
        "{logged}"
    );
    assert!(!logged.contains("demo-password"), "{logged}");

    // Trusted proxies only narrow --trust-proxy; alone they are a mistake.
    let out = runcoach(
        &["serve", "--trusted-proxies", "10.0.0.0/8", "--data-dir", d],
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out).1.contains("--trust-proxy"), "{:?}", text(&out));
    let out = runcoach(
        &[
            "serve",
            "--trust-proxy",
            "--trusted-proxies",
            "10.0.0.0/33",
            "--data-dir",
            d,
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("not a CIDR block"),
        "{:?}",
        text(&out)
    );
}

/// Without e-mail, the operator resets a runner's password from the shell:
/// the new one works, the old one does not, and nothing of the old
/// password's sessions or tokens survives.
#[tokio::test]
async fn admin_reset_password_sets_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let out = runcoach(
        &[
            "admin",
            "create-user",
            "--email",
            "ana@example.com",
            "--role",
            "athlete",
            "--data-dir",
            d,
        ],
        &[("RUNCOACH_PASSWORD", "the first long password")],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let reset = |pw: &'static str, email: &'static str| {
        runcoach(
            &["admin", "reset-password", "--email", email, "--data-dir", d],
            &[("RUNCOACH_PASSWORD", pw)],
        )
    };
    let out = reset("password12", "ana@example.com");
    assert_eq!(out.status.code(), Some(2), "a common password is refused");
    let out = reset("a second long password", "nobody@example.com");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("no account with email nobody@example.com")
    );
    let out = reset("a second long password", "ana@example.com");
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out)
            .0
            .starts_with("new password set for ana@example.com"),
        "{:?}",
        text(&out)
    );

    let db = runcoach_store::Db::open_sqlite_dir(&data).await.unwrap();
    let (_, hash) = runcoach_store::users::by_email(&db, "ana@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(runcoach_server::password::verify(
        "a second long password",
        &hash
    ));
    assert!(!runcoach_server::password::verify(
        "the first long password",
        &hash
    ));
}

/// Roles are a set: the operator makes an athlete a coach too, and the
/// account keeps its own role beside the new one.
#[test]
fn admin_add_role_makes_an_athlete_a_coach_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let out = runcoach(
        &[
            "admin",
            "create-user",
            "--email",
            "ana@example.com",
            "--role",
            "athlete",
            "--data-dir",
            d,
        ],
        &[("RUNCOACH_PASSWORD", "the first long password")],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let add = |role: &str, email: &str| {
        runcoach(
            &[
                "admin",
                "add-role",
                "--email",
                email,
                "--role",
                role,
                "--data-dir",
                d,
            ],
            &[],
        )
    };
    let out = add("wizard", "ana@example.com");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("unknown role 'wizard'"));
    let out = add("coach", "nobody@example.com");
    assert_eq!(out.status.code(), Some(2));
    let out = add("coach", "ana@example.com");
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        text(&out).0.trim(),
        "ana@example.com now holds the roles athlete, coach"
    );
    // Twice is the same set.
    let out = add("coach", "ana@example.com");
    assert_eq!(
        text(&out).0.trim(),
        "ana@example.com now holds the roles athlete, coach"
    );
}
