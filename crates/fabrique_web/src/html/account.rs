//! Sign-up, sign-in, the account page (password, API tokens), password reset and the
//! instance settings.

use crate::routes::{Routes, get, post};
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use fabrique_app::accounts::{self, ApiToken, SignupInput};
use fabrique_app::invitations;
use fabrique_core::SignupMode;

use super::{FormState, OrPage, PageResult, is_form_error, render, safe_next};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, SESSION_COOKIE, client_address, cookie, set_cookie};

pub fn router() -> Routes {
    Routes::new()
        .route("/signup", get(signup_form).post(signup))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset/{token}", get(reset_form).post(reset))
        .route("/admin", get(admin).post(admin_save))
        .route("/invite/{token}", get(invite).post(accept_invite))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    ctx: Ctx,
    form: FormState,
    invitation_only: bool,
}

const SIGNUP_FIELDS: &[&str] = &["email", "name", "password", "invitation"];

#[derive(serde::Deserialize)]
struct InviteQuery {
    invitation: Option<String>,
}

async fn signup_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InviteQuery>,
) -> PageResult {
    let invitation_only =
        accounts::signup_mode(&state.app).await.or_page(&ctx)? == SignupMode::Invitation;
    let form = FormState::new(SIGNUP_FIELDS).with("invitation", q.invitation.unwrap_or_default());
    Ok(render(&SignupPage {
        ctx,
        form,
        invitation_only,
    }))
}

#[derive(serde::Deserialize)]
struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    invitation: Option<String>,
}

fn session_response(state: &AppState, token: &str, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    let value = set_cookie(
        SESSION_COOKIE,
        token,
        accounts::SESSION_TTL_MS / 1000,
        true,
        state.secure_cookies,
    );
    response.headers_mut().append(header::SET_COOKIE, value);
    response
}

