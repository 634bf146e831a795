//! Demo organisation seeding (being written).
