//! The authorization matrix: every route of the site (`fabrique_web::route_table()`) and of
//! the API (`/api/v1/openapi.json`) asked by every kind of visitor, against the expected
//! status in [`EXPECTED`]. A route without an entry, or an entry without a route, fails.
//!
//! One application is seeded once (an organisation with documents, a proposal, decisions,
//! an assembly, ledger entries, a donation, an invitation, a join request); path parameters
//! are filled with its real ids. Requests run in a fixed order, route after route, each
//! route asked by the roles in [`ROLES`] order, so that the answers are reproducible: writes
//! are sent with an empty form (HTML) or the smallest body the OpenAPI schema accepts (API),
//! and the few that would spoil the fixture for the next routes act on a spare target
//! (see [`target_key`]) or run last (see [`LAST`]).
//!
//! `FABRIQUE_AUTHZ_PRINT=1` prints the observed matrix in the syntax of [`EXPECTED`].

use std::collections::{BTreeMap, HashMap};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Api, Browser, PASSWORD, TestApp, csrf_of};

/// The visitors, in the order of the columns of [`EXPECTED`].
pub const ROLES: [&str; 6] = [
    "anonymous",
    "observer",
    "member",
    "other-org admin",
    "admin",
    "instance admin",
];

/// Routes run after all the others, in this order (they end a session or change who
/// belongs to the organisation).
const LAST: &[&str] = &[
    "POST /invite/{token}",
    "POST /api/v1/invitations/{token}/accept",
    "POST /logout",
];

/// Routes whose form is sent as `multipart/form-data`.
pub const MULTIPART: &[&str] = &["POST /o/{slug}/treasury/import/upload"];

/// Bodies for the operations whose OpenAPI schema is a bare object.
const API_BODIES: &[(&str, &str)] = &[
    (
        "POST /api/v1/orgs/{slug}/subsidies",
        r#"{"funder": "Région", "amount": 0, "status": "requested", "instalments": [], "probability": 50, "expected_delay_days": 0}"#,
    ),
    (
        "PUT /api/v1/orgs/{slug}/subsidies/{id}",
        r#"{"funder": "Région", "amount": 0, "status": "requested", "instalments": [], "probability": 50, "expected_delay_days": 0}"#,
    ),
];

/// The seeded application and one client per role (browser and API), by [`ROLES`] index.
pub struct Fixture {
    pub t: TestApp,
    pub browsers: Vec<Browser>,
    pub csrf: Vec<String>,
    pub apis: Vec<Api>,
    /// Path parameter values, by [`target_key`].
    pub ids: HashMap<String, String>,
    pub openapi: Value,
}

fn email(role: &str) -> String {
    format!("{}@authz.test", role.replace(' ', "-"))
}

