//! Who is acting. Every use-case is given one and decides what it may
//! touch from it; what an actor may do for another athlete is decided in
//! one place, [`crate::coaching::access`].

use runcoach_store::users::{Role, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    /// Every role the account holds, as a set (never empty for a user).
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn of(user: &User) -> Self {
        let mut roles = user.roles.clone();
        if !roles.contains(&user.role) {
            roles.push(user.role);
        }
        Actor {
            user_id: user.id.clone(),
            roles,
        }
    }

    /// The operator at the shell (`runcoach admin …`, `serve --demo`):
    /// whoever can run the binary against the database is its admin.
    pub fn operator() -> Self {
        Actor {
            user_id: String::new(),
            roles: vec![Role::Admin],
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    pub fn is_coach(&self) -> bool {
        self.has(Role::Coach)
    }

    /// Coaches and admins plan for others and are never asked to pay.
    pub fn is_staff(&self) -> bool {
        self.is_admin() || self.is_coach()
    }
}
