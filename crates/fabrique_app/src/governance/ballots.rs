//! Casting ballots, counting them with the engine, and publishing them after closing.
//! See the module documentation of [`super`] for how secrecy is kept.

use std::sync::{Arc, OnceLock};

use fabrique_core::ids::new_random_id;
use fabrique_vote::{Ballot, Election};
use rand::Rng;
use sqlx::{AnyConnection, Row};
use tokio::sync::{mpsc, oneshot};

use super::decisions::{self, Decision, Frozen};
use super::member_id_of;
use crate::{Actor, App, AppError, AppResult, orgs};

/// The receipt of a ballot.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Receipt {
    /// The random tracker of the ballot: keep it to check that it was counted, and to
    /// replace the ballot under secrecy.
    pub tracker: String,
    /// The member whose voice this ballot used (the voter, or the grantor of a proxy).
    pub for_member: String,
    /// Whether this ballot replaced an earlier one.
    pub replaced: bool,
}

/// Who voted and what was counted.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Participation {
    /// Size of the electorate.
    pub electorate: i64,
    /// Voices used (members who voted in person or by proxy).
    pub voted: i64,
    /// Of which by proxy.
    pub by_proxy: i64,
}

/// Votes on an open decision. `body` is a ballot in `fabrique tally`'s shape, plus
/// `for_member` (vote a proxy mandate) and `replaces` (the tracker of the ballot this one
/// replaces, required to revote under secrecy).
pub async fn cast(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
    body: serde_json::Value,
) -> AppResult<Receipt> {
    let (org, m) = orgs::require_member(app, actor, slug).await?;
    let me = member_id_of(&m)?.to_owned();
    let serde_json::Value::Object(mut obj) = body else {
        return Err(AppError::invalid(
            "ballot",
            "ballot_invalid",
            "a ballot is a JSON object",
        ));
    };
    let text_field = |obj: &mut serde_json::Map<String, serde_json::Value>,
                      name: &str|
     -> AppResult<Option<String>> {
        match obj.remove(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(AppError::invalid(
                name,
                "text_expected",
                "expected a string",
            )),
        }
    };
    let for_member = text_field(&mut obj, "for_member")?;
    let replaces = text_field(&mut obj, "replaces")?;
    for forbidden in ["count", "weight", "college"] {
        if obj.contains_key(forbidden) {
            return Err(AppError::invalid(
                forbidden,
                "ballot_field_server_side",
                format!("“{forbidden}” is set by the server from the electorate, not by the voter"),
            ));
        }
    }
    let ballot: Ballot = serde_json::from_value(serde_json::Value::Object(obj))
        .map_err(|e| AppError::invalid("ballot", "ballot_invalid", e.to_string()))?;
    let voice = for_member.clone().unwrap_or_else(|| me.clone());

    let vote = Vote {
        org_id: org.id,
        decision: id.to_owned(),
        user_id: actor.user_id.clone(),
        me,
        voice,
        ballot,
        replaces,
    };
    app.ballots.submit(app, vote).await
}

/// Ballots on their way to the database, stored many to a transaction.
///
/// Under load, what limits voting is the writer (SQLite has one connection for writes,
/// and a decision's row serialises its ballots on PostgreSQL): each ballot alone would
/// hold it for a transaction's begin and commit and for the waits between its
/// statements. A single task takes the ballots waiting (up to [`BATCH`]) and stores them
/// one after the other in one transaction, then answers each; a ballot is acknowledged
/// only once that transaction committed. A refused ballot changes nothing (see
/// [`Vote::record_in`]); if the transaction itself fails, each ballot of the batch is
/// stored again alone, so one failure answers only its own voter.
#[derive(Clone, Default)]
pub struct BallotQueue(Arc<OnceLock<mpsc::Sender<Job>>>);

type Job = (Vote, oneshot::Sender<AppResult<Receipt>>);

/// The most ballots stored in one transaction.
const BATCH: usize = 128;

