//! General assemblies (AGO/AGE): convocation, attendance, quorum on first and second call,
//! an agenda of resolutions (each one a decision), and minutes (procès-verbal) generated
//! from what was recorded, immutable once signed by the chair and the secretary.
//!
//! Advance remote votes need no merging step: a resolution is one decision, which may open
//! before the meeting (remote ballots) and stay open during it (ballots in the room); the
//! chair closes it, and every ballot is counted once. For a resolution of an assembly the
//! members present, remote and represented are the election's `present`, and its quorum is
//! the assembly's (the charter's `assembly_quorum` on first call, `second_call_quorum` on
//! second call) unless the resolution sets its own: a resolution of an assembly that misses
//! its quorum is invalid, and a second call is convened with `second_call_of`.

use fabrique_core::ids::new_id;
use fabrique_core::optional_text;
use sqlx::{AnyConnection, Row};

use super::{TimeInput, charter, member_id_of, parse_time};
use crate::orgs::{self, Org};
use crate::{Actor, App, AppError, AppResult};

/// An assembly.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Assembly {
    /// Id.
    pub id: String,
    /// `ago` (ordinary) or `age` (extraordinary).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Start (UTC ms).
    pub starts_at: i64,
    /// Place.
    pub place: String,
    /// Remote means (video link, phone…).
    pub remote: String,
    /// 1 for the first call, 2 for a second call.
    pub call_number: i64,
    /// Chair's member id.
    pub chair: Option<String>,
    /// Secretary's member id.
    pub secretary: Option<String>,
    /// `convened` or `signed`.
    pub status: String,
    /// When the chair signed the minutes.
    pub signed_chair_at: Option<i64>,
    /// When the secretary signed the minutes.
    pub signed_secretary_at: Option<i64>,
    /// When it was convened.
    pub convened_at: Option<i64>,
}

/// Convening an assembly.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewAssembly {
    /// `ago` (default) or `age`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Title.
    pub title: String,
    /// Start: UTC ms, or `"2026-12-01 18:00"` in the organisation's zone.
    pub starts_at: TimeInput,
    /// Place.
    #[serde(default)]
    pub place: Option<String>,
    /// Remote means.
    #[serde(default)]
    pub remote: Option<String>,
    /// Chair (member id).
    #[serde(default)]
    pub chair: Option<String>,
    /// Secretary (member id).
    #[serde(default)]
    pub secretary: Option<String>,
    /// For a second call: the assembly whose quorum was missed.
    #[serde(default)]
    pub second_call_of: Option<String>,
}

/// One member's attendance.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Attendance {
    /// Member id.
    pub member: String,
    /// `present`, `remote`, `represented` or `absent`.
    pub presence: String,
    /// Name (output only).
    #[serde(default)]
    pub name: String,
}

/// The quorum of an assembly.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Quorum {
    /// Members with a deliberative voice.
    pub electorate: i64,
    /// Present, remote and represented.
    pub attending: i64,
    /// The required share (`"1/4"`), none when no quorum applies.
    pub required: Option<String>,
    /// Whether it is reached.
    pub reached: bool,
}

/// An assembly with its agenda, attendance and quorum.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AssemblyView {
    /// The assembly.
    #[serde(flatten)]
    pub assembly: Assembly,
    /// Its resolutions, in order.
    pub agenda: Vec<super::Decision>,
    /// Recorded attendance.
    pub attendance: Vec<Attendance>,
    /// Proxies given for the assembly.
    pub proxies: Vec<super::proxies::Proxy>,
    /// The quorum.
    pub quorum: Quorum,
}

/// The minutes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Minutes {
    /// Markdown text.
    pub markdown: String,
    /// Whether chair and secretary have both signed (the text can no longer change).
    pub signed: bool,
}

const COLS: &str = "id, kind, title, starts_at, place, remote, call_number, chair_member_id, secretary_member_id, status, signed_chair_at, signed_secretary_at, convened_at";

