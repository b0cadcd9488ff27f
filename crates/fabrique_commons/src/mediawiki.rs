//! MediaWiki XML export import: a streaming parser (quick-xml) that returns pages with
//! their ordered revisions and names the line of any error, and the conversion of
//! revisions into documents (see [`crate::wikitext`] for the markup conversion).

use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::path::Path;

use crate::license::License;
use crate::model::{Content, DocumentKind, Visibility};
use crate::text::slugify;
use crate::wikitext::wikitext_to_markdown;

/// Who made a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contributor {
    /// A registered user.
    User {
        /// User name.
        name: String,
        /// User id, when exported.
        id: Option<u64>,
    },
    /// An anonymous contributor, by IP address.
    Ip(String),
    /// Hidden or missing (`deleted="deleted"`).
    Unknown,
}

impl Contributor {
    /// A display name: the user name, the IP, or "Anonyme".
    pub fn display_name(&self) -> &str {
        match self {
            Contributor::User { name, .. } => name,
            Contributor::Ip(ip) => ip,
            Contributor::Unknown => "Anonyme",
        }
    }
}

/// One revision of a wiki page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiRevision {
    /// Revision id.
    pub id: Option<u64>,
    /// Parent revision id.
    pub parent_id: Option<u64>,
    /// When it was saved.
    pub timestamp: jiff::Timestamp,
    /// Who saved it.
    pub contributor: Contributor,
    /// Edit summary (may be empty).
    pub comment: String,
    /// Whether it was marked minor.
    pub minor: bool,
    /// The wikitext.
    pub text: String,
    /// Line of the `<revision>` tag in the file.
    pub line: usize,
}

/// A wiki page with its revisions, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiPage {
    /// Full title, with its namespace prefix if any.
    pub title: String,
    /// Namespace number (0 is the main namespace).
    pub ns: i64,
    /// Page id.
    pub id: Option<u64>,
    /// Redirect target, for redirect pages.
    pub redirect: Option<String>,
    /// Revisions, sorted by time then id.
    pub revisions: Vec<WikiRevision>,
    /// Line of the `<page>` tag in the file.
    pub line: usize,
    /// Byte offset just past `</page>`: with the file size, the import's progress.
    pub end_offset: u64,
}

/// A malformed export, with the 1-based line of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct WikiError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A reader that counts lines of what quick-xml consumed, remembering the offsets of
/// recent newlines so that an error offset maps back to its line.
struct LineCounter<R> {
    inner: R,
    consumed: u64,
    newlines: usize,
    recent: VecDeque<u64>,
}

const RECENT_NEWLINES: usize = 1 << 16;

