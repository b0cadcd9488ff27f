//! A test server on port 0 with its own database, and clients that behave like a browser
//! (cookies, CSRF field read from the page) or like an API client (bearer token).

use std::net::SocketAddr;
use std::sync::Arc;

use fabrique_app::{App, Config, Db, Mailer};
use fabrique_core::FixedClock;
use reqwest::StatusCode;
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: FixedClock,
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<(String, String)>,
}

fn admin_url() -> Option<String> {
    std::env::var("FABRIQUE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A fresh database URL: an SQLite file in a temp dir, or a new PostgreSQL database.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>, Option<(String, String)>) {
    match admin_url() {
        Some(admin) => {
            let name = format!("fabrique_t_{}", uuid::Uuid::new_v4().simple());
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
            (format!("{base}/{name}"), None, Some((admin, name)))
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, Some(dir), None)
        }
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let (url, dir, pg) = fresh_database().await;
        let mut t = TestApp::on(&url).await;
        t._dir = dir;
        t.pg_name = pg;
        t
    }

    /// Another server process on the same database.
    pub async fn on(url: &str) -> TestApp {
        let db = Db::connect(url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let clock = FixedClock::at(1_790_000_000_000);
        let app = App::new(
            db,
            Arc::new(clock.clone()),
            Mailer::log_only(),
            Config {
                base_url: base.clone(),
            },
        );
        let router = fabrique_web::router(app.clone());
        tokio::spawn(async move {
            axum_serve(listener, router).await;
        });
        TestApp {
            base,
            app,
            clock,
            database_url: url.to_owned(),
            _dir: None,
            pg_name: None,
        }
    }

    pub fn browser(&self) -> Browser {
        Browser {
            client: client(),
            base: self.base.clone(),
        }
    }

    pub fn api(&self, token: Option<&str>) -> Api {
        Api {
            client: client(),
            base: self.base.clone(),
            token: token.map(str::to_owned),
        }
    }

    /// Creates an account and returns an API client signed in as it.
    pub async fn user(&self, email: &str, name: &str) -> Api {
        let api = self.api(None);
        let (status, body) = api
            .post(
                "/api/v1/signup",
                serde_json::json!({"email": email, "name": name, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = api
            .post(
                "/api/v1/tokens",
                serde_json::json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        self.api(body["token"].as_str())
    }

    /// The last e-mail sent to an address.
    pub fn last_mail_to(&self, to: &str) -> fabrique_app::mail::Mail {
        self.app
            .mailer
            .recent()
            .into_iter()
            .rev()
            .find(|m| m.to == to)
            .expect("an e-mail was sent")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_name.take() {
            let handle = std::thread::spawn(move || {
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
            });
            let _ = handle.join();
        }
    }
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) {
    let _ = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await;
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Acts like a browser: keeps cookies, reads the CSRF field from the form page.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

pub fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .expect("a CSRF field on the page")
        + 19;
    html[start..].split('"').next().unwrap().to_owned()
}

impl Browser {
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = r.status();
        (status, r.text().await.unwrap_or_default())
    }

    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header.0, header.1)
            .send()
            .await
            .expect("GET");
        let status = r.status();
        (status, r.text().await.unwrap_or_default())
    }

    /// Opens `page`, then submits `fields` to `action` with the page's CSRF token.
    /// Returns the status, the `Location` header, and the body.
    pub async fn submit(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let (status, html) = self.get(page).await;
        assert!(status.is_success(), "GET {page}: {status}");
        let csrf = csrf_of(&html);
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &csrf));
        self.post_raw(action, &form).await
    }

    pub async fn post_raw(
        &self,
        action: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .form(form)
            .send()
            .await
            .expect("POST");
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, location, r.text().await.unwrap_or_default())
    }

    pub async fn signup(&self, email: &str, name: &str) {
        let (status, location, body) = self
            .submit(
                "/signup",
                "/signup",
                &[("email", email), ("name", name), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location, "/");
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, String, String) {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// A JSON API client.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// Sends a raw body with a content type (for malformed-input tests).
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: &'static str,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.expect("request");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Creates an organisation and returns its slug.
    pub async fn org(&self, slug: &str, kind: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/orgs",
                serde_json::json!({"slug": slug, "name": format!("Org {slug}"), "kind": kind}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        slug.to_owned()
    }
}

/// Asserts the API's error shape and returns (code, field).
pub fn error_of(body: &Value) -> (String, Option<String>) {
    let e = &body["error"];
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "an error message: {body}"
    );
    (
        e["code"].as_str().expect("an error code").to_owned(),
        e["field"].as_str().map(str::to_owned),
    )
}
