//! Governance pages: the decisions list, the draft form, the decision page (deliberation,
//! voting form for each method, proxies, results with server-rendered SVG charts), the
//! receipt, CSV and JSON downloads of results, and the charter. No JavaScript needed: the
//! vendored `governance-live.js` only refreshes the live parts of decision and assembly pages.

use crate::routes::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fabrique_app::governance::assemblies::{self, Assembly, AssemblyView, Attendance, NewAssembly};
use fabrique_app::governance::ballots::{self, Participation, Receipt, Voices};
use fabrique_app::governance::charter::{self, Charter};
use fabrique_app::governance::decisions::{self, Comment, Decision, DecisionInput, NewComment};
use fabrique_app::governance::proxies::{self, Proxy, ProxyInput};
use fabrique_app::members::{self, Member};
use fabrique_app::orgs::{self, Org};
use fabrique_app::{AppError, governance::TimeInput};
use serde_json::{Value, json};

use super::{FormState, PageResult, is_form_error, render, render_with_status};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

pub fn router() -> Routes {
    Routes::new()
        .route("/o/{slug}/decisions", get(list))
        .route("/o/{slug}/decisions/new", get(new_form).post(create))
        .route("/o/{slug}/decisions/{id}", get(page))
        .route("/o/{slug}/decisions/{id}/live", get(decision_live))
        .route("/o/{slug}/decisions/{id}/open", post(open))
        .route("/o/{slug}/decisions/{id}/close", post(close))
        .route("/o/{slug}/decisions/{id}/vote", post(vote))
        .route("/o/{slug}/decisions/{id}/comments", post(comment))
        .route("/o/{slug}/decisions/{id}/proxy", post(grant_proxy))
        .route("/o/{slug}/decisions/{id}/proxy/revoke", post(revoke_proxy))
        .route("/o/{slug}/decisions/{id}/result.csv", get(result_csv))
        .route("/o/{slug}/decisions/{id}/result.json", get(result_json))
        .route("/o/{slug}/charter", get(charter_page).post(propose_charter))
        .route("/o/{slug}/assemblies", get(assemblies_page).post(convene))
        .route("/o/{slug}/assemblies/{id}", get(assembly_page))
        .route("/o/{slug}/assemblies/{id}/live", get(assembly_live))
        .route("/o/{slug}/assemblies/{id}/attendance", post(attendance))
        .route("/o/{slug}/assemblies/{id}/proxy", post(assembly_proxy))
        .route(
            "/o/{slug}/assemblies/{id}/proxy/revoke",
            post(revoke_assembly_proxy),
        )
        .route("/o/{slug}/assemblies/{id}/minutes", get(minutes_page))
        .route("/o/{slug}/assemblies/{id}/minutes.md", get(minutes_md))
        .route("/o/{slug}/assemblies/{id}/sign", post(sign))
        .route("/static/governance-print.css", get(print_css))
        .route("/static/governance-live.js", get(live_js))
}

/// A governance error with its message in the page's language: every governance code has
/// a message under `governance-error-<code>` in both locale files (with the server's English
/// text as `$detail` where the engine's own words matter); a code shared with the rest of
/// the site (`required`, `forbidden`…) falls back to `error-<code>`.
fn localized(ctx: &Ctx, e: &AppError) -> AppError {
    let code = e.code();
    let detail = e.to_string();
    let mut message = ctx
        .tr
        .f(&format!("governance-error-{code}"), &[("detail", &detail)]);
    if message.starts_with("governance-error-") {
        message = ctx.tr.error(code, &detail).into_owned();
    }
    let field = e.field().unwrap_or("form").to_owned();
    match e {
        AppError::Invalid(_) => AppError::invalid(field, code, message),
        AppError::Conflict(_) => AppError::conflict(field, code, message),
        AppError::Forbidden { code, .. } => AppError::Forbidden { code, message },
        AppError::Unauthenticated { code, .. } => AppError::Unauthenticated { code, message },
        // Not found, rate limits and internal errors have their own generic pages ([`fail`]
        // passes them on untouched, with the internal cause for the log).
        AppError::NotFound { what } => AppError::NotFound { what },
        AppError::RateLimited { retry_after_secs } => AppError::RateLimited {
            retry_after_secs: *retry_after_secs,
        },
        AppError::Internal(_) => AppError::Internal(anyhow::anyhow!("internal error")),
    }
}

/// Like the site's `OrPage`, with the error's message in the page's language first.
trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, crate::error::PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, crate::error::PageError> {
        self.map_err(|e| fail(ctx, e))
    }
}

/// An error page in the reader's language.
fn fail(ctx: &Ctx, e: AppError) -> crate::error::PageError {
    match e {
        // Internal errors keep their cause for the log, which the error page writes.
        AppError::Internal(_) | AppError::NotFound { .. } | AppError::RateLimited { .. } => {
            ctx.fail(e)
        }
        e => ctx.fail(localized(ctx, &e)),
    }
}

/// The translated name of a counting method (`governance-method-<name>`).
pub fn method_label(ctx: &Ctx, method: &str) -> String {
    ctx.tr
        .t(&format!("governance-method-{}", method.replace('_', "-")))
        .to_owned()
}

