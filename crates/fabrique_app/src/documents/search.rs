//! Full-text search over documents, with tantivy, in memory in each process.
//!
//! Correct with several processes on one database: every write appends to
//! `document_index_log` (numbered in commit order, see the migration), and before
//! answering a query the index re-reads the documents changed since the last number it
//! saw. It is built from the `documents` table at start-up ([`warm`], run in the
//! background by `fabrique serve`), or at first use when nothing warmed it.
//!
//! Text is indexed three times: folded (lower case, accents removed), folded and
//! stemmed for French, folded and stemmed for English; the folded field weighs most, so
//! exact words rank above stemmed ones (the title also has a folded field of its own, which
//! weighs most). Queries run over the segments on every core. Visibility is a filter of the
//! query itself.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use fabrique_commons::{Content, License, search_text};
use futures_util::TryStreamExt;
use sqlx::Row;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

use crate::{Actor, App, AppError, AppResult, Config};

/// A search request.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words to look for.
    pub q: Option<String>,
    /// Only this organisation (slug).
    pub org: Option<String>,
    /// Only `recipe` or `page`.
    pub kind: Option<String>,
    /// Only documents with this tag.
    pub tag: Option<String>,
    /// Only this licence (e.g. `CC-BY-SA-4.0`).
    pub license: Option<String>,
    /// Which page of results, from 1 (20 results a page).
    pub page: Option<u32>,
}

/// One result.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Hit {
    /// Organisation slug.
    pub org: String,
    /// Document id.
    pub id: String,
    /// Document slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// `recipe` or `page`.
    pub kind: String,
    /// Licence identifier.
    pub license: String,
    /// An extract with the matching words in `<b>…</b>` (HTML, escaped).
    pub snippet: String,
}

/// Search results.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Results {
    /// Best first, at most 20: the page asked for.
    pub results: Vec<Hit>,
    /// How many documents match in all.
    pub total: usize,
    /// This page's number, from 1.
    pub page: u32,
    /// Results per page.
    pub per_page: usize,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    slug: Field,
    org: Field,
    org_id: Field,
    kind: Field,
    license: Field,
    visibility: Field,
    author: Field,
    tag: Field,
    title: Field,
    text: Field,
    title_exact: Field,
    body_exact: Field,
    body_fr: Field,
    body_en: Field,
}

/// One process's index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    state: tokio::sync::Mutex<State>,
    /// The last change number indexed (`state.last_seq` once committed).
    seen: AtomicI64,
}

struct State {
    writer: IndexWriter,
    last_seq: i64,
}

fn analyzer(stem: Option<Language>) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match stem {
        Some(lang) => base.filter(Stemmer::new(lang)).build(),
        None => base.build(),
    }
}

