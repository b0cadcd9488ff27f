//! Wikitext to Markdown: never panics, and the Markdown renders safely.
#![no_main]

use fabrique_commons::{render_markdown, wikitext_to_markdown};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let conv = wikitext_to_markdown(&input);
    let html = render_markdown(&conv.markdown);
    fabrique_fuzz::assert_safe_html(&conv.markdown, &html);
    for tag in &conv.tags {
        assert!(!tag.trim().is_empty(), "empty tag from {input:?}");
    }
});
