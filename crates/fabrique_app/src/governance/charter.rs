//! The charter as code: a versioned text (statutes, internal rules) with a machine-readable
//! block of governance rules.
//!
//! The first revision is recorded by an administrator; every later change is a proposal
//! bound to a decision (a motion of kind `statute`): when that decision closes and passes
//! under the rules in force, the proposal becomes the new revision, whose rules govern every
//! decision opened afterwards. Decisions already open keep the rules they opened with (they
//! are frozen in the decision at opening). Without any charter, [`Rules::default`] applies.

use fabrique_core::ids::new_id;
use fabrique_vote::{Fraction, Majority, Rule};
use sqlx::{AnyConnection, Row};

use super::decisions::{self, DecisionInput};
use crate::{Actor, App, AppError, AppResult, orgs};

/// Quorum and majority for one kind of decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindRules {
    /// Quorum as a fraction of the electorate, e.g. `"1/4"`; none by default.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub quorum: Option<Fraction>,
    /// The majority rule of a motion (same shape as `fabrique tally`'s `rule`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub rule: Rule,
}

/// The machine-readable governance rules of a charter.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Ordinary decisions.
    #[serde(default = "ordinary")]
    pub ordinary: KindRules,
    /// Changes to the statutes (and to this charter).
    #[serde(default = "statute")]
    pub statute: KindRules,
    /// Elections.
    #[serde(default = "ordinary")]
    pub election: KindRules,
    /// How many proxies one member may hold for one decision or assembly (default 2).
    #[serde(default = "two")]
    pub proxy_cap: i64,
    /// Quorum of an assembly on second call (default none).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub second_call_quorum: Option<Fraction>,
    /// Quorum of an assembly on first call (default none).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub assembly_quorum: Option<Fraction>,
    /// Who may draft decisions: `members` (default: members and administrators) or `admins`.
    #[serde(default = "members")]
    pub drafters: String,
}

fn ordinary() -> KindRules {
    KindRules {
        quorum: None,
        rule: Rule::default(),
    }
}

fn statute() -> KindRules {
    KindRules {
        quorum: None,
        rule: Rule {
            majority: Majority::Qualified,
            fraction: Some(Fraction::new(2, 3)),
            base: Default::default(),
        },
    }
}

fn two() -> i64 {
    2
}

fn members() -> String {
    "members".into()
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            ordinary: ordinary(),
            statute: statute(),
            election: ordinary(),
            proxy_cap: 2,
            second_call_quorum: None,
            assembly_quorum: None,
            drafters: members(),
        }
    }
}

impl Rules {
    /// The rules of a kind of decision (`ordinary`, `statute`, `election`).
    pub fn for_kind(&self, kind: &str) -> &KindRules {
        match kind {
            "statute" => &self.statute,
            "election" => &self.election,
            _ => &self.ordinary,
        }
    }

    fn check(&self) -> AppResult<()> {
        if !(0..=100).contains(&self.proxy_cap) {
            return Err(AppError::invalid(
                "rules",
                "proxy_cap_invalid",
                "proxy_cap is between 0 and 100",
            ));
        }
        if !matches!(self.drafters.as_str(), "members" | "admins") {
            return Err(AppError::invalid(
                "rules",
                "drafters_invalid",
                "drafters is “members” or “admins”",
            ));
        }
        for k in [&self.ordinary, &self.statute, &self.election] {
            if k.rule.majority == Majority::Qualified && k.rule.fraction.is_none() {
                return Err(AppError::invalid(
                    "rules",
                    "fraction_missing",
                    "a qualified majority needs a fraction such as \"2/3\"",
                ));
            }
        }
        Ok(())
    }
}

/// One revision of a charter, or a proposed one.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = CharterRevision)]
pub struct Revision {
    /// Id.
    pub id: String,
    /// Revision number (0 while proposed).
    pub revision: i64,
    /// Markdown text.
    pub text: String,
    /// The rules.
    pub rules: Rules,
    /// `adopted`, `proposed` or `rejected`.
    pub status: String,
    /// The decision that adopted it (none for the first revision).
    pub decision_id: Option<String>,
    /// When it was proposed.
    pub created_at: i64,
    /// When it was adopted.
    pub adopted_at: Option<i64>,
}

