//! Amounts: integer cents, French parsing and formatting, amounts in words.
//!
//! Every amount in this crate is an `i64` number of cents ([`Cents`]). Parsing accepts what a
//! French treasurer types or a bank exports: `1 234,56`, `-12,5`, `12.50`, `1.234,56`,
//! `+3`, optionally followed by `€` or `EUR`. Thousands separators may be a space, a
//! no-break space (U+00A0) or a narrow no-break space (U+202F); when both `.` and `,`
//! appear, the last one is the decimal mark. At most two decimals are accepted: a third
//! decimal is refused rather than rounded, because silently rounding money is a bug.

use thiserror::Error;

/// An amount of money in euro cents (signed).
pub type Cents = i64;

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    /// Nothing but blanks.
    #[error("empty amount")]
    Empty,
    /// A character that has no place in an amount (1-based position in characters).
    #[error("unexpected character {ch:?} at position {position}")]
    InvalidCharacter {
        /// The offending character.
        ch: char,
        /// 1-based position of the character.
        position: usize,
    },
    /// More than two digits after the decimal mark.
    #[error("more than two decimals in {0:?}")]
    TooManyDecimals(String),
    /// A decimal mark or sign in a place where it makes no sense (`1,2,3`, `--1`, `,`).
    #[error("malformed amount {0:?}")]
    Malformed(String),
    /// The amount does not fit in 64-bit cents.
    #[error("amount too large: {0:?}")]
    Overflow(String),
}

/// Parses a French or plain amount into cents.
///
/// ```
/// use fabrique_treasury::amount::parse_amount;
/// assert_eq!(parse_amount("1 234,56"), Ok(123_456));
/// assert_eq!(parse_amount("-12,5"), Ok(-1_250));
/// assert_eq!(parse_amount("12.50"), Ok(1_250));
/// assert_eq!(parse_amount("1.234,56 €"), Ok(123_456));
/// ```
pub fn parse_amount(text: &str) -> Result<Cents, AmountError> {
    let original = text;
    let mut s = text.trim();
    if let Some(rest) = s.strip_suffix('€') {
        s = rest.trim_end();
    } else if let Some(rest) = s.strip_suffix("EUR") {
        s = rest.trim_end();
    }
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut negative = false;
    let mut body = s;
    if let Some(rest) = body.strip_prefix('-') {
        negative = true;
        body = rest.trim_start();
    } else if let Some(rest) = body.strip_prefix('+') {
        body = rest.trim_start();
    }
    if body.is_empty() {
        return Err(AmountError::Malformed(original.to_string()));
    }
    // Which character is the decimal mark: the last of '.' / ',' if any.
    let last_dot = body.rfind('.');
    let last_comma = body.rfind(',');
    let decimal_at = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(d), None) => {
            // Several dots and no comma: dots are thousands separators ("1.234.567").
            if body.matches('.').count() > 1 {
                None
            } else {
                Some(d)
            }
        }
        (None, Some(c)) => {
            if body.matches(',').count() > 1 {
                None
            } else {
                Some(c)
            }
        }
        (None, None) => None,
    };
    let mut units: i128 = 0;
    let mut decimals: i128 = 0;
    let mut decimal_digits = 0usize;
    let mut int_digits = 0usize;
    let offset = original.len() - original.trim_start().len();
    for (i, ch) in body.char_indices() {
        let in_decimals = decimal_at.is_some_and(|d| i > d);
        match ch {
            '0'..='9' => {
                let v = i128::from(ch as u8 - b'0');
                if in_decimals {
                    decimal_digits += 1;
                    if decimal_digits > 2 {
                        return Err(AmountError::TooManyDecimals(original.to_string()));
                    }
                    decimals = decimals * 10 + v;
                } else {
                    int_digits += 1;
                    units = units * 10 + v;
                    if units > i128::from(i64::MAX) {
                        return Err(AmountError::Overflow(original.to_string()));
                    }
                }
            }
            '.' | ',' if Some(i) == decimal_at => {}
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '.' | ',' if !in_decimals => {
                // Thousands separator: must sit between digits.
                if int_digits == 0 {
                    return Err(AmountError::Malformed(original.to_string()));
                }
            }
            _ => {
                let position = original[..offset + (s.len() - body.len()) + i]
                    .chars()
                    .count()
                    + 1;
                return Err(AmountError::InvalidCharacter { ch, position });
            }
        }
    }
    if int_digits == 0 && decimal_digits == 0 {
        return Err(AmountError::Malformed(original.to_string()));
    }
    if decimal_at.is_some() && decimal_digits == 0 && int_digits == 0 {
        return Err(AmountError::Malformed(original.to_string()));
    }
    if decimal_digits == 1 {
        decimals *= 10;
    }
    let total = units * 100 + decimals;
    let total = if negative { -total } else { total };
    i64::try_from(total).map_err(|_| AmountError::Overflow(original.to_string()))
}