fn from_row(r: &sqlx::any::AnyRow) -> AppResult<Assembly> {
    Ok(Assembly {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        starts_at: r.try_get("starts_at")?,
        place: r.try_get("place")?,
        remote: r.try_get("remote")?,
        call_number: r.try_get("call_number")?,
        chair: r.try_get("chair_member_id")?,
        secretary: r.try_get("secretary_member_id")?,
        status: r.try_get("status")?,
        signed_chair_at: r.try_get("signed_chair_at")?,
        signed_secretary_at: r.try_get("signed_secretary_at")?,
        convened_at: r.try_get("convened_at")?,
    })
}

async fn load(app: &App, org_id: &str, id: &str) -> AppResult<Assembly> {
    let r = sqlx::query(&format!(
        "SELECT {COLS} FROM assemblies WHERE id = $1 AND org_id = $2"
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "assembly" })?;
    from_row(&r)
}

async fn active_member(app: &App, org_id: &str, field: &str, id: &str) -> AppResult<()> {
    let found =
        sqlx::query("SELECT id FROM members WHERE id = $1 AND org_id = $2 AND status = 'active'")
            .bind(id)
            .bind(org_id)
            .fetch_optional(&app.db.read)
            .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(AppError::invalid(
            field,
            "member_unknown",
            "not an active member of this organisation",
        )),
    }
}

/// Convenes an assembly (administrators): records it and e-mails the convocation to every
/// active member.
pub async fn create(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewAssembly,
) -> AppResult<Assembly> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let title = fabrique_core::DisplayName::parse("title", &input.title)?.into_string();
    let kind = input
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or("ago");
    if !matches!(kind, "ago" | "age") {
        return Err(AppError::invalid(
            "kind",
            "kind_invalid",
            format!("“{kind}” is not one of: ago, age"),
        ));
    }
    let starts_at = parse_time("starts_at", &org.timezone, &input.starts_at)?;
    let place = optional_text("place", input.place.as_deref(), 500)?.unwrap_or_default();
    let remote = optional_text("remote", input.remote.as_deref(), 500)?.unwrap_or_default();
    if place.is_empty() && remote.is_empty() {
        return Err(AppError::invalid(
            "place",
            "place_required",
            "give a place, remote means, or both",
        ));
    }
    let pick = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let chair = pick(&input.chair);
    let secretary = pick(&input.secretary);
    if let Some(c) = &chair {
        active_member(app, &org.id, "chair", c).await?;
    }
    if let Some(s) = &secretary {
        active_member(app, &org.id, "secretary", s).await?;
    }
    let call_number = match pick(&input.second_call_of) {
        Some(first) => {
            let first = load(app, &org.id, &first).await.map_err(|_| {
                AppError::invalid("second_call_of", "assembly_unknown", "no such assembly")
            })?;
            if quorum_of(app, &org, &first).await?.reached {
                return Err(AppError::invalid(
                    "second_call_of",
                    "quorum_reached",
                    "the first call reached its quorum: no second call is needed",
                ));
            }
            2
        }
        None => 1,
    };
    let id = new_id();
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO assemblies (id, org_id, kind, title, starts_at, place, remote, call_number, chair_member_id, secretary_member_id, convened_by, convened_at, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'convened', $11, $12)",
    )
    .bind(&id)
    .bind(&org.id)
    .bind(kind)
    .bind(&title)
    .bind(starts_at)
    .bind(&place)
    .bind(&remote)
    .bind(call_number)
    .bind(&chair)
    .bind(&secretary)
    .bind(&actor.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::log(&mut tx, now, &org.id, Some(&actor.user_id), "assembly.convened", ("assembly", &id), serde_json::json!({"title": title, "kind": kind, "starts_at": starts_at, "call": call_number})).await?;
    tx.commit().await?;
    let emails = sqlx::query("SELECT u.email FROM members m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.status = 'active'")
        .bind(&org.id)
        .fetch_all(&app.db.read)
        .await?;
    let when = fabrique_core::format_in_zone(&org.timezone, starts_at);
    let link = format!("{}/o/{}/assemblies/{id}", app.config.base_url, org.slug);
    let mut mails = Vec::with_capacity(emails.len());
    for e in &emails {
        mails.push(crate::mail::Mail {
            to: e.try_get("email")?,
            subject: format!("Convocation : {title}"),
            body: format!(
                "{}\n\n{title}\n{when} ({})\n{place}\n{remote}\n\n{link}\n",
                org.name, org.timezone
            ),
        });
    }
    app.mailer.send_all(mails).await;
    load(app, &org.id, &id).await
}

