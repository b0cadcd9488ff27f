//! Sign-up, sign-in, sessions, tokens, password change and reset.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, error_of};

#[tokio::test]
async fn signup_login_logout_in_the_browser() {
    let t = TestApp::spawn().await;
    let b = t.browser();
    b.signup("camille@example.org", "Camille").await;
    let (_, home) = b.get("/").await;
    assert!(home.contains("Camille"), "signed in after sign-up");

    let (_, html) = b.get("/").await;
    let csrf = crate::support::csrf_of(&html);
    let (status, location, _) = b.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let (_, home) = b.get("/").await;
    assert!(!home.contains("Camille"));

    let (status, _, body) = b.login("camille@example.org", "wrong password!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body.contains("aria-invalid") || body.contains("role=\"alert\""),
        "the form is shown again with the error"
    );
    let (status, location, _) = b.login("CAMILLE@example.org", PASSWORD).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let (_, account) = b.get("/account").await;
    assert!(account.contains("camille@example.org"));
}

#[tokio::test]
async fn signup_refuses_bad_input_field_by_field_and_creates_nothing() {
    let t = TestApp::spawn().await;
    let api = t.api(None);
    for (body, field) in [
        (
            json!({"email": "not-an-address", "name": "A", "password": PASSWORD}),
            "email",
        ),
        (
            json!({"email": "a@example.org", "name": "  ", "password": PASSWORD}),
            "name",
        ),
        (
            json!({"email": "a@example.org", "name": "A", "password": "short"}),
            "password",
        ),
    ] {
        let (status, body) = api.post("/api/v1/signup", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(&body).1.as_deref(), Some(field));
    }
    let (status, _) = api
        .post(
            "/api/v1/tokens",
            json!({"email": "a@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no account was created");

    t.user("a@example.org", "A").await;
    let (status, body) = api
        .post(
            "/api/v1/signup",
            json!({"email": "A@Example.org", "name": "B", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        error_of(&body),
        ("email_taken".into(), Some("email".into()))
    );

    // The HTML form shows the message next to the field.
    let b = t.browser();
    let (status, _, html) = b
        .submit(
            "/signup",
            "/signup",
            &[
                ("email", "x@example.org"),
                ("name", "X"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"e-password\""),
        "error next to the password field"
    );
    assert!(
        html.contains("value=\"x@example.org\""),
        "typed values are kept"
    );
}

#[tokio::test]
async fn wrong_passwords_are_rate_limited_even_for_the_right_one() {
    let t = TestApp::spawn().await;
    t.user("karim@example.org", "Karim").await;
    let api = t.api(None);
    for _ in 0..5 {
        let (status, _) = api
            .post(
                "/api/v1/tokens",
                json!({"email": "karim@example.org", "password": "not the password"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = api
        .post(
            "/api/v1/tokens",
            json!({"email": "karim@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error_of(&body).0, "rate_limited");
    // The HTML form is limited by the same count.
    let (status, _, _) = t.browser().login("karim@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // After the window, the right password works again.
    t.clock.advance(fabrique_app::accounts::LOGIN_WINDOW_MS + 1);
    let (status, _) = api
        .post(
            "/api/v1/tokens",
            json!({"email": "karim@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn api_tokens_can_be_listed_and_revoked() {
    let t = TestApp::spawn().await;
    let api = t.user("louise@example.org", "Louise").await;
    let (status, me) = api.get("/api/v1/me").await;
    assert_eq!(
        (status, me["email"].as_str()),
        (StatusCode::OK, Some("louise@example.org"))
    );
    let (status, created) = api
        .post("/api/v1/me/tokens", json!({"name": "script"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let second = t.api(created["token"].as_str());
    let (_, list) = api.get("/api/v1/me/tokens").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let id = created["id"].as_str().unwrap();
    let (status, _) = api.delete(&format!("/api/v1/me/tokens/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = second.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&body).0, "token_invalid");
    let (status, _) = t.api(Some("fab_made-up")).get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = t.api(None).get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_change_and_reset_by_email() {
    let t = TestApp::spawn().await;
    let api = t.user("camille@example.org", "Camille").await;
    let (status, body) = api
        .post(
            "/api/v1/me/password",
            json!({"current_password": "wrong one!!", "new_password": "another long one"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("current_password"));
    let (status, _) = api
        .post(
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "another long one"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Forgotten: the link comes by e-mail (here, the log outbox), works once, within the hour.
    let anon = t.api(None);
    let (status, _) = anon
        .post(
            "/api/v1/password/forgot",
            json!({"email": "nobody@example.org"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "same answer for unknown addresses"
    );
    let (status, _) = anon
        .post(
            "/api/v1/password/forgot",
            json!({"email": "camille@example.org"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = t.last_mail_to("camille@example.org");
    let token = mail
        .body
        .split("/password/reset/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();

    let b = t.browser();
    let page = format!("/password/reset/{token}");
    let (status, location, _) = b
        .submit(&page, &page, &[("password", "brand new password")])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );
    let (status, _, html) = b
        .submit(&page, &page, &[("password", "yet another password")])
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a link works once"
    );
    assert!(html.contains("role=\"alert\""));
    let (status, _, _) = b.login("camille@example.org", "brand new password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_live_in_the_database_and_work_across_server_processes() {
    let t = TestApp::spawn().await;
    let other = TestApp::on(&t.database_url).await;
    t.user("karim@example.org", "Karim").await;
    let user = fabrique_app::accounts::user_by_email(&t.app, "karim@example.org")
        .await
        .unwrap()
        .unwrap();
    let session = fabrique_app::accounts::create_session(&t.app, &user.id)
        .await
        .unwrap();
    let csrf = "x".repeat(43);
    let cookies = format!("fabrique_session={session}; fabrique_csrf={csrf}");
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for base in [&t.base, &other.base] {
        let r = plain
            .get(format!("{base}/account"))
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("karim@example.org"));
    }
    // Signing out on one process ends the session on the other.
    let r = plain
        .post(format!("{}/logout", other.base))
        .header("cookie", &cookies)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = plain
        .get(format!("{}/account", t.base))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "sent to the sign-in page"
    );
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );
}

#[tokio::test]
async fn invitation_only_signup() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@example.org", "Admin").await;
    // Make the first account an instance administrator, as `fabrique admin create-user --instance-admin` would.
    sqlx::query("UPDATE users SET instance_admin = 1 WHERE email = 'admin@example.org'")
        .execute(&t.app.db.write)
        .await
        .unwrap();
    let (status, _) = admin
        .put(
            "/api/v1/admin/settings",
            json!({"signup_mode": "invitation"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = t
        .api(None)
        .post(
            "/api/v1/signup",
            json!({"email": "x@example.org", "name": "X", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_of(&body).0, "signup_invitation_only");

    admin.org("atelier", "association").await;
    let (_, inv) = admin
        .post(
            "/api/v1/orgs/atelier/invitations",
            json!({"email": "x@example.org"}),
        )
        .await;
    let token = inv["token"].as_str().unwrap();
    let (status, body) = t.api(None).post("/api/v1/signup", json!({"email": "x@example.org", "name": "X", "password": PASSWORD, "invitation": token})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let x = t.api(None);
    let (_, tok) = x
        .post(
            "/api/v1/tokens",
            json!({"email": "x@example.org", "password": PASSWORD}),
        )
        .await;
    let x = t.api(tok["token"].as_str());
    let (status, members) = x.get("/api/v1/orgs/atelier/members").await;
    assert_eq!(status, StatusCode::OK, "the invitation made them a member");
    assert_eq!(members.as_array().unwrap().len(), 2);
    // A plain member may not change instance settings.
    let (status, _) = x
        .put("/api/v1/admin/settings", json!({"signup_mode": "open"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
