//! runcoach's application layer: each module is one area of use-cases
//! (the shop today; accounts, plans, the log, imports, feeds, affiliates
//! and coaching move or arrive here). A use-case takes who is acting,
//! typed inputs and the database, runs as one transaction, and returns a
//! typed result or a domain error. No HTTP types: the web API, the pages
//! and the command line are adapters over it.

pub mod accounts;
mod actor;
pub mod affiliates;
pub mod calendar;
pub mod coaching;
pub mod feeds;
pub mod imports;
pub mod jobs;
pub mod log;
pub mod mail;
pub mod plans;
pub mod progress;
pub mod secrets;
pub mod shop;

pub use actor::Actor;

#[cfg(test)]
mod tests {
    /// The application layer knows nothing of HTTP: no web framework or
    /// HTTP types in its dependencies or its sources (Stripe's client is
    /// reqwest, kept inside `shop::stripe`).
    #[test]
    fn no_http_types_in_the_application_layer() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
        for web in ["axum", "hyper", "tower", "http ", "http."] {
            assert!(
                !manifest.lines().any(|l| l.trim_start().starts_with(web)),
                "runcoach-app depends on {web}"
            );
        }
        let mut found = Vec::new();
        let mut dirs = vec![root.join("src")];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).expect("src readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source readable");
                for (i, line) in text.lines().enumerate() {
                    let code = line.trim_start();
                    // Spelt in halves so this line does not find itself.
                    let http = [
                        concat!("axum", "::"),
                        concat!("http", "::"),
                        concat!("hyper", "::"),
                        concat!("tower", "::"),
                        concat!("Status", "Code"),
                        concat!("Header", "Map"),
                    ];
                    if !code.starts_with("//") && http.iter().any(|h| code.contains(h)) {
                        found.push(format!("{}:{}: {code}", path.display(), i + 1));
                    }
                }
            }
        }
        assert_eq!(found, Vec::<String>::new());
    }
}
