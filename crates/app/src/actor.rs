//! Who is acting. Every use-case is given one and decides what it may
//! touch from it, in one place per area.

use runcoach_store::users::{Role, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
}

impl Actor {
    pub fn of(user: &User) -> Self {
        Actor {
            user_id: user.id.clone(),
            role: user.role,
        }
    }

    /// The operator at the shell (`runcoach admin …`, `serve --demo`):
    /// whoever can run the binary against the database is its admin.
    pub fn operator() -> Self {
        Actor {
            user_id: String::new(),
            role: Role::Admin,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Coaches and admins plan for others and are never asked to pay.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Coach)
    }
}
