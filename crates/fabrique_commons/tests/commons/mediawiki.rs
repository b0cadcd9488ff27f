//! MediaWiki import tests, on a hand-written French export.

use fabrique_commons::mediawiki::{Contributor, for_each_page, import_page, read_mediawiki_file};
use fabrique_commons::{License, parse_mediawiki_str, wikitext_to_markdown};

#[test]
fn sample_export_gives_pages_with_ordered_revisions() {
    let pages = read_mediawiki_file(&crate::data("repair_cafe.xml")).unwrap();
    assert_eq!(pages.len(), 2);
    let rc = &pages[0];
    assert_eq!(rc.title, "Repair café");
    assert_eq!((rc.ns, rc.id), (0, Some(12)));
    let ids: Vec<_> = rc.revisions.iter().map(|r| r.id.unwrap()).collect();
    assert_eq!(ids, [101, 109, 117]);
    assert_eq!(
        rc.revisions[0].contributor,
        Contributor::User {
            name: "Louise".into(),
            id: Some(7)
        }
    );
    assert_eq!(
        rc.revisions[1].contributor,
        Contributor::Ip("192.0.2.44".into())
    );
    assert_eq!(rc.revisions[1].comment, "ajout des étapes");
    assert!(rc.revisions[2].minor && !rc.revisions[1].minor);
    assert_eq!(rc.revisions[1].parent_id, Some(101));
    assert_eq!(
        rc.revisions[0].timestamp.to_string(),
        "2023-03-04T09:15:00Z"
    );
    // Entities are decoded in the wikitext.
    assert!(rc.revisions[0].text.contains("du café & des gâteaux"));
    assert!(rc.revisions[2].text.contains("<ref name=\"origine\">"));
    // The second page's revisions were exported out of order: sorted by time.
    let velo = &pages[1];
    let ids: Vec<_> = velo.revisions.iter().map(|r| r.id.unwrap()).collect();
    assert_eq!(ids, [205, 231, 240]);
    assert_eq!(velo.line, 109);
    let size = std::fs::metadata(crate::data("repair_cafe.xml"))
        .unwrap()
        .len();
    assert!(rc.end_offset < velo.end_offset && velo.end_offset < size);
}

#[test]
fn revisions_convert_to_markdown_documents() {
    let pages = read_mediawiki_file(&crate::data("repair_cafe.xml")).unwrap();
    let imported = import_page(&pages[0], License::CcBySa);
    assert_eq!(imported.slug, "repair-cafe");
    assert_eq!(imported.revisions.len(), 3);
    let last = &imported.revisions[2];
    assert_eq!(last.author_name, "Karim");
    assert_eq!(last.message, "tableau des rôles, modèle d'infobox");
    assert_eq!(last.content.tags, ["réparation", "économie circulaire"]);
    assert_eq!(last.content.license, License::CcBySa);
    assert_eq!(last.original_wikitext, pages[0].revisions[2].text);
    assert!(last.content.validate().is_ok());
    let expected = "`{{Infobox recette|durée=une demi-journée|public=tous}}`
Un **repair café** est un atelier *convivial* où l'on répare ensemble ses objets du quotidien.[^1]

## Ingrédients

- des bénévoles bricoleurs
- une salle avec des tables
- du café & des gâteaux

## Étapes

1. Trouver une salle (voir [les tiers-lieux du quartier](tiers-lieu))
1. Annoncer la date sur [l'agenda local](https://example.org/agenda)
1. Accueillir les visiteurs

## Rôles

| Rôle | Nombre |
| --- | --- |
| Accueil | 2 |
| Réparateurs | 5 à 8 |

**Bon à savoir** : les réparateurs ne sont pas des professionnels

> ils transmettent leur savoir-faire.

Écrire ''pas en italique'' reste possible.

[^1]: Le concept est né à Amsterdam en 2009.
";
    assert_eq!(last.content.body, expected);
    let second = &imported.revisions[1].content.body;
    assert!(second.contains("1. Accueillir les visiteurs\n   1. noter l'objet dans le registre\n"));
    let velo = import_page(&pages[1], License::Cc0);
    assert_eq!(velo.revisions[1].content.tags, ["mobilité"]);
    assert!(
        velo.revisions[1]
            .content
            .body
            .contains("[Repair café](repair-cafe)")
    );
    assert_eq!(
        velo.revisions[2].message,
        "Annulation de la modification 231"
    );
}

#[test]
fn malformed_export_names_the_line() {
    let xml = std::fs::read_to_string(crate::data("malformed.xml")).unwrap();
    let err = parse_mediawiki_str(&xml).unwrap_err();
    assert_eq!(err.line, 24, "{err}");
    assert!(
        err.to_string().starts_with("line 24: malformed XML"),
        "{err}"
    );
    // Streaming: the first, complete page was seen before the error.
    let mut seen = Vec::new();
    let err = for_each_page(xml.as_bytes(), |p| {
        seen.push(p.title);
        Ok(())
    })
    .unwrap_err();
    assert_eq!(seen, ["Jardin partagé"]);
    assert_eq!(err.line, 24);
}

#[test]
fn semantic_errors_name_the_line() {
    let xml = "<mediawiki>\n<page>\n<title>A</title>\n<revision>\n<id>1</id>\n<timestamp>hier</timestamp>\n<text>x</text>\n</revision>\n</page>\n</mediawiki>\n";
    let err = parse_mediawiki_str(xml).unwrap_err();
    assert_eq!(err.line, 6, "{err}");
    assert!(err.message.contains("timestamp"));

    let xml = "<mediawiki>\n<page>\n<title>A</title>\n<revision>\n<timestamp>2020-01-01T00:00:00Z</timestamp>\n</revision>\n</page>\n</mediawiki>\n";
    let err = parse_mediawiki_str(xml).unwrap_err();
    assert_eq!(err.line, 4, "{err}");
    assert!(err.message.contains("without <text>"));

    let xml = "<mediawiki>\n<page>\n<title>A &bogus; B</title>\n</page>\n</mediawiki>\n";
    let err = parse_mediawiki_str(xml).unwrap_err();
    assert_eq!(err.line, 3, "{err}");

    let xml = "<mediawiki>\n<page>\n<title>A</title>\n";
    let err = parse_mediawiki_str(xml).unwrap_err();
    assert!(err.message.contains("not closed"), "{err}");
    assert_eq!(err.line, 2);

    let err = parse_mediawiki_str("<html></html>").unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.message.contains("<mediawiki>"));
}

