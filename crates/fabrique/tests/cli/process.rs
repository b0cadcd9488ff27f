//! Real `fabrique serve` processes: killed with SIGKILL in the middle of a surge of ballots
//! and of a bank statement import, then restarted on the same database; and two processes
//! serving one database together (sessions, scheduled opening and closing, search).
//! An SQLite file by default; a fresh PostgreSQL database when
//! `FABRIQUE_TEST_DATABASE_URL=postgres://…` is set.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinSet;

const PASSWORD: &str = "a long enough password";
/// How long to wait for a server to answer or a scheduled job to happen: generous for a
/// debug build on a busy machine. No assertion depends on it.
const PATIENCE: Duration = Duration::from_secs(180);

fn unique() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}_{nanos}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A fresh database and a directory for the servers' logs. A PostgreSQL database is
/// dropped at the end.
struct Database {
    url: String,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

async fn connect(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"))
}

impl Database {
    async fn fresh() -> Database {
        let dir = tempfile::tempdir().unwrap();
        let server = std::env::var("FABRIQUE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"));
        let Some(server) = server else {
            let url = format!("sqlite://{}", dir.path().join("fabrique.db").display());
            return Database {
                url,
                dir,
                postgres: None,
            };
        };
        let name = format!("fabrique_p_{}", unique());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut connect(&server).await)
            .await
            .unwrap();
        let (prefix, _) = server.rsplit_once('/').unwrap();
        Database {
            url: format!("{prefix}/{name}"),
            dir,
            postgres: Some((server, name)),
        }
    }

    /// The first column of the first row of a query, as a number.
    async fn number(&self, sql: &str) -> i64 {
        let row = sqlx::query(sql)
            .fetch_one(&mut connect(&self.url).await)
            .await
            .unwrap();
        sqlx::Row::try_get(&row, 0).unwrap()
    }

    /// Runs the command line on this database and returns what it printed.
    fn cli(&self, args: &[&str], stdin: &str) -> String {
        let mut args = args.to_vec();
        args.extend(["--database", &self.url]);
        let out = super::fabrique(&args, stdin, self.dir.path());
        assert!(
            out.status.success(),
            "fabrique {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = sqlx::query(&sql).execute(&mut connect(&server).await).await;
            });
        })
        .join();
    }
}

/// A `fabrique serve` process on a free port, its log in the database's directory.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn spawn(db: &Database, name: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = db.dir.path().join(format!("{name}.log"));
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_fabrique"))
            .args(["serve", "--database", &db.url, "--listen", &listen])
            .current_dir(db.dir.path())
            .env_remove("FABRIQUE_DATABASE_URL")
            .env_remove("FABRIQUE_CONFIG")
            .env_remove("FABRIQUE_SMTP_URL")
            .env_remove("FABRIQUE_DEMO")
            .env_remove("FABRIQUE_BASE_URL")
            .env("FABRIQUE_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start fabrique serve");
        Server {
            child,
            base: format!("http://{listen}"),
            log,
        }
    }

    /// Waits until the server answers.
    async fn ready(&mut self) {
        let started = Instant::now();
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(format!("{}/api/v1/me", self.base)).send().await {
                assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{}", self.log());
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("fabrique serve stopped ({status}):\n{}", self.log());
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the server never answered:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn start(db: &Database, name: &str) -> Server {
        let mut server = Server::spawn(db, name);
        server.ready().await;
        server
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown, no flush, no goodbye.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A JSON API client of one server.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    fn new(server: &Server, token: Option<String>) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: server.base.clone(),
            token,
        }
    }

    /// The same caller on another server.
    fn on(&self, server: &Server) -> Api {
        Api::new(server, self.token.clone())
    }

    /// A request; `Err` when the server did not answer (it was killed).
    async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, reqwest::Body)>,
    ) -> reqwest::Result<(StatusCode, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some((content_type, body)) = body {
            req = req.header("content-type", content_type).body(body);
        }
        let r = req.send().await?;
        let status = r.status();
        let text = r.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.try_send(Method::GET, path, None).await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.try_send(Method::POST, path, Some(json_body(&body)))
            .await
            .unwrap()
    }
}

