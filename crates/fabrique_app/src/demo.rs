//! The demo data set: three realistic French organisations that make every screen
//! meaningful. Loaded by `fabrique serve --demo` into an empty database.
//!
//! Every demo account's password is [`DEMO_PASSWORD`]; the accounts people log in with
//! are listed in the README.

use fabrique_core::{CollegeShare, DisplayName, Email, Fraction, Password, Role};
use sqlx::Row;

use crate::accounts::{self, User, actor_of};
use crate::members::{self, MemberPatch};
use crate::orgs::{self, NewOrg};
use crate::{App, AppResult};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "fabrique-demo";

const FIRST: &[&str] = &[
    "Camille",
    "Karim",
    "Louise",
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Manon",
    "Nathan",
    "Inès",
    "Théo",
    "Jade",
    "Yanis",
    "Zoé",
    "Mathis",
    "Sarah",
    "Noah",
    "Emma",
    "Rayan",
    "Lina",
    "Gabriel",
    "Anaïs",
    "Mehdi",
    "Clémence",
    "Jules",
    "Amina",
    "Arthur",
    "Margaux",
    "Sacha",
    "Élise",
    "Bastien",
    "Fatou",
    "Quentin",
    "Océane",
    "Malik",
    "Juliette",
    "Thomas",
    "Nour",
    "Antoine",
    "Salomé",
];
const LAST: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Benali",
    "Nguyen",
    "Diallo",
    "Chevalier",
    "Perrin",
    "Gauthier",
];

/// True when the database holds no organisation yet.
pub async fn is_empty(app: &App) -> AppResult<bool> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM orgs")
        .fetch_one(&app.db.read)
        .await?;
    Ok(r.try_get::<i64, _>("n")? == 0)
}

fn person(i: usize) -> (String, String) {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
    let name = format!("{first} {last}");
    let local: String = format!("{first}.{last}")
        .chars()
        .flat_map(fabrique_core::fold_accent)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    (
        name,
        format!(
            "{}{}@demo.fabrique.test",
            local.to_lowercase(),
            if i >= FIRST.len() {
                format!(".{i}")
            } else {
                String::new()
            }
        ),
    )
}

async fn demo_user(
    app: &App,
    hash: &str,
    name: &str,
    email: &str,
    instance_admin: bool,
) -> AppResult<User> {
    let user = User {
        id: fabrique_core::ids::new_id(),
        email: Email::parse(email)?.into_string(),
        name: DisplayName::parse("name", name)?.into_string(),
        instance_admin,
        created_at: app.now(),
    };
    accounts::insert_user(app, &user, hash).await?;
    Ok(user)
}

