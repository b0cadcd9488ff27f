//! Leaving and arriving with a whole history: revisions out to the git export, and
//! imported histories (Markdown files, MediaWiki pages) in, all or nothing.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use fabrique_commons::{
    Attribution, Content, FastImportWriter, Meta, RevisionRecord, SourceRef, unique_slug,
};
use fabrique_core::ids::new_id;
use futures_util::TryStreamExt;
use sqlx::Row;

use super::{NewRevision, insert_revision, internal, log_change, taken_slugs};
use crate::orgs::{self, Org};
use crate::{App, AppError, AppResult, audit};

/// One export row → one revision record with its front-matter meta data.
fn record(org: &Org, r: &sqlx::any::AnyRow) -> AppResult<RevisionRecord> {
    let content: Content =
        serde_json::from_str(&r.try_get::<String, _>("content")?).map_err(internal)?;
    let attribution: Vec<Attribution> =
        serde_json::from_str(&r.try_get::<String, _>("attribution")?).unwrap_or_default();
    let at: i64 = r.try_get("created_at")?;
    let time = jiff::Timestamp::from_millisecond(at).map_err(internal)?;
    let author_name: String = r.try_get("author_name")?;
    let slug: String = r.try_get("slug")?;
    let number: i64 = r.try_get("number")?;
    let source = attribution.first().and_then(|a| {
        Some(SourceRef {
            org: a.org_slug.clone()?,
            document: a.document.clone()?,
            revision: a.revision,
        })
    });
    Ok(RevisionRecord {
        slug: slug.clone(),
        author_email: r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
        time,
        message: r.try_get("message")?,
        meta: Meta {
            slug: Some(slug),
            org: Some(org.slug.clone()),
            authors: vec![author_name.clone()],
            revision: Some(number as u64),
            created: None,
            updated: Some(time),
            source,
            attribution,
        },
        author_name,
        content,
    })
}

fn failed(what: String) -> AppError {
    AppError::Internal(anyhow::anyhow!(what))
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir);
    c
}

/// Writes every revision of an organisation's documents, oldest first, as the commits of
/// a new git repository in `dir` (a folder that does not exist yet, or an empty one),
/// with their authors, dates and messages. Revisions stream from the database into
/// `git fast-import`: memory holds one at a time, whatever the size of the history.
/// `progress(done, total)` follows the commits. Returns how many were written. Run by
/// the command line, which has the database itself; the writes to git block the thread.
pub async fn to_git(
    app: &App,
    org_slug: &str,
    dir: &Path,
    mut progress: impl FnMut(u64, u64),
) -> AppResult<u64> {
    let org = orgs::by_slug(app, org_slug).await?;
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| failed(format!("reading {}: {e}", dir.display())))?
            .next()
            .is_some()
    {
        return Err(AppError::invalid(
            "git",
            "folder_not_empty",
            format!("{} is not empty; choose a new folder", dir.display()),
        ));
    }
    let total: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM document_revisions r JOIN documents d ON d.id = r.document_id WHERE d.org_id = $1",
    )
    .bind(&org.id)
    .fetch_one(&app.db.read)
    .await?
    .try_get("n")?;
    let total = total as u64;
    std::fs::create_dir_all(dir).map_err(|e| failed(format!("creating {}: {e}", dir.display())))?;
    let status = git(dir)
        .args(["init", "--quiet", "--initial-branch=main"])
        .status()
        .map_err(|e| failed(format!("running git init (is git installed?): {e}")))?;
    if !status.success() {
        return Err(failed(format!("git init failed in {}", dir.display())));
    }
    let mut child = git(dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("running git fast-import: {e}")))?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| failed("opening git fast-import's input".into()))?;
    let broken = |e: std::io::Error| failed(format!("writing to git fast-import: {e}"));
    let mut writer = FastImportWriter::new(
        std::io::BufWriter::with_capacity(1 << 20, stdin),
        "refs/heads/main",
    );
    let mut rows = sqlx::query(
        "SELECT d.id, d.slug, d.attribution, d.source_document_id, r.number, r.author_name, r.created_at, r.message, r.content, u.email \
         FROM document_revisions r JOIN documents d ON d.id = r.document_id LEFT JOIN users u ON u.id = r.author_id \
         WHERE d.org_id = $1 ORDER BY r.created_at, d.id, r.number",
    )
    .bind(&org.id)
    .fetch(&app.db.read);
    let mut done = 0;
    while let Some(r) = rows.try_next().await? {
        writer.push(&record(&org, &r)?).map_err(broken)?;
        done += 1;
        progress(done, total);
    }
    drop(rows);
    writer.finish().map_err(broken)?.flush().map_err(broken)?;
    let status = child
        .wait()
        .map_err(|e| failed(format!("waiting for git fast-import: {e}")))?;
    if !status.success() {
        return Err(failed("git fast-import failed".into()));
    }
    if done > 0 {
        let status = git(dir)
            .args(["checkout", "--quiet", "main"])
            .status()
            .map_err(|e| failed(format!("checking out the exported branch: {e}")))?;
        if !status.success() {
            return Err(failed("git checkout failed".into()));
        }
    }
    Ok(done)
}

