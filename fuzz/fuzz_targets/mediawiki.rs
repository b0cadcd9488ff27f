//! MediaWiki XML import: never panics; every parsed page converts to a document history
//! whose Markdown renders safely.
#![no_main]

use fabrique_commons::{License, import_page, parse_mediawiki, render_markdown};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pages) = parse_mediawiki(data) else {
        return;
    };
    for page in &pages {
        let imported = import_page(page, License::CcBySa);
        assert_eq!(imported.revisions.len(), page.revisions.len());
        for r in &imported.revisions {
            let html = render_markdown(&r.content.body);
            fabrique_fuzz::assert_safe_html(&r.content.body, &html);
        }
    }
});
