//! Licences a document may carry, how they are parsed, and what a fork may do with them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::text::fold_accents;

/// A free licence for a document of the commons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum License {
    /// Creative Commons Zero 1.0 (public domain dedication).
    Cc0,
    /// Creative Commons Attribution 4.0 International.
    CcBy,
    /// Creative Commons Attribution-ShareAlike 4.0 International.
    CcBySa,
    /// Licence Art Libre 1.3 (copyleft, like CC BY-SA).
    Lal,
}

/// A licence string that matched no known licence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown licence {0:?} (expected CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0 or LAL-1.3)")]
pub struct UnknownLicense(pub String);

/// Why a fork may not take the requested licence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForkLicenseError {
    /// The source is share-alike: its forks must keep its licence.
    #[error("{original} is share-alike: an adaptation must keep {original}, not {requested}")]
    ShareAlike {
        /// Licence of the source document.
        original: License,
        /// Licence asked for the fork.
        requested: License,
    },
    /// The requested licence would drop a condition of the source (e.g. CC BY → CC0).
    #[error("{original} requires attribution: an adaptation cannot be released as {requested}")]
    Incompatible {
        /// Licence of the source document.
        original: License,
        /// Licence asked for the fork.
        requested: License,
    },
}

impl License {
    /// Every licence, in order from the most permissive to the most protective.
    pub const ALL: [License; 4] = [License::Cc0, License::CcBy, License::CcBySa, License::Lal];

