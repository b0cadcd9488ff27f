//! Demo documents: free recipes and pages of the three demo organisations, with forks
//! between them, a later upstream change to pull, and an open change proposal.

use serde_json::{Value, json};
use sqlx::Row;

use super::{Edit, NewDocument, NewProposal};
use crate::{Actor, App, AppError, AppResult};

/// A demo recipe: title, tags, summary, context, ingredients `(kind, name, quantity)`,
/// utensils, steps, what it produces, tips.
struct R {
    title: &'static str,
    tags: &'static [&'static str],
    summary: &'static str,
    context: &'static str,
    ingredients: &'static [(&'static str, &'static str, &'static str)],
    utensils: &'static [&'static str],
    steps: &'static [&'static str],
    produces: &'static str,
    tips: &'static str,
    license: &'static str,
}

impl R {
    fn json(&self) -> Value {
        json!({
            "kind": "recipe",
            "title": self.title,
            "license": self.license,
            "visibility": "public",
            "tags": self.tags,
            "fields": {
                "summary": self.summary,
                "context": self.context,
                "ingredients": self.ingredients.iter().map(|(k, n, q)| json!({"kind": k, "name": n, "quantity": q})).collect::<Vec<_>>(),
                "utensils": self.utensils,
                "steps": self.steps,
                "produces": self.produces,
                "tips": self.tips,
            }
        })
    }
}

fn page(title: &str, tags: &[&str], license: &str, visibility: &str, body: &str) -> Value {
    json!({"kind": "page", "title": title, "license": license, "visibility": visibility, "tags": tags, "body": body})
}

const GUL: &[R] = &[
    R {
        title: "Install party mensuelle",
        tags: &["logiciel libre", "install party", "linux"],
        summary: "Un samedi par mois, installer GNU/Linux sur les ordinateurs des habitants, avec eux.",
        context: "Pour les personnes dont l'ordinateur ralentit ou n'est plus mis à jour, et qui veulent comprendre ce qu'on y installe.",
        ingredients: &[
            ("people", "bénévoles installeurs", "4 à 6"),
            ("material", "salle avec prises et wifi", "1"),
            ("material", "clés USB d'installation", "10"),
            ("money", "café et gâteaux", "30 €"),
        ],
        utensils: &[
            "clés USB amorçables",
            "multiprises",
            "disque dur externe pour les sauvegardes",
        ],
        steps: &[
            "Réserver la salle à la Maison des associations un mois à l'avance.",
            "Annoncer l'événement sur le site, la liste de diffusion et l'affichage de quartier.",
            "Accueillir chaque visiteur : sauvegarder ses données **avant** toute installation.",
            "Installer, puis montrer les logiciels du quotidien.",
            "Noter les problèmes matériels rencontrés dans le carnet partagé.",
        ],
        produces: "Des ordinateurs qui revivent et des habitants autonomes sur leur système.",
        tips: "Préparer une fiche « premiers pas » imprimée à remettre à chaque personne.",
        license: "CC-BY-SA-4.0",
    },
    R {
        title: "Atelier « Libérez votre ordiphone »",
        tags: &["logiciel libre", "téléphone", "vie privée"],
        summary: "Remplacer le système d'un téléphone Android par un système libre, ou au moins le dégoogliser.",
        context: "Pour les personnes soucieuses de leur vie privée ou dont le téléphone n'a plus de mises à jour.",
        ingredients: &[
            ("people", "animateurs aguerris", "2"),
            ("skill", "connaissance d'ADB et de fastboot", ""),
            ("material", "câbles USB variés", "10"),
        ],
        utensils: &[
            "ordinateur portable avec les outils Android",
            "liste des modèles compatibles",
        ],
        steps: &[
            "Vérifier la compatibilité du modèle avant l'atelier.",
            "Sauvegarder contacts, photos et messages.",
            "Déverrouiller le chargeur d'amorçage, puis installer le système.",
            "Installer un magasin d'applications libres.",
        ],
        produces: "Des téléphones qui durent plus longtemps et respectent leurs utilisateurs.",
        tips: "Ne jamais commencer sans une batterie chargée à plus de 60 %.",
        license: "CC-BY-4.0",
    },
    R {
        title: "Permanence d'entraide informatique",
        tags: &["entraide", "informatique", "quartier"],
        summary: "Un créneau hebdomadaire où chacun vient avec sa question ou sa panne.",
        context: "Pour rompre l'isolement numérique des habitants, sans rendez-vous.",
        ingredients: &[
            ("people", "bénévoles", "2 par soir"),
            ("material", "local accessible", "1"),
        ],
        utensils: &["cahier de suivi des demandes"],
        steps: &[
            "Tenir le même jour et la même heure toute l'année.",
            "Accueillir, écouter, reformuler la demande.",
            "Faire faire plutôt que faire à la place.",
        ],
        produces: "Des habitants qui se dépannent entre eux.",
        tips: "Afficher les horaires à la bibliothèque et à la mairie annexe.",
        license: "CC-BY-SA-4.0",
    },
    R {
        title: "Install party dans une école",
        tags: &["école", "logiciel libre", "éducation"],
        summary: "Équiper la salle informatique d'une école primaire avec des logiciels libres éducatifs.",
        context: "Pour les écoles qui reçoivent des ordinateurs de réemploi sans budget de licences.",
        ingredients: &[
            ("people", "bénévoles", "3"),
            ("people", "enseignant référent", "1"),
            ("material", "ordinateurs de réemploi", "12"),
        ],
        utensils: &["image système préparée", "clé USB de déploiement"],
        steps: &[
            "Rencontrer l'équipe enseignante et lister les usages.",
            "Préparer une image système avec les logiciels éducatifs.",
            "Déployer pendant les vacances scolaires.",
            "Former les enseignants lors d'une demi-journée.",
        ],
        produces: "Une salle informatique entretenue et des enfants initiés au libre.",
        tips: "Laisser à l'école une procédure de réinstallation d'une page.",
        license: "CC-BY-SA-4.0",
    },
];

