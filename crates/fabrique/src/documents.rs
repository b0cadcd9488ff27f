//! `fabrique export` and `fabrique import`: an organisation's documents out to a git
//! repository with their whole history, and Markdown folders or MediaWiki exports in.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use fabrique_app::documents::export::{ImportDocument, ImportRevision, import};
use fabrique_commons::License;
use indicatif::{ProgressBar, ProgressStyle};

use crate::{DbArgs, Mailer, app_for, describe};

/// `fabrique export --org SLUG --git DIR`.
#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The organisation's slug.
    #[arg(long)]
    org: String,
    /// A folder that does not exist yet, or an empty one: it becomes a git repository.
    #[arg(long)]
    git: PathBuf,
}

/// `fabrique import --org SLUG (--markdown DIR | --mediawiki FILE.xml)`.
#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The organisation's slug.
    #[arg(long)]
    org: String,
    /// A folder of Markdown files with YAML front matter.
    #[arg(
        long,
        conflicts_with = "mediawiki",
        required_unless_present = "mediawiki"
    )]
    markdown: Option<PathBuf>,
    /// A MediaWiki XML export (every page with its revisions).
    #[arg(long)]
    mediawiki: Option<PathBuf>,
    /// Licence of imported wiki pages (default: the organisation's).
    #[arg(long)]
    license: Option<String>,
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{what} {{bar:40}} {{pos}}/{{len}} ({{eta}})"))
    {
        bar.set_style(style);
    }
    bar
}

/// Writes every revision of the organisation's documents as a commit.
pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let app = app_for(args.db.open().await?, String::new(), Mailer::log_only());
    let progress = bar(0, "export");
    let written =
        fabrique_app::documents::export::to_git(&app, &args.org, &args.git, |done, total| {
            progress.set_length(total);
            progress.set_position(done);
        })
        .await
        .map_err(describe)?;
    progress.finish_and_clear();
    println!("{written} revisions exported to {}", args.git.display());
    Ok(())
}

fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

/// Imports a Markdown folder or a MediaWiki export, all or nothing.
pub async fn import_cmd(args: ImportArgs) -> anyhow::Result<()> {
    let app = app_for(args.db.open().await?, String::new(), Mailer::log_only());
    let org = fabrique_app::orgs::by_slug(&app, &args.org)
        .await
        .map_err(describe)?;
    let settings = fabrique_app::documents::settings(&app, &org.id)
        .await
        .map_err(describe)?;
    let license = match &args.license {
        Some(l) => License::parse(l).map_err(|e| anyhow::anyhow!("--license: {e}"))?,
        None => settings.default_license,
    };
    let now = jiff::Timestamp::now();
    let docs: Vec<ImportDocument> = if let Some(dir) = &args.markdown {
        let files =
            fabrique_commons::import_markdown_dir(dir, Some(license)).map_err(|errors| {
                anyhow::anyhow!(
                    "nothing imported:\n{}",
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })?;
        files
            .into_iter()
            .map(|f| ImportDocument {
                slug: f.slug,
                attribution: f.meta.attribution.clone(),
                revisions: vec![ImportRevision {
                    author_name: f
                        .meta
                        .authors
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "Import".into()),
                    at: ms(f.meta.updated.or(f.meta.created).unwrap_or(now)),
                    message: format!("Import de {}", f.path.display()),
                    content: f.content,
                }],
            })
            .collect()
    } else if let Some(file) = &args.mediawiki {
        let pages = fabrique_commons::read_mediawiki_file(file)
            .map_err(|e| anyhow::anyhow!("nothing imported: {e}"))?;
        let progress = bar(pages.len() as u64, "convert");
        let docs = pages
            .iter()
            .map(|p| {
                progress.inc(1);
                let imported = fabrique_commons::import_page(p, license);
                ImportDocument {
                    slug: imported.slug,
                    attribution: vec![],
                    revisions: imported
                        .revisions
                        .into_iter()
                        .map(|r| ImportRevision {
                            content: r.content,
                            author_name: r.author_name,
                            at: ms(r.time),
                            message: r.message,
                        })
                        .collect(),
                }
            })
            .collect();
        progress.finish_and_clear();
        docs
    } else {
        bail!("give --markdown DIR or --mediawiki FILE.xml");
    };
    let progress = bar(docs.len() as u64, "import");
    let org = import(&app, &args.org, &docs, |n| progress.set_position(n as u64))
        .await
        .map_err(describe)?;
    progress.finish_and_clear();
    println!("{} documents imported into {}", docs.len(), org.slug);
    Ok(())
}