fn split(cents: Cents) -> (bool, u64, u64) {
    let negative = cents < 0;
    let abs = cents.unsigned_abs();
    (negative, abs / 100, abs % 100)
}

/// Formats for the FEC: decimal comma, no thousands separator, always two decimals
/// (`1234,56`, `-12,50`, `0,00`).
pub fn format_fec(cents: Cents) -> String {
    let (negative, units, decimals) = split(cents);
    format!("{}{units},{decimals:02}", if negative { "-" } else { "" })
}

/// Formats with a decimal point and two decimals (`1234.56`), as hledger and CSV tools read.
pub fn format_plain(cents: Cents) -> String {
    let (negative, units, decimals) = split(cents);
    format!("{}{units}.{decimals:02}", if negative { "-" } else { "" })
}

/// Formats for people: thousands grouped by a no-break space (U+00A0), decimal comma and a
/// no-break space before the euro sign: `1 234,56 €`, `-12,50 €`.
pub fn format_display(cents: Cents) -> String {
    let (negative, units, decimals) = split(cents);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!(
        "{}{grouped},{decimals:02}\u{a0}€",
        if negative { "-" } else { "" }
    )
}

const UNITS: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];
const TENS: [&str; 7] = [
    "",
    "dix",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
];

/// 0..=99 in words; `final_position` says whether nothing follows (for "quatre-vingts").
fn below_hundred(n: u64, final_position: bool) -> String {
    debug_assert!(n < 100);
    if n <= 16 {
        return UNITS[n as usize].to_string();
    }
    if n < 20 {
        return format!("dix-{}", UNITS[(n - 10) as usize]);
    }
    let (t, u) = (n / 10, n % 10);
    match t {
        2..=6 => match u {
            0 => TENS[t as usize].to_string(),
            1 => format!("{} et un", TENS[t as usize]),
            _ => format!("{}-{}", TENS[t as usize], UNITS[u as usize]),
        },
        7 => match u {
            1 => "soixante et onze".to_string(),
            _ => format!("soixante-{}", below_hundred(10 + u, false)),
        },
        _ => {
            // 80..=99: "quatre-vingts" takes an s only when nothing follows.
            let rest = n - 80;
            if rest == 0 {
                if final_position {
                    "quatre-vingts".to_string()
                } else {
                    "quatre-vingt".to_string()
                }
            } else {
                format!("quatre-vingt-{}", below_hundred(rest, false))
            }
        }
    }
}

/// 1..=999 in words. `final_position`: nothing follows, or a noun (million, milliard)
/// follows — then "cents"/"quatre-vingts" take their plural; before "mille" they do not.
fn below_thousand(n: u64, final_position: bool) -> String {
    debug_assert!(n > 0 && n < 1000);
    let (h, rest) = (n / 100, n % 100);
    let mut out = String::new();
    if h > 0 {
        if h > 1 {
            out.push_str(UNITS[h as usize]);
            out.push(' ');
        }
        out.push_str("cent");
        if h > 1 && rest == 0 && final_position {
            out.push('s');
        }
    }
    if rest > 0 {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&below_hundred(rest, final_position));
    }
    out
}

