//! Three-way merge tests.

use crate::diff::repair_cafe;
use fabrique_commons::merge::merge_tags;
use fabrique_commons::{FieldConflict, License, MergeOutcome, Visibility, merge, merge_text};

#[test]
fn non_overlapping_edits_merge_cleanly() {
    let base = repair_cafe();
    let mut ours = base.clone();
    ours.title = "Repair café de quartier".into();
    ours.fields.steps.insert(0, "Réunir l'équipe".into());
    ours.tags = vec!["réparation".into(), "quartier".into()];
    ours.body = "Premier paragraphe.\n\nDeuxième paragraphe.\n".into();
    let mut theirs = base.clone();
    theirs.visibility = Visibility::Members;
    theirs.fields.steps.push("Ranger la salle".into());
    theirs.fields.summary = "Réparer ensemble ses objets, et apprendre.".into();
    theirs.tags = vec!["réparation".into(), "zéro déchet".into()];
    let mut base = base;
    base.tags = vec!["réparation".into(), "vélo".into()];
    ours.tags.push("vélo".into());
    let MergeOutcome::Clean(m) = merge(&base, &ours, &theirs) else {
        panic!("conflict")
    };
    assert_eq!(m.title, "Repair café de quartier");
    assert_eq!(m.visibility, Visibility::Members);
    assert_eq!(
        m.fields.summary,
        "Réparer ensemble ses objets, et apprendre."
    );
    assert_eq!(
        m.fields.steps,
        [
            "Réunir l'équipe",
            "Trouver une salle",
            "Annoncer la date",
            "Accueillir",
            "Ranger la salle"
        ]
    );
    // "vélo" was removed by theirs; each side's additions kept.
    assert_eq!(m.tags, ["réparation", "quartier", "zéro déchet"]);
    assert_eq!(m.body, "Premier paragraphe.\n\nDeuxième paragraphe.\n");
}

#[test]
fn overlapping_edits_conflict_per_field() {
    let base = repair_cafe();
    let mut ours = base.clone();
    let mut theirs = base.clone();
    ours.license = License::Cc0;
    theirs.license = License::Lal;
    ours.fields.produces = "Des objets réparés et du lien social".into();
    theirs.fields.produces = "Moins de déchets".into();
    ours.fields.steps[1] = "Annoncer la date sur l'agenda".into();
    theirs.fields.steps[1] = "Afficher la date".into();
    let MergeOutcome::Conflict {
        merged_with_markers: m,
        conflicts,
    } = merge(&base, &ours, &theirs)
    else {
        panic!("clean")
    };
    assert_eq!(
        conflicts,
        [
            FieldConflict {
                field: "license".into(),
                base: "CC-BY-SA-4.0".into(),
                ours: "CC0-1.0".into(),
                theirs: "LAL-1.3".into()
            },
            FieldConflict {
                field: "steps".into(),
                base: "Annoncer la date".into(),
                ours: "Annoncer la date sur l'agenda".into(),
                theirs: "Afficher la date".into()
            },
            FieldConflict {
                field: "produces".into(),
                base: "Des objets réparés".into(),
                ours: "Des objets réparés et du lien social".into(),
                theirs: "Moins de déchets".into()
            },
        ]
    );
    assert_eq!(m.license, License::Cc0);
    assert_eq!(
        m.fields.produces,
        "<<<<<<< ours\nDes objets réparés et du lien social\n=======\nMoins de déchets\n>>>>>>> theirs\n"
    );
    assert_eq!(m.fields.steps[1], "Annoncer la date sur l'agenda");
    let json = serde_json::to_value(merge(&base, &ours, &theirs)).unwrap();
    assert_eq!(json["outcome"], "conflict");
    assert_eq!(json["conflicts"][0]["field"], "license");
}

#[test]
fn body_merges_by_line_then_by_word() {
    let base = "# Repair café\n\nLe repair café a lieu le samedi matin dans la salle des fêtes.\n\n## Matériel\n\n- tournevis\n";
    let ours = "# Repair café\n\nLe repair café a lieu le premier samedi matin dans la salle des fêtes.\n\n## Matériel\n\n- tournevis\n- fer à souder\n";
    let theirs = "# Repair café du Vieux-Lyon\n\nLe repair café a lieu le samedi matin dans la grande salle des fêtes.\n\n## Matériel\n\n- tournevis\n";
    let r = merge_text(base, ours, theirs);
    assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
    assert_eq!(
        r.text,
        "# Repair café du Vieux-Lyon\n\nLe repair café a lieu le premier samedi matin dans la grande salle des fêtes.\n\n## Matériel\n\n- tournevis\n- fer à souder\n"
    );
    // Same word changed on both sides: conflict with markers around the paragraph.
    let ours = base.replace("samedi", "dimanche");
    let theirs = base.replace("samedi", "vendredi");
    let r = merge_text(base, &ours, &theirs);
    assert_eq!(r.conflicts.len(), 1);
    assert!(r.text.contains(
        "<<<<<<< ours\nLe repair café a lieu le dimanche matin dans la salle des fêtes.\n=======\nLe repair café a lieu le vendredi matin dans la salle des fêtes.\n>>>>>>> theirs\n"
    ), "{}", r.text);
    assert!(r.text.starts_with("# Repair café\n\n<<<<<<<"));
}

#[test]
fn identical_changes_and_tag_sets() {
    let base = repair_cafe();
    let mut x = base.clone();
    x.body = "Nouveau corps\n".into();
    assert_eq!(merge(&base, &x, &x), MergeOutcome::Clean(x.clone()));
    assert_eq!(merge(&base, &base, &x), MergeOutcome::Clean(x.clone()));
    assert_eq!(merge(&base, &x, &base), MergeOutcome::Clean(x.clone()));
    let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        merge_tags(&t(&["a", "b"]), &t(&["a", "b", "c"]), &t(&["b", "d"])),
        t(&["b", "c", "d"])
    );
}

#[test]
fn large_texts_merge_with_the_budgeted_diff3() {
    // Above 64 KB the merge uses its own diff3; same results on ordinary edits.
    let base: String = (0..3000)
        .map(|i| format!("Paragraphe {i} du guide du repair café.\n\n"))
        .collect();
    let ours = base
        .replace("Paragraphe 10 du", "Paragraphe dix du")
        .replace("Paragraphe 2000 du guide", "Paragraphe 2000 du grand guide");
    let theirs = base.replace(
        "Paragraphe 2000 du guide du repair café",
        "Paragraphe 2000 du guide du repair café solidaire",
    );
    let r = merge_text(&base, &ours, &theirs);
    assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
    assert!(r.text.contains("Paragraphe dix du guide"));
    assert!(
        r.text
            .contains("Paragraphe 2000 du grand guide du repair café solidaire.\n")
    );
    assert_eq!(r.text.len(), base.len() + 1 + 6 + 10);
    let ours = base.replace("Paragraphe 5 du", "Paragraphe cinq du");
    let theirs = base.replace("Paragraphe 5 du", "Paragraphe V du");
    let r = merge_text(&base, &ours, &theirs);
    assert_eq!(
        r.conflicts,
        [(
            "Paragraphe 5 du guide du repair café.\n".to_string(),
            "Paragraphe cinq du guide du repair café.\n".to_string(),
            "Paragraphe V du guide du repair café.\n".to_string()
        )]
    );
    assert!(r.text.contains("<<<<<<< ours\nParagraphe cinq du guide du repair café.\n=======\nParagraphe V du guide du repair café.\n>>>>>>> theirs\n"));
}
