//! Diff tests with hand-checked outputs.

use fabrique_commons::diff::{ListChange, ListOp, ScalarChange, TextChange, new_text, old_text};
use fabrique_commons::{
    Content, Ingredient, IngredientKind, License, RecipeFields, TextOp, apply, diff_content,
    diff_text, unified_text_diff,
};

fn eq(s: &str) -> TextOp {
    TextOp::Equal(s.into())
}
fn ins(s: &str) -> TextOp {
    TextOp::Insert(s.into())
}
fn del(s: &str) -> TextOp {
    TextOp::Delete(s.into())
}

/// A recipe used across tests.
pub fn repair_cafe() -> Content {
    Content::recipe(
        "Repair café",
        RecipeFields {
            summary: "Réparer ensemble ses objets.".into(),
            context: "Dans un quartier sans atelier.".into(),
            ingredients: vec![
                Ingredient {
                    kind: IngredientKind::People,
                    name: "bénévoles".into(),
                    quantity: "5".into(),
                },
                Ingredient {
                    kind: IngredientKind::Material,
                    name: "une salle".into(),
                    quantity: String::new(),
                },
            ],
            utensils: vec!["tournevis".into(), "multimètre".into()],
            steps: vec![
                "Trouver une salle".into(),
                "Annoncer la date".into(),
                "Accueillir".into(),
            ],
            produces: "Des objets réparés".into(),
            ..Default::default()
        },
    )
}

#[test]
fn word_level_diff_of_prose() {
    assert_eq!(
        diff_text(
            "Le repair café ouvre le samedi.",
            "Le repair café ouvre le premier samedi du mois."
        ),
        [
            eq("Le repair café ouvre le "),
            ins("premier "),
            eq("samedi"),
            ins(" du mois"),
            eq(".")
        ]
    );
    assert_eq!(diff_text("", "nouveau"), [ins("nouveau")]);
    assert_eq!(diff_text("ancien", ""), [del("ancien")]);
    assert_eq!(diff_text("même", "même"), [eq("même")]);
    assert_eq!(diff_text("", ""), []);
    // Multi-line: only the changed line is diffed word by word.
    let ops = diff_text(
        "Titre\n\nUne ligne stable.\nLe café est chaud.\n",
        "Titre\n\nUne ligne stable.\nLe thé est chaud.\n",
    );
    assert_eq!(
        ops,
        [
            eq("Titre\n\nUne ligne stable.\nLe "),
            del("café"),
            ins("thé"),
            eq(" est chaud.\n")
        ]
    );
    assert_eq!(
        old_text(&ops),
        "Titre\n\nUne ligne stable.\nLe café est chaud.\n"
    );
    assert_eq!(
        new_text(&ops),
        "Titre\n\nUne ligne stable.\nLe thé est chaud.\n"
    );
}

#[test]
fn recipe_diff_is_field_by_field() {
    let a = repair_cafe();
    let mut b = a.clone();
    b.title = "Repair café de quartier".into();
    b.license = License::Cc0;
    b.fields.steps[1] = "Annoncer la date sur l'agenda".into();
    b.fields.steps.push("Ranger".into());
    b.fields.utensils.remove(0);
    b.tags = vec!["réparation".into()];
    let d = diff_content(&a, &b);
    assert_eq!(
        d.changed_fields(),
        ["title", "license", "tags", "utensils", "steps"]
    );
    assert_eq!(
        d.title,
        TextChange::Changed {
            ops: vec![eq("Repair café"), ins(" de quartier")]
        }
    );
    assert_eq!(
        d.license,
        ScalarChange::Changed {
            from: License::CcBySa,
            to: License::Cc0
        }
    );
    assert_eq!(d.body, TextChange::Unchanged);
    assert_eq!(
        d.utensils,
        ListChange::Changed {
            items: vec![
                ListOp::Delete {
                    item: "tournevis".into()
                },
                ListOp::Equal {
                    item: "multimètre".into()
                }
            ]
        }
    );
    assert_eq!(
        d.steps,
        ListChange::Changed {
            items: vec![
                ListOp::Equal {
                    item: "Trouver une salle".into()
                },
                ListOp::Changed {
                    from: "Annoncer la date".into(),
                    to: "Annoncer la date sur l'agenda".into(),
                    ops: vec![eq("Annoncer la date"), ins(" sur l'agenda")],
                },
                ListOp::Equal {
                    item: "Accueillir".into()
                },
                ListOp::Insert {
                    item: "Ranger".into()
                },
            ]
        }
    );
    assert_eq!(apply(&a, &d).unwrap(), b);
    // The JSON the web layer renders.
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["title"]["change"], "changed");
    assert_eq!(
        json["title"]["ops"][1],
        serde_json::json!({"op": "insert", "text": " de quartier"})
    );
    assert_eq!(json["body"], serde_json::json!({"change": "unchanged"}));
    assert_eq!(
        json["license"],
        serde_json::json!({"change": "changed", "from": "CC-BY-SA-4.0", "to": "CC0-1.0"})
    );
    assert_eq!(json["steps"]["items"][1]["op"], "changed");
    // Round trip through JSON keeps it a patch.
    let back: fabrique_commons::ContentDiff = serde_json::from_value(json).unwrap();
    assert_eq!(apply(&a, &back).unwrap(), b);
}

#[test]
fn ingredient_edits_show_as_changed_items() {
    let a = repair_cafe();
    let mut b = a.clone();
    b.fields.ingredients[0].quantity = "8".into();
    let d = diff_content(&a, &b);
    let ListChange::Changed { items } = &d.ingredients else {
        panic!("unchanged")
    };
    assert!(matches!(&items[0], ListOp::Changed { ops, .. }
        if *ops == vec![eq("[people] bénévoles ("), del("5"), ins("8"), eq(")")]));
    assert_eq!(apply(&a, &d).unwrap(), b);
}

#[test]
fn apply_refuses_the_wrong_base() {
    let a = repair_cafe();
    let mut b = a.clone();
    b.fields.summary = "Réparer ensemble.".into();
    let d = diff_content(&a, &b);
    let mut other = a.clone();
    other.fields.summary = "Autre chose.".into();
    let err = apply(&other, &d).unwrap_err();
    assert_eq!(err.field, "summary");
    assert!(diff_content(&a, &a).is_empty());
}

#[test]
fn unified_diff_is_line_based() {
    let u = unified_text_diff("a\nb\nc\n", "a\nB\nc\n", "révision 1", "révision 2");
    assert_eq!(
        u,
        "--- révision 1\n+++ révision 2\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    );
    let a = repair_cafe();
    let mut b = a.clone();
    b.fields.produces = "Des objets réparés et du lien".into();
    let u = fabrique_commons::unified_content_diff(&a, &b, "1", "2");
    assert!(
        u.contains(
            "-produces: \"Des objets réparés\"\n+produces: \"Des objets réparés et du lien\"\n"
        ),
        "{u}"
    );
}

#[test]
fn large_revisions_diff_exactly() {
    let base: String = (0..20_000)
        .map(|i| format!("Ligne {i} du document de référence.\n"))
        .collect();
    let mut target = base.replace("Ligne 500 ", "Ligne cinq cents ");
    target.push_str("Une ligne ajoutée.\n");
    let ops = diff_text(&base, &target);
    assert_eq!(old_text(&ops), base);
    assert_eq!(new_text(&ops), target);
    assert_eq!(
        ops.iter()
            .filter(|o| !matches!(o, TextOp::Equal(_)))
            .count(),
        3
    );
}
