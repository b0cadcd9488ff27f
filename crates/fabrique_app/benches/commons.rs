//! Benchmarks of the knowledge commons through the application's use cases, on SQLite:
//! search over many documents, saving a revision, comparing two 1 MB revisions, and the
//! git export of a long history. A hand-rolled timer reports percentiles.
//!
//! `cargo bench -p fabrique_app --bench commons`. Sizes (environment, defaults in
//! brackets): `BENCH_DOCS` documents searched [100000], `BENCH_QUERIES` per kind of
//! query [400], `BENCH_SAVES` [300], `BENCH_EXPORT_DOCS` [10000] with
//! `BENCH_EXPORT_REVISIONS` revisions each [10]. Inputs are generated deterministically.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fabrique_app::documents::export::{ImportDocument, ImportRevision, import, to_git};
use fabrique_app::documents::search::{self, SearchQuery};
use fabrique_app::documents::{self, Edit, NewDocument};
use fabrique_app::{Actor, App, Config, Db, Mailer, accounts, orgs};
use fabrique_commons::{Content, License};
use fabrique_core::{DisplayName, Email, Password, SystemClock};
use serde_json::json;

/// Words of the commons, most frequent first (the generator draws them Zipf-like).
const COMMON: &[&str] = &[
    "atelier",
    "réparer",
    "ensemble",
    "quartier",
    "bénévoles",
    "association",
    "jardin",
    "partagé",
    "outils",
    "habitants",
    "école",
    "vélo",
    "café",
    "coopérative",
    "épicerie",
    "monnaie",
    "locale",
    "compost",
    "réunion",
    "salle",
    "samedi",
    "matériel",
    "adhérents",
    "cotisation",
    "budget",
    "formation",
    "logiciel",
    "libre",
    "installation",
    "ordinateur",
    "événement",
    "affiche",
    "récolte",
    "semences",
    "graines",
    "cuisine",
    "repas",
    "enfants",
    "parents",
    "mairie",
    "subvention",
    "charte",
    "gouvernance",
    "décision",
    "consentement",
    "accueil",
    "convivialité",
    "entretien",
    "réparation",
    "couture",
];

const SYLLABLES: &[&str] = &[
    "ba", "cho", "di", "fa", "gue", "li", "mo", "nu", "pa", "ré", "si", "ta", "vo", "za", "ker",
    "lan", "mor", "tin", "bel", "cou",
];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    /// A uniform number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// The `i`th word of the long tail: a made-up word of three syllables (8,000 of them).
fn rare(i: usize) -> String {
    let n = SYLLABLES.len();
    format!(
        "{}{}{}",
        SYLLABLES[i % n],
        SYLLABLES[(i / n) % n],
        SYLLABLES[(i / n / n) % n]
    )
}

/// One word: common words often, the long tail rarely (roughly Zipf).
fn word(r: &mut Lcg) -> String {
    if r.next().is_multiple_of(4) {
        let u = r.unit();
        rare((u * u * 8000.0) as usize)
    } else {
        let u = r.unit();
        COMMON[(u * u * COMMON.len() as f64) as usize].to_owned()
    }
}

fn sentence(r: &mut Lcg, words: usize) -> String {
    let mut s = String::new();
    for k in 0..words {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(&word(r));
    }
    s.push('.');
    s
}

/// A recipe or a page of a few hundred words, in the API's JSON shape.
fn document(i: usize, r: &mut Lcg) -> serde_json::Value {
    let title = format!("{} {} {i}", word(r), word(r));
    let tags = vec![COMMON[r.next() % 12], COMMON[12 + r.next() % 12]];
    if i.is_multiple_of(2) {
        json!({
            "kind": "recipe", "title": title, "license": "CC-BY-SA-4.0", "visibility": "public",
            "tags": tags,
            "fields": {
                "summary": sentence(r, 20),
                "context": sentence(r, 40),
                "ingredients": (0..4).map(|_| json!({"kind": "material", "name": word(r), "quantity": "2"})).collect::<Vec<_>>(),
                "utensils": (0..3).map(|_| word(r)).collect::<Vec<_>>(),
                "steps": (0..6).map(|_| sentence(r, 15)).collect::<Vec<_>>(),
                "produces": sentence(r, 10),
                "tips": sentence(r, 25),
            }
        })
    } else {
        let body = (0..5)
            .map(|_| sentence(r, 40))
            .collect::<Vec<_>>()
            .join("\n\n");
        json!({"kind": "page", "title": title, "license": "CC0-1.0", "visibility": "public",
               "tags": tags, "body": body})
    }
}