fn text_options(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> AppError {
    AppError::Internal(anyhow::Error::new(e))
}

type Registry = Mutex<HashMap<usize, (Weak<Config>, Arc<SearchIndex>)>>;
static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();

/// The index of this `App` (one per `App::new`, i.e. per server process), built at
/// first use. Keyed by the identity of the app's shared settings, so that two apps in
/// one test process keep separate indexes exactly like two processes.
pub fn index_of(app: &App) -> AppResult<Arc<SearchIndex>> {
    let key = Arc::as_ptr(&app.config) as usize;
    let mut map = REGISTRY
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    map.retain(|_, (w, _)| w.strong_count() > 0);
    if let Some((w, idx)) = map.get(&key)
        && w.upgrade().is_some_and(|c| Arc::ptr_eq(&c, &app.config))
    {
        return Ok(idx.clone());
    }
    let idx = Arc::new(SearchIndex::new()?);
    map.insert(key, (Arc::downgrade(&app.config), idx.clone()));
    Ok(idx)
}

impl SearchIndex {
    fn new() -> AppResult<SearchIndex> {
        let mut b = Schema::builder();
        let fields = Fields {
            id: b.add_text_field("id", STRING | STORED),
            slug: b.add_text_field("slug", STORED),
            org: b.add_text_field("org", STRING | STORED),
            org_id: b.add_text_field("org_id", STRING),
            kind: b.add_text_field("kind", STRING | STORED),
            license: b.add_text_field("license", STRING | STORED),
            visibility: b.add_text_field("visibility", STRING),
            author: b.add_text_field("author", STRING),
            tag: b.add_text_field("tag", STRING),
            title: b.add_text_field("title", STORED),
            text: b.add_text_field("text", STORED),
            title_exact: b.add_text_field("title_exact", text_options("fold")),
            body_exact: b.add_text_field("body_exact", text_options("fold")),
            body_fr: b.add_text_field("body_fr", text_options("fold_fr")),
            body_en: b.add_text_field("body_en", text_options("fold_en")),
        };
        let mut index = Index::create_in_ram(b.build());
        // A query runs over the index's segments in parallel, one per core.
        index.set_default_multithread_executor().map_err(internal)?;
        index.tokenizers().register("fold", analyzer(None));
        index
            .tokenizers()
            .register("fold_fr", analyzer(Some(Language::French)));
        index
            .tokenizers()
            .register("fold_en", analyzer(Some(Language::English)));
        let writer = index
            .writer_with_num_threads(1, 20_000_000)
            .map_err(internal)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(internal)?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            state: tokio::sync::Mutex::new(State {
                writer,
                last_seq: -1,
            }),
            seen: AtomicI64::new(-1),
        })
    }

    fn add(&self, writer: &IndexWriter, d: &Indexed) -> AppResult<()> {
        let f = self.fields;
        let text = search_text(&d.content);
        let mut document = doc!(
            f.id => d.id.clone(),
            f.slug => d.slug.clone(),
            f.org => d.org.clone(),
            f.org_id => d.org_id.clone(),
            f.kind => d.content.kind.as_str(),
            f.license => d.content.license.id(),
            f.visibility => d.content.visibility.as_str(),
            f.author => d.author.clone().unwrap_or_default(),
            f.title => d.content.title.clone(),
            f.text => text.clone(),
            f.title_exact => d.content.title.clone(),
            f.body_exact => text.clone(),
            f.body_fr => text.clone(),
            f.body_en => text,
        );
        for t in &d.content.tags {
            document.add_text(f.tag, t);
        }
        writer.add_document(document).map_err(internal)?;
        Ok(())
    }

    /// Brings the index up to date with every write committed so far, by any process.
    pub async fn catch_up(&self, app: &App) -> AppResult<()> {
        // The counter row only moves when a change commits: when it has not moved past
        // what this index has seen, there is nothing to read, and concurrent searches do
        // not queue behind one another for the lock.
        let counter = self.counter(app).await?;
        if counter <= self.seen.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut state = self.state.lock().await;
        let f = self.fields;
        let changes = if state.last_seq < 0 {
            None
        } else {
            let rows = sqlx::query(
                "SELECT seq, document_id FROM document_index_log WHERE seq > $1 ORDER BY seq",
            )
            .bind(state.last_seq)
            .fetch_all(&app.db.read)
            .await?;
            let mut changes = Vec::with_capacity(rows.len());
            for r in &rows {
                changes.push((
                    r.try_get::<i64, _>("seq")?,
                    r.try_get::<String, _>("document_id")?,
                ));
            }
            // Numbers follow one another: a gap means the feed was pruned past what this
            // index saw (see [`prune_log`]), and only a rebuild is sure to be complete.
            match changes.first() {
                Some((first, _)) if *first != state.last_seq + 1 => None,
                _ => Some(changes),
            }
        };
        let rebuilt = changes.is_none();
        match changes {
            None => {
                // Read the feed's position first: a write landing during the rebuild is
                // then read again from the feed, and re-indexing a document is idempotent.
                let seq = self.counter(app).await?;
                state.writer.delete_all_documents().map_err(internal)?;
                let mut rows = sqlx::query(LOAD).fetch(&app.db.read);
                let mut n = 0usize;
                while let Some(r) = rows.try_next().await? {
                    self.add(&state.writer, &indexed(&r)?)?;
                    n += 1;
                    if n.is_multiple_of(1000) {
                        // Share the worker with requests while a large index builds.
                        tokio::task::yield_now().await;
                    }
                }
                state.last_seq = seq;
            }
            Some(changes) if changes.is_empty() => return Ok(()),
            Some(changes) => {
                let mut changed = HashSet::new();
                let mut last = state.last_seq;
                for (seq, id) in changes {
                    last = last.max(seq);
                    changed.insert(id);
                }
                for id in &changed {
                    state.writer.delete_term(Term::from_field_text(f.id, id));
                    let row = sqlx::query(&format!("{LOAD} WHERE d.id = $1"))
                        .bind(id)
                        .fetch_optional(&app.db.read)
                        .await?;
                    if let Some(r) = row {
                        self.add(&state.writer, &indexed(&r)?)?;
                    }
                }
                state.last_seq = last;
            }
        }
        let state = &mut *state;
        blocking(|| state.writer.commit()).map_err(internal)?;
        if rebuilt {
            // A full build leaves many small segments (one per memory budget's worth of
            // documents); each query pays for every segment, so they are merged into a
            // few, one per core, which the queries then search in parallel.
            blocking(|| -> tantivy::Result<()> {
                let mut ids = self.index.searchable_segment_ids()?;
                ids.sort_by_key(|id| id.uuid_string());
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let per = ids.len().div_ceil(cores).max(1);
                for group in ids.chunks(per).filter(|g| g.len() > 1) {
                    state.writer.merge(group).wait()?;
                }
                Ok(())
            })
            .map_err(internal)?;
        }
        self.reader.reload().map_err(internal)?;
        self.seen.store(state.last_seq, Ordering::Release);
        Ok(())
    }

    async fn counter(&self, app: &App) -> AppResult<i64> {
        Ok(
            sqlx::query("SELECT seq FROM document_index_counter WHERE id = 1")
                .fetch_one(&app.db.read)
                .await?
                .try_get("seq")?,
        )
    }

    fn terms(&self, field: Field, word: &str) -> AppResult<Vec<Term>> {
        let mut analyzer = self.index.tokenizer_for_field(field).map_err(internal)?;
        let mut stream = analyzer.token_stream(word);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(Term::from_field_text(field, &stream.token().text));
        }
        Ok(out)
    }

    fn word_query(&self, word: &str) -> AppResult<Option<Box<dyn Query>>> {
        let f = self.fields;
        let weighted = [
            (f.title_exact, 6.0),
            (f.body_exact, 3.0),
            (f.body_fr, 1.2),
            (f.body_en, 0.8),
        ];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in weighted {
            for term in self.terms(field, word)? {
                let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
        Ok((!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
    }
}

/// A document as indexed.
struct Indexed {
    id: String,
    slug: String,
    org: String,
    org_id: String,
    author: Option<String>,
    content: Content,
}

/// Every document at its current revision (a `WHERE` may follow).
const LOAD: &str = "SELECT d.id, d.slug, d.org_id, o.slug AS org, d.author_id, r.content FROM documents d \
     JOIN orgs o ON o.id = d.org_id \
     JOIN document_revisions r ON r.document_id = d.id AND r.number = d.current_revision";

fn indexed(r: &sqlx::any::AnyRow) -> AppResult<Indexed> {
    Ok(Indexed {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        org: r.try_get("org")?,
        org_id: r.try_get("org_id")?,
        author: r.try_get("author_id")?,
        content: serde_json::from_str(&r.try_get::<String, _>("content")?).map_err(internal)?,
    })
}

/// Runs CPU-bound work without stalling the other tasks of a multi-threaded runtime.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Changes of the search feed kept whatever their age (the newest ones).
const LOG_KEEP: i64 = 10_000;

/// Changes of the search feed younger than this are kept whatever their number (ms).
const LOG_KEEP_MS: i64 = 24 * 3600 * 1000;

/// Trims the search feed (`document_index_log`), which would otherwise grow with every
/// save forever: removes the changes older than a day that are not among the newest
/// 10,000. A process whose index had not yet read a removed change sees the gap in the
/// numbers and rebuilds its index from the documents. Returns how many were removed.
pub async fn prune_log(app: &App) -> AppResult<u64> {
    prune_log_keeping(app, LOG_KEEP, LOG_KEEP_MS).await
}

/// [`prune_log`] keeping the newest `keep` changes and those younger than `keep_ms`.
pub async fn prune_log_keeping(app: &App, keep: i64, keep_ms: i64) -> AppResult<u64> {
    let done = sqlx::query(
        "DELETE FROM document_index_log WHERE at <= $1 AND seq <= (SELECT seq FROM document_index_counter WHERE id = 1) - $2",
    )
    .bind(app.now() - keep_ms)
    .bind(keep)
    .execute(&app.db.write)
    .await?;
    Ok(done.rows_affected())
}

/// Builds this process's index now (at start-up, in the background), so that the first
/// search does not wait for it. Searches that arrive meanwhile wait for the build.
pub async fn warm(app: &App) -> AppResult<()> {
    let started = std::time::Instant::now();
    let idx = index_of(app)?;
    idx.catch_up(app).await?;
    tracing::info!(
        documents = idx.reader.searcher().num_docs(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "search index built"
    );
    Ok(())
}

fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// A clause that must match but does not change the score.
fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(BoostQuery::new(q, 0.0)))
}

fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Searches what the actor may see: public documents, members-only documents of their
/// organisations, their own drafts.
pub async fn search(app: &App, actor: Option<&Actor>, q: &SearchQuery) -> AppResult<Results> {
    let words = filled(&q.q)
        .ok_or_else(|| AppError::invalid("q", "required", "type one or more words to look for"))?;
    if words.chars().count() > 500 {
        return Err(AppError::invalid(
            "q",
            "query_too_long",
            "a search has at most 500 characters",
        ));
    }
    let page = q.page.unwrap_or(1);
    if page == 0 || page > MAX_PAGE {
        return Err(AppError::invalid(
            "page",
            "page_invalid",
            format!("pages are numbered from 1 to {MAX_PAGE}"),
        ));
    }
    let empty = Results {
        results: vec![],
        total: 0,
        page,
        per_page: RESULTS,
    };
    let idx = index_of(app)?;
    idx.catch_up(app).await?;
    let f = idx.fields;
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut any_word = false;
    for word in words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(20)
    {
        if let Some(wq) = idx.word_query(word)? {
            must.push((Occur::Must, wq));
            any_word = true;
        }
    }
    if !any_word {
        return Ok(empty);
    }
    let mut visible: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Should, term_query(f.visibility, "public"))];
    if let Some(actor) = actor {
        let rows =
            sqlx::query("SELECT org_id FROM members WHERE user_id = $1 AND status = 'active'")
                .bind(&actor.user_id)
                .fetch_all(&app.db.read)
                .await?;
        for r in rows {
            let org_id: String = r.try_get("org_id")?;
            visible.push((
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, term_query(f.visibility, "members")),
                    (Occur::Must, term_query(f.org_id, &org_id)),
                ])),
            ));
        }
        visible.push((
            Occur::Should,
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term_query(f.visibility, "draft")),
                (Occur::Must, term_query(f.author, &actor.user_id)),
            ])),
        ));
    }
    must.push(filter(Box::new(BooleanQuery::new(visible))));
    if let Some(org) = filled(&q.org) {
        must.push(filter(term_query(f.org, org)));
    }
    if let Some(kind) = filled(&q.kind) {
        let kind: fabrique_commons::DocumentKind =
            kind.parse().map_err(|e: fabrique_commons::ContentError| {
                AppError::invalid("kind", "kind_invalid", e.to_string())
            })?;
        must.push(filter(term_query(f.kind, kind.as_str())));
    }
    if let Some(tag) = filled(&q.tag) {
        must.push(filter(term_query(
            f.tag,
            &fabrique_commons::model::normalize_tag(tag),
        )));
    }
    if let Some(l) = filled(&q.license) {
        let l = License::parse(l)
            .map_err(|e| AppError::invalid("license", "license_invalid", e.to_string()))?;
        must.push(filter(term_query(f.license, l.id())));
    }
    let query = BooleanQuery::new(must);
    let searcher = idx.reader.searcher();
    let offset = (page as usize - 1) * RESULTS;
    let (top, total) = searcher
        .search(
            &query,
            &(
                TopDocs::with_limit(RESULTS)
                    .and_offset(offset)
                    .order_by_score(),
                Count,
            ),
        )
        .map_err(internal)?;
    let mut snippets = Vec::new();
    for field in [f.body_exact, f.body_fr, f.body_en] {
        let mut g = SnippetGenerator::create(&searcher, &query, field).map_err(internal)?;
        g.set_max_num_chars(200);
        snippets.push(g);
    }
    let hit = |address: tantivy::DocAddress| -> AppResult<Hit> {
        let d: TantivyDocument = searcher.doc(address).map_err(internal)?;
        let get = |field| {
            d.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let text = get(f.text);
        let head = &text[..head_len(&text, SNIPPET_SOURCE_BYTES)];
        let snippet = snippets
            .iter()
            .map(|g| g.snippet(head))
            .find(|s| !s.is_empty())
            .map(|s| s.to_html())
            .unwrap_or_else(|| escape(&fabrique_commons::snippet(&text, 200)));
        Ok(Hit {
            org: get(f.org),
            id: get(f.id),
            slug: get(f.slug),
            title: get(f.title),
            kind: get(f.kind),
            license: get(f.license),
            snippet,
        })
    };
    // Extracts re-read and re-tokenise each result's text (stemming it when the exact words
    // are not there): the results are shared among the cores.
    let addresses: Vec<tantivy::DocAddress> = top.into_iter().map(|(_, a)| a).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = addresses.len().div_ceil(cores).max(4);
    let mut chunks = addresses.chunks(per);
    let first = chunks.next().unwrap_or_default();
    let results: Vec<Hit> = std::thread::scope(|scope| -> AppResult<Vec<Hit>> {
        let others: Vec<_> = chunks
            .map(|chunk| {
                scope.spawn(|| chunk.iter().map(|a| hit(*a)).collect::<AppResult<Vec<_>>>())
            })
            .collect();
        let mut results = first
            .iter()
            .map(|a| hit(*a))
            .collect::<AppResult<Vec<_>>>()?;
        for other in others {
            match other.join() {
                Ok(hits) => results.extend(hits?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(results)
    })?;
    Ok(Results {
        results,
        total,
        ..empty
    })
}

impl Results {
    /// The number of the last page (at least 1).
    pub fn last_page(&self) -> u32 {
        u32::try_from(self.total.div_ceil(self.per_page).max(1)).unwrap_or(MAX_PAGE)
    }
}

/// How many results a page of search gives, best first.
const RESULTS: usize = 20;

/// The last page one may ask for (beyond it, relevance means little and the work grows).
const MAX_PAGE: u32 = 500;

/// Extracts come from the beginning of a document's text, up to this many bytes: this
/// bounds the work per result whatever the size of the document (a match further on
/// gives the beginning of the text, without highlight).
const SNIPPET_SOURCE_BYTES: usize = 16 * 1024;

/// The length of the longest prefix of `s` of at most `max` bytes ending on a character.
fn head_len(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
