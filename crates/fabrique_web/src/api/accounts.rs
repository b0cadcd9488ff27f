//! Accounts over JSON.

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use fabrique_app::accounts::{self, ApiToken, SignupInput, User};
use fabrique_app::{Actor, AppError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::session::{ApiActor, client_address};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(create_token))
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_my_token))
        .routes(routes!(revoke_token))
        .routes(routes!(change_password))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
        .routes(routes!(get_settings, put_settings))
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/signup", tag = "accounts", request_body = SignupInput,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn signup(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SignupInput>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::signup(&state.app, &input).await?),
    ))
}

/// Credentials exchanged for an API token.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct TokenRequest {
    email: String,
    password: String,
    /// A name to recognise the token by (default “API”).
    #[serde(default)]
    name: Option<String>,
}

/// A new API token: the secret is shown only once.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct NewToken {
    token: String,
    #[serde(flatten)]
    info: ApiToken,
}

/// Signs in with e-mail and password and returns a new API token (rate-limited like the
/// sign-in form).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let user = accounts::authenticate(
        &state.app,
        &req.email,
        &req.password,
        &client_address(&headers, Some(peer)),
    )
    .await?;
    let (info, token) = accounts::create_api_token(
        &state.app,
        &accounts::actor_of(&user),
        req.name.as_deref().unwrap_or("API"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, info })))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
async fn me(ApiActor(actor): ApiActor) -> Json<Actor> {
    Json(actor)
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])), responses((status = 200, body = [ApiToken])))]
async fn list_tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(accounts::list_api_tokens(&state.app, &actor).await?))
}

/// A name for a new token.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct TokenName {
    name: String,
}

/// Creates another API token for the caller.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])), request_body = TokenName, responses((status = 201, body = NewToken), (status = 422, body = ErrorBody)))]
async fn create_my_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<TokenName>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let (info, token) = accounts::create_api_token(&state.app, &actor, &req.name).await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, info })))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "accounts", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::revoke_api_token(&state.app, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the caller's password (other sessions are closed).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])), request_body = PasswordChange, responses((status = 204), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    accounts::change_password(
        &state.app,
        &actor,
        &req.current_password,
        &req.new_password,
        None,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An e-mail address.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct EmailOnly {
    email: String,
}

/// Sends a password-reset link (answers the same whether or not the account exists).
#[utoipa::path(post, path = "/api/v1/password/forgot", tag = "accounts", request_body = EmailOnly, responses((status = 202), (status = 422, body = ErrorBody)))]
async fn forgot_password(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<EmailOnly>,
) -> Result<StatusCode, ApiError> {
    accounts::request_password_reset(&state.app, &req.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A reset token and the new password.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct PasswordReset {
    token: String,
    password: String,
}

/// Sets a new password with the token from the reset e-mail.
#[utoipa::path(post, path = "/api/v1/password/reset", tag = "accounts", request_body = PasswordReset, responses((status = 204), (status = 422, body = ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    accounts::reset_password(&state.app, &req.token, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Instance settings.
#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = InstanceSettings)]
struct Settings {
    /// `open` or `invitation`.
    signup_mode: String,
}

/// The instance settings (instance administrators).
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Settings), (status = 403, body = ErrorBody)))]
async fn get_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Settings>, ApiError> {
    if !actor.instance_admin {
        return Err(AppError::forbidden("instance administrators only").into());
    }
    Ok(Json(Settings {
        signup_mode: accounts::signup_mode(&state.app).await?.as_str().into(),
    }))
}

/// Changes the instance settings (instance administrators).
#[utoipa::path(put, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])), request_body = Settings, responses((status = 200, body = Settings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    let mode = accounts::set_signup_mode(&state.app, &actor, &req.signup_mode).await?;
    Ok(Json(Settings {
        signup_mode: mode.as_str().into(),
    }))
}