/// The methods offered in the draft form, in the engine's order.
const METHODS: &[&str] = &[
    "motion",
    "consent",
    "plurality",
    "approval",
    "score",
    "borda",
    "copeland",
    "schulze",
    "ranked_pairs",
    "irv",
    "stv",
    "majority_judgment",
];

#[derive(Template)]
#[template(path = "governance_list.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    decisions: Vec<Decision>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, decisions) = decisions::list(&state.app, &user, &slug)
        .await
        .or_page(&ctx)?;
    Ok(render(&ListPage {
        ctx,
        org,
        decisions,
    }))
}

const DRAFT_FIELDS: &[&str] = &[
    "title",
    "body",
    "kind",
    "method",
    "candidates",
    "seats",
    "quorum",
    "majority",
    "fraction",
    "secret",
    "opens_at",
    "closes_at",
    "assembly",
];

#[derive(Template)]
#[template(path = "governance_new.html")]
struct NewPage {
    ctx: Ctx,
    org: Org,
    form: FormState,
    methods: &'static [&'static str],
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    assembly: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let org = decisions::require_drafter(&state.app, &user, &slug)
        .await
        .or_page(&ctx)?;
    let form = FormState::new(DRAFT_FIELDS)
        .with("method", "motion")
        .with("kind", "ordinary")
        .with("secret", "1")
        .with("assembly", q.assembly.unwrap_or_default());
    Ok(render(&NewPage {
        ctx,
        org,
        form,
        methods: METHODS,
    }))
}

#[derive(serde::Deserialize)]
struct DraftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    candidates: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    quorum: String,
    #[serde(default)]
    majority: String,
    #[serde(default)]
    fraction: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
    #[serde(default)]
    assembly: String,
}

fn draft_input(f: &DraftForm) -> Result<DecisionInput, AppError> {
    let seats = match f.seats.trim() {
        "" => None,
        s => Some(s.parse().map_err(|_| {
            AppError::invalid(
                "seats",
                "seats_invalid",
                "the number of seats is a whole number",
            )
        })?),
    };
    let quorum = match f.quorum.trim() {
        "" => None,
        q => Some(
            serde_json::from_value(json!(q))
                .map_err(|e| AppError::invalid("quorum", "quorum_invalid", e.to_string()))?,
        ),
    };
    let rule = match f.majority.trim() {
        "" => None,
        m => {
            let mut r = json!({"majority": m});
            if !f.fraction.trim().is_empty() {
                r["fraction"] = json!(f.fraction.trim());
            }
            Some(
                serde_json::from_value(r)
                    .map_err(|e| AppError::invalid("majority", "rule_invalid", e.to_string()))?,
            )
        }
    };
    let time = |t: &str| (!t.trim().is_empty()).then(|| TimeInput::Text(t.trim().to_owned()));
    Ok(DecisionInput {
        title: f.title.clone(),
        body: Some(f.body.clone()),
        kind: Some(f.kind.clone()),
        method: f.method.clone(),
        candidates: f.candidates.lines().map(str::to_owned).collect(),
        seats,
        rule,
        quorum,
        secret: Some(f.secret == "1"),
        opens_at: time(&f.opens_at),
        closes_at: time(&f.closes_at),
        assembly: Some(f.assembly.clone()).filter(|a| !a.is_empty()),
        ..Default::default()
    })
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<DraftForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let result = match draft_input(&f) {
        Ok(input) => decisions::create(&state.app, &user, &slug, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(Redirect::to(&format!("/o/{slug}/decisions/{}", d.id)).into_response()),
        Err(e) if is_form_error(&e) => {
            let (org, _) = orgs::require_member(&state.app, &user, &slug)
                .await
                .or_page(&ctx)?;
            let form = FormState::new(DRAFT_FIELDS)
                .with("title", f.title)
                .with("body", f.body)
                .with("kind", f.kind)
                .with("method", f.method)
                .with("candidates", f.candidates)
                .with("seats", f.seats)
                .with("quorum", f.quorum)
                .with("majority", f.majority)
                .with("fraction", f.fraction)
                .with("secret", f.secret)
                .with("opens_at", f.opens_at)
                .with("closes_at", f.closes_at)
                .with("assembly", f.assembly)
                .failed(&ctx, &localized(&ctx, &e));
            Ok(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewPage {
                    ctx,
                    org,
                    form,
                    methods: METHODS,
                },
            ))
        }
        Err(e) => Err(fail(&ctx, e)),
    }
}

/// A pairwise matrix: the candidates, then each row's name and cells.
type Matrix = (Vec<String>, Vec<(String, Vec<String>)>);

/// A result prepared for display.
struct ResultView {
    valid: bool,
    passed: Option<bool>,
    winners: Vec<String>,
    ranking: Vec<String>,
    chart: String,
    matrix: Option<Matrix>,
    rounds: Vec<(usize, String, String, String)>,
    objections: Vec<String>,
    participation: String,
}