/// A charter and its history.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Charter {
    /// The revision in force (none: the default rules apply).
    pub current: Option<Revision>,
    /// The rules in force.
    pub rules: Rules,
    /// Every revision and proposal, newest first.
    pub history: Vec<Revision>,
}

/// A new charter text and rules.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct CharterInput {
    /// Markdown text.
    pub text: String,
    /// The rules (absent fields take their defaults).
    #[serde(default)]
    pub rules: Option<serde_json::Value>,
    /// For a change: when voting opens and closes (default: open it by hand).
    #[serde(default)]
    pub opens_at: Option<super::TimeInput>,
    /// When voting closes.
    #[serde(default)]
    pub closes_at: Option<super::TimeInput>,
}

/// What posting a charter did: adopted at once (first revision) or proposed to a vote.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Posted {
    /// The revision.
    pub revision: Revision,
    /// The decision that will decide it, for a change.
    pub decision: Option<decisions::Decision>,
}

fn revision_of(r: &sqlx::any::AnyRow) -> AppResult<Revision> {
    let rules: String = r.try_get("rules")?;
    Ok(Revision {
        id: r.try_get("id")?,
        revision: r.try_get("revision")?,
        text: r.try_get("text")?,
        rules: serde_json::from_str(&rules).map_err(anyhow::Error::from)?,
        status: r.try_get("status")?,
        decision_id: r.try_get("decision_id")?,
        created_at: r.try_get("created_at")?,
        adopted_at: r.try_get("adopted_at")?,
    })
}

const COLS: &str = "id, revision, text, rules, status, decision_id, created_at, adopted_at";

/// The rules in force in an organisation, read in the caller's connection.
pub async fn rules_in(conn: &mut AnyConnection, org_id: &str) -> AppResult<Rules> {
    let r = sqlx::query(
        "SELECT rules FROM charters WHERE org_id = $1 AND status = 'adopted' ORDER BY revision DESC LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    match r {
        Some(r) => {
            Ok(serde_json::from_str(&r.try_get::<String, _>("rules")?)
                .map_err(anyhow::Error::from)?)
        }
        None => Ok(Rules::default()),
    }
}

/// The rules in force in an organisation.
pub async fn rules(app: &App, org_id: &str) -> AppResult<Rules> {
    let mut conn = app.db.read.acquire().await?;
    rules_in(&mut conn, org_id).await
}

/// The charter of an organisation and its history (members).
pub async fn get(app: &App, actor: &Actor, slug: &str) -> AppResult<Charter> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM charters WHERE org_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(&org.id)
    .fetch_all(&app.db.read)
    .await?;
    let history = rows
        .iter()
        .map(revision_of)
        .collect::<AppResult<Vec<_>>>()?;
    let current = history
        .iter()
        .filter(|r| r.status == "adopted")
        .max_by_key(|r| r.revision)
        .cloned();
    let rules = current
        .as_ref()
        .map(|c| c.rules.clone())
        .unwrap_or_default();
    Ok(Charter {
        current,
        rules,
        history,
    })
}

fn parse_rules(value: Option<&serde_json::Value>) -> AppResult<Rules> {
    let rules: Rules = match value {
        None => Rules::default(),
        Some(serde_json::Value::String(text)) => toml::from_str(text)
            .map_err(|e| AppError::invalid("rules", "rules_invalid", e.to_string()))?,
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| AppError::invalid("rules", "rules_invalid", e.to_string()))?,
    };
    rules.check()?;
    Ok(rules)
}

