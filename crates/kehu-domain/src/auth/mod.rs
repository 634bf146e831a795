//! Authentication rules that need no I/O.

mod throttle;

pub use throttle::Throttle;