impl<R: BufRead> LineCounter<R> {
    fn line_of(&self, offset: u64) -> usize {
        let after = self
            .recent
            .iter()
            .rev()
            .take_while(|&&o| o >= offset)
            .count();
        self.newlines - after + 1
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let data = self.fill_buf()?;
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            for (i, b) in buf[..n].iter().enumerate() {
                if *b == b'\n' {
                    self.newlines += 1;
                    self.recent.push_back(self.consumed + i as u64);
                    if self.recent.len() > RECENT_NEWLINES {
                        self.recent.pop_front();
                    }
                }
            }
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

fn resolve_entity(name: &str) -> Option<String> {
    Some(
        match name {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "apos" => "'",
            "quot" => "\"",
            _ => {
                let num = name.strip_prefix('#')?;
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => num.parse().ok()?,
                };
                return char::from_u32(code)
                    .filter(|c| *c != '\0')
                    .map(String::from);
            }
        }
        .to_string(),
    )
}

#[derive(Default)]
struct RevBuilder {
    id: Option<u64>,
    parent_id: Option<u64>,
    timestamp: Option<jiff::Timestamp>,
    user: Option<String>,
    user_id: Option<u64>,
    ip: Option<String>,
    comment: String,
    minor: bool,
    text: Option<String>,
    line: usize,
}

#[derive(Default)]
struct PageBuilder {
    title: Option<String>,
    ns: i64,
    id: Option<u64>,
    redirect: Option<String>,
    revisions: Vec<WikiRevision>,
    line: usize,
}

/// Parses a MediaWiki XML export in one streaming pass, calling `on_page` for every page
/// as soon as it is complete (revisions sorted oldest first). Stops at the first
/// problem, which names its line; `on_page` may also stop the parse with a message.
pub fn for_each_page<R: BufRead>(
    input: R,
    mut on_page: impl FnMut(WikiPage) -> Result<(), String>,
) -> Result<(), WikiError> {
    let counter = LineCounter {
        inner: input,
        consumed: 0,
        newlines: 0,
        recent: VecDeque::new(),
    };
    let mut reader = Reader::from_reader(counter);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut text = String::new();
    let mut page: Option<PageBuilder> = None;
    let mut rev: Option<RevBuilder> = None;
    let mut saw_root = false;
    loop {
        let start = reader.buffer_position();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let line = reader.get_ref().line_of(reader.error_position());
                return Err(WikiError {
                    line,
                    message: format!("malformed XML: {e}"),
                });
            }
        };
        let line_here = reader.get_ref().line_of(start);
        let fail = |message: String| WikiError {
            line: line_here,
            message,
        };
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if stack.is_empty() {
                    if name != "mediawiki" {
                        return Err(fail(format!(
                            "expected <mediawiki> as the root element, found <{name}>"
                        )));
                    }
                    saw_root = true;
                }
                let parent = stack.last().map(|(n, _)| n.as_str()).unwrap_or("");
                match (parent, name.as_str()) {
                    ("mediawiki", "page") => {
                        page = Some(PageBuilder {
                            line: line_here,
                            ..Default::default()
                        })
                    }
                    ("page", "revision") => {
                        rev = Some(RevBuilder {
                            line: line_here,
                            ..Default::default()
                        })
                    }
                    _ => {}
                }
                if name == "text" || name == "contributor" {
                    let deleted = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "deleted");
                    if deleted
                        && name == "text"
                        && let Some(r) = rev.as_mut()
                    {
                        r.text = Some(String::new());
                    }
                }
                stack.push((name, line_here));
                text.clear();
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                let parent = stack.last().map(|(n, _)| n.as_str()).unwrap_or("");
                match (parent, name.as_str()) {
                    ("revision", "minor") => {
                        if let Some(r) = rev.as_mut() {
                            r.minor = true
                        }
                    }
                    ("revision", "text") => {
                        if let Some(r) = rev.as_mut() {
                            r.text = Some(String::new())
                        }
                    }
                    ("page", "redirect") => {
                        if let Some(p) = page.as_mut() {
                            p.redirect = e
                                .attributes()
                                .flatten()
                                .find(|a| a.key.as_ref() == "title")
                                .map(|a| a.value.to_string());
                        }
                    }
                    _ => {}
                }
                if stack.is_empty() {
                    return Err(fail(format!(
                        "expected <mediawiki> as the root element, found <{name}/>"
                    )));
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                match resolve_entity(&name) {
                    Some(s) => text.push_str(&s),
                    None => return Err(fail(format!("unknown entity &{name};"))),
                }
            }
            Event::End(e) => {
                let name = e.local_name().as_ref().to_string();
                let (_, open_line) = stack.pop().unwrap_or_default();
                let fail = |message: String| WikiError {
                    line: open_line,
                    message,
                };
                let parent = stack.last().map(|(n, _)| n.as_str()).unwrap_or("");
                let num = |s: &str, what: &str| -> Result<u64, WikiError> {
                    s.trim()
                        .parse()
                        .map_err(|_| fail(format!("<{what}> is not a number: {:?}", s.trim())))
                };
                match (parent, name.as_str()) {
                    ("page", "title") => {
                        if let Some(p) = page.as_mut() {
                            p.title = Some(text.trim().to_string());
                        }
                    }
                    ("page", "ns") => {
                        let v: i64 = text.trim().parse().map_err(|_| {
                            fail(format!("<ns> is not a number: {:?}", text.trim()))
                        })?;
                        if let Some(p) = page.as_mut() {
                            p.ns = v;
                        }
                    }
                    ("page", "id") => {
                        let v = num(&text, "id")?;
                        if let Some(p) = page.as_mut() {
                            p.id = Some(v);
                        }
                    }
                    ("revision", "id") => {
                        let v = num(&text, "id")?;
                        if let Some(r) = rev.as_mut() {
                            r.id = Some(v);
                        }
                    }
                    ("revision", "parentid") => {
                        let v = num(&text, "parentid")?;
                        if let Some(r) = rev.as_mut() {
                            r.parent_id = Some(v);
                        }
                    }
                    ("revision", "timestamp") => {
                        let ts = text.trim().parse::<jiff::Timestamp>().map_err(|e| {
                            fail(format!(
                                "<timestamp> is not a date: {:?} ({e})",
                                text.trim()
                            ))
                        })?;
                        if let Some(r) = rev.as_mut() {
                            r.timestamp = Some(ts);
                        }
                    }
                    ("revision", "comment") => {
                        if let Some(r) = rev.as_mut() {
                            r.comment = text.clone();
                        }
                    }
                    ("revision", "text") => {
                        if let Some(r) = rev.as_mut() {
                            r.text = Some(std::mem::take(&mut text));
                        }
                    }
                    ("revision", "minor") => {
                        if let Some(r) = rev.as_mut() {
                            r.minor = true;
                        }
                    }
                    ("contributor", "username") => {
                        if let Some(r) = rev.as_mut() {
                            r.user = Some(text.trim().to_string());
                        }
                    }
                    ("contributor", "ip") => {
                        if let Some(r) = rev.as_mut() {
                            r.ip = Some(text.trim().to_string());
                        }
                    }
                    ("contributor", "id") => {
                        let v = num(&text, "id")?;
                        if let Some(r) = rev.as_mut() {
                            r.user_id = Some(v);
                        }
                    }
                    ("page", "revision") => {
                        let r = rev.take().unwrap_or_default();
                        let Some(timestamp) = r.timestamp else {
                            return Err(fail("<revision> without <timestamp>".into()));
                        };
                        let Some(text) = r.text else {
                            return Err(fail("<revision> without <text>".into()));
                        };
                        let contributor = match (r.user, r.ip) {
                            (Some(name), _) if !name.is_empty() => Contributor::User {
                                name,
                                id: r.user_id,
                            },
                            (_, Some(ip)) if !ip.is_empty() => Contributor::Ip(ip),
                            _ => Contributor::Unknown,
                        };
                        if let Some(p) = page.as_mut() {
                            p.revisions.push(WikiRevision {
                                id: r.id,
                                parent_id: r.parent_id,
                                timestamp,
                                contributor,
                                comment: r.comment,
                                minor: r.minor,
                                text,
                                line: r.line,
                            });
                        }
                    }
                    ("mediawiki", "page") => {
                        let p = page.take().unwrap_or_default();
                        let title = p
                            .title
                            .filter(|t| !t.is_empty())
                            .ok_or_else(|| fail("<page> without <title>".into()))?;
                        let mut revisions = p.revisions;
                        revisions.sort_by_key(|r| (r.timestamp, r.id));
                        on_page(WikiPage {
                            title,
                            ns: p.ns,
                            id: p.id,
                            redirect: p.redirect,
                            revisions,
                            line: p.line,
                            end_offset: reader.buffer_position(),
                        })
                        .map_err(fail)?;
                    }
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => {
                if let Some((name, line)) = stack.last() {
                    let line = if stack.len() > 1 { *line } else { line_here };
                    return Err(WikiError {
                        line,
                        message: format!("unexpected end of file: <{name}> is not closed"),
                    });
                }
                if !saw_root {
                    return Err(WikiError {
                        line: 1,
                        message: "not a MediaWiki export: no <mediawiki> element".into(),
                    });
                }
                return Ok(());
            }
            _ => {}
        }
        buf.clear();
    }
}

