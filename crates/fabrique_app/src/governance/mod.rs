//! Governance: decisions, ballots (secret and public), proxies, colleges, and the charter as
//! code. Counting is never done here: a closed decision's stored ballots become a
//! [`fabrique_vote::Election`] and [`fabrique_vote::tally`] counts it, exactly as
//! `fabrique tally` would.
//!
//! # Life of a decision
//!
//! `draft` → `open` → `closed`. Opening fixes the electorate (the active members, not
//! observers, whose category has a deliberative voice, each with their college) as rows of
//! `decision_electorate`, shown as a count and a SHA-256 fingerprint, and freezes the rules
//! (the charter's quorum and majority for the decision's kind when the draft gave none, the
//! proxy cap). Decisions open and close on time by themselves: [`tick`] runs every few
//! seconds in `fabrique serve`; each transition is one `UPDATE … WHERE id = $1 AND status =
//! '…'` and only the process whose update changed a row acts, so several processes sharing
//! one PostgreSQL open and close each decision exactly once.
//!
//! Every ballot's transaction first bumps the decision's `version` with `… WHERE status =
//! 'open' AND closes_at > now`: a ballot after closing changes no row and is refused, and
//! on PostgreSQL the row lock orders ballots and closing, so an acknowledged ballot is
//! always in the count.
//!
//! # Secret ballots
//!
//! The émargement (that a member's voice was used, and by whom: themselves or their proxy)
//! is the `voted`/`voted_by` flag of the member's electorate row, written when the decision
//! opened, so its rows say nothing about when anyone voted. The content goes to
//! `secret_ballots`: a random tracker (UUID v4), the college (needed to weigh it), the
//! ballot JSON and a random integer key, and nothing else — no member id, no time, no
//! sequence shared with another table, no foreign key. On SQLite the random key is the
//! rowid, so even the physical order of the rows is random. Votes of secret decisions are
//! not written to the audit log (only proxy grants, uses and revocations are, as the rules
//! require).
//!
//! The voter receives the tracker as a receipt. After closing, `GET …/ballots` publishes
//! every ballot with its tracker, as an election `fabrique tally` recounts.
//!
//! Revoting under secrecy: the server cannot find a voter's previous ballot (that is the
//! point), so the voter's client keeps the tracker of the ballot it replaces and sends it
//! (`replaces`); the server deletes that ballot — it must exist in this decision and college
//! — and stores the new one. A voter who has voted and gives no valid tracker is refused,
//! so there is always exactly one ballot per used voice. Trackers are secret until closing,
//! so nobody can replace someone else's ballot.
//!
//! Residual risk, documented rather than hidden: PostgreSQL keeps per-row system columns
//! (`xmin`, `ctid`) and a write-ahead log that a database superuser could use to correlate
//! the two writes of one transaction, and on either engine the write-ahead log keeps recent
//! writes in order until it is checkpointed. An instance that needs protection against its
//! own database superuser should restrict access to these internals (and to backups taken
//! while voting is open).
//!
//! # Proxies
//!
//! A member grants a proxy for one decision or one assembly (every decision of its agenda);
//! a holder holds at most the charter's cap for one decision or assembly. The holder votes
//! each mandate separately (`for_member`). The grantor may revoke the proxy, or vote in
//! person, which revokes it — as long as the holder has not used it yet (after that, under
//! secrecy, nobody could tell which ballot to replace). Grants, uses and revocations are in
//! the audit log.

pub mod assemblies;
pub mod ballots;
pub mod charter;
pub mod decisions;
pub mod demo;
pub mod loadtest;

pub mod proxies;

pub use decisions::{Decision, DecisionInput, DecisionPatch, run_ticks, tick};

use crate::{AppError, AppResult};

/// Converts a time given as UTC milliseconds, an RFC 3339 timestamp, or a local date and
/// time (`2026-12-01T18:00` or `2026-12-01 18:00`) in the organisation's zone, to UTC ms.
pub fn parse_time(field: &str, zone: &str, input: &TimeInput) -> AppResult<i64> {
    let bad = || {
        AppError::invalid(
            field,
            "time_invalid",
            "write a date and time like 2026-12-01 18:00",
        )
    };
    match input {
        TimeInput::Ms(ms) => Ok(*ms),
        TimeInput::Text(text) => {
            let t = text.trim();
            if let Ok(ts) = t.parse::<jiff::Timestamp>() {
                return Ok(ts.as_millisecond());
            }
            let civil: jiff::civil::DateTime =
                t.replacen(' ', "T", 1).parse().map_err(|_| bad())?;
            let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
            let zoned = civil.to_zoned_datetime(tz).map_err(|_| bad())?;
            Ok(zoned.timestamp().as_millisecond())
        }
    }
}

/// A time as the API accepts it: UTC milliseconds, or text in the organisation's zone.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum TimeInput {
    /// Milliseconds since the epoch, UTC.
    Ms(i64),
    /// `2026-12-01 18:00` (organisation's time zone) or an RFC 3339 timestamp.
    Text(String),
}

/// A refusal (403) with its own code, so that pages can say why in the reader's language.
pub(crate) fn forbidden(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::Forbidden {
        code,
        message: message.into(),
    }
}

/// The member id of the actor in an organisation, or a 403 naming why.
pub(crate) fn member_id_of(m: &crate::orgs::Membership) -> AppResult<&str> {
    if m.member_id.is_empty() {
        return Err(forbidden(
            "members_only",
            "only members of this organisation may do this",
        ));
    }
    Ok(&m.member_id)
}

/// Writes an audit event of this module in the caller's transaction; `target` is the kind
/// of thing changed and its id.
pub(crate) async fn log(
    conn: &mut sqlx::AnyConnection,
    at: i64,
    org_id: &str,
    actor_id: Option<&str>,
    action: &str,
    target: (&str, &str),
    detail: serde_json::Value,
) -> AppResult<()> {
    crate::audit::write(
        conn,
        crate::audit::Event {
            at,
            org_id: Some(org_id),
            actor_id,
            action,
            target_type: target.0,
            target_id: Some(target.1),
            detail,
        },
    )
    .await
}
