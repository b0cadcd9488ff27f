//! Markdown export/import, directory import and git export tests.

use crate::diff::repair_cafe;
use fabrique_commons::gitexport::{FileChange, document_path, tree_at};
use fabrique_commons::{
    Attribution, Content, License, Meta, RevisionRecord, SourceRef, commits_from_revisions,
    fast_import_stream, from_markdown_file, import_markdown_dir, slugify, to_markdown_file,
};
use std::process::Command;

fn meta() -> Meta {
    Meta {
        slug: Some("repair-cafe".into()),
        org: Some("atelier-soude".into()),
        authors: vec!["Louise".into(), "Karim".into()],
        revision: Some(3),
        created: Some("2024-03-01T10:00:00Z".parse().unwrap()),
        updated: Some("2024-03-05T18:30:00Z".parse().unwrap()),
        source: Some(SourceRef {
            org: "reseau-tiers-lieux".into(),
            document: "repair-cafe".into(),
            revision: Some(7),
        }),
        attribution: vec![Attribution {
            title: "Repair café".into(),
            authors: vec!["Camille".into()],
            org: "Réseau des tiers-lieux".into(),
            org_slug: Some("reseau-tiers-lieux".into()),
            document: Some("repair-cafe".into()),
            revision: Some(7),
            license: License::CcBySa,
            url: None,
        }],
    }
}

#[test]
fn markdown_file_has_front_matter_and_round_trips() {
    let mut c = repair_cafe();
    c.tags = vec!["réparation".into(), "zéro déchet".into()];
    c.body = "## Notes\n\nUn \"atelier\" : *convivial*.\n---\nfin".into();
    let text = to_markdown_file(&c, &meta());
    let expected = r#"---
title: "Repair café"
kind: recipe
license: CC-BY-SA-4.0
visibility: public
tags: ["réparation", "zéro déchet"]
slug: "repair-cafe"
org: "atelier-soude"
authors: ["Louise", "Karim"]
revision: 3
created: "2024-03-01T10:00:00Z"
updated: "2024-03-05T18:30:00Z"
source:
  org: "reseau-tiers-lieux"
  document: "repair-cafe"
  revision: 7
attribution:
  - title: "Repair café"
    authors: ["Camille"]
    org: "Réseau des tiers-lieux"
    org_slug: "reseau-tiers-lieux"
    document: "repair-cafe"
    revision: 7
    license: CC-BY-SA-4.0
summary: "Réparer ensemble ses objets."
context: "Dans un quartier sans atelier."
ingredients:
  - kind: people
    name: "bénévoles"
    quantity: "5"
  - kind: material
    name: "une salle"
utensils: ["tournevis", "multimètre"]
steps:
  - "Trouver une salle"
  - "Annoncer la date"
  - "Accueillir"
produces: "Des objets réparés"
---
## Notes

Un "atelier" : *convivial*.
---
fin"#;
    assert_eq!(text, expected);
    let (c2, m2) = from_markdown_file(&text).unwrap();
    assert_eq!(c2, c);
    assert_eq!(m2, meta());
    // A page with an empty meta.
    let p = Content::page("Charte : « valeurs »", "Texte\n");
    let text = to_markdown_file(&p, &Meta::default());
    assert!(text.starts_with("---\ntitle: \"Charte : « valeurs »\"\nkind: page\n"));
    assert_eq!(from_markdown_file(&text).unwrap(), (p, Meta::default()));
}

#[test]
fn slugs_and_paths() {
    assert_eq!(slugify("Réparer l'école"), "reparer-l-ecole");
    assert_eq!(
        slugify("Épicerie coopérative « La Cagette »"),
        "epicerie-cooperative-la-cagette"
    );
    assert_eq!(
        document_path(fabrique_commons::DocumentKind::Recipe, "Repair café"),
        "recettes/repair-cafe.md"
    );
    assert_eq!(
        document_path(fabrique_commons::DocumentKind::Page, "charte"),
        "pages/charte.md"
    );
}

#[test]
fn markdown_directory_import() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("recettes")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/ignored.md"), "nope").unwrap();
    std::fs::write(
        root.join("recettes/repair-cafe.md"),
        to_markdown_file(&repair_cafe(), &meta()),
    )
    .unwrap();
    std::fs::write(
        root.join("Jardin partagé.md"),
        "# Jardin partagé\n\nLes règles.\n",
    )
    .unwrap();
    std::fs::write(root.join("notes.txt"), "ignored").unwrap();
    let files = import_markdown_dir(root, Some(License::CcBy)).unwrap();
    let slugs: Vec<_> = files.iter().map(|f| f.slug.as_str()).collect();
    assert_eq!(slugs, ["jardin-partage", "repair-cafe"]);
    assert_eq!(files[0].content.title, "Jardin partagé");
    assert_eq!(files[0].content.license, License::CcBy);
    assert_eq!(files[1].content, repair_cafe());
    // Without a default licence the plain file is refused; a bad file names its line.
    std::fs::write(
        root.join("recettes/casse.md"),
        "---\ntitle: Casse\nlicense: CC0\ntags: [ok]\nvisibility: secret\n---\n",
    )
    .unwrap();
    let errs = import_markdown_dir(root, None).unwrap_err();
    let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        [
            "Jardin partagé.md:1: no front matter, so no licence: add `license:` in a front matter",
            "recettes/casse.md:5: visibility: unknown visibility \"secret\" (expected public, members or draft)",
        ]
    );
}

