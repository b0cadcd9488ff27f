//! Who is asking, in which language, and the CSRF token of their forms.
//!
//! - Sessions: an opaque random cookie (`fabrique_session`, HttpOnly, SameSite=Lax, Secure
//!   behind HTTPS) whose hash is a row in the database, so several server processes share
//!   them. API clients send `Authorization: Bearer <token>` instead.
//! - CSRF: double-submit. Every response ensures a random `fabrique_csrf` cookie; every
//!   form carries the same value in a hidden `csrf` field, and JSON calls authenticated by
//!   cookie carry it in `X-CSRF-Token`. A state-changing request whose token does not match
//!   the cookie is refused before it reaches a use case.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use fabrique_app::{Actor, AppError, accounts, orgs};
use fabrique_core::Role;
use fabrique_core::ids::{constant_time_eq, random_token};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::i18n::{Lang, Tr};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "fabrique_session";
/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "fabrique_csrf";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "lang";

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Builds a `Set-Cookie` value.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The CSRF token of the current request (the cookie's value, or a fresh one).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Middleware: makes sure every visitor has a CSRF cookie.
pub async fn csrf_cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing = cookie(req.headers(), CSRF_COOKIE)
        .filter(|v| v.len() >= 32)
        .map(str::to_owned);
    let fresh = existing.is_none();
    let token = existing.unwrap_or_else(random_token);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(req).await;
    if fresh {
        let value = set_cookie(
            CSRF_COOKIE,
            &token,
            365 * 24 * 3600,
            true,
            state.secure_cookies,
        );
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn lang_of(parts: &Parts) -> Lang {
    cookie(&parts.headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Fr)
}

/// How the actor proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// A session cookie (needs CSRF protection).
    Cookie,
    /// A bearer token.
    Bearer,
}

async fn actor_of(
    state: &AppState,
    parts: &Parts,
) -> Result<Option<(Actor, AuthMethod)>, AppError> {
    if let Some(auth) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = auth
            .strip_prefix("Bearer ")
            .map(str::trim)
            .unwrap_or_default();
        return match accounts::token_actor(&state.app, token).await? {
            Some(actor) => Ok(Some((actor, AuthMethod::Bearer))),
            None => Err(AppError::Unauthenticated {
                code: "token_invalid",
                message: "this API token is not valid or was revoked".into(),
            }),
        };
    }
    match cookie(&parts.headers, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => Ok(accounts::session_actor(&state.app, token)
            .await?
            .map(|a| (a, AuthMethod::Cookie))),
        _ => Ok(None),
    }
}

/// The organisation slug of a path under `/o/{slug}`.
fn org_slug_of(path: &str) -> Option<&str> {
    path.strip_prefix("/o/")?
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
}

/// What every HTML page knows about the request: language, visitor, CSRF token, path.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The translator.
    pub tr: Tr,
    /// The signed-in person, if any.
    pub user: Option<Actor>,
    /// The token to put in forms.
    pub csrf: String,
    /// The request path (for the language switch and sign-in redirects).
    pub path: String,
    /// On an organisation's pages (`/o/{slug}/…`), the viewer's role in it.
    pub org_role: Option<Role>,
}

impl Ctx {
    /// The signed-in person, or an error that sends the visitor to the sign-in page.
    pub fn require_user(&self) -> Result<&Actor, PageError> {
        self.user
            .as_ref()
            .ok_or_else(|| self.fail(AppError::unauthenticated()))
    }

    /// Wraps a use-case error for rendering as a page.
    pub fn fail(&self, err: AppError) -> PageError {
        PageError {
            ctx: Box::new(self.clone()),
            err,
        }
    }

    /// The current path, percent-encoded for a `next=` parameter.
    pub fn next_param(&self) -> String {
        crate::error::form_urlencode(&self.path)
    }

