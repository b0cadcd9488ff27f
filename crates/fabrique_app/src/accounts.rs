//! Accounts: sign-up, sign-in with rate limiting, server-side sessions, password change and
//! reset, API tokens, and the instance settings that govern them.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use fabrique_core::ids::{hash_token, new_id, random_token};
use fabrique_core::{DisplayName, Email, Password, SignupMode};
use sqlx::Row;

use crate::error::is_unique_violation;
use crate::mail::Mail;
use crate::{Actor, App, AppError, AppResult, audit, invitations};

/// How long a session lasts without use.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long a password-reset link stays valid.
pub const RESET_TTL_MS: i64 = 3600 * 1000;
/// The window over which failed sign-ins are counted.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failed sign-ins allowed per account within the window.
pub const LOGIN_MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins allowed per client address within the window.
pub const LOGIN_MAX_FAILURES_PER_ADDRESS: i64 = 30;

/// A user as the account pages show them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    /// Id.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Instance administrator.
    pub instance_admin: bool,
    /// Account creation time (ms since epoch, UTC).
    pub created_at: i64,
}

/// An API token as listed (the secret itself is shown once, at creation).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// The name given at creation.
    pub name: String,
    /// Creation time.
    pub created_at: i64,
    /// Last use, if any.
    pub last_used_at: Option<i64>,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
}

/// What sign-up asks for.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct SignupInput {
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Password, at least 10 characters.
    pub password: String,
    /// An invitation token, required when sign-up is by invitation only.
    #[serde(default)]
    pub invitation: Option<String>,
}

/// Hashes a password with argon2id (default parameters), off the async threads.
pub async fn hash_password(password: &Password) -> AppResult<String> {
    let pw = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?
    .map_err(AppError::Internal)
}

async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// The instance's sign-up mode (default: open).
pub async fn signup_mode(app: &App) -> AppResult<SignupMode> {
    let row = sqlx::query("SELECT value FROM instance_settings WHERE key = 'signup_mode'")
        .fetch_optional(&app.db.read)
        .await?;
    Ok(match row {
        Some(r) => SignupMode::parse(&r.try_get::<String, _>("value")?).unwrap_or(SignupMode::Open),
        None => SignupMode::Open,
    })
}

/// Sets the sign-up mode (`open` or `invitation`); instance administrators only, who are
/// told so before anything about what they sent.
pub async fn set_signup_mode(app: &App, actor: &Actor, mode: &str) -> AppResult<SignupMode> {
    if !actor.instance_admin {
        return Err(AppError::forbidden(
            "only an instance administrator may change this",
        ));
    }
    let mode = SignupMode::parse(mode)?;
    let mut tx = app.db.write.begin().await?;
    sqlx::query("DELETE FROM instance_settings WHERE key = 'signup_mode'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO instance_settings (key, value) VALUES ('signup_mode', $1)")
        .bind(mode.as_str())
        .execute(&mut *tx)
        .await?;
    let detail = serde_json::json!({"mode": mode.as_str()});
    let event = audit::Event {
        at: app.now(),
        actor_id: Some(&actor.user_id),
        action: "instance.signup_mode",
        target_type: "instance",
        detail,
        ..Default::default()
    };
    audit::write(&mut tx, event).await?;
    tx.commit().await?;
    Ok(mode)
}

/// Creates an account. When sign-up is by invitation only, a valid invitation token is
/// required and is accepted in the same step.
pub async fn signup(app: &App, input: &SignupInput) -> AppResult<User> {
    let email = Email::parse(&input.email)?;
    let name = DisplayName::parse("name", &input.name)?;
    let password = Password::parse("password", &input.password)?;
    let invitation = match input
        .invitation
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(token) => Some(invitations::find_open(app, token).await?),
        None => None,
    };
    if invitation.is_none() && signup_mode(app).await? == SignupMode::Invitation {
        return Err(AppError::Forbidden {
            code: "signup_invitation_only",
            message: "this instance accepts new accounts by invitation only".into(),
        });
    }
    let user = create_user(app, &email, &name, &password, false).await?;
    if let Some(token) = input.invitation.as_deref().filter(|t| !t.trim().is_empty()) {
        let actor = actor_of(&user);
        invitations::accept(app, &actor, token.trim()).await?;
    }
    Ok(user)
}

/// The acting identity of a user.
pub fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: user.id.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        instance_admin: user.instance_admin,
    }
}

/// Creates a user directly (command line, demo data); `email` must be free.
pub async fn create_user(
    app: &App,
    email: &Email,
    name: &DisplayName,
    password: &Password,
    instance_admin: bool,
) -> AppResult<User> {
    let hash = hash_password(password).await?;
    let user = User {
        id: new_id(),
        email: email.as_str().to_owned(),
        name: name.as_str().to_owned(),
        instance_admin,
        created_at: app.now(),
    };
    insert_user(app, &user, &hash).await?;
    Ok(user)
}