fn json_body(value: &Value) -> (&'static str, reqwest::Body) {
    ("application/json", value.to_string().into())
}

/// An organisation `slug` with an administrator (made with the command line) and `n`
/// members who sign up and ask for a token through the API, each with an API client.
async fn seed(db: &Database, server: &Server, slug: &str, n: usize) -> (Api, Vec<Api>) {
    let email = format!("admin@{slug}.test");
    db.cli(
        &["admin", "create-user", "--email", &email, "--name", "Admin"],
        PASSWORD,
    );
    let token = db.cli(&["admin", "create-token", "--email", &email], "");
    let admin = Api::new(server, Some(token));
    let (status, body) = admin
        .post(
            "/api/v1/orgs",
            json!({"slug": slug, "name": format!("Org {slug}"), "kind": "association"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut joining = JoinSet::new();
    for i in 0..n {
        let (anonymous, admin, slug) = (Api::new(server, None), admin.clone(), slug.to_owned());
        joining.spawn(async move {
            let email = format!("m{i}@{slug}.test");
            let (status, body) = anonymous
                .post(
                    "/api/v1/signup",
                    json!({"email": email, "name": format!("Membre {i}"), "password": PASSWORD}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let (status, body) = anonymous
                .post(
                    "/api/v1/tokens",
                    json!({"email": email, "password": PASSWORD}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let member = Api {
                token: body["token"].as_str().map(str::to_owned),
                ..anonymous
            };
            let (status, body) = admin
                .post(
                    &format!("/api/v1/orgs/{slug}/members"),
                    json!({"email": email}),
                )
                .await;
            assert!(status.is_success(), "{body}");
            (i, member)
        });
    }
    let mut members: Vec<(usize, Api)> = joining.join_all().await;
    members.sort_by_key(|(i, _)| *i);
    (admin, members.into_iter().map(|(_, m)| m).collect())
}

/// What one voter knows about their ballots on one decision.
#[derive(Default, Clone)]
struct Trail {
    /// Trackers of the acknowledged ballots, in order (each replaced the one before).
    acked: Vec<String>,
    /// A ballot was sent after the last acknowledged one and never answered.
    unanswered: bool,
}

const VOTERS: usize = 40;
const ROUNDS: usize = 6;

/// Votes, then revotes (replacing the previous tracker), `ROUNDS` times on every
/// decision, until the server stops answering.
async fn voter(api: Api, decisions: Vec<String>, acked: Arc<AtomicUsize>) -> Vec<Trail> {
    let mut trails = vec![Trail::default(); decisions.len()];
    for round in 0..ROUNDS {
        for (k, id) in decisions.iter().enumerate() {
            let choice = ["for", "against", "abstain"][(round + k) % 3];
            let mut ballot = json!({"choice": choice});
            if let Some(last) = trails[k].acked.last() {
                ballot["replaces"] = json!(last);
            }
            trails[k].unanswered = true;
            let path = format!("/api/v1/orgs/urne/decisions/{id}/ballots");
            let Ok((status, body)) = api
                .try_send(Method::POST, &path, Some(json_body(&ballot)))
                .await
            else {
                return trails;
            };
            assert_eq!(status, StatusCode::CREATED, "a ballot was refused: {body}");
            trails[k]
                .acked
                .push(body["tracker"].as_str().unwrap().to_owned());
            trails[k].unanswered = false;
            acked.fetch_add(1, Ordering::SeqCst);
        }
    }
    trails
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ballots_acknowledged_before_a_sigkill_are_all_counted_once_after_restart() {
    let db = Database::fresh().await;
    let mut server = Server::start(&db, "before-kill").await;
    let (admin, voters) = seed(&db, &server, "urne", VOTERS).await;
    let mut decisions = Vec::new();
    for (title, secret) in [("Secret A", true), ("Secret B", true), ("Public", false)] {
        let (status, d) = admin
            .post(
                "/api/v1/orgs/urne/decisions",
                json!({"title": title, "method": "motion", "secret": secret}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().unwrap().to_owned();
        let (status, d) = admin
            .post(&format!("/api/v1/orgs/urne/decisions/{id}/open"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{d}");
        assert_eq!(d["electorate_count"], json!(VOTERS + 1), "{d}");
        decisions.push(id);
    }

    let acked = Arc::new(AtomicUsize::new(0));
    let mut surge = JoinSet::new();
    for (v, api) in voters.iter().enumerate() {
        let run = voter(api.clone(), decisions.clone(), acked.clone());
        surge.spawn(async move { (v, run.await) });
    }
    // Kill while voters are sending: once 40% of the ballots have been acknowledged.
    let total = VOTERS * ROUNDS * decisions.len();
    let started = Instant::now();
    while acked.load(Ordering::SeqCst) < total * 2 / 5 {
        assert!(started.elapsed() < PATIENCE, "the surge is stuck");
        assert!(!surge.is_empty());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let mut trails: Vec<(usize, Vec<Trail>)> = surge.join_all().await;
    trails.sort_by_key(|(v, _)| *v);
    let acknowledged = acked.load(Ordering::SeqCst);
    assert!(
        acknowledged < total,
        "the kill came during the surge ({acknowledged} of {total} acknowledged)"
    );

    let server = Server::start(&db, "after-kill").await;
    let admin = admin.on(&server);
    for (k, id) in decisions.iter().enumerate() {
        let (status, d) = admin
            .post(
                &format!("/api/v1/orgs/urne/decisions/{id}/close"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{d}");
        let (status, published) = admin
            .get(&format!("/api/v1/orgs/urne/decisions/{id}/ballots"))
            .await;
        assert_eq!(status, StatusCode::OK, "{published}");
        let trackers: Vec<&str> = published["trackers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let counted: HashSet<&str> = trackers.iter().copied().collect();
        assert_eq!(counted.len(), trackers.len(), "no tracker counted twice");
        assert_eq!(
            published["election"]["ballots"].as_array().unwrap().len(),
            trackers.len()
        );
        let (_, result) = admin
            .get(&format!("/api/v1/orgs/urne/decisions/{id}/result"))
            .await;
        assert_eq!(
            result["participation"]["voted"],
            json!(trackers.len()),
            "one ballot per voice used: {result}"
        );

        // The voter of each counted public ballot.
        let voter_of: HashMap<&str, &str> = match published["voters"].as_array() {
            Some(names) => trackers
                .iter()
                .zip(names)
                .map(|(t, n)| (*t, n.as_str().unwrap()))
                .collect(),
            None => HashMap::new(),
        };
        if !voter_of.is_empty() {
            let names: HashSet<&str> = voter_of.values().copied().collect();
            assert_eq!(names.len(), voter_of.len(), "one public ballot per voter");
        }
        let all_acked: HashSet<&str> = trails
            .iter()
            .flat_map(|(_, t)| t[k].acked.iter().map(String::as_str))
            .collect();
        let (mut unanswered, mut replaced_unseen) = (0, 0);
        for (v, trail) in &trails {
            let trail = &trail[k];
            let Some((last, earlier)) = trail.acked.split_last() else {
                unanswered += usize::from(trail.unanswered);
                continue;
            };
            for old in earlier {
                assert!(!counted.contains(old.as_str()), "a replaced ballot counts");
            }
            if trail.unanswered {
                // The unanswered revote may have replaced the last acknowledged ballot.
                unanswered += 1;
                replaced_unseen += usize::from(!counted.contains(last.as_str()));
            } else {
                assert!(
                    counted.contains(last.as_str()),
                    "voter {v}: acknowledged ballot {last} is counted"
                );
                if let Some(name) = voter_of.get(last.as_str()) {
                    assert_eq!(*name, format!("Membre {v}"));
                }
            }
        }
        let unknown = counted.iter().filter(|t| !all_acked.contains(*t)).count();
        assert!(
            replaced_unseen <= unknown && unknown <= unanswered,
            "every counted ballot unknown to its voter was sent and never answered: \
             {replaced_unseen} ≤ {unknown} ≤ {unanswered}"
        );
    }
}

/// A bank statement in CSV (`Date;Libellé;Montant`), one line per operation, labelled
/// `{tag} {i}`.
fn statement(tag: &str, lines: usize) -> Vec<u8> {
    let mut csv = String::from("Date;Libellé;Montant\n");
    for i in 0..lines {
        let (day, month) = (i % 28 + 1, i / 28 % 12 + 1);
        let sign = if i % 3 == 0 { "-" } else { "" };
        csv.push_str(&format!(
            "{day:02}/{month:02}/2026;{tag} {i};{sign}{},{:02}\n",
            i % 900 + 1,
            i % 100
        ));
    }
    csv.into_bytes()
}

/// Lines per statement: an import takes a few seconds (PostgreSQL does one round trip
/// per line, SQLite writes in process).
fn import_lines(db: &Database) -> usize {
    if db.postgres.is_some() { 5_000 } else { 20_000 }
}
const IMPORT_PATH: &str = "/api/v1/orgs/caisse/ledger/imports?bank_account=5121";

async fn import(api: &Api, tag: &str, lines: usize) -> reqwest::Result<(StatusCode, Value)> {
    let body = statement(tag, lines);
    api.try_send(Method::POST, IMPORT_PATH, Some(("text/csv", body.into())))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_import_killed_midway_is_whole_or_absent_after_restart() {
    let db = Database::fresh().await;
    let mut server = Server::start(&db, "import-0").await;
    let (mut admin, _) = seed(&db, &server, "caisse", 0).await;
    let (status, body) = admin
        .post(
            "/api/v1/orgs/caisse/ledger/bank-accounts",
            json!({"account": "5121", "name": "Banque", "csv_mapping": {
                "separator": ";", "skip_rows": 1, "date_column": 0, "date_format": "%d/%m/%Y",
                "amount": {"kind": "single", "column": 2}, "label_columns": [1],
                "reference_column": null, "id_column": null, "decimal_comma": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lines = import_lines(&db);
    let lines_of =
        |tag: &str| format!("SELECT COUNT(*) FROM treasury_bank_lines WHERE label LIKE '{tag} %'");
    // A first statement, imported whole, shows how long an import takes on this machine.
    let started = Instant::now();
    let (status, outcome) = import(&admin, "A", lines).await.unwrap();
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["created"], json!(lines));
    assert_eq!(db.number(&lines_of("A")).await, lines as i64);

    // Killed at 30%, 60% and 90% of that time (inside the import's transaction), and after
    // it (the import has been answered).
    let mut whole_imports = 1;
    for (attempt, (tag, fraction)) in [("B", 0.3), ("C", 0.6), ("D", 0.9), ("E", 1.5)]
        .iter()
        .enumerate()
    {
        let api = admin.clone();
        let sending = tokio::spawn(async move { import(&api, tag, lines).await });
        tokio::time::sleep(took.mul_f64(*fraction)).await;
        server.kill();
        let answered = sending.await.unwrap();
        server = Server::start(&db, &format!("import-{}", attempt + 1)).await;
        admin = admin.on(&server);

        let stored = db.number(&lines_of(tag)).await as usize;
        eprintln!(
            "import {tag} killed after {:?}: {stored} of {lines} lines stored",
            took.mul_f64(*fraction)
        );
        assert!(
            stored == 0 || stored == lines,
            "all or nothing: {stored} of {lines} lines of {tag}"
        );
        if let Ok((status, _)) = &answered {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(stored, lines, "an acknowledged import is kept");
        }
        whole_imports += usize::from(stored == lines);
        assert_eq!(
            db.number("SELECT COUNT(*) FROM treasury_imports").await,
            whole_imports as i64,
            "an import is recorded with its lines"
        );
        assert_eq!(
            db.number("SELECT COUNT(*) FROM audit_log WHERE action = 'treasury.imported'")
                .await,
            whole_imports as i64
        );

        // Sending the statement again completes it, once.
        let (status, outcome) = import(&admin, tag, lines).await.unwrap();
        assert_eq!(status, StatusCode::OK, "{outcome}");
        assert_eq!(outcome["created"], json!(lines - stored));
        assert_eq!(outcome["duplicate"], json!(stored));
        assert_eq!(db.number(&lines_of(tag)).await, lines as i64);
        whole_imports += 1;
    }
    assert_eq!(
        db.number("SELECT COUNT(*) FROM treasury_bank_lines").await,
        5 * lines as i64
    );
}

/// The `name=value` pairs of the cookies a response sets.
fn cookies_set(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect()
}

/// The e-mails logged (no SMTP server) to `to` with this subject, by all the servers.
fn mails(servers: &[&Server], to: &str, subject: &str) -> usize {
    servers
        .iter()
        .map(|s| {
            s.log()
                .lines()
                .filter(|l| l.contains("e-mail (no SMTP configured)"))
                .filter(|l| l.contains(&format!("to={to} ")) && l.contains(subject))
                .count()
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_share_sessions_scheduled_jobs_and_search() {
    let db = Database::fresh().await;
    // Started together: both migrate the same empty database at once.
    let (mut a, mut b) = (Server::spawn(&db, "a"), Server::spawn(&db, "b"));
    a.ready().await;
    b.ready().await;
    let (admin, members) = seed(&db, &a, "duo", 3).await;

    // Sign in on A with the form; the session cookie works on B, and signing out on B
    // ends it on A.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(format!("{}/login", a.base)).send().await.unwrap();
    let mut cookies = cookies_set(&page);
    let html = page.text().await.unwrap();
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[start..].split('"').next().unwrap().to_owned();
    let r = http
        .post(format!("{}/login", a.base))
        .header("cookie", cookies.join("; "))
        .form(&[
            ("email", "admin@duo.test"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    cookies.extend(cookies_set(&r));
    let cookie = cookies.join("; ");
    assert!(cookie.contains("fabrique_session="), "{cookie}");
    let r = http
        .get(format!("{}/account", b.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("admin@duo.test"));
    let r = http
        .post(format!("{}/logout", b.base))
        .header("cookie", &cookie)
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = http
        .get(format!("{}/account", a.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out everywhere");

    // A decision that opens and closes on its own while both servers tick.
    let title = "Ouverture et clôture planifiées";
    let now = now_ms();
    let (status, d) = admin
        .post(
            "/api/v1/orgs/duo/decisions",
            json!({"title": title, "method": "motion", "secret": false,
                   "opens_at": now + 3_000, "closes_at": now + 12_000}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_owned();

    // Meanwhile: a document written through A is found by a search on B, whose index was
    // warmed before the write.
    let on_b = admin.on(&b);
    let (status, r) = on_b.get("/api/v1/search?q=lombricomposteur").await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["results"].as_array().unwrap().len(), 0);
    let (status, doc) = members[0]
        .post(
            "/api/v1/orgs/duo/documents",
            json!({"title": "Composter ensemble", "license": "CC-BY-4.0",
                   "body": "Le **lombricomposteur** de la cour accueille les épluchures."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    let (status, r) = on_b.get("/api/v1/search?q=lombricomposteur").await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["results"][0]["title"], "Composter ensemble", "{r}");

    let started = Instant::now();
    loop {
        let (status, d) = on_b.get(&format!("/api/v1/orgs/duo/decisions/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{d}");
        if d["status"] == "closed" {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "never closed: {d}\n{}\n{}",
            a.log(),
            b.log()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (status, audit) = admin.get("/api/v1/orgs/duo/audit?limit=1000").await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    for action in ["decision.opened", "decision.closed"] {
        let times = audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == action && e["target_id"] == json!(id))
            .count();
        assert_eq!(times, 1, "{action} once");
    }
    let electorate: Vec<String> = std::iter::once("admin@duo.test".to_owned())
        .chain((0..members.len()).map(|i| format!("m{i}@duo.test")))
        .collect();
    for to in &electorate {
        for subject in ["Vote ouvert / Voting open", "Résultat / Result"] {
            let subject = format!("{subject}: {title}");
            assert_eq!(mails(&[&a, &b], to, &subject), 1, "{to}: {subject}");
        }
    }
}