const GRENIER: &[R] = &[
    R {
        title: "Ouvrir une épicerie coopérative",
        tags: &["épicerie", "coopérative", "alimentation"],
        summary: "Une épicerie gérée par ses membres, qui y donnent trois heures par mois.",
        context: "Pour offrir des produits locaux à prix justes dans un quartier sans commerce.",
        ingredients: &[
            ("people", "membres coopérateurs", "150"),
            ("money", "capital de départ", "20 000 €"),
            ("material", "local commercial", "80 m²"),
            ("skill", "gestion de stock", ""),
        ],
        utensils: &[
            "logiciel de caisse libre",
            "balance homologuée",
            "chambre froide",
        ],
        steps: &[
            "Réunir un groupe fondateur et rédiger la charte.",
            "Choisir la forme juridique (association puis SCIC).",
            "Trouver le local et les premiers fournisseurs.",
            "Organiser les créneaux de travail des membres.",
            "Ouvrir d'abord trois jours par semaine.",
        ],
        produces: "Des produits locaux à prix coûtant et un lieu de rencontre.",
        tips: "Commencer avec une gamme courte et bien tenue plutôt qu'un grand choix.",
        license: "CC-BY-SA-4.0",
    },
    R {
        title: "Légumerie solidaire",
        tags: &["alimentation", "insertion", "circuit court"],
        summary: "Laver, éplucher et conditionner les légumes des producteurs pour les cantines.",
        context: "Les cantines veulent du local mais n'ont pas le temps d'éplucher.",
        ingredients: &[
            ("people", "salariés en insertion", "6"),
            ("material", "atelier aux normes sanitaires", "1"),
            ("money", "subvention d'équipement", "45 000 €"),
        ],
        utensils: &["éplucheuse", "essoreuse", "ensacheuse sous vide"],
        steps: &[
            "Signer des contrats avec trois cantines au moins.",
            "Obtenir l'agrément sanitaire.",
            "Planifier les volumes avec les producteurs une saison à l'avance.",
        ],
        produces: "Des légumes locaux prêts à cuisiner et des emplois.",
        tips: "Valoriser les épluchures en compost chez un maraîcher partenaire.",
        license: "CC-BY-4.0",
    },
    R {
        title: "Groupement d'achat de quartier",
        tags: &["alimentation", "achat groupé", "quartier"],
        summary: "Commander ensemble en vrac auprès des producteurs, puis répartir.",
        context: "Une étape avant l'épicerie : peu de moyens, beaucoup de liens.",
        ingredients: &[
            ("people", "familles", "20"),
            ("material", "lieu de distribution", "1"),
        ],
        utensils: &["tableur partagé", "balances", "sacs réutilisables"],
        steps: &[
            "Recueillir les commandes avant le 10 du mois.",
            "Passer une commande groupée par producteur.",
            "Distribuer un samedi matin.",
        ],
        produces: "Des produits moins chers et des voisins qui se connaissent.",
        tips: "Faire tourner la coordination tous les trois mois.",
        license: "CC0-1.0",
    },
    R {
        title: "Réparer un vélo au repair café",
        tags: &["réparation", "vélo", "repair café"],
        summary: "Un atelier où l'on apprend à réparer son vélo avec l'aide de bénévoles.",
        context: "Les vélos abandonnés faute d'une chambre à air ou d'un câble de frein.",
        ingredients: &[
            ("people", "mécaniciens bénévoles", "3"),
            ("material", "pièces de réemploi", ""),
            ("money", "caisse de participation libre", ""),
        ],
        utensils: &[
            "pied d'atelier",
            "clés plates",
            "démonte-pneus",
            "pompe à pied",
        ],
        steps: &[
            "Accueillir et faire un diagnostic avec la personne.",
            "Réparer ensemble, sans faire à la place.",
            "Noter la réparation dans le registre.",
        ],
        produces: "Des vélos qui roulent et des cyclistes plus autonomes.",
        tips: "Récupérer les vélos abandonnés auprès du bailleur social.",
        license: "CC-BY-SA-4.0",
    },
];