/// Inserts a user row with an already computed password hash.
pub async fn insert_user(app: &App, user: &User, password_hash: &str) -> AppResult<()> {
    let result = sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, instance_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.name)
    .bind(password_hash)
    .bind(i64::from(user.instance_admin))
    .bind(user.created_at)
    .execute(&app.db.write)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            "email",
            "email_taken",
            "an account already uses this e-mail address",
        )),
        Err(e) => Err(e.into()),
    }
}

fn user_from_row(r: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        instance_admin: r.try_get::<i64, _>("instance_admin")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

/// Finds a user by e-mail address.
pub async fn user_by_email(app: &App, email: &str) -> AppResult<Option<User>> {
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT id, email, name, instance_admin, created_at FROM users WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(&app.db.read)
    .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}

async fn failures_since(app: &App, subject: &str, since: i64) -> AppResult<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE subject = $1 AND at > $2")
            .bind(subject)
            .bind(since)
            .fetch_one(&app.db.read)
            .await?;
    Ok(row.try_get::<i64, _>("n")?)
}

/// Checks a password. Failures are counted per account and per client address in the
/// database (so several server processes share the count); past the limit, even a right
/// password is refused until the window has passed.
pub async fn authenticate(app: &App, email: &str, password: &str, client: &str) -> AppResult<User> {
    let now = app.now();
    let account_key = format!("email:{}", email.trim().to_lowercase());
    let address_key = format!("addr:{client}");
    let since = now - LOGIN_WINDOW_MS;
    if failures_since(app, &account_key, since).await? >= LOGIN_MAX_FAILURES_PER_ACCOUNT
        || failures_since(app, &address_key, since).await? >= LOGIN_MAX_FAILURES_PER_ADDRESS
    {
        return Err(AppError::RateLimited {
            retry_after_secs: LOGIN_WINDOW_MS / 1000,
        });
    }
    let row = match Email::parse(email) {
        Ok(e) => sqlx::query("SELECT id, email, name, instance_admin, created_at, password_hash FROM users WHERE email = $1")
            .bind(e.as_str())
            .fetch_optional(&app.db.read)
            .await?,
        Err(_) => None,
    };
    let ok = match &row {
        Some(r) => verify_password(r.try_get("password_hash")?, password.to_owned()).await,
        None => {
            // Spend the same time as for a real account, so timing does not reveal accounts.
            let _ = hash_password(
                &Password::parse("p", "not a real password").map_err(AppError::Invalid)?,
            )
            .await;
            false
        }
    };
    match (ok, row) {
        (true, Some(r)) => {
            sqlx::query("DELETE FROM login_failures WHERE subject = $1")
                .bind(&account_key)
                .execute(&app.db.write)
                .await?;
            Ok(user_from_row(&r)?)
        }
        _ => {
            for subject in [&account_key, &address_key] {
                sqlx::query("INSERT INTO login_failures (id, subject, at) VALUES ($1, $2, $3)")
                    .bind(new_id())
                    .bind(subject)
                    .bind(now)
                    .execute(&app.db.write)
                    .await?;
            }
            sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(since)
                .execute(&app.db.write)
                .await?;
            Err(AppError::Unauthenticated {
                code: "login_failed",
                message: "wrong e-mail address or password".into(),
            })
        }
    }
}

/// Opens a session for a user; returns the secret to put in the cookie. Only its hash is
/// stored.
pub async fn create_session(app: &App, user_id: &str) -> AppResult<String> {
    let token = random_token();
    let now = app.now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(now)
    .bind(now + SESSION_TTL_MS)
    .execute(&app.db.write)
    .await?;
    Ok(token)
}

/// The user behind a session cookie, if the session is alive.
pub async fn session_actor(app: &App, token: &str) -> AppResult<Option<Actor>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.instance_admin, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2",
    )
    .bind(hash_token(token))
    .bind(app.now())
    .fetch_optional(&app.db.read)
    .await?;
    Ok(row
        .as_ref()
        .map(user_from_row)
        .transpose()?
        .as_ref()
        .map(actor_of))
}

/// Ends a session.
pub async fn delete_session(app: &App, token: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(hash_token(token))
        .execute(&app.db.write)
        .await?;
    Ok(())
}

