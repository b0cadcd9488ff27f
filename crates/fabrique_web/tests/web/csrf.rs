//! CSRF on every state-changing route, from the route table and the OpenAPI document: a
//! signed-in visitor's form without its token (or with another visitor's) is refused with
//! the CSRF error and changes nothing; a cookie-authenticated API write without the
//! `X-CSRF-Token` header (or with a wrong one) is refused likewise. The instance
//! administrator is used, whom no route refuses for lack of rights, so the refusal seen is
//! the CSRF check's.

use reqwest::StatusCode;
use serde_json::Value;

use crate::authz::{Fixture, MULTIPART, ROLES};

/// Row counts of every table: what a refused request must leave as it was.
async fn fingerprint(fx: &Fixture) -> Vec<(String, i64)> {
    use sqlx::Row;
    let db = &fx.t.app.db.read;
    let list = if fx.t.database_url.starts_with("postgres") {
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    };
    let tables: Vec<String> = sqlx::query(list)
        .fetch_all(db)
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(db)
            .await
            .expect("count")
            .get("n");
        out.push((table, n));
    }
    out
}

const INSTANCE: usize = 5;

#[tokio::test]
async fn every_form_refuses_a_missing_or_foreign_csrf_token_and_changes_nothing() {
    let fx = Fixture::seed().await;
    assert_eq!(ROLES[INSTANCE], "instance admin");
    let message = fabrique_web::i18n::Tr {
        lang: fabrique_web::i18n::Lang::Fr,
    }
    .error(
        "csrf_invalid",
        "this form has expired or did not come from this site; go back, reload the page and try again",
    )
    .into_owned();
    let b = &fx.browsers[INSTANCE];
    let foreign = fx.csrf[0].clone();
    assert_ne!(foreign, fx.csrf[INSTANCE]);
    let posts: Vec<&'static str> = fabrique_web::route_table()
        .into_iter()
        .filter(|(m, _)| m == "POST")
        .map(|(_, p)| p)
        .collect();
    assert!(posts.len() > 40, "the route table lists the forms");
    for pattern in &posts {
        let url = format!("{}{}", b.base, fx.fill("POST", pattern));
        let multipart = MULTIPART.contains(&format!("POST {pattern}").as_str());
        for token in [None, Some(foreign.as_str())] {
            let before = fingerprint(&fx).await;
            let fields: Vec<(&str, &str)> = match token {
                None => vec![("x", "1")],
                Some(t) => vec![("csrf", t)],
            };
            let req = if multipart {
                crate::authz::multipart(b.client.post(&url), &fields)
            } else {
                b.client.post(&url).form(&fields)
            };
            let r = req.send().await.expect("POST");
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "POST {pattern} with token {token:?}"
            );
            assert!(
                body.contains(&message),
                "POST {pattern}: the CSRF error is shown"
            );
            assert_eq!(
                fingerprint(&fx).await,
                before,
                "POST {pattern} changed nothing"
            );
        }
    }
    // The session is still there: the refusals did not sign the visitor out.
    assert_eq!(b.get("/account").await.0, StatusCode::OK);
}

/// The API writes that need no one signed in (so no session cookie is read).
const ANONYMOUS_WRITES: &[&str] = &[
    "POST /api/v1/password/forgot",
    "POST /api/v1/password/reset",
    "POST /api/v1/signup",
    "POST /api/v1/tokens",
];

#[tokio::test]
async fn cookie_authenticated_api_writes_need_the_csrf_header() {
    let fx = Fixture::seed().await;
    let b = &fx.browsers[INSTANCE];
    let mut anonymous = Vec::new();
    let mut checked = 0;
    for (method, pattern) in fx.api_routes() {
        if method == "GET" {
            continue;
        }
        let key = format!("{method} {pattern}");
        let op = &fx.openapi["paths"][&pattern][method.to_lowercase()];
        if op["security"].as_array().is_none_or(Vec::is_empty) {
            anonymous.push(key);
            continue;
        }
        let url = format!("{}{}", b.base, fx.fill(&method, &pattern));
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        for header in [None, Some("not-the-token")] {
            let before = fingerprint(&fx).await;
            let mut req = b
                .client
                .request(m.clone(), &url)
                .json(&fx.api_body(&method, &pattern));
            if let Some(h) = header {
                req = req.header("x-csrf-token", h);
            }
            let r = req.send().await.expect("API request");
            let status = r.status();
            let body: Value = r.json().await.unwrap_or_default();
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("csrf_invalid")),
                "{key} with header {header:?}: {body}"
            );
            assert_eq!(fingerprint(&fx).await, before, "{key} changed nothing");
        }
        checked += 1;
    }
    assert!(checked > 40, "the OpenAPI document lists the writes");
    anonymous.sort();
    assert_eq!(
        anonymous, ANONYMOUS_WRITES,
        "a write that needs no one signed in is a deliberate exception"
    );
    // With the header, the same session may write.
    let r = b
        .client
        .post(format!("{}/api/v1/me/tokens", b.base))
        .header("x-csrf-token", &fx.csrf[INSTANCE])
        .json(&serde_json::json!({"name": "with header"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}
