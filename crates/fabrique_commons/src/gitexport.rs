//! Export of a document history as git commits: a pure function from revisions to
//! commits (file changes), and the `git fast-import` stream writer.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::frontmatter::{Meta, to_markdown_file};
use crate::model::{Content, DocumentKind};
use crate::text::slugify;

/// One revision to export, in history order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRecord {
    /// Slug of the document (stable across revisions; used for the file name).
    pub slug: String,
    /// Author's display name.
    pub author_name: String,
    /// Author's e-mail (may be empty).
    pub author_email: String,
    /// Time of the revision.
    pub time: jiff::Timestamp,
    /// Revision message.
    pub message: String,
    /// The content at this revision.
    pub content: Content,
    /// Meta data written in the front matter.
    pub meta: Meta,
}

/// A change of one file in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    /// Write the file with these bytes.
    Modify {
        /// Path inside the repository.
        path: String,
        /// Full file contents.
        data: Vec<u8>,
    },
    /// Remove the file.
    Delete {
        /// Path inside the repository.
        path: String,
    },
}

/// One commit of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCommit {
    /// Author (and committer) name.
    pub author_name: String,
    /// Author (and committer) e-mail.
    pub author_email: String,
    /// Commit time.
    pub time: jiff::Timestamp,
    /// Commit message (ends with a newline).
    pub message: String,
    /// Files written or removed by this commit.
    pub changes: Vec<FileChange>,
}

/// The repository path of a document: `recettes/<slug>.md` for recipes,
/// `pages/<slug>.md` for pages.
pub fn document_path(kind: DocumentKind, slug: &str) -> String {
    let dir = match kind {
        DocumentKind::Recipe => "recettes",
        DocumentKind::Page => "pages",
    };
    format!("{dir}/{}.md", slugify(slug))
}

/// Turns revisions into commits one at a time, remembering where each document's file
/// is (a revision that changes a document's kind moves its file: delete + write).
#[derive(Debug, Default, Clone)]
pub struct CommitBuilder {
    paths: BTreeMap<String, String>,
}

impl CommitBuilder {
    /// A builder for an empty repository.
    pub fn new() -> CommitBuilder {
        CommitBuilder::default()
    }

    /// The commit of the next revision, in history order.
    pub fn commit(&mut self, r: &RevisionRecord) -> ExportCommit {
        let path = document_path(r.content.kind, &r.slug);
        let mut changes = Vec::new();
        if let Some(old) = self.paths.insert(slugify(&r.slug), path.clone())
            && old != path
        {
            changes.push(FileChange::Delete { path: old });
        }
        changes.push(FileChange::Modify {
            path,
            data: to_markdown_file(&r.content, &r.meta).into_bytes(),
        });
        let mut message = r.message.trim_end().to_string();
        if message.is_empty() {
            message = format!("Révision de {}", r.content.title);
        }
        message.push('\n');
        ExportCommit {
            author_name: r.author_name.clone(),
            author_email: r.author_email.clone(),
            time: r.time,
            message,
            changes,
        }
    }
}

/// Turns an ordered list of revisions into commits, one per revision. Pure: no I/O.
/// For large histories, use [`FastImportWriter`], which holds one revision at a time.
pub fn commits_from_revisions(revisions: &[RevisionRecord]) -> Vec<ExportCommit> {
    let mut builder = CommitBuilder::new();
    revisions.iter().map(|r| builder.commit(r)).collect()
}

/// The full file tree after the first `upto` commits (path → bytes).
pub fn tree_at(commits: &[ExportCommit], upto: usize) -> BTreeMap<String, Vec<u8>> {
    let mut tree = BTreeMap::new();
    for c in commits.iter().take(upto) {
        for ch in &c.changes {
            match ch {
                FileChange::Modify { path, data } => {
                    tree.insert(path.clone(), data.clone());
                }
                FileChange::Delete { path } => {
                    tree.remove(path);
                }
            }
        }
    }
    tree
}

