//! CSRF, hostile input, headers, languages, health and the OpenAPI document.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, error_of};

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let t = TestApp::spawn().await;
    let b = t.browser();
    b.signup("karim@example.org", "Karim").await;
    b.get("/orgs/new").await;
    let fields = [
        ("slug", "forged"),
        ("name", "Forged"),
        ("kind", "association"),
        ("timezone", "Europe/Paris"),
    ];
    let (status, _, _) = b.post_raw("/orgs/new", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut with_wrong = fields.to_vec();
    with_wrong.push(("csrf", "0123456789012345678901234567890123456789012"));
    let (status, _, html) = b.post_raw("/orgs/new", &with_wrong).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("role=\"alert\""));
    assert_eq!(
        t.api(None).get("/api/v1/orgs/forged").await.0,
        StatusCode::NOT_FOUND,
        "nothing was created"
    );

    // A token from another visitor does not work either.
    let other = t.browser();
    let (_, page) = other.get("/signup").await;
    let mut foreign = fields.to_vec();
    let theirs = crate::support::csrf_of(&page);
    foreign.push(("csrf", &theirs));
    assert_eq!(
        b.post_raw("/orgs/new", &foreign).await.0,
        StatusCode::FORBIDDEN
    );

    // JSON calls authenticated by the session cookie need the X-CSRF-Token header.
    let r = b
        .client
        .post(format!("{}/api/v1/orgs", t.base))
        .json(&json!({"slug": "forged", "name": "F", "kind": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hostile_markdown_and_names_are_neutralised() {
    let t = TestApp::spawn().await;
    let admin = t
        .user("admin@example.org", "<script>alert('name')</script>")
        .await;
    let description = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> [clic](javascript:alert(3)) <a href=\"#\" onclick=\"alert(4)\">x</a>";
    let (status, _) = admin.post("/api/v1/orgs", json!({"slug": "xss", "name": "<b onmouseover=alert(5)>XSS</b>", "kind": "other", "description": description})).await;
    assert_eq!(status, StatusCode::CREATED);
    let b = t.browser();
    for page in ["/o/xss", "/orgs"] {
        let (_, html) = b.get(page).await;
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script>alert"), "{page}");
        assert!(
            !lower.contains("onerror=")
                && !lower.contains("onclick=")
                && !lower.contains("<b onmouseover"),
            "{page}"
        );
        assert!(!lower.contains("javascript:alert"), "{page}");
        assert!(
            html.contains("&#60;b onmouseover"),
            "names are escaped, not dropped: {page}"
        );
    }
    let (_, view) = t.api(None).get("/api/v1/orgs/xss").await;
    assert!(
        !view["description_html"]
            .as_str()
            .unwrap()
            .contains("<script")
    );
}

#[tokio::test]
async fn security_headers_and_cookies() {
    let t = TestApp::spawn().await;
    let r = reqwest::get(format!("{}/login", t.base)).await.unwrap();
    let h = r.headers();
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("fabrique_csrf=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    // The session cookie after sign-in.
    let b = t.browser();
    let (_, page) = b.get("/signup").await;
    let csrf = crate::support::csrf_of(&page);
    let r = b
        .client
        .post(format!("{}/signup", t.base))
        .form(&[
            ("email", "a@example.org"),
            ("name", "A"),
            ("password", crate::support::PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    let set: Vec<&str> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set
        .iter()
        .find(|c| c.starts_with("fabrique_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure"),
        "{session}"
    );
}

#[tokio::test]
async fn languages_follow_the_browser_and_the_switch() {
    let t = TestApp::spawn().await;
    let b = t.browser();
    let (_, fr) = b.get("/login").await;
    assert!(fr.contains("<html lang=\"fr\">") && fr.contains("Se connecter"));
    let (_, en) = b
        .get_with("/login", ("accept-language", "en-GB,en;q=0.9"))
        .await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Sign in"));
    let r = b
        .client
        .get(format!("{}/lang/en?next=/orgs", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/orgs");
    let (_, en) = b.get("/orgs").await;
    assert!(en.contains("Directory of organisations"));
    let r = b
        .client
        .get(format!("{}/lang/fr?next=https://evil.example", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/", "no open redirect");
}

#[tokio::test]
async fn health_not_found_and_openapi() {
    let t = TestApp::spawn().await;
    let b = t.browser();
    assert_eq!(b.get("/healthz").await, (StatusCode::OK, "ok".into()));
    let (status, html) = b.get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<main id=\"main\">"));
    let (status, body) = t.api(None).get("/api/v1/no-such-thing").await;
    assert_eq!(
        (status, error_of(&body).0.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, doc) = t.api(None).get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/orgs",
        "/api/v1/orgs/{slug}",
        "/api/v1/orgs/{slug}/members",
        "/api/v1/orgs/{slug}/members/{id}",
        "/api/v1/orgs/{slug}/colleges",
        "/api/v1/orgs/{slug}/audit",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    assert!(
        paths["/api/v1/orgs/{slug}/members/{id}"]
            .get("delete")
            .is_some()
    );
    // Malformed form bodies are a clear 4xx, never a 500.
    let (_, page) = b.get("/login").await;
    let csrf = crate::support::csrf_of(&page);
    let r = b
        .client
        .post(format!("{}/login", t.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&email=%ZZ"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
}

/// The names of the properties a documented 200 response allows, and those it requires,
/// following `$ref`s and array items.
fn documented_keys(doc: &serde_json::Value, path: &str) -> (Vec<String>, Vec<String>) {
    let mut schema =
        &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    loop {
        if let Some(r) = schema["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap();
            schema = &doc["components"]["schemas"][name];
        } else if schema["type"] == "array" {
            schema = &schema["items"];
        } else {
            break;
        }
    }
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .or_else(|| {
                v.as_array().map(|a| {
                    a.iter()
                        .filter_map(|k| k.as_str().map(str::to_owned))
                        .collect()
                })
            })
            .unwrap_or_default()
    };
    (keys(&schema["properties"]), keys(&schema["required"]))
}

#[tokio::test]
async fn api_responses_match_their_documented_schemas_and_early_errors_are_json() {
    let t = TestApp::spawn().await;
    let alice = t.user("alice@example.org", "Alice").await;
    alice.org("forme", "association").await;
    let (_, doc) = t.api(None).get("/api/v1/openapi.json").await;
    // Three structs named `Settings` (and two `Category`, `Comment`, `Revision`) once
    // shared one schema name: each response was described by whichever came last.
    for path in [
        "/api/v1/orgs/{slug}/treasury/settings",
        "/api/v1/orgs/{slug}/documents-settings",
        "/api/v1/orgs/{slug}/members",
        "/api/v1/me/tokens",
    ] {
        let (status, body) = alice.get(&path.replace("{slug}", "forme")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let value = body.as_array().map_or(&body, |a| &a[0]);
        let (allowed, required) = documented_keys(&doc, path);
        assert!(!allowed.is_empty(), "{path}: an object schema");
        for key in value.as_object().unwrap().keys() {
            assert!(
                allowed.contains(key),
                "{path}: {key} documented in {allowed:?}"
            );
        }
        for key in &required {
            assert!(value.get(key).is_some(), "{path}: required {key} present");
        }
    }
    for name in [
        "TreasurySettings",
        "DocumentSettings",
        "InstanceSettings",
        "TransparencyCategory",
        "ProposalComment",
        "CharterRevision",
    ] {
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
    // Errors raised before a handler runs (a path that cannot be read) answer in the
    // API's JSON shape, like all the others, and every operation documents them.
    let (status, body) = alice
        .get("/api/v1/orgs/forme/documents/x/revisions/9223372036854775808")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&body).0, "request_invalid");
    let ops = doc["paths"]["/api/v1/orgs/{slug}/ledger/entries/{id}"]["get"]["responses"]
        .as_object()
        .unwrap();
    for status in ["400", "401", "404"] {
        assert!(ops.contains_key(status), "{status} documented");
    }
}
