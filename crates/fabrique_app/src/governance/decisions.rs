//! Decisions: drafting, deliberation, opening (which fixes the electorate and the rules),
//! closing (which counts), and the background [`tick`] that does both on time.

use fabrique_core::ids::new_id;
use fabrique_core::{Role, optional_text};
use fabrique_vote::{Election, Fraction, Method, MissingGrade, Rule, Seed, StvVariant};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::{TimeInput, charter, parse_time};
use crate::orgs::{self, Org};
use crate::{Actor, App, AppError, AppResult};

/// A decision.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Decision {
    /// Id.
    pub id: String,
    /// The organisation's id.
    pub org_id: String,
    /// The assembly whose agenda it belongs to, if any.
    pub assembly_id: Option<String>,
    /// `ordinary`, `statute` or `election`: which charter rules apply.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Text (Markdown).
    pub body: String,
    /// Counting method (any method of `fabrique tally`).
    pub method: String,
    /// Options or candidates (none for a motion or consent).
    pub candidates: Vec<String>,
    /// Seats to fill.
    pub seats: u32,
    /// Majority-judgment grades, worst first.
    pub grades: Vec<String>,
    /// How missing majority-judgment grades count.
    #[schema(value_type = String)]
    pub missing_grade: MissingGrade,
    /// The majority rule given by the draft (none: the charter's, fixed at opening).
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Rule>,
    /// The quorum given by the draft (none: the charter's, fixed at opening).
    #[schema(value_type = Option<String>)]
    pub quorum: Option<Fraction>,
    /// Secret ballot.
    pub secret: bool,
    /// Results visible while voting (public ballots only).
    pub live_results: bool,
    /// `draft`, `open` or `closed`.
    pub status: String,
    /// When voting opens by itself (UTC ms).
    pub opens_at: Option<i64>,
    /// When voting closes by itself (UTC ms).
    pub closes_at: Option<i64>,
    /// When it opened.
    pub opened_at: Option<i64>,
    /// When it closed.
    pub closed_at: Option<i64>,
    /// Size of the electorate fixed at opening.
    pub electorate_count: Option<i64>,
    /// SHA-256 of the electorate (sorted `member id TAB college` lines).
    pub electorate_fingerprint: Option<String>,
    /// The election as counted (rule and quorum resolved at opening), without ballots.
    #[schema(value_type = Option<Object>)]
    pub frozen: Option<serde_json::Value>,
    /// The charter proposal this decision decides, if any.
    pub charter_id: Option<String>,
    /// Author (user id).
    pub created_by: String,
    /// Creation time.
    pub created_at: i64,
}

/// A draft decision: the fields of `fabrique tally`'s input (method, candidates, seats,
/// grades, rule, quorum) plus title, body, secret, times. The electorate and colleges come
/// from the organisation.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// Title.
    pub title: String,
    /// Text (Markdown).
    #[serde(default)]
    pub body: Option<String>,
    /// `ordinary` (default), `statute` or `election`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Counting method.
    pub method: String,
    /// Options or candidates.
    #[serde(default)]
    pub candidates: Vec<String>,
    /// Seats (default 1).
    #[serde(default)]
    pub seats: Option<u32>,
    /// Grades, worst first (majority judgment).
    #[serde(default)]
    pub grades: Option<Vec<String>>,
    /// Missing grades (majority judgment).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub missing_grade: Option<MissingGrade>,
    /// Majority rule of a motion.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Rule>,
    /// Quorum, a fraction of the electorate.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub quorum: Option<Fraction>,
    /// Secret ballot (default true).
    #[serde(default)]
    pub secret: Option<bool>,
    /// Results visible while voting (public ballots only; default false).
    #[serde(default)]
    pub live_results: Option<bool>,
    /// Opening time.
    #[serde(default)]
    pub opens_at: Option<TimeInput>,
    /// Closing time.
    #[serde(default)]
    pub closes_at: Option<TimeInput>,
    /// Assembly id.
    #[serde(default)]
    pub assembly: Option<String>,
}

