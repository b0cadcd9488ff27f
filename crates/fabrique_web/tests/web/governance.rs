//! Governance over HTTP: decisions, secret and public ballots, proxies, colleges, closing
//! on time exactly once, published ballots that recount, the charter.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Api, TestApp, error_of};

const HOUR: i64 = 3_600_000;

/// An organisation with an administrator and `n` more members (with `colleges`, members
/// are spread over them in turn, the administrator in the first). Returns the admin's API
/// client and member id, and the members' clients and ids.
async fn org_with(
    t: &TestApp,
    slug: &str,
    kind: &str,
    colleges: &[(&str, &str)],
    n: usize,
) -> ((Api, String), Vec<(Api, String)>) {
    let admin = t.user(&format!("admin@{slug}.test"), "Admin").await;
    admin.org(slug, kind).await;
    if !colleges.is_empty() {
        let body: Vec<Value> = colleges
            .iter()
            .map(|(n, s)| json!({"name": n, "share": s}))
            .collect();
        let (status, b) = admin
            .put(&format!("/api/v1/orgs/{slug}/colleges"), json!(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{b}");
    }
    let (_, org) = admin.get(&format!("/api/v1/orgs/{slug}")).await;
    let admin_id = org["me"]["member_id"].as_str().unwrap().to_owned();
    if let Some((c, _)) = colleges.first() {
        let (status, b) = admin
            .patch(
                &format!("/api/v1/orgs/{slug}/members/{admin_id}"),
                json!({"college": c}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{b}");
    }
    let mut members = Vec::new();
    for i in 0..n {
        let email = format!("m{i}@{slug}.test");
        let api = t.user(&email, &format!("Membre {i}")).await;
        let mut body = json!({"email": email});
        if !colleges.is_empty() {
            body["college"] = json!(colleges[(i + 1) % colleges.len()].0);
        }
        let (status, b) = admin
            .post(&format!("/api/v1/orgs/{slug}/members"), body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        members.push((api, b["member"]["id"].as_str().unwrap().to_owned()));
    }
    ((admin, admin_id), members)
}

async fn draft(admin: &Api, slug: &str, body: Value) -> String {
    let (status, b) = admin
        .post(&format!("/api/v1/orgs/{slug}/decisions"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_owned()
}

async fn open(admin: &Api, slug: &str, id: &str) -> Value {
    let (status, b) = admin
        .post(
            &format!("/api/v1/orgs/{slug}/decisions/{id}/open"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    b
}

async fn close(admin: &Api, slug: &str, id: &str) -> Value {
    let (status, b) = admin
        .post(
            &format!("/api/v1/orgs/{slug}/decisions/{id}/close"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (status, r) = admin
        .get(&format!("/api/v1/orgs/{slug}/decisions/{id}/result"))
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    r
}

async fn vote(api: &Api, slug: &str, id: &str, ballot: Value) -> (StatusCode, Value) {
    api.post(
        &format!("/api/v1/orgs/{slug}/decisions/{id}/ballots"),
        ballot,
    )
    .await
}

async fn voted(api: &Api, slug: &str, id: &str, ballot: Value) -> String {
    let (status, b) = vote(api, slug, id, ballot).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    b["tracker"].as_str().unwrap().to_owned()
}

/// The published ballots recount, with the engine, to exactly the published result.
async fn assert_recounts(api: &Api, slug: &str, id: &str, result: &Value) -> Value {
    let (status, published) = api
        .get(&format!("/api/v1/orgs/{slug}/decisions/{id}/ballots"))
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let election = fabrique_vote::Election::from_value(published["election"].clone()).unwrap();
    let recount = serde_json::to_value(fabrique_vote::tally(&election).unwrap()).unwrap();
    let mut expected = result.clone();
    expected.as_object_mut().unwrap().remove("participation");
    assert_eq!(recount, expected);
    published
}

async fn delete_json(api: &Api, path: &str, body: Value) -> StatusCode {
    let mut req = api.client.delete(format!("{}{path}", api.base)).json(&body);
    if let Some(t) = &api.token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("DELETE").status()
}

const SCIC: &[(&str, &str)] = &[
    ("Salariés", "3/10"),
    ("Producteurs", "3/10"),
    ("Usagers", "1/4"),
    ("Collectivités", "3/20"),
];

#[tokio::test]
async fn a_secret_vote_with_colleges_counts_each_college_for_its_share_and_recounts() {
    let t = TestApp::spawn().await;
    let ((admin, _), members) = org_with(&t, "grenier", "scic", SCIC, 7).await;
    let id = draft(
        &admin,
        "grenier",
        json!({"title": "Ouvrir le samedi", "body": "Le magasin **ouvre** le samedi.", "method": "motion",
               "secret": true, "closes_at": "2026-12-01 18:00"}),
    )
    .await;
    let (status, d) = admin
        .get(&format!("/api/v1/orgs/grenier/decisions/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["status"], "draft");
    assert!(
        d["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>ouvre</strong>")
    );
    // 2026-12-01 18:00 in Paris (winter, UTC+1) is 17:00 UTC.
    assert_eq!(d["closes_at"], json!(1_796_144_400_000i64));

    // Nobody votes on a draft.
    let (status, b) = vote(&members[0].0, "grenier", &id, json!({"choice": "for"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{b}");

    let opened = open(&admin, "grenier", &id).await;
    assert_eq!(opened["electorate_count"], 8);
    assert_eq!(opened["electorate_fingerprint"].as_str().unwrap().len(), 64);
    assert_eq!(opened["frozen"]["colleges"]["Salariés"], "3/10");

    // Salariés: admin, m3 (for) · Producteurs: m0, m4 (against) · Usagers: m1, m5
    // (for, abstain) · Collectivités: m2, m6 (for, against).
    voted(&admin, "grenier", &id, json!({"choice": "for"})).await;
    let choices = [
        "against", "for", "for", "for", "against", "abstain", "against",
    ];
    for ((api, _), choice) in members.iter().zip(choices) {
        voted(api, "grenier", &id, json!({"choice": choice})).await;
    }
    // Secret: no partial result before closing.
    let (status, b) = members[0]
        .0
        .get(&format!("/api/v1/orgs/grenier/decisions/{id}/result"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_of(&b).0, "results_hidden");
    let (status, _) = members[0]
        .0
        .get(&format!("/api/v1/orgs/grenier/decisions/{id}/ballots"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let result = close(&admin, "grenier", &id).await;
    assert_eq!(result["participation"]["electorate"], 8);
    assert_eq!(result["participation"]["voted"], 8);
    // Σ share × for/expressed = 3/10 × 1 + 3/10 × 0 + 1/4 × 1 + 3/20 × 1/2 = 5/8 > 1/2.
    assert_eq!(result["passed"], true, "{result}");
    assert_eq!(result["valid"], true);
    let published = assert_recounts(&admin, "grenier", &id, &result).await;
    assert_eq!(published["trackers"].as_array().unwrap().len(), 8);
    assert!(published.get("voters").is_none(), "secret: no voters");
    // Nothing after closing.
    let (status, b) = vote(&members[0].0, "grenier", &id, json!({"choice": "for"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{b}");
    assert_eq!(error_of(&b).0, "decision_not_open");
}

#[tokio::test]
async fn a_secret_ballot_leaves_no_link_between_voters_and_ballots_in_the_database() {
    use sqlx::Row;
    let t = TestApp::spawn().await;
    let ((admin, admin_id), members) = org_with(&t, "secret", "association", &[], 3).await;
    let id = draft(
        &admin,
        "secret",
        json!({"title": "Choisir un logo", "method": "approval", "candidates": ["Manchot", "Gnou", "Renard"]}),
    )
    .await;
    open(&admin, "secret", &id).await;
    let mut trackers = vec![voted(&admin, "secret", &id, json!({"approve": ["Manchot"]})).await];
    for (i, (api, _)) in members.iter().enumerate() {
        let choice = ["Gnou", "Renard", "Manchot"][i];
        trackers.push(voted(api, "secret", &id, json!({"approve": [choice]})).await);
    }
    let db = &t.app.db.read;
    // The ballot table has only its random key, the decision, the tracker, the college and
    // the content: no voter, no time.
    let rows =
        sqlx::query("SELECT slot, decision_id, tracker, college, content FROM secret_ballots")
            .fetch_all(db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 4);
    let mut ids: Vec<String> = members.iter().map(|(_, m)| m.clone()).collect();
    ids.push(admin_id.clone());
    let users = sqlx::query("SELECT id FROM users")
        .fetch_all(db)
        .await
        .unwrap();
    ids.extend(users.iter().map(|u| u.try_get::<String, _>("id").unwrap()));
    for r in &rows {
        let text = format!(
            "{} {} {} {:?}",
            r.try_get::<String, _>("decision_id").unwrap(),
            r.try_get::<String, _>("tracker").unwrap(),
            r.try_get::<String, _>("content").unwrap(),
            r.try_get::<Option<String>, _>("college").unwrap(),
        );
        for m in &ids {
            assert!(
                !text.contains(m.as_str()),
                "a ballot names a person: {text}"
            );
        }
        let tracker: String = r.try_get("tracker").unwrap();
        assert!(trackers.contains(&tracker));
        // A random v4 id, not a time-ordered v7 one.
        assert_eq!(&tracker[14..15], "4", "{tracker}");
    }
    // The émargement says who voted, never with which ballot or when.
    let em = sqlx::query("SELECT member_id, voted, voted_by, ballot, tracker FROM decision_electorate WHERE decision_id = $1")
        .bind(&id)
        .fetch_all(db)
        .await
        .unwrap();
    assert_eq!(em.len(), 4);
    for r in &em {
        assert_eq!(r.try_get::<i64, _>("voted").unwrap(), 1);
        assert_eq!(r.try_get::<Option<String>, _>("ballot").unwrap(), None);
        assert_eq!(r.try_get::<Option<String>, _>("tracker").unwrap(), None);
    }
    // No tracker anywhere else (audit log included).
    let audit = sqlx::query("SELECT detail FROM audit_log")
        .fetch_all(db)
        .await
        .unwrap();
    for a in &audit {
        let d: String = a.try_get("detail").unwrap();
        assert!(trackers.iter().all(|t| !d.contains(t.as_str())), "{d}");
    }
    // The physical order of the ballots is not the order of voting.
    let slots: Vec<i64> = sqlx::query("SELECT CAST(slot AS BIGINT) AS s FROM secret_ballots")
        .fetch_all(db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("s").unwrap())
        .collect();
    assert_eq!(slots.len(), 4);
}

#[tokio::test]
async fn a_revote_under_secrecy_replaces_the_ballot_whose_tracker_the_voter_kept() {
    let t = TestApp::spawn().await;
    let ((admin, _), members) = org_with(&t, "revote", "association", &[], 2).await;
    let id = draft(
        &admin,
        "revote",
        json!({"title": "Budget 2027", "method": "motion"}),
    )
    .await;
    open(&admin, "revote", &id).await;
    let lea = &members[0].0;
    let first = voted(lea, "revote", &id, json!({"choice": "for"})).await;
    let (status, b) = vote(lea, "revote", &id, json!({"choice": "against"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(&b),
        ("tracker_required".into(), Some("replaces".into()))
    );
    let (status, b) = vote(
        lea,
        "revote",
        &id,
        json!({"choice": "against", "replaces": "nope"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&b).0, "tracker_unknown");
    let (status, b) = vote(
        lea,
        "revote",
        &id,
        json!({"choice": "against", "replaces": first}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["replaced"], true);
    // The old tracker is gone: it cannot be replaced twice.
    let (status, _) = vote(
        lea,
        "revote",
        &id,
        json!({"choice": "for", "replaces": first}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    voted(&members[1].0, "revote", &id, json!({"choice": "against"})).await;
    voted(&admin, "revote", &id, json!({"choice": "for"})).await;
    // A ballot that does not fit the method is refused with the engine's message.
    let (status, b) = vote(&admin, "revote", &id, json!({"approve": ["x"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&b).1.as_deref(), Some("ballot"));
    let (status, b) = vote(&admin, "revote", &id, json!({"choice": "for", "weight": 5})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&b).1.as_deref(), Some("weight"));
    let result = close(&admin, "revote", &id).await;
    assert_eq!(result["passed"], false, "1 for, 2 against: {result}");
    let published = assert_recounts(&admin, "revote", &id, &result).await;
    assert_eq!(published["trackers"].as_array().unwrap().len(), 3);
    assert!(
        !published["trackers"]
            .as_array()
            .unwrap()
            .contains(&json!(first))
    );
}

/// Ballots arriving together are stored many to a transaction: the refused ones (not
/// fitting the method, a second vote without its tracker, a proxy not held) change
/// nothing and are answered as such, while every other ballot of the same batch counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_cast_together_are_each_judged_on_their_own() {
    let t = TestApp::spawn().await;
    let ((admin, _), members) = org_with(&t, "ensemble", "association", &[], 24).await;
    let id = draft(
        &admin,
        "ensemble",
        json!({"title": "Local commun", "method": "motion"}),
    )
    .await;
    open(&admin, "ensemble", &id).await;
    // Voter 0 votes first: a second ballot without the tracker must be refused.
    let first = voted(&members[0].0, "ensemble", &id, json!({"choice": "for"})).await;
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (api, _)) in members.iter().enumerate() {
        let api = api.clone();
        let id = id.clone();
        let other = members[(i + 1) % members.len()].1.clone();
        tasks.spawn(async move {
            let ballot = match i {
                0 => json!({"choice": "against"}),
                1 | 2 => json!({"ranking": ["x"]}),
                3 => json!({"choice": "for", "for_member": other}),
                _ if i % 2 == 0 => json!({"choice": "for"}),
                _ => json!({"choice": "against"}),
            };
            let (status, body) = vote(&api, "ensemble", &id, ballot).await;
            (i, status, body)
        });
    }
    let mut trackers = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (i, status, body) = done.unwrap();
        match i {
            0 => assert_eq!(error_of(&body).0, "tracker_required", "{body}"),
            1 | 2 => assert_eq!(error_of(&body).1.as_deref(), Some("ballot"), "{body}"),
            3 => assert_eq!(error_of(&body).0, "proxy_not_held", "{body}"),
            _ => {
                assert_eq!(status, StatusCode::CREATED, "{i}: {body}");
                trackers.push(body["tracker"].as_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(trackers.len(), 20);
    let result = close(&admin, "ensemble", &id).await;
    assert_eq!(result["participation"]["voted"], 21, "{result}");
    let published = assert_recounts(&admin, "ensemble", &id, &result).await;
    let published: Vec<&str> = published["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(published.len(), 21);
    for t in trackers.iter().chain([&first]) {
        assert!(published.contains(&t.as_str()), "{t} counted");
    }
}

#[tokio::test]
async fn a_qualified_majority_passes_exactly_at_two_thirds_and_public_ballots_name_voters() {
    let t = TestApp::spawn().await;
    let ((admin, _), members) = org_with(&t, "statuts", "association", &[], 2).await;
    // A statute change takes the charter's default: 2/3 of expressed votes.
    let id = draft(
        &admin,
        "statuts",
        json!({"title": "Changer l'objet", "method": "motion", "kind": "statute", "secret": false, "live_results": true}),
    )
    .await;
    let opened = open(&admin, "statuts", &id).await;
    assert_eq!(opened["frozen"]["rule"]["majority"], "qualified");
    assert_eq!(opened["frozen"]["rule"]["fraction"], "2/3");
    voted(&admin, "statuts", &id, json!({"choice": "for"})).await;
    voted(&members[0].0, "statuts", &id, json!({"choice": "for"})).await;
    voted(&members[1].0, "statuts", &id, json!({"choice": "against"})).await;
    // Public with live results: visible while open.
    let (status, live) = members[0]
        .0
        .get(&format!("/api/v1/orgs/statuts/decisions/{id}/result"))
        .await;
    assert_eq!(status, StatusCode::OK, "{live}");
    let result = close(&admin, "statuts", &id).await;
    assert_eq!(result["passed"], true, "2 of 3 is exactly 2/3: {result}");
    let published = assert_recounts(&members[1].0, "statuts", &id, &result).await;
    let voters = published["voters"].as_array().unwrap();
    assert!(voters.contains(&json!("Membre 1")));

    // One vote fewer for: 1 of 2 is below 2/3.
    let id = draft(
        &admin,
        "statuts",
        json!({"title": "Encore", "method": "motion", "kind": "statute", "secret": false}),
    )
    .await;
    open(&admin, "statuts", &id).await;
    voted(&admin, "statuts", &id, json!({"choice": "for"})).await;
    voted(&members[1].0, "statuts", &id, json!({"choice": "against"})).await;
    let result = close(&admin, "statuts", &id).await;
    assert_eq!(result["passed"], false);
}

#[tokio::test]
async fn proxies_are_capped_voted_separately_and_cancelled_by_an_in_person_vote() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "procs", "association", &[], 6).await;
    let id = draft(
        &admin,
        "procs",
        json!({"title": "AG", "method": "motion", "quorum": "1/2"}),
    )
    .await;
    let grant = |who: usize, holder: usize| {
        let body = json!({"decision": id, "holder": m[holder].1});
        let api = &m[who].0;
        async move { api.post("/api/v1/orgs/procs/proxies", body).await }
    };
    // Holder m0 takes two proxies (the default cap), not a third.
    assert_eq!(grant(1, 0).await.0, StatusCode::CREATED);
    assert_eq!(grant(2, 0).await.0, StatusCode::CREATED);
    let (status, b) = grant(3, 0).await;
    assert_eq!(status, StatusCode::CONFLICT, "{b}");
    assert_eq!(
        error_of(&b),
        ("proxy_cap_reached".into(), Some("holder".into()))
    );
    // m4 gives a proxy to m5, then votes in person, which cancels it.
    assert_eq!(grant(4, 5).await.0, StatusCode::CREATED);
    open(&admin, "procs", &id).await;
    let (_, d) = m[0]
        .0
        .get(&format!("/api/v1/orgs/procs/decisions/{id}"))
        .await;
    assert_eq!(d["me"]["mandates"].as_array().unwrap().len(), 2, "{d}");

    voted(&m[0].0, "procs", &id, json!({"choice": "for"})).await;
    let r = voted(
        &m[0].0,
        "procs",
        &id,
        json!({"choice": "for", "for_member": m[1].1}),
    )
    .await;
    assert!(!r.is_empty());
    voted(
        &m[0].0,
        "procs",
        &id,
        json!({"choice": "against", "for_member": m[2].1}),
    )
    .await;
    let (status, _) = vote(
        &m[0].0,
        "procs",
        &id,
        json!({"choice": "for", "for_member": m[3].1}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no proxy from m3");
    // The grantor cannot vote over a mandate already used, nor revoke it.
    let (status, b) = vote(&m[1].0, "procs", &id, json!({"choice": "against"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_of(&b).0, "proxy_used");
    let status = delete_json(
        &m[1].0,
        "/api/v1/orgs/procs/proxies",
        json!({"decision": id}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    voted(&m[4].0, "procs", &id, json!({"choice": "for"})).await;
    let (status, _) = vote(
        &m[5].0,
        "procs",
        &id,
        json!({"choice": "for", "for_member": m[4].1}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the in-person vote cancelled the proxy"
    );

    let result = close(&admin, "procs", &id).await;
    assert_eq!(result["participation"]["voted"], 4);
    assert_eq!(result["participation"]["by_proxy"], 2);
    assert_eq!(result["valid"], true, "4 of 7 reach the quorum of 1/2");
    let (_, audit) = admin.get("/api/v1/orgs/procs/audit").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "proxy.granted").count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == "proxy.used").count(), 2);
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "proxy.cancelled_by_vote")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_missed_quorum_makes_a_decision_invalid_not_rejected() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "quorum", "association", &[], 3).await;
    let id = draft(
        &admin,
        "quorum",
        json!({"title": "Vote", "method": "motion", "quorum": "1/2"}),
    )
    .await;
    open(&admin, "quorum", &id).await;
    voted(&m[0].0, "quorum", &id, json!({"choice": "for"})).await;
    let result = close(&admin, "quorum", &id).await;
    assert_eq!(result["valid"], false);
    assert_eq!(result["quorum_reached"], false);
    assert_eq!(result["passed"], false);
    assert_recounts(&admin, "quorum", &id, &result).await;
}

#[tokio::test]
async fn decisions_open_and_close_on_time_and_refuse_late_ballots() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "temps", "association", &[], 1).await;
    let now = 1_790_000_000_000i64;
    let id = draft(
        &admin,
        "temps",
        json!({"title": "Élire", "method": "stv", "seats": 2, "candidates": ["Ana", "Bea", "Cy"],
               "opens_at": now + HOUR, "closes_at": now + 3 * HOUR}),
    )
    .await;
    assert_eq!(
        fabrique_app::governance::tick(&t.app).await.unwrap(),
        (0, 0)
    );
    t.clock.advance(HOUR);
    assert_eq!(
        fabrique_app::governance::tick(&t.app).await.unwrap(),
        (1, 0)
    );
    voted(
        &m[0].0,
        "temps",
        &id,
        json!({"ranking": [["Ana"], ["Bea"]]}),
    )
    .await;
    t.clock.advance(2 * HOUR);
    // Past the closing time, a ballot is refused even before the tick closes it.
    let (status, _) = vote(&admin, "temps", &id, json!({"ranking": [["Cy"]]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fabrique_app::governance::tick(&t.app).await.unwrap(),
        (0, 1)
    );
    let (_, r) = admin
        .get(&format!("/api/v1/orgs/temps/decisions/{id}/result"))
        .await;
    assert_eq!(r["participation"]["voted"], 1);
    assert_eq!(r["winners"].as_array().unwrap().len(), 2, "{r}");
}

#[tokio::test]
async fn two_processes_on_one_database_close_a_decision_exactly_once() {
    let t = TestApp::spawn().await;
    let t2 = TestApp::on(&t.database_url).await;
    let ((admin, _), m) = org_with(&t, "deux", "association", &[], 3).await;
    let now = 1_790_000_000_000i64;
    let id = draft(
        &admin,
        "deux",
        json!({"title": "Vote", "method": "motion", "closes_at": now + HOUR}),
    )
    .await;
    open(&admin, "deux", &id).await;
    // Ballots through both servers.
    voted(&m[0].0, "deux", &id, json!({"choice": "for"})).await;
    let other = t2.api(m[1].0.token.as_deref());
    voted(&other, "deux", &id, json!({"choice": "for"})).await;
    let other = t2.api(m[2].0.token.as_deref());
    voted(&other, "deux", &id, json!({"choice": "against"})).await;
    t.clock.advance(HOUR);
    t2.clock.advance(HOUR);
    let (a, b) = tokio::join!(
        fabrique_app::governance::tick(&t.app),
        fabrique_app::governance::tick(&t2.app)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.1 + b.1, 1, "closed exactly once: {a:?} {b:?}");
    let (_, r) = admin
        .get(&format!("/api/v1/orgs/deux/decisions/{id}/result"))
        .await;
    assert_eq!(r["participation"]["voted"], 3, "nothing lost");
    assert_eq!(r["passed"], true);
    let (_, audit) = admin.get("/api/v1/orgs/deux/audit").await;
    let closings = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "decision.closed")
        .count();
    assert_eq!(closings, 1);
}

#[tokio::test]
async fn a_charter_change_governs_decisions_opened_after_it_passes() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "charte", "association", &[], 2).await;
    // The first charter is recorded directly by an administrator.
    let (status, b) = admin
        .post(
            "/api/v1/orgs/charte/charter",
            json!({"text": "# Statuts\n\nArticle 1.", "rules": "proxy_cap = 1\n[ordinary]\nquorum = \"1/2\"\n"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["revision"]["revision"], 1);
    let (status, b) = m[0]
        .0
        .post(
            "/api/v1/orgs/charte/charter",
            json!({"text": "x", "rules": {"proxy_cap": "two"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&b).1.as_deref(), Some("rules"));

    // A decision opened under revision 1 keeps its rules.
    let before = draft(
        &admin,
        "charte",
        json!({"title": "Avant", "method": "motion"}),
    )
    .await;
    let opened = open(&admin, "charte", &before).await;
    assert_eq!(opened["frozen"]["quorum"], "1/2");

    // A change is a statute decision; it passes at 2/3 and becomes revision 2.
    let (status, b) = m[0]
        .0
        .post(
            "/api/v1/orgs/charte/charter",
            json!({"text": "# Statuts\n\nArticle 1 modifié.", "rules": {"ordinary": {"quorum": "1/4", "rule": {"majority": "absolute"}}}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let change = b["decision"]["id"].as_str().unwrap().to_owned();
    assert_eq!(b["decision"]["kind"], "statute");
    open(&admin, "charte", &change).await;
    for api in [&admin, &m[0].0, &m[1].0] {
        voted(api, "charte", &change, json!({"choice": "for"})).await;
    }
    let result = close(&admin, "charte", &change).await;
    assert_eq!(result["passed"], true);
    let (_, charter) = admin.get("/api/v1/orgs/charte/charter").await;
    assert_eq!(charter["current"]["revision"], 2, "{charter}");
    assert_eq!(charter["current"]["decision_id"], change.as_str());
    assert_eq!(charter["rules"]["ordinary"]["quorum"], "1/4");

    let after = draft(
        &admin,
        "charte",
        json!({"title": "Après", "method": "motion"}),
    )
    .await;
    let opened = open(&admin, "charte", &after).await;
    assert_eq!(opened["frozen"]["quorum"], "1/4");
    assert_eq!(opened["frozen"]["rule"]["majority"], "absolute");
    let (_, d) = admin
        .get(&format!("/api/v1/orgs/charte/decisions/{before}"))
        .await;
    assert_eq!(
        d["frozen"]["quorum"], "1/2",
        "an open decision keeps its rules"
    );
}

#[tokio::test]
async fn bad_drafts_are_refused_naming_the_field() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "brouillon", "association", &[], 1).await;
    let cases = [
        (json!({"title": "", "method": "motion"}), "title"),
        (json!({"title": "x", "method": "lottery"}), "method"),
        (
            json!({"title": "x", "method": "approval", "candidates": ["seul"]}),
            "candidates",
        ),
        (
            json!({"title": "x", "method": "stv", "seats": 3, "candidates": ["a", "b"]}),
            "seats",
        ),
        (
            json!({"title": "x", "method": "motion", "closes_at": "demain"}),
            "closes_at",
        ),
        (
            json!({"title": "x", "method": "motion", "closes_at": 1000}),
            "closes_at",
        ),
        (
            json!({"title": "x", "method": "motion", "secret": true, "live_results": true}),
            "live_results",
        ),
        (
            json!({"title": "x", "method": "motion", "rule": {"majority": "absolute", "base": "present"}}),
            "rule",
        ),
    ];
    for (body, field) in cases {
        let (status, b) = admin
            .post("/api/v1/orgs/brouillon/decisions", body.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
        assert_eq!(error_of(&b).1.as_deref(), Some(field), "{body}: {b}");
    }
    let (_, list) = admin.get("/api/v1/orgs/brouillon/decisions").await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing was stored");
    // Members draft; they do not open.
    let id = draft(
        &m[0].0,
        "brouillon",
        json!({"title": "Idée", "method": "motion"}),
    )
    .await;
    let (status, _) = m[0]
        .0
        .post(
            &format!("/api/v1/orgs/brouillon/decisions/{id}/open"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, b) = m[0]
        .0
        .patch(
            &format!("/api/v1/orgs/brouillon/decisions/{id}"),
            json!({"title": "Idée mûrie"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    open(&admin, "brouillon", &id).await;
    let (status, _) = m[0]
        .0
        .patch(
            &format!("/api/v1/orgs/brouillon/decisions/{id}"),
            json!({"title": "Trop tard"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Consent objections need a reason.
    let id = draft(
        &admin,
        "brouillon",
        json!({"title": "Consentir", "method": "consent"}),
    )
    .await;
    let (status, b) = m[0]
        .0
        .post(
            &format!("/api/v1/orgs/brouillon/decisions/{id}/comments"),
            json!({"kind": "objection", "body": " "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(&b),
        ("reason_required".into(), Some("body".into()))
    );
    let (status, b) = m[0]
        .0
        .post(
            &format!("/api/v1/orgs/brouillon/decisions/{id}/comments"),
            json!({"kind": "objection", "body": "Trop tôt"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let (_, thread) = admin
        .get(&format!("/api/v1/orgs/brouillon/decisions/{id}/comments"))
        .await;
    assert_eq!(thread[0]["kind"], "objection");
    assert_eq!(thread[0]["author"], "Membre 0");
    open(&admin, "brouillon", &id).await;
    let (status, b) = vote(&m[0].0, "brouillon", &id, json!({"objection": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
}

async fn browser_as(t: &TestApp, email: &str) -> crate::support::Browser {
    let b = t.browser();
    let (status, _, body) = b.login(email, crate::support::PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    b
}

#[tokio::test]
async fn the_html_pages_draft_vote_revote_and_show_results_without_javascript() {
    let t = TestApp::spawn().await;
    let (_, m) = org_with(&t, "pages", "association", &[], 2).await;
    let admin = browser_as(&t, "admin@pages.test").await;
    let (status, page) = admin.get("/o/pages/decisions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("aria-current=\"page\""), "the Decisions tab");

    // A refused draft is shown again with the message next to the field.
    let (status, _, html) = admin
        .submit(
            "/o/pages/decisions/new",
            "/o/pages/decisions/new",
            &[
                ("title", "Logo"),
                ("method", "approval"),
                ("candidates", "Seul"),
                ("secret", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"e-candidates\""), "{html}");
    let (status, location, html) = admin
        .submit(
            "/o/pages/decisions/new",
            "/o/pages/decisions/new",
            &[
                ("title", "Budget participatif"),
                ("body", "Adopter le budget."),
                ("kind", "ordinary"),
                ("method", "motion"),
                ("secret", "1"),
                ("closes_at", "2026-12-01 18:00"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let page = location.clone();
    let (status, _, _) = admin.submit(&page, &format!("{page}/open"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Vote, keep the tracker from the receipt, revote with it.
    let lea = browser_as(&t, "m0@pages.test").await;
    let (status, _, receipt) = lea
        .submit(&page, &format!("{page}/vote"), &[("choice", "against")])
        .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let tracker = receipt
        .split("id=\"tracker\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, html) = lea
        .submit(&page, &format!("{page}/vote"), &[("choice", "for")])
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "revoting needs the tracker"
    );
    assert!(html.contains("role=\"alert\""));
    assert!(
        html.contains("code de suivi du bulletin"),
        "the message in French: {html}"
    );
    let change = receipt
        .split("href=\"")
        .find(|s| s.contains("replaces="))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let (status, form) = lea.get(&change).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(&format!("value=\"{tracker}\"")),
        "the tracker is kept in the form"
    );
    let (status, _, receipt) = lea
        .submit(
            &change,
            &format!("{page}/vote"),
            &[("choice", "for"), ("replaces", &tracker)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let (status, page_html) = lea.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page_html.contains("<svg"),
        "no partial results under secrecy"
    );
    voted(
        &m[1].0,
        "pages",
        page.rsplit('/').next().unwrap(),
        json!({"choice": "for"}),
    )
    .await;

    let (status, _, _) = admin.submit(&page, &format!("{page}/close"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = lea.get(&page).await;
    assert!(html.contains("<svg"), "a chart");
    assert!(
        html.contains("Adoptée") || html.contains("Passed"),
        "{html}"
    );
    let (status, csv) = lea.get(&format!("{page}/result.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("for,,2"), "{csv}");
}

#[tokio::test]
async fn the_voting_forms_fit_each_method() {
    let t = TestApp::spawn().await;
    let ((admin, _), _) = org_with(&t, "formes", "association", &[], 1).await;
    let mj = draft(
        &admin,
        "formes",
        json!({"title": "Sondage", "method": "majority_judgment", "candidates": ["Atelier", "Repas"], "grades": ["Mal", "Bien", "Très bien"], "secret": false}),
    )
    .await;
    let stv = draft(
        &admin,
        "formes",
        json!({"title": "CA", "method": "stv", "seats": 2, "candidates": ["Ana", "Bea", "Cy"], "secret": false}),
    )
    .await;
    let consent = draft(
        &admin,
        "formes",
        json!({"title": "Règle", "method": "consent"}),
    )
    .await;
    for id in [&mj, &stv, &consent] {
        open(&admin, "formes", id).await;
    }
    let b = browser_as(&t, "m0@formes.test").await;
    let mj_page = format!("/o/formes/decisions/{mj}");
    let (_, html) = b.get(&mj_page).await;
    assert!(
        html.contains("name=\"grade-1\" value=\"Très bien\""),
        "grade radios per candidate"
    );
    let (status, _, html) = b
        .submit(
            &mj_page,
            &format!("{mj_page}/vote"),
            &[("grade-0", "Bien"), ("grade-1", "Très bien")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let stv_page = format!("/o/formes/decisions/{stv}");
    let (status, _, html) = b
        .submit(
            &stv_page,
            &format!("{stv_page}/vote"),
            &[("rank-0", "2"), ("rank-1", "1"), ("rank-2", "")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let consent_page = format!("/o/formes/decisions/{consent}");
    let (status, _, html) = b
        .submit(
            &consent_page,
            &format!("{consent_page}/vote"),
            &[("consent", "objection"), ("reason", "")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an objection needs a reason"
    );
    assert!(html.contains("reason"), "{html}");
    let r = close(&admin, "formes", &mj).await;
    assert_eq!(r["winners"], json!(["Repas"]));
    let r = close(&admin, "formes", &stv).await;
    assert_eq!(r["participation"]["voted"], 1);
    let (_, html) = b.get(&mj_page).await;
    assert!(html.contains("<svg"), "merit profiles");
    let (_, html) = b.get(&stv_page).await;
    assert!(html.contains("<caption>"), "rounds table");
}

#[tokio::test]
async fn a_full_assembly_with_colleges_proxies_and_signed_minutes() {
    let t = TestApp::spawn().await;
    let ((admin, admin_id), m) = org_with(&t, "ag", "scic", SCIC, 7).await;
    // Quorum of an assembly: half the electorate on first call, none on second call.
    let (status, b) = admin
        .post(
            "/api/v1/orgs/ag/charter",
            json!({"text": "Statuts", "rules": {"assembly_quorum": "1/2"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let (status, first) = admin
        .post(
            "/api/v1/orgs/ag/assemblies",
            json!({"title": "AG annuelle", "starts_at": "2026-11-20 18:30", "place": "Salle des fêtes",
                   "chair": m[0].1, "secretary": m[1].1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(
        t.last_mail_to("m3@ag.test").subject.contains("AG annuelle"),
        "convocation e-mailed"
    );
    let first_id = first["id"].as_str().unwrap().to_owned();
    // Three of eight attend: the quorum of 1/2 is missed.
    let (status, view) = admin
        .post(
            &format!("/api/v1/orgs/ag/assemblies/{first_id}/attendance"),
            json!([{"member": m[0].1, "presence": "present"}, {"member": m[1].1, "presence": "present"},
                   {"member": m[2].1, "presence": "remote"}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["quorum"]["reached"], false);
    assert_eq!(view["quorum"]["electorate"], 8);
    // Its resolution is therefore invalid, not rejected.
    let r0 = draft(&admin, "ag", json!({"title": "Approbation des comptes", "method": "motion", "assembly": first_id, "secret": false})).await;
    open(&admin, "ag", &r0).await;
    voted(&m[0].0, "ag", &r0, json!({"choice": "for"})).await;
    voted(&m[1].0, "ag", &r0, json!({"choice": "for"})).await;
    voted(&m[2].0, "ag", &r0, json!({"choice": "for"})).await;
    let r = close(&admin, "ag", &r0).await;
    assert_eq!(
        (r["valid"].clone(), r["passed"].clone()),
        (json!(false), json!(false)),
        "{r}"
    );
    // A second call has no quorum.
    let (status, second) = admin
        .post(
            "/api/v1/orgs/ag/assemblies",
            json!({"title": "AG annuelle (seconde convocation)", "starts_at": "2026-11-27 18:30", "remote": "https://visio.example.org/ag",
                   "place": "Salle des fêtes", "chair": m[0].1, "secretary": m[1].1, "second_call_of": first_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["call_number"], 2);
    let aid = second["id"].as_str().unwrap().to_owned();
    // m3 is represented by m4 (proxy for the whole assembly); m4 votes both voices.
    let (status, b) = m[3]
        .0
        .post(
            "/api/v1/orgs/ag/proxies",
            json!({"assembly": aid, "holder": m[4].1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    // The cap (2) counts assembly and resolution proxies together.
    let (status, _) = m[5]
        .0
        .post(
            "/api/v1/orgs/ag/proxies",
            json!({"assembly": aid, "holder": m[4].1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let capped = draft(
        &admin,
        "ag",
        json!({"title": "Divers", "method": "motion", "assembly": aid}),
    )
    .await;
    let (status, b) = m[6]
        .0
        .post(
            "/api/v1/orgs/ag/proxies",
            json!({"decision": capped, "holder": m[4].1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{b}");
    let status = delete_json(&m[5].0, "/api/v1/orgs/ag/proxies", json!({"assembly": aid})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    open(&admin, "ag", &capped).await;
    close(&admin, "ag", &capped).await;
    let (status, b) = admin
        .post(
            &format!("/api/v1/orgs/ag/assemblies/{aid}/attendance"),
            json!([{"member": m[5].1, "presence": "represented"}]),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no proxy, not represented: {b}"
    );
    let attendance = json!([
        {"member": m[0].1, "presence": "present"}, {"member": m[1].1, "presence": "present"},
        {"member": m[2].1, "presence": "remote"}, {"member": m[3].1, "presence": "represented"},
        {"member": m[4].1, "presence": "present"}, {"member": admin_id, "presence": "absent"}
    ]);
    let (status, view) = m[0]
        .0
        .post(
            &format!("/api/v1/orgs/ag/assemblies/{aid}/attendance"),
            attendance,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the chair records attendance: {view}"
    );
    assert_eq!(view["quorum"]["reached"], true);
    assert_eq!(view["quorum"]["attending"], 5);

    // Resolution 1, opened in advance for remote votes, closed by the chair in the room.
    let r1 = draft(&admin, "ag", json!({"title": "Approbation des comptes", "method": "motion", "assembly": aid, "secret": false})).await;
    let (status, _) = m[0]
        .0
        .post(&format!("/api/v1/orgs/ag/decisions/{r1}/open"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "the chair opens a resolution");
    voted(&m[2].0, "ag", &r1, json!({"choice": "for"})).await; // remote, in advance
    voted(&m[0].0, "ag", &r1, json!({"choice": "for"})).await;
    voted(&m[1].0, "ag", &r1, json!({"choice": "against"})).await;
    voted(&m[4].0, "ag", &r1, json!({"choice": "for"})).await;
    voted(
        &m[4].0,
        "ag",
        &r1,
        json!({"choice": "for", "for_member": m[3].1}),
    )
    .await;
    let (status, b) = m[0]
        .0
        .post(&format!("/api/v1/orgs/ag/decisions/{r1}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (_, result) = admin
        .get(&format!("/api/v1/orgs/ag/decisions/{r1}/result"))
        .await;
    assert_eq!(result["participation"]["voted"], 5);
    assert_eq!(result["participation"]["by_proxy"], 1);
    assert_eq!(result["valid"], true, "no quorum on second call");
    assert!(result["details"]["colleges"].is_object(), "{result}");
    assert_recounts(&admin, "ag", &r1, &result).await;

    // The minutes list what DOMAIN-RULES requires; signing twice freezes them.
    let (status, minutes) = admin
        .get(&format!("/api/v1/orgs/ag/assemblies/{aid}/minutes"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let md = minutes["markdown"].as_str().unwrap();
    for needle in [
        "Org ag",
        "AGO",
        "seconde convocation",
        "Salle des fêtes",
        "visio.example.org",
        "Admin",
        "Présidence :** Membre 0",
        "Secrétariat :** Membre 1",
        "Représentés (1) : Membre 3 (procuration à Membre 4)",
        "Quorum :** requis aucun",
        "Approbation des comptes",
        "majorité simple",
        "adoptée",
        "pour : 4",
        "Collège Salariés (part 3/10)",
    ] {
        assert!(md.contains(needle), "{needle} in the minutes:\n{md}");
    }
    let (status, _) = m[2]
        .0
        .post(
            &format!("/api/v1/orgs/ag/assemblies/{aid}/minutes/sign"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = m[0]
        .0
        .post(
            &format!("/api/v1/orgs/ag/assemblies/{aid}/minutes/sign"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, signed) = m[1]
        .0
        .post(
            &format!("/api/v1/orgs/ag/assemblies/{aid}/minutes/sign"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(signed["signed"], true);
    let (status, _) = admin
        .post(
            &format!("/api/v1/orgs/ag/assemblies/{aid}/attendance"),
            json!([{"member": admin_id, "presence": "present"}]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "signed minutes cannot change");
    let (_, again) = admin
        .get(&format!("/api/v1/orgs/ag/assemblies/{aid}/minutes"))
        .await;
    assert_eq!(again["markdown"], signed["markdown"]);
}

#[tokio::test]
async fn the_demo_has_signed_minutes_a_statute_change_and_open_polls() {
    let t = TestApp::spawn().await;
    fabrique_app::demo::load(&t.app).await.unwrap();
    let karim = t.browser();
    let (status, _, _) = karim
        .login(
            "karim.durand@demo.fabrique.test",
            fabrique_app::demo::DEMO_PASSWORD,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, list) = karim.get("/o/grenier-commun/decisions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Élection du conseil coopératif"), "{list}");
    assert!(list.contains("Modification de l"));
    let app = &t.app;
    use sqlx::Row;
    let rows = sqlx::query("SELECT title, status, result FROM decisions")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    let mut seen = 0;
    for r in &rows {
        let title: String = r.try_get("title").unwrap();
        let status: String = r.try_get("status").unwrap();
        let result: Option<String> = r.try_get("result").unwrap();
        if title.starts_with("Modification de l'article 12") {
            let v: Value = serde_json::from_str(&result.unwrap()).unwrap();
            assert_eq!(v["passed"], true, "{v}");
            assert_eq!(v["details"]["rule"]["fraction"], "2/3");
            seen += 1;
        }
        if title.starts_with("Élection du conseil") || title.starts_with("Thème de l'install") {
            assert_eq!(status, "open");
            seen += 1;
        }
    }
    assert_eq!(seen, 3);
    let signed = sqlx::query("SELECT status FROM assemblies")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0].try_get::<String, _>("status").unwrap(), "signed");
}

#[tokio::test]
async fn members_who_have_not_voted_are_reminded_once_a_day_before_closing() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "rappel", "association", &[], 1).await;
    let id = draft(
        &admin,
        "rappel",
        json!({"title": "Vote", "method": "motion", "closes_at": 1_790_000_000_000i64 + 72 * HOUR}),
    )
    .await;
    open(&admin, "rappel", &id).await;
    voted(&m[0].0, "rappel", &id, json!({"choice": "for"})).await;
    let reminders = |to: &str| {
        t.app
            .mailer
            .recent()
            .into_iter()
            .filter(|m| m.to == to && m.subject.contains("24"))
            .count()
    };
    fabrique_app::governance::tick(&t.app).await.unwrap();
    assert_eq!(reminders("admin@rappel.test"), 0, "not yet");
    t.clock.advance(60 * HOUR);
    fabrique_app::governance::tick(&t.app).await.unwrap();
    fabrique_app::governance::tick(&t.app).await.unwrap();
    assert_eq!(reminders("admin@rappel.test"), 1);
    assert_eq!(reminders("m0@rappel.test"), 0, "m0 has voted");
}

#[tokio::test]
async fn assembly_pages_convene_record_attendance_and_print_the_minutes() {
    let t = TestApp::spawn().await;
    let ((_, admin_id), m) = org_with(&t, "salle", "association", &[], 2).await;
    let admin = browser_as(&t, "admin@salle.test").await;
    let (status, _, html) = admin
        .submit(
            "/o/salle/assemblies",
            "/o/salle/assemblies",
            &[
                ("title", "AG"),
                ("kind", "ago"),
                ("starts_at", "2026-12-05 14:00"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a place or remote means"
    );
    assert!(html.contains("id=\"e-place\""), "{html}");
    let (status, location, html) = admin
        .submit(
            "/o/salle/assemblies",
            "/o/salle/assemblies",
            &[
                ("title", "AG ordinaire"),
                ("kind", "ago"),
                ("starts_at", "2026-12-05 14:00"),
                ("place", "Local associatif"),
                ("chair", &admin_id),
                ("secretary", &m[0].1),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let present = format!("presence-{}", m[0].1);
    let remote = format!("presence-{}", m[1].1);
    let (status, _, html) = admin
        .submit(
            &location,
            &format!("{location}/attendance"),
            &[(present.as_str(), "present"), (remote.as_str(), "remote")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, page) = admin.get(&location).await;
    assert!(
        page.contains("Quorum atteint") || page.contains("Quorum reached"),
        "{page}"
    );
    // A member gives, then withdraws, a proxy for the whole assembly.
    let lea = browser_as(&t, "m1@salle.test").await;
    let (status, _, _) = lea
        .submit(
            &location,
            &format!("{location}/proxy"),
            &[("holder", &m[0].1)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = lea.get(&location).await;
    assert!(page.contains("/proxy/revoke"), "{page}");
    let (status, _, _) = lea
        .submit(&location, &format!("{location}/proxy/revoke"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = lea.get(&location).await;
    assert!(!page.contains("/proxy/revoke"));
    // A resolution added from the agenda belongs to the assembly.
    let id = location.rsplit('/').next().unwrap().to_owned();
    let new = format!("/o/salle/decisions/new?assembly={id}");
    let (status, decision, html) = admin
        .submit(
            &new,
            "/o/salle/decisions/new",
            &[
                ("title", "Cotisation 2027"),
                ("method", "motion"),
                ("secret", "0"),
                ("assembly", &id),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    admin
        .submit(&decision, &format!("{decision}/open"), &[])
        .await;
    admin
        .submit(&decision, &format!("{decision}/vote"), &[("choice", "for")])
        .await;
    admin
        .submit(&decision, &format!("{decision}/close"), &[])
        .await;
    let (_, page) = admin.get(&location).await;
    assert!(page.contains("Cotisation 2027"));
    let (status, minutes) = admin.get(&format!("{location}/minutes")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(minutes.contains("governance-print.css") && minutes.contains("Cotisation 2027"));
    let (status, md) = admin.get(&format!("{location}/minutes.md")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(md.starts_with("# Procès-verbal"), "{md}");
    let (status, _, _) = admin
        .submit(
            &format!("{location}/minutes"),
            &format!("{location}/sign"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, css) = admin.get("/static/governance-print.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("@media print"));
}

#[tokio::test]
async fn the_charter_page_records_then_proposes_changes_in_toml() {
    let t = TestApp::spawn().await;
    org_with(&t, "regles", "association", &[], 1).await;
    let admin = browser_as(&t, "admin@regles.test").await;
    let (status, _, html) = admin
        .submit(
            "/o/regles/charter",
            "/o/regles/charter",
            &[("text", "Statuts"), ("rules", "proxy_cap = \"deux\"")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"e-rules\""), "{html}");
    let (status, location, _) = admin
        .submit(
            "/o/regles/charter",
            "/o/regles/charter",
            &[("text", "Statuts"), ("rules", "proxy_cap = 3\n")],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/o/regles/charter")
    );
    let (_, page) = admin.get("/o/regles/charter").await;
    assert!(page.contains("proxy_cap = 3"), "{page}");
    let (status, location, _) = admin
        .submit(
            "/o/regles/charter",
            "/o/regles/charter",
            &[("text", "Statuts révisés"), ("rules", "proxy_cap = 1\n")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/o/regles/decisions/"),
        "a change is a decision: {location}"
    );
}

#[tokio::test]
async fn a_proxy_is_given_and_voted_from_the_pages() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "mandat", "association", &[], 2).await;
    let id = draft(
        &admin,
        "mandat",
        json!({"title": "Local", "method": "approval", "candidates": ["Nord", "Sud"]}),
    )
    .await;
    let page = format!("/o/mandat/decisions/{id}");
    let grantor = browser_as(&t, "m0@mandat.test").await;
    let holder_id = m[1].1.clone();
    let (status, _, html) = grantor
        .submit(&page, &format!("{page}/proxy"), &[("holder", &holder_id)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (status, _, html) = grantor
        .submit(&page, &format!("{page}/proxy"), &[("holder", &holder_id)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "one proxy per decision");
    assert!(html.contains("révoquez"), "{html}");
    open(&admin, "mandat", &id).await;
    let holder = browser_as(&t, "m1@mandat.test").await;
    let (_, html) = holder.get(&page).await;
    assert!(
        html.contains("Voter pour Membre 0"),
        "a form per mandate: {html}"
    );
    let grantor_id = m[0].1.clone();
    let (status, _, html) = holder
        .submit(
            &page,
            &format!("{page}/vote"),
            &[
                ("for_member", &grantor_id),
                ("approve", "Nord"),
                ("approve", "Sud"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (status, _, _) = holder
        .submit(&page, &format!("{page}/vote"), &[("approve", "Sud")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let result = close(&admin, "mandat", &id).await;
    assert_eq!(result["participation"]["by_proxy"], 1);
    assert_eq!(result["details"]["totals"]["Sud"], 2, "{result}");
}

#[tokio::test]
async fn the_chair_of_an_assembly_opens_and_closes_its_resolutions_from_the_page() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "presidence", "association", &[], 2).await;
    let (status, a) = admin
        .post(
            "/api/v1/orgs/presidence/assemblies",
            json!({"title": "AG", "starts_at": "2026-12-05 14:00", "place": "Local", "chair": m[0].1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let aid = a["id"].as_str().unwrap();
    let r = draft(
        &admin,
        "presidence",
        json!({"title": "Budget", "method": "motion", "assembly": aid}),
    )
    .await;
    let page = format!("/o/presidence/decisions/{r}");
    let open = format!("action=\"{page}/open\"");
    let member = browser_as(&t, "m1@presidence.test").await;
    let (_, html) = member.get(&page).await;
    assert!(!html.contains(&open), "a member who does not chair: {html}");
    let chair = browser_as(&t, "m0@presidence.test").await;
    let (_, html) = chair.get(&page).await;
    assert!(html.contains(&open), "the chair: {html}");
    let (status, _, _) = chair.submit(&page, &format!("{page}/open"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = chair.get(&page).await;
    assert!(html.contains(&format!("action=\"{page}/close\"")), "{html}");
}

/// GETs a page and returns the status, the `Cache-Control` header and the body.
async fn get_live(b: &crate::support::Browser, path: &str) -> (StatusCode, String, String) {
    let r = b
        .client
        .get(format!("{}{path}", b.base))
        .send()
        .await
        .expect("GET");
    let status = r.status();
    let cache = r
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, cache, r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn live_parts_follow_the_vote_and_keep_secret_results_hidden_until_closing() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "direct", "association", &[], 3).await;
    let secret = draft(
        &admin,
        "direct",
        json!({"title": "Secret", "method": "motion", "secret": true}),
    )
    .await;
    open(&admin, "direct", &secret).await;
    let lea = browser_as(&t, "m0@direct.test").await;
    let page = format!("/o/direct/decisions/{secret}");
    let live = format!("{page}/live");

    // The page names its live part and the vendored script; it still works without it.
    let (status, html) = lea.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("data-live=\"{live}\"")), "{html}");
    assert!(html.contains("<script src=\"/static/governance-live.js\" defer></script>"));
    let (status, script) = lea.get("/static/governance-live.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        script.contains("data-live-final"),
        "the script stops on a final fragment"
    );

    let (status, cache, fragment) = get_live(&lea, &live).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache, "no-store");
    assert!(
        !fragment.contains("<html"),
        "a fragment, not a page: {fragment}"
    );
    assert!(fragment.contains("0 votants sur 4"), "{fragment}");
    assert!(!fragment.contains("data-live-final"));

    voted(&m[0].0, "direct", &secret, json!({"choice": "for"})).await;
    voted(&m[1].0, "direct", &secret, json!({"choice": "against"})).await;
    let (_, _, fragment) = get_live(&lea, &live).await;
    assert!(fragment.contains("2 votants sur 4"), "{fragment}");
    assert!(
        !fragment.contains("<svg"),
        "no partial result of a secret ballot: {fragment}"
    );
    assert!(!fragment.contains("id=\"result\""), "{fragment}");

    close(&admin, "direct", &secret).await;
    let (_, _, fragment) = get_live(&lea, &live).await;
    assert!(
        fragment.contains("<svg"),
        "the result once closed: {fragment}"
    );
    assert!(fragment.contains("data-live-final"), "polling stops");

    // A public ballot with live results shows them as they come.
    let public = draft(
        &admin,
        "direct",
        json!({"title": "Public", "method": "motion", "secret": false, "live_results": true}),
    )
    .await;
    open(&admin, "direct", &public).await;
    voted(&m[2].0, "direct", &public, json!({"choice": "for"})).await;
    let (status, _, fragment) = get_live(&lea, &format!("/o/direct/decisions/{public}/live")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(fragment.contains("<svg"), "live results: {fragment}");
    assert!(!fragment.contains("data-live-final"));

    // Signed out: sent to sign in, never shown the fragment; outsiders are refused.
    let (status, _, _) = get_live(&t.browser(), &live).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    t.user("outsider@direct.test", "Dehors").await;
    let outsider = browser_as(&t, "outsider@direct.test").await;
    let (status, _, fragment) = get_live(&outsider, &live).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!fragment.contains("votants sur"));
}

#[tokio::test]
async fn an_assembly_page_follows_its_resolutions_live() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "salle", "association", &[], 2).await;
    let (status, a) = admin
        .post(
            "/api/v1/orgs/salle/assemblies",
            json!({"title": "AG", "starts_at": "2026-11-20 18:30", "place": "Salle", "chair": m[0].1, "secretary": m[1].1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let aid = a["id"].as_str().unwrap().to_owned();
    let r = draft(
        &admin,
        "salle",
        json!({"title": "Rapport moral", "method": "motion", "assembly": aid, "secret": true}),
    )
    .await;
    let lea = browser_as(&t, "m0@salle.test").await;
    let live = format!("/o/salle/assemblies/{aid}/live");
    let (_, html) = lea.get(&format!("/o/salle/assemblies/{aid}")).await;
    assert!(html.contains(&format!("data-live=\"{live}\"")), "{html}");

    open(&admin, "salle", &r).await;
    voted(&m[0].0, "salle", &r, json!({"choice": "for"})).await;
    let (status, cache, fragment) = get_live(&lea, &live).await;
    assert_eq!((status, cache.as_str()), (StatusCode::OK, "no-store"));
    assert!(fragment.contains("Rapport moral"));
    assert!(fragment.contains("1 votants sur 3"), "{fragment}");
    assert!(
        !fragment.contains("<svg"),
        "secret: nothing before closing: {fragment}"
    );

    close(&admin, "salle", &r).await;
    let (_, _, fragment) = get_live(&lea, &live).await;
    assert!(fragment.contains("<svg"), "{fragment}");
    assert!(fragment.contains("Adoptée"), "{fragment}");
}

#[tokio::test]
async fn governance_refusals_speak_the_readers_language() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "langues", "association", &[], 1).await;
    let id = draft(
        &admin,
        "langues",
        json!({"title": "Secret", "method": "motion", "secret": true}),
    )
    .await;
    open(&admin, "langues", &id).await;
    voted(&m[0].0, "langues", &id, json!({"choice": "for"})).await;
    let lea = browser_as(&t, "m0@langues.test").await;
    let result = format!("/o/langues/decisions/{id}/result.json");
    // An error page (403: results hidden) in French, then in English.
    let (status, html) = lea.get(&result).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        html.contains("Les résultats sont publiés à la clôture"),
        "{html}"
    );
    let (status, html) = lea.get_with(&result, ("accept-language", "en")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        html.contains("The results are published when the decision closes."),
        "{html}"
    );
    // A refused form: revoting without the tracker, in English.
    let page = format!("/o/langues/decisions/{id}");
    let (_, html) = lea.get(&page).await;
    let csrf = crate::support::csrf_of(&html);
    let r = lea
        .client
        .post(format!("{}{page}/vote", lea.base))
        .header("accept-language", "en")
        .form(&[("choice", "against"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("give the tracker of the ballot it replaces"),
        "{html}"
    );
}

#[tokio::test]
async fn the_electorate_is_told_when_a_decision_opens_and_when_its_result_is_known() {
    let t = TestApp::spawn().await;
    let ((admin, _), m) = org_with(&t, "avis", "association", &[], 2).await;
    let id = draft(
        &admin,
        "avis",
        json!({"title": "Nouveau local", "method": "motion"}),
    )
    .await;
    let mails = |to: &str, subject: &str| {
        t.app
            .mailer
            .recent()
            .into_iter()
            .filter(|m| m.to == to && m.subject.contains(subject))
            .collect::<Vec<_>>()
    };
    assert!(
        mails("m0@avis.test", "Nouveau local").is_empty(),
        "a draft is not announced"
    );
    open(&admin, "avis", &id).await;
    for to in ["admin@avis.test", "m0@avis.test", "m1@avis.test"] {
        let opened = mails(to, "Vote ouvert / Voting open: Nouveau local");
        assert_eq!(opened.len(), 1, "{to}");
        assert!(
            opened[0].body.contains(&format!("/o/avis/decisions/{id}")),
            "a link to vote: {}",
            opened[0].body
        );
    }
    voted(&m[0].0, "avis", &id, json!({"choice": "for"})).await;
    close(&admin, "avis", &id).await;
    for to in ["admin@avis.test", "m0@avis.test", "m1@avis.test"] {
        assert_eq!(
            mails(to, "Résultat / Result: Nouveau local").len(),
            1,
            "{to}"
        );
    }
}