/// Records the first charter (administrators), or proposes a change bound to a new
/// statute decision (members who may draft).
pub async fn post(app: &App, actor: &Actor, slug: &str, input: &CharterInput) -> AppResult<Posted> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let text = fabrique_core::optional_text("text", Some(&input.text), 200_000)?
        .ok_or_else(|| AppError::invalid("text", "required", "this field is required"))?;
    let rules = parse_rules(input.rules.as_ref())?;
    let rules_json = serde_json::to_string(&rules).map_err(anyhow::Error::from)?;
    let exists =
        sqlx::query("SELECT COUNT(*) AS n FROM charters WHERE org_id = $1 AND status = 'adopted'")
            .bind(&org.id)
            .fetch_one(&app.db.read)
            .await?
            .try_get::<i64, _>("n")?
            > 0;
    let now = app.now();
    let id = new_id();
    if !exists {
        orgs::require_admin(app, actor, slug).await?;
        let mut tx = app.db.write.begin().await?;
        sqlx::query("INSERT INTO charters (id, org_id, revision, text, rules, status, created_by, created_at, adopted_at) VALUES ($1, $2, 1, $3, $4, 'adopted', $5, $6, $6)")
            .bind(&id)
            .bind(&org.id)
            .bind(&text)
            .bind(&rules_json)
            .bind(&actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        super::log(
            &mut tx,
            now,
            &org.id,
            Some(&actor.user_id),
            "charter.adopted",
            ("charter", &id),
            serde_json::json!({"revision": 1}),
        )
        .await?;
        tx.commit().await?;
        let revision = get(app, actor, slug)
            .await?
            .current
            .ok_or(AppError::NotFound { what: "charter" })?;
        return Ok(Posted {
            revision,
            decision: None,
        });
    }
    let draft = DecisionInput {
        title: "Modification de la charte / Charter change".into(),
        body: Some(text.clone()),
        kind: Some("statute".into()),
        method: "motion".into(),
        secret: Some(false),
        opens_at: input.opens_at.clone(),
        closes_at: input.closes_at.clone(),
        ..Default::default()
    };
    let decision = decisions::create(app, actor, slug, &draft).await?;
    let mut tx = app.db.write.begin().await?;
    sqlx::query("INSERT INTO charters (id, org_id, revision, text, rules, status, decision_id, created_by, created_at) VALUES ($1, $2, 0, $3, $4, 'proposed', $5, $6, $7)")
        .bind(&id)
        .bind(&org.id)
        .bind(&text)
        .bind(&rules_json)
        .bind(&decision.id)
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE decisions SET charter_id = $1 WHERE id = $2")
        .bind(&id)
        .bind(&decision.id)
        .execute(&mut *tx)
        .await?;
    super::log(
        &mut tx,
        now,
        &org.id,
        Some(&actor.user_id),
        "charter.proposed",
        ("charter", &id),
        serde_json::json!({"decision": decision.id}),
    )
    .await?;
    tx.commit().await?;
    let row = sqlx::query(&format!("SELECT {COLS} FROM charters WHERE id = $1"))
        .bind(&id)
        .fetch_one(&app.db.read)
        .await?;
    Ok(Posted {
        revision: revision_of(&row)?,
        decision: Some(decision),
    })
}

/// Called in the closing transaction of a decision bound to a charter proposal: adopts it
/// when the decision passed, marks it rejected otherwise.
pub(crate) async fn settle(
    conn: &mut AnyConnection,
    now: i64,
    org_id: &str,
    charter_id: &str,
    passed: bool,
) -> AppResult<()> {
    if passed {
        let next: i64 = sqlx::query(
            "SELECT CAST(COALESCE(MAX(revision), 0) AS BIGINT) AS n FROM charters WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
        sqlx::query("UPDATE charters SET status = 'adopted', revision = $1, adopted_at = $2 WHERE id = $3 AND status = 'proposed'")
            .bind(next + 1)
            .bind(now)
            .bind(charter_id)
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query(
            "UPDATE charters SET status = 'rejected' WHERE id = $1 AND status = 'proposed'",
        )
        .bind(charter_id)
        .execute(&mut *conn)
        .await?;
    }
    super::log(
        conn,
        now,
        org_id,
        None,
        if passed {
            "charter.adopted"
        } else {
            "charter.rejected"
        },
        ("charter", charter_id),
        serde_json::json!({}),
    )
    .await
}