async fn ok(what: &str, (status, body): (StatusCode, Value)) -> Value {
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

fn str_of(v: &Value, keys: &[&str]) -> String {
    for k in keys {
        let mut at = v;
        for part in k.split('.') {
            at = &at[part];
        }
        if let Some(s) = at.as_str() {
            return s.to_owned();
        }
        if let Some(n) = at.as_i64() {
            return n.to_string();
        }
    }
    panic!("none of {keys:?} in {v}")
}

impl Fixture {
    /// Seeds the application through the API.
    pub async fn seed() -> Fixture {
        let t = TestApp::spawn().await;
        let mut apis = vec![t.api(None)];
        for role in &ROLES[1..] {
            apis.push(t.user(&email(role), role).await);
        }
        sqlx::query("UPDATE users SET instance_admin = 1 WHERE email = $1")
            .bind(email(ROLES[5]))
            .execute(&t.app.db.write)
            .await
            .expect("make an instance administrator");
        let (member, outsider, admin) = (&apis[2], &apis[3], &apis[4]);
        admin.org("acme", "association").await;
        outsider.org("other", "association").await;
        let mut ids: HashMap<String, String> = HashMap::new();
        ids.insert("o/slug".into(), "acme".into());
        ids.insert("orgs/slug".into(), "acme".into());
        ids.insert("lang/code".into(), "en".into());
        let m = "/api/v1/orgs/acme/members";
        for (role, key, who) in [
            ("observer", "observer", email(ROLES[1])),
            ("member", "members/id", email(ROLES[2])),
        ] {
            let b = ok(
                "add member",
                admin.post(m, json!({"email": who, "role": role})).await,
            )
            .await;
            ids.insert(key.to_owned(), str_of(&b, &["member.id"]));
        }
        // Spare members, for the routes that remove one.
        for key in ["members/id/remove", "members/id/delete"] {
            let who = format!("{}@authz.test", key.replace('/', "-"));
            t.user(&who, "Spare").await;
            let b = ok("add spare", admin.post(m, json!({"email": who})).await).await;
            ids.insert(key.to_owned(), str_of(&b, &["member.id"]));
        }
        let (_, me) = admin.get("/api/v1/orgs/acme").await;
        let admin_member = str_of(&me, &["me.member_id"]);

        // Documents: one with two revisions and an open proposal.
        let docs = "/api/v1/orgs/acme/documents";
        let doc = ok(
            "document",
            admin
                .post(
                    docs,
                    json!({"kind": "page", "title": "Guide", "license": "CC-BY-SA-4.0",
                           "visibility": "public", "tags": [], "body": "Premier jet."}),
                )
                .await,
        )
        .await;
        let slug = str_of(&doc, &["slug"]);
        ok(
            "second revision",
            admin
                .put(
                    &format!("{docs}/{slug}"),
                    json!({"kind": "page", "title": "Guide", "license": "CC-BY-SA-4.0",
                           "visibility": "public", "tags": [], "body": "Second jet.",
                           "base_revision": 1, "message": "relu"}),
                )
                .await,
        )
        .await;
        let proposal = ok(
            "proposal",
            member
                .post(
                    &format!("{docs}/{slug}/proposals"),
                    json!({"kind": "page", "title": "Guide", "license": "CC-BY-SA-4.0",
                           "visibility": "public", "tags": [], "body": "Second jet, corrigé.",
                           "base_revision": 2, "message": "coquille"}),
                )
                .await,
        )
        .await;
        ids.insert("documents/doc".into(), slug);
        ids.insert("proposals/id".into(), str_of(&proposal, &["id"]));
        ids.insert("restore/n".into(), "1".into());
        ids.insert("revisions/n".into(), "1".into());

        // Decisions: one open (pages, ballots), one draft (to open), one open (to close).
        let dec = "/api/v1/orgs/acme/decisions";
        let open = draft_decision(admin, "Ouvrir le samedi").await;
        let draft = draft_decision(admin, "Brouillon").await;
        let to_close = draft_decision(admin, "À clore").await;
        for id in [&open, &to_close] {
            ok(
                "open",
                admin.post(&format!("{dec}/{id}/open"), json!({})).await,
            )
            .await;
        }
        ids.insert("decisions/id".into(), open);
        ids.insert("decisions/id/open".into(), draft);
        ids.insert("decisions/id/close".into(), to_close);

        // An assembly.
        let a = ok(
            "assembly",
            admin
                .post(
                    "/api/v1/orgs/acme/assemblies",
                    json!({"title": "AG", "starts_at": "2026-11-20 18:30", "place": "Salle",
                           "chair": admin_member, "secretary": ids["members/id"]}),
                )
                .await,
        )
        .await;
        ids.insert("assemblies/id".into(), str_of(&a, &["id"]));

        // The books: an entry, the identity for receipts, a donation.
        let e = ok(
            "entry",
            admin
                .post(
                    "/api/v1/orgs/acme/ledger/simple",
                    json!({"kind": "income", "date": "2026-04-10", "label": "Dons",
                           "amount": 4_200, "category": "7541", "treasury": "530"}),
                )
                .await,
        )
        .await;
        ids.insert("entries/id".into(), str_of(&e, &["id", "entry.id"]));
        ids.insert("{id}/action".into(), "validate".into());
        ids.insert("budget/year".into(), "2026".into());
        ids.insert("reports/report".into(), "income-statement".into());
        let qif = include_str!("../../../fabrique_treasury/tests/treasury/data/releve.qif");
        let r = admin
            .client
            .post(format!(
                "{}/api/v1/orgs/acme/ledger/imports?bank_account=512",
                admin.base
            ))
            .bearer_auth(admin.token.as_deref().unwrap_or_default())
            .header("content-type", "application/octet-stream")
            .body(qif)
            .send()
            .await
            .expect("import");
        assert_eq!(r.status(), StatusCode::OK, "bank statement import");
        let lines = ok(
            "bank lines",
            admin.get("/api/v1/orgs/acme/ledger/reconciliation").await,
        )
        .await;
        ids.insert("reconciliation/id".into(), str_of(&lines[0], &["id"]));
        // The year closed by the matrix is not the one of the entries.
        ids.insert("years/year".into(), "2025".into());
        ids.insert("funds/action".into(), "use".into());
        ok(
            "treasury settings",
            admin
                .put(
                    "/api/v1/orgs/acme/treasury/settings",
                    json!({"rna": "W123456789", "address": "2 place de la Mairie, 93200 Saint-Denis",
                           "purpose": "Entraide", "place": "Saint-Denis",
                           "signatory_name": "Camille Martin", "signatory_role": "Trésorière"}),
                )
                .await,
        )
        .await;
        let d = ok(
            "donation",
            admin
                .post(
                    "/api/v1/orgs/acme/donations",
                    json!({"donor_name": "Jeanne Dupont", "donor_address": "1 rue des Lilas",
                           "amount": 5_000, "date": "2026-09-01", "payment": "check"}),
                )
                .await,
        )
        .await;
        ids.insert("donations/id".into(), str_of(&d, &["id", "donation.id"]));
        let sub = ok(
            "subsidy",
            admin
                .post(
                    "/api/v1/orgs/acme/subsidies",
                    json!({"funder": "Mairie", "amount": 300_000, "status": "notified", "probability": 80,
                           "expected_delay_days": 30,
                           "instalments": [{"share": {"percent": 100}, "expected_date": "2026-10-01",
                                            "condition": "advance", "received": false}]}),
                )
                .await,
        )
        .await;
        ids.insert("subsidies/id".into(), str_of(&sub, &["id", "subsidy.id"]));

        // An invitation, a join request, a spare API token, a password-reset link.
        let inv = ok(
            "invitation",
            admin
                .post(
                    "/api/v1/orgs/acme/invitations",
                    json!({"email": "invitee@authz.test"}),
                )
                .await,
        )
        .await;
        ids.insert(
            "invitations/id".into(),
            str_of(&inv, &["invitation.id", "id"]),
        );
        ids.insert("invite/token".into(), str_of(&inv, &["token"]));
        ids.insert("invitations/token".into(), str_of(&inv, &["token"]));
        let joiner = t.user("joiner@authz.test", "Joiner").await;
        let jr = ok(
            "join request",
            joiner
                .post(
                    "/api/v1/orgs/acme/join-requests",
                    json!({"message": "Bonjour"}),
                )
                .await,
        )
        .await;
        ids.insert("join-requests/id".into(), str_of(&jr, &["id"]));
        ids.insert("requests/id".into(), str_of(&jr, &["id"]));
        ids.insert("{id}/decision".into(), "accept".into());
        let tok = ok(
            "spare token",
            admin
                .post("/api/v1/me/tokens", json!({"name": "spare"}))
                .await,
        )
        .await;
        ids.insert("tokens/id".into(), str_of(&tok, &["id", "token.id"]));
        let tok = ok(
            "spare token",
            admin
                .post("/api/v1/me/tokens", json!({"name": "spare 2"}))
                .await,
        )
        .await;
        ids.insert("tokens/id/delete".into(), str_of(&tok, &["id", "token.id"]));
        ok(
            "reset",
            apis[0]
                .post(
                    "/api/v1/password/forgot",
                    json!({"email": "joiner@authz.test"}),
                )
                .await,
        )
        .await;
        let mail = t.last_mail_to("joiner@authz.test").body;
        let reset = mail
            .split("/password/reset/")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .expect("a reset link")
            .to_owned();
        ids.insert("reset/token".into(), reset);

        // Browsers: one signed in per role, each with its CSRF token.
        let mut browsers = Vec::new();
        let mut csrf = Vec::new();
        for (i, role) in ROLES.iter().enumerate() {
            let b = t.browser();
            let page = if i == 0 {
                "/login"
            } else {
                let (status, _, body) = b.login(&email(role), PASSWORD).await;
                assert_eq!(status, StatusCode::SEE_OTHER, "sign in as {role}: {body}");
                "/account"
            };
            let (_, html) = b.get(page).await;
            csrf.push(csrf_of(&html));
            browsers.push(b);
        }
        let openapi = ok("openapi", apis[0].get("/api/v1/openapi.json").await).await;
        Fixture {
            t,
            browsers,
            csrf,
            apis,
            ids,
            openapi,
        }
    }

    /// The path with its parameters replaced by the fixture's ids, or the keys of
    /// [`Fixture::ids`] it lacks.
    pub fn try_fill(&self, method: &str, pattern: &str) -> Result<String, Vec<String>> {
        let segments: Vec<&str> = pattern.split('/').collect();
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for (i, seg) in segments.iter().enumerate() {
            match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let key = target_key(method, pattern, segments[i - 1], name);
                    match self.ids.get(&key) {
                        Some(v) => out.push(v.clone()),
                        None => missing.push(format!("{key} (in {method} {pattern})")),
                    }
                }
                None => out.push((*seg).to_owned()),
            }
        }
        if missing.is_empty() {
            Ok(out.join("/"))
        } else {
            Err(missing)
        }
    }

    /// The path with its parameters replaced by the fixture's ids.
    pub fn fill(&self, method: &str, pattern: &str) -> String {
        self.try_fill(method, pattern)
            .unwrap_or_else(|missing| panic!("no fixture value for {missing:?}"))
    }

    /// Sends one request of the matrix as the role at `role`.
    pub async fn ask(&self, role: usize, method: &str, pattern: &str) -> StatusCode {
        let path = self.fill(method, pattern);
        if pattern.starts_with("/api/") && pattern != "/api/v1/openapi.json" {
            let api = &self.apis[role];
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = api.client.request(m.clone(), format!("{}{path}", api.base));
            if let Some(tok) = &api.token {
                req = req.bearer_auth(tok);
            }
            if m != Method::GET {
                req = req.json(&self.api_body(method, pattern));
            }
            return req.send().await.expect("API request").status();
        }
        let b = &self.browsers[role];
        let url = format!("{}{path}", b.base);
        let key = format!("{method} {pattern}");
        let req = match method {
            "GET" => b.client.get(url),
            "POST" if MULTIPART.contains(&key.as_str()) => {
                multipart(b.client.post(url), &[("csrf", &self.csrf[role])])
            }
            "POST" => b.client.post(url).form(&[("csrf", &self.csrf[role])]),
            other => panic!("no HTML route should answer {other}"),
        };
        req.send().await.expect("HTML request").status()
    }

    /// The smallest JSON body the OpenAPI document accepts for an operation.
    pub fn api_body(&self, method: &str, pattern: &str) -> Value {
        let key = format!("{method} {pattern}");
        if let Some((_, body)) = API_BODIES.iter().find(|(k, _)| *k == key) {
            return serde_json::from_str(body).expect("a JSON body");
        }
        let op = &self.openapi["paths"][pattern][method.to_lowercase()];
        match op["requestBody"]["content"]["application/json"]["schema"] {
            Value::Null => json!({}),
            ref schema => sample(schema, &self.openapi, 0),
        }
    }

    /// Every (method, path) of the API, from its OpenAPI document.
    pub fn api_routes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in self.openapi["paths"].as_object().expect("paths") {
            for method in ["get", "post", "put", "patch", "delete"] {
                if item.get(method).is_some() {
                    out.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        out
    }
}

async fn draft_decision(admin: &Api, title: &str) -> String {
    let d = ok(
        "draft",
        admin
            .post(
                "/api/v1/orgs/acme/decisions",
                json!({"title": title, "method": "motion"}),
            )
            .await,
    )
    .await;
    str_of(&d, &["id"])
}

/// A `multipart/form-data` body with these text fields.
pub fn multipart(req: reqwest::RequestBuilder, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let boundary = "fabrique-authz-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    req.header(
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    )
    .body(body)
}