/// The assemblies of an organisation, latest first (members).
pub async fn list(app: &App, actor: &Actor, slug: &str) -> AppResult<(Org, Vec<Assembly>)> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM assemblies WHERE org_id = $1 ORDER BY starts_at DESC, id DESC"
    ))
    .bind(&org.id)
    .fetch_all(&app.db.read)
    .await?;
    let list = rows.iter().map(from_row).collect::<AppResult<Vec<_>>>()?;
    Ok((org, list))
}

/// Members attending (present, remote, represented) an assembly, in the caller's connection.
pub(crate) async fn attending_in(conn: &mut AnyConnection, assembly_id: &str) -> AppResult<i64> {
    Ok(sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM assembly_attendance WHERE assembly_id = $1 AND presence <> 'absent'",
    )
    .bind(assembly_id)
    .fetch_one(conn)
    .await?
    .try_get("n")?)
}

async fn quorum_of(app: &App, org: &Org, a: &Assembly) -> AppResult<Quorum> {
    let mut conn = app.db.read.acquire().await?;
    let rules = charter::rules_in(&mut conn, &org.id).await?;
    let electorate: i64 = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM members m JOIN categories c ON c.id = m.category_id \
         WHERE m.org_id = $1 AND m.status = 'active' AND c.voice = 'deliberative' AND m.role <> 'observer'",
    )
    .bind(&org.id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let attending = attending_in(&mut conn, &a.id).await?;
    let required = if a.call_number >= 2 {
        rules.second_call_quorum
    } else {
        rules.assembly_quorum
    };
    // Exact: attending / electorate ≥ p/q  ⇔  attending × q ≥ p × electorate.
    let reached = match &required {
        None => true,
        Some(f) => {
            let (p, q) = fraction_parts(f);
            i128::from(attending) * q >= p * i128::from(electorate)
        }
    };
    Ok(Quorum {
        electorate,
        attending,
        required: required.map(|f| f.to_string()),
        reached,
    })
}

/// Numerator and denominator of a charter fraction (a quorum: small numbers).
fn fraction_parts(f: &fabrique_vote::Fraction) -> (i128, i128) {
    let text = f.to_string();
    match text.split_once('/') {
        Some((p, q)) => (p.parse().unwrap_or(i128::MAX), q.parse().unwrap_or(1)),
        None => (text.parse().unwrap_or(i128::MAX), 1),
    }
}

