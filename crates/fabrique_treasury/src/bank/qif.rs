//! QIF statements (`!Type:Bank`): records of `D` date, `T` (or `U`) amount, `P` payee,
//! `M` memo, `N` number, ended by `^`.
//!
//! Dates may be day-first (`15/11/2026`, French banks) or month-first (`11/15'26`, US
//! software): the order is decided over the whole file (a first part above 12 means
//! day-first, a second part above 12 month-first, day-first when nothing tells).
//! Two-digit years are 20xx. `yyyy-mm-dd` is also read. `!Account` blocks (account
//! descriptions exported before the transactions) are skipped.

use jiff::civil::Date;

use super::{
    BankError, BankFormat, BankLine, decode, number_occurrences, squash, statement_amount,
};

#[derive(Default)]
struct Record {
    line: usize,
    date: Option<(usize, String)>,
    amount: Option<(usize, String)>,
    payee: String,
    memo: String,
    number: Option<String>,
}

fn parts(text: &str) -> Option<(u32, u32, i32, bool)> {
    // Returns (a, b, year, iso) where for non-ISO dates a/b are the first two numbers.
    let nums: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    if nums.len() != 3 {
        return None;
    }
    if nums[0].len() == 4 {
        return Some((
            nums[1].parse().ok()?,
            nums[2].parse().ok()?,
            nums[0].parse().ok()?,
            true,
        ));
    }
    let mut y: i32 = nums[2].parse().ok()?;
    if nums[2].len() <= 2 {
        y += 2000;
    }
    Some((nums[0].parse().ok()?, nums[1].parse().ok()?, y, false))
}

/// Parses a QIF statement.
pub fn parse(bytes: &[u8]) -> Result<Vec<BankLine>, BankError> {
    let text = decode(bytes);
    let e = |line: usize, m: String| BankError::new(BankFormat::Qif, line, m);
    let mut records: Vec<Record> = Vec::new();
    let mut cur = Record::default();
    let mut seen_type = false;
    let mut in_account = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r').trim();
        if l.is_empty() {
            continue;
        }
        if let Some(t) = l.strip_prefix('!') {
            // An `!Account` block describes the account: its records are skipped.
            in_account = t.starts_with("Account");
            if let Some(kind) = t.strip_prefix("Type:") {
                let kind = kind.trim().to_ascii_lowercase();
                if !matches!(kind.as_str(), "bank" | "cash" | "ccard" | "oth a" | "oth l") {
                    return Err(e(line, format!("unsupported QIF type {kind:?}")));
                }
                seen_type = true;
            }
            continue;
        }
        if in_account {
            continue;
        }
        if !seen_type {
            return Err(e(line, "missing !Type: header".into()));
        }
        let (code, value) = l.split_at(l.chars().next().map(char::len_utf8).unwrap_or(0));
        if cur.line == 0 {
            cur.line = line;
        }
        match code {
            "D" => cur.date = Some((line, value.trim().to_string())),
            "T" => cur.amount = Some((line, value.trim().to_string())),
            "U" => {
                if cur.amount.is_none() {
                    cur.amount = Some((line, value.trim().to_string()));
                }
            }
            "P" => cur.payee = value.trim().to_string(),
            "M" => cur.memo = value.trim().to_string(),
            "N" => cur.number = Some(value.trim().to_string()).filter(|s| !s.is_empty()),
            "^" => {
                if cur.date.is_none() && cur.amount.is_none() {
                    return Err(e(line, "empty record".into()));
                }
                records.push(std::mem::take(&mut cur));
            }
            // Categories, addresses, splits and cleared status are not needed.
            "L" | "C" | "A" | "S" | "E" | "$" | "%" | "F" => {}
            _ => return Err(e(line, format!("unknown QIF field {code:?}"))),
        }
    }
    if cur.line != 0 {
        return Err(e(cur.line, "record not ended by ^".into()));
    }
    // Decide the date order over the file.
    let mut day_first = true;
    for r in &records {
        if let Some((_, d)) = &r.date
            && let Some((a, b, _, false)) = parts(d)
        {
            if a > 12 {
                day_first = true;
                break;
            }
            if b > 12 {
                day_first = false;
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let (dl, dt) = r
            .date
            .ok_or_else(|| e(r.line, "record without D (date)".into()))?;
        let bad_date = || e(dl, format!("invalid date {dt:?}"));
        let (a, b, y, iso) = parts(&dt).ok_or_else(bad_date)?;
        let (m, d) = if iso || !day_first { (a, b) } else { (b, a) };
        let date = Date::new(
            i16::try_from(y).map_err(|_| bad_date())?,
            i8::try_from(m).map_err(|_| bad_date())?,
            i8::try_from(d).map_err(|_| bad_date())?,
        )
        .map_err(|_| bad_date())?;
        let (al, at) = r
            .amount
            .ok_or_else(|| e(r.line, "record without T (amount)".into()))?;
        let amount = statement_amount(&at).map_err(|err| e(al, format!("amount: {err}")))?;
        let label = match (r.payee.is_empty(), r.memo.is_empty()) {
            (false, false) if r.payee != r.memo => format!("{} {}", r.payee, r.memo),
            (false, _) => r.payee,
            (true, _) => r.memo,
        };
        out.push(BankLine {
            date,
            amount,
            label: squash(&label),
            reference: r.number,
            fit_id: None,
            occurrence: 0,
        });
    }
    number_occurrences(&mut out);
    Ok(out)
}
