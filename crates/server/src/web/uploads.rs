//! Receiving uploads, shared by the imports API and the imports page:
//! per-process upload slots, multipart streamed to disk under caps, then
//! queued as a durable import job (`runcoach_app::imports::uploads`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use runcoach_app::imports::uploads::Incoming;
use runcoach_app::imports::{MAX_FILE_BYTES, is_zip};
use runcoach_store::Db;
use runcoach_store::activities;
use tokio::io::AsyncWriteExt;

use crate::AppState;
use crate::error::ApiError;

pub use runcoach_app::imports::UPLOAD_LIMIT;

/// A form field that is not a file (the page's `csrf`) is at most this
/// long; a longer one is refused as soon as it is, never read whole.
pub const FIELD_BYTES: usize = 4096;

/// How long a client turned away because imports are full should wait.
pub const RETRY_AFTER_S: i64 = 30;

/// What is taken on: each running job holds its decode windows in memory
/// and each upload its files on disk, so these bound both.
#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// Jobs this process decodes at once (its job worker's concurrency);
    /// accepted jobs beyond it wait their turn ('queued').
    pub running: usize,
    /// Uploads this process is receiving, and upload jobs queued or running
    /// (counted in the database, so across app servers); beyond either, 429.
    pub accepted: usize,
    /// Of those, per athlete.
    pub per_athlete: usize,
    /// Largest activity file (FIT, GPX, TCX, gzipped or not) in an upload;
    /// an export zip may use the whole [`UPLOAD_LIMIT`].
    pub file_bytes: u64,
    /// Most files in one upload.
    pub files: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            running: 2,
            accepted: 8,
            per_athlete: 2,
            file_bytes: MAX_FILE_BYTES,
            files: 20_000,
        }
    }
}

/// The import slots of this process: uploads being received.
pub struct ImportSlots {
    limits: ImportLimits,
    /// Uploads being received, per athlete.
    accepted: Mutex<std::collections::HashMap<String, usize>>,
}

/// One upload being received; its slot frees when this drops, however the
/// upload ends (queued as a job, refused, or the client hung up).
pub struct Ticket {
    slots: Arc<ImportSlots>,
    user_id: String,
}

impl ImportSlots {
    pub fn new(limits: ImportLimits) -> Arc<Self> {
        Arc::new(ImportSlots {
            limits,
            accepted: Mutex::default(),
        })
    }

    /// A slot for one more upload of `user_id`'s, or 429 when the athlete
    /// or the server has as many as it takes. Taken before the upload is
    /// read, so a refused upload costs nothing.
    pub fn reserve(self: &Arc<Self>, user_id: &str) -> Result<Ticket, ApiError> {
        let mut accepted = self.accepted.lock().unwrap_or_else(|e| e.into_inner());
        let total: usize = accepted.values().sum();
        let mine = accepted.get(user_id).copied().unwrap_or(0);
        if total >= self.limits.accepted || mine >= self.limits.per_athlete {
            return Err(ApiError::ImportsFull {
                retry_after_s: RETRY_AFTER_S,
            });
        }
        *accepted.entry(user_id.to_owned()).or_default() += 1;
        Ok(Ticket {
            slots: self.clone(),
            user_id: user_id.to_owned(),
        })
    }

    /// 429 when the queue already holds as many upload jobs as it takes,
    /// the athlete's or everyone's.
    async fn queue_has_room(&self, db: &Db, user_id: &str) -> Result<(), ApiError> {
        let (mine, all) = activities::open_uploads(db, user_id).await?;
        let over = |n: i64, limit: usize| usize::try_from(n).unwrap_or(usize::MAX) >= limit;
        if over(mine, self.limits.per_athlete) || over(all, self.limits.accepted) {
            return Err(ApiError::ImportsFull {
                retry_after_s: RETRY_AFTER_S,
            });
        }
        Ok(())
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut accepted = self
            .slots
            .accepted
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = accepted.get_mut(&self.user_id) {
            *n -= 1;
            if *n == 0 {
                accepted.remove(&self.user_id);
            }
        }
    }
}

