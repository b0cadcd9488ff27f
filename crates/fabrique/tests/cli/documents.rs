//! `fabrique export` and `fabrique import`, run as the binary against an SQLite file,
//! or against a fresh PostgreSQL database when `FABRIQUE_TEST_DATABASE_URL=postgres://…`
//! names a server (as the web tests do); and `fabrique serve` building its search index
//! at start-up.

use std::process::Command;
use std::sync::Arc;

use fabrique_app::documents::{self, Edit, NewDocument};
use fabrique_app::{App, Config, Db, Mailer, accounts, orgs};
use fabrique_core::{DisplayName, Email, Password, SystemClock};
use serde_json::json;

const COMMONS_DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fabrique_commons/tests/commons/data"
);

async fn setup(url: &str) -> App {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
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
        &Email::parse("alice@example.org").unwrap(),
        &DisplayName::parse("name", "Alice").unwrap(),
        &Password::parse("password", "correct horse battery").unwrap(),
        false,
    )
    .await
    .unwrap();
    let alice = accounts::actor_of(&user);
    for slug in ["atelier", "arrivee"] {
        let new = orgs::NewOrg {
            slug: slug.into(),
            name: format!("Org {slug}"),
            kind: "association".into(),
            ..Default::default()
        };
        orgs::create(&app, &alice, &new).await.unwrap();
    }
    let content = json!({"kind": "recipe", "title": "Repair café", "license": "CC-BY-SA-4.0",
        "fields": {"summary": "Réparer ensemble.", "steps": ["Trouver une salle."]}});
    let saved = documents::create(
        &app,
        &alice,
        "atelier",
        NewDocument {
            content: &content,
            message: "Création",
        },
    )
    .await
    .unwrap();
    let mut second = content.clone();
    second["fields"]["steps"] = json!(["Trouver une salle.", "Annoncer la date."]);
    documents::save(
        &app,
        &alice,
        "atelier",
        &saved.slug,
        Edit {
            base_revision: 1,
            content: &second,
            message: "Ajout d'une étape",
        },
    )
    .await
    .unwrap();
    let page = json!({"title": "Charte", "license": "CC0-1.0", "body": "Soyons **accueillants**."});
    documents::create(
        &app,
        &alice,
        "atelier",
        NewDocument {
            content: &page,
            message: "",
        },
    )
    .await
    .unwrap();
    app
}

/// A database for one test: a new PostgreSQL database (dropped at the end) when
/// `FABRIQUE_TEST_DATABASE_URL` names a server, otherwise an SQLite file in `dir`.
struct TestDb {
    url: String,
    pg: Option<(String, String)>,
}

impl TestDb {
    async fn new(dir: &std::path::Path) -> TestDb {
        let admin = std::env::var("FABRIQUE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"));
        let Some(admin) = admin else {
            return TestDb {
                url: format!("sqlite://{}", dir.join("f.db").display()),
                pg: None,
            };
        };
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "fabrique_cli_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let base = admin
            .rsplit_once('/')
            .map(|(b, _)| b.to_owned())
            .unwrap_or(admin.clone());
        TestDb {
            url: format!("{base}/{name}"),
            pg: Some((admin, name)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) =
                        <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await
                    {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

fn fabrique(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fabrique"))
        .args(args)
        .output()
        .expect("run fabrique")
}

async fn count(app: &App, org: &str) -> usize {
    documents::list(app, None, org).await.unwrap().1.len()
}

#[tokio::test]
async fn export_to_git_and_import_markdown_and_mediawiki() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let url = db.url.clone();
    let app = setup(&url).await;
    let repo = dir.path().join("export");
    let repo_s = repo.to_str().unwrap();

    let out = fabrique(&[
        "export",
        "--database",
        &url,
        "--org",
        "atelier",
        "--git",
        repo_s,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = Command::new("git")
        .args(["-C", repo_s, "log", "--format=%an|%s"])
        .output()
        .unwrap();
    let log = String::from_utf8(log.stdout).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "every revision is a commit: {log}");
    assert!(lines.iter().all(|l| l.starts_with("Alice|")), "{log}");
    assert!(log.contains("Ajout d'une étape"));
    let recipe = std::fs::read_to_string(repo.join("recettes/repair-cafe.md")).unwrap();
    assert!(recipe.starts_with("---"), "front matter: {recipe}");
    assert!(recipe.contains("Annoncer la date."));

    // Exporting again into a non-empty folder is refused.
    let out = fabrique(&[
        "export",
        "--database",
        &url,
        "--org",
        "atelier",
        "--git",
        repo_s,
    ]);
    assert!(!out.status.success());

    // The exported files import into another organisation.
    let out = fabrique(&[
        "import",
        "--database",
        &url,
        "--org",
        "arrivee",
        "--markdown",
        repo_s,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count(&app, "arrivee").await, 2);

    // A malformed file imports nothing and names the line.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(
        bad.join("a.md"),
        "---\ntitle: Bien\nlicense: CC0-1.0\n---\nCorps.\n",
    )
    .unwrap();
    std::fs::write(
        bad.join("b.md"),
        "---\ntitle: Mal\nlicense: GPL-3.0\n---\nCorps.\n",
    )
    .unwrap();
    let out = fabrique(&[
        "import",
        "--database",
        &url,
        "--org",
        "arrivee",
        "--markdown",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b.md:3"), "{err}");
    assert_eq!(count(&app, "arrivee").await, 2);

    // MediaWiki: every page with its revisions; a malformed export imports nothing.
    let out = fabrique(&[
        "import",
        "--database",
        &url,
        "--org",
        "arrivee",
        "--mediawiki",
        &format!("{COMMONS_DATA}/malformed.xml"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line"));
    assert_eq!(count(&app, "arrivee").await, 2);
    let out = fabrique(&[
        "import",
        "--database",
        &url,
        "--org",
        "arrivee",
        "--mediawiki",
        &format!("{COMMONS_DATA}/repair_cafe.xml"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, list) = documents::list(&app, None, "arrivee").await.unwrap();
    let wiki = list
        .iter()
        .find(|d| {
            d.slug.starts_with("repair-cafe-") || (d.slug == "repair-cafe" && d.kind == "page")
        })
        .expect("the wiki page");
    assert!(wiki.revision >= 2, "revisions kept");
}

/// Removes terminal colour codes from a log line.
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn serve_builds_the_search_index_at_start_up() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("f.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_fabrique"))
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &url,
        ])
        .env("FABRIQUE_LOG", "info,sqlx=warn")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run fabrique serve");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(plain(&line)).is_err() {
                break;
            }
        }
    });
    // No search has been made: the server built the index by itself, with the demo's
    // documents. (The wait only bounds a hang; it measures nothing.)
    let mut seen = Vec::new();
    let built = loop {
        match rx.recv_timeout(std::time::Duration::from_secs(300)) {
            Ok(line) if line.contains("search index built") => break Some(line),
            Ok(line) => seen.push(line),
            Err(_) => break None,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let built = built.unwrap_or_else(|| panic!("no index built; log:\n{}", seen.join("\n")));
    let documents: usize = built
        .split_whitespace()
        .find_map(|w| w.strip_prefix("documents="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a document count in {built}"));
    assert!(documents >= 20, "the demo's documents are indexed: {built}");
}
