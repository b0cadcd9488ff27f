//! # fabrique_commons
//!
//! The knowledge commons of Fabrique, as a pure library: free recipes and pages, their
//! licences and attribution chains, safe Markdown rendering, field-by-field diffs and
//! three-way merges, Markdown/front-matter export and import, the `git fast-import`
//! export stream, and the MediaWiki XML importer. No database, no HTTP, no search
//! index: file I/O only in the functions that take paths.
//!
//! ## Module map
//!
//! | module | what the web/database layer calls |
//! | --- | --- |
//! | [`model`] | [`Content::from_json`] (API body → validated content, errors per field), [`Content::validate`] |
//! | [`license`] | [`License::parse`], [`fork_license`] |
//! | [`attribution`] | [`attribution_line`], [`credit_line`] (FR/EN), [`fork_chain`] |
//! | [`mod@fork`] | [`fork()`]: licence rules + attribution chain of a new fork |
//! | [`markdown`] | [`render_markdown`] (safe HTML), [`plain_text`], [`snippet`], [`search_text`] |
//! | [`diff`] | [`diff_content`] (serialisable, renderable, a patch), [`apply`], [`unified_text_diff`] |
//! | [`mod@merge`] | [`merge()`] → [`MergeOutcome`] (clean, or conflicts per field for a 409) |
//! | [`frontmatter`] | [`to_markdown_file`], [`from_markdown_file`] |
//! | [`gitexport`] | [`commits_from_revisions`], [`fast_import_stream`], [`write_fast_import`] |
//! | [`mediawiki`], [`wikitext`] | [`read_mediawiki_file`], [`mediawiki::for_each_page`], [`import_page`], [`wikitext_to_markdown`] |
//! | [`import`] | [`import_markdown_dir`] |
//! | [`text`] | [`slugify`], [`unique_slug`], [`fold_for_search`] |
//!
//! ## Saving on top of a stale revision
//!
//! ```
//! use fabrique_commons::{Content, MergeOutcome, merge};
//!
//! let base = Content::from_json(r#"{"title": "Repair café", "license": "CC-BY-SA-4.0",
//!     "body": "Le samedi.\n\nDans la salle des fêtes.\n"}"#, None).unwrap();
//! let mut latest = base.clone();
//! latest.body = "Le premier samedi.\n\nDans la salle des fêtes.\n".into();
//! let mut edit = base.clone();
//! edit.body = "Le samedi.\n\nDans la grande salle des fêtes.\n".into();
//! match merge(&base, &edit, &latest) {
//!     MergeOutcome::Clean(merged) => {
//!         assert_eq!(merged.body, "Le premier samedi.\n\nDans la grande salle des fêtes.\n")
//!     }
//!     MergeOutcome::Conflict { conflicts, .. } => panic!("409: {conflicts:?}"),
//! }
//! ```

#![warn(missing_docs)]

pub mod attribution;
pub mod diff;
pub mod fork;
pub mod frontmatter;
pub mod gitexport;
pub mod import;
pub mod license;
pub mod markdown;
pub mod mediawiki;
pub mod merge;
pub mod model;
pub mod text;
pub mod wikitext;

pub use attribution::{Attribution, Lang, attribution_line, credit_line, fork_chain};
pub use diff::{
    ApplyError, ContentDiff, TextOp, apply, diff_content, diff_text, unified_content_diff,
    unified_text_diff,
};
pub use fork::{Fork, fork};
pub use frontmatter::{
    ImportError, Meta, SourceRef, from_markdown_file, from_markdown_file_with, to_markdown_file,
};
pub use gitexport::{
    CommitBuilder, ExportCommit, FastImportWriter, FileChange, RevisionRecord,
    commits_from_revisions, fast_import_stream, trees, write_fast_import,
};
pub use import::{DirImportError, ImportedFile, import_markdown_dir};
pub use license::{ForkLicenseError, License, UnknownLicense, fork_license};
pub use markdown::{plain_text, render_markdown, search_text, snippet};
pub use mediawiki::{
    WikiError, WikiPage, WikiRevision, import_page, parse_mediawiki, parse_mediawiki_str,
    read_mediawiki_file,
};
pub use merge::{FieldConflict, MergeOutcome, merge, merge_text};
pub use model::{
    Content, ContentError, DocumentKind, Ingredient, IngredientKind, RecipeFields,
    ValidationErrors, Visibility,
};
pub use text::{fold_for_search, markdown_file_name, slugify, unique_slug};
pub use wikitext::{WikiConversion, wikitext_to_markdown};
