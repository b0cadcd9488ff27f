//! Governance demo data: the SCIC `grenier-commun` gets a charter, a past annual assembly
//! with its signed minutes (accounts approved, a statute change passed at 2/3) and an open
//! board election (STV); the association `manchots-libres` gets an open majority-judgment
//! poll. Called at the end of the platform's demo loader.

use sqlx::Row;

use super::assemblies::{self, Attendance, NewAssembly};
use super::charter::{self, CharterInput};
use super::decisions::{self, DecisionInput};
use super::{TimeInput, ballots};
use crate::{Actor, App, AppResult, orgs};

const DAY: i64 = 86_400_000;

/// The active voting members of an organisation, as actors with their member ids.
async fn voters(app: &App, org_id: &str) -> AppResult<Vec<(Actor, String)>> {
    let rows = sqlx::query(
        "SELECT m.id, u.id AS user_id, u.name, u.email FROM members m JOIN users u ON u.id = m.user_id \
         JOIN categories c ON c.id = m.category_id \
         WHERE m.org_id = $1 AND m.status = 'active' AND c.voice = 'deliberative' AND m.role <> 'observer' ORDER BY u.email",
    )
    .bind(org_id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Actor {
                    user_id: r.try_get("user_id")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                    instance_admin: false,
                },
                r.try_get("id")?,
            ))
        })
        .collect()
}

async fn admin_of(app: &App, slug: &str) -> AppResult<Actor> {
    let r = sqlx::query(
        "SELECT u.id, u.name, u.email FROM members m JOIN users u ON u.id = m.user_id JOIN orgs o ON o.id = m.org_id \
         WHERE o.slug = $1 AND m.role = 'admin' AND m.status = 'active' ORDER BY m.joined_at LIMIT 1",
    )
    .bind(slug)
    .fetch_one(&app.db.read)
    .await?;
    Ok(Actor {
        user_id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        instance_admin: false,
    })
}

/// Loads the governance demo data.
pub async fn load(app: &App) -> AppResult<()> {
    scic(app).await?;
    association(app).await
}

