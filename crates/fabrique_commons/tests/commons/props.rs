//! Property tests: merge identities, diffs as patches, front-matter round trips, safe
//! rendering.

use fabrique_commons::diff::{new_text, old_text};
use fabrique_commons::merge::{Merge3Region, merge_slices};
use fabrique_commons::{
    Attribution, Content, ContentDiff, DocumentKind, Ingredient, IngredientKind, License,
    MergeOutcome, Meta, RecipeFields, SourceRef, Visibility, apply, diff_content, diff_text,
    from_markdown_file, merge, merge_text, render_markdown, to_markdown_file,
};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "le",
    "repair",
    "café",
    "atelier",
    "vélo",
    "école",
    "réparer",
    "ensemble",
    "samedi",
    "salle",
    "Œuvre",
    "à",
    "l'été",
    "«",
    "»",
    ",",
    ".",
    ";",
    "!",
    "?",
    "-",
    "*",
    "#",
    "**gras**",
    "[lien](x)",
    "1.",
    "—",
    "  ",
    "\t",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(WORDS).prop_map(|w| format!("{w} ")),
            1 => Just("\n".to_string()),
            1 => Just("\n\n".to_string()),
            1 => "\\PC{1,8}",
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

fn line() -> impl Strategy<Value = String> {
    "[^\\n\\r]{0,30}"
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn item() -> impl Strategy<Value = String> {
    "\\PC{0,20}[a-zé]\\PC{0,20}"
}

fn license() -> impl Strategy<Value = License> {
    prop::sample::select(License::ALL.to_vec())
}

fn content() -> impl Strategy<Value = Content> {
    let fields = (
        text(),
        text(),
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    IngredientKind::People,
                    IngredientKind::Money,
                    IngredientKind::Other,
                ]),
                item(),
                "[0-9a-z €]{0,6}",
            )
                .prop_map(|(kind, name, quantity)| Ingredient {
                    kind,
                    name,
                    quantity,
                }),
            0..4,
        ),
        prop::collection::vec(item(), 0..4),
        prop::collection::vec(item(), 0..5),
        text(),
        text(),
    )
        .prop_map(
            |(summary, context, ingredients, utensils, steps, produces, tips)| RecipeFields {
                summary,
                context,
                ingredients,
                utensils,
                steps,
                produces,
                tips,
                ..Default::default()
            },
        );
    (
        prop::bool::ANY,
        line(),
        text(),
        license(),
        prop::sample::select(vec![
            Visibility::Public,
            Visibility::Members,
            Visibility::Draft,
        ]),
        prop::collection::btree_set("[a-zé]{1,8}( [a-z]{1,5})?", 0..5),
        fields,
    )
        .prop_map(
            |(recipe, title, body, license, visibility, tags, fields)| Content {
                kind: if recipe {
                    DocumentKind::Recipe
                } else {
                    DocumentKind::Page
                },
                title,
                body,
                license,
                visibility,
                tags: tags.into_iter().collect(),
                fields: if recipe {
                    fields
                } else {
                    RecipeFields::default()
                },
            },
        )
}

/// A variant of `c`: each field kept or replaced by the matching field of `other`.
fn mix(c: &Content, other: &Content, mask: u16) -> Content {
    let mut m = c.clone();
    let pick = |bit: u16| mask & (1 << bit) != 0;
    if pick(0) {
        m.title = other.title.clone();
    }
    if pick(1) {
        m.body = other.body.clone();
    }
    if pick(2) {
        m.license = other.license;
    }
    if pick(3) {
        m.tags = other.tags.clone();
    }
    if pick(4) {
        m.fields.summary = other.fields.summary.clone();
    }
    if pick(5) {
        m.fields.steps = other.fields.steps.clone();
    }
    if pick(6) {
        m.fields.ingredients = other.fields.ingredients.clone();
    }
    if pick(7) {
        m.visibility = other.visibility;
    }
    if pick(8) {
        m.kind = other.kind;
    }
    m
}

