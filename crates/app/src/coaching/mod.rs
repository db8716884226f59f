//! Coaching: coaches and the athletes who let them in. `access` is the one
//! place that decides what an actor may do with an athlete's data.

pub mod access;