/// A whole number in French words (traditional spelling, hyphens between tens and units):
/// `21` → "vingt et un", `80` → "quatre-vingts", `200 000` → "deux cent mille",
/// `2 000 000` → "deux millions".
pub fn number_in_words(n: u64) -> String {
    if n == 0 {
        return "zéro".to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let scales: [(u64, &str, &str); 3] = [
        (1_000_000_000_000, "billion", "billions"),
        (1_000_000_000, "milliard", "milliards"),
        (1_000_000, "million", "millions"),
    ];
    let mut rest = n;
    for (scale, singular, plural) in scales {
        let q = rest / scale;
        rest %= scale;
        if q > 0 {
            let noun = if q > 1 { plural } else { singular };
            parts.push(format!("{} {noun}", number_in_words_noun_count(q)));
        }
    }
    let thousands = rest / 1000;
    let units = rest % 1000;
    if thousands > 0 {
        if thousands == 1 {
            parts.push("mille".to_string());
        } else {
            // "mille" is an invariable adjective: "deux cent mille", "quatre-vingt mille".
            parts.push(format!("{} mille", below_thousand(thousands, false)));
        }
    }
    if units > 0 {
        parts.push(below_thousand(units, true));
    }
    parts.join(" ")
}

/// A count before a noun (million, milliard): plurals kept ("deux cents millions").
fn number_in_words_noun_count(q: u64) -> String {
    if q < 1000 {
        below_thousand(q, true)
    } else {
        number_in_words(q)
    }
}

/// An amount in French words, as a tax receipt requires:
/// `123456` → "mille deux cent trente-quatre euros et cinquante-six centimes";
/// `100` → "un euro"; `100_000_000` → "un million d'euros"; `50` → "cinquante centimes".
/// A negative amount starts with "moins".
pub fn amount_in_words(cents: Cents) -> String {
    let (negative, units, decimals) = split(cents);
    let mut out = String::new();
    if negative {
        out.push_str("moins ");
    }
    if units > 0 || decimals == 0 {
        out.push_str(&number_in_words(units));
        let below_million = units % 1_000_000;
        if units >= 1_000_000 && below_million == 0 {
            out.push_str(" d'euros");
        } else if units > 1 {
            out.push_str(" euros");
        } else {
            out.push_str(" euro");
        }
    }
    if decimals > 0 {
        if units > 0 {
            out.push_str(" et ");
        }
        out.push_str(&number_in_words(decimals));
        out.push_str(if decimals > 1 {
            " centimes"
        } else {
            " centime"
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_french_forms() {
        assert_eq!(parse_amount("1 234,56"), Ok(123_456));
        assert_eq!(parse_amount("1\u{a0}234,56"), Ok(123_456));
        assert_eq!(parse_amount("1\u{202f}234,56 €"), Ok(123_456));
        assert_eq!(parse_amount("-12,5"), Ok(-1_250));
        assert_eq!(parse_amount("12.50"), Ok(1_250));
        assert_eq!(parse_amount("1,234.56"), Ok(123_456));
        assert_eq!(parse_amount("1.234.567"), Ok(123_456_700));
        assert_eq!(parse_amount("+3"), Ok(300));
        assert_eq!(parse_amount(",5"), Ok(50));
        assert_eq!(parse_amount("0"), Ok(0));
        assert_eq!(parse_amount("12 EUR"), Ok(1_200));
    }

    #[test]
    fn refuses_bad_amounts() {
        assert_eq!(parse_amount("  "), Err(AmountError::Empty));
        assert_eq!(
            parse_amount("12,345"),
            Err(AmountError::TooManyDecimals("12,345".into()))
        );
        assert_eq!(
            parse_amount("12a"),
            Err(AmountError::InvalidCharacter {
                ch: 'a',
                position: 3
            })
        );
        assert!(matches!(parse_amount("-"), Err(AmountError::Malformed(_))));
        assert!(matches!(parse_amount(","), Err(AmountError::Malformed(_))));
        assert!(matches!(
            parse_amount("99999999999999999999"),
            Err(AmountError::Overflow(_))
        ));
    }

    #[test]
    fn formats() {
        assert_eq!(format_fec(123_456), "1234,56");
        assert_eq!(format_fec(-1_250), "-12,50");
        assert_eq!(format_fec(5), "0,05");
        assert_eq!(format_fec(-5), "-0,05");
        assert_eq!(format_display(123_456), "1\u{a0}234,56\u{a0}€");
        assert_eq!(
            format_display(-100_000_000),
            "-1\u{a0}000\u{a0}000,00\u{a0}€"
        );
        assert_eq!(format_plain(-1), "-0.01");
    }

    #[test]
    fn words() {
        assert_eq!(
            amount_in_words(123_456),
            "mille deux cent trente-quatre euros et cinquante-six centimes"
        );
        let cases: &[(u64, &str)] = &[
            (1, "un"),
            (16, "seize"),
            (17, "dix-sept"),
            (21, "vingt et un"),
            (22, "vingt-deux"),
            (61, "soixante et un"),
            (70, "soixante-dix"),
            (71, "soixante et onze"),
            (77, "soixante-dix-sept"),
            (80, "quatre-vingts"),
            (81, "quatre-vingt-un"),
            (91, "quatre-vingt-onze"),
            (99, "quatre-vingt-dix-neuf"),
            (100, "cent"),
            (101, "cent un"),
            (200, "deux cents"),
            (280, "deux cent quatre-vingts"),
            (1000, "mille"),
            (1001, "mille un"),
            (2000, "deux mille"),
            (80_000, "quatre-vingt mille"),
            (200_000, "deux cent mille"),
            (1_000_000, "un million"),
            (2_000_000, "deux millions"),
            (200_000_000, "deux cents millions"),
            (80_000_000, "quatre-vingts millions"),
            (1_000_000_000, "un milliard"),
            (
                21_021_021,
                "vingt et un millions vingt et un mille vingt et un",
            ),
        ];
        for (n, w) in cases {
            assert_eq!(number_in_words(*n), *w, "{n}");
        }
        assert_eq!(amount_in_words(100), "un euro");
        assert_eq!(amount_in_words(0), "zéro euro");
        assert_eq!(amount_in_words(50), "cinquante centimes");
        assert_eq!(amount_in_words(101), "un euro et un centime");
        assert_eq!(amount_in_words(100_000_000), "un million d'euros");
        assert_eq!(amount_in_words(8_000), "quatre-vingts euros");
        assert_eq!(amount_in_words(-200), "moins deux euros");
    }
}