fn revisions() -> Vec<RevisionRecord> {
    let mut c1 = repair_cafe();
    c1.body = "Version 1\n".into();
    let mut c2 = c1.clone();
    c2.body = "Version 2\n".into();
    let page = Content::page("Charte de l'atelier", "Nos valeurs.\n");
    let mut moved = page.clone();
    moved.kind = fabrique_commons::DocumentKind::Recipe;
    let rec = |slug: &str, who: &str, email: &str, t: &str, msg: &str, content: &Content| {
        RevisionRecord {
            slug: slug.into(),
            author_name: who.into(),
            author_email: email.into(),
            time: t.parse().unwrap(),
            message: msg.into(),
            content: content.clone(),
            meta: Meta {
                slug: Some(slug.into()),
                ..Meta::default()
            },
        }
    };
    vec![
        rec(
            "repair-cafe",
            "Louise Martin",
            "louise@example.org",
            "2024-03-01T10:00:00Z",
            "Création",
            &c1,
        ),
        rec(
            "charte",
            "Karim <admin>",
            "",
            "2024-03-02T11:00:00+01:00",
            "",
            &page,
        ),
        rec(
            "repair-cafe",
            "Camille",
            "camille@example.org",
            "2024-03-03T12:00:00Z",
            "Deuxième version\n\nAvec détails.",
            &c2,
        ),
        rec(
            "charte",
            "Karim",
            "karim@example.org",
            "2024-03-04T09:00:00Z",
            "Devient une recette",
            &moved,
        ),
    ]
}

#[test]
fn revisions_become_commits() {
    let commits = commits_from_revisions(&revisions());
    assert_eq!(commits.len(), 4);
    assert_eq!(commits[1].message, "Révision de Charte de l'atelier\n");
    assert_eq!(commits[2].message, "Deuxième version\n\nAvec détails.\n");
    assert!(
        matches!(&commits[3].changes[0], FileChange::Delete { path } if path == "pages/charte.md")
    );
    let tree = tree_at(&commits, 4);
    let all: Vec<_> = fabrique_commons::trees(&commits).collect();
    assert_eq!(all.len(), 4);
    assert_eq!(all[3], tree);
    assert_eq!(
        all[1].keys().cloned().collect::<Vec<_>>(),
        ["pages/charte.md", "recettes/repair-cafe.md"]
    );
    let paths: Vec<_> = tree.keys().cloned().collect();
    assert_eq!(paths, ["recettes/charte.md", "recettes/repair-cafe.md"]);
    let text = String::from_utf8(tree["recettes/repair-cafe.md"].clone()).unwrap();
    assert!(text.ends_with("---\nVersion 2\n"));
    let stream = String::from_utf8(fast_import_stream(&commits[..1])).unwrap();
    assert!(stream.starts_with(
        "commit refs/heads/main\nmark :1\nauthor Louise Martin <louise@example.org> 1709287200 +0000\ncommitter Louise Martin <louise@example.org> 1709287200 +0000\ndata 10\nCréation\n\nM 100644 inline recettes/repair-cafe.md\ndata "
    ), "{stream}");
    assert!(stream.ends_with("\n\ndone\n"));
    // The streaming writer gives the same bytes.
    let all = fast_import_stream(&commits);
    let mut w = fabrique_commons::FastImportWriter::new(Vec::new(), "refs/heads/main");
    for r in &revisions() {
        w.push(r).unwrap();
    }
    assert_eq!(w.finish().unwrap(), all);
}

#[test]
fn git_fast_import_accepts_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git is installed");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "--quiet", "--initial-branch=main"]);
    let stream = fast_import_stream(&commits_from_revisions(&revisions()));
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
    let log = git(&["log", "--reverse", "--format=%an|%ae|%aI|%s"]);
    assert_eq!(
        log,
        "Louise Martin|louise@example.org|2024-03-01T10:00:00Z|Création\n\
         Karim admin||2024-03-02T10:00:00Z|Révision de Charte de l'atelier\n\
         Camille|camille@example.org|2024-03-03T12:00:00Z|Deuxième version\n\
         Karim|karim@example.org|2024-03-04T09:00:00Z|Devient une recette\n"
    );
    git(&["checkout", "--quiet", "main"]);
    let files = git(&["ls-files"]);
    assert_eq!(files, "recettes/charte.md\nrecettes/repair-cafe.md\n");
    let on_disk = std::fs::read_to_string(dir.path().join("recettes/repair-cafe.md")).unwrap();
    let (content, meta) = from_markdown_file(&on_disk).unwrap();
    assert_eq!(content.body, "Version 2\n");
    assert_eq!(meta.slug.as_deref(), Some("repair-cafe"));
}