/// A change to a draft; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionPatch {
    /// Title.
    pub title: Option<String>,
    /// Text.
    pub body: Option<String>,
    /// Kind.
    pub kind: Option<String>,
    /// Method.
    pub method: Option<String>,
    /// Candidates.
    pub candidates: Option<Vec<String>>,
    /// Seats.
    pub seats: Option<u32>,
    /// Grades.
    pub grades: Option<Vec<String>>,
    /// Rule.
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Rule>,
    /// Quorum.
    #[schema(value_type = Option<String>)]
    pub quorum: Option<Fraction>,
    /// Secret.
    pub secret: Option<bool>,
    /// Live results.
    pub live_results: Option<bool>,
    /// Opening time.
    pub opens_at: Option<TimeInput>,
    /// Closing time.
    pub closes_at: Option<TimeInput>,
}

/// What a draft stores about counting (`spec` column).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Spec {
    candidates: Vec<String>,
    seats: u32,
    grades: Vec<String>,
    #[serde(default)]
    missing_grade: MissingGrade,
    rule: Option<Rule>,
    quorum: Option<Fraction>,
    #[serde(default)]
    stv_variant: StvVariant,
}

/// What opening froze (`rules` column): the election to count, without ballots.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Frozen {
    pub election: Election,
    pub proxy_cap: i64,
}

const COLS: &str = "id, org_id, assembly_id, kind, title, body, method, spec, secret, live_results, status, opens_at, closes_at, opened_at, closed_at, rules, electorate_count, electorate_fingerprint, charter_id, created_by, created_at";