    /// Whether the viewer administers the organisation whose pages these are (or the
    /// instance): the tabs of administrators' pages are shown to them only.
    pub fn org_admin(&self) -> bool {
        self.org_role == Some(Role::Admin) || self.user.as_ref().is_some_and(|u| u.instance_admin)
    }

    /// Whether the viewer belongs to the organisation whose pages these are, in any role
    /// (or administers the instance).
    pub fn org_member(&self) -> bool {
        self.org_role.is_some() || self.user.as_ref().is_some_and(|u| u.instance_admin)
    }

    /// Formats a timestamp in a time zone.
    pub fn time(&self, ms: &i64, zone: &str) -> String {
        fabrique_core::format_in_zone(zone, *ms)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let mut ctx = Ctx {
            tr: Tr {
                lang: lang_of(parts),
            },
            user: None,
            csrf,
            path,
            org_role: None,
        };
        match actor_of(state, parts).await {
            Ok(user) => ctx.user = user.map(|(a, _)| a),
            Err(e) => return Err(ctx.fail(e)),
        }
        // The role only chooses which tabs a page shows; the live fragments polled every
        // few seconds show none, and skip the query.
        let shows_tabs = !parts.uri.path().ends_with("/live");
        if let (Some(user), Some(slug), true) =
            (&ctx.user, org_slug_of(parts.uri.path()), shows_tabs)
        {
            match orgs::role_in(&state.app, user, slug).await {
                Ok(role) => ctx.org_role = role,
                Err(e) => return Err(ctx.fail(e)),
            }
        }
        Ok(ctx)
    }
}

/// The API caller, if any (bearer token, or session cookie with `X-CSRF-Token` on writes).
#[derive(Debug, Clone)]
pub struct MaybeApiActor(pub Option<Actor>);

/// The API caller, required.
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for MaybeApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let found = actor_of(state, parts).await?;
        if let Some((_, AuthMethod::Cookie)) = &found
            && !matches!(parts.method, Method::GET | Method::HEAD)
        {
            let expected = parts
                .extensions
                .get::<CsrfToken>()
                .map(|c| c.0.as_str())
                .unwrap_or_default();
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if cookie(&parts.headers, CSRF_COOKIE).is_none() || !constant_time_eq(expected, sent) {
                return Err(ApiError(AppError::Forbidden {
                    code: "csrf_invalid",
                    message: "send the value of the fabrique_csrf cookie in the X-CSRF-Token header, or use a bearer token".into(),
                }));
            }
        }
        Ok(MaybeApiActor(found.map(|(a, _)| a)))
    }
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeApiActor::from_request_parts(parts, state).await?.0 {
            Some(actor) => Ok(ApiActor(actor)),
            None => Err(ApiError(AppError::unauthenticated())),
        }
    }
}

/// A URL-encoded form whose `csrf` field matched the visitor's CSRF cookie.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let had_cookie = cookie(&parts.headers, CSRF_COOKIE).is_some();
        let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT)
            .await
            .map_err(|_| {
                ctx.fail(AppError::invalid(
                    "form",
                    "body_too_large",
                    "the form is too large",
                ))
            })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            ctx.fail(AppError::invalid(
                "form",
                "form_malformed",
                format!("the form could not be read: {e}"),
            ))
        })?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if !had_cookie || !constant_time_eq(sent, &ctx.csrf) {
            return Err(ctx.fail(AppError::Forbidden {
                code: "csrf_invalid",
                message: "this form has expired or did not come from this site; go back, reload the page and try again".into(),
            }));
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| {
                ctx.fail(AppError::invalid(
                    "form",
                    "form_malformed",
                    format!("the form could not be read: {e}"),
                ))
            })
    }
}

/// The client's address as seen by the server (the peer address, or the first
/// `X-Forwarded-For` hop when `FABRIQUE_TRUST_PROXY` is set).
pub fn client_address(headers: &HeaderMap, peer: Option<std::net::SocketAddr>) -> String {
    if std::env::var_os("FABRIQUE_TRUST_PROXY").is_some()
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_owned();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