const TIERS: &[R] = &[
    R {
        title: "Repair café",
        tags: &["réparation", "repair café", "réemploi"],
        summary: "Réparer ensemble plutôt que jeter : grille-pain, vêtements, lampes, ordinateurs.",
        context: "Pour réduire les déchets et transmettre les savoir-faire de réparation.",
        ingredients: &[
            ("people", "bénévoles réparateurs", "5 à 8"),
            ("material", "salle avec tables", "1"),
            ("money", "assurance responsabilité civile", "150 € par an"),
        ],
        utensils: &[
            "tournevis de précision",
            "fer à souder",
            "multimètre",
            "machine à coudre",
        ],
        steps: &[
            "Trouver une salle et fixer une date régulière.",
            "Recruter des bénévoles par spécialité.",
            "Annoncer la date.",
            "Accueillir, inscrire, orienter vers la bonne table.",
            "Noter chaque réparation : réussie, partielle, impossible.",
        ],
        produces: "Des objets réparés et des voisins qui se parlent.",
        tips: "Un coin café est indispensable : l'attente fait partie de la rencontre.",
        license: "CC-BY-SA-4.0",
    },
    R {
        title: "Règles du jardin partagé",
        tags: &["jardin", "règlement", "commun"],
        summary: "Les règles que se donnent les jardiniers d'un jardin partagé.",
        context: "Un jardin sur un terrain prêté par la commune, ouvert aux habitants.",
        ingredients: &[
            ("people", "jardiniers", "25"),
            ("material", "terrain", "800 m²"),
            ("material", "récupérateurs d'eau", "3"),
        ],
        utensils: &["cabane à outils", "composteur", "tableau d'affichage"],
        steps: &[
            "Tenir une assemblée de jardiniers au printemps.",
            "Répartir parcelles individuelles et parcelles communes.",
            "Fixer le calendrier d'arrosage de l'été.",
            "Organiser une journée de récolte partagée à l'automne.",
        ],
        produces: "Des légumes, de l'ombre et des voisins.",
        tips: "Écrire les règles à plusieurs, les relire chaque année.",
        license: "LAL-1.3",
    },
    R {
        title: "Lancer une monnaie locale",
        tags: &["monnaie locale", "économie", "territoire"],
        summary: "Une monnaie complémentaire qui fait circuler l'argent entre commerces du territoire.",
        context: "Pour relocaliser l'économie et soutenir les commerces indépendants.",
        ingredients: &[
            ("people", "commerçants adhérents", "40"),
            ("people", "utilisateurs", "500"),
            (
                "money",
                "fonds de garantie en euros",
                "100 % des billets émis",
            ),
            ("skill", "comptabilité", ""),
        ],
        utensils: &[
            "billets sécurisés",
            "comptoirs de change",
            "convention avec une banque éthique",
        ],
        steps: &[
            "Constituer une association porteuse.",
            "Rédiger la charte des valeurs des prestataires.",
            "Imprimer les billets et ouvrir les comptoirs de change.",
            "Animer le réseau : foires, annuaire, réunions de commerçants.",
        ],
        produces: "Des échanges locaux, et un fonds de garantie qui finance des projets du territoire.",
        tips: "La monnaie n'est qu'un outil : l'animation du réseau fait tout.",
        license: "CC-BY-SA-4.0",
    },
    R {
        title: "Ouvrir un tiers-lieu en milieu rural",
        tags: &["tiers-lieu", "rural", "coworking"],
        summary: "Un lieu partagé : bureaux, atelier, café, ouvert aux habitants et aux travailleurs.",
        context: "Dans les bourgs où les commerces ferment et où le télétravail arrive.",
        ingredients: &[
            ("people", "collectif fondateur", "8"),
            ("material", "bâtiment vacant", "300 m²"),
            ("money", "budget d'aménagement", "60 000 €"),
        ],
        utensils: &[
            "convention d'occupation avec la mairie",
            "outil de réservation des espaces",
        ],
        steps: &[
            "Enquêter auprès des habitants sur leurs besoins.",
            "Négocier le bâtiment avec la commune.",
            "Ouvrir d'abord un café associatif, puis les bureaux.",
            "Programmer des événements chaque mois.",
        ],
        produces: "Un lieu de vie, des emplois et des projets qui naissent.",
        tips: "Ouvrir vite, même petit : le lieu se construit avec ceux qui viennent.",
        license: "CC-BY-4.0",
    },
    R {
        title: "Organiser une fête de quartier",
        tags: &["événement", "quartier", "convivialité"],
        summary: "Une journée festive organisée par et pour les habitants.",
        context: "Pour que les voisins se rencontrent au moins une fois par an.",
        ingredients: &[
            ("people", "bénévoles", "15"),
            ("money", "budget", "800 €"),
            ("material", "tables et bancs", "20"),
        ],
        utensils: &[
            "autorisation d'occupation de la voie publique",
            "sono",
            "barnums",
        ],
        steps: &[
            "Déposer la demande en mairie trois mois avant.",
            "Monter les équipes : repas, musique, jeux, rangement.",
            "Communiquer dans chaque boîte aux lettres.",
            "Faire un bilan autour d'un repas avec les bénévoles.",
        ],
        produces: "Des liens entre voisins et l'envie de recommencer.",
        tips: "Prévoir un plan B en cas de pluie dès le départ.",
        license: "CC0-1.0",
    },
];

