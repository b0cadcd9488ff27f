//! Domain values parsed at the edge.

use std::fmt;

use crate::{FieldError, Fraction};

/// Declares a closed set of string-coded values with `parse`, `as_str` and `ALL`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, $code:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the stable code.
            pub fn parse(text: &str) -> Result<Self, FieldError> {
                match text.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(FieldError::new(
                        $field,
                        $code,
                        format!(
                            "“{}” is not one of: {}",
                            other,
                            [$($text),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// The legal form of an organisation.
    OrgKind, "kind", "kind_invalid" {
        /// Association loi 1901.
        Association = "association",
        /// Société coopérative d'intérêt collectif.
        Scic = "scic",
        /// Société coopérative et participative.
        Scop = "scop",
        /// Mutual.
        Mutual = "mutual",
        /// Foundation.
        Foundation = "foundation",
        /// Informal collective.
        Collective = "collective",
        /// Anything else.
        Other = "other",
    }
);

string_enum!(
    /// What a member may do in their organisation.
    Role, "role", "role_invalid" {
        /// Administers the organisation: settings, members, colleges.
        Admin = "admin",
        /// Takes part: writes, proposes, votes when their category has a deliberative voice.
        Member = "member",
        /// Reads what members read; cannot act.
        Observer = "observer",
    }
);

string_enum!(
    /// Whether a membership category's vote counts.
    Voice, "voice", "voice_invalid" {
        /// Voix délibérative: votes.
        Deliberative = "deliberative",
        /// Voix consultative: may speak, does not vote.
        Consultative = "consultative",
    }
);

string_enum!(
    /// Whether an organisation appears in the public directory.
    OrgVisibility, "visibility", "visibility_invalid" {
        /// Listed in the directory.
        Public = "public",
        /// Reachable by its address, not listed.
        Unlisted = "unlisted",
    }
);

string_enum!(
    /// Who may create an account on the instance.
    SignupMode, "signup_mode", "signup_mode_invalid" {
        /// Anyone.
        Open = "open",
        /// Only people holding an invitation.
        Invitation = "invitation",
    }
);

string_enum!(
    /// Where a member stands in their organisation.
    MemberStatus, "status", "status_invalid" {
        /// Invited, not yet joined.
        Invited = "invited",
        /// A member.
        Active = "active",
        /// Has left or was removed.
        Left = "left",
    }
);

/// Parses a string that must not be empty and must fit in `max` characters.
fn bounded_text(field: &str, text: &str, max: usize) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "required", "this field is required"));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            "control characters are not allowed",
        ));
    }
    Ok(t.to_owned())
}

/// Declares a validated string newtype.
macro_rules! string_value {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_value!(
    /// An organisation's address on the instance: 2 to 48 characters among `a-z`, `0-9`
    /// and `-`, not starting or ending with `-`, and not a reserved word.
    OrgSlug
);

const RESERVED_SLUGS: &[&str] = &[
    "new",
    "api",
    "admin",
    "static",
    "login",
    "logout",
    "signup",
    "account",
    "orgs",
    "search",
    "healthz",
    "invite",
    "password",
    "directory",
];

impl OrgSlug {
    /// Parses a slug.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let t = text.trim();
        let err = |m: &str| FieldError::new("slug", "slug_invalid", m);
        if t.len() < 2 || t.len() > 48 {
            return Err(err("the address must have 2 to 48 characters"));
        }
        if !t
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(err("use only lower-case letters a-z, digits and hyphens"));
        }
        if t.starts_with('-') || t.ends_with('-') || t.contains("--") {
            return Err(err("hyphens go between words, one at a time"));
        }
        if RESERVED_SLUGS.contains(&t) {
            return Err(FieldError::new(
                "slug",
                "slug_reserved",
                format!("“{t}” is reserved"),
            ));
        }
        Ok(Self(t.to_owned()))
    }

    /// A slug suggested from a name: accents folded, words joined by hyphens.
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars().flat_map(fold_accent) {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.trim_end_matches('-')
            .chars()
            .take(48)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned()
    }
}

