//! HTTP helpers both adapters share — the JSON API (`api/`) and the pages
//! (`pages/`) — so neither imports the other: per-address limits, the
//! site's public address, the referral cookie, receiving uploads. What is
//! not about HTTP belongs in `runcoach_app` instead.

pub mod limits;
pub mod links;
pub mod referral;
pub mod uploads;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Every `.rs` file under `dir`, with its lines that are not comments.
    fn code_lines(dir: &Path) -> Vec<(PathBuf, usize, String)> {
        let mut out = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).expect("source folder readable") {
                let path = entry.expect("folder entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("source readable");
                    for (i, line) in text.lines().enumerate() {
                        if !line.trim_start().starts_with("//") {
                            out.push((path.clone(), i + 1, line.to_owned()));
                        }
                    }
                }
            }
        }
        out
    }

    fn uses(folder: &str, forbidden: &[&str]) -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(folder);
        let lines = code_lines(&dir);
        assert!(lines.len() > 100, "{folder}/ has its sources");
        lines
            .into_iter()
            .filter(|(_, _, l)| forbidden.iter().any(|f| l.contains(f)))
            .map(|(p, n, l)| format!("{}:{n}: {}", p.display(), l.trim()))
            .collect()
    }

    /// The two adapters share `web/` and `runcoach_app`, never each other:
    /// what one needs from the other belongs in one of those.
    #[test]
    fn pages_and_api_do_not_import_each_other() {
        assert_eq!(
            uses("pages", &["crate::api", "super::api"]),
            Vec::<String>::new()
        );
        assert_eq!(
            uses("api", &["crate::pages", "super::pages"]),
            Vec::<String>::new()
        );
    }
}