fn resolved<T: Clone>(regions: Vec<Merge3Region<'_, T>>) -> Option<Vec<T>> {
    let mut out = Vec::new();
    for r in regions {
        match r {
            Merge3Region::Resolved(items) => out.extend(items.into_iter().cloned()),
            Merge3Region::Conflict { .. } => return None,
        }
    }
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn merge_with_one_side_unchanged_yields_the_other(b in content(), x in content()) {
        prop_assert_eq!(merge(&b, &b, &x), MergeOutcome::Clean(x.clone()));
        prop_assert_eq!(merge(&b, &x, &b), MergeOutcome::Clean(x.clone()));
        prop_assert_eq!(merge(&b, &x, &x), MergeOutcome::Clean(x.clone()));
        let r = merge_text(&b.body, &b.body, &x.body);
        prop_assert_eq!(r.text, x.body.clone());
    }

    #[test]
    fn diff3_of_slices_has_the_identities(
        b in prop::collection::vec(0u8..6, 0..30),
        x in prop::collection::vec(0u8..6, 0..30),
    ) {
        prop_assert_eq!(resolved(merge_slices(&b, &b, &x)), Some(x.clone()));
        prop_assert_eq!(resolved(merge_slices(&b, &x, &b)), Some(x.clone()));
        prop_assert_eq!(resolved(merge_slices(&b, &x, &x)), Some(x.clone()));
    }

    #[test]
    fn edits_to_different_fields_merge_cleanly(b in content(), o in content(), t in content(), mask in 0u16..512) {
        let ours = mix(&b, &o, mask);
        let theirs = mix(&b, &t, !mask & 0x1ff);
        let merged = merge(&b, &ours, &theirs);
        let MergeOutcome::Clean(m) = merged else {
            return Err(TestCaseError::fail(format!("conflict: {merged:?}")));
        };
        // Each field comes from the side that changed it.
        let expected = mix(&ours, &t, !mask & 0x1ff);
        prop_assert_eq!(m.title, expected.title);
        prop_assert_eq!(m.body, expected.body);
        prop_assert_eq!(m.license, expected.license);
        prop_assert_eq!(m.fields.summary, expected.fields.summary);
        prop_assert_eq!(m.fields.steps, expected.fields.steps);
        prop_assert_eq!(m.fields.ingredients, expected.fields.ingredients);
    }

    #[test]
    fn a_diff_applied_to_its_base_yields_the_target(a in content(), b in content(), mask in 0u16..512) {
        let b = mix(&a, &b, mask);
        let d = diff_content(&a, &b);
        prop_assert_eq!(apply(&a, &d).unwrap(), b.clone());
        let json = serde_json::to_string(&d).unwrap();
        let back: ContentDiff = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(apply(&a, &back).unwrap(), b);
    }

    #[test]
    fn text_diffs_hold_both_texts(a in text(), b in text()) {
        let ops = diff_text(&a, &b);
        prop_assert_eq!(old_text(&ops), a);
        prop_assert_eq!(new_text(&ops), b);
    }

    #[test]
    fn front_matter_round_trips(
        c in content(),
        slug in proptest::option::of("[a-z0-9-]{1,12}"),
        authors in prop::collection::vec("\\PC{1,12}", 0..3),
        revision in proptest::option::of(0u64..1_000_000),
        secs in proptest::option::of(0i64..4_000_000_000),
        with_source in prop::bool::ANY,
        chain in prop::collection::vec((line(), "\\PC{0,12}", license()), 0..3),
    ) {
        let meta = Meta {
            slug: slug.clone(),
            org: slug.clone(),
            authors: authors.clone(),
            revision,
            created: secs.map(|s| jiff::Timestamp::from_second(s).unwrap()),
            updated: None,
            source: with_source.then(|| SourceRef { org: "org".into(), document: "doc".into(), revision }),
            attribution: chain
                .into_iter()
                .map(|(title, org, license)| Attribution {
                    title,
                    authors: authors.clone(),
                    org,
                    org_slug: slug.clone(),
                    document: None,
                    revision,
                    license,
                    url: None,
                })
                .collect(),
        };
        let file = to_markdown_file(&c, &meta);
        let (c2, m2) = from_markdown_file(&file).map_err(|e| TestCaseError::fail(format!("{e}\n{file}")))?;
        prop_assert_eq!(c2, c);
        prop_assert_eq!(m2, meta);
    }

    #[test]
    fn rendering_never_lets_script_through(parts in prop::collection::vec(
        prop_oneof![
            prop::sample::select(crate::markdown::HOSTILE).prop_map(str::to_string),
            prop::sample::select(vec!["\n", "\n\n", "> ", "- ", "| a |\n|---|\n| ", "[", "](", ")", "<", ">", "\"", "'", "=", " on", "javascript", ":", "&#", "x", "`"]).prop_map(str::to_string),
            "\\PC{0,6}",
        ],
        0..12,
    )) {
        let input = parts.concat();
        let html = render_markdown(&input);
        prop_assert_eq!(crate::markdown::dangerous(&html), None, "input {:?} gave {:?}", input, html);
        prop_assert!(!html.to_lowercase().contains("javascript:"));
    }
}

fn wiki_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "\n",
                "\n\n",
                " ",
                "=",
                "==",
                "'",
                "''",
                "'''",
                "[[",
                "]]",
                "[",
                "]",
                "|",
                "||",
                "!",
                "!!",
                "{|",
                "|-",
                "|}",
                "|+",
                "{{",
                "}}",
                "*",
                "#",
                ":",
                ";",
                "----",
                "<ref>",
                "</ref>",
                "<ref name=a />",
                "<nowiki>",
                "</nowiki>",
                "<pre>",
                "</pre>",
                "<!--",
                "-->",
                "http://x.example",
                "Catégorie:",
                "Fichier:",
                "é",
                "\u{E000}",
                "\u{E001}",
                "__NOTOC__",
                "<references/>",
            ])
            .prop_map(str::to_string),
            "\\PC{0,5}",
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn wikitext_conversion_never_panics(w in wiki_soup()) {
        let c = fabrique_commons::wikitext_to_markdown(&w);
        let html = render_markdown(&c.markdown);
        prop_assert_eq!(crate::markdown::dangerous(&html), None);
        for t in &c.tags {
            prop_assert!(!t.is_empty() && t.chars().count() <= 40);
        }
    }

    #[test]
    fn importers_never_panic(
        fm in prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["---\n", "title: ", "license: CC0\n", "- ", "  ", "\"", "'", "[", "]", ",", "|\n", ">-\n", ":", "#", "\n", "tags:", "steps:\n", "ingredients:\n", "  - kind: people\n", "\t"]).prop_map(str::to_string),
                "\\PC{0,6}",
            ],
            0..30,
        ),
        xml in prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["<mediawiki>", "</mediawiki>", "<page>", "</page>", "<title>", "</title>", "<revision>", "</revision>", "<timestamp>2020-01-01T00:00:00Z</timestamp>", "<text>", "</text>", "<id>", "</id>", "&amp;", "&#x41;", "&bad;", "<", ">", "\n", "<minor/>"]).prop_map(str::to_string),
                "\\PC{0,6}",
            ],
            0..30,
        ),
    ) {
        let _ = from_markdown_file(&fm.concat());
        let _ = fabrique_commons::parse_mediawiki_str(&xml.concat());
    }
}
