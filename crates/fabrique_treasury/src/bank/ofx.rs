//! OFX statements: SGML OFX 1.x (leaf elements without closing tags) and XML OFX 2.x.
//!
//! Both are read the same way: each `<STMTTRN>…</STMTTRN>` block gives a line; a leaf's
//! value runs from its tag to the next `<`. Used leaves: `DTPOSTED` (first 8 digits),
//! `TRNAMT`, `FITID`, `NAME`, `MEMO` (appended to the label when different), `CHECKNUM` or
//! `REFNUM` (reference).

use jiff::civil::Date;

use super::{
    BankError, BankFormat, BankLine, decode, line_of, number_occurrences, squash, statement_amount,
};

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The value of a leaf element inside a block, with its byte offset in the block.
fn leaf(block: &str, tag: &str) -> Option<(usize, String)> {
    let open = format!("<{tag}>");
    let at = block.find(&open)?;
    let start = at + open.len();
    let end = block[start..]
        .find('<')
        .map(|e| start + e)
        .unwrap_or(block.len());
    Some((at, unescape(block[start..end].trim())))
}

/// Parses an OFX statement.
pub fn parse(bytes: &[u8]) -> Result<Vec<BankLine>, BankError> {
    let text = decode(bytes);
    let text: &str = &text;
    let e = |offset: usize, m: String| BankError::new(BankFormat::Ofx, line_of(text, offset), m);
    if !text.contains("<OFX>") {
        return Err(BankError::new(BankFormat::Ofx, 1, "no <OFX> element"));
    }
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(found) = text[pos..].find("<STMTTRN>") {
        let start = pos + found;
        let body_start = start + "<STMTTRN>".len();
        let end = text[body_start..]
            .find("</STMTTRN>")
            .map(|x| body_start + x)
            .ok_or_else(|| e(start, "<STMTTRN> is never closed".into()))?;
        let block = &text[body_start..end];
        let need = |tag: &str| {
            leaf(block, tag)
                .filter(|(_, v)| !v.is_empty())
                .ok_or_else(|| e(start, format!("transaction without {tag}")))
        };
        let (at, dt) = need("DTPOSTED")?;
        let date = (|| {
            let d = dt.get(..8)?;
            if !d.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Date::new(
                d[..4].parse().ok()?,
                d[4..6].parse().ok()?,
                d[6..].parse().ok()?,
            )
            .ok()
        })()
        .ok_or_else(|| e(body_start + at, format!("DTPOSTED: invalid date {dt:?}")))?;
        let (at, amt) = need("TRNAMT")?;
        let amount =
            statement_amount(&amt).map_err(|err| e(body_start + at, format!("TRNAMT: {err}")))?;
        let name = leaf(block, "NAME").map(|x| x.1).unwrap_or_default();
        let memo = leaf(block, "MEMO").map(|x| x.1).unwrap_or_default();
        let label = if memo.is_empty() || memo == name {
            name
        } else if name.is_empty() {
            memo
        } else {
            format!("{name} {memo}")
        };
        let reference = leaf(block, "CHECKNUM")
            .or_else(|| leaf(block, "REFNUM"))
            .map(|x| x.1)
            .filter(|s| !s.is_empty());
        let fit_id = leaf(block, "FITID").map(|x| x.1).filter(|s| !s.is_empty());
        out.push(BankLine {
            date,
            amount,
            label: squash(&label),
            reference,
            fit_id,
            occurrence: 0,
        });
        pos = end + "</STMTTRN>".len();
    }
    number_occurrences(&mut out);
    Ok(out)
}
