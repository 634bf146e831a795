//! Fuzzy matching of customer records (work in progress).