/// Which fixture value fills parameter `name` of `pattern`: usually named after the
/// segment before it (`members/id`), with spare targets for the routes that would
/// otherwise destroy what the next routes need.
fn target_key(method: &str, pattern: &str, before: &str, name: &str) -> String {
    if name != "id" {
        return format!("{before}/{name}");
    }
    let spare = match (method, pattern) {
        ("POST", "/o/{slug}/members/{id}/remove") => Some("members/id/remove"),
        ("DELETE", "/api/v1/orgs/{slug}/members/{id}") => Some("members/id/delete"),
        ("POST", p) if p.ends_with("/decisions/{id}/open") => Some("decisions/id/open"),
        ("POST", p) if p.ends_with("/decisions/{id}/close") => Some("decisions/id/close"),
        ("DELETE", "/api/v1/me/tokens/{id}") => Some("tokens/id/delete"),
        _ => None,
    };
    if let Some(key) = spare {
        return key.to_owned();
    }
    format!("{before}/{name}")
}

/// A minimal instance of an OpenAPI schema: required properties only, first enum value.
fn sample(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return sample(&doc["components"]["schemas"][name], doc, depth + 1);
    }
    for combo in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[combo]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["type"] != "null").or_else(|| a.first()))
        {
            return sample(first, doc, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|a| a.first()) {
        return first.clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or(Value::Null),
        t => t.clone(),
    };
    match ty.as_str() {
        Some("string") => match schema["format"].as_str() {
            Some("date") => json!("2026-05-01"),
            _ => json!("x"),
        },
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        _ => {
            let mut obj = serde_json::Map::new();
            if let Some(required) = schema["required"].as_array() {
                for r in required.iter().filter_map(Value::as_str) {
                    obj.insert(
                        r.to_owned(),
                        sample(&schema["properties"][r], doc, depth + 1),
                    );
                }
            }
            Value::Object(obj)
        }
    }
}