async fn scic(app: &App) -> AppResult<()> {
    let slug = "grenier-commun";
    let karim = admin_of(app, slug).await?;
    let org = orgs::by_slug(app, slug).await?;
    charter::post(
        app,
        &karim,
        slug,
        &CharterInput {
            text: "# Statuts de la SCIC Le Grenier commun\n\n\
                   **Article 1 — Forme.** Société coopérative d'intérêt collectif à forme SAS.\n\n\
                   **Article 12 — Assemblées.** L'assemblée délibère valablement si le quart des associés \
                   est présent ou représenté ; sur seconde convocation, sans quorum. Chaque associé peut \
                   détenir deux procurations au plus.\n\n\
                   **Article 15 — Collèges.** Salariés 30 %, producteurs 30 %, usagers 25 %, collectivités 15 %."
                .into(),
            rules: Some(serde_json::json!({
                "statute": {"rule": {"majority": "qualified", "fraction": "2/3"}},
                "proxy_cap": 2,
                "assembly_quorum": "1/4",
                "drafters": "members"
            })),
            opens_at: None,
            closes_at: None,
        },
    )
    .await?;
    let people = voters(app, &org.id).await?;
    let (chair, secretary) = (&people[0], &people[1]);
    let now = app.now();
    let assembly = assemblies::create(
        app,
        &karim,
        slug,
        &NewAssembly {
            kind: Some("ago".into()),
            title: "Assemblée générale annuelle 2026".into(),
            starts_at: TimeInput::Ms(now - 45 * DAY),
            place: Some("La Halle, 3 rue du Marché, Mens".into()),
            remote: Some("https://visio.grenier-commun.example.org/ag2026".into()),
            chair: Some(chair.1.clone()),
            secretary: Some(secretary.1.clone()),
            second_call_of: None,
        },
    )
    .await?;
    let attendance: Vec<Attendance> = people
        .iter()
        .enumerate()
        .map(|(i, (_, m))| Attendance {
            member: m.clone(),
            presence: match i % 5 {
                0 | 1 => "present",
                2 => "remote",
                _ => "absent",
            }
            .into(),
            name: String::new(),
        })
        .collect();
    assemblies::record_attendance(app, &karim, slug, &assembly.id, &attendance).await?;
    let attending: Vec<&(Actor, String)> = people
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 < 3)
        .map(|(_, p)| p)
        .collect();
    let resolutions = [
        (
            "Approbation des comptes de l'exercice 2025",
            "L'assemblée approuve les comptes de l'exercice 2025 (chiffre d'affaires 412 300 €, \
             résultat 8 950 €) et affecte le résultat aux réserves impartageables.",
            "ordinary",
            7usize,
        ),
        (
            "Modification de l'article 12 des statuts",
            "Les associés peuvent voter à distance, avant l'assemblée, sur les résolutions inscrites \
             à l'ordre du jour.",
            "statute",
            5usize,
        ),
    ];
    for (title, body, kind, against_every) in resolutions {
        let d = decisions::create(
            app,
            &karim,
            slug,
            &DecisionInput {
                title: title.into(),
                body: Some(body.into()),
                kind: Some(kind.into()),
                method: "motion".into(),
                secret: Some(false),
                assembly: Some(assembly.id.clone()),
                ..Default::default()
            },
        )
        .await?;
        decisions::open(app, &chair.0, slug, &d.id).await?;
        for (i, (actor, _)) in attending.iter().enumerate() {
            let choice = if i % against_every == against_every - 1 {
                "against"
            } else if i % 11 == 10 {
                "abstain"
            } else {
                "for"
            };
            ballots::cast(
                app,
                actor,
                slug,
                &d.id,
                serde_json::json!({"choice": choice}),
            )
            .await?;
        }
        decisions::close(app, &chair.0, slug, &d.id).await?;
    }
    assemblies::sign(app, &chair.0, slug, &assembly.id).await?;
    assemblies::sign(app, &secretary.0, slug, &assembly.id).await?;

    // The board election, open now, by single transferable vote with secret ballots.
    let candidates = [
        "Aïcha Benali",
        "Bruno Girard",
        "Claire Roux",
        "Damien Perrin",
        "Élodie Morel",
    ];
    let election = decisions::create(
        app,
        &karim,
        slug,
        &DecisionInput {
            title: "Élection du conseil coopératif (3 sièges)".into(),
            body: Some("Trois sièges à pourvoir pour trois ans. Classez les candidatures par ordre de préférence.".into()),
            kind: Some("election".into()),
            method: "stv".into(),
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
            seats: Some(3),
            secret: Some(true),
            closes_at: Some(TimeInput::Ms(now + 14 * DAY)),
            ..Default::default()
        },
    )
    .await?;
    decisions::open(app, &karim, slug, &election.id).await?;
    for (i, (actor, _)) in people.iter().enumerate().take(people.len() / 2) {
        let ranking: Vec<Vec<&str>> = (0..3)
            .map(|k| vec![candidates[(i * 2 + k * (1 + i % 2)) % candidates.len()]])
            .fold(Vec::new(), |mut acc, t| {
                if !acc.contains(&t) {
                    acc.push(t);
                }
                acc
            });
        ballots::cast(
            app,
            actor,
            slug,
            &election.id,
            serde_json::json!({"ranking": ranking}),
        )
        .await?;
    }
    Ok(())
}

async fn association(app: &App) -> AppResult<()> {
    let slug = "manchots-libres";
    let camille = admin_of(app, slug).await?;
    let org = orgs::by_slug(app, slug).await?;
    let options = [
        "Libérer son téléphone",
        "Jeux vidéo libres",
        "Auto-hébergement",
        "Cartographie OpenStreetMap",
    ];
    let d = decisions::create(
        app,
        &camille,
        slug,
        &DecisionInput {
            title: "Thème de l'install party de janvier".into(),
            body: Some(
                "Jugement majoritaire : évaluez chaque thème, le mieux évalué l'emporte.".into(),
            ),
            method: "majority_judgment".into(),
            candidates: options.iter().map(|c| c.to_string()).collect(),
            secret: Some(false),
            live_results: Some(true),
            closes_at: Some(TimeInput::Ms(app.now() + 10 * DAY)),
            ..Default::default()
        },
    )
    .await?;
    decisions::open(app, &camille, slug, &d.id).await?;
    let grades = fabrique_vote::model::default_grades();
    let people = voters(app, &org.id).await?;
    for (i, (actor, _)) in people.iter().enumerate().take(23) {
        let judged: serde_json::Map<String, serde_json::Value> = options
            .iter()
            .enumerate()
            .map(|(k, o)| {
                (
                    o.to_string(),
                    serde_json::json!(grades[(i * 3 + k * 5 + k * i) % grades.len()]),
                )
            })
            .collect();
        ballots::cast(
            app,
            actor,
            slug,
            &d.id,
            serde_json::json!({"grades": judged}),
        )
        .await?;
    }
    Ok(())
}