async fn signup(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<SignupForm>,
) -> PageResult {
    let input = SignupInput {
        email: f.email.clone(),
        name: f.name.clone(),
        password: f.password,
        invitation: f.invitation.clone(),
    };
    match accounts::signup(&state.app, &input).await {
        Ok(user) => {
            let token = accounts::create_session(&state.app, &user.id)
                .await
                .or_page(&ctx)?;
            Ok(session_response(&state, &token, "/"))
        }
        Err(e) if is_form_error(&e) || matches!(e, fabrique_app::AppError::Forbidden { .. }) => {
            let invitation_only =
                accounts::signup_mode(&state.app).await.or_page(&ctx)? == SignupMode::Invitation;
            let form = FormState::new(SIGNUP_FIELDS)
                .with("email", f.email)
                .with("name", f.name)
                .with("invitation", f.invitation.unwrap_or_default())
                .failed(&ctx, &e);
            Ok(super::render_with_status(
                crate::error::status_of(&e),
                &SignupPage {
                    ctx,
                    form,
                    invitation_only,
                },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    form: FormState,
    next: String,
}

const LOGIN_FIELDS: &[&str] = &["email", "password"];

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> PageResult {
    let next = safe_next(q.next.as_deref());
    Ok(render(&LoginPage {
        ctx,
        form: FormState::new(LOGIN_FIELDS),
        next,
    }))
}

#[derive(serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> PageResult {
    let next = safe_next(f.next.as_deref());
    match accounts::authenticate(
        &state.app,
        &f.email,
        &f.password,
        &client_address(&headers, Some(peer)),
    )
    .await
    {
        Ok(user) => {
            let token = accounts::create_session(&state.app, &user.id)
                .await
                .or_page(&ctx)?;
            Ok(session_response(&state, &token, &next))
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(LOGIN_FIELDS)
                .with("email", f.email)
                .failed(&ctx, &e);
            Ok(super::render_with_status(
                crate::error::status_of(&e),
                &LoginPage { ctx, form, next },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        accounts::delete_session(&state.app, token)
            .await
            .or_page(&ctx)?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, true, state.secure_cookies),
    );
    Ok(response)
}

/// A form with nothing but its CSRF token.
#[derive(serde::Deserialize)]
pub struct Empty {}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    password_form: FormState,
    token_form: FormState,
    notice: Option<String>,
}

async fn account_page(
    state: &AppState,
    ctx: Ctx,
    password_form: FormState,
    token_form: FormState,
    new_token: Option<String>,
    notice: Option<String>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let tokens = accounts::list_api_tokens(&state.app, &user)
        .await
        .or_page(&ctx)?;
    Ok(render(&AccountPage {
        ctx,
        tokens,
        new_token,
        password_form,
        token_form,
        notice,
    }))
}

const PASSWORD_FIELDS: &[&str] = &["current_password", "new_password"];
const TOKEN_FIELDS: &[&str] = &["name"];

async fn account(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    account_page(
        &state,
        ctx,
        FormState::new(PASSWORD_FIELDS),
        FormState::new(TOKEN_FIELDS),
        None,
        None,
    )
    .await
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let keep = cookie(&headers, SESSION_COOKIE);
    match accounts::change_password(
        &state.app,
        &user,
        &f.current_password,
        &f.new_password,
        keep,
    )
    .await
    {
        Ok(()) => {
            let notice = ctx.tr.t("account-password-changed").to_owned();
            account_page(
                &state,
                ctx,
                FormState::new(PASSWORD_FIELDS),
                FormState::new(TOKEN_FIELDS),
                None,
                Some(notice),
            )
            .await
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(PASSWORD_FIELDS).failed(&ctx, &e);
            account_page(&state, ctx, form, FormState::new(TOKEN_FIELDS), None, None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(serde::Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match accounts::create_api_token(&state.app, &user, &f.name).await {
        Ok((_, secret)) => {
            account_page(
                &state,
                ctx,
                FormState::new(PASSWORD_FIELDS),
                FormState::new(TOKEN_FIELDS),
                Some(secret),
                None,
            )
            .await
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(TOKEN_FIELDS)
                .with("name", f.name)
                .failed(&ctx, &e);
            account_page(
                &state,
                ctx,
                FormState::new(PASSWORD_FIELDS),
                form,
                None,
                None,
            )
            .await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    accounts::revoke_api_token(&state.app, &user, &id)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    ctx: Ctx,
    form: FormState,
    sent: bool,
}

async fn forgot_form(ctx: Ctx) -> PageResult {
    Ok(render(&ForgotPage {
        ctx,
        form: FormState::new(&["email"]),
        sent: false,
    }))
}

#[derive(serde::Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<EmailForm>,
) -> PageResult {
    match accounts::request_password_reset(&state.app, &f.email).await {
        Ok(()) => Ok(render(&ForgotPage {
            ctx,
            form: FormState::new(&["email"]),
            sent: true,
        })),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["email"])
                .with("email", f.email)
                .failed(&ctx, &e);
            Ok(render(&ForgotPage {
                ctx,
                form,
                sent: false,
            }))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    ctx: Ctx,
    form: FormState,
    token: String,
}

async fn reset_form(ctx: Ctx, Path(token): Path<String>) -> PageResult {
    Ok(render(&ResetPage {
        ctx,
        form: FormState::new(&["password"]),
        token,
    }))
}

#[derive(serde::Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(f): CsrfForm<ResetForm>,
) -> PageResult {
    match accounts::reset_password(&state.app, &token, &f.password).await {
        Ok(()) => Ok(Redirect::to("/login").into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["password"]).failed(&ctx, &e);
            Ok(super::render_with_status(
                crate::error::status_of(&e),
                &ResetPage { ctx, form, token },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    ctx: Ctx,
    mode: SignupMode,
    mails: Vec<fabrique_app::mail::Mail>,
}

async fn admin(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.require_user()?;
    if !user.instance_admin {
        return Err(ctx.fail(fabrique_app::AppError::forbidden(
            "instance administrators only",
        )));
    }
    let mode = accounts::signup_mode(&state.app).await.or_page(&ctx)?;
    let mails = state
        .app
        .mailer
        .recent()
        .into_iter()
        .rev()
        .take(20)
        .collect();
    Ok(render(&AdminPage { ctx, mode, mails }))
}

#[derive(serde::Deserialize)]
struct AdminForm {
    #[serde(default)]
    signup_mode: String,
}

async fn admin_save(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<AdminForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    accounts::set_signup_mode(&state.app, &user, &f.signup_mode)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to("/admin").into_response())
}

/// Shows an invitation and lets the visitor accept it.
#[derive(Template)]
#[template(path = "invite.html")]
pub struct InvitePage {
    ctx: Ctx,
    open: Option<invitations::OpenInvitation>,
    token: String,
    error: Option<String>,
}

pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> PageResult {
    match invitations::find_open(&state.app, &token).await {
        Ok(open) => Ok(render(&InvitePage {
            ctx,
            open: Some(open),
            token,
            error: None,
        })),
        Err(e) if is_form_error(&e) => {
            let error = Some(ctx.tr.error(e.code(), &e.to_string()).into_owned());
            Ok(super::render_with_status(
                axum::http::StatusCode::NOT_FOUND,
                &InvitePage {
                    ctx,
                    open: None,
                    token,
                    error,
                },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

pub async fn accept_invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match invitations::accept(&state.app, &user, &token).await {
        Ok(org) => Ok(Redirect::to(&format!("/o/{}", org.slug)).into_response()),
        Err(e) if is_form_error(&e) || matches!(e, fabrique_app::AppError::Forbidden { .. }) => {
            let error = Some(ctx.tr.error(e.code(), &e.to_string()).into_owned());
            let open = invitations::find_open(&state.app, &token).await.ok();
            Ok(super::render_with_status(
                crate::error::status_of(&e),
                &InvitePage {
                    ctx,
                    open,
                    token,
                    error,
                },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}
