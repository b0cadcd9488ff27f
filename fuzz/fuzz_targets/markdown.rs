//! Markdown rendering: never panics, and the HTML is safe whatever the input.
#![no_main]

use fabrique_commons::{plain_text, render_markdown, snippet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let html = render_markdown(&input);
    fabrique_fuzz::assert_safe_html(&input, &html);
    let text = plain_text(&input);
    assert!(!text.contains('<') || input.contains('<') || input.contains("&lt"));
    let short = snippet(&input, 40);
    assert!(short.chars().count() <= 41, "snippet too long: {short:?}");
});
