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
    // Seen from the fork: ours is the fork's text, theirs the source's, in the conflict
    // list and in the markers alike; the source revision to resolve with is given.
    assert_eq!(body["conflicts"][0]["ours"], "Des vélos réparés.");
    assert_eq!(body["conflicts"][0]["theirs"], "Des grille-pain réparés.");
    let marked = body["merged_with_markers"]["fields"]["produces"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        marked.starts_with("<<<<<<< ours\nDes vélos réparés.\n=======\n"),
        "{marked}"
    );
    assert_eq!(body["upstream_revision"], 3);
    assert_eq!(body["current_revision"], 4);

    // Resolving: markers left in a field are refused, naming it; a source revision
    // already taken in is refused; the fixed text saves and brings the fork up to date.
    let mut resolved = body["merged_with_markers"].clone();
    resolved["base_revision"] = json!(4);
    resolved["upstream_revision"] = json!(3);
    let (status, err) = bob.put(&fork, resolved.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(
        error_of(&err),
        ("conflict_markers".into(), Some("fields.produces".into()))
    );
    resolved["fields"]["produces"] = json!("Des vélos et des grille-pain réparés.");
    resolved["upstream_revision"] = json!(2);
    let (status, err) = bob.put(&fork, resolved.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(error_of(&err).1.as_deref(), Some("upstream_revision"));
    resolved["upstream_revision"] = json!(3);
    let (status, saved) = bob.put(&fork, resolved).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["revision"], 5);
    let (_, f) = bob.get(&fork).await;
    assert_eq!(
        f["fields"]["produces"],
        "Des vélos et des grille-pain réparés."
    );
    assert_eq!(f["source"]["upstream_revision"], 3);
    let (status, pulled) = bob.post(&format!("{fork}/pull"), json!({})).await;
    assert_eq!(
        (status, pulled["revision"].as_i64()),
        (StatusCode::OK, Some(5)),
        "nothing left to pull"
    );

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

    // The feed is trimmed past what the second process read: it notices the gap in the
    // numbers and rebuilds, missing nothing.
    for n in 1..=3 {
        create(
            &alice,
            "atelier",
            json!({"title": format!("Compost {n}"), "license": "CC0-1.0", "body": "Le lombricompost du quartier."}),
        )
        .await;
    }
    let removed = fabrique_app::documents::search::prune_log_keeping(&t.app, 1, 0)
        .await
        .unwrap();
    assert!(removed >= 4, "{removed} changes removed");
    let (status, r) = reader.get("/api/v1/search?q=lombricompost").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["total"], 3, "{r}");
    // Pruning again finds nothing more to remove, and the index stays complete.
    let removed = fabrique_app::documents::search::prune_log_keeping(&t.app, 1, 0)
        .await
        .unwrap();
    assert_eq!(removed, 0);
    create(
        &alice,
        "atelier",
        json!({"title": "Compost 4", "license": "CC0-1.0", "body": "Encore du lombricompost."}),
    )
    .await;
    let (_, r) = reader.get("/api/v1/search?q=lombricompost").await;
    assert_eq!(r["total"], 4, "{r}");
}

#[tokio::test]
async fn search_results_come_in_pages() {
    let t = TestApp::spawn().await;
    let alice = t.user("alice@example.org", "Alice").await;
    alice.org("atelier", "association").await;
    for n in 1..=25 {
        create(
            &alice,
            "atelier",
            json!({"title": format!("Grainothèque {n}"), "license": "CC0-1.0", "body": "Échanger des semences."}),
        )
        .await;
    }
    let anon = t.api(None);
    let (status, first) = anon.get("/api/v1/search?q=semences").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            first["total"].as_u64(),
            first["page"].as_u64(),
            first["per_page"].as_u64()
        ),
        (Some(25), Some(1), Some(20)),
        "{first}"
    );
    assert_eq!(first["results"].as_array().unwrap().len(), 20);
    let (_, second) = anon.get("/api/v1/search?q=semences&page=2").await;
    let second = second["results"].as_array().unwrap().clone();
    assert_eq!(second.len(), 5);
    let mut ids: Vec<&str> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(&second)
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25, "the two pages do not overlap");
    let (_, third) = anon.get("/api/v1/search?q=semences&page=3").await;
    assert_eq!(third["results"].as_array().unwrap().len(), 0);
    for bad in ["0", "501", "deux"] {
        let (status, body) = anon
            .get(&format!("/api/v1/search?q=semences&page={bad}"))
            .await;
        assert!(status.is_client_error(), "page={bad}: {status} {body}");
    }
    // The page links keep the filters.
    let browser = t.browser();
    let (status, html) = browser.get("/search?q=semences&kind=page").await;
    assert_eq!(status, StatusCode::OK);
    let plain = html.replace(['\u{2068}', '\u{2069}'], "");
    assert!(
        plain.contains("Page 1 sur 2") || plain.contains("Page 1 of 2"),
        "{html}"
    );
    assert!(html.contains("rel=\"next\""), "{html}");
    assert!(html.contains("kind=page&#38;page=2"), "{html}");
    let (status, html) = browser.get("/search?q=semences&kind=page&page=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("rel=\"prev\""), "{html}");
    assert!(html.contains("start=\"21\""), "{html}");
}