#[derive(Template)]
#[template(path = "governance_decision.html")]
struct DecisionPage {
    ctx: Ctx,
    org: Org,
    d: Decision,
    body_html: String,
    participation: Participation,
    me: Voices,
    comments: Vec<Comment>,
    /// Administrators, and the chair of the resolution's assembly: may open and close it.
    may_run: bool,
    result: Option<ResultView>,
    form: FormState,
    replaces: String,
    for_member: String,
    holders: Vec<Member>,
    my_proxy: Option<Proxy>,
    ranks: Vec<usize>,
    notice: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    replaces: Option<String>,
    #[serde(default)]
    for_member: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

const VOTE_FIELDS: &[&str] = &["comment"];

async fn decision_page(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    id: &str,
    q: PageQuery,
    form: FormState,
    status: StatusCode,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let app = &state.app;
    let (org, d) = decisions::get(app, &user, slug, id).await.or_page(&ctx)?;
    let (participation, result) = live_parts(state, &ctx, &user, slug, &d).await?;
    let me = ballots::my_voices(app, &user, slug, id)
        .await
        .or_page(&ctx)?;
    let comments = decisions::comments(app, &user, slug, id)
        .await
        .or_page(&ctx)?;
    // Administrators, and the chair of the assembly a resolution belongs to, open and close it.
    let may_run = orgs::require_admin(app, &user, slug).await.is_ok()
        || match &d.assembly_id {
            Some(a) => assemblies::chairs(app, &user, &org.id, a)
                .await
                .or_page(&ctx)?,
            None => false,
        };
    let holders = if d.status == "closed" {
        vec![]
    } else {
        members::list(app, &user, slug)
            .await
            .map(|(_, l)| l)
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.id != me.member_id && m.role != fabrique_core::Role::Observer)
            .collect()
    };
    let my_proxy = proxies::mine(app, &user, slug)
        .await
        .or_page(&ctx)?
        .into_iter()
        .find(|p| {
            p.revoked_at.is_none()
                && p.grantor == me.member_id
                && p.decision_id.as_deref() == Some(id)
        });
    let notice = q.notice.as_deref().map(|n| match n {
        "opened" => ctx.tr.t("governance-notice-opened").to_owned(),
        "closed" => ctx.tr.t("governance-notice-closed").to_owned(),
        "proxy" => ctx.tr.t("governance-notice-proxy").to_owned(),
        "revoked" => ctx.tr.t("governance-notice-revoked").to_owned(),
        _ => String::new(),
    });
    let body_html = super::markdown(&d.body);
    let ranks = (1..=d.candidates.len()).collect();
    Ok(render_with_status(
        status,
        &DecisionPage {
            ctx,
            org,
            body_html,
            participation,
            me,
            comments,
            may_run,
            result,
            form,
            replaces: q.replaces.unwrap_or_default(),
            for_member: q.for_member.unwrap_or_default(),
            holders,
            my_proxy,
            ranks,
            notice: notice.filter(|n| !n.is_empty()),
            d,
        },
    ))
}

/// What the live part of a decision shows: participation so far, and the result when the
/// use case lets it be seen (closed, or a public ballot with live results; never a secret
/// ballot before closing).
async fn live_parts(
    state: &AppState,
    ctx: &Ctx,
    user: &fabrique_app::Actor,
    slug: &str,
    d: &Decision,
) -> Result<(Participation, Option<ResultView>), crate::error::PageError> {
    let participation = ballots::participation(&state.app, user, slug, &d.id)
        .await
        .or_page(ctx)?;
    let result = match ballots::result(&state.app, user, slug, &d.id).await {
        Ok(v) => Some(result_view(ctx, d, &v)),
        Err(AppError::Forbidden { .. }) => None,
        Err(e) => return Err(fail(ctx, e)),
    };
    Ok((participation, result))
}

/// The live part of a decision's page alone (polled by `governance-live.js`).
#[derive(Template)]
#[template(path = "governance_decision_live.html")]
struct DecisionLive {
    ctx: Ctx,
    org: Org,
    d: Decision,
    participation: Participation,
    result: Option<ResultView>,
}

/// A fragment that changes with every vote: never cached.
fn live_response(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn decision_live(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, d) = decisions::get(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    let (participation, result) = live_parts(&state, &ctx, &user, &slug, &d).await?;
    Ok(live_response(render(&DecisionLive {
        ctx,
        org,
        d,
        participation,
        result,
    })))
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    decision_page(
        &state,
        ctx,
        &slug,
        &id,
        q,
        FormState::new(VOTE_FIELDS),
        StatusCode::OK,
    )
    .await
}

async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::account::Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    decisions::open(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/o/{slug}/decisions/{id}?notice=opened")).into_response())
}

async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::account::Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    decisions::close(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/o/{slug}/decisions/{id}?notice=closed")).into_response())
}

/// All values of a form field (checkboxes send one pair per box).
fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    values(pairs, name).first().copied().unwrap_or("").trim()
}

