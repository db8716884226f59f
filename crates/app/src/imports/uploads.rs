//! Web uploads as durable jobs. An upload is streamed into a folder of its
//! own under the data directory (`uploads/incoming-…`), then, in one
//! transaction, its import row and its job are created with one id, and the
//! folder is renamed to that id: the job owns its files until it finishes.
//! Any worker then runs the import; if its server dies part-way, the job's
//! lease runs out and another attempt resumes after the files already
//! stored. After the last attempt the import is marked failed with a
//! reason. Folders that no queued or leased job owns are removed at
//! start-up ([`Uploads::sweep_orphans`]).
//!
//! Several app servers share the queue; a job's files are on the disk of
//! the server that received them, so servers that run import jobs must
//! share the data directory's `uploads` folder (or there is one server). A
//! job whose folder is missing fails at once, saying so.

use std::path::{Path, PathBuf};

use runcoach_store::{Db, StoreError, activities, jobs, new_id, now_ms};
use serde::{Deserialize, Serialize};

use super::engine::{self, ImportOptions};
use crate::jobs::{BoxFuture, JobError, JobKind};

/// The job kind of an upload's import.
pub const KIND: &str = "import";

/// Attempts an import gets (each one resumes after what the last stored).
pub const MAX_ATTEMPTS: i64 = 3;

/// What an import job carries: whose, and its files relative to its folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub user_id: String,
    pub files: Vec<UploadedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedFile {
    /// Where it is inside the job's folder.
    pub path: String,
    /// What reports call it (the name the browser sent, made safe).
    pub name: String,
}

/// The folder uploads live in (`<data dir>/uploads`).
#[derive(Debug, Clone)]
pub struct Uploads {
    root: PathBuf,
}

/// An upload being received: removed if it is dropped before it becomes
/// a job.
#[derive(Debug)]
pub struct Incoming {
    dir: Option<PathBuf>,
}

impl Incoming {
    pub fn path(&self) -> &Path {
        self.dir.as_deref().unwrap_or(Path::new(""))
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

const INCOMING: &str = "incoming-";

/// Why an upload could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot keep the upload's files: {0}")]
    Disk(#[from] std::io::Error),
}

impl Uploads {
    pub fn new(root: impl Into<PathBuf>) -> Uploads {
        Uploads { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder job `id` owns.
    pub fn job_dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// A new folder to stream an upload into.
    pub fn incoming(&self) -> std::io::Result<Incoming> {
        std::fs::create_dir_all(&self.root)?;
        let dir = self.root.join(format!("{INCOMING}{}", new_id()));
        std::fs::create_dir(&dir)?;
        Ok(Incoming { dir: Some(dir) })
    }

    /// Makes a received upload `user_id`'s import job; `files` are paths
    /// inside `incoming` with their report names. Returns the import's id
    /// (the job's and the folder's too).
    pub async fn enqueue(
        &self,
        db: &Db,
        user_id: &str,
        mut incoming: Incoming,
        files: &[(PathBuf, String)],
    ) -> Result<String, QueueError> {
        let from = incoming.dir.clone().unwrap_or_default();
        let id = new_id();
        let payload = Payload {
            user_id: user_id.to_owned(),
            files: files
                .iter()
                .map(|(path, name)| UploadedFile {
                    path: path
                        .strip_prefix(&from)
                        .unwrap_or(path)
                        .to_string_lossy()
                        .into_owned(),
                    name: name.clone(),
                })
                .collect(),
        };
        let payload = serde_json::to_string(&payload).map_err(std::io::Error::other)?;
        // The folder is the job's before the job exists, so a worker never
        // finds a job without its files; if the transaction fails the
        // folder goes (a crash in between leaves an orphan the next start
        // removes).
        let to = self.job_dir(&id);
        std::fs::rename(&from, &to)?;
        incoming.dir = Some(to);
        let mut tx = db.begin().await?;
        activities::create_import_in(&mut tx, &id, user_id, "upload").await?;
        jobs::enqueue(&mut tx, &id, KIND, &payload, MAX_ATTEMPTS, now_ms()).await?;
        tx.commit().await?;
        incoming.dir = None;
        Ok(id)
    }

    /// Removes upload folders no queued or leased job owns (their job
    /// finished, or their server died before or after): run at start-up,
    /// before this server receives anything. Returns how many went.
    pub async fn sweep_orphans(&self, db: &Db) -> Result<usize, QueueError> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        let live = jobs::live_ids(db, KIND).await?;
        let mut removed = 0;
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if live.contains(&name) {
                continue;
            }
            let path = entry.path();
            let gone = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match gone {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "cannot remove an orphaned upload")
                }
            }
        }
        Ok(removed)
    }
}

/// The `import` job kind.
pub struct ImportJobs {
    pub db: Db,
    pub uploads: Uploads,
    pub options: ImportOptions,
}

/// What an athlete reads when their import could not finish.
fn public_reason(reason: &str) -> String {
    format!(
        "the import could not finish ({reason}); upload the files again: those already imported are skipped"
    )
}

impl ImportJobs {
    async fn attempt(&self, job: &jobs::Job) -> Result<(), JobError> {
        let payload: Payload = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::Fatal(format!("unreadable job: {e}")))?;
        let db_failed = |e: StoreError| {
            tracing::error!(error = %e, import_id = %job.id, "import attempt failed");
            JobError::Retry("the database failed during the import".into())
        };
        let dir = self.uploads.job_dir(&job.id);
        // Finished by an attempt whose own "done" was not recorded: nothing
        // is left to do (its files are gone already).
        let import = activities::get_import(&self.db, &payload.user_id, &job.id)
            .await
            .map_err(db_failed)?;
        if import.is_some_and(|i| i.status == "done") {
            remove(&dir);
            return Ok(());
        }
        if !dir.is_dir() {
            return Err(JobError::Fatal(
                "the upload's files are not on this server".into(),
            ));
        }
        let paths: Vec<(PathBuf, String)> = payload
            .files
            .iter()
            .map(|f| (dir.join(&f.path), f.name.clone()))
            .collect();
        let (work, _) = engine::plan_work(&paths)
            .map_err(|_| JobError::Fatal("the upload's files are not on this server".into()))?;
        let options = ImportOptions {
            resume_after: u64::try_from(
                activities::stored_files(&self.db, &job.id)
                    .await
                    .map_err(db_failed)?,
            )
            .unwrap_or(0),
            ..self.options.clone()
        };
        engine::run_inner(&self.db, &payload.user_id, &job.id, work, &options, &|_| {})
            .await
            .map_err(db_failed)?;
        activities::finish_import(&self.db, &job.id, None)
            .await
            .map_err(db_failed)?;
        remove(&dir);
        // The import is done either way; the plan adapts on the next log.
        if let Err(e) = crate::log::readapt(&self.db, &payload.user_id).await {
            tracing::warn!(error = %e, import_id = %job.id, "re-adapting after an import failed");
        }
        Ok(())
    }
}

fn remove(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %dir.display(), error = %e, "cannot remove an import's files");
    }
}

impl JobKind for ImportJobs {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn run<'a>(&'a self, job: &'a jobs::Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.attempt(job))
    }

    fn failed<'a>(&'a self, job: &'a jobs::Job, reason: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let message = public_reason(reason);
            if let Err(e) = activities::finish_import(&self.db, &job.id, Some(&message)).await {
                tracing::warn!(error = %e, import_id = %job.id, "marking an import failed failed");
            }
            remove(&self.uploads.job_dir(&job.id));
        })
    }
}
