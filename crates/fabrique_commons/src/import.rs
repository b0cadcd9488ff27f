//! Import of a directory of Markdown files with front matter.

use std::path::{Path, PathBuf};

use crate::frontmatter::{Meta, from_markdown_file_with};
use crate::license::License;
use crate::model::Content;
use crate::text::slugify;

/// One imported Markdown file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    /// Path relative to the imported directory.
    pub path: PathBuf,
    /// Document slug: the front matter's `slug`, else the file name's.
    pub slug: String,
    /// The content.
    pub content: Content,
    /// The meta data.
    pub meta: Meta,
}

/// A file that could not be imported, with its line (0 when the whole file failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct DirImportError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, or 0 for an I/O error.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        let ft = e.file_type()?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if ft.is_file()
            && path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("md") || x.eq_ignore_ascii_case("markdown"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads every `*.md` file under `dir` (recursively, hidden entries skipped, in path
/// order) with [`crate::frontmatter::from_markdown_file_with`]. All-or-nothing: on any
/// problem, returns every problem found, each naming its file and line.
pub fn import_markdown_dir(
    dir: &Path,
    default_license: Option<License>,
) -> Result<Vec<ImportedFile>, Vec<DirImportError>> {
    let mut paths = Vec::new();
    walk(dir, &mut paths).map_err(|e| {
        vec![DirImportError {
            path: dir.to_path_buf(),
            line: 0,
            message: e.to_string(),
        }]
    })?;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(DirImportError {
                    path: rel,
                    line: 0,
                    message: e.to_string(),
                });
                continue;
            }
        };
        match from_markdown_file_with(&text, default_license) {
            Ok((content, meta)) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let slug = meta
                    .slug
                    .clone()
                    .map(|s| slugify(&s))
                    .unwrap_or_else(|| slugify(&stem));
                files.push(ImportedFile {
                    path: rel,
                    slug,
                    content,
                    meta,
                });
            }
            Err(e) => errors.push(DirImportError {
                path: rel,
                line: e.line,
                message: e.message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}