/// An assembly with its agenda, attendance, proxies and quorum (members).
pub async fn get(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<(Org, AssemblyView)> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let assembly = load(app, &org.id, id).await?;
    let (_, all) = super::decisions::list(app, actor, slug).await?;
    let mut agenda: Vec<_> = all
        .into_iter()
        .filter(|d| d.assembly_id.as_deref() == Some(id))
        .collect();
    agenda.sort_by_key(|d| d.created_at);
    let rows = sqlx::query(
        "SELECT a.member_id, a.presence, u.name FROM assembly_attendance a JOIN members m ON m.id = a.member_id JOIN users u ON u.id = m.user_id WHERE a.assembly_id = $1 ORDER BY u.name",
    )
    .bind(id)
    .fetch_all(&app.db.read)
    .await?;
    let attendance = rows
        .iter()
        .map(|r| {
            Ok(Attendance {
                member: r.try_get("member_id")?,
                presence: r.try_get("presence")?,
                name: r.try_get("name")?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let proxies = super::proxies::of_assembly(app, id).await?;
    let quorum = quorum_of(app, &org, &assembly).await?;
    Ok((
        org,
        AssemblyView {
            assembly,
            agenda,
            attendance,
            proxies,
            quorum,
        },
    ))
}

/// Whether the actor chairs (or is secretary of) the assembly, or administers the org.
async fn require_officer(app: &App, actor: &Actor, slug: &str, a: &Assembly) -> AppResult<()> {
    let (org, m) = orgs::require_member(app, actor, slug).await?;
    let me = Some(m.member_id.clone());
    if me == a.chair || me == a.secretary {
        return Ok(());
    }
    orgs::require_admin(app, actor, &org.slug).await.map(|_| ())
}

/// Whether the actor chairs the assembly a decision belongs to.
pub async fn chairs(app: &App, actor: &Actor, org_id: &str, assembly_id: &str) -> AppResult<bool> {
    let a = load(app, org_id, assembly_id).await?;
    let m = orgs::membership(app, org_id, Some(actor)).await?;
    Ok(m.is_some_and(|m| Some(m.member_id) == a.chair))
}

/// Records attendance (chair, secretary or administrators), one or several members at once.
/// `represented` needs an active proxy for the assembly.
pub async fn record_attendance(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
    input: &[Attendance],
) -> AppResult<AssemblyView> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let a = load(app, &org.id, id).await?;
    require_officer(app, actor, slug, &a).await?;
    if a.status == "signed" {
        return Err(AppError::conflict(
            "presence",
            "minutes_signed",
            "the minutes are signed: the attendance can no longer change",
        ));
    }
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    for item in input {
        if !matches!(
            item.presence.as_str(),
            "present" | "remote" | "represented" | "absent"
        ) {
            return Err(AppError::invalid(
                "presence",
                "presence_invalid",
                format!(
                    "“{}” is not one of: present, remote, represented, absent",
                    item.presence
                ),
            ));
        }
        let found = sqlx::query(
            "SELECT id FROM members WHERE id = $1 AND org_id = $2 AND status = 'active'",
        )
        .bind(&item.member)
        .bind(&org.id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Err(AppError::invalid(
                "member",
                "member_unknown",
                "not an active member of this organisation",
            ));
        }
        if item.presence == "represented" {
            let proxy = sqlx::query("SELECT id FROM proxies WHERE assembly_id = $1 AND grantor_member_id = $2 AND revoked_at IS NULL")
                .bind(id)
                .bind(&item.member)
                .fetch_optional(&mut *tx)
                .await?;
            if proxy.is_none() {
                return Err(AppError::invalid(
                    "presence",
                    "proxy_missing",
                    "a represented member needs a proxy for this assembly",
                ));
            }
        }
        sqlx::query("DELETE FROM assembly_attendance WHERE assembly_id = $1 AND member_id = $2")
            .bind(id)
            .bind(&item.member)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO assembly_attendance (assembly_id, member_id, presence, recorded_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&item.member)
            .bind(&item.presence)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    super::log(
        &mut tx,
        now,
        &org.id,
        Some(&actor.user_id),
        "assembly.attendance",
        ("assembly", id),
        serde_json::json!({"recorded": input.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(get(app, actor, slug, id).await?.1)
}

async fn name_of(app: &App, member: &Option<String>) -> AppResult<String> {
    let Some(m) = member else {
        return Ok("—".into());
    };
    let r = sqlx::query(
        "SELECT u.name FROM members m JOIN users u ON u.id = m.user_id WHERE m.id = $1",
    )
    .bind(m)
    .fetch_optional(&app.db.read)
    .await?;
    Ok(match r {
        Some(r) => r.try_get("name")?,
        None => "—".into(),
    })
}

/// Generates the minutes (procès-verbal) from the records.
async fn generate(
    app: &App,
    actor: &Actor,
    slug: &str,
    org: &Org,
    view: &AssemblyView,
) -> AppResult<String> {
    let a = &view.assembly;
    let zone = &org.timezone;
    let mut md = String::new();
    let kind = if a.kind == "age" {
        "Assemblée générale extraordinaire (AGE)"
    } else {
        "Assemblée générale ordinaire (AGO)"
    };
    md += &format!("# Procès-verbal — {}\n\n", a.title);
    md += &format!("**Organisation :** {}\n\n", org.name);
    md += &format!(
        "**Nature :** {kind}{}\n\n",
        if a.call_number >= 2 {
            ", sur seconde convocation"
        } else {
            ""
        }
    );
    md += &format!(
        "**Date :** {} ({zone})\n\n",
        fabrique_core::format_in_zone(zone, a.starts_at)
    );
    if !a.place.is_empty() {
        md += &format!("**Lieu :** {}\n\n", a.place);
    }
    if !a.remote.is_empty() {
        md += &format!("**À distance :** {}\n\n", a.remote);
    }
    let convener = sqlx::query(
        "SELECT u.name FROM assemblies a JOIN users u ON u.id = a.convened_by WHERE a.id = $1",
    )
    .bind(&a.id)
    .fetch_optional(&app.db.read)
    .await?
    .map(|r| r.try_get::<String, _>("name"))
    .transpose()?
    .unwrap_or_default();
    md += &format!(
        "**Convocation :** par {convener}, par courrier électronique à chaque membre, le {}\n\n",
        a.convened_at
            .map(|t| fabrique_core::format_in_zone(zone, t))
            .unwrap_or_default()
    );
    md += &format!(
        "**Présidence :** {} · **Secrétariat :** {}\n\n",
        name_of(app, &a.chair).await?,
        name_of(app, &a.secretary).await?
    );
    md += "## Présences\n\n";
    for (presence, label) in [
        ("present", "Présents"),
        ("remote", "À distance"),
        ("represented", "Représentés"),
    ] {
        let names: Vec<String> = view
            .attendance
            .iter()
            .filter(|x| x.presence == presence)
            .map(|x| {
                if presence == "represented" {
                    let holder = view
                        .proxies
                        .iter()
                        .find(|p| p.grantor == x.member)
                        .map(|p| p.holder_name.as_str())
                        .unwrap_or("?");
                    format!("{} (procuration à {holder})", x.name)
                } else {
                    x.name.clone()
                }
            })
            .collect();
        md += &format!(
            "- {label} ({}) : {}\n",
            names.len(),
            if names.is_empty() {
                "—".into()
            } else {
                names.join(", ")
            }
        );
    }
    let absent = view.quorum.electorate - view.quorum.attending;
    md += &format!("- Absents : {}\n\n", absent.max(0));
    md += &format!(
        "**Quorum :** requis {} du corps électoral ({} membres avec voix délibérative) ; {} présents ou représentés : {}.\n\n",
        view.quorum.required.as_deref().unwrap_or("aucun"),
        view.quorum.electorate,
        view.quorum.attending,
        if view.quorum.reached {
            "atteint"
        } else {
            "non atteint"
        }
    );
    md += "## Ordre du jour\n\n";
    for (i, d) in view.agenda.iter().enumerate() {
        md += &format!("{}. {}\n", i + 1, d.title);
    }
    md += "\n## Résolutions\n\n";
    for (i, d) in view.agenda.iter().enumerate() {
        md += &format!("### Résolution {} — {}\n\n", i + 1, d.title);
        if !d.body.is_empty() {
            md += &format!("{}\n\n", d.body);
        }
        let frozen = d.frozen.clone().unwrap_or_default();
        md += &format!(
            "**Règle :** scrutin {} ({}), majorité {}, quorum {}.\n\n",
            if d.secret { "secret" } else { "public" },
            d.method,
            rule_text(&frozen["rule"]),
            frozen["quorum"].as_str().unwrap_or("aucun"),
        );
        match super::ballots::result(app, actor, slug, &d.id).await {
            Ok(r) => {
                let p = &r["participation"];
                md += &format!(
                    "**Votants :** {} sur {} (dont {} par procuration).\n\n",
                    p["voted"], p["electorate"], p["by_proxy"]
                );
                if let Some(t) = r["details"]["totals"].as_object() {
                    let parts: Vec<String> = t
                        .iter()
                        .map(|(k, v)| format!("{} : {}", choice_fr(k), plain(v)))
                        .collect();
                    md += &format!("**Résultat détaillé :** {}\n\n", parts.join(" · "));
                }
                if let Some(cs) = r["details"]["colleges"].as_object() {
                    for (name, c) in cs {
                        md += &format!(
                            "- Collège {name} (part {}) : pour {}, contre {}, exprimés {}\n",
                            plain(&c["share"]),
                            plain(&c["for"]),
                            plain(&c["against"]),
                            plain(&c["expressed"])
                        );
                    }
                    let share = &r["details"]["for_share"];
                    if !share.is_null() {
                        md += &format!("\nPart pondérée des voix pour : {}\n", plain(share));
                    }
                    md += "\n";
                }
                let verdict = if !r["valid"].as_bool().unwrap_or(false) {
                    "non valable (quorum non atteint)".to_owned()
                } else {
                    match r["passed"].as_bool() {
                        Some(true) => "adoptée".to_owned(),
                        Some(false) => "rejetée".to_owned(),
                        None => format!("élus : {}", r["winners"]),
                    }
                };
                md += &format!("**Décision :** {verdict}.\n\n");
            }
            Err(_) => md += "**Décision :** vote non clos.\n\n",
        }
    }
    Ok(md)
}

/// A motion's choice in French, for the minutes.
fn choice_fr(key: &str) -> &str {
    match key {
        "for" => "pour",
        "against" => "contre",
        "abstain" => "abstention",
        "blank" => "blanc",
        other => other,
    }
}

/// An exact number of the engine's output without JSON quotes (`12`, `2/3`).
fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn rule_text(rule: &serde_json::Value) -> String {
    match rule["majority"].as_str() {
        Some("qualified") => format!("qualifiée de {}", rule["fraction"].as_str().unwrap_or("?")),
        Some("absolute") => "absolue".into(),
        _ => "simple".into(),
    }
}

/// The minutes: generated from the records, or the signed text once signed (members).
pub async fn minutes(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Minutes> {
    let (org, view) = get(app, actor, slug, id).await?;
    let stored = sqlx::query("SELECT minutes FROM assemblies WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.read)
        .await?
        .try_get::<Option<String>, _>("minutes")?;
    if view.assembly.status == "signed"
        && let Some(text) = stored
    {
        return Ok(Minutes {
            markdown: text,
            signed: true,
        });
    }
    Ok(Minutes {
        markdown: generate(app, actor, slug, &org, &view).await?,
        signed: false,
    })
}

/// Signs the minutes as chair or secretary. Every resolution must be closed. The first
/// signature freezes the text; when both have signed, the minutes are immutable.
pub async fn sign(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Minutes> {
    let (org, view) = get(app, actor, slug, id).await?;
    let a = &view.assembly;
    let m = orgs::membership(app, &org.id, Some(actor)).await?;
    let me = m.as_ref().map(member_id_of).transpose()?.map(str::to_owned);
    let is_chair = me.is_some() && me == a.chair;
    let is_secretary = me.is_some() && me == a.secretary;
    let column = if is_chair && a.signed_chair_at.is_none() {
        "signed_chair_at"
    } else if is_secretary && a.signed_secretary_at.is_none() {
        "signed_secretary_at"
    } else if is_chair || is_secretary {
        return Err(AppError::conflict(
            "minutes",
            "already_signed",
            "you have already signed these minutes",
        ));
    } else {
        return Err(super::forbidden(
            "signers_only",
            "only the chair and the secretary sign the minutes, once each",
        ));
    };
    if view.agenda.iter().any(|d| d.status != "closed") {
        return Err(AppError::conflict(
            "minutes",
            "resolutions_open",
            "close every resolution before signing the minutes",
        ));
    }
    let stored = sqlx::query("SELECT minutes FROM assemblies WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.read)
        .await?
        .try_get::<Option<String>, _>("minutes")?;
    let text = match stored {
        Some(t) => t,
        None => generate(app, actor, slug, &org, &view).await?,
    };
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    sqlx::query(&format!(
        "UPDATE assemblies SET {column} = $1, minutes = COALESCE(minutes, $2) WHERE id = $3 AND {column} IS NULL"
    ))
    .bind(now)
    .bind(&text)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE assemblies SET status = 'signed' WHERE id = $1 AND signed_chair_at IS NOT NULL AND signed_secretary_at IS NOT NULL")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::log(
        &mut tx,
        now,
        &org.id,
        Some(&actor.user_id),
        "assembly.minutes_signed",
        ("assembly", id),
        serde_json::json!({"as": if column == "signed_chair_at" { "chair" } else { "secretary" }}),
    )
    .await?;
    tx.commit().await?;
    minutes(app, actor, slug, id).await
}
