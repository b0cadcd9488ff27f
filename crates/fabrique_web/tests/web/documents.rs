//! The knowledge commons: documents, revisions, merges, forks, pulls, proposals,
//! visibility, licences and search, over HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Api, TestApp, error_of};

fn recipe(title: &str) -> Value {
    json!({
        "kind": "recipe",
        "title": title,
        "license": "CC-BY-SA-4.0",
        "visibility": "public",
        "tags": ["réparation", "quartier"],
        "body": "",
        "fields": {
            "summary": "Réparer ensemble plutôt que jeter.",
            "ingredients": [{"kind": "people", "name": "bénévoles réparateurs", "quantity": "3 à 5"}, "une salle"],
            "utensils": ["tournevis", "fer à souder"],
            "steps": ["Trouver une salle.", "Annoncer la date.", "Accueillir les visiteurs."],
            "produces": "Des objets réparés et des voisins qui se parlent."
        }
    })
}

/// Creates a document and returns (slug, revision).
async fn create(api: &Api, org: &str, body: Value) -> (String, i64) {
    let (status, saved) = api
        .post(&format!("/api/v1/orgs/{org}/documents"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    (
        saved["slug"].as_str().unwrap().to_owned(),
        saved["revision"].as_i64().unwrap(),
    )
}

fn with(mut doc: Value, path: &[&str], value: Value) -> Value {
    let mut at = &mut doc;
    for p in &path[..path.len() - 1] {
        at = &mut at[*p];
    }
    at[path[path.len() - 1]] = value;
    doc
}

#[tokio::test]
async fn saves_merge_or_conflict_and_history_compares() {
    let t = TestApp::spawn().await;
    let alice = t.user("alice@example.org", "Alice").await;
    alice.org("atelier", "association").await;
    let (slug, rev) = create(&alice, "atelier", recipe("Repair café")).await;
    assert_eq!(rev, 1);
    let path = format!("/api/v1/orgs/atelier/documents/{slug}");

    // Two edits made on revision 1 that touch different fields merge.
    let a = with(
        recipe("Repair café"),
        &["fields", "produces"],
        json!("Des objets réparés."),
    );
    let (status, saved) = alice
        .put(&path, with(a, &["base_revision"], json!(1)))
        .await;
    assert_eq!(
        (status, saved["revision"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{saved}"
    );
    let b = with(
        recipe("Repair café"),
        &["fields", "summary"],
        json!("Réparer ensemble."),
    );
    let (status, saved) = alice
        .put(&path, with(b, &["base_revision"], json!(1)))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["revision"], 3);
    assert_eq!(saved["merged"], true);
    let (_, doc) = alice.get(&path).await;
    assert_eq!(doc["fields"]["produces"], "Des objets réparés.");
    assert_eq!(doc["fields"]["summary"], "Réparer ensemble.");
    assert_eq!(doc["revision"], 3);

    // An edit of revision 1 that changes the same field differently conflicts: 409,
    // the conflicting fields named, nothing saved.
    let c = with(
        recipe("Repair café"),
        &["fields", "produces"],
        json!("Rien du tout."),
    );
    let (status, body) = alice
        .put(&path, with(c, &["base_revision"], json!(1)))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "merge_conflict");
    assert_eq!(body["conflicts"][0]["field"], "produces");
    assert_eq!(body["conflicts"][0]["ours"], "Rien du tout.");
    let (_, doc) = alice.get(&path).await;
    assert_eq!(doc["revision"], 3);

    // History, diff, restore.
    let (status, revs) = alice.get(&format!("{path}/revisions")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(revs.as_array().unwrap().len(), 3);
    assert_eq!(revs[0]["number"], 3);
    assert_eq!(revs[0]["author"], "Alice");
    let (status, diff) = alice.get(&format!("{path}/diff?from=1&to=3")).await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    assert_eq!(diff["changed"], json!(["summary", "produces"]));
    let (status, body) = alice.get(&format!("{path}/diff?from=1&to=9")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("to"));
    let (status, saved) = alice
        .post(&format!("{path}/revisions/1/restore"), json!({}))
        .await;
    assert_eq!(
        (status, saved["revision"].as_i64()),
        (StatusCode::OK, Some(4)),
        "{saved}"
    );
    let (_, doc) = alice.get(&path).await;
    assert_eq!(
        doc["fields"]["summary"],
        "Réparer ensemble plutôt que jeter."
    );

    // Bad input names its field and changes nothing.
    let (status, body) = alice
        .put(&path, json!({"title": "x", "license": "CC-BY-SA-4.0", "fields": {"steps": ["ok", ""]}, "base_revision": 4}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).1.as_deref(), Some("fields.steps"));
    let (status, body) = alice
        .post(
            "/api/v1/orgs/atelier/documents",
            json!({"title": "x", "license": "GPL"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("license"));
    let (status, body) = alice.put(&path, recipe("Sans base")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("base_revision"));
    let (_, doc) = alice.get(&path).await;
    assert_eq!(doc["revision"], 4);
}

#[tokio::test]
async fn forks_keep_licences_pull_upstream_and_proposals_merge_back() {
    let t = TestApp::spawn().await;
    let alice = t.user("alice@example.org", "Alice").await;
    let bob = t.user("bob@example.org", "Bob").await;
    alice.org("atelier", "association").await;
    bob.org("grenier", "scic").await;
    let (slug, _) = create(&alice, "atelier", recipe("Repair café")).await;
    let src = format!("/api/v1/orgs/atelier/documents/{slug}");

    // Only members of the target may fork there; share-alike stays share-alike.
    let (status, _) = alice
        .post(&format!("{src}/fork"), json!({"into": "grenier"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = bob
        .post(
            &format!("{src}/fork"),
            json!({"into": "grenier", "license": "CC0-1.0"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).1.as_deref(), Some("license"));
    let (status, forked) = bob
        .post(&format!("{src}/fork"), json!({"into": "grenier"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{forked}");
    let fork = format!(
        "/api/v1/orgs/grenier/documents/{}",
        forked["slug"].as_str().unwrap()
    );
    let (_, f) = bob.get(&fork).await;
    assert_eq!(f["license"], "CC-BY-SA-4.0");
    assert_eq!(f["source"]["org"], "atelier");
    assert_eq!(f["source"]["revision"], 1);
    assert_eq!(f["attribution"][0]["authors"], json!(["Alice"]));
    assert!(
        f["attribution_line"]
            .as_str()
            .unwrap()
            .starts_with("Adapté de « Repair café »")
    );
    let (_, s) = alice.get(&src).await;
    assert_eq!(s["adaptations"][0]["org"], "grenier");

    // The fork adapts one field, upstream changes another: the pull merges both.
    let local = with(
        recipe("Repair café"),
        &["fields", "utensils"],
        json!(["tournevis", "multimètre"]),
    );
    let (status, _) = bob
        .put(&fork, with(local, &["base_revision"], json!(1)))
        .await;
    assert_eq!(status, StatusCode::OK);
    let up = with(
        recipe("Repair café"),
        &["fields", "steps"],
        json!([
            "Trouver une salle.",
            "Annoncer la date sur le site.",
            "Accueillir les visiteurs."
        ]),
    );
    let (status, _) = alice
        .put(&src, with(up, &["base_revision"], json!(1)))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, pulled) = bob.post(&format!("{fork}/pull"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{pulled}");
    assert_eq!(pulled["revision"], 3);
    let (_, f) = bob.get(&fork).await;
    assert_eq!(f["fields"]["utensils"], json!(["tournevis", "multimètre"]));
    assert_eq!(f["fields"]["steps"][1], "Annoncer la date sur le site.");
    assert_eq!(f["source"]["upstream_revision"], 2);
    // Nothing new upstream: the pull changes nothing.
    let (status, pulled) = bob.post(&format!("{fork}/pull"), json!({})).await;
    assert_eq!(
        (status, pulled["revision"].as_i64()),
        (StatusCode::OK, Some(3))
    );
    // Conflicting upstream change: 409 with the conflicts.
    let mine = with(
        recipe("Repair café"),
        &["fields", "produces"],
        json!("Des vélos réparés."),
    );
    let (_, f) = bob.get(&fork).await;
    let mut mine_full = f.clone();
    mine_full["fields"]["produces"] = mine["fields"]["produces"].clone();
    mine_full["base_revision"] = json!(3);
    let (status, _) = bob.put(&fork, mine_full).await;
    assert_eq!(status, StatusCode::OK);
    let (_, s) = alice.get(&src).await;
    let mut theirs = s.clone();
    theirs["fields"]["produces"] = json!("Des grille-pain réparés.");
    theirs["base_revision"] = json!(2);
    let (status, _) = alice.put(&src, theirs).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = bob.post(&format!("{fork}/pull"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["conflicts"][0]["field"], "produces");

    // Bob proposes a change back on revision 2; Alice meanwhile changed revision 3:
    // accepting merges three-way and credits Bob.
    let (_, s) = alice.get(&src).await;
    assert_eq!(s["revision"], 3);
    let (_, rev2) = alice.get(&format!("{src}/revisions/2")).await;
    let mut proposed = rev2["content"].clone();
    proposed["fields"]["tips"] = json!("Prévoir du café, vraiment.");
    proposed["base_revision"] = json!(2);
    proposed["message"] = json!("Ajout d'une astuce");
    let (status, p) = bob.post(&format!("{src}/proposals"), proposed).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["changed"], json!(["tips"]));
    let id = p["id"].as_str().unwrap().to_owned();
    let (status, _) = alice
        .post(
            &format!("{src}/proposals/{id}/comments"),
            json!({"body": "Merci !"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = bob
        .post(&format!("{src}/proposals/{id}/accept"), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the document's organisation decides"
    );
    let (status, saved) = alice
        .post(&format!("{src}/proposals/{id}/accept"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["revision"], 4);
    let (_, s) = alice.get(&src).await;
    assert_eq!(s["fields"]["tips"], "Prévoir du café, vraiment.");
    assert_eq!(s["fields"]["produces"], "Des grille-pain réparés.");
    let (_, revs) = alice.get(&format!("{src}/revisions")).await;
    assert_eq!(revs[0]["author"], "Bob");
    let (_, list) = alice.get(&format!("{src}/proposals")).await;
    assert_eq!(list[0]["status"], "accepted");
    let (_, p) = alice.get(&format!("{src}/proposals/{id}")).await;
    assert_eq!(p["comments"][0]["body"], "Merci !");
    let (status, _) = alice
        .post(&format!("{src}/proposals/{id}/decline"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn visibility_settings_and_hostile_markdown() {
    let t = TestApp::spawn().await;
    let alice = t.user("alice@example.org", "Alice").await;
    let bob = t.user("bob@example.org", "Bob").await;
    let eve = t.user("eve@example.org", "Eve").await;
    alice.org("atelier", "association").await;
    let (status, _) = alice
        .post(
            "/api/v1/orgs/atelier/members",
            json!({"email": "bob@example.org", "role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let anon = t.api(None);
    let mut members = recipe("Compte rendu interne");
    members["visibility"] = json!("members");
    let (m, _) = create(&alice, "atelier", members).await;
    let mut draft = recipe("Brouillon secret");
    draft["visibility"] = json!("draft");
    let (d, _) = create(&alice, "atelier", draft).await;
    let hostile = json!({"title": "Piège", "license": "CC0-1.0",
        "body": "<script>alert(1)</script>\n\n<a href=\"javascript:alert(2)\" onclick=\"x()\">lien</a> <img src=x onerror=alert(3)>"});
    let (h, _) = create(&alice, "atelier", hostile).await;

    let (status, _) = anon
        .get(&format!("/api/v1/orgs/atelier/documents/{m}"))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "members only is invisible to anonymous"
    );
    let (status, _) = bob
        .get(&format!("/api/v1/orgs/atelier/documents/{m}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = eve
        .get(&format!("/api/v1/orgs/atelier/documents/{m}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = bob
        .get(&format!("/api/v1/orgs/atelier/documents/{d}"))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a draft is its author's only"
    );
    let (_, list) = bob.get("/api/v1/orgs/atelier/documents").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (_, list) = anon.get("/api/v1/orgs/atelier/documents").await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Search honours visibility too.
    let (_, r) = alice.get("/api/v1/search?q=brouillon").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    let (_, r) = bob.get("/api/v1/search?q=brouillon").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 0);
    let (_, r) = bob.get("/api/v1/search?q=interne").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    let (_, r) = anon.get("/api/v1/search?q=interne").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 0);

    // Hostile Markdown is neutralised on the page.
    let (status, page) = t.browser().get(&format!("/o/atelier/documents/{h}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("javascript:"));
    assert!(!page.contains("onerror"));
    assert!(!page.contains("onclick"));

    // Settings: administrators only may edit once the organisation says so.
    let (status, _) = bob
        .patch(
            "/api/v1/orgs/atelier/documents-settings",
            json!({"editors": "admins"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = alice
        .patch(
            "/api/v1/orgs/atelier/documents-settings",
            json!({"editors": "everyone"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("editors"));
    let (status, _) = alice
        .patch(
            "/api/v1/orgs/atelier/documents-settings",
            json!({"editors": "admins", "default_license": "LAL-1.3"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = bob
        .post(
            "/api/v1/orgs/atelier/documents",
            json!({"title": "Par Bob"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = alice
        .post(
            "/api/v1/orgs/atelier/documents",
            json!({"title": "Licence par défaut"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, doc) = alice
        .get(&format!(
            "/api/v1/orgs/atelier/documents/{}",
            saved["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(doc["license"], "LAL-1.3");
}

#[tokio::test]
async fn search_folds_stems_filters_and_sees_other_processes_writes() {
    let t = TestApp::spawn().await;
    let other = TestApp::on(&t.database_url).await;
    let alice = t.user("alice@example.org", "Alice").await;
    alice.org("atelier", "association").await;
    // Warm the second process's index before the write, so it must catch up.
    let reader = other.api(None);
    let (status, r) = reader.get("/api/v1/search?q=ecole").await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["results"].as_array().unwrap().len(), 0);
    create(
        &alice,
        "atelier",
        json!({"title": "Fête de l'École", "license": "CC-BY-4.0", "tags": ["fête"],
        "body": "Un **évènement** pour réparer le lien entre parents."}),
    )
    .await;
    create(&alice, "atelier", recipe("Repair café")).await;
    for q in ["école", "ecole", "ÉCOLE"] {
        let (_, r) = reader.get(&format!("/api/v1/search?q={q}")).await;
        assert_eq!(r["results"][0]["title"], "Fête de l'École", "{q}: {r}");
        assert_eq!(r["results"][0]["org"], "atelier");
    }
    let (_, r) = reader.get("/api/v1/search?q=événement").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 1, "{r}");
    assert!(
        r["results"][0]["snippet"].as_str().unwrap().contains("<b>"),
        "{r}"
    );
    // réparer matches réparation (stemmed) and ranks the exact word first.
    let (_, r) = reader.get("/api/v1/search?q=réparer").await;
    let titles: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "{r}");
    let (_, r) = reader.get("/api/v1/search?q=réparation&kind=recipe").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    let (_, r) = reader
        .get("/api/v1/search?q=réparer&license=CC-BY-4.0")
        .await;
    assert_eq!(r["results"][0]["title"], "Fête de l'École");
    let (_, r) = reader.get("/api/v1/search?q=réparer&tag=quartier").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    let (_, r) = reader.get("/api/v1/search?q=réparer&org=ailleurs").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 0);
    let (status, body) = reader.get("/api/v1/search?q=").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("q"));
    let (status, body) = reader.get("/api/v1/search?q=x&license=GPL").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("license"));
}
