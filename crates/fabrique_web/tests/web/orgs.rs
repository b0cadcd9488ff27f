//! Organisations, members, colleges, invitations, join requests and the audit log.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, error_of};

fn actions(audit: &Value) -> Vec<String> {
    audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_whole_membership_journey() {
    let t = TestApp::spawn().await;
    // Sign up and create an organisation in the browser.
    let karim = t.browser();
    karim.signup("karim@example.org", "Karim").await;
    let (status, location, body) = karim
        .submit(
            "/orgs/new",
            "/orgs/new",
            &[
                ("slug", "grenier"),
                ("name", "SCIC Le Grenier"),
                ("kind", "scic"),
                ("timezone", "Europe/Paris"),
                ("visibility", "public"),
                ("description", "Une **épicerie** coopérative"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/o/grenier"),
        "{body}"
    );
    let (_, page) = karim.get("/o/grenier").await;
    assert!(
        page.contains("<strong>épicerie</strong>"),
        "description rendered from Markdown"
    );

    // Invite by e-mail; the invitee signs up and joins from the link.
    let (status, _, html) = karim
        .submit(
            "/o/grenier/invitations",
            "/o/grenier/invitations",
            &[
                ("email", "lea@example.org"),
                ("role", "member"),
                ("days", "14"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let mail = t.last_mail_to("lea@example.org");
    let link = mail
        .body
        .lines()
        .find(|l| l.contains("/invite/"))
        .unwrap()
        .trim()
        .to_owned();
    let path = link.trim_start_matches(&t.base).to_owned();
    let lea = t.browser();
    let (status, page) = lea.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("SCIC Le Grenier"));
    lea.signup("lea@example.org", "Léa").await;
    let (status, location, _) = lea.submit(&path, &path, &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/o/grenier")
    );
    let (status, _, _) = lea.submit("/", &path, &[]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an invitation works once"
    );

    // Colleges: a set that breaks the SCIC rules is refused with a clear message, and
    // nothing changes; a valid one is kept.
    let (status, _, html) = karim
        .submit(
            "/o/grenier/colleges",
            "/o/grenier/colleges",
            &[
                ("name", "Salariés"),
                ("share", "60%"),
                ("name", "Usagers"),
                ("share", "40%"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("50 %"), "names the bound: {html}");
    let (status, _, html) = karim
        .submit(
            "/o/grenier/colleges",
            "/o/grenier/colleges",
            &[
                ("name", "Salariés"),
                ("share", "3/10"),
                ("name", "Producteurs"),
                ("share", "3/10"),
                ("name", "Usagers"),
                ("share", "1/4"),
                ("name", "Collectivités"),
                ("share", "1/10"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("95 %"),
        "says what the shares add up to: {html}"
    );
    let (status, location, _) = karim
        .submit(
            "/o/grenier/colleges",
            "/o/grenier/colleges",
            &[
                ("name", "Salariés"),
                ("share", "3/10"),
                ("name", "Producteurs"),
                ("share", "3/10"),
                ("name", "Usagers"),
                ("share", "1/4"),
                ("name", "Collectivités"),
                ("share", "3/20"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/o/grenier/colleges")
    );

    // Change Léa's role and college.
    let api = karim_api(&t).await;
    let (_, members) = api.get("/api/v1/orgs/grenier/members").await;
    let lea_id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "lea@example.org")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = format!("/o/grenier/members/{lea_id}");
    let (status, location, _) = karim
        .submit(
            &page,
            &page,
            &[("role", "observer"), ("college", "Usagers")],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, page.as_str())
    );
    let (_, member) = api
        .get(&format!("/api/v1/orgs/grenier/members/{lea_id}"))
        .await;
    assert_eq!(member["role"], "observer");
    assert_eq!(member["college"], "Usagers");
    let history = actions(&member["history"]);
    assert_eq!(
        history,
        [
            "member.joined",
            "member.role_changed",
            "member.college_changed"
        ]
    );

    // The audit log tells who did what.
    let (status, audit) = api.get("/api/v1/orgs/grenier/audit").await;
    assert_eq!(status, StatusCode::OK);
    let all = actions(&audit);
    for expected in [
        "org.created",
        "invitation.created",
        "member.joined",
        "colleges.changed",
        "member.role_changed",
        "member.college_changed",
    ] {
        assert!(all.iter().any(|a| a == expected), "{expected} in {all:?}");
    }
    assert_eq!(
        all.iter().filter(|a| *a == "colleges.changed").count(),
        1,
        "refused changes are not logged"
    );
    assert_eq!(audit[0]["actor"], "Karim");
}

async fn karim_api(t: &TestApp) -> crate::support::Api {
    let (_, tok) = t
        .api(None)
        .post(
            "/api/v1/tokens",
            json!({"email": "karim@example.org", "password": crate::support::PASSWORD}),
        )
        .await;
    t.api(tok["token"].as_str())
}

#[tokio::test]
async fn api_shapes_and_errors() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@example.org", "Admin").await;
    let (status, org) = admin
        .post(
            "/api/v1/orgs",
            json!({"slug": "gull", "name": "GULL", "kind": "association"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (
            org["slug"].as_str(),
            org["timezone"].as_str(),
            org["visibility"].as_str()
        ),
        (Some("gull"), Some("Europe/Paris"), Some("public"))
    );

    for (body, status, code, field) in [
        (
            json!({"slug": "Bad Slug", "name": "X", "kind": "association"}),
            422,
            "slug_invalid",
            "slug",
        ),
        (
            json!({"slug": "gull", "name": "X", "kind": "association"}),
            409,
            "slug_taken",
            "slug",
        ),
        (
            json!({"slug": "other", "name": "X", "kind": "club"}),
            422,
            "kind_invalid",
            "kind",
        ),
        (
            json!({"slug": "other", "name": "X", "kind": "scop", "timezone": "Mars/Base"}),
            422,
            "timezone_invalid",
            "timezone",
        ),
        (
            json!({"slug": "other", "name": "X", "kind": "scop", "website": "javascript:alert(1)"}),
            422,
            "url_invalid",
            "website",
        ),
    ] {
        let (s, b) = admin.post("/api/v1/orgs", body).await;
        assert_eq!(s.as_u16(), status, "{b}");
        assert_eq!(error_of(&b), (code.to_owned(), Some(field.to_owned())));
    }
    let (s, b) = admin
        .raw(
            reqwest::Method::POST,
            "/api/v1/orgs",
            "application/json",
            "{\"slug\": ",
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&b).0, "json_invalid");
    let (s, b) = admin
        .raw(
            reqwest::Method::POST,
            "/api/v1/orgs",
            "application/json",
            "{\"slug\": 12}",
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    // Adding an existing account makes them a member directly; an unknown address is invited.
    t.user("camille@example.org", "Camille").await;
    let (status, added) = admin
        .post(
            "/api/v1/orgs/gull/members",
            json!({"email": "camille@example.org", "role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["outcome"], "added");
    assert_eq!(added["member"]["voice"], "deliberative");
    let (_, invited) = admin
        .post(
            "/api/v1/orgs/gull/members",
            json!({"email": "new@example.org"}),
        )
        .await;
    assert_eq!(invited["outcome"], "invited");
    let (status, b) = admin
        .post(
            "/api/v1/orgs/gull/members",
            json!({"email": "camille@example.org"}),
        )
        .await;
    assert_eq!(
        (status, error_of(&b).0.as_str()),
        (StatusCode::CONFLICT, "already_member")
    );
    let (status, b) = admin
        .post(
            "/api/v1/orgs/gull/members",
            json!({"email": "x@example.org", "college": "Nope"}),
        )
        .await;
    assert_eq!(
        (status, error_of(&b).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("college"))
    );

    // Colleges with exact fractions; an association may weight freely, but the sum is 1.
    let (status, colleges) = admin
        .put(
            "/api/v1/orgs/gull/colleges",
            json!([{"name": "Actifs", "share": "2/3"}, {"name": "Bienfaiteurs", "share": "1/3"}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{colleges}");
    assert_eq!(colleges[0]["share"], "2/3");
    let (status, b) = admin
        .put(
            "/api/v1/orgs/gull/colleges",
            json!([{"name": "A", "share": "1/3"}, {"name": "B", "share": "1/3"}]),
        )
        .await;
    assert_eq!(
        (status, error_of(&b).0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "college_share_sum")
    );
    let (status, b) = admin
        .put(
            "/api/v1/orgs/gull/colleges",
            json!([{"name": "A", "share": "one half"}]),
        )
        .await;
    assert_eq!(
        (status, error_of(&b).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("colleges[0].share"))
    );
    // Turning the association into a SCIC with a 2/3 college is refused.
    let (status, b) = admin
        .patch("/api/v1/orgs/gull", json!({"kind": "scic"}))
        .await;
    assert_eq!(
        (status, error_of(&b).0.as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "college_share_out_of_bounds"
        )
    );
    let (_, org) = admin.get("/api/v1/orgs/gull").await;
    assert_eq!(org["kind"], "association", "nothing changed");
    // A college with members cannot disappear.
    let (_, members) = admin.get("/api/v1/orgs/gull/members").await;
    let camille = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "camille@example.org")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = admin
        .patch(
            &format!("/api/v1/orgs/gull/members/{camille}"),
            json!({"college": "Bienfaiteurs"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, b) = admin
        .put(
            "/api/v1/orgs/gull/colleges",
            json!([{"name": "Actifs", "share": "1"}]),
        )
        .await;
    assert_eq!(
        (status, error_of(&b).0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "college_has_members")
    );
}

#[tokio::test]
async fn members_and_observers_cannot_administer() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@example.org", "Admin").await;
    admin.org("atelier", "association").await;
    let member = t.user("member@example.org", "Member").await;
    let observer = t.user("observer@example.org", "Observer").await;
    let outsider = t.user("outsider@example.org", "Outsider").await;
    admin
        .post(
            "/api/v1/orgs/atelier/members",
            json!({"email": "member@example.org", "role": "member"}),
        )
        .await;
    admin
        .post(
            "/api/v1/orgs/atelier/members",
            json!({"email": "observer@example.org", "role": "observer"}),
        )
        .await;
    let (_, members) = admin.get("/api/v1/orgs/atelier/members").await;
    let admin_id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "admin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for who in [&member, &observer, &outsider] {
        for (status, _) in [
            who.patch("/api/v1/orgs/atelier", json!({"name": "Hijacked"}))
                .await,
            who.post(
                "/api/v1/orgs/atelier/members",
                json!({"email": "x@example.org"}),
            )
            .await,
            who.put("/api/v1/orgs/atelier/colleges", json!([])).await,
            who.post("/api/v1/orgs/atelier/invitations", json!({}))
                .await,
            who.get("/api/v1/orgs/atelier/audit").await,
            who.patch(
                &format!("/api/v1/orgs/atelier/members/{admin_id}"),
                json!({"role": "observer"}),
            )
            .await,
            who.delete(&format!("/api/v1/orgs/atelier/members/{admin_id}"))
                .await,
        ] {
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
    }
    // Members and observers read the member list; outsiders do not.
    assert_eq!(
        member.get("/api/v1/orgs/atelier/members").await.0,
        StatusCode::OK
    );
    assert_eq!(
        observer.get("/api/v1/orgs/atelier/members").await.0,
        StatusCode::OK
    );
    assert_eq!(
        outsider.get("/api/v1/orgs/atelier/members").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, org) = admin.get("/api/v1/orgs/atelier").await;
    assert_eq!(org["name"], "Org atelier", "nothing changed");

    // The last administrator can neither leave nor be demoted.
    let (status, b) = admin
        .delete(&format!("/api/v1/orgs/atelier/members/{admin_id}"))
        .await;
    assert_eq!(
        (status, error_of(&b).0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "last_admin")
    );
    let (status, _) = admin
        .patch(
            &format!("/api/v1/orgs/atelier/members/{admin_id}"),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A member may leave.
    let (_, me) = member.get("/api/v1/orgs/atelier").await;
    let my_id = me["me"]["member_id"].as_str().unwrap().to_owned();
    let (status, _) = member
        .delete(&format!("/api/v1/orgs/atelier/members/{my_id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        member.get("/api/v1/orgs/atelier/members").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, audit) = admin.get("/api/v1/orgs/atelier/audit").await;
    assert!(actions(&audit).contains(&"member.left".to_owned()));
}

#[tokio::test]
async fn join_requests_and_link_invitations() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@example.org", "Admin").await;
    admin.org("repair", "collective").await;
    let sam = t.user("sam@example.org", "Sam").await;
    let (status, req) = sam
        .post(
            "/api/v1/orgs/repair/join-requests",
            json!({"message": "Je répare des vélos"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = sam
        .post("/api/v1/orgs/repair/join-requests", json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one pending request at a time"
    );
    let (_, pending) = admin.get("/api/v1/orgs/repair/join-requests").await;
    assert_eq!(pending[0]["message"], "Je répare des vélos");
    let id = req["id"].as_str().unwrap();
    let (status, _) = admin
        .post(
            &format!("/api/v1/orgs/repair/join-requests/{id}/maybe"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = admin
        .post(
            &format!("/api/v1/orgs/repair/join-requests/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        sam.get("/api/v1/orgs/repair/members").await.0,
        StatusCode::OK
    );

    // A link invitation expires.
    let (_, inv) = admin
        .post(
            "/api/v1/orgs/repair/invitations",
            json!({"days": 1, "role": "observer"}),
        )
        .await;
    assert!(inv["link"].as_str().unwrap().contains("/invite/"));
    let (status, b) = admin
        .post("/api/v1/orgs/repair/invitations", json!({"days": 365}))
        .await;
    assert_eq!(
        (status, error_of(&b).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("days"))
    );
    t.clock.advance(2 * 24 * 3600 * 1000);
    let late = t.user("late@example.org", "Late").await;
    let (status, b) = late
        .post(
            &format!(
                "/api/v1/invitations/{}/accept",
                inv["token"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, error_of(&b).0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invitation_used")
    );
    // An e-mail invitation only works for its address.
    let (_, inv) = admin
        .post(
            "/api/v1/orgs/repair/invitations",
            json!({"email": "someone@example.org"}),
        )
        .await;
    let (status, b) = late
        .post(
            &format!(
                "/api/v1/invitations/{}/accept",
                inv["token"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, error_of(&b).0.as_str()),
        (StatusCode::FORBIDDEN, "invitation_other_address")
    );
}

#[tokio::test]
async fn directory_search_filters_and_open_data() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@example.org", "Admin").await;
    admin.post("/api/v1/orgs", json!({"slug": "gull", "name": "Groupe d'utilisateurs de Linux", "kind": "association"})).await;
    admin.post("/api/v1/orgs", json!({"slug": "grenier", "name": "Le Grenier", "kind": "scic", "description": "épicerie coopérative"})).await;
    admin.post("/api/v1/orgs", json!({"slug": "secret", "name": "Linux secret", "kind": "association", "visibility": "unlisted"})).await;
    let anon = t.api(None);
    let (_, all) = anon.get("/api/v1/orgs").await;
    let slugs: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        ["gull", "grenier"],
        "unlisted organisations stay out, sorted by name"
    );
    let (_, found) = anon.get("/api/v1/orgs?q=linux").await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (_, found) = anon.get("/api/v1/orgs?q=%C3%A9picerie").await;
    assert_eq!(found[0]["slug"], "grenier", "description searched");
    let (_, found) = anon.get("/api/v1/orgs?kind=scic").await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (status, b) = anon.get("/api/v1/orgs?kind=club").await;
    assert_eq!(
        (status, error_of(&b).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    let (_, found) = anon.get("/api/v1/orgs?q=100%25_").await;
    assert_eq!(
        found.as_array().unwrap().len(),
        0,
        "LIKE wildcards are literal"
    );
    // The unlisted one is reachable by address.
    assert_eq!(anon.get("/api/v1/orgs/secret").await.0, StatusCode::OK);

    let b = t.browser();
    let (status, csv) = b.get("/orgs.csv").await;
    assert_eq!(status, StatusCode::OK);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("slug,name,kind,website,members,created_at,url")
    );
    assert_eq!(lines.count(), 2);
    let (_, json) = b.get("/orgs.json?kind=association").await;
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["organisations"][0]["members"], 1);
    let (status, html) = b.get("/orgs?q=grenier").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Le Grenier")
            && !html.contains("Groupe d&#39;utilisateurs")
            && !html.contains("Groupe d&#x27;utilisateurs")
    );
}

#[tokio::test]
async fn demo_data_loads_three_realistic_organisations() {
    let t = TestApp::spawn().await;
    fabrique_app::demo::load(&t.app).await.unwrap();
    let anon = t.api(None);
    let (_, all) = anon.get("/api/v1/orgs").await;
    let count = |slug: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|e| e["slug"] == slug)
            .unwrap()["members"]
            .as_i64()
            .unwrap()
    };
    assert!((55..=65).contains(&count("manchots-libres")), "{all}");
    assert!((35..=45).contains(&count("grenier-commun")));
    assert!(count("tiers-lieux-alpes") >= 15);
    let (_, scic) = anon.get("/api/v1/orgs/grenier-commun").await;
    let shares: Vec<&str> = scic["colleges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["share"].as_str().unwrap())
        .collect();
    assert_eq!(shares, ["3/10", "3/10", "1/4", "3/20"]);
    let (status, _) = anon.post("/api/v1/tokens", json!({"email": "admin@demo.fabrique.test", "password": fabrique_app::demo::DEMO_PASSWORD})).await;
    assert_eq!(status, StatusCode::CREATED);
}