fn from_row(r: &sqlx::any::AnyRow) -> AppResult<Decision> {
    let spec: Spec =
        serde_json::from_str(&r.try_get::<String, _>("spec")?).map_err(anyhow::Error::from)?;
    let frozen: Option<String> = r.try_get("rules")?;
    let frozen = match frozen {
        Some(f) => Some(
            serde_json::from_str::<Frozen>(&f)
                .map_err(anyhow::Error::from)
                .and_then(|f| serde_json::to_value(f.election).map_err(anyhow::Error::from))?,
        ),
        None => None,
    };
    Ok(Decision {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        assembly_id: r.try_get("assembly_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        method: r.try_get("method")?,
        candidates: spec.candidates,
        seats: spec.seats,
        grades: spec.grades,
        missing_grade: spec.missing_grade,
        rule: spec.rule,
        quorum: spec.quorum,
        secret: r.try_get::<i64, _>("secret")? != 0,
        live_results: r.try_get::<i64, _>("live_results")? != 0,
        status: r.try_get("status")?,
        opens_at: r.try_get("opens_at")?,
        closes_at: r.try_get("closes_at")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
        electorate_count: r.try_get("electorate_count")?,
        electorate_fingerprint: r.try_get("electorate_fingerprint")?,
        frozen,
        charter_id: r.try_get("charter_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Loads a decision of an organisation in the caller's connection.
pub(crate) async fn load_in(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> AppResult<Decision> {
    let r = sqlx::query(&format!(
        "SELECT {COLS} FROM decisions WHERE id = $1 AND org_id = $2"
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound { what: "decision" })?;
    from_row(&r)
}

/// The frozen election of an open or closed decision, in the caller's connection.
pub(crate) async fn frozen_in(conn: &mut AnyConnection, id: &str) -> AppResult<Frozen> {
    let r = sqlx::query("SELECT rules FROM decisions WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    frozen_of(r.try_get("rules")?)
}

/// Reads the `rules` column of a decision: the frozen election, once it has opened.
pub(crate) fn frozen_of(text: Option<String>) -> AppResult<Frozen> {
    let text = text.ok_or_else(|| {
        AppError::conflict(
            "status",
            "decision_not_open",
            "this decision has not opened yet",
        )
    })?;
    Ok(serde_json::from_str(&text).map_err(anyhow::Error::from)?)
}

/// The decision as a member sees it.
pub async fn get(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<(Org, Decision)> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let mut conn = app.db.read.acquire().await?;
    let d = load_in(&mut conn, &org.id, id).await?;
    Ok((org, d))
}

/// The decisions of an organisation, newest first (members).
pub async fn list(app: &App, actor: &Actor, slug: &str) -> AppResult<(Org, Vec<Decision>)> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM decisions WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500"
    ))
    .bind(&org.id)
    .fetch_all(&app.db.read)
    .await?;
    let list = rows.iter().map(from_row).collect::<AppResult<Vec<_>>>()?;
    Ok((org, list))
}

/// Maps an engine error about the election itself to the field it concerns.
fn spec_error(e: fabrique_vote::TallyError) -> AppError {
    let msg = e.to_string();
    let field = [
        "seat",
        "candidate",
        "grade",
        "quorum",
        "rule",
        "fraction",
        "majority",
    ]
    .into_iter()
    .find(|w| msg.contains(w))
    .map(|w| match w {
        "seat" => "seats",
        "candidate" => "candidates",
        "grade" => "grades",
        "quorum" => "quorum",
        _ => "rule",
    })
    .unwrap_or("method");
    AppError::invalid(field, "election_invalid", msg)
}

struct Checked {
    title: String,
    body: String,
    kind: String,
    method: Method,
    spec: Spec,
    secret: bool,
    live_results: bool,
    opens_at: Option<i64>,
    closes_at: Option<i64>,
}

fn check(org: &Org, input: &DecisionInput, now: i64) -> AppResult<Checked> {
    let title = fabrique_core::DisplayName::parse("title", &input.title)?.into_string();
    let body = optional_text("body", input.body.as_deref(), 50_000)?.unwrap_or_default();
    let kind = input
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or("ordinary");
    if !matches!(kind, "ordinary" | "statute" | "election") {
        return Err(AppError::invalid(
            "kind",
            "kind_invalid",
            format!("“{kind}” is not one of: ordinary, statute, election"),
        ));
    }
    let method: Method = input
        .method
        .trim()
        .parse()
        .map_err(|e: fabrique_vote::TallyError| {
            AppError::invalid("method", "method_invalid", e.to_string())
        })?;
    let candidates: Vec<String> = input
        .candidates
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    if matches!(method, Method::Motion | Method::Consent) {
        if !candidates.is_empty() {
            return Err(AppError::invalid(
                "candidates",
                "candidates_unexpected",
                "a motion or a consent decision has no candidates: the question is the text",
            ));
        }
    } else if candidates.len() < 2 {
        return Err(AppError::invalid(
            "candidates",
            "candidates_missing",
            "give at least two options or candidates",
        ));
    }
    let spec = Spec {
        candidates,
        seats: input.seats.unwrap_or(1),
        grades: input
            .grades
            .clone()
            .filter(|g| !g.is_empty())
            .unwrap_or_else(fabrique_vote::model::default_grades),
        missing_grade: input.missing_grade.unwrap_or_default(),
        rule: input.rule.clone(),
        quorum: input.quorum.clone(),
        stv_variant: StvVariant::Scottish,
    };
    // Let the engine judge the election as a whole (seats against candidates, grades, rule…).
    let mut probe = election_of(method, &spec, &charter::Rules::default().ordinary);
    probe.electorate = Some(Fraction::new(1, 1));
    probe.present = Some(Fraction::new(1, 1));
    fabrique_vote::tally(&probe).map_err(spec_error)?;
    if spec
        .rule
        .as_ref()
        .is_some_and(|r| r.base == fabrique_vote::Base::Present)
        && input
            .assembly
            .as_deref()
            .is_none_or(|a| a.trim().is_empty())
    {
        return Err(AppError::invalid(
            "rule",
            "base_present_needs_assembly",
            "a majority of the members present needs an assembly, where attendance is recorded",
        ));
    }
    let secret = input.secret.unwrap_or(true);
    let live_results = input.live_results.unwrap_or(false);
    if secret && live_results {
        return Err(AppError::invalid(
            "live_results",
            "live_results_secret",
            "a secret ballot never shows results before closing",
        ));
    }
    let opens_at = input
        .opens_at
        .as_ref()
        .map(|t| parse_time("opens_at", &org.timezone, t))
        .transpose()?;
    let closes_at = input
        .closes_at
        .as_ref()
        .map(|t| parse_time("closes_at", &org.timezone, t))
        .transpose()?;
    if let Some(c) = closes_at {
        if c <= now {
            return Err(AppError::invalid(
                "closes_at",
                "closes_in_past",
                "the closing time must be in the future",
            ));
        }
        if opens_at.is_some_and(|o| o >= c) {
            return Err(AppError::invalid(
                "closes_at",
                "closes_before_opening",
                "the closing time must come after the opening time",
            ));
        }
    }
    Ok(Checked {
        title,
        body,
        kind: kind.to_owned(),
        method,
        spec,
        secret,
        live_results,
        opens_at,
        closes_at,
    })
}

fn election_of(method: Method, spec: &Spec, kind_rules: &charter::KindRules) -> Election {
    let mut e = Election::new(method, &[]);
    e.candidates = spec.candidates.clone();
    e.seats = spec.seats;
    e.grades = spec.grades.clone();
    e.missing_grade = spec.missing_grade;
    e.rule = spec.rule.clone().unwrap_or_else(|| kind_rules.rule.clone());
    e.quorum = spec.quorum.clone().or_else(|| kind_rules.quorum.clone());
    e.stv_variant = spec.stv_variant;
    e
}

/// Checks that the actor may draft decisions under the charter (also what the drafting
/// form asks before it is shown).
pub async fn require_drafter(app: &App, actor: &Actor, slug: &str) -> AppResult<Org> {
    let (org, m) = orgs::require_member(app, actor, slug).await?;
    let rules = charter::rules(app, &org.id).await?;
    let allowed = match m.role {
        Role::Admin => true,
        Role::Member => rules.drafters == "members",
        Role::Observer => false,
    };
    if !allowed {
        return Err(super::forbidden(
            "drafting_not_allowed",
            "the charter does not let you draft decisions",
        ));
    }
    Ok(org)
}

/// Drafts a decision (members allowed by the charter's `drafters`).
pub async fn create(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &DecisionInput,
) -> AppResult<Decision> {
    let org = require_drafter(app, actor, slug).await?;
    let now = app.now();
    let c = check(&org, input, now)?;
    let assembly_id = match input
        .assembly
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(a) => {
            let found = sqlx::query("SELECT id FROM assemblies WHERE id = $1 AND org_id = $2")
                .bind(a)
                .bind(&org.id)
                .fetch_optional(&app.db.read)
                .await?;
            if found.is_none() {
                return Err(AppError::invalid(
                    "assembly",
                    "assembly_unknown",
                    "no such assembly",
                ));
            }
            Some(a.to_owned())
        }
        None => None,
    };
    let id = new_id();
    let mut tx = app.db.write.begin().await?;
    let position: i64 =
        sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM decisions WHERE assembly_id = $1")
            .bind(&assembly_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
    sqlx::query(
        "INSERT INTO decisions (id, org_id, assembly_id, position, kind, title, body, method, spec, secret, live_results, status, opens_at, closes_at, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $13, $14, $15, $15)",
    )
    .bind(&id)
    .bind(&org.id)
    .bind(&assembly_id)
    .bind(position + 1)
    .bind(&c.kind)
    .bind(&c.title)
    .bind(&c.body)
    .bind(c.method.name())
    .bind(serde_json::to_string(&c.spec).map_err(anyhow::Error::from)?)
    .bind(c.secret as i64)
    .bind(c.live_results as i64)
    .bind(c.opens_at)
    .bind(c.closes_at)
    .bind(&actor.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::log(
        &mut tx,
        now,
        &org.id,
        Some(&actor.user_id),
        "decision.drafted",
        ("decision", &id),
        serde_json::json!({"title": c.title, "method": c.method.name(), "secret": c.secret}),
    )
    .await?;
    let d = load_in(&mut tx, &org.id, &id).await?;
    tx.commit().await?;
    Ok(d)
}

/// Changes a draft (its author or an administrator); an open or closed decision cannot
/// change.
pub async fn update(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
    patch: &DecisionPatch,
) -> AppResult<Decision> {
    let (org, old) = get(app, actor, slug, id).await?;
    if old.created_by != actor.user_id {
        orgs::require_admin(app, actor, slug).await?;
    }
    if old.status != "draft" {
        return Err(AppError::conflict(
            "status",
            "decision_not_draft",
            "only a draft can change; this decision has opened",
        ));
    }
    let input = DecisionInput {
        title: patch.title.clone().unwrap_or(old.title.clone()),
        body: Some(patch.body.clone().unwrap_or(old.body.clone())),
        kind: Some(patch.kind.clone().unwrap_or(old.kind.clone())),
        method: patch.method.clone().unwrap_or(old.method.clone()),
        candidates: patch.candidates.clone().unwrap_or(old.candidates.clone()),
        seats: Some(patch.seats.unwrap_or(old.seats)),
        grades: Some(patch.grades.clone().unwrap_or(old.grades.clone())),
        missing_grade: Some(old.missing_grade),
        rule: patch.rule.clone().or(old.rule.clone()),
        quorum: patch.quorum.clone().or(old.quorum.clone()),
        secret: Some(patch.secret.unwrap_or(old.secret)),
        live_results: Some(patch.live_results.unwrap_or(old.live_results)),
        opens_at: patch.opens_at.clone().or(old.opens_at.map(TimeInput::Ms)),
        closes_at: patch.closes_at.clone().or(old.closes_at.map(TimeInput::Ms)),
        assembly: old.assembly_id.clone(),
    };
    let now = app.now();
    let c = check(&org, &input, now)?;
    let mut tx = app.db.write.begin().await?;
    let done = sqlx::query(
        "UPDATE decisions SET kind = $1, title = $2, body = $3, method = $4, spec = $5, secret = $6, live_results = $7, opens_at = $8, closes_at = $9, updated_at = $10 WHERE id = $11 AND status = 'draft'",
    )
    .bind(&c.kind)
    .bind(&c.title)
    .bind(&c.body)
    .bind(c.method.name())
    .bind(serde_json::to_string(&c.spec).map_err(anyhow::Error::from)?)
    .bind(c.secret as i64)
    .bind(c.live_results as i64)
    .bind(c.opens_at)
    .bind(c.closes_at)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::conflict(
            "status",
            "decision_not_draft",
            "only a draft can change; this decision has opened",
        ));
    }
    super::log(
        &mut tx,
        now,
        &org.id,
        Some(&actor.user_id),
        "decision.updated",
        ("decision", id),
        serde_json::json!({"title": c.title}),
    )
    .await?;
    let d = load_in(&mut tx, &org.id, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// Administrators, and the chair of the assembly a resolution belongs to, open and close
/// decisions.
async fn require_admin_or_chair(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Org> {
    let (org, d) = get(app, actor, slug, id).await?;
    if let Some(a) = &d.assembly_id
        && super::assemblies::chairs(app, actor, &org.id, a).await?
    {
        return Ok(org);
    }
    orgs::require_admin(app, actor, slug).await.map(|(o, _)| o)
}

/// Opens a decision now (administrators, or the chair of its assembly).
pub async fn open(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Decision> {
    let org = require_admin_or_chair(app, actor, slug, id).await?;
    if !open_now(app, &org.id, id, Some(&actor.user_id)).await? {
        let mut conn = app.db.read.acquire().await?;
        load_in(&mut conn, &org.id, id).await?;
        return Err(AppError::conflict(
            "status",
            "decision_not_draft",
            "this decision has already opened",
        ));
    }
    let mut conn = app.db.read.acquire().await?;
    load_in(&mut conn, &org.id, id).await
}

/// Closes a decision now and counts it (administrators, or the chair of its assembly).
pub async fn close(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Decision> {
    let org = require_admin_or_chair(app, actor, slug, id).await?;
    if !close_now(app, &org.id, id, Some(&actor.user_id)).await? {
        let mut conn = app.db.read.acquire().await?;
        load_in(&mut conn, &org.id, id).await?;
        return Err(AppError::conflict(
            "status",
            "decision_not_open",
            "this decision is not open",
        ));
    }
    let mut conn = app.db.read.acquire().await?;
    load_in(&mut conn, &org.id, id).await
}

/// Fingerprint of an electorate: SHA-256 of its `member id TAB college LF` lines, sorted.
pub fn fingerprint(voters: &[(String, Option<String>)]) -> String {
    let mut lines: Vec<String> = voters
        .iter()
        .map(|(m, c)| format!("{m}\t{}\n", c.as_deref().unwrap_or("")))
        .collect();
    lines.sort();
    hex::encode(Sha256::digest(lines.concat().as_bytes()))
}

/// Moves a decision from one status to the next (`draft` → `open` → `closed`), stamping
/// `opened_at` or `closed_at`. The `WHERE status = from` makes it happen once: true only for
/// the caller whose update changed the row, even with several processes on one database.
async fn transition(
    conn: &mut AnyConnection,
    now: i64,
    org_id: &str,
    id: &str,
    from: &str,
    to: &str,
) -> AppResult<bool> {
    let stamp = if to == "open" {
        "opened_at"
    } else {
        "closed_at"
    };
    let done = sqlx::query(&format!(
        "UPDATE decisions SET status = $1, {stamp} = $2, updated_at = $2 WHERE id = $3 AND org_id = $4 AND status = $5"
    ))
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(org_id)
    .bind(from)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Opens a draft exactly once: only the caller whose `UPDATE … WHERE status = 'draft'`
/// changed the row fixes the electorate. Returns whether this call opened it.
pub async fn open_now(
    app: &App,
    org_id: &str,
    id: &str,
    actor_id: Option<&str>,
) -> AppResult<bool> {
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    if !transition(&mut tx, now, org_id, id, "draft", "open").await? {
        return Ok(false);
    }
    let d = load_in(&mut tx, org_id, id).await?;
    let kind: String = sqlx::query("SELECT kind FROM orgs WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("kind")?;
    let rows = sqlx::query(
        "SELECT m.id, g.name AS college FROM members m JOIN categories c ON c.id = m.category_id \
         LEFT JOIN colleges g ON g.id = m.college_id \
         WHERE m.org_id = $1 AND m.status = 'active' AND c.voice = 'deliberative' AND m.role <> 'observer' ORDER BY m.id",
    )
    .bind(org_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut voters = Vec::with_capacity(rows.len());
    for r in &rows {
        voters.push((
            r.try_get::<String, _>("id")?,
            r.try_get::<Option<String>, _>("college")?,
        ));
    }
    let colleges = if kind == "scic" {
        let rows = sqlx::query(
            "SELECT name, share_num, share_den FROM colleges WHERE org_id = $1 ORDER BY position",
        )
        .bind(org_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut map = std::collections::BTreeMap::new();
        for r in &rows {
            map.insert(
                r.try_get::<String, _>("name")?,
                Fraction::new(r.try_get("share_num")?, r.try_get("share_den")?),
            );
        }
        (!map.is_empty()).then_some(map)
    } else {
        None
    };
    if colleges.is_some() {
        if voters.iter().any(|(_, c)| c.is_none()) {
            return Err(AppError::conflict(
                "electorate",
                "college_missing",
                "some members with a deliberative voice have no college; give each one a college before opening",
            ));
        }
    } else {
        for v in &mut voters {
            v.1 = None;
        }
    }
    for (m, c) in &voters {
        sqlx::query(
            "INSERT INTO decision_electorate (decision_id, member_id, college) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(m)
        .bind(c)
        .execute(&mut *tx)
        .await?;
    }
    let rules = charter::rules_in(&mut tx, org_id).await?;
    let method: Method = d
        .method
        .parse()
        .map_err(|e: fabrique_vote::TallyError| anyhow::anyhow!("{e}"))?;
    let spec = Spec {
        candidates: d.candidates.clone(),
        seats: d.seats,
        grades: d.grades.clone(),
        missing_grade: d.missing_grade,
        rule: d.rule.clone(),
        quorum: d.quorum.clone(),
        stv_variant: StvVariant::Scottish,
    };
    let mut kind_rules = rules.for_kind(&d.kind).clone();
    // A resolution of an assembly takes the assembly's quorum (first or second call), met
    // by the members present, remote or represented, unless the draft set its own.
    if let Some(a) = &d.assembly_id {
        let call: i64 = sqlx::query("SELECT call_number FROM assemblies WHERE id = $1")
            .bind(a)
            .fetch_one(&mut *tx)
            .await?
            .try_get("call_number")?;
        let assembly_quorum = if call >= 2 {
            rules.second_call_quorum.clone()
        } else {
            rules.assembly_quorum.clone()
        };
        if call >= 2 || assembly_quorum.is_some() {
            kind_rules.quorum = assembly_quorum;
        }
    }
    let mut election = election_of(method, &spec, &kind_rules);
    election.electorate = Some(Fraction::new(voters.len() as i64, 1));
    election.colleges = colleges;
    election.seed = Some(Seed(id.to_owned()));
    let frozen = Frozen {
        election,
        proxy_cap: rules.proxy_cap,
    };
    let fp = fingerprint(&voters);
    sqlx::query("UPDATE decisions SET rules = $1, electorate_count = $2, electorate_fingerprint = $3 WHERE id = $4")
        .bind(serde_json::to_string(&frozen).map_err(anyhow::Error::from)?)
        .bind(voters.len() as i64)
        .bind(&fp)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::log(
        &mut tx,
        now,
        org_id,
        actor_id,
        "decision.opened",
        ("decision", id),
        serde_json::json!({"electorate": voters.len(), "fingerprint": fp}),
    )
    .await?;
    tx.commit().await?;
    let subject = format!("Vote ouvert / Voting open: {}", d.title);
    notify(app, id, &d.title, &subject, false).await;
    Ok(true)
}

/// Closes an open decision exactly once and stores its result: only the caller whose
/// `UPDATE … WHERE status = 'open'` changed the row counts. Returns whether this call
/// closed it.
pub async fn close_now(
    app: &App,
    org_id: &str,
    id: &str,
    actor_id: Option<&str>,
) -> AppResult<bool> {
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    if !transition(&mut tx, now, org_id, id, "open", "closed").await? {
        return Ok(false);
    }
    let d = load_in(&mut tx, org_id, id).await?;
    let result = super::ballots::count_in(&mut tx, &d).await?;
    sqlx::query("UPDATE decisions SET result = $1 WHERE id = $2")
        .bind(result.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if let Some(charter_id) = &d.charter_id {
        let passed = result["passed"].as_bool().unwrap_or(false);
        charter::settle(&mut tx, now, org_id, charter_id, passed).await?;
    }
    super::log(&mut tx, now, org_id, actor_id, "decision.closed", ("decision", id), serde_json::json!({"valid": result["valid"], "passed": result["passed"], "winners": result["winners"], "participation": result["participation"]})).await?;
    tx.commit().await?;
    let subject = format!("Résultat / Result: {}", d.title);
    notify(app, id, &d.title, &subject, false).await;
    Ok(true)
}

/// E-mails the decision's electorate, or only those whose voice is unused
/// (`only_non_voters`), with a link to the decision. Best effort: a mail failure never
/// undoes a vote; through SMTP the messages leave in the background, so opening or
/// closing does not wait for thousands of deliveries.
async fn notify(app: &App, id: &str, title: &str, subject: &str, only_non_voters: bool) {
    let rows = sqlx::query(
        "SELECT u.email, o.slug FROM decision_electorate e JOIN members m ON m.id = e.member_id JOIN users u ON u.id = m.user_id \
         JOIN orgs o ON o.id = m.org_id WHERE e.decision_id = $1 AND ($2 = 0 OR e.voted = 0)",
    )
    .bind(id)
    .bind(only_non_voters as i64)
    .fetch_all(&app.db.read)
    .await
    .unwrap_or_default();
    let mails = rows
        .iter()
        .filter_map(|r| {
            let (to, slug) = (
                r.try_get::<String, _>("email").ok()?,
                r.try_get::<String, _>("slug").ok()?,
            );
            Some(crate::mail::Mail {
                to,
                subject: subject.to_owned(),
                body: format!(
                    "{title}\n\n{}/o/{slug}/decisions/{id}\n",
                    app.config.base_url
                ),
            })
        })
        .collect();
    app.mailer.send_all(mails).await;
}

const DAY_MS: i64 = 24 * 3_600_000;

/// Opens and closes the decisions that are due; safe to run from several processes at
/// once (each transition happens exactly once). Returns how many this call opened and
/// closed.
pub async fn tick(app: &App) -> AppResult<(usize, usize)> {
    let now = app.now();
    let due_open = sqlx::query("SELECT id, org_id FROM decisions WHERE status = 'draft' AND opens_at IS NOT NULL AND opens_at <= $1")
        .bind(now)
        .fetch_all(&app.db.read)
        .await?;
    let mut opened = 0;
    for r in &due_open {
        let (id, org): (String, String) = (r.try_get("id")?, r.try_get("org_id")?);
        match open_now(app, &org, &id, None).await {
            Ok(true) => opened += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(decision = %id, error = %e, "could not open a decision on time")
            }
        }
    }
    let due_close = sqlx::query("SELECT id, org_id FROM decisions WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= $1")
        .bind(now)
        .fetch_all(&app.db.read)
        .await?;
    // Reminders, once per decision (the `UPDATE … WHERE reminded = 0` is the claim), for
    // decisions that were open more than a day: a shorter vote has just been announced.
    let due_remind = sqlx::query("SELECT id, title FROM decisions WHERE status = 'open' AND reminded = 0 AND closes_at IS NOT NULL AND closes_at > $1 AND closes_at <= $2 AND opened_at < closes_at - $3")
        .bind(now)
        .bind(now + DAY_MS)
        .bind(DAY_MS)
        .fetch_all(&app.db.read)
        .await?;
    for r in &due_remind {
        let id: String = r.try_get("id")?;
        let claimed =
            sqlx::query("UPDATE decisions SET reminded = 1 WHERE id = $1 AND reminded = 0")
                .bind(&id)
                .execute(&app.db.write)
                .await?;
        if claimed.rows_affected() == 1 {
            let title: String = r.try_get("title")?;
            let subject = format!("Plus que 24 heures pour voter / 24 hours left to vote: {title}");
            notify(app, &id, &title, &subject, true).await;
        }
    }
    let mut closed = 0;
    for r in &due_close {
        let (id, org): (String, String) = (r.try_get("id")?, r.try_get("org_id")?);
        if close_now(app, &org, &id, None).await? {
            closed += 1;
        }
    }
    Ok((opened, closed))
}

/// Runs [`tick`] every five seconds, forever: `fabrique serve` spawns it. Errors are
/// logged and the next tick tries again.
pub async fn run_ticks(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = tick(&app).await {
            tracing::warn!(error = %e, "governance tick failed");
        }
    }
}

/// A comment in a decision's deliberation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Comment {
    /// Id.
    pub id: String,
    /// Author's name.
    pub author: String,
    /// `comment` or `objection` (consent decisions; an objection needs a reason).
    pub kind: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: i64,
}

/// A new comment.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewComment {
    /// `comment` (default) or `objection`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Text; for an objection, its reason.
    pub body: String,
}

/// The deliberation of a decision, oldest first (members).
pub async fn comments(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Vec<Comment>> {
    get(app, actor, slug, id).await?;
    let rows = sqlx::query("SELECT c.id, u.name, c.kind, c.body, c.created_at FROM decision_comments c JOIN users u ON u.id = c.author_id WHERE c.decision_id = $1 ORDER BY c.created_at, c.id")
        .bind(id)
        .fetch_all(&app.db.read)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Comment {
                id: r.try_get("id")?,
                author: r.try_get("name")?,
                kind: r.try_get("kind")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Adds to a decision's deliberation (members, not observers; until it closes). An
/// objection is only for consent decisions and needs a reason.
pub async fn comment(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
    input: &NewComment,
) -> AppResult<Comment> {
    let (org, m) = orgs::require_member(app, actor, slug).await?;
    if m.role == Role::Observer {
        return Err(super::forbidden(
            "observer_read_only",
            "observers read the deliberation but do not write in it",
        ));
    }
    let mut conn = app.db.read.acquire().await?;
    let d = load_in(&mut conn, &org.id, id).await?;
    drop(conn);
    if d.status == "closed" {
        return Err(AppError::conflict(
            "body",
            "decision_closed",
            "this decision is closed",
        ));
    }
    let kind = input
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or("comment");
    match kind {
        "comment" => {}
        "objection" if d.method == "consent" => {}
        "objection" => {
            return Err(AppError::invalid(
                "kind",
                "objection_not_consent",
                "objections are for consent decisions",
            ));
        }
        other => {
            return Err(AppError::invalid(
                "kind",
                "kind_invalid",
                format!("“{other}” is not one of: comment, objection"),
            ));
        }
    }
    let body = optional_text("body", Some(&input.body), 10_000)?.ok_or_else(|| {
        if kind == "objection" {
            AppError::invalid(
                "body",
                "reason_required",
                "an objection must carry a reason",
            )
        } else {
            AppError::invalid("body", "required", "this field is required")
        }
    })?;
    let c = Comment {
        id: new_id(),
        author: actor.name.clone(),
        kind: kind.to_owned(),
        body,
        created_at: app.now(),
    };
    sqlx::query("INSERT INTO decision_comments (id, decision_id, author_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&c.id)
        .bind(id)
        .bind(&actor.user_id)
        .bind(&c.kind)
        .bind(&c.body)
        .bind(c.created_at)
        .execute(&app.db.write)
        .await?;
    Ok(c)
}