/// A demo page: `(org, title, tags, licence, visibility, body)`.
type PageSpec = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
);

const PAGES: &[PageSpec] = &[
    (
        "manchots-libres",
        "Charte d'accueil des install parties",
        &["charte", "install party"],
        "CC-BY-SA-4.0",
        "public",
        "# Charte d'accueil\n\nNous installons **avec** vous, pas à votre place.\n\n- Vos données sont sauvegardées avant toute opération.\n- Nous n'installons que des logiciels libres.\n- Personne n'est jugé sur ses questions.",
    ),
    (
        "manchots-libres",
        "Liste du matériel prêté",
        &["matériel", "prêt"],
        "CC0-1.0",
        "members",
        "| objet | lieu |\n| --- | --- |\n| vidéoprojecteur | local |\n| 10 clés USB | armoire |\n| multiprises | armoire |",
    ),
    (
        "manchots-libres",
        "Compte rendu du bureau de mars",
        &["compte rendu", "bureau"],
        "CC-BY-4.0",
        "members",
        "Présents : Camille, Karim, Louise.\n\n1. Bilan de l'install party : 14 ordinateurs installés.\n2. Prochain atelier téléphone en avril.",
    ),
    (
        "manchots-libres",
        "Foire aux questions Linux",
        &["faq", "linux"],
        "CC-BY-SA-4.0",
        "public",
        "## Mon imprimante marchera-t-elle ?\n\nLe plus souvent oui : apportez-la.\n\n## Puis-je garder Windows ?\n\nOui, nous pouvons installer les deux côte à côte.",
    ),
    (
        "grenier-commun",
        "Règlement intérieur de l'épicerie",
        &["règlement", "épicerie"],
        "CC-BY-SA-4.0",
        "public",
        "Chaque membre donne **3 heures par mois**.\n\nLes créneaux se réservent dans le planning partagé ; un créneau manqué se rattrape dans le mois.",
    ),
    (
        "grenier-commun",
        "Liste des producteurs partenaires",
        &["producteurs", "circuit court"],
        "CC-BY-4.0",
        "public",
        "- Ferme du Trièves : légumes, œufs\n- Moulin de Mens : farines\n- Chèvrerie des Écrins : fromages",
    ),
    (
        "grenier-commun",
        "Procédure de clôture de caisse",
        &["caisse", "procédure"],
        "CC0-1.0",
        "members",
        "1. Compter le fond de caisse.\n2. Éditer le ticket Z.\n3. Noter l'écart éventuel dans le cahier.",
    ),
    (
        "grenier-commun",
        "Planning des créneaux d'été",
        &["planning"],
        "CC0-1.0",
        "draft",
        "Brouillon : à compléter avant la réunion de juin.",
    ),
    (
        "tiers-lieux-alpes",
        "Cartographie des tiers-lieux alpins",
        &["tiers-lieu", "réseau"],
        "CC-BY-SA-4.0",
        "public",
        "Le réseau compte **27 lieux** en Isère, Savoie et Hautes-Alpes : cafés associatifs, ateliers partagés, fablabs.",
    ),
    (
        "tiers-lieux-alpes",
        "Guide de l'accueil des nouveaux lieux",
        &["réseau", "accueil"],
        "CC-BY-4.0",
        "public",
        "Un lieu qui rejoint le réseau est parrainé par un lieu existant pendant un an. Le parrain l'invite aux rencontres trimestrielles.",
    ),
    (
        "tiers-lieux-alpes",
        "Calendrier des rencontres du réseau",
        &["événement", "réseau"],
        "CC0-1.0",
        "members",
        "- Mars : rencontre à Die\n- Juin : rencontre à Briançon\n- Octobre : assemblée générale à Grenoble",
    ),
];