/// One revision of an imported history.
#[derive(Debug, Clone)]
pub struct ImportRevision {
    /// The content.
    pub content: Content,
    /// Author's display name.
    pub author_name: String,
    /// When (ms, UTC).
    pub at: i64,
    /// Message.
    pub message: String,
}

/// One imported document: a wished slug and its revisions, oldest first.
#[derive(Debug, Clone)]
pub struct ImportDocument {
    /// The slug wished for (made unique in the organisation).
    pub slug: String,
    /// Attribution chain carried by the file, if any.
    pub attribution: Vec<Attribution>,
    /// Revisions, oldest first (never empty).
    pub revisions: Vec<ImportRevision>,
}

/// Imports documents into an organisation in one transaction: all or nothing. Run by the
/// command line, which has the database itself; no person acts.
pub async fn import(
    app: &App,
    org_slug: &str,
    docs: &[ImportDocument],
    mut progress: impl FnMut(usize),
) -> AppResult<Org> {
    let org = orgs::by_slug(app, org_slug).await?;
    let mut taken = taken_slugs(app, &org.id).await?;
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    for (i, d) in docs.iter().enumerate() {
        let Some(last) = d.revisions.last() else {
            continue;
        };
        for (n, r) in d.revisions.iter().enumerate() {
            r.content.validate().map_err(|e| {
                AppError::invalid(
                    format!("{}#{}", d.slug, n + 1),
                    "content_invalid",
                    e.to_string(),
                )
            })?;
        }
        let wished = if d.slug.trim().is_empty() {
            last.content.title.clone()
        } else {
            d.slug.clone()
        };
        let slug = unique_slug(&wished, |s| taken.contains(s));
        taken.insert(slug.clone());
        let id = new_id();
        let first = &d.revisions[0];
        sqlx::query(
            "INSERT INTO documents (id, org_id, slug, kind, title, visibility, license, author_id, current_revision, attribution, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(&org.id)
        .bind(&slug)
        .bind(last.content.kind.as_str())
        .bind(&last.content.title)
        .bind(last.content.visibility.as_str())
        .bind(last.content.license.id())
        .bind(d.revisions.len() as i64)
        .bind(serde_json::to_string(&d.attribution).map_err(internal)?)
        .bind(first.at)
        .bind(last.at)
        .execute(&mut *tx)
        .await?;
        for (n, r) in d.revisions.iter().enumerate() {
            let number = n as i64 + 1;
            insert_revision(
                &mut tx,
                &id,
                r.at,
                &NewRevision {
                    number,
                    parent: (number > 1).then_some(number - 1),
                    author_id: None,
                    author_name: &r.author_name,
                    message: &r.message,
                    content: &r.content,
                },
            )
            .await?;
        }
        log_change(&mut tx, &id, now).await?;
        progress(i + 1);
    }
    audit::write(
        &mut tx,
        audit::Event {
            at: now,
            org_id: Some(&org.id),
            actor_id: None,
            action: "documents.imported",
            target_type: "org",
            target_id: Some(&org.id),
            detail: serde_json::json!({"documents": docs.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}
