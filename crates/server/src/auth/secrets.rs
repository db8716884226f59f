//! Random secrets and their stored form (shared with the use-cases that
//! mail links).

pub use runcoach_app::secrets::{hash, new_secret, same};
