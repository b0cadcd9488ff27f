//! Invariants shared by the fuzz targets. Each check panics with the offending output, so
//! libFuzzer keeps the input as a crash.

use fabrique_treasury::bank::{self, BankLine};

/// Elements that must never reach a page.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "svg", "math", "object", "embed", "form", "base", "meta", "link",
    "frame", "frameset", "template", "noscript",
];

/// URL schemes that must never start a URL attribute.
const FORBIDDEN_SCHEMES: &[&str] = &["javascript:", "vbscript:", "data:"];

/// Attributes holding a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "cite",
    "background",
    "lowsrc",
    "ping",
];

/// One start or end tag read from sanitised HTML: its name and attributes (name, value).
struct Tag<'a> {
    name: String,
    attributes: Vec<(String, &'a str)>,
}

/// Reads the tags of `html` with the tokenising rules of HTML (attribute values double-,
/// single- or un-quoted). Comments and doctype are skipped.
fn tags(html: &str) -> Vec<Tag<'_>> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        let start = i + usize::from(html[i..].starts_with('/'));
        let name_len = html[start..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .unwrap_or(html.len() - start);
        let name = html[start..start + name_len].to_ascii_lowercase();
        i = start + name_len;
        let mut attributes = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !b"/>=".contains(&b[i]) {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            let mut value = "";
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i] as char;
                    let end = html[i + 1..].find(q).map_or(b.len(), |e| i + 1 + e);
                    value = &html[i + 1..end];
                    i = (end + 1).min(b.len());
                } else {
                    let a = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = &html[a..i];
                }
            }
            attributes.push((attr, value));
        }
        out.push(Tag { name, attributes });
        if i >= b.len() {
            break;
        }
    }
    out
}

/// Panics when sanitised HTML holds a dangerous element, an event handler or `style`
/// attribute, a script or data URL in an attribute, or a script scheme anywhere (the
/// renderer promises to defang it even in text).
pub fn assert_safe_html(input: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for scheme in ["javascript:", "vbscript:"] {
        assert!(
            !lower.contains(scheme),
            "{scheme} in the output\ninput: {input:?}\noutput: {html:?}"
        );
    }
    for tag in tags(html) {
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&tag.name.as_str()),
            "<{}> in the output\ninput: {input:?}\noutput: {html:?}",
            tag.name
        );
        for (attr, value) in &tag.attributes {
            assert!(
                !attr.starts_with("on") && attr != "style" && attr != "srcdoc",
                "attribute {attr} on <{}>\ninput: {input:?}\noutput: {html:?}",
                tag.name
            );
            if !URL_ATTRIBUTES.contains(&attr.as_str()) {
                continue;
            }
            let squeezed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            for scheme in FORBIDDEN_SCHEMES {
                assert!(
                    !squeezed.starts_with(scheme),
                    "{attr}={value:?} on <{}>\ninput: {input:?}\noutput: {html:?}",
                    tag.name
                );
            }
        }
    }
}

/// Panics when parsed statement lines are not well-formed: a label that is not trimmed
/// with single spaces, an empty reference or id, an `occurrence` that does not count the
/// earlier identical lines. Also computes each line's dedup key, the import plan and the
/// entry draft, which must not panic either.
pub fn assert_well_formed(lines: &[BankLine]) {
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(
            line.label,
            line.label.split_whitespace().collect::<Vec<_>>().join(" "),
            "label of line {i} not squashed: {line:?}"
        );
        for (what, v) in [("reference", &line.reference), ("fit_id", &line.fit_id)] {
            if let Some(v) = v {
                assert!(!v.trim().is_empty(), "blank {what} on line {i}: {line:?}");
            }
        }
        let earlier = lines[..i]
            .iter()
            .filter(|l| l.date == line.date && l.amount == line.amount && l.label == line.label)
            .count();
        assert_eq!(
            line.occurrence as usize, earlier,
            "occurrence of line {i}: {line:?}"
        );
        let key = bank::dedup_key("512000", line);
        assert!(key.starts_with("fitid:") || key.starts_with("hash:"));
        let _ = bank::to_draft(line, "512000", "758000", None);
    }
    let plan = bank::plan_import("512000", lines.to_vec(), &Default::default());
    let keys: std::collections::HashSet<&String> = plan.new.iter().map(|(k, _)| k).collect();
    // Distinct keys unless the bank repeated an id.
    if lines.iter().all(|l| l.fit_id.is_none()) {
        assert_eq!(keys.len(), lines.len(), "two lines share a dedup key");
    }
}

/// Runs one statement parser, checks its lines, and checks that format detection plus
/// [`bank::parse_statement`] agrees with it when it detects the same format.
pub fn check_statement(
    data: &[u8],
    format: bank::BankFormat,
    parse: fn(&[u8]) -> Result<Vec<BankLine>, bank::BankError>,
) {
    let parsed = parse(data);
    if let Ok(lines) = &parsed {
        assert_well_formed(lines);
    }
    if bank::detect_format(data) == format {
        let again = bank::parse_statement(data, None).map(|(_, lines)| lines);
        assert_eq!(again, parsed, "parse_statement disagrees with the parser");
    }
}
