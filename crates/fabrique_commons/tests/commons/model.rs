//! Model, licences and validation tests.

use fabrique_commons::model::MAX_TITLE_CHARS;
use fabrique_commons::{
    Content, ContentError, DocumentKind, ForkLicenseError, IngredientKind, License, Visibility,
    fork_license,
};

#[test]
fn licences_parse_from_ids_names_and_urls() {
    let cases = [
        ("CC0-1.0", License::Cc0),
        ("cc0", License::Cc0),
        ("Domaine public", License::Cc0),
        (
            "https://creativecommons.org/publicdomain/zero/1.0/deed.fr",
            License::Cc0,
        ),
        ("CC-BY-4.0", License::CcBy),
        ("CC BY 4.0", License::CcBy),
        (
            "Creative Commons Attribution 4.0 International",
            License::CcBy,
        ),
        ("http://creativecommons.org/licenses/by/4.0/", License::CcBy),
        ("CC-BY-SA-4.0", License::CcBySa),
        ("cc by-sa", License::CcBySa),
        (
            "Creative Commons Attribution - Partage dans les Mêmes Conditions 4.0 International",
            License::CcBySa,
        ),
        (
            "Creative Commons Attribution-ShareAlike 4.0 International",
            License::CcBySa,
        ),
        (
            "https://creativecommons.org/licenses/by-sa/4.0/",
            License::CcBySa,
        ),
        ("LAL-1.3", License::Lal),
        ("Licence Art Libre", License::Lal),
        ("licence art libre 1.3", License::Lal),
        ("Free Art License", License::Lal),
        ("https://artlibre.org/licence/lal/", License::Lal),
    ];
    for (input, expected) in cases {
        assert_eq!(License::parse(input), Ok(expected), "{input}");
    }
    for bad in ["GPL-3.0", "CC-BY-NC-4.0", "", "https://example.org/licence"] {
        assert!(License::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(License::CcBySa.to_string(), "CC-BY-SA-4.0");
    assert_eq!(License::Lal.name_fr(), "Licence Art Libre 1.3");
    assert_eq!(
        serde_json::to_string(&License::CcBy).unwrap(),
        "\"CC-BY-4.0\""
    );
    assert_eq!(
        serde_json::from_str::<License>("\"cc by-sa\"").unwrap(),
        License::CcBySa
    );
}

#[test]
fn fork_licence_rules() {
    use License::*;
    // Keeping the source's licence is always allowed.
    for l in License::ALL {
        assert_eq!(fork_license(l, None), Ok(l));
        assert_eq!(fork_license(l, Some(l)), Ok(l));
    }
    // Share-alike keeps its licence.
    assert_eq!(
        fork_license(CcBySa, Some(CcBy)),
        Err(ForkLicenseError::ShareAlike {
            original: CcBySa,
            requested: CcBy
        })
    );
    assert!(fork_license(CcBySa, Some(Lal)).is_err());
    assert!(fork_license(Lal, Some(CcBySa)).is_err());
    assert!(fork_license(Lal, Some(Cc0)).is_err());
    // CC BY may become BY or BY-SA, not CC0 or LAL.
    assert_eq!(fork_license(CcBy, Some(CcBySa)), Ok(CcBySa));
    assert!(matches!(
        fork_license(CcBy, Some(Cc0)),
        Err(ForkLicenseError::Incompatible { .. })
    ));
    assert!(fork_license(CcBy, Some(Lal)).is_err());
    // CC0 may become anything.
    for l in License::ALL {
        assert_eq!(fork_license(Cc0, Some(l)), Ok(l));
    }
    let msg = fork_license(CcBySa, Some(Cc0)).unwrap_err().to_string();
    assert!(msg.contains("share-alike"), "{msg}");
}

#[test]
fn api_json_shape_parses() {
    let json = r#"{
        "kind": "recipe",
        "title": "  Repair café  ",
        "body": "Un atelier **convivial**.",
        "license": "CC-BY-SA-4.0",
        "visibility": "members",
        "tags": ["Réparation", "zéro déchet", "réparation"],
        "fields": {
            "summary": "Réparer ensemble.",
            "ingredients": [
                "une salle",
                {"kind": "people", "name": "bénévoles", "quantity": "5 à 8"},
                {"kind": "money", "name": "budget café", "quantity": 30}
            ],
            "utensils": ["tournevis", "multimètre"],
            "steps": ["Trouver une salle", "Accueillir"],
            "produces": "Des objets réparés",
            "local_variants": "À Lyon, le samedi."
        }
    }"#;
    let c = Content::from_json(json, None).unwrap();
    assert_eq!(c.kind, DocumentKind::Recipe);
    assert_eq!(c.title, "Repair café");
    assert_eq!(c.visibility, Visibility::Members);
    assert_eq!(c.tags, ["réparation", "zéro déchet"]);
    let ing = &c.fields.ingredients;
    assert_eq!(
        (ing[0].kind, ing[0].name.as_str(), ing[0].quantity.as_str()),
        (IngredientKind::Other, "une salle", "")
    );
    assert_eq!(
        (ing[1].kind, ing[1].quantity.as_str()),
        (IngredientKind::People, "5 à 8")
    );
    assert_eq!(
        (ing[2].kind, ing[2].quantity.as_str()),
        (IngredientKind::Money, "30")
    );
    assert_eq!(c.fields.local_variants, "À Lyon, le samedi.");
    // Serialises back to the same shape, and re-parses to the same content.
    let back = c.to_json();
    assert_eq!(back["kind"], "recipe");
    assert_eq!(back["license"], "CC-BY-SA-4.0");
    assert_eq!(back["fields"]["ingredients"][1]["kind"], "people");
    assert_eq!(Content::from_json(&back.to_string(), None).unwrap(), c);
    // A page needs no fields and may take the organisation's default licence.
    let p =
        Content::from_json(r#"{"kind": "page", "title": "Charte"}"#, Some(License::Cc0)).unwrap();
    assert_eq!(
        (p.license, p.visibility, p.body.as_str()),
        (License::Cc0, Visibility::Public, "")
    );
    assert!(serde_json::to_value(&p).unwrap().get("fields").is_none());
}

fn errors(json: &str) -> Vec<ContentError> {
    Content::from_json(json, None).unwrap_err().0
}

#[test]
fn validation_names_each_field() {
    assert_eq!(
        errors(r#"{"title": "", "license": "CC0"}"#),
        [ContentError::EmptyTitle]
    );
    assert_eq!(
        errors(r#"{"title": "   ", "license": "CC0"}"#),
        [ContentError::EmptyTitle]
    );
    assert_eq!(
        errors(r#"{"license": "CC0"}"#),
        [ContentError::Missing("title")]
    );
    let long = "é".repeat(MAX_TITLE_CHARS + 1);
    assert_eq!(
        errors(&format!(r#"{{"title": "{long}", "license": "CC0"}}"#)),
        [ContentError::TitleTooLong {
            len: MAX_TITLE_CHARS + 1,
            max: MAX_TITLE_CHARS
        }]
    );
    assert_eq!(
        errors(r#"{"title": "x", "license": "WTFPL"}"#),
        [ContentError::UnknownLicense("WTFPL".into())]
    );
    assert_eq!(
        errors(r#"{"title": "x"}"#),
        [ContentError::Missing("license")]
    );
    assert_eq!(
        errors(r#"{"title": "x", "license": "CC0", "kind": "wiki"}"#),
        [ContentError::UnknownKind("wiki".into())]
    );
    assert_eq!(
        errors(r#"{"title": "x", "license": "CC0", "visibility": "secret"}"#),
        [ContentError::UnknownVisibility("secret".into())]
    );
    let tags: Vec<String> = (0..21).map(|i| format!("\"t{i}\"")).collect();
    assert_eq!(
        errors(&format!(
            r#"{{"title": "x", "license": "CC0", "tags": [{}]}}"#,
            tags.join(",")
        )),
        [ContentError::TooManyTags { count: 21, max: 20 }]
    );
    assert_eq!(
        errors(r#"{"title": "x", "license": "CC0", "tags": ["<b>", "ok"]}"#),
        [ContentError::TagCharset { tag: "<b>".into() }]
    );
    assert_eq!(
        errors(r#"{"title": "x", "license": "CC0", "tags": [" "]}"#),
        [ContentError::EmptyTag]
    );
    assert_eq!(
        errors(r#"{"title": "x", "license": "CC0", "fields": {"steps": ["a", " "]}}"#),
        [ContentError::EmptyItem {
            field: "steps",
            index: 1
        }]
    );
    assert_eq!(
        errors(
            r#"{"title": "x", "license": "CC0", "fields": {"ingredients": [{"kind": "magic", "name": "x"}]}}"#
        ),
        [ContentError::UnknownIngredientKind("magic".into())]
    );
    assert!(matches!(
        errors(r#"{"title": "x", "#)[0],
        ContentError::Json { line: 1, .. }
    ));
    assert!(
        matches!(&errors(r#"{"title": 3, "license": "CC0"}"#)[0], ContentError::WrongType { field, .. } if field == "title")
    );
    // Several problems are reported together, each with its field.
    let all = errors(r#"{"title": "", "license": "nope", "tags": ["a/b"]}"#);
    let fields: Vec<String> = all.iter().map(ContentError::field).collect();
    assert_eq!(fields, ["license", "title", "tags"]);
    assert_eq!(
        all[0].to_string(),
        "license: unknown licence \"nope\" (expected CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0 or LAL-1.3)"
    );
}
