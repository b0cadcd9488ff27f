//! Seeding for the ballot load benchmark (`bench/ballots.sh`, `fabrique bench-seed`).
//!
//! Signing in 10,000 voters would cost 10,000 argon2 hashes (minutes on a small machine)
//! and measure sign-in, not voting. So the voters' accounts, memberships and sessions are
//! written directly, in bulk, the way sign-in would leave them (a session row holding the
//! SHA-256 of a random token). Everything the benchmark measures still goes through the
//! real paths: the organisation and the decision are created and opened by their use cases
//! (opening fixes the electorate as usual), and each ballot is an HTTP request carrying
//! one voter's own session cookie, answered by [`super::ballots::cast`].

use fabrique_core::ids::{hash_token, new_id, random_token};
use fabrique_core::{DisplayName, Email, Password};
use sqlx::Row;

use super::decisions::{self, DecisionInput};
use crate::accounts::{self, SESSION_TTL_MS, User};
use crate::orgs::{self, NewOrg};
use crate::{App, AppError, AppResult};

/// What the load client needs: where to vote and one session per voter.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Seed {
    /// The organisation's address.
    pub slug: String,
    /// The open decision (a secret-ballot motion).
    pub decision: String,
    /// A session token of the organisation's administrator (to close and count).
    pub admin_session: String,
    /// One session token per voter, each a different member of the electorate.
    pub voters: Vec<String>,
}

/// Rows per multi-row `INSERT` (well under both engines' limits on bound parameters).
const CHUNK: usize = 500;

/// Creates an organisation with `voters` members (plus its administrator), a session per
/// voter, and an open secret-ballot motion whose electorate is every one of them.
pub async fn seed_voters(app: &App, voters: usize) -> AppResult<Seed> {
    if voters == 0 || voters > 1_000_000 {
        return Err(AppError::invalid(
            "voters",
            "voters_out_of_range",
            "give between 1 and 1,000,000 voters",
        ));
    }
    let run = new_id().replace('-', "")[20..].to_owned();
    let now = app.now();
    // One hash of a random password shared by every seeded account: nobody knows it, and
    // the benchmark does not sign in.
    let hash = accounts::hash_password(&Password::parse("password", &random_token())?).await?;
    let admin = User {
        id: new_id(),
        email: Email::parse(&format!("admin-{run}@bench.invalid"))?.into_string(),
        name: DisplayName::parse("name", "Bench admin")?.into_string(),
        instance_admin: false,
        created_at: now,
    };
    accounts::insert_user(app, &admin, &hash).await?;
    let actor = accounts::actor_of(&admin);
    let org = orgs::create(
        app,
        &actor,
        &NewOrg {
            slug: format!("bench-{run}"),
            name: format!("Bench {run}"),
            kind: "association".into(),
            ..Default::default()
        },
    )
    .await?;
    let category: String = sqlx::query(
        "SELECT id FROM categories WHERE org_id = $1 AND voice = 'deliberative' ORDER BY position LIMIT 1",
    )
    .bind(&org.id)
    .fetch_one(&app.db.read)
    .await?
    .try_get("id")?;

    let mut tokens = Vec::with_capacity(voters);
    let mut tx = app.db.write.begin().await?;
    let ids: Vec<usize> = (0..voters).collect();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(String, String, String)> = chunk
            .iter()
            .map(|_| (new_id(), new_id(), random_token()))
            .collect();
        let mut users = String::from(
            "INSERT INTO users (id, email, name, password_hash, instance_admin, created_at) VALUES ",
        );
        let mut members = String::from(
            "INSERT INTO members (id, org_id, user_id, role, category_id, status, joined_at) VALUES ",
        );
        let mut sessions =
            String::from("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ");
        for k in 0..chunk.len() {
            let sep = if k == 0 { "" } else { ", " };
            let p = k * 3;
            users.push_str(&format!(
                "{sep}(${}, ${}, ${}, $1, 0, $2)",
                p + 3,
                p + 4,
                p + 5
            ));
            members.push_str(&format!(
                "{sep}(${}, $1, ${}, 'member', $2, 'active', $3)",
                k * 2 + 4,
                k * 2 + 5
            ));
            sessions.push_str(&format!("{sep}(${}, ${}, $1, $2)", k * 2 + 3, k * 2 + 4));
        }
        let mut q = sqlx::query(&users).bind(&hash).bind(now);
        for (&i, (user, _, _)) in chunk.iter().zip(&rows) {
            q = q
                .bind(user)
                .bind(format!("voter-{i}-{run}@bench.invalid"))
                .bind(format!("Voter {i}"));
        }
        q.execute(&mut *tx).await?;
        let mut q = sqlx::query(&members)
            .bind(&org.id)
            .bind(&category)
            .bind(now);
        for (user, member, _) in &rows {
            q = q.bind(member).bind(user);
        }
        q.execute(&mut *tx).await?;
        let mut q = sqlx::query(&sessions).bind(now).bind(now + SESSION_TTL_MS);
        for (user, _, token) in &rows {
            q = q.bind(hash_token(token)).bind(user);
        }
        q.execute(&mut *tx).await?;
        tokens.extend(rows.into_iter().map(|(_, _, t)| t));
    }
    tx.commit().await?;

    let decision = decisions::create(
        app,
        &actor,
        &org.slug,
        &DecisionInput {
            title: format!("Load benchmark {run}"),
            method: "motion".into(),
            secret: Some(true),
            ..Default::default()
        },
    )
    .await?;
    decisions::open(app, &actor, &org.slug, &decision.id).await?;
    Ok(Seed {
        slug: org.slug,
        decision: decision.id,
        admin_session: accounts::create_session(app, &admin.id).await?,
        voters: tokens,
    })
}
