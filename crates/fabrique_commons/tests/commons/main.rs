//! Integration tests of fabrique_commons (one test binary; modules beside this file).

mod diff;
mod export;
mod markdown;
mod mediawiki;
mod merge;
mod model;
mod props;

/// Path of a file under `tests/commons/data/`.
pub fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/commons/data")
        .join(name)
}