async fn admin_of(app: &App, org_slug: &str) -> AppResult<Actor> {
    let r = sqlx::query(
        "SELECT u.id, u.name, u.email FROM members m JOIN orgs o ON o.id = m.org_id JOIN users u ON u.id = m.user_id \
         WHERE o.slug = $1 AND m.role = 'admin' AND m.status = 'active' ORDER BY m.joined_at, u.id LIMIT 1",
    )
    .bind(org_slug)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "organisation administrator" })?;
    Ok(Actor {
        user_id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        instance_admin: false,
    })
}

async fn create(app: &App, actor: &Actor, org: &str, content: &Value) -> AppResult<String> {
    let saved = super::create(
        app,
        actor,
        org,
        NewDocument {
            content,
            message: "Première version",
        },
    )
    .await?;
    Ok(saved.slug)
}

/// Loads the demo documents (after the demo organisations exist).
pub async fn load(app: &App) -> AppResult<()> {
    let gul = admin_of(app, "manchots-libres").await?;
    let grenier = admin_of(app, "grenier-commun").await?;
    let tiers = admin_of(app, "tiers-lieux-alpes").await?;
    for (org, actor, recipes) in [
        ("manchots-libres", &gul, GUL),
        ("grenier-commun", &grenier, GRENIER),
        ("tiers-lieux-alpes", &tiers, TIERS),
    ] {
        for r in recipes {
            create(app, actor, org, &r.json()).await?;
        }
    }
    for (org, title, tags, license, visibility, body) in PAGES {
        let actor = match *org {
            "manchots-libres" => &gul,
            "grenier-commun" => &grenier,
            _ => &tiers,
        };
        create(
            app,
            actor,
            org,
            &page(title, tags, license, visibility, body),
        )
        .await?;
    }
    // The network's repair café is adapted by the cooperative and by the users' group;
    // the users' group also adapts the shared garden rules.
    super::fork(
        app,
        &grenier,
        "tiers-lieux-alpes",
        "repair-cafe",
        "grenier-commun",
        None,
    )
    .await?;
    let gul_fork = super::fork(
        app,
        &gul,
        "tiers-lieux-alpes",
        "repair-cafe",
        "manchots-libres",
        None,
    )
    .await?;
    super::fork(
        app,
        &gul,
        "tiers-lieux-alpes",
        "regles-du-jardin-partage",
        "manchots-libres",
        None,
    )
    .await?;
    super::fork(
        app,
        &grenier,
        "manchots-libres",
        "install-party-mensuelle",
        "grenier-commun",
        None,
    )
    .await?;
    // The users' group specialises its fork for computers…
    let mut adapted = TIERS[0].json();
    adapted["title"] = json!("Repair café informatique");
    adapted["fields"]["utensils"] = json!([
        "tournevis de précision",
        "fer à souder",
        "multimètre",
        "clés USB de diagnostic"
    ]);
    super::save(
        app,
        &gul,
        "manchots-libres",
        &gul_fork.slug,
        Edit {
            base_revision: 1,
            content: &adapted,
            message: "Spécialisation informatique",
        },
    )
    .await?;
    // …the network improves its original later (something the forks can pull)…
    let mut better = TIERS[0].json();
    better["fields"]["tips"] = json!(
        "Un coin café est indispensable : l'attente fait partie de la rencontre. Prévoir aussi un registre des réparations pour mesurer les déchets évités."
    );
    super::save(
        app,
        &tiers,
        "tiers-lieux-alpes",
        "repair-cafe",
        Edit {
            base_revision: 1,
            content: &better,
            message: "Astuce : le registre des réparations",
        },
    )
    .await?;
    // …and the cooperative proposes a change back, still open.
    let mut proposed = TIERS[0].json();
    proposed["fields"]["steps"] = json!([
        "Trouver une salle et fixer une date régulière.",
        "Recruter des bénévoles par spécialité.",
        "Annoncer la date dans l'épicerie coopérative et sur la radio locale.",
        "Accueillir, inscrire, orienter vers la bonne table.",
        "Noter chaque réparation : réussie, partielle, impossible."
    ]);
    super::propose(
        app,
        &grenier,
        "tiers-lieux-alpes",
        "repair-cafe",
        NewProposal {
            base_revision: 1,
            content: &proposed,
            message: "Annoncer aussi à l'épicerie et à la radio",
        },
    )
    .await?;
    Ok(())
}
