//! Benchmarks of fabrique_commons.
fn main() {}