fn content(v: &serde_json::Value) -> Content {
    Content::from_json_value(v, Some(License::CcBySa)).expect("valid generated document")
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Percentiles of a set of timings.
struct Timings(Vec<Duration>);

impl Timings {
    fn p(&mut self, q: f64) -> Duration {
        self.0.sort();
        let i = ((self.0.len() as f64 * q) as usize).min(self.0.len() - 1);
        self.0[i]
    }

    fn row(mut self, what: &str) {
        println!(
            "| {what} | {} | {} | {} | {} |",
            self.0.len(),
            ms(self.p(0.5)),
            ms(self.p(0.95)),
            ms(self.p(0.99)),
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn setup() -> (App, Actor, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let app = App::new(
        db,
        Arc::new(SystemClock),
        Mailer::log_only(),
        Config {
            base_url: "http://localhost".into(),
        },
    );
    let user = accounts::create_user(
        &app,
        &Email::parse("camille@example.org").unwrap(),
        &DisplayName::parse("name", "Camille").unwrap(),
        &Password::parse("password", "correct horse battery").unwrap(),
        false,
    )
    .await
    .expect("user");
    let camille = accounts::actor_of(&user);
    for slug in ["biblio", "archives"] {
        let new = orgs::NewOrg {
            slug: slug.into(),
            name: format!("Bench {slug}"),
            kind: "association".into(),
            ..Default::default()
        };
        orgs::create(&app, &camille, &new).await.expect("org");
    }
    (app, camille, dir)
}

/// Imports `docs` documents of `revisions` revisions each, in batches (one transaction
/// each), through the import use case.
async fn seed(app: &App, org: &str, docs: usize, revisions: usize, seed: u64) -> Duration {
    let started = Instant::now();
    let mut r = Lcg(seed);
    let t0 = 1_700_000_000_000i64;
    let batch = 2000;
    for start in (0..docs).step_by(batch) {
        let chunk: Vec<ImportDocument> = (start..(start + batch).min(docs))
            .map(|i| {
                let mut v = document(i, &mut r);
                ImportDocument {
                    slug: String::new(),
                    attribution: vec![],
                    revisions: (0..revisions)
                        .map(|k| {
                            if k > 0 {
                                v["title"] = json!(
                                    format!("{} (v{k})", v["title"].as_str().unwrap_or(""))
                                        .chars()
                                        .take(150)
                                        .collect::<String>()
                                );
                                v["tags"] = json!([COMMON[k % COMMON.len()]]);
                            }
                            ImportRevision {
                                content: content(&v),
                                author_name: format!("Autrice {}", i % 50),
                                at: t0 + k as i64 * 10_000_000 + i as i64,
                                message: format!("Révision {}", k + 1),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        import(app, org, &chunk, |_| {}).await.expect("import");
    }
    started.elapsed()
}

/// Makes one query of a kind from the generator.
type QueryMaker = Box<dyn Fn(&mut Lcg) -> SearchQuery>;

async fn search_bench(app: &App, member: &Actor, docs: usize, queries: usize) {
    let started = Instant::now();
    search::warm(app).await.expect("index");
    println!(
        "index of {docs} documents built at start-up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut r = Lcg(7);
    let kinds: Vec<(&str, QueryMaker)> = vec![
        (
            "one common word",
            Box::new(|r| q(COMMON[r.next() % COMMON.len()].to_owned())),
        ),
        (
            "two common words",
            Box::new(|r| {
                q(format!(
                    "{} {}",
                    COMMON[r.next() % 20],
                    COMMON[r.next() % COMMON.len()]
                ))
            }),
        ),
        ("a rare word", Box::new(|r| q(rare(200 + r.next() % 7000)))),
        (
            "unaccented and stemmed (ecole, reparation, evenements)",
            Box::new(|r| {
                q(["ecole", "REPARATION", "evenements", "jardins partages"][r.next() % 4].into())
            }),
        ),
        (
            "one word, recipes tagged “atelier”",
            Box::new(|r| SearchQuery {
                kind: Some("recipe".into()),
                tag: Some("atelier".into()),
                ..q(COMMON[r.next() % COMMON.len()].to_owned())
            }),
        ),
    ];
    println!(
        "\n| search over {docs} documents | queries | p50 | p95 | p99 |\n|---|---|---|---|---|"
    );
    let mut all = Vec::new();
    for (name, make) in &kinds {
        for actor in [None, Some(member)] {
            let mut t = Vec::new();
            for _ in 0..queries {
                let query = make(&mut r);
                let started = Instant::now();
                let res = search::search(app, actor, &query).await.expect("search");
                t.push(started.elapsed());
                std::hint::black_box(res);
            }
            all.extend(t.iter().copied());
            let who = if actor.is_some() {
                "member"
            } else {
                "anonymous"
            };
            Timings(t).row(&format!("{name}, {who}"));
        }
    }
    Timings(all).row("all of the above");
}

fn q(words: String) -> SearchQuery {
    SearchQuery {
        q: Some(words),
        ..Default::default()
    }
}

async fn save_bench(app: &App, camille: &Actor, saves: usize) {
    let v = document(0, &mut Lcg(11));
    let created = documents::create(
        app,
        camille,
        "biblio",
        NewDocument {
            content: &v,
            message: "",
        },
    )
    .await
    .expect("create");
    let mut t = Vec::new();
    let mut current = created.revision;
    for i in 0..saves {
        let mut edited = v.clone();
        edited["fields"]["steps"][i % 6] = json!(format!("Étape réécrite {i}."));
        let started = Instant::now();
        let saved = documents::save(
            app,
            camille,
            "biblio",
            &created.slug,
            Edit {
                base_revision: current,
                content: &edited,
                message: "Une étape de plus",
            },
        )
        .await
        .expect("save");
        t.push(started.elapsed());
        match saved {
            documents::Merged::Saved(s) => current = s.revision,
            documents::Merged::Conflict(_) => panic!("no conflict expected"),
        }
    }
    println!("\n| use case | runs | p50 | p95 | p99 |\n|---|---|---|---|---|");
    Timings(t).row("save a revision (recipe, on the current revision)");
}

/// About 1 MB of Markdown paragraphs.
fn megabyte(r: &mut Lcg) -> String {
    let mut s = String::new();
    let mut n = 0;
    while s.len() < 1_000_000 {
        n += 1;
        if n % 10 == 0 {
            s.push_str(&format!("## Section {n}\n\n"));
        }
        let len = 40 + r.next() % 80;
        s.push_str(&sentence(r, len));
        s.push_str("\n\n");
    }
    s
}

async fn diff_bench(app: &App, camille: &Actor) {
    let body = megabyte(&mut Lcg(3));
    let edited: String = body
        .split_inclusive("\n\n")
        .enumerate()
        .map(|(i, p)| {
            if i % 50 == 7 {
                p.replacen(".\n\n", ", avec une phrase ajoutée.\n\n", 1)
                    .replacen(' ', " vraiment ", 1)
            } else {
                p.to_owned()
            }
        })
        .collect();
    let v = json!({"kind": "page", "title": "Un mégaoctet", "license": "CC0-1.0", "body": body});
    let created = documents::create(
        app,
        camille,
        "biblio",
        NewDocument {
            content: &v,
            message: "",
        },
    )
    .await
    .expect("create 1 MB");
    let mut w = v.clone();
    w["body"] = json!(edited);
    let started = Instant::now();
    documents::save(
        app,
        camille,
        "biblio",
        &created.slug,
        Edit {
            base_revision: 1,
            content: &w,
            message: "Une phrase sur cinquante",
        },
    )
    .await
    .expect("save 1 MB");
    let save_1mb = started.elapsed();
    let mut t = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let c = documents::compare(app, Some(camille), "biblio", &created.slug, 1, 2)
            .await
            .expect("compare");
        t.push(started.elapsed());
        assert_eq!(c.changed, vec!["body".to_string()]);
    }
    Timings(t).row("compare two 1 MB revisions (1 paragraph in 50 edited)");
    Timings(vec![save_1mb]).row("save a 1 MB revision (once)");
}

async fn export_bench(app: &App, docs: usize, revisions: usize) {
    let took = seed(app, "archives", docs, revisions, 5).await;
    println!(
        "\nseeded {docs} documents × {revisions} revisions in {:.1} s",
        took.as_secs_f64()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("export");
    let started = Instant::now();
    let written = to_git(app, "archives", &repo, |_, _| {})
        .await
        .expect("export");
    let took = started.elapsed();
    let count = std::process::Command::new("git")
        .args(["-C", repo.to_str().unwrap(), "rev-list", "--count", "main"])
        .output()
        .expect("git rev-list");
    let count = String::from_utf8_lossy(&count.stdout).trim().to_owned();
    assert_eq!(count, written.to_string(), "one commit per revision");
    println!(
        "export of {docs} documents with {written} revisions to git: {:.1} s ({:.0} revisions/s), {count} commits",
        took.as_secs_f64(),
        written as f64 / took.as_secs_f64()
    );
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_default()
}

fn main() {
    // Criterion's harness passes `--bench`; nothing to parse.
    let docs = env("BENCH_DOCS", 100_000);
    let queries = env("BENCH_QUERIES", 400);
    let saves = env("BENCH_SAVES", 300);
    let export_docs = env("BENCH_EXPORT_DOCS", 10_000);
    let export_revisions = env("BENCH_EXPORT_REVISIONS", 10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (app, camille, _dir) = setup().await;
        let took = seed(&app, "biblio", docs, 1, 1).await;
        println!("seeded {docs} documents in {:.1} s", took.as_secs_f64());
        search_bench(&app, &camille, docs, queries).await;
        save_bench(&app, &camille, saves).await;
        diff_bench(&app, &camille).await;
        println!("peak memory so far: {}", peak_rss());
        if export_docs > 0 {
            export_bench(&app, export_docs, export_revisions).await;
        }
        println!("peak memory: {}", peak_rss());
    });
}