/// Loads the demo data set. Call on an empty database only.
pub async fn load(app: &App) -> AppResult<()> {
    let hash = accounts::hash_password(&Password::parse("password", DEMO_PASSWORD)?).await?;
    demo_user(
        app,
        &hash,
        "Admin Fabrique",
        "admin@demo.fabrique.test",
        true,
    )
    .await?;
    let people: Vec<User> = {
        let mut v = Vec::new();
        for i in 0..110 {
            let (name, email) = person(i);
            v.push(demo_user(app, &hash, &name, &email, false).await?);
        }
        v
    };

    // 1. A Linux users' association, about 60 members, monthly install parties.
    let camille = actor_of(&people[0]);
    let gul = NewOrg {
        slug: "manchots-libres".into(),
        name: "Les Manchots libres — GUL de Grenoble".into(),
        kind: "association".into(),
        description: Some(
            "Association loi 1901 de promotion des **logiciels libres** à Grenoble.\n\n\
             - Install party le premier samedi de chaque mois, à la Maison des associations ;\n\
             - ateliers « Libérez votre ordiphone » ;\n\
             - permanence d'entraide tous les mardis soir.\n\n\
             Adhésion : 10 € (réduit 5 €)."
                .into(),
        ),
        timezone: Some("Europe/Paris".into()),
        website: Some("https://manchots-libres.example.org".into()),
        contact_email: Some("bureau@manchots-libres.example.org".into()),
        visibility: Some("public".into()),
    };
    orgs::create(app, &camille, &gul).await?;
    add_members(app, &camille, "manchots-libres", &people[1..60], &[], 1).await?;

    // 2. A SCIC with four colleges, about 40 members.
    let karim = actor_of(&people[1]);
    let scic = NewOrg {
        slug: "grenier-commun".into(),
        name: "SCIC Le Grenier commun".into(),
        kind: "scic".into(),
        description: Some(
            "Société coopérative d'intérêt collectif : une épicerie et une légumerie qui relient \
             producteurs du Trièves, habitants et collectivités.\n\nQuatre collèges : salariés, producteurs, usagers, collectivités."
                .into(),
        ),
        timezone: Some("Europe/Paris".into()),
        website: Some("https://grenier-commun.example.org".into()),
        contact_email: None,
        visibility: Some("public".into()),
    };
    orgs::create(app, &karim, &scic).await?;
    let colleges = [
        ("Salariés", "3/10"),
        ("Producteurs", "3/10"),
        ("Usagers", "1/4"),
        ("Collectivités", "3/20"),
    ]
    .map(|(n, s)| {
        Ok(CollegeShare {
            name: n.into(),
            share: Fraction::parse(s)?,
        })
    })
    .into_iter()
    .collect::<Result<Vec<_>, fabrique_core::FieldError>>()?;
    members::put_colleges(app, &karim, "grenier-commun", &colleges).await?;
    let names: Vec<&str> = colleges.iter().map(|c| c.name.as_str()).collect();
    add_members(app, &karim, "grenier-commun", &people[55..95], &names, 2).await?;
    let (org, _) = orgs::require_admin(app, &karim, "grenier-commun").await?;
    let me = orgs::membership(app, &org.id, Some(&karim)).await?;
    if let Some(me) = me {
        let patch = MemberPatch {
            college: Some("Salariés".into()),
            ..Default::default()
        };
        members::update(app, &karim, "grenier-commun", &me.member_id, &patch).await?;
    }

    // 3. A regional network of third places.
    let louise = actor_of(&people[2]);
    let network = NewOrg {
        slug: "tiers-lieux-alpes".into(),
        name: "Réseau des tiers-lieux des Alpes".into(),
        kind: "collective".into(),
        description: Some(
            "Réseau régional de **tiers-lieux** : fablabs, cafés associatifs, ressourceries. \
             Nous publions nos savoir-faire en *recettes libres* pour que d'autres lieux les adaptent."
                .into(),
        ),
        timezone: Some("Europe/Paris".into()),
        website: None,
        contact_email: Some("coordination@tiers-lieux-alpes.example.org".into()),
        visibility: Some("public".into()),
    };
    orgs::create(app, &louise, &network).await?;
    add_members(app, &louise, "tiers-lieux-alpes", &people[90..110], &[], 1).await?;
    crate::treasury::demo::load(app).await?;
    crate::governance::demo::load(app).await?;
    crate::documents::demo::load(app).await?;
    Ok(())
}

/// Adds people as members, spreading them over colleges, with one administrator every
/// `admins_every`-th person after the first few and an observer now and then.
async fn add_members(
    app: &App,
    admin: &crate::Actor,
    slug: &str,
    people: &[User],
    colleges: &[&str],
    admins: usize,
) -> AppResult<()> {
    for (i, p) in people.iter().enumerate() {
        if p.id == admin.user_id {
            continue;
        }
        let role = if i < admins {
            Role::Admin
        } else if i % 11 == 10 {
            Role::Observer
        } else {
            Role::Member
        };
        let category = if i % 9 == 8 {
            Some("Membre associé".to_owned())
        } else {
            None
        };
        let input = members::AddMember {
            email: p.email.clone(),
            role: Some(role.as_str().into()),
            college: (!colleges.is_empty()).then(|| colleges[i % colleges.len()].to_owned()),
            category,
        };
        members::add(app, admin, slug, &input).await?;
    }
    Ok(())
}