/// Folds a French accented letter to its ASCII base (œ → oe).
pub fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let s: &'static str = match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' => "a",
        'À' | 'Â' | 'Ä' | 'Á' => "A",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'É' | 'È' | 'Ê' | 'Ë' => "E",
        'î' | 'ï' | 'í' => "i",
        'Î' | 'Ï' => "I",
        'ô' | 'ö' | 'ó' => "o",
        'Ô' | 'Ö' => "O",
        'ù' | 'û' | 'ü' | 'ú' => "u",
        'Ù' | 'Û' | 'Ü' => "U",
        'ç' => "c",
        'Ç' => "C",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'ÿ' => "y",
        _ => "",
    };
    let single = if s.is_empty() { Some(c) } else { None };
    s.chars().chain(single)
}

string_value!(
    /// A normalised e-mail address (trimmed, lower case).
    Email
);

impl Email {
    /// Parses an e-mail address: one `@`, a non-empty local part, a domain with a dot.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let t = text.trim().to_lowercase();
        let err = || {
            FieldError::new(
                "email",
                "email_invalid",
                format!("“{}” is not an e-mail address", text.trim()),
            )
        };
        let (local, domain) = t.split_once('@').ok_or_else(err)?;
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains('@')
            || t.len() > 254
            || t.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(err());
        }
        Ok(Self(t))
    }
}

string_value!(
    /// A person's or an organisation's display name (1 to 120 characters).
    DisplayName
);

impl DisplayName {
    /// Parses a name; `field` names the form field in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        bounded_text(field, text, 120).map(Self)
    }
}

/// A password as typed: at least 10 characters, at most 1024.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Parses a new password; `field` names the form field in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let n = text.chars().count();
        if n < 10 {
            return Err(FieldError::new(
                field,
                "password_too_short",
                "the password needs at least 10 characters",
            ));
        }
        if n > 1024 {
            return Err(FieldError::new(
                field,
                "too_long",
                "at most 1024 characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

string_value!(
    /// An IANA time zone name known to this system, such as `Europe/Paris`.
    TimeZoneName
);

impl TimeZoneName {
    /// Parses a time zone name.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let t = text.trim();
        match jiff::tz::TimeZone::get(t) {
            Ok(_) if !t.is_empty() => Ok(Self(t.to_owned())),
            _ => Err(FieldError::new(
                "timezone",
                "timezone_invalid",
                format!("“{t}” is not a known time zone (e.g. Europe/Paris)"),
            )),
        }
    }

    /// Renders a UTC timestamp (milliseconds) in this zone as `YYYY-MM-DD HH:MM`.
    pub fn format_ms(&self, ms: i64) -> String {
        format_in_zone(self.as_str(), ms)
    }
}

/// Renders a UTC timestamp (milliseconds) in the named zone as `YYYY-MM-DD HH:MM`, falling
/// back to UTC when the zone is unknown.
pub fn format_in_zone(zone: &str, ms: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned_datetime(tz)
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Optional free text bounded in length (descriptions, messages); empty becomes `None`.
pub fn optional_text(
    field: &str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > max => Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        )),
        Some(t) => Ok(Some(t.to_owned())),
    }
}

/// Parses an optional web address (`http://` or `https://`).
pub fn optional_url(field: &str, text: Option<&str>) -> Result<Option<String>, FieldError> {
    match optional_text(field, text, 300)? {
        None => Ok(None),
        Some(u)
            if (u.starts_with("https://") || u.starts_with("http://"))
                && !u.contains(char::is_whitespace)
                && u.len() > 10 =>
        {
            Ok(Some(u))
        }
        Some(u) => Err(FieldError::new(
            field,
            "url_invalid",
            format!("“{u}” is not a web address starting with https://"),
        )),
    }
}

/// A college as its statutes define it: a name and a share of the votes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CollegeShare {
    /// The college's name, e.g. “Salariés”.
    pub name: String,
    /// Its statutory share of the votes.
    pub share: Fraction,
}