impl BallotQueue {
    async fn submit(&self, app: &App, vote: Vote) -> AppResult<Receipt> {
        let sender = self.0.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(4 * BATCH);
            tokio::spawn(store_batches(app.clone(), receiver));
            sender
        });
        let (reply, answer) = oneshot::channel();
        let stopped = || AppError::Internal(anyhow::anyhow!("the ballot writer has stopped"));
        sender.send((vote, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn store_batches(app: App, mut receiver: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut jobs, BATCH).await > 0 {
        let batch = std::mem::take(&mut jobs);
        match store_batch(&app, &batch).await {
            Ok(outcomes) => {
                for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, ballots = batch.len(), "a batch of ballots failed; storing them one by one");
                for (vote, reply) in batch {
                    let _ = reply.send(vote.record(&app).await);
                }
            }
        }
    }
}

/// Stores a batch in one transaction: the outcome of each ballot, or the error that
/// stopped the transaction.
async fn store_batch(app: &App, batch: &[Job]) -> AppResult<Vec<AppResult<Receipt>>> {
    let mut tx = app.db.write.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for (vote, _) in batch {
        match vote.record_in(app, &mut tx).await {
            Err(e @ AppError::Internal(_)) => return Err(e),
            outcome => outcomes.push(outcome),
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// A ballot about to be stored, with everything its transaction needs.
struct Vote {
    org_id: String,
    decision: String,
    user_id: String,
    /// The voter's member id.
    me: String,
    /// The member whose voice is used (the voter, or the grantor of a proxy).
    voice: String,
    ballot: Ballot,
    replaces: Option<String>,
}

impl Vote {
    /// Stores the ballot alone in its own transaction.
    async fn record(&self, app: &App) -> AppResult<Receipt> {
        let mut tx = app.db.write.begin().await?;
        let receipt = self.record_in(app, &mut tx).await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// Stores the ballot in the caller's transaction, checking everything that can change
    /// while the decision is open. Every refusal comes before the first write that
    /// matters (only the decision's version may have moved), so that a refused ballot
    /// leaves the other ballots of its batch untouched.
    async fn record_in(&self, app: &App, tx: &mut AnyConnection) -> AppResult<Receipt> {
        let Vote {
            org_id,
            decision,
            user_id,
            me,
            voice,
            ballot,
            replaces,
        } = self;
        let id = decision.as_str();
        let by_proxy = voice != me;
        let now = app.now();
        // Bumping the version both refuses ballots after closing and, on PostgreSQL, locks the
        // row so that closing waits for this ballot (or this ballot sees the closing), and two
        // ballots of one voice never interleave. The same statement returns what voting
        // needs: the decision's settings, the voice's row of the electorate, the proxy the
        // voter holds from that member (a proxy vote) and how many proxies the voter granted
        // (a vote in person cancels them). The writer is the bottleneck (SQLite has one), so
        // the transaction keeps to as few statements as it can.
        let row = sqlx::query(
        "UPDATE decisions SET version = version + 1 \
         WHERE id = $1 AND org_id = $2 AND status = 'open' AND (closes_at IS NULL OR closes_at > $3) \
         RETURNING secret, assembly_id, rules, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM decision_electorate e WHERE e.decision_id = $1 AND e.member_id = $4) AS listed, \
         (SELECT e.voted FROM decision_electorate e WHERE e.decision_id = $1 AND e.member_id = $4) AS voted, \
         (SELECT e.voted_by FROM decision_electorate e WHERE e.decision_id = $1 AND e.member_id = $4) AS voted_by, \
         (SELECT e.college FROM decision_electorate e WHERE e.decision_id = $1 AND e.member_id = $4) AS college, \
         (SELECT MIN(p.id) FROM proxies p WHERE p.grantor_member_id = $4 AND p.holder_member_id = $5 AND p.revoked_at IS NULL \
          AND (p.decision_id = $1 OR (p.assembly_id IS NOT NULL AND p.assembly_id = decisions.assembly_id))) AS held, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM proxies p WHERE p.grantor_member_id = $5 AND p.revoked_at IS NULL \
          AND (p.decision_id = $1 OR (p.assembly_id IS NOT NULL AND p.assembly_id = decisions.assembly_id))) AS granted",
    )
    .bind(id)
    .bind(org_id)
    .bind(now)
    .bind(voice)
    .bind(me)
    .fetch_optional(&mut *tx)
    .await?;
        let Some(row) = row else {
            decisions::load_in(&mut *tx, org_id, id).await?;
            return Err(AppError::conflict(
                "ballot",
                "decision_not_open",
                "this decision is not open for voting",
            ));
        };
        let secret = row.try_get::<i64, _>("secret")? != 0;
        let assembly_id: Option<String> = row.try_get("assembly_id")?;
        let frozen = decisions::frozen_of(row.try_get("rules")?)?;
        if row.try_get::<i64, _>("listed")? == 0 {
            return Err(if by_proxy {
                AppError::invalid(
                    "for_member",
                    "not_in_electorate",
                    "this member is not in this decision's electorate",
                )
            } else {
                super::forbidden(
                    "not_in_electorate",
                    "you are not in this decision's electorate (members with a deliberative voice when it opened)",
                )
            });
        }
        let voted = row.try_get::<i64, _>("voted")? != 0;
        let voted_by: Option<String> = row.try_get("voted_by")?;
        let college: Option<String> = row.try_get("college")?;
        let held: Option<String> = row.try_get("held")?;
        let granted: i64 = row.try_get("granted")?;

        let proxy_id = if by_proxy {
            match held {
                Some(p) => Some(p),
                None => {
                    return Err(super::forbidden(
                        "proxy_not_held",
                        "you hold no proxy from this member for this decision",
                    ));
                }
            }
        } else {
            None
        };
        if voted && voted_by.as_deref() != Some(me.as_str()) {
            return Err(AppError::conflict(
                "ballot",
                "proxy_used",
                if by_proxy {
                    "this member has voted in person"
                } else {
                    "your proxy holder has already voted for you; your proxy can no longer be cancelled"
                },
            ));
        }
        // The engine judges the ballot: a one-ballot election with the decision's settings.
        let mut stored = ballot.clone();
        stored.college = college.clone();
        let mut probe = frozen.election.clone();
        probe.quorum = None;
        probe.present = probe.electorate.clone();
        probe.ballots = vec![stored.clone()];
        if let Err(e) = fabrique_vote::tally(&probe) {
            let msg = e.to_string();
            let msg = msg.strip_prefix("ballot 1: ").unwrap_or(&msg).to_owned();
            return Err(AppError::invalid("ballot", "ballot_invalid", msg));
        }
        let mut content = ballot.clone();
        content.college = None;
        let content = serde_json::to_string(&content).map_err(anyhow::Error::from)?;

        if secret && voted && replaces.is_none() {
            return Err(AppError::invalid(
                "replaces",
                "tracker_required",
                "you have already voted: to change your vote, give the tracker of the ballot it replaces",
            ));
        }

        let tracker = new_random_id();
        let mut replaced = false;
        if secret {
            // (A voter who has voted gave the tracker: refused above otherwise.)
            if let Some(old) = replaces.as_ref().filter(|_| voted) {
                let gone = sqlx::query("DELETE FROM secret_ballots WHERE decision_id = $1 AND tracker = $2 AND COALESCE(college, '') = $3")
                .bind(id)
                .bind(old)
                .bind(college.as_deref().unwrap_or(""))
                .execute(&mut *tx)
                .await?;
                if gone.rows_affected() != 1 {
                    return Err(AppError::invalid(
                        "replaces",
                        "tracker_unknown",
                        "no ballot of this decision has this tracker",
                    ));
                }
                replaced = true;
            }
        }
        if !by_proxy && granted > 0 {
            // Voting in person cancels any proxy the voter granted for this decision.
            let granted = sqlx::query(
            "SELECT id FROM proxies WHERE grantor_member_id = $1 AND revoked_at IS NULL AND (decision_id = $2 OR (assembly_id IS NOT NULL AND assembly_id = $3))",
        )
        .bind(me)
        .bind(id)
        .bind(&assembly_id)
        .fetch_all(&mut *tx)
        .await?;
            for g in &granted {
                let pid: String = g.try_get("id")?;
                sqlx::query("UPDATE proxies SET revoked_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&pid)
                    .execute(&mut *tx)
                    .await?;
                super::log(
                    &mut *tx,
                    now,
                    org_id,
                    Some(user_id),
                    "proxy.cancelled_by_vote",
                    ("proxy", &pid),
                    serde_json::json!({"decision": id}),
                )
                .await?;
            }
        }

        if secret {
            // A random key, not yet taken (a positive 31-bit integer, which fits PostgreSQL's
            // INTEGER; on SQLite it is the rowid, so rows are stored in random order). A taken
            // key inserts nothing, and another is drawn.
            const INSERT: &str = "INSERT INTO secret_ballots (slot, decision_id, tracker, college, content) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slot) DO NOTHING";
            const MARK: &str = "UPDATE decision_electorate SET voted = 1, voted_by = $6 WHERE decision_id = $2 AND member_id = $7";
            let insert = |sql: &'static str, slot: i64| {
                sqlx::query(sql)
                    .bind(slot)
                    .bind(id)
                    .bind(&tracker)
                    .bind(&college)
                    .bind(&content)
            };
            let slot = || rand::rng().random_range(1..i64::from(i32::MAX));
            let mut stored = if app.db.backend == crate::db::Backend::Sqlite {
                // On SQLite both statements go to its worker thread in one trip (its driver
                // runs a string of statements sharing numbered parameters; PostgreSQL's
                // extended protocol takes one statement at a time). The marking changes one
                // row; the insertion one, unless its key was taken.
                static BOTH: std::sync::LazyLock<String> =
                    std::sync::LazyLock::new(|| format!("{MARK}; {INSERT}"));
                let done = insert(BOTH.as_str(), slot())
                    .bind(me)
                    .bind(voice)
                    .execute(&mut *tx)
                    .await?;
                done.rows_affected() == 2
            } else {
                sqlx::query("UPDATE decision_electorate SET voted = 1, voted_by = $1 WHERE decision_id = $2 AND member_id = $3")
                .bind(me)
                .bind(id)
                .bind(voice)
                .execute(&mut *tx)
                .await?;
                false
            };
            while !stored {
                stored = insert(INSERT, slot())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
            }
        } else {
            replaced = voted;
            sqlx::query("UPDATE decision_electorate SET voted = 1, voted_by = $1, ballot = $2, tracker = $3 WHERE decision_id = $4 AND member_id = $5")
            .bind(me)
            .bind(&content)
            .bind(&tracker)
            .bind(id)
            .bind(voice)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(pid) = &proxy_id {
            super::log(
                &mut *tx,
                now,
                org_id,
                Some(user_id),
                "proxy.used",
                ("proxy", pid),
                serde_json::json!({"decision": id, "for_member": voice}),
            )
            .await?;
        }
        Ok(Receipt {
            tracker,
            for_member: voice.clone(),
            replaced,
        })
    }
}

/// A ballot as published: its tracker, its content (with its college) and, for public
/// ballots, the voter.
struct Published {
    tracker: String,
    ballot: Ballot,
    voter: Option<String>,
}

async fn ballots_in(conn: &mut AnyConnection, d: &Decision) -> AppResult<Vec<Published>> {
    // Both queries give tracker, college, content and (public ballots only) the voter.
    let sql = if d.secret {
        "SELECT tracker, college, content, NULL AS name FROM secret_ballots WHERE decision_id = $1 ORDER BY tracker"
    } else {
        "SELECT e.tracker, e.college, e.ballot AS content, u.name FROM decision_electorate e JOIN members m ON m.id = e.member_id \
         JOIN users u ON u.id = m.user_id WHERE e.decision_id = $1 AND e.voted = 1 ORDER BY e.tracker"
    };
    let rows = sqlx::query(sql).bind(&d.id).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let mut ballot: Ballot = serde_json::from_str(&r.try_get::<String, _>("content")?)
                .map_err(anyhow::Error::from)?;
            ballot.college = r.try_get("college")?;
            Ok(Published {
                tracker: r.try_get("tracker")?,
                ballot,
                voter: if d.secret { None } else { r.try_get("name")? },
            })
        })
        .collect()
}

async fn participation_in(conn: &mut AnyConnection, d: &Decision) -> AppResult<Participation> {
    let r = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(voted), 0) AS BIGINT) AS voted, \
         CAST(COALESCE(SUM(CASE WHEN voted = 1 AND voted_by <> member_id THEN 1 ELSE 0 END), 0) AS BIGINT) AS by_proxy \
         FROM decision_electorate WHERE decision_id = $1",
    )
    .bind(&d.id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Participation {
        electorate: r.try_get("n")?,
        voted: r.try_get("voted")?,
        by_proxy: r.try_get("by_proxy")?,
    })
}