/// Parses a whole MediaWiki XML export into pages (all-or-nothing).
pub fn parse_mediawiki<R: BufRead>(input: R) -> Result<Vec<WikiPage>, WikiError> {
    let mut pages = Vec::new();
    for_each_page(input, |p| {
        pages.push(p);
        Ok(())
    })?;
    Ok(pages)
}

/// Parses a MediaWiki XML export held in memory.
pub fn parse_mediawiki_str(xml: &str) -> Result<Vec<WikiPage>, WikiError> {
    parse_mediawiki(xml.as_bytes())
}

/// Why a MediaWiki file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum WikiFileError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is malformed.
    #[error("{path}: {error}")]
    Parse {
        /// The file.
        path: String,
        /// The problem, with its line.
        error: WikiError,
    },
}

/// Reads and parses a MediaWiki XML export file (streaming, all-or-nothing).
pub fn read_mediawiki_file(path: &Path) -> Result<Vec<WikiPage>, WikiFileError> {
    let file = std::fs::File::open(path).map_err(|source| WikiFileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_mediawiki(std::io::BufReader::with_capacity(256 * 1024, file)).map_err(|error| {
        WikiFileError::Parse {
            path: path.display().to_string(),
            error,
        }
    })
}

/// One imported revision: the converted content, its history data and the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRevision {
    /// The document content (a page; body converted to Markdown; categories as tags).
    pub content: Content,
    /// Author display name.
    pub author_name: String,
    /// Time of the revision.
    pub time: jiff::Timestamp,
    /// Revision message (the edit summary, or a default).
    pub message: String,
    /// The original wikitext, kept.
    pub original_wikitext: String,
    /// The wiki's revision id.
    pub wiki_revision_id: Option<u64>,
}

/// A wiki page converted to a document history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPage {
    /// Slug of the document (from the title).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Revisions, oldest first.
    pub revisions: Vec<ImportedRevision>,
}

/// Converts a wiki page into a document history: every revision becomes a page
/// revision with its wikitext converted to Markdown ([`wikitext_to_markdown`]), its
/// categories as tags, and the original wikitext kept.
pub fn import_page(page: &WikiPage, license: License) -> ImportedPage {
    let title: String = page
        .title
        .chars()
        .take(crate::model::MAX_TITLE_CHARS)
        .collect();
    let revisions = page
        .revisions
        .iter()
        .map(|r| {
            let conv = wikitext_to_markdown(&r.text);
            let content = Content {
                kind: DocumentKind::Page,
                title: title.clone(),
                body: conv.markdown,
                license,
                visibility: Visibility::Public,
                tags: conv.tags.into_iter().take(crate::model::MAX_TAGS).collect(),
                fields: Default::default(),
            };
            ImportedRevision {
                content,
                author_name: r.contributor.display_name().to_string(),
                time: r.timestamp,
                message: if r.comment.trim().is_empty() {
                    "Import MediaWiki".to_string()
                } else {
                    r.comment.trim().to_string()
                },
                original_wikitext: r.text.clone(),
                wiki_revision_id: r.id,
            }
        })
        .collect();
    ImportedPage {
        slug: slugify(&title),
        title,
        revisions,
    }
}