/// An upload streamed to a folder of its own: the files, and the form's
/// other fields (the page's `csrf`).
pub struct Upload {
    pub dir: Incoming,
    pub files: Vec<(PathBuf, String)>,
    pub fields: Vec<(String, String)>,
}

/// A file name from a browser, reduced to a safe base name.
fn safe_file_name(raw: &str, index: usize) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned();
    if clean.is_empty() {
        format!("upload-{index}")
    } else {
        clean.chars().take(200).collect()
    }
}

fn too_large(what: String) -> Response {
    ApiError::coded(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", what).into_response()
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::coded(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the upload is larger than {} MiB; import big exports with `runcoach import`",
                UPLOAD_LIMIT >> 20
            ),
        )
        .into_response()
    } else {
        ApiError::BadRequest(format!("unreadable upload: {}", e.body_text())).into_response()
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    ApiError::internal(e).into_response()
}

/// Streams every file field of `multipart` to disk (never whole in memory),
/// refusing with 413 the moment a field, a file or the file count goes
/// over its limit.
pub async fn receive(state: &AppState, mut multipart: Multipart) -> Result<Upload, Response> {
    let limits = &state.config.imports;
    let uploads = state.uploads.clone();
    let dir = tokio::task::spawn_blocking(move || uploads.incoming())
        .await
        .map_err(internal)?
        .map_err(internal)?;
    let mut files = Vec::new();
    let mut fields = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(upload_error)? {
        let Some(raw_name) = field.file_name().map(str::to_owned) else {
            let name = field.name().unwrap_or("").to_owned();
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
                if text.len() + chunk.len() > FIELD_BYTES {
                    return Err(too_large(format!(
                        "form field '{name}' is longer than {FIELD_BYTES} bytes"
                    )));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text).map_err(|_| {
                ApiError::BadRequest(format!("form field '{name}' is not UTF-8 text"))
                    .into_response()
            })?;
            fields.push((name, text));
            continue;
        };
        if files.len() >= limits.files {
            return Err(too_large(format!(
                "more than {} files in one upload; send them in parts",
                limits.files
            )));
        }
        let name = safe_file_name(&raw_name, files.len());
        let cap = if is_zip(&name) {
            UPLOAD_LIMIT as u64
        } else {
            limits.file_bytes
        };
        // Each file in its own folder so equal names do not collide.
        let sub = dir.path().join(files.len().to_string());
        tokio::fs::create_dir(&sub).await.map_err(internal)?;
        let path = sub.join(&name);
        let mut out = tokio::fs::File::create(&path).await.map_err(internal)?;
        let mut written = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
            written += chunk.len() as u64;
            if written > cap {
                return Err(too_large(format!(
                    "'{name}' is larger than {} MiB, the most an activity file can be",
                    cap >> 20
                )));
            }
            out.write_all(&chunk).await.map_err(internal)?;
        }
        out.flush().await.map_err(internal)?;
        if written == 0 && raw_name.is_empty() {
            // A file input left empty.
            continue;
        }
        files.push((path, name));
    }
    Ok(Upload { dir, files, fields })
}

/// Queues an upload's import as a durable job (any app server's worker
/// runs it, resuming after a restart); returns the import's id.
pub async fn start_upload_import(
    state: &AppState,
    user_id: &str,
    upload: Upload,
    ticket: Ticket,
) -> Result<String, ApiError> {
    if upload.files.is_empty() {
        return Err(ApiError::invalid(
            "files",
            "choose at least one FIT, GPX or TCX file, or a Strava export zip",
        ));
    }
    state.imports.queue_has_room(&state.db, user_id).await?;
    let id = state
        .uploads
        .enqueue(&state.db, user_id, upload.dir, &upload.files)
        .await
        .map_err(ApiError::internal)?;
    drop(ticket);
    state.jobs_wake.notify_one();
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_lose_their_folders_and_dots() {
        assert_eq!(safe_file_name("../../etc/passwd", 0), "passwd");
        assert_eq!(safe_file_name("C:\\runs\\a.fit", 0), "a.fit");
        assert_eq!(safe_file_name("..", 3), "upload-3");
        assert_eq!(safe_file_name(".hidden.gpx", 0), "hidden.gpx");
    }
}