/// The election to count: the frozen one, with the ballots and, for a resolution of an
/// assembly, the members present, remote or represented as `present`.
async fn election_in(
    conn: &mut AnyConnection,
    d: &Decision,
    ballots: &[Published],
) -> AppResult<Election> {
    let frozen: Frozen = decisions::frozen_in(conn, &d.id).await?;
    let mut e = frozen.election;
    e.ballots = ballots.iter().map(|p| p.ballot.clone()).collect();
    if let Some(a) = &d.assembly_id {
        let attending = super::assemblies::attending_in(conn, a).await?;
        if attending > 0 {
            e.present = Some(fabrique_vote::Fraction::new(attending, 1));
        }
    }
    Ok(e)
}

/// Counts a decision's ballots with the engine, in the caller's connection: the engine's
/// output plus `participation`.
pub(crate) async fn count_in(
    conn: &mut AnyConnection,
    d: &Decision,
) -> AppResult<serde_json::Value> {
    let ballots = ballots_in(conn, d).await?;
    let participation = participation_in(conn, d).await?;
    let election = election_in(conn, d, &ballots).await?;
    let mut value = match fabrique_vote::tally(&election) {
        Ok(outcome) => serde_json::to_value(outcome).map_err(anyhow::Error::from)?,
        // Every ballot was checked by the engine when cast, so this should not happen; if
        // it does, the decision still closes, as not valid, with the engine's reason, and
        // the published ballots let anyone see why.
        Err(e) => {
            tracing::error!(decision = %d.id, error = %e, "the engine refused a stored election");
            serde_json::json!({"method": d.method, "valid": false, "quorum_reached": false, "ranking": [],
                "winners": [], "passed": null, "tie_break": null, "details": {"error": e.to_string()}})
        }
    };
    value["participation"] = serde_json::to_value(participation).map_err(anyhow::Error::from)?;
    Ok(value)
}