/// Every route of the site and the API, in the order the matrix asks them.
pub fn all_routes(fx: &Fixture) -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = fabrique_web::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_owned()))
        .collect();
    routes.extend(fx.api_routes());
    let key = |(m, p): &(String, String)| format!("{m} {p}");
    let (mut first, last): (Vec<_>, Vec<_>) = routes
        .into_iter()
        .partition(|r| !LAST.contains(&key(r).as_str()));
    let mut last = last;
    last.sort_by_key(|r| LAST.iter().position(|l| *l == key(r)));
    first.extend(last);
    first
}

#[tokio::test]
async fn every_route_answers_every_role_as_expected() {
    let fx = Fixture::seed().await;
    let expected: BTreeMap<&str, [u16; 6]> = EXPECTED.iter().copied().collect();
    assert_eq!(expected.len(), EXPECTED.len(), "a route is listed twice");
    let routes = all_routes(&fx);
    let missing: Vec<String> = routes
        .iter()
        .filter_map(|(m, p)| fx.try_fill(m, p).err())
        .flatten()
        .collect();
    assert!(
        missing.is_empty(),
        "path parameters without a value: {missing:#?}"
    );
    let mut observed = Vec::new();
    let mut failures = Vec::new();
    for (method, pattern) in &routes {
        let key = format!("{method} {pattern}");
        let mut row = [0u16; 6];
        for (i, cell) in row.iter_mut().enumerate() {
            *cell = fx.ask(i, method, pattern).await.as_u16();
        }
        match expected.get(key.as_str()) {
            None => failures.push(format!("{key}: no expectation (observed {row:?})")),
            Some(want) if *want != row => {
                for (i, (w, got)) in want.iter().zip(row).enumerate() {
                    if *w != got {
                        failures.push(format!("{key} as {}: expected {w}, got {got}", ROLES[i]));
                    }
                }
            }
            Some(_) => {}
        }
        observed.push((key, row));
    }
    for key in expected.keys() {
        if !observed.iter().any(|(k, _)| k == key) {
            failures.push(format!("{key}: expected, but no such route"));
        }
    }
    if std::env::var_os("FABRIQUE_AUTHZ_PRINT").is_some() {
        for (key, row) in &observed {
            println!("    ({key:?}, {row:?}),");
        }
    }
    assert!(
        observed.iter().all(|(_, row)| row.iter().all(|s| *s < 500)),
        "no route may fail with a server error"
    );
    assert!(
        failures.is_empty(),
        "{} route(s) × {} roles checked; mismatches:\n{}",
        observed.len(),
        ROLES.len(),
        failures.join("\n")
    );
}