/// Turns the voting form into a ballot in `fabrique tally`'s shape.
fn ballot_from_form(d: &Decision, pairs: &[(String, String)]) -> Value {
    let mut ballot = match d.method.as_str() {
        "motion" | "plurality" => json!({"choice": value(pairs, "choice")}),
        "consent" => match value(pairs, "consent") {
            "objection" => json!({"objection": value(pairs, "reason")}),
            "stand_aside" => json!({"stand_aside": value(pairs, "reason")}),
            _ => json!({"consent": true}),
        },
        "approval" => json!({"approve": values(pairs, "approve")}),
        "score" => {
            let mut scores = serde_json::Map::new();
            for (i, c) in d.candidates.iter().enumerate() {
                let v = value(pairs, &format!("score-{i}"));
                if !v.is_empty() {
                    scores.insert(
                        c.clone(),
                        v.parse::<i64>().map(Value::from).unwrap_or(json!(v)),
                    );
                }
            }
            json!({"scores": scores})
        }
        "majority_judgment" => {
            let mut grades = serde_json::Map::new();
            for (i, c) in d.candidates.iter().enumerate() {
                let v = value(pairs, &format!("grade-{i}"));
                if !v.is_empty() {
                    grades.insert(c.clone(), json!(v));
                }
            }
            json!({"grades": grades})
        }
        _ => {
            // Ranked methods: equal rank numbers make a tier; unranked candidates tie last.
            let mut ranked: Vec<(usize, &str)> = d
                .candidates
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    value(pairs, &format!("rank-{i}"))
                        .parse::<usize>()
                        .ok()
                        .map(|r| (r, c.as_str()))
                })
                .collect();
            ranked.sort();
            let mut tiers: Vec<(usize, Vec<&str>)> = Vec::new();
            for (r, c) in ranked {
                match tiers.last_mut() {
                    Some((last, tier)) if *last == r => tier.push(c),
                    _ => tiers.push((r, vec![c])),
                }
            }
            json!({"ranking": tiers.into_iter().map(|(_, t)| t).collect::<Vec<_>>()})
        }
    };
    for key in ["for_member", "replaces"] {
        let v = value(pairs, key);
        if !v.is_empty() {
            ballot[key] = json!(v);
        }
    }
    ballot
}

#[derive(Template)]
#[template(path = "governance_receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    org: Org,
    d: Decision,
    receipt: Receipt,
}

async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, d) = decisions::get(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    let ballot = ballot_from_form(&d, &pairs);
    match ballots::cast(&state.app, &user, &slug, &id, ballot).await {
        Ok(receipt) => Ok(render(&ReceiptPage {
            ctx,
            org,
            d,
            receipt,
        })),
        Err(e) if is_form_error(&e) => {
            let q = PageQuery {
                replaces: Some(value(&pairs, "replaces").to_owned()),
                for_member: Some(value(&pairs, "for_member").to_owned()),
                notice: None,
            };
            refused(&state, ctx, &slug, &id, q, FormState::new(VOTE_FIELDS), &e).await
        }
        Err(e) => Err(fail(&ctx, e)),
    }
}

/// The decision page again, with the message of a refused form.
async fn refused(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    id: &str,
    q: PageQuery,
    form: FormState,
    e: &AppError,
) -> PageResult {
    let form = form.failed(&ctx, &localized(&ctx, e));
    let status = crate::error::status_of(e);
    decision_page(state, ctx, slug, id, q, form, status).await
}

#[derive(serde::Deserialize)]
struct CommentForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
}

async fn comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<CommentForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = NewComment {
        kind: Some(f.kind.clone()),
        body: f.body.clone(),
    };
    match decisions::comment(&state.app, &user, &slug, &id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/o/{slug}/decisions/{id}#deliberation")).into_response())
        }
        Err(e) if is_form_error(&e) => {
            // Every refusal of a comment is shown next to the comment field.
            let e = AppError::invalid("comment", e.code(), e.to_string());
            let form = FormState::new(&["comment"])
                .with("comment", f.body)
                .with("kind", f.kind);
            refused(&state, ctx, &slug, &id, PageQuery::default(), form, &e).await
        }
        Err(e) => Err(fail(&ctx, e)),
    }
}

#[derive(serde::Deserialize)]
struct ProxyForm {
    #[serde(default)]
    holder: String,
}

async fn grant_proxy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<ProxyForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = ProxyInput {
        decision: Some(id.clone()),
        assembly: None,
        holder: Some(f.holder),
    };
    match proxies::grant(&state.app, &user, &slug, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/o/{slug}/decisions/{id}?notice=proxy")).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(VOTE_FIELDS);
            refused(&state, ctx, &slug, &id, PageQuery::default(), form, &e).await
        }
        Err(e) => Err(fail(&ctx, e)),
    }
}

async fn revoke_proxy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::account::Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = ProxyInput {
        decision: Some(id.clone()),
        ..Default::default()
    };
    proxies::revoke(&state.app, &user, &slug, &input)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/o/{slug}/decisions/{id}?notice=revoked")).into_response())
}

fn attachment(content_type: &'static str, name: &str, body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn result_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let v = ballots::result(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
    Ok(attachment(
        "application/json",
        &format!("decision-{id}.json"),
        text,
    ))
}

/// The result as CSV: one row per option (motion: for/against/abstain/blank; otherwise
/// each candidate with its rank, whether elected, and its total when the method has one).
async fn result_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let v = ballots::result(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let totals = &v["details"]["totals"];
    let _ = w.write_record(["rank", "option", "elected", "total"]);
    if v["method"] == "motion" {
        for k in ["for", "against", "abstain", "blank"] {
            let _ = w.write_record(["", k, "", &num_text(&totals[k])]);
        }
        let _ = w.write_record(["", "passed", &v["passed"].to_string(), ""]);
    } else {
        let winners: Vec<&str> = v["winners"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (rank, tier) in v["ranking"].as_array().into_iter().flatten().enumerate() {
            for c in tier
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let elected = if winners.contains(&c) { "yes" } else { "" };
                let _ = w.write_record([
                    (rank + 1).to_string().as_str(),
                    c,
                    elected,
                    &num_text(&totals[c]),
                ]);
            }
        }
    }
    let body = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("decision-{id}.csv"),
        body,
    ))
}

