//! Comments on sessions and weeks.