/// The expected status of every route, for [`ROLES`] in order: anonymous, observer,
/// member, administrator of another organisation, administrator, instance administrator.
const EXPECTED: &[(&str, [u16; 6])] = &[
    ("GET /", [200, 200, 200, 200, 200, 200]),
    ("GET /healthz", [200, 200, 200, 200, 200, 200]),
    ("GET /static/fabrique.css", [200, 200, 200, 200, 200, 200]),
    (
        "GET /static/governance-live.js",
        [200, 200, 200, 200, 200, 200],
    ),
    ("GET /lang/{code}", [303, 303, 303, 303, 303, 303]),
    ("GET /signup", [200, 200, 200, 200, 200, 200]),
    ("POST /signup", [422, 422, 422, 422, 422, 422]),
    ("GET /login", [200, 200, 200, 200, 200, 200]),
    ("POST /login", [401, 401, 401, 401, 401, 429]),
    ("GET /account", [303, 200, 200, 200, 200, 200]),
    ("POST /account/password", [303, 200, 200, 200, 200, 200]),
    ("POST /account/tokens", [303, 200, 200, 200, 200, 200]),
    (
        "POST /account/tokens/{id}/revoke",
        [303, 404, 404, 404, 303, 404],
    ),
    ("GET /password/forgot", [200, 200, 200, 200, 200, 200]),
    ("POST /password/forgot", [200, 200, 200, 200, 200, 200]),
    (
        "GET /password/reset/{token}",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /password/reset/{token}",
        [422, 422, 422, 422, 422, 422],
    ),
    ("GET /admin", [303, 403, 403, 403, 403, 200]),
    ("POST /admin", [303, 403, 403, 403, 403, 422]),
    ("GET /invite/{token}", [200, 200, 200, 200, 200, 200]),
    ("GET /orgs", [200, 200, 200, 200, 200, 200]),
    ("GET /orgs.csv", [200, 200, 200, 200, 200, 200]),
    ("GET /orgs.json", [200, 200, 200, 200, 200, 200]),
    ("GET /orgs/new", [303, 200, 200, 200, 200, 200]),
    ("POST /orgs/new", [303, 422, 422, 422, 422, 422]),
    ("GET /o/{slug}", [200, 200, 200, 200, 200, 200]),
    ("GET /o/{slug}/settings", [303, 403, 403, 403, 200, 200]),
    ("POST /o/{slug}/settings", [303, 403, 403, 403, 422, 422]),
    ("GET /o/{slug}/colleges", [303, 200, 200, 403, 200, 200]),
    ("POST /o/{slug}/colleges", [303, 403, 403, 403, 303, 303]),
    ("GET /o/{slug}/audit", [303, 403, 403, 403, 200, 200]),
    ("POST /o/{slug}/join", [303, 409, 409, 303, 409, 303]),
    ("GET /o/{slug}/members", [303, 200, 200, 403, 200, 200]),
    ("POST /o/{slug}/members", [303, 403, 403, 403, 422, 422]),
    ("GET /o/{slug}/members/{id}", [303, 200, 200, 403, 200, 200]),
    (
        "POST /o/{slug}/members/{id}",
        [303, 403, 403, 403, 303, 303],
    ),
    (
        "POST /o/{slug}/members/{id}/remove",
        [303, 403, 403, 403, 303, 422],
    ),
    ("GET /o/{slug}/invitations", [303, 403, 403, 403, 200, 200]),
    ("POST /o/{slug}/invitations", [303, 403, 403, 403, 200, 200]),
    (
        "POST /o/{slug}/invitations/{id}/revoke",
        [303, 403, 403, 403, 303, 404],
    ),
    ("GET /o/{slug}/requests", [303, 403, 403, 403, 200, 200]),
    (
        "POST /o/{slug}/requests/{id}",
        [303, 403, 403, 403, 422, 422],
    ),
    ("GET /o/{slug}/treasury", [303, 200, 200, 403, 200, 200]),
    ("POST /o/{slug}/treasury", [303, 403, 403, 403, 422, 422]),
    (
        "GET /o/{slug}/treasury/entries",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/entries",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/entries/{id}",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/entries/{id}/{action}",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/reports",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/years/{year}/close",
        [303, 403, 403, 403, 303, 422],
    ),
    (
        "POST /o/{slug}/treasury/years/{year}/funds/{action}",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/import",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/import",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "POST /o/{slug}/treasury/import/upload",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "POST /o/{slug}/treasury/reconciliation/{id}",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/plan",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/subsidies",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "POST /o/{slug}/treasury/recurring",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/donations",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/donations",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/donations/{id}",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "GET /o/{slug}/treasury/subsidies/{id}",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/subsidies/{id}",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "POST /o/{slug}/treasury/subsidies/{id}/status",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/budget",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/budget",
        [303, 403, 403, 403, 303, 303],
    ),
    (
        "GET /o/{slug}/decisions/{id}/live",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "GET /o/{slug}/assemblies/{id}/live",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/years/{year}/dedicated-funds/use",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/subsidies/{id}",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "PUT /api/v1/orgs/{slug}/subsidies/{id}",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/settings",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/settings",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/treasury/dues",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/treasury/dues",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "POST /o/{slug}/treasury/accounts",
        [303, 403, 403, 403, 422, 422],
    ),
    (
        "POST /o/{slug}/treasury/bank-accounts",
        [303, 403, 403, 403, 422, 422],
    ),
    ("GET /o/{slug}/transparency", [404, 404, 404, 404, 404, 404]),
    ("GET /o/{slug}/decisions", [303, 200, 200, 403, 200, 200]),
    (
        "GET /o/{slug}/decisions/new",
        [303, 403, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/decisions/new",
        [303, 403, 422, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/decisions/{id}",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/decisions/{id}/open",
        [303, 403, 403, 403, 303, 409],
    ),
    (
        "POST /o/{slug}/decisions/{id}/close",
        [303, 403, 403, 403, 303, 409],
    ),
    (
        "POST /o/{slug}/decisions/{id}/vote",
        [303, 403, 422, 403, 422, 403],
    ),
    (
        "POST /o/{slug}/decisions/{id}/comments",
        [303, 403, 422, 403, 422, 422],
    ),
    (
        "POST /o/{slug}/decisions/{id}/proxy",
        [303, 403, 422, 403, 422, 403],
    ),
    (
        "POST /o/{slug}/decisions/{id}/proxy/revoke",
        [303, 404, 404, 403, 404, 403],
    ),
    (
        "GET /o/{slug}/decisions/{id}/result.csv",
        [303, 403, 403, 403, 403, 403],
    ),
    (
        "GET /o/{slug}/decisions/{id}/result.json",
        [303, 403, 403, 403, 403, 403],
    ),
    ("GET /o/{slug}/charter", [303, 200, 200, 403, 200, 200]),
    ("POST /o/{slug}/charter", [303, 422, 422, 403, 422, 422]),
    ("GET /o/{slug}/assemblies", [303, 200, 200, 403, 200, 200]),
    ("POST /o/{slug}/assemblies", [303, 403, 403, 403, 422, 422]),
    (
        "GET /o/{slug}/assemblies/{id}",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/assemblies/{id}/attendance",
        [303, 403, 303, 403, 303, 303],
    ),
    (
        "POST /o/{slug}/assemblies/{id}/proxy",
        [303, 403, 422, 403, 422, 403],
    ),
    (
        "POST /o/{slug}/assemblies/{id}/proxy/revoke",
        [303, 404, 404, 403, 404, 403],
    ),
    (
        "GET /o/{slug}/assemblies/{id}/minutes",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "GET /o/{slug}/assemblies/{id}/minutes.md",
        [303, 200, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/assemblies/{id}/sign",
        [303, 403, 303, 403, 303, 403],
    ),
    (
        "GET /static/governance-print.css",
        [200, 200, 200, 200, 200, 200],
    ),
    ("GET /o/{slug}/documents", [200, 200, 200, 200, 200, 200]),
    (
        "POST /o/{slug}/documents-settings",
        [303, 403, 403, 403, 303, 303],
    ),
    (
        "GET /o/{slug}/documents/new",
        [303, 403, 200, 403, 200, 200],
    ),
    (
        "POST /o/{slug}/documents/new",
        [303, 403, 422, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/documents/{doc}",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "GET /o/{slug}/documents/{doc}/edit",
        [303, 200, 200, 200, 200, 200],
    ),
    (
        "POST /o/{slug}/documents/{doc}/edit",
        [303, 403, 422, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/documents/{doc}/history",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /o/{slug}/documents/{doc}/restore/{n}",
        [303, 403, 303, 403, 303, 303],
    ),
    (
        "POST /o/{slug}/documents/{doc}/fork",
        [303, 422, 422, 422, 422, 422],
    ),
    (
        "POST /o/{slug}/documents/{doc}/pull",
        [303, 403, 422, 403, 422, 422],
    ),
    (
        "GET /o/{slug}/documents/{doc}/proposals",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /o/{slug}/documents/{doc}/proposals",
        [303, 422, 422, 422, 422, 422],
    ),
    (
        "GET /o/{slug}/documents/{doc}/proposals/{id}",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /o/{slug}/documents/{doc}/proposals/{id}/comment",
        [303, 422, 422, 422, 422, 422],
    ),
    (
        "POST /o/{slug}/documents/{doc}/proposals/{id}/accept",
        [303, 403, 303, 403, 409, 409],
    ),
    (
        "POST /o/{slug}/documents/{doc}/proposals/{id}/decline",
        [303, 403, 409, 403, 409, 409],
    ),
    ("GET /search", [200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/openapi.json", [200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/admin/settings", [401, 403, 403, 403, 403, 200]),
    ("PUT /api/v1/admin/settings", [401, 403, 403, 403, 403, 422]),
    ("GET /api/v1/me", [401, 200, 200, 200, 200, 200]),
    ("POST /api/v1/me/password", [401, 422, 422, 422, 422, 422]),
    ("GET /api/v1/me/tokens", [401, 200, 200, 200, 200, 200]),
    ("POST /api/v1/me/tokens", [401, 201, 201, 201, 201, 201]),
    (
        "DELETE /api/v1/me/tokens/{id}",
        [401, 404, 404, 404, 204, 404],
    ),
    ("GET /api/v1/orgs", [200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/orgs", [401, 422, 422, 422, 422, 422]),
    ("GET /api/v1/orgs/{slug}", [200, 200, 200, 200, 200, 200]),
    ("PATCH /api/v1/orgs/{slug}", [401, 403, 403, 403, 200, 200]),
    (
        "GET /api/v1/orgs/{slug}/assemblies",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/assemblies",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/assemblies/{id}",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/assemblies/{id}/attendance",
        [401, 403, 409, 403, 409, 409],
    ),
    (
        "GET /api/v1/orgs/{slug}/assemblies/{id}/minutes",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/assemblies/{id}/minutes/sign",
        [401, 403, 409, 403, 409, 403],
    ),
    (
        "GET /api/v1/orgs/{slug}/audit",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/charter",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/charter",
        [401, 403, 403, 403, 201, 201],
    ),
    (
        "GET /api/v1/orgs/{slug}/colleges",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "PUT /api/v1/orgs/{slug}/colleges",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/decisions",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/decisions",
        [401, 403, 422, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/decisions/{id}",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "PATCH /api/v1/orgs/{slug}/decisions/{id}",
        [401, 403, 403, 403, 409, 409],
    ),
    (
        "GET /api/v1/orgs/{slug}/decisions/{id}/ballots",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "POST /api/v1/orgs/{slug}/decisions/{id}/ballots",
        [401, 403, 422, 403, 422, 403],
    ),
    (
        "POST /api/v1/orgs/{slug}/decisions/{id}/close",
        [401, 403, 403, 403, 409, 409],
    ),
    (
        "GET /api/v1/orgs/{slug}/decisions/{id}/comments",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/decisions/{id}/comments",
        [401, 403, 201, 403, 201, 201],
    ),
    (
        "POST /api/v1/orgs/{slug}/decisions/{id}/open",
        [401, 403, 403, 403, 409, 409],
    ),
    (
        "GET /api/v1/orgs/{slug}/decisions/{id}/result",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents",
        [401, 403, 422, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents-settings",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "PATCH /api/v1/orgs/{slug}/documents-settings",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents/{doc}",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "PUT /api/v1/orgs/{slug}/documents/{doc}",
        [401, 403, 422, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents/{doc}/diff",
        [422, 422, 422, 422, 422, 422],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents/{doc}/fork",
        [401, 422, 422, 422, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents/{doc}/proposals",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents/{doc}/proposals",
        [401, 422, 422, 422, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents/{doc}/proposals/{id}",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents/{doc}/proposals/{id}/accept",
        [401, 403, 409, 403, 409, 409],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents/{doc}/proposals/{id}/comments",
        [401, 201, 201, 201, 201, 201],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents/{doc}/proposals/{id}/decline",
        [401, 403, 409, 403, 409, 409],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents/{doc}/pull",
        [401, 403, 422, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents/{doc}/revisions",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/documents/{doc}/revisions/{n}",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/documents/{doc}/revisions/{n}/restore",
        [401, 403, 200, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/donations",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/donations",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/donations/{id}",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/dues",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/dues",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/invitations",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/invitations",
        [401, 403, 403, 403, 201, 201],
    ),
    (
        "DELETE /api/v1/orgs/{slug}/invitations/{id}",
        [401, 403, 403, 403, 404, 404],
    ),
    (
        "GET /api/v1/orgs/{slug}/join-requests",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/join-requests",
        [401, 409, 409, 409, 409, 409],
    ),
    (
        "POST /api/v1/orgs/{slug}/join-requests/{id}/{decision}",
        [401, 403, 403, 403, 204, 404],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/accounts",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/accounts",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/bank-accounts",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/bank-accounts",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "PUT /api/v1/orgs/{slug}/ledger/budget/{year}",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/entries",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/entries",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/entries/{id}",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/entries/{id}/reverse",
        [401, 403, 403, 403, 201, 409],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/entries/{id}/validate",
        [401, 403, 403, 403, 409, 409],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/export",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/imports",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/reconciliation",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/reconciliation/{id}",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/reports/{report}",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/simple",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/trial-balance",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/years/{year}/close",
        [401, 403, 403, 403, 409, 409],
    ),
    (
        "POST /api/v1/orgs/{slug}/ledger/years/{year}/dedicated-funds",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/ledger/years/{year}/verify",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/members",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/members",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/members/{id}",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "PATCH /api/v1/orgs/{slug}/members/{id}",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "DELETE /api/v1/orgs/{slug}/members/{id}",
        [401, 403, 403, 403, 204, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/proxies",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/proxies",
        [401, 403, 422, 403, 422, 403],
    ),
    (
        "DELETE /api/v1/orgs/{slug}/proxies",
        [401, 422, 422, 403, 422, 403],
    ),
    (
        "GET /api/v1/orgs/{slug}/recurring",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/recurring",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/subsidies",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/orgs/{slug}/subsidies",
        [401, 403, 403, 403, 422, 422],
    ),
    (
        "GET /api/v1/orgs/{slug}/transparency",
        [404, 404, 404, 404, 404, 404],
    ),
    (
        "GET /api/v1/orgs/{slug}/treasury/forecast",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "GET /api/v1/orgs/{slug}/treasury/settings",
        [401, 200, 200, 403, 200, 200],
    ),
    (
        "PUT /api/v1/orgs/{slug}/treasury/settings",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "POST /api/v1/password/forgot",
        [422, 422, 422, 422, 422, 422],
    ),
    (
        "POST /api/v1/password/reset",
        [422, 422, 422, 422, 422, 422],
    ),
    ("GET /api/v1/search", [422, 422, 422, 422, 422, 422]),
    ("POST /api/v1/signup", [422, 422, 422, 422, 422, 422]),
    ("POST /api/v1/tokens", [401, 401, 401, 401, 401, 429]),
    ("POST /invite/{token}", [303, 422, 422, 422, 422, 422]),
    (
        "POST /api/v1/invitations/{token}/accept",
        [401, 422, 422, 422, 422, 422],
    ),
    ("POST /logout", [303, 303, 303, 303, 303, 303]),
];

#[tokio::test]
async fn organisation_tabs_lead_only_where_the_viewer_may_go() {
    let fx = Fixture::seed().await;
    let tabs = |html: &str| -> Vec<String> {
        let start = html.find("<nav class=\"tabs\"").expect("the tabs");
        let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
        nav.split("href=\"")
            .skip(1)
            .map(|h| h.split('"').next().unwrap().to_owned())
            .collect()
    };
    let admin_only = ["/invitations", "/requests", "/audit", "/settings"];
    for (role, page) in [
        (1, "/o/acme/members"),
        (2, "/o/acme/members"),
        (4, "/o/acme/members"),
        (3, "/o/acme/documents"),
    ] {
        let (status, html) = fx.browsers[role].get(page).await;
        assert_eq!(status, StatusCode::OK, "{page} as {}", ROLES[role]);
        let links = tabs(&html);
        for link in &links {
            let (status, _) = fx.browsers[role].get(link).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "tab {link} shown to {}",
                ROLES[role]
            );
        }
        let shown = |suffix: &str| links.iter().any(|l| *l == format!("/o/acme{suffix}"));
        for suffix in admin_only {
            assert_eq!(shown(suffix), role == 4, "{suffix} tab for {}", ROLES[role]);
        }
        assert_eq!(
            shown("/members"),
            role != 3,
            "members tab for {}",
            ROLES[role]
        );
    }
}