/// An exact number of the engine's output as text (`12`, `"2/3"`), empty when absent.
fn num_text(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// An exact number as a float, for drawing only (never for deciding anything).
fn num_f64(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => match s.split_once('/') {
            Some((a, b)) => {
                let (a, b): (f64, f64) = (a.parse().unwrap_or(0.0), b.parse().unwrap_or(1.0));
                if b == 0.0 { 0.0 } else { a / b }
            }
            None => s.parse().unwrap_or(0.0),
        },
        _ => 0.0,
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars, one per (label, value), with the value written after each bar.
fn bars_svg(title: &str, rows: &[(String, f64, String)]) -> String {
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1e-9);
    let (label_w, bar_w, row_h) = (160.0, 320.0, 28.0);
    let height = row_h * rows.len() as f64 + 8.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height}\" width=\"100%\">",
        xml(title),
        label_w + bar_w + 90.0
    );
    const COLOURS: [&str; 6] = [
        "#2e7d32", "#c62828", "#9e9e9e", "#bdbdbd", "#1565c0", "#6a1b9a",
    ];
    for (i, (label, v, text)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = bar_w * v / max;
        s += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"13\">{}</text>",
            label_w - 8.0,
            y + 17.0,
            xml(label),
            row_h - 8.0,
            COLOURS[i % COLOURS.len()],
            label_w + w + 6.0,
            y + 17.0,
            xml(text)
        );
    }
    s + "</svg>"
}

/// Majority-judgment merit profiles: one stacked bar per candidate, worst grade on the
/// left, with the median line.
fn merit_svg(title: &str, grades: &[String], profiles: &[(String, Vec<f64>)]) -> String {
    let (label_w, bar_w, row_h) = (160.0, 420.0, 30.0);
    let legend_h = 24.0;
    let height = row_h * profiles.len() as f64 + legend_h + 12.0;
    const PALETTE: [&str; 7] = [
        "#b71c1c", "#e64a19", "#f9a825", "#c0ca33", "#7cb342", "#388e3c", "#1b5e20",
    ];
    let colour = |g: usize| {
        let n = grades.len().max(1);
        PALETTE[(g * (PALETTE.len() - 1)) / (n - 1).max(1)]
    };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height}\" width=\"100%\">",
        xml(title),
        label_w + bar_w + 20.0
    );
    for (i, (name, profile)) in profiles.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let total: f64 = profile.iter().sum::<f64>().max(1e-9);
        s += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>",
            label_w - 8.0,
            y + 18.0,
            xml(name)
        );
        let mut x = label_w;
        for (g, count) in profile.iter().enumerate() {
            let w = bar_w * count / total;
            s += &format!(
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>",
                row_h - 8.0,
                colour(g),
                xml(grades.get(g).map(String::as_str).unwrap_or("")),
                count
            );
            x += w;
        }
    }
    let mid = label_w + bar_w / 2.0;
    s += &format!(
        "<line x1=\"{mid}\" x2=\"{mid}\" y1=\"0\" y2=\"{}\" stroke=\"#000\" stroke-dasharray=\"4 3\"/>",
        row_h * profiles.len() as f64
    );
    let ly = row_h * profiles.len() as f64 + 10.0;
    let step = (label_w + bar_w) / grades.len().max(1) as f64;
    for (g, name) in grades.iter().enumerate() {
        let x = g as f64 * step;
        s += &format!(
            "<rect x=\"{x:.1}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>",
            colour(g),
            x + 16.0,
            ly + 11.0,
            xml(name)
        );
    }
    s + "</svg>"
}