/// The full file tree after each commit (path → bytes), lazily: the `n`th item is the
/// tree of commit `n`. Each tree is a fresh copy; collect only small histories.
pub fn trees(commits: &[ExportCommit]) -> impl Iterator<Item = BTreeMap<String, Vec<u8>>> + '_ {
    let mut tree = BTreeMap::new();
    commits.iter().map(move |c| {
        for ch in &c.changes {
            match ch {
                FileChange::Modify { path, data } => {
                    tree.insert(path.clone(), data.clone());
                }
                FileChange::Delete { path } => {
                    tree.remove(path);
                }
            }
        }
        tree.clone()
    })
}

fn ident(name: &str, email: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r' | '\0'))
            .collect::<String>()
            .trim()
            .to_string()
    };
    let mut name = clean(name);
    if name.is_empty() {
        name = "Anonyme".into();
    }
    format!("{name} <{}>", clean(email))
}

fn quote_path(path: &str) -> String {
    if path
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        path.to_string()
    } else {
        let mut q = String::from("\"");
        for c in path.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    }
}

fn write_commit<W: Write>(
    out: &mut W,
    c: &ExportCommit,
    branch: &str,
    mark: u64,
) -> io::Result<()> {
    let who = ident(&c.author_name, &c.author_email);
    let when = format!("{} +0000", c.time.as_second());
    writeln!(out, "commit {branch}")?;
    writeln!(out, "mark :{mark}")?;
    writeln!(out, "author {who} {when}")?;
    writeln!(out, "committer {who} {when}")?;
    writeln!(out, "data {}", c.message.len())?;
    out.write_all(c.message.as_bytes())?;
    writeln!(out)?;
    for ch in &c.changes {
        match ch {
            FileChange::Modify { path, data } => {
                writeln!(out, "M 100644 inline {}", quote_path(path))?;
                writeln!(out, "data {}", data.len())?;
                out.write_all(data)?;
                writeln!(out)?;
            }
            FileChange::Delete { path } => writeln!(out, "D {}", quote_path(path))?,
        }
    }
    writeln!(out)
}

/// Writes commits in `git fast-import` format on `branch` (e.g. `refs/heads/main`):
/// author and committer with epoch seconds and `+0000`, messages, and
/// `M 100644 inline <path>` / `D <path>` file commands, then `done`.
pub fn write_fast_import<W: Write>(
    commits: &[ExportCommit],
    branch: &str,
    mut out: W,
) -> io::Result<()> {
    for (i, c) in commits.iter().enumerate() {
        write_commit(&mut out, c, branch, i as u64 + 1)?;
    }
    writeln!(out, "done")
}

/// A streaming exporter: give it revisions in history order, it writes each commit to
/// the `git fast-import` stream at once, so memory stays bounded by one revision
/// whatever the size of the history (pipe it into `git fast-import`).
pub struct FastImportWriter<W: Write> {
    out: W,
    branch: String,
    builder: CommitBuilder,
    marks: u64,
}

impl<W: Write> FastImportWriter<W> {
    /// A writer of commits on `branch` (e.g. `refs/heads/main`).
    pub fn new(out: W, branch: &str) -> Self {
        FastImportWriter {
            out,
            branch: branch.to_string(),
            builder: CommitBuilder::new(),
            marks: 0,
        }
    }

    /// Writes the commit of the next revision.
    pub fn push(&mut self, revision: &RevisionRecord) -> io::Result<()> {
        let commit = self.builder.commit(revision);
        self.marks += 1;
        write_commit(&mut self.out, &commit, &self.branch, self.marks)
    }

    /// Ends the stream with `done` and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        writeln!(self.out, "done")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The whole `git fast-import` stream for `commits` on `refs/heads/main`, ending with
/// `done` (run `git fast-import --done` or plain `git fast-import`).
pub fn fast_import_stream(commits: &[ExportCommit]) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_fast_import(commits, "refs/heads/main", &mut out);
    out
}
