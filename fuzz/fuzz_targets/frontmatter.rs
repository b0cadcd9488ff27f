//! Markdown files with YAML front matter: never panic; a file that imports exports to a
//! file that imports back to the same content and metadata.
#![no_main]

use fabrique_commons::{from_markdown_file, to_markdown_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((content, meta)) = from_markdown_file(text) else {
        return;
    };
    let exported = to_markdown_file(&content, &meta);
    let back = from_markdown_file(&exported)
        .unwrap_or_else(|e| panic!("re-import failed: {e}\nexported: {exported:?}"));
    assert_eq!(
        back,
        (content, meta),
        "round trip changed the document\nexported: {exported:?}"
    );
});
