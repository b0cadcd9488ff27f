//! Attribution carried along every fork, and the human-readable attribution line.

use serde::{Deserialize, Serialize};

use crate::license::License;

/// Language of generated text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (the default).
    #[default]
    Fr,
    /// English.
    En,
}

/// Credit for one document in a chain of adaptations: who wrote it, where it lives,
/// which revision was taken, under which licence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attribution {
    /// Title of the document at the revision taken.
    pub title: String,
    /// Authors (display names), in order of first contribution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Display name of the organisation that holds it.
    pub org: String,
    /// Slug of that organisation, if on this or a known instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_slug: Option<String>,
    /// Identifier or slug of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Revision number taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// Licence of the document at that revision.
    pub license: License,
    /// A URL where the source can be read, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The attribution chain of a fork of `source`: `source` first, then the chain `source`
/// itself carried (nearest source first, origin last).
pub fn fork_chain(source: Attribution, source_chain: &[Attribution]) -> Vec<Attribution> {
    let mut chain = Vec::with_capacity(source_chain.len() + 1);
    chain.push(source);
    chain.extend(source_chain.iter().cloned());
    chain
}

fn join_names(names: &[String], lang: Lang) -> String {
    let and = match lang {
        Lang::Fr => " et ",
        Lang::En => " and ",
    };
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{}{}{}", names[..n - 1].join(", "), and, names[n - 1]),
    }
}

fn credit(a: &Attribution, lang: Lang) -> String {
    let (open, close, by, for_) = match lang {
        Lang::Fr => ("« ", " »", "par", "pour"),
        Lang::En => ("“", "”", "by", "for"),
    };
    let who = if a.authors.is_empty() {
        a.org.clone()
    } else if a.org.is_empty() {
        join_names(&a.authors, lang)
    } else {
        format!("{} {for_} {}", join_names(&a.authors, lang), a.org)
    };
    format!(
        "{open}{}{close} {by} {who} ({})",
        a.title,
        a.license.short_label()
    )
}

/// The attribution line of a document adapted along `chain` (nearest source first):
/// `Adapté de « X » par Org A (CC BY-SA 4.0), lui-même adapté de « Y » par Org B (CC BY 4.0).`
/// or in English `Adapted from “X” by Org A (CC BY-SA 4.0), itself adapted from …`.
/// Empty for an original document.
pub fn attribution_line(chain: &[Attribution], lang: Lang) -> String {
    if chain.is_empty() {
        return String::new();
    }
    let (first, then) = match lang {
        Lang::Fr => ("Adapté de", ", lui-même adapté de"),
        Lang::En => ("Adapted from", ", itself adapted from"),
    };
    let mut out = format!("{first} {}", credit(&chain[0], lang));
    for a in &chain[1..] {
        out.push_str(then);
        out.push(' ');
        out.push_str(&credit(a, lang));
    }
    out.push('.');
    out
}

/// The full credit of a document: its own authors, organisation and licence, then its
/// attribution line. `« Repair café » par Alice pour Atelier Vélo (CC BY-SA 4.0). Adapté de …`
pub fn credit_line(own: &Attribution, chain: &[Attribution], lang: Lang) -> String {
    let mut out = credit(own, lang);
    out.push('.');
    let line = attribution_line(chain, lang);
    if !line.is_empty() {
        out.push(' ');
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(title: &str, org: &str, authors: &[&str], license: License) -> Attribution {
        Attribution {
            title: title.into(),
            authors: authors.iter().map(|s| s.to_string()).collect(),
            org: org.into(),
            org_slug: None,
            document: None,
            revision: None,
            license,
            url: None,
        }
    }

    #[test]
    fn lines_in_both_languages() {
        let chain = vec![
            att("Repair café de quartier", "Org A", &[], License::CcBySa),
            att(
                "Repair café",
                "Org B",
                &["Alice", "Bob", "Chloé"],
                License::CcBy,
            ),
        ];
        assert_eq!(
            attribution_line(&chain, Lang::Fr),
            "Adapté de « Repair café de quartier » par Org A (CC BY-SA 4.0), lui-même adapté de « Repair café » par Alice, Bob et Chloé pour Org B (CC BY 4.0)."
        );
        assert_eq!(
            attribution_line(&chain, Lang::En),
            "Adapted from “Repair café de quartier” by Org A (CC BY-SA 4.0), itself adapted from “Repair café” by Alice, Bob and Chloé for Org B (CC BY 4.0)."
        );
        assert_eq!(attribution_line(&[], Lang::Fr), "");
        let own = att("Mon repair café", "Org C", &["Dan"], License::CcBySa);
        assert!(
            credit_line(&own, &chain, Lang::Fr)
                .starts_with("« Mon repair café » par Dan pour Org C (CC BY-SA 4.0). Adapté de")
        );
    }
}