fn result_view(ctx: &Ctx, d: &Decision, v: &Value) -> ResultView {
    let det = &v["details"];
    let strings = |x: &Value| -> Vec<String> {
        x.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let title = ctx.tr.t("governance-result-chart");
    let chart = match d.method.as_str() {
        "motion" => {
            let rows: Vec<(String, f64, String)> = [
                ("for", "governance-for"),
                ("against", "governance-against"),
                ("abstain", "governance-abstain"),
                ("blank", "governance-blank"),
            ]
            .iter()
            .map(|(k, label)| {
                let t = &det["totals"][*k];
                (ctx.tr.t(label).to_owned(), num_f64(t), num_text(t))
            })
            .collect();
            bars_svg(title, &rows)
        }
        "majority_judgment" => {
            let grades = strings(&det["grades"]);
            let profiles: Vec<(String, Vec<f64>)> = d
                .candidates
                .iter()
                .map(|c| {
                    let p = det["profiles"][c]
                        .as_array()
                        .map(|a| a.iter().map(num_f64).collect())
                        .unwrap_or_default();
                    (c.clone(), p)
                })
                .collect();
            merit_svg(title, &grades, &profiles)
        }
        _ if det["totals"].is_object() => {
            let rows: Vec<(String, f64, String)> = d
                .candidates
                .iter()
                .map(|c| {
                    let t = &det["totals"][c];
                    (c.clone(), num_f64(t), num_text(t))
                })
                .collect();
            bars_svg(title, &rows)
        }
        _ => String::new(),
    };
    let matrix = det["pairwise"].as_object().map(|m| {
        let names = d.candidates.clone();
        let rows = names
            .iter()
            .map(|a| {
                let cells = names
                    .iter()
                    .map(|b| {
                        if a == b {
                            "—".to_owned()
                        } else {
                            num_text(&m.get(a).map(|r| r[b].clone()).unwrap_or(Value::Null))
                        }
                    })
                    .collect();
                (a.clone(), cells)
            })
            .collect();
        (names, rows)
    });
    let rounds = det["rounds"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .enumerate()
                .map(|(i, r)| {
                    let totals = r["totals"]
                        .as_object()
                        .map(|t| {
                            t.iter()
                                .map(|(k, v)| format!("{k} {}", num_text(v)))
                                .collect::<Vec<_>>()
                                .join(" · ")
                        })
                        .unwrap_or_default();
                    (
                        i + 1,
                        totals,
                        strings(&r["elected"]).join(", "),
                        strings(&r["excluded"]).join(", "),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let p = &v["participation"];
    ResultView {
        valid: v["valid"].as_bool().unwrap_or(false),
        passed: v["passed"].as_bool(),
        winners: strings(&v["winners"]),
        ranking: v["ranking"]
            .as_array()
            .map(|a| a.iter().map(|t| strings(t).join(" = ")).collect())
            .unwrap_or_default(),
        chart,
        matrix,
        rounds,
        objections: strings(&det["objections"]),
        participation: ctx.tr.f(
            "governance-participation",
            &[
                ("voted", &num_text(&p["voted"])),
                ("electorate", &num_text(&p["electorate"])),
                ("proxies", &num_text(&p["by_proxy"])),
            ],
        ),
    }
}

#[derive(Template)]
#[template(path = "governance_charter.html")]
struct CharterPage {
    ctx: Ctx,
    org: Org,
    charter: Charter,
    text_html: String,
    rules_toml: String,
    form: FormState,
}

async fn charter_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    charter_view(&state, ctx, &slug, None, StatusCode::OK).await
}

#[derive(serde::Deserialize)]
struct CharterForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    rules: String,
}

/// Records the first charter, or proposes a change (bound to a new statute decision).
async fn propose_charter(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<CharterForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = charter::CharterInput {
        text: f.text.clone(),
        rules: Some(Value::String(f.rules.clone())).filter(|_| !f.rules.trim().is_empty()),
        opens_at: None,
        closes_at: None,
    };
    match charter::post(&state.app, &user, &slug, &input).await {
        Ok(posted) => Ok(Redirect::to(&match posted.decision {
            Some(d) => format!("/o/{slug}/decisions/{}", d.id),
            None => format!("/o/{slug}/charter"),
        })
        .into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["text", "rules"])
                .with("text", f.text)
                .with("rules", f.rules)
                .failed(&ctx, &localized(&ctx, &e));
            charter_view(&state, ctx, &slug, Some(form), crate::error::status_of(&e)).await
        }
        Err(e) => Err(fail(&ctx, e)),
    }
}

async fn charter_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    form: Option<FormState>,
    status: StatusCode,
) -> PageResult {
    let slug = slug.to_owned();
    let user = ctx.require_user()?.clone();
    let charter = charter::get(&state.app, &user, &slug).await.or_page(&ctx)?;
    let org = orgs::by_slug(&state.app, &slug).await.or_page(&ctx)?;
    let text_html = charter
        .current
        .as_ref()
        .map(|c| super::markdown(&c.text))
        .unwrap_or_default();
    let rules_toml = toml::to_string(&charter.rules).unwrap_or_default();
    let form = form.unwrap_or_else(|| {
        FormState::new(&["text", "rules"])
            .with(
                "text",
                charter
                    .current
                    .as_ref()
                    .map(|c| c.text.clone())
                    .unwrap_or_default(),
            )
            .with("rules", rules_toml.clone())
    });
    Ok(render_with_status(
        status,
        &CharterPage {
            ctx,
            org,
            charter,
            text_html,
            rules_toml,
            form,
        },
    ))
}

#[derive(Template)]
#[template(path = "governance_assemblies.html")]
struct AssembliesPage {
    ctx: Ctx,
    org: Org,
    assemblies: Vec<Assembly>,
    is_admin: bool,
    members: Vec<Member>,
    form: FormState,
}

const CONVENE_FIELDS: &[&str] = &[
    "title",
    "kind",
    "starts_at",
    "place",
    "remote",
    "chair",
    "secretary",
];

async fn assemblies_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    form: FormState,
    status: StatusCode,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, assemblies) = assemblies::list(&state.app, &user, slug)
        .await
        .or_page(&ctx)?;
    let is_admin = orgs::require_admin(&state.app, &user, slug).await.is_ok();
    let members = members::list(&state.app, &user, slug)
        .await
        .or_page(&ctx)?
        .1;
    Ok(render_with_status(
        status,
        &AssembliesPage {
            ctx,
            org,
            assemblies,
            is_admin,
            members,
            form,
        },
    ))
}

async fn assemblies_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let form = FormState::new(CONVENE_FIELDS).with("kind", "ago");
    assemblies_view(&state, ctx, &slug, form, StatusCode::OK).await
}

