//! Translations: French first, English second, with Fluent. The language comes from the
//! `lang` cookie (set by the switch in the page header), else `Accept-Language`, else French.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Lang {
    /// Français.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Parses a code such as `fr`, `fr-FR` or `en-GB`.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks a language from an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l)
    }

    /// The other language (for the switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }
}

const FR: &str = include_str!("../locales/fr.ftl");
const EN: &str = include_str!("../locales/en.ftl");

struct Catalog {
    source: &'static str,
    bundle: FluentBundle<FluentResource>,
    /// Messages without arguments, resolved once.
    plain: HashMap<String, String>,
}

fn build(lang: &str, source: &'static str) -> Catalog {
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, errors)| {
        tracing::error!(?errors, lang, "errors in a translation file");
        r
    });
    let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    let ids = message_ids(source);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(?errors, lang, "duplicate translation keys");
    }
    let mut plain = HashMap::new();
    for id in ids {
        if let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) {
            let mut errors = vec![];
            let text = bundle.format_pattern(pattern, None, &mut errors);
            if errors.is_empty() {
                plain.insert(id, text.into_owned());
            }
        }
    }
    Catalog {
        source,
        bundle,
        plain,
    }
}

fn catalog(lang: Lang) -> &'static Catalog {
    static FR_CATALOG: OnceLock<Catalog> = OnceLock::new();
    static EN_CATALOG: OnceLock<Catalog> = OnceLock::new();
    match lang {
        Lang::Fr => FR_CATALOG.get_or_init(|| build("fr", FR)),
        Lang::En => EN_CATALOG.get_or_init(|| build("en", EN)),
    }
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
}

impl Tr {
    /// The message `key`, or the key itself when missing (a test checks none is missing).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        catalog(self.lang)
            .plain
            .get(key)
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// The message `key` with arguments.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let cat = catalog(self.lang);
        let Some(pattern) = cat.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            match v.parse::<i64>() {
                Ok(n) => fargs.set(*k, FluentValue::from(n)),
                Err(_) => fargs.set(*k, FluentValue::from(*v)),
            }
        }
        let mut errors = vec![];
        cat.bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned()
    }

    /// The message for an error code: French has its own wording where the code's message
    /// has no variable part; otherwise (and in English) the server's specific message.
    pub fn error<'a>(&self, code: &str, fallback: &'a str) -> std::borrow::Cow<'a, str> {
        if self.lang == Lang::Fr {
            let key = format!("error-{code}");
            if let Some(text) = catalog(self.lang).plain.get(&key) {
                return std::borrow::Cow::Owned(text.clone());
            }
            // Codes with underscores are not among the plain ids: ask the bundle itself.
            let text = self.f(&key, &[]);
            if text != key {
                return std::borrow::Cow::Owned(text);
            }
        }
        std::borrow::Cow::Borrowed(fallback)
    }

    /// Every message id of a language (for the completeness test).
    pub fn keys(lang: Lang) -> Vec<String> {
        let mut keys: Vec<String> = catalog(lang).bundle_keys();
        keys.sort();
        keys
    }
}

impl Catalog {
    fn bundle_keys(&self) -> Vec<String> {
        message_ids(self.source)
    }
}

/// The ids of the messages of a Fluent source (lines `id = …` at the start of a line).
fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim()))
        .filter(|k| {
            !k.is_empty()
                && !k.starts_with('#')
                && !k.starts_with(' ')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_languages() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,fr;q=0.5,en;q=0.4"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        assert_eq!(Tr::keys(Lang::Fr), Tr::keys(Lang::En));
        assert!(Tr::keys(Lang::Fr).len() > 50);
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let known: std::collections::HashSet<String> = Tr::keys(Lang::Fr).into_iter().collect();
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/html"),
        ];
        let mut missing = vec![];
        for dir in dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for part in text
                    .split(".t(\"")
                    .skip(1)
                    .chain(text.split(".f(\"").skip(1))
                {
                    let key = part.split('"').next().unwrap();
                    if !known.contains(key) {
                        missing.push(key.to_owned());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }
}