/// The result of a decision: `fabrique tally`'s output plus `participation`. After
/// closing, the stored result; before, only for public ballots with live results.
pub async fn result(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
) -> AppResult<serde_json::Value> {
    let (org, d) = decisions::get(app, actor, slug, id).await?;
    let mut conn = app.db.read.acquire().await?;
    match d.status.as_str() {
        "closed" => {
            let r = sqlx::query("SELECT result FROM decisions WHERE id = $1 AND org_id = $2")
                .bind(id)
                .bind(&org.id)
                .fetch_one(&mut *conn)
                .await?;
            let text: Option<String> = r.try_get("result")?;
            Ok(serde_json::from_str(&text.unwrap_or_default()).map_err(anyhow::Error::from)?)
        }
        "open" if !d.secret && d.live_results => count_in(&mut conn, &d).await,
        _ => Err(AppError::Forbidden {
            code: "results_hidden",
            message: "the results are published when the decision closes".into(),
        }),
    }
}

/// The published ballots of a closed decision: an election `fabrique tally` recounts
/// (`election`), the trackers in the same order, and for public ballots the voters.
pub async fn published(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
) -> AppResult<serde_json::Value> {
    let (_, d) = decisions::get(app, actor, slug, id).await?;
    if d.status != "closed" {
        return Err(AppError::Forbidden {
            code: "results_hidden",
            message: "the ballots are published when the decision closes".into(),
        });
    }
    let mut conn = app.db.read.acquire().await?;
    let ballots = ballots_in(&mut conn, &d).await?;
    let election = election_in(&mut conn, &d, &ballots).await?;
    let mut out = serde_json::json!({
        "election": election,
        "trackers": ballots.iter().map(|b| b.tracker.clone()).collect::<Vec<_>>(),
    });
    if !d.secret {
        out["voters"] =
            serde_json::json!(ballots.iter().map(|b| b.voter.clone()).collect::<Vec<_>>());
    }
    Ok(out)
}

