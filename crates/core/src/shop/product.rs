//! What the shop sells.

use serde::{Deserialize, Serialize};

/// A product's kind decides what buying it unlocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    /// Unlocks planning the race distances it names.
    TrainingPlan,
    /// Monthly online coaching: renews until cancelled.
    CoachingSubscription,
    /// A number of in-person sessions with a coach.
    CoachingPackage,
}

impl ProductKind {
    pub const ALL: [ProductKind; 3] = [
        ProductKind::TrainingPlan,
        ProductKind::CoachingSubscription,
        ProductKind::CoachingPackage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::TrainingPlan => "training_plan",
            ProductKind::CoachingSubscription => "coaching_subscription",
            ProductKind::CoachingPackage => "coaching_package",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}