/// Checks a whole set of colleges: names present and distinct, shares positive and summing
/// to exactly 100 %, and for a SCIC each share between 10 % and 50 %. An empty set is
/// allowed (no colleges).
pub fn validate_colleges(kind: OrgKind, colleges: &[CollegeShare]) -> Result<(), FieldError> {
    if colleges.is_empty() {
        return Ok(());
    }
    let (min, max) = (Fraction::new(1, 10)?, Fraction::new(1, 2)?);
    for (i, c) in colleges.iter().enumerate() {
        bounded_text(&format!("colleges[{i}].name"), &c.name, 80)?;
        if colleges[..i]
            .iter()
            .any(|o| o.name.trim().eq_ignore_ascii_case(c.name.trim()))
        {
            return Err(FieldError::new(
                format!("colleges[{i}].name"),
                "college_duplicate",
                format!("the college “{}” is listed twice", c.name.trim()),
            ));
        }
        if c.share.is_zero() {
            return Err(FieldError::new(
                format!("colleges[{i}].share"),
                "college_share_zero",
                format!("the college “{}” needs a share above zero", c.name.trim()),
            ));
        }
        if kind == OrgKind::Scic && (c.share < min || c.share > max) {
            return Err(FieldError::new(
                format!("colleges[{i}].share"),
                "college_share_out_of_bounds",
                format!(
                    "in a SCIC each college holds between 10 % and 50 % of the votes; “{}” has {}",
                    c.name.trim(),
                    c.share.percent_label()
                ),
            ));
        }
    }
    let total = Fraction::sum(colleges.iter().map(|c| c.share)).ok_or_else(|| {
        FieldError::new(
            "colleges",
            "college_share_sum",
            "the shares are too fine to add up",
        )
    })?;
    if total != Fraction::new(1, 1)? {
        return Err(FieldError::new(
            "colleges",
            "college_share_sum",
            format!(
                "the shares must add up to exactly 100 %; they add up to {} ({total})",
                total.percent_label()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colleges(shares: &[&str]) -> Vec<CollegeShare> {
        shares
            .iter()
            .enumerate()
            .map(|(i, s)| CollegeShare {
                name: format!("C{i}"),
                share: Fraction::parse(s).unwrap(),
            })
            .collect()
    }

    #[test]
    fn slugs() {
        assert!(OrgSlug::parse("gull-lyon").is_ok());
        for bad in [
            "a",
            "Gull",
            "gull_lyon",
            "-gull",
            "gull-",
            "gu--ll",
            "admin",
            "éco",
        ] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            OrgSlug::suggest("Réparer l'école  du Œuvre!"),
            "reparer-l-ecole-du-oeuvre"
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Camille@Exemple.ORG ").unwrap().as_str(),
            "camille@exemple.org"
        );
        for bad in [
            "",
            "camille",
            "@x.org",
            "a@b",
            "a@.org",
            "a b@x.org",
            "a@x.org.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scic_colleges_must_sum_to_one_within_bounds() {
        assert!(
            validate_colleges(OrgKind::Scic, &colleges(&["3/10", "3/10", "1/4", "3/20"])).is_ok()
        );
        let e = validate_colleges(OrgKind::Scic, &colleges(&["3/10", "3/10", "1/4", "1/10"]))
            .unwrap_err();
        assert_eq!(e.code, "college_share_sum");
        assert!(e.message.contains("95 %"), "{}", e.message);
        let e = validate_colleges(OrgKind::Scic, &colleges(&["6/10", "2/10", "2/10"])).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_str()),
            ("college_share_out_of_bounds", "colleges[0].share")
        );
        assert!(
            validate_colleges(OrgKind::Association, &colleges(&["6/10", "1/20", "7/20"])).is_ok()
        );
        assert!(validate_colleges(OrgKind::Scic, &[]).is_ok());
    }

    #[test]
    fn enums_round_trip() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()).unwrap(), *k);
        }
        assert_eq!(Role::parse("boss").unwrap_err().field, "role");
    }

    #[test]
    fn time_zones() {
        let tz = TimeZoneName::parse("Europe/Paris").unwrap();
        // 2026-07-01T10:00Z is noon in Paris (summer time).
        assert_eq!(tz.format_ms(1_782_900_000_000), "2026-07-01 12:00");
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
    }
}