#[tokio::test]
async fn demo_documents_have_forks_and_an_open_proposal() {
    let t = TestApp::spawn().await;
    fabrique_app::demo::load(&t.app).await.unwrap();
    let anon = t.api(None);
    let mut total = 0;
    for org in ["manchots-libres", "grenier-commun", "tiers-lieux-alpes"] {
        let (status, list) = anon.get(&format!("/api/v1/orgs/{org}/documents")).await;
        assert_eq!(status, StatusCode::OK);
        total += list.as_array().unwrap().len();
    }
    assert!(total >= 20, "{total} public documents");
    let (_, src) = anon
        .get("/api/v1/orgs/tiers-lieux-alpes/documents/repair-cafe")
        .await;
    assert_eq!(src["adaptations"].as_array().unwrap().len(), 2, "{src}");
    let (_, proposals) = anon
        .get("/api/v1/orgs/tiers-lieux-alpes/documents/repair-cafe/proposals")
        .await;
    assert_eq!(proposals[0]["status"], "open");
    let (_, fork) = anon
        .get("/api/v1/orgs/manchots-libres/documents/repair-cafe")
        .await;
    assert_eq!(fork["title"], "Repair café informatique");
    assert!(
        fork["source"]["source_current"].as_i64() > fork["source"]["upstream_revision"].as_i64()
    );
    let (_, r) = anon.get("/api/v1/search?q=monnaie").await;
    assert_eq!(r["results"][0]["org"], "tiers-lieux-alpes", "{r}");
}

