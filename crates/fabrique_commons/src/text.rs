//! Small text helpers: accent folding and slugs for URLs and file names.

/// Replaces accented Latin letters by their unaccented form (`é` → `e`, `œ` → `oe`,
/// `ß` → `ss`); other characters are kept as they are. Case is preserved.
pub fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match fold_char(c) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    out
}

fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Â' | 'Ä' | 'Á' | 'Ã' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'É' | 'È' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => "g",
        'Ğ' | 'Ĝ' | 'Ġ' | 'Ģ' => "G",
        'î' | 'ï' | 'í' | 'ì' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'Î' | 'Ï' | 'Í' | 'Ì' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
        'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' | 'Ø' | 'Ō' | 'Ő' => "O",
        'ř' | 'ŕ' => "r",
        'Ř' | 'Ŕ' => "R",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ť' | 'ţ' | 'ț' => "t",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ù' | 'û' | 'ü' | 'ú' | 'ũ' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ù' | 'Û' | 'Ü' | 'Ú' | 'Ũ' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ÿ' | 'ý' => "y",
        'Ÿ' | 'Ý' => "Y",
        'ž' | 'ź' | 'ż' => "z",
        'Ž' | 'Ź' | 'Ż' => "Z",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'Æ' => "AE",
        'ß' => "ss",
        _ => return None,
    })
}

/// Folds text for accent- and case-insensitive search: lower case, accents folded
/// (`"ÉCOLE"`, `"école"` and `"ecole"` all give `"ecole"`).
pub fn fold_for_search(s: &str) -> String {
    fold_accents(&s.to_lowercase())
}

/// Longest slug [`slugify`] produces, in bytes (always ASCII).
pub const MAX_SLUG_LEN: usize = 80;

/// Turns a title into a URL- and file-safe slug: accents folded, lower case, runs of
/// anything but ASCII letters and digits replaced by one `-`, trimmed, at most
/// [`MAX_SLUG_LEN`] bytes. `"Réparer l'école"` → `"reparer-l-ecole"`. Never empty:
/// a title with no usable letter gives `"document"`.
pub fn slugify(title: &str) -> String {
    let folded = fold_accents(title);
    let mut out = String::with_capacity(folded.len());
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if out.len() > MAX_SLUG_LEN {
        out.truncate(MAX_SLUG_LEN);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() {
        out.push_str("document");
    }
    out
}

/// A slug for `title` that `taken` does not already hold: `slug`, then `slug-2`, `slug-3`…
pub fn unique_slug(title: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = slugify(title);
    if !taken(&base) {
        return base;
    }
    let mut n = 2u64;
    loop {
        let candidate = format!("{base}-{n}");
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// The Markdown file name of a document slug (`"reparer-l-ecole.md"`).
pub fn markdown_file_name(slug: &str) -> String {
    format!("{}.md", slugify(slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_french_accents() {
        assert_eq!(slugify("Réparer l'école"), "reparer-l-ecole");
        assert_eq!(slugify("  Œuvre — ÉTÉ 2024 !"), "oeuvre-ete-2024");
        assert_eq!(slugify("???"), "document");
        assert_eq!(markdown_file_name("Repair café"), "repair-cafe.md");
        assert_eq!(unique_slug("A", |s| s == "a" || s == "a-2"), "a-3");
        assert_eq!(fold_for_search("ÉCOLE Évènement"), "ecole evenement");
    }
}