#[test]
fn wikitext_conversion_details() {
    let c = wikitext_to_markdown(
        "= Titre =\n''italique'', '''gras''', '''''les deux'''''.\n\
         [[Page]], [[Jardin partagé#Règles|règles]], [[vélo]]s, [[#Haut]]\n\
         [http://a.example/x?y=1 un lien] et [https://b.example]\n\
         <!-- commentaire\nsur deux lignes -->Après.\n\
         {{Modèle|a=1}} et {{Imbriqué|{{x}}}}\n\
         [[Fichier:Logo.png|vignette]]\n\
         [[Category:Tiers-lieux|tri]] [[Catégorie:Jardin_partagé]]\n\
         ----\n\
         * un\n** deux\n*# trois\ntexte après liste\n\x20code préformaté\n\
         __NOTOC__\n\
         <pre>''brut''</pre>\n\
         Note<ref name=\"a\">source A</ref> et rappel<ref name=\"a\" />.\n\
         <references />",
    );
    let md = &c.markdown;
    assert!(
        md.starts_with("# Titre\n\n*italique*, **gras**, ***les deux***.\n"),
        "{md}"
    );
    assert!(
        md.contains("[Page](page), [règles](jardin-partage#regles), [vélos](velo), [#Haut](#haut)"),
        "{md}"
    );
    assert!(
        md.contains("[un lien](http://a.example/x?y=1) et <https://b.example>"),
        "{md}"
    );
    assert!(
        md.contains("\nAprès.\n") && !md.contains("commentaire"),
        "{md}"
    );
    assert!(
        md.contains("`{{Modèle|a=1}}` et `{{Imbriqué|{{x}}}}`"),
        "{md}"
    );
    assert!(md.contains("`[[Fichier:Logo.png|vignette]]`"), "{md}");
    assert!(md.contains("\n---\n"), "{md}");
    assert!(
        md.contains("- un\n  - deux\n  1. trois\n\ntexte après liste\n"),
        "{md}"
    );
    assert!(md.contains("```\ncode préformaté\n```"), "{md}");
    assert!(!md.contains("NOTOC"));
    assert!(md.contains("```\n''brut''\n```"), "{md}");
    assert!(
        md.contains("Note[^1] et rappel[^1].") && md.ends_with("[^1]: source A\n"),
        "{md}"
    );
    assert_eq!(c.tags, ["tiers-lieux", "jardin partagé"]);
    assert_eq!(c.links, ["Page", "Jardin partagé", "vélo"]);
    // Definition lists and tables with attributes and multi-line cells; a cell whose
    // text before `|` is not attributes keeps it (escaped) rather than losing it.
    let c = wikitext_to_markdown(
        "; Horaires : samedi : 10 h\n; Lieu\n: salle des fêtes\n:: au fond\nSuite.\n\
         {| class=\"wikitable\"\n|+ Budget\n|-\n! scope=\"col\" | Poste !! Montant\n|-\n| Café\n| 30 €\n|-\n| [[Outil|outils]] | x || 5 \\| 6\n|}\nAprès",
    );
    assert_eq!(
        c.markdown,
        "**Horaires** : samedi : 10 h\n\n**Lieu**\n\n> salle des fêtes\n>> au fond\n\nSuite.\n\n*Budget*\n\n| Poste | Montant |\n| --- | --- |\n| Café | 30 € |\n| [outils](outil) \\| x | 5 \\| 6 |\n\nAprès\n"
    );
    // Templates and nowiki with pipes inside cells; a cell continued on the next line.
    let c = wikitext_to_markdown(
        "{|\n! A !! B\n|-\n| {{Modèle|x}} || <nowiki>a|b</nowiki>\n| suite\nde cellule\n|}",
    );
    assert_eq!(
        c.markdown,
        "| A | B | |\n| --- | --- | --- |\n| `{{Modèle\\|x}}` | a\\|b | suite<br>de cellule |\n"
    );
    let html = fabrique_commons::render_markdown(&c.markdown);
    assert!(
        html.contains("<td><code>{{Modèle|x}}</code></td><td>a|b</td><td>suite<br>de cellule</td>"),
        "{html}"
    );
    // Multi-line templates become wikitext code blocks.
    let c = wikitext_to_markdown("{{Infobox\n|nom=Repair café\n}}\nTexte");
    assert!(
        c.markdown
            .starts_with("```wikitext\n{{Infobox\n|nom=Repair café\n}}\n```\n"),
        "{}",
        c.markdown
    );
}