    /// The SPDX-like identifier stored and exchanged by the API (`CC-BY-SA-4.0`).
    pub fn id(self) -> &'static str {
        match self {
            License::Cc0 => "CC0-1.0",
            License::CcBy => "CC-BY-4.0",
            License::CcBySa => "CC-BY-SA-4.0",
            License::Lal => "LAL-1.3",
        }
    }

    /// The short label shown on pages and in attribution lines (`CC BY-SA 4.0`).
    pub fn short_label(self) -> &'static str {
        match self {
            License::Cc0 => "CC0 1.0",
            License::CcBy => "CC BY 4.0",
            License::CcBySa => "CC BY-SA 4.0",
            License::Lal => "LAL 1.3",
        }
    }

    /// The full French name.
    pub fn name_fr(self) -> &'static str {
        match self {
            License::Cc0 => "Creative Commons Zéro 1.0 Universel (domaine public)",
            License::CcBy => "Creative Commons Attribution 4.0 International",
            License::CcBySa => {
                "Creative Commons Attribution - Partage dans les Mêmes Conditions 4.0 International"
            }
            License::Lal => "Licence Art Libre 1.3",
        }
    }

    /// The full English name.
    pub fn name_en(self) -> &'static str {
        match self {
            License::Cc0 => "Creative Commons Zero 1.0 Universal (public domain)",
            License::CcBy => "Creative Commons Attribution 4.0 International",
            License::CcBySa => "Creative Commons Attribution-ShareAlike 4.0 International",
            License::Lal => "Free Art License 1.3",
        }
    }

    /// The canonical URL of the licence text.
    pub fn url(self) -> &'static str {
        match self {
            License::Cc0 => "https://creativecommons.org/publicdomain/zero/1.0/",
            License::CcBy => "https://creativecommons.org/licenses/by/4.0/",
            License::CcBySa => "https://creativecommons.org/licenses/by-sa/4.0/",
            License::Lal => "https://artlibre.org/licence/lal/",
        }
    }

    /// Whether adaptations must be released under the same licence (CC BY-SA, LAL).
    pub fn is_share_alike(self) -> bool {
        matches!(self, License::CcBySa | License::Lal)
    }

    /// Whether reusers must credit the authors (all but CC0; Fabrique credits anyway).
    pub fn requires_attribution(self) -> bool {
        !matches!(self, License::Cc0)
    }

    /// Parses an SPDX-like id, a short label, a French or English name, or a licence URL.
    ///
    /// Case, accents, spaces and punctuation are ignored: `cc by-sa`, `CC-BY-SA-4.0`,
    /// `Licence Art Libre`, `https://creativecommons.org/licenses/by/4.0/deed.fr` all parse.
    pub fn parse(input: &str) -> Result<License, UnknownLicense> {
        let raw = input.trim();
        let lower = raw.to_lowercase();
        if lower.contains("://")
            || lower.starts_with("creativecommons.org")
            || lower.starts_with("artlibre.org")
        {
            let path = lower
                .split_once("://")
                .map(|(_, rest)| rest)
                .unwrap_or(&lower)
                .trim_start_matches("www.");
            let found = if path.starts_with("creativecommons.org/publicdomain/zero/") {
                Some(License::Cc0)
            } else if path.starts_with("creativecommons.org/licenses/by-sa/") {
                Some(License::CcBySa)
            } else if path.starts_with("creativecommons.org/licenses/by/") {
                Some(License::CcBy)
            } else if path.starts_with("artlibre.org") {
                Some(License::Lal)
            } else {
                None
            };
            return found.ok_or_else(|| UnknownLicense(raw.to_string()));
        }
        let key: String = fold_accents(&lower)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let found = match key.as_str() {
            "cc0" | "cc010" | "cczero" | "cczero10" | "cc0universal" | "publicdomain"
            | "domainepublic" | "cc010universel" => Some(License::Cc0),
            "ccby" | "ccby40" | "by" | "by40" | "ccattribution" | "attribution" => {
                Some(License::CcBy)
            }
            "ccbysa" | "ccbysa40" | "bysa" | "bysa40" => Some(License::CcBySa),
            "lal" | "lal13" | "lal12" | "licenceartlibre" | "licenceartlibre13" | "artlibre"
            | "freeartlicense" | "freeartlicense13" | "fal" | "fal13" => Some(License::Lal),
            _ => None,
        };
        if let Some(l) = found {
            return Ok(l);
        }
        // Long human names, in French or in English.
        for l in License::ALL {
            for name in [l.name_fr(), l.name_en()] {
                let nkey: String = fold_accents(&name.to_lowercase())
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect();
                if nkey == key {
                    return Ok(l);
                }
            }
        }
        let alias = [
            (
                "creativecommonsattributionsharealike40international",
                License::CcBySa,
            ),
            ("creativecommonsattributionsharealike40", License::CcBySa),
            ("creativecommonsattributionsharealike", License::CcBySa),
            (
                "creativecommonsattributionpartagedanslesmemesconditions40",
                License::CcBySa,
            ),
            ("creativecommonsattribution40", License::CcBy),
            ("creativecommonsattribution", License::CcBy),
            ("creativecommonszero", License::Cc0),
            ("creativecommonszero10", License::Cc0),
            ("creativecommonszero10universal", License::Cc0),
        ];
        alias
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| *l)
            .ok_or_else(|| UnknownLicense(raw.to_string()))
    }
}

impl fmt::Display for License {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for License {
    type Err = UnknownLicense;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        License::parse(s)
    }
}

impl Serialize for License {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for License {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        License::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Decides the licence of a fork of a `source` document.
///
/// `requested` is the licence the forking organisation asks for (`None`: keep the
/// source's). Share-alike sources (CC BY-SA, LAL) keep their licence; CC BY may become
/// CC BY or CC BY-SA; CC0 may become anything. Attribution is carried in every case
/// (see [`crate::attribution`]), even from CC0.
pub fn fork_license(
    source: License,
    requested: Option<License>,
) -> Result<License, ForkLicenseError> {
    let Some(requested) = requested else {
        return Ok(source);
    };
    match source {
        License::Cc0 => Ok(requested),
        License::CcBy => match requested {
            License::CcBy | License::CcBySa => Ok(requested),
            _ => Err(ForkLicenseError::Incompatible {
                original: source,
                requested,
            }),
        },
        License::CcBySa | License::Lal => {
            if requested == source {
                Ok(source)
            } else {
                Err(ForkLicenseError::ShareAlike {
                    original: source,
                    requested,
                })
            }
        }
    }
}