/// Participation so far (members): counts only, never contents.
pub async fn participation(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
) -> AppResult<Participation> {
    let (_, d) = decisions::get(app, actor, slug, id).await?;
    let mut conn = app.db.read.acquire().await?;
    participation_in(&mut conn, &d).await
}

/// Whether the actor's own voice has been used in a decision, and the proxies they hold for
/// it (member id and name, used or not).
pub async fn my_voices(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Voices> {
    let (org, d) = decisions::get(app, actor, slug, id).await?;
    let m = orgs::membership(app, &org.id, Some(actor)).await?;
    let Some(m) = m else {
        return Ok(Voices::default());
    };
    let own = sqlx::query(
        "SELECT voted, voted_by FROM decision_electorate WHERE decision_id = $1 AND member_id = $2",
    )
    .bind(id)
    .bind(&m.member_id)
    .fetch_optional(&app.db.read)
    .await?;
    let mandates = sqlx::query(
        "SELECT p.grantor_member_id, u.name, COALESCE(e.voted, 0) AS voted FROM proxies p JOIN members m ON m.id = p.grantor_member_id JOIN users u ON u.id = m.user_id \
         LEFT JOIN decision_electorate e ON e.decision_id = $1 AND e.member_id = p.grantor_member_id \
         WHERE p.holder_member_id = $2 AND p.revoked_at IS NULL AND (p.decision_id = $1 OR (p.assembly_id IS NOT NULL AND p.assembly_id = $3)) ORDER BY u.name",
    )
    .bind(id)
    .bind(&m.member_id)
    .bind(&d.assembly_id)
    .fetch_all(&app.db.read)
    .await?;
    Ok(Voices {
        member_id: m.member_id.clone(),
        in_electorate: own.is_some(),
        voted: match &own {
            Some(r) => r.try_get::<i64, _>("voted")? != 0,
            None => false,
        },
        mandates: mandates
            .iter()
            .map(|r| {
                Ok(Mandate {
                    member_id: r.try_get("grantor_member_id")?,
                    name: r.try_get("name")?,
                    voted: r.try_get::<i64, _>("voted")? != 0,
                })
            })
            .collect::<AppResult<Vec<_>>>()?,
    })
}

/// The actor's voices in a decision.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Voices {
    /// The actor's member id.
    pub member_id: String,
    /// Whether the actor is in the electorate.
    pub in_electorate: bool,
    /// Whether the actor's own voice has been used.
    pub voted: bool,
    /// Proxies the actor holds for this decision.
    pub mandates: Vec<Mandate>,
}

/// A proxy mandate held.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Mandate {
    /// The grantor's member id (`for_member`).
    pub member_id: String,
    /// The grantor's name.
    pub name: String,
    /// Whether this voice has been used.
    pub voted: bool,
}