/// A small French search quality set: documents, queries and the documents each query
/// should find; recall and precision over the whole set must stay above floors.
#[tokio::test]
async fn french_search_quality_set() {
    let t = TestApp::spawn().await;
    let alice = t.user("alice@example.org", "Alice").await;
    alice.org("qualite", "association").await;
    let docs = [
        (
            "ecole",
            "Fête de l'école",
            "Une kermesse à l'ÉCOLE primaire du quartier.",
        ),
        (
            "reparation",
            "Atelier de réparation",
            "La réparation des appareils électroménagers.",
        ),
        (
            "velo",
            "Vélo-école",
            "Apprendre à rouler à vélo en ville, pour adultes.",
        ),
        (
            "evenement",
            "Organiser un événement",
            "Un évènement festif demande un plan B en cas de pluie.",
        ),
        (
            "jardin",
            "Jardin partagé",
            "Des jardiniers cultivent des légumes ensemble.",
        ),
        (
            "monnaie",
            "Monnaie locale",
            "Une monnaie complémentaire pour les commerces du territoire.",
        ),
        (
            "epicerie",
            "Épicerie coopérative",
            "Des produits locaux gérés par les coopérateurs.",
        ),
        (
            "compost",
            "Compost collectif",
            "Réduire les déchets de cuisine en compostant.",
        ),
    ];
    for (_, title, body) in docs {
        create(
            &alice,
            "qualite",
            json!({"title": title, "license": "CC0-1.0", "body": body}),
        )
        .await;
    }
    let queries: &[(&str, &[&str])] = &[
        ("école", &["Fête de l'école", "Vélo-école"]),
        ("ecole", &["Fête de l'école", "Vélo-école"]),
        ("ÉCOLE", &["Fête de l'école", "Vélo-école"]),
        ("réparer", &["Atelier de réparation"]),
        ("événement", &["Organiser un événement"]),
        ("évènements", &["Organiser un événement"]),
        ("jardinier", &["Jardin partagé"]),
        ("légume", &["Jardin partagé"]),
        ("monnaies locales", &["Monnaie locale"]),
        ("coopérative", &["Épicerie coopérative"]),
        ("composter", &["Compost collectif"]),
        ("déchet", &["Compost collectif"]),
    ];
    let (mut relevant_found, mut relevant_total, mut returned) = (0usize, 0usize, 0usize);
    for (q, expected) in queries {
        let (status, r) = alice.get(&format!("/api/v1/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let titles: Vec<String> = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_owned())
            .collect();
        returned += titles.len();
        relevant_total += expected.len();
        relevant_found += expected
            .iter()
            .filter(|e| titles.iter().any(|t| t == *e))
            .count();
        assert!(
            titles
                .first()
                .is_some_and(|t| expected.contains(&t.as_str())),
            "{q}: {titles:?}"
        );
    }
    let recall = relevant_found as f64 / relevant_total as f64;
    let precision = relevant_found as f64 / returned.max(1) as f64;
    assert!(recall >= 0.9, "recall {recall}");
    assert!(precision >= 0.8, "precision {precision}");
}

#[tokio::test]
async fn pages_edit_conflict_history_fork_proposal_and_search() {
    let t = TestApp::spawn().await;
    let camille = t.browser();
    camille.signup("camille@example.org", "Camille").await;
    let (status, _, body) = camille
        .submit(
            "/orgs/new",
            "/orgs/new",
            &[
                ("slug", "atelier"),
                ("name", "Atelier"),
                ("kind", "association"),
                ("timezone", "Europe/Paris"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, page) = camille.get("/o/atelier/documents").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("aria-current=\"page\""));
    let form: &[(&str, &str)] = &[
        ("kind", "recipe"),
        ("title", "Repair café"),
        ("visibility", "public"),
        ("license", "CC-BY-SA-4.0"),
        ("tags", "réparation, quartier"),
        ("fields.summary", "Réparer ensemble."),
        (
            "fields.ingredients",
            "[people] bénévoles (3 à 5)\nune salle",
        ),
        ("fields.utensils", "tournevis\nfer à souder"),
        ("fields.steps", "Trouver une salle.\nAnnoncer la date."),
        ("fields.produces", "Des objets réparés."),
    ];
    // Bad input is shown next to its field.
    let mut bad = form.to_vec();
    bad[1] = ("title", "");
    let (status, _, html) = camille
        .submit("/o/atelier/documents/new", "/o/atelier/documents/new", &bad)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"e-title\""), "{html}");
    let (status, location, _) = camille
        .submit("/o/atelier/documents/new", "/o/atelier/documents/new", form)
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/o/atelier/documents/repair-cafe")
    );
    let (_, page) = camille.get("/o/atelier/documents/repair-cafe").await;
    assert!(page.contains("<th scope=\"col\">"), "ingredients table");
    assert!(page.contains("<ol><li>"), "numbered steps");
    assert!(page.contains("bénévoles") && page.contains("3 à 5"));
    assert!(page.contains("CC BY-SA 4.0"));

    // Two browsers edit revision 1: the second one's overlapping change shows the conflict.
    let edit = |produces: &'static str| {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f[9] = ("fields.produces", produces);
        f.push(("base_revision", "1"));
        f
    };
    let (status, _, _) = camille
        .submit(
            "/o/atelier/documents/repair-cafe/edit",
            "/o/atelier/documents/repair-cafe/edit",
            &edit("Des grille-pain réparés."),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, html) = camille
        .submit(
            "/o/atelier/documents/repair-cafe/edit",
            "/o/atelier/documents/repair-cafe/edit",
            &edit("Des lampes réparées."),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("Des grille-pain réparés.") && html.contains("Des lampes réparées."),
        "{html}"
    );

    // History compares with <ins>/<del>.
    let (status, html) = camille
        .get("/o/atelier/documents/repair-cafe/history?from=1&to=2")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<del>") && html.contains("<ins>"), "{html}");

    // Another member of another organisation forks it with the button, and proposes back.
    let dan = t.browser();
    dan.signup("dan@example.org", "Dan").await;
    dan.submit(
        "/orgs/new",
        "/orgs/new",
        &[
            ("slug", "grenier"),
            ("name", "Grenier"),
            ("kind", "association"),
            ("timezone", "Europe/Paris"),
            ("visibility", "public"),
        ],
    )
    .await;
    let (status, location, _) = dan
        .submit(
            "/o/atelier/documents/repair-cafe",
            "/o/atelier/documents/repair-cafe/fork",
            &[("into", "grenier")],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/o/grenier/documents/repair-cafe")
    );
    let (_, html) = dan.get("/o/grenier/documents/repair-cafe").await;
    assert!(html.contains("Adapté de « Repair café »"), "{html}");
    // Dan adapts his fork, then proposes the adaptation back from the fork's page: the form
    // holds the fork's content made on the source revision it was taken from.
    let mut adapted = edit("Des objets et des vélos réparés.");
    adapted[10] = ("base_revision", "1");
    let (status, _, body) = dan
        .submit(
            "/o/grenier/documents/repair-cafe/edit",
            "/o/grenier/documents/repair-cafe/edit",
            &adapted,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let upstream = "/o/atelier/documents/repair-cafe/edit?fork=grenier/repair-cafe";
    let (_, html) = dan.get("/o/grenier/documents/repair-cafe").await;
    assert!(html.contains(upstream), "{html}");
    let (status, html) = dan.get(upstream).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Des objets et des vélos réparés."), "{html}");
    assert!(
        html.contains("name=\"base_revision\" value=\"2\""),
        "{html}"
    );
    assert!(html.contains("action=\"/o/atelier/documents/repair-cafe/proposals\""));
    let (status, _) = dan
        .get("/o/atelier/documents/repair-cafe/edit?fork=atelier/repair-cafe")
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a fork of itself"
    );
    let mut p = edit("Des grille-pain et des lampes réparés.");
    p[10] = ("base_revision", "2");
    p.push(("message", "Les lampes aussi"));
    let (status, location, body) = dan
        .submit(
            "/o/atelier/documents/repair-cafe/edit",
            "/o/atelier/documents/repair-cafe/proposals",
            &p,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, html) = camille.get(&location).await;
    assert!(html.contains("Les lampes aussi") && html.contains("<ins>"));
    let (status, _, _) = camille
        .submit(&location, &format!("{location}/accept"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = camille.get("/o/atelier/documents/repair-cafe").await;
    assert!(html.contains("Des grille-pain et des lampes réparés."));
    // A proposal made on revision 2 that rewrites the same field cannot be merged:
    // accepting it shows the three versions, and nothing changes.
    let mut late = edit("Des vélos seulement.");
    late[10] = ("base_revision", "2");
    late.push(("message", "Que des vélos"));
    let (status, late_page, body) = dan
        .submit(
            "/o/atelier/documents/repair-cafe/edit",
            "/o/atelier/documents/repair-cafe/proposals",
            &late,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, html) = camille
        .submit(&late_page, &format!("{late_page}/accept"), &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    for text in [
        "<caption>Ce que ça produit</caption>",
        "La proposition",
        "<pre>Des vélos seulement.</pre>",
        "<pre>Des grille-pain et des lampes réparés.</pre>",
        "<pre>Des grille-pain réparés.</pre>",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    let (_, html) = camille.get("/o/atelier/documents/repair-cafe").await;
    assert!(html.contains("Des grille-pain et des lampes réparés."));

    // Dan's fork rewrote the whole field the source changed: pulling shows the edit form with every
    // conflicting field's three versions, the merge with markers to fix, and saving the
    // fixed form brings the fork up to date with its source.
    let mut mine = edit("Rien que des vélos");
    mine[10] = ("base_revision", "2");
    let fork_edit = "/o/grenier/documents/repair-cafe/edit";
    let (status, _, body) = dan.submit(fork_edit, fork_edit, &mine).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, html) = dan
        .submit(
            "/o/grenier/documents/repair-cafe",
            "/o/grenier/documents/repair-cafe/pull",
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    for text in [
        "<caption>Ce que ça produit</caption>",
        "Des grille-pain réparés.",
        "Rien que des vélos",
        "Des grille-pain et des lampes réparés.",
        "Cette adaptation",
        "La source",
        "name=\"upstream_revision\" value=\"3\"",
        "&#60;&#60;&#60;&#60;&#60;&#60;&#60; ours",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    let mut resolved = mine.clone();
    resolved[9] = (
        "fields.produces",
        "<<<<<<< ours\nRien que des vélos\n=======\nDes lampes\n>>>>>>> theirs\n",
    );
    resolved[10] = ("base_revision", "3");
    resolved.push(("upstream_revision", "3"));
    let (status, _, html) = dan.submit(fork_edit, fork_edit, &resolved).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("marques de conflit"), "{html}");
    resolved[9] = ("fields.produces", "Des vélos et des lampes réparés.");
    let (status, _, html) = dan.submit(fork_edit, fork_edit, &resolved).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, html) = dan.get("/o/grenier/documents/repair-cafe").await;
    assert!(html.contains("Des vélos et des lampes réparés."), "{html}");
    assert!(
        !html.contains("/o/grenier/documents/repair-cafe/pull"),
        "up to date with the source: no pull button"
    );

    // The administrator sets who may edit; a bad value is refused on the page.
    let (status, _, html) = camille
        .submit(
            "/o/atelier/documents",
            "/o/atelier/documents-settings",
            &[("editors", "everyone"), ("default_license", "CC0-1.0")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, _, _) = camille
        .submit(
            "/o/atelier/documents",
            "/o/atelier/documents-settings",
            &[("editors", "admins"), ("default_license", "LAL-1.3")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = camille.get("/o/atelier/documents").await;
    assert!(
        html.contains("<option value=\"LAL-1.3\" selected>"),
        "{html}"
    );
    let (_, html) = dan.get("/o/atelier/documents").await;
    assert!(
        !html.contains("documents-settings"),
        "settings are for administrators"
    );

    // Search page with highlighted snippets and filters.
    let (status, html) = t.browser().get("/search?q=reparer&kind=recipe").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<b>"), "{html}");
    assert!(html.contains("/o/atelier/documents/repair-cafe"));
    let (status, _) = t.browser().get("/search?q=x&license=GPL").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