/// Changes the actor's password after checking the current one; every other session of
/// theirs is closed.
pub async fn change_password(
    app: &App,
    actor: &Actor,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> AppResult<()> {
    let new = Password::parse("new_password", new)?;
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(&actor.user_id)
        .fetch_one(&app.db.read)
        .await?;
    if !verify_password(row.try_get("password_hash")?, current.to_owned()).await {
        return Err(AppError::invalid(
            "current_password",
            "password_wrong",
            "the current password is not right",
        ));
    }
    set_password(app, &actor.user_id, &new, keep_session).await
}

async fn set_password(
    app: &App,
    user_id: &str,
    password: &Password,
    keep_session: Option<&str>,
) -> AppResult<()> {
    let hash = hash_password(password).await?;
    let mut tx = app.db.write.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep_session.map(hash_token).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
    let event = audit::Event {
        at: app.now(),
        actor_id: Some(user_id),
        action: "user.password_changed",
        target_type: "user",
        target_id: Some(user_id),
        ..Default::default()
    };
    audit::write(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a password-reset link if the address has an account. Answers the same either
/// way, so the form does not reveal who has an account.
pub async fn request_password_reset(app: &App, email: &str) -> AppResult<()> {
    Email::parse(email)?;
    let Some(user) = user_by_email(app, email).await? else {
        return Ok(());
    };
    let token = random_token();
    let now = app.now();
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash_token(&token))
        .bind(&user.id)
        .bind(now)
        .bind(now + RESET_TTL_MS)
        .execute(&app.db.write)
        .await?;
    app.mailer
        .send(Mail {
            to: user.email.clone(),
            subject: "Fabrique : réinitialiser votre mot de passe / reset your password".into(),
            body: format!(
                "Bonjour {name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure) :\n\
                 To choose a new password, open this link (valid for one hour):\n\n{base}/password/reset/{token}\n\n\
                 Si vous n'avez rien demandé, ignorez ce message. / If you did not ask, ignore this message.\n",
                name = user.name,
                base = app.config.base_url,
            ),
        })
        .await;
    Ok(())
}

/// Sets a new password from a reset link; the link works once.
pub async fn reset_password(app: &App, token: &str, new: &str) -> AppResult<()> {
    let new = Password::parse("password", new)?;
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    let row = sqlx::query("SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(hash_token(token))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Err(AppError::invalid(
            "token",
            "reset_link_invalid",
            "this link has expired or was already used; ask for a new one",
        ));
    };
    let user_id: String = row.try_get("user_id")?;
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(hash_token(token))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    set_password(app, &user_id, &new, None).await
}

/// Creates an API token for the actor; returns the listing entry and the secret, which is
/// shown only this once.
pub async fn create_api_token(
    app: &App,
    actor: &Actor,
    name: &str,
) -> AppResult<(ApiToken, String)> {
    let name = DisplayName::parse("name", name)?;
    let secret = format!("fab_{}", random_token());
    let token = ApiToken {
        id: new_id(),
        name: name.into_string(),
        created_at: app.now(),
        last_used_at: None,
        revoked_at: None,
    };
    sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&token.id)
        .bind(&actor.user_id)
        .bind(&token.name)
        .bind(hash_token(&secret))
        .bind(token.created_at)
        .execute(&app.db.write)
        .await?;
    Ok((token, secret))
}

/// The actor's API tokens, newest first.
pub async fn list_api_tokens(app: &App, actor: &Actor) -> AppResult<Vec<ApiToken>> {
    let rows = sqlx::query("SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC")
        .bind(&actor.user_id)
        .fetch_all(&app.db.read)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Revokes one of the actor's API tokens.
pub async fn revoke_api_token(app: &App, actor: &Actor, id: &str) -> AppResult<()> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(app.now())
        .bind(id)
        .bind(&actor.user_id)
        .execute(&app.db.write)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound { what: "token" });
    }
    Ok(())
}

/// The user behind a bearer token, if it is valid and not revoked.
pub async fn token_actor(app: &App, secret: &str) -> AppResult<Option<Actor>> {
    let hash = hash_token(secret);
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.instance_admin, u.created_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(&app.db.read)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = app.now();
    // Record use at most once a minute, to keep reads cheap.
    if row
        .try_get::<Option<i64>, _>("last_used_at")?
        .is_none_or(|t| now - t > 60_000)
    {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(&app.db.write)
            .await?;
    }
    Ok(Some(actor_of(&user_from_row(&row)?)))
}

/// Deletes expired sessions, used reset links and old sign-in failures.
pub async fn purge_expired(app: &App) -> AppResult<()> {
    let now = app.now();
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&app.db.write)
        .await?;
    sqlx::query("DELETE FROM password_resets WHERE expires_at < $1")
        .bind(now)
        .execute(&app.db.write)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now - LOGIN_WINDOW_MS)
        .execute(&app.db.write)
        .await?;
    Ok(())
}