#[derive(serde::Deserialize)]
struct ConveneForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    remote: String,
    #[serde(default)]
    chair: String,
    #[serde(default)]
    secretary: String,
    #[serde(default)]
    second_call_of: String,
}

async fn convene(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<ConveneForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let some = |v: &str| Some(v.to_owned()).filter(|v| !v.trim().is_empty());
    let input = NewAssembly {
        kind: some(&f.kind),
        title: f.title.clone(),
        starts_at: TimeInput::Text(f.starts_at.clone()),
        place: some(&f.place),
        remote: some(&f.remote),
        chair: some(&f.chair),
        secretary: some(&f.secretary),
        second_call_of: some(&f.second_call_of),
    };
    match assemblies::create(&state.app, &user, &slug, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/o/{slug}/assemblies/{}", a.id)).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(CONVENE_FIELDS)
                .with("title", f.title)
                .with("kind", f.kind)
                .with("starts_at", f.starts_at)
                .with("place", f.place)
                .with("remote", f.remote)
                .with("chair", f.chair)
                .with("secretary", f.secretary)
                .failed(&ctx, &localized(&ctx, &e));
            assemblies_view(&state, ctx, &slug, form, crate::error::status_of(&e)).await
        }
        Err(e) => Err(fail(&ctx, e)),
    }
}

/// A resolution of an assembly as its live part shows it.
struct AgendaLine {
    d: Decision,
    participation: Participation,
    result: Option<ResultView>,
}

/// Each resolution of an assembly with its participation and, when it may be shown, its
/// result.
async fn agenda_lines(
    state: &AppState,
    ctx: &Ctx,
    user: &fabrique_app::Actor,
    slug: &str,
    view: &AssemblyView,
) -> Result<Vec<AgendaLine>, crate::error::PageError> {
    let mut lines = Vec::with_capacity(view.agenda.len());
    for d in &view.agenda {
        let (participation, result) = live_parts(state, ctx, user, slug, d).await?;
        lines.push(AgendaLine {
            d: d.clone(),
            participation,
            result,
        });
    }
    Ok(lines)
}

/// The live part of an assembly's page alone (polled by `governance-live.js`).
#[derive(Template)]
#[template(path = "governance_assembly_live.html")]
struct AssemblyLive {
    ctx: Ctx,
    org: Org,
    view: AssemblyView,
    agenda: Vec<AgendaLine>,
}

async fn assembly_live(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, view) = assemblies::get(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    let agenda = agenda_lines(&state, &ctx, &user, &slug, &view).await?;
    Ok(live_response(render(&AssemblyLive {
        ctx,
        org,
        view,
        agenda,
    })))
}

/// The script of the live parts (vendored here, no third-party code).
async fn live_js() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../../static/governance-live.js"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "governance_assembly.html")]
struct AssemblyPage {
    ctx: Ctx,
    org: Org,
    view: AssemblyView,
    agenda: Vec<AgendaLine>,
    members: Vec<(Member, String)>,
    officer: bool,
    me: String,
    form: FormState,
}

async fn assembly_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    id: &str,
    form: FormState,
    status: StatusCode,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, view) = assemblies::get(&state.app, &user, slug, id)
        .await
        .or_page(&ctx)?;
    let me = orgs::membership(&state.app, &org.id, Some(&user))
        .await
        .or_page(&ctx)?
        .map(|m| m.member_id)
        .unwrap_or_default();
    let agenda = agenda_lines(state, &ctx, &user, slug, &view).await?;
    let is_admin = orgs::require_admin(&state.app, &user, slug).await.is_ok();
    let officer = is_admin
        || Some(&me) == view.assembly.chair.as_ref()
        || Some(&me) == view.assembly.secretary.as_ref();
    let members = members::list(&state.app, &user, slug)
        .await
        .or_page(&ctx)?
        .1
        .into_iter()
        .filter(|m| m.role != fabrique_core::Role::Observer)
        .map(|m| {
            let presence = view
                .attendance
                .iter()
                .find(|a| a.member == m.id)
                .map(|a| a.presence.clone())
                .unwrap_or_default();
            (m, presence)
        })
        .collect();
    Ok(render_with_status(
        status,
        &AssemblyPage {
            ctx,
            org,
            view,
            agenda,
            members,
            officer,
            me,
            form,
        },
    ))
}

async fn assembly_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    assembly_view(
        &state,
        ctx,
        &slug,
        &id,
        FormState::new(&["holder"]),
        StatusCode::OK,
    )
    .await
}

/// The attendance form sends `presence-<member id>` for each member.
async fn attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input: Vec<Attendance> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("presence-")
                .filter(|_| !v.is_empty())
                .map(|m| Attendance {
                    member: m.to_owned(),
                    presence: v.clone(),
                    name: String::new(),
                })
        })
        .collect();
    let done = assemblies::record_attendance(&state.app, &user, &slug, &id, &input)
        .await
        .map(|_| ());
    back_to_assembly(&state, ctx, &slug, &id, done).await
}

/// After a form on the assembly page: back to it, or the page again with the refusal.
async fn back_to_assembly(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    id: &str,
    done: Result<(), AppError>,
) -> PageResult {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/o/{slug}/assemblies/{id}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["holder"]).failed(&ctx, &localized(&ctx, &e));
            assembly_view(state, ctx, slug, id, form, crate::error::status_of(&e)).await
        }
        Err(e) => Err(fail(&ctx, e)),
    }
}

async fn assembly_proxy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<ProxyForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = ProxyInput {
        decision: None,
        assembly: Some(id.clone()),
        holder: Some(f.holder),
    };
    let done = proxies::grant(&state.app, &user, &slug, &input)
        .await
        .map(|_| ());
    back_to_assembly(&state, ctx, &slug, &id, done).await
}

async fn revoke_assembly_proxy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::account::Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = ProxyInput {
        assembly: Some(id.clone()),
        ..Default::default()
    };
    let done = proxies::revoke(&state.app, &user, &slug, &input).await;
    back_to_assembly(&state, ctx, &slug, &id, done).await
}

#[derive(Template)]
#[template(path = "governance_minutes.html")]
struct MinutesPage {
    ctx: Ctx,
    org: Org,
    assembly: Assembly,
    html: String,
    signed: bool,
    can_sign: bool,
}

async fn minutes_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, view) = assemblies::get(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    let minutes = assemblies::minutes(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    let me = orgs::membership(&state.app, &org.id, Some(&user))
        .await
        .or_page(&ctx)?
        .map(|m| m.member_id);
    let a = view.assembly;
    let can_sign = (me.is_some() && me == a.chair && a.signed_chair_at.is_none())
        || (me.is_some() && me == a.secretary && a.signed_secretary_at.is_none());
    Ok(render(&MinutesPage {
        ctx,
        org,
        html: super::markdown(&minutes.markdown),
        signed: minutes.signed,
        can_sign,
        assembly: a,
    }))
}

async fn minutes_md(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let minutes = assemblies::minutes(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    Ok(attachment(
        "text/markdown; charset=utf-8",
        &format!("proces-verbal-{id}.md"),
        minutes.markdown,
    ))
}

async fn sign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::account::Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    assemblies::sign(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/o/{slug}/assemblies/{id}/minutes")).into_response())
}

/// The print stylesheet of the minutes: no navigation, serif text, page margins.
const PRINT_CSS: &str = "@media print { header.site, footer, nav, form, .no-print { display: none !important; } \
body { font-family: Georgia, serif; font-size: 11pt; color: #000; } main { max-width: none; margin: 0; } \
h1 { font-size: 16pt; } h2, h3 { page-break-after: avoid; } a { color: #000; text-decoration: none; } } \
@page { margin: 2cm; }";

async fn print_css() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        PRINT_CSS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Lang, Tr};

    /// The string literal arguments of every call to `name(` in `text`, in order (a
    /// non-literal argument is `None`).
    fn literal_args<'a>(text: &'a str, name: &str) -> Vec<Vec<Option<&'a str>>> {
        let mut calls = vec![];
        for part in text.split(name).skip(1) {
            let (mut depth, mut in_str, mut args, mut start) = (0, false, vec![], 0);
            let mut prev = ' ';
            for (i, c) in part.char_indices() {
                match c {
                    '"' if prev != '\\' => in_str = !in_str,
                    '(' | '[' | '{' if !in_str => depth += 1,
                    ')' | ']' | '}' if !in_str && depth > 0 => depth -= 1,
                    ')' if !in_str => {
                        args.push(&part[start..i]);
                        break;
                    }
                    ',' if !in_str && depth == 0 => {
                        args.push(&part[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
                prev = c;
            }
            calls.push(
                args.into_iter()
                    .map(|a| {
                        let a = a.trim();
                        (a.starts_with('"') && a.ends_with('"') && a.len() > 1)
                            .then(|| &a[1..a.len() - 1])
                    })
                    .collect(),
            );
        }
        calls
    }

    #[test]
    fn every_governance_error_code_has_a_message_in_both_languages() {
        let app = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fabrique_app/src/governance"
        );
        let mut sources: Vec<String> = std::fs::read_dir(app)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        let web = include_str!("governance.rs");
        sources.push(web[..web.find("#[cfg(test)]").unwrap()].to_owned());
        let mut codes = std::collections::BTreeSet::new();
        for text in &sources {
            for name in ["AppError::invalid(", "AppError::conflict("] {
                for args in literal_args(text, name) {
                    if let Some(Some(code)) = args.get(1) {
                        codes.insert(code.to_string());
                    }
                }
            }
            for args in literal_args(text, "forbidden(") {
                if let (Some(Some(code)), 2) = (args.first(), args.len()) {
                    codes.insert(code.to_string());
                }
            }
            for part in text.split("code: \"").skip(1) {
                codes.insert(part.split('"').next().unwrap().to_owned());
            }
        }
        assert!(codes.contains("ballot_invalid") && codes.contains("results_hidden"));
        assert!(codes.contains("not_in_electorate"), "{codes:?}");
        // Keys with underscores are looked up in the bundle itself (`f`), as `localized` does.
        let has = |lang: Lang, key: String| Tr { lang }.f(&key, &[("detail", "…")]) != key;
        let missing: Vec<(Lang, &String)> = [Lang::Fr, Lang::En]
            .into_iter()
            .flat_map(|lang| codes.iter().map(move |c| (lang, c)))
            .filter(|(lang, c)| {
                !has(*lang, format!("governance-error-{c}")) && !has(*lang, format!("error-{c}"))
            })
            .collect();
        assert!(missing.is_empty(), "codes without a message: {missing:?}");
    }
}
