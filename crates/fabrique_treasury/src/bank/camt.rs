//! CAMT.053 (ISO 20022 bank-to-customer statement), read with quick-xml.
//!
//! Each `Stmt/Ntry` gives a line: `Amt` (its `Ccy` must be EUR) signed by `CdtDbtInd`
//! (`CRDT` +, `DBIT` −); date from `BookgDt/Dt` (or `DtTm`), else `ValDt`; `fit_id` from
//! the entry's `AcctSvcrRef` (else the transaction's); reference from `NtryRef`, else
//! `EndToEndId` (except `NOTPROVIDED`); label from the related party names and
//! `RmtInf/Ustrd`, else `AddtlNtryInf`. Entries with status `PDNG` or `INFO` (not booked)
//! are skipped. Namespace prefixes are ignored.

use jiff::civil::Date;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{
    BankError, BankFormat, BankLine, decode, line_of, number_occurrences, squash, statement_amount,
};

#[derive(Default)]
struct Ntry {
    line: usize,
    amount: Option<(usize, String, String)>,
    indicator: Option<String>,
    status: String,
    booking: Option<String>,
    value_date: Option<String>,
    acct_ref: Option<String>,
    tx_acct_ref: Option<String>,
    ntry_ref: Option<String>,
    end_to_end: Option<String>,
    names: Vec<String>,
    ustrd: Vec<String>,
    addtl: Option<String>,
}

fn ends_with(path: &[String], suffix: &[&str]) -> bool {
    path.len() >= suffix.len()
        && path[path.len() - suffix.len()..]
            .iter()
            .zip(suffix)
            .all(|(a, b)| a == b)
}

fn local(name: &str) -> String {
    name.to_string()
}

/// Parses a CAMT.053 statement.
pub fn parse(bytes: &[u8]) -> Result<Vec<BankLine>, BankError> {
    let text = decode(bytes);
    let text: &str = &text;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut path: Vec<String> = Vec::new();
    let mut cur: Option<Ntry> = None;
    let mut buf_text = String::new();
    let mut out = Vec::new();
    let err =
        |pos: u64, m: String| BankError::new(BankFormat::Camt053, line_of(text, pos as usize), m);
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| err(reader.error_position(), format!("XML: {e}")))?;
        match ev {
            Event::Start(e) => {
                let name = local(e.local_name().as_ref());
                path.push(name.clone());
                buf_text.clear();
                if name == "Ntry" && ends_with(&path, &["Stmt", "Ntry"]) {
                    cur = Some(Ntry {
                        line: line_of(text, pos as usize),
                        ..Ntry::default()
                    });
                } else if name == "Amt" && ends_with(&path, &["Ntry", "Amt"]) {
                    let ccy = e
                        .try_get_attribute("Ccy")
                        .ok()
                        .flatten()
                        .map(|a| a.value.to_string())
                        .unwrap_or_default();
                    if let Some(n) = cur.as_mut() {
                        n.amount = Some((line_of(text, pos as usize), String::new(), ccy));
                    }
                }
            }
            Event::Text(t) => buf_text.push_str(t.as_ref()),
            Event::CData(t) => buf_text.push_str(t.as_ref()),
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        buf_text.push(c);
                    }
                } else {
                    let name: &str = r.as_ref();
                    buf_text.push_str(match name {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(_) => {
                let value = buf_text.trim().to_string();
                buf_text.clear();
                if let Some(n) = cur.as_mut() {
                    let p = &path;
                    if ends_with(p, &["Ntry", "Amt"]) {
                        if let Some(a) = n.amount.as_mut() {
                            a.1 = value;
                        }
                    } else if ends_with(p, &["Ntry", "CdtDbtInd"]) {
                        n.indicator = Some(value);
                    } else if ends_with(p, &["Ntry", "Sts"]) || ends_with(p, &["Ntry", "Sts", "Cd"])
                    {
                        n.status = value;
                    } else if ends_with(p, &["BookgDt", "Dt"]) || ends_with(p, &["BookgDt", "DtTm"])
                    {
                        n.booking = Some(value);
                    } else if ends_with(p, &["ValDt", "Dt"]) || ends_with(p, &["ValDt", "DtTm"]) {
                        n.value_date = Some(value);
                    } else if ends_with(p, &["Ntry", "AcctSvcrRef"]) {
                        n.acct_ref = Some(value).filter(|s| !s.is_empty());
                    } else if ends_with(p, &["Refs", "AcctSvcrRef"]) {
                        n.tx_acct_ref = Some(value).filter(|s| !s.is_empty());
                    } else if ends_with(p, &["Ntry", "NtryRef"]) {
                        n.ntry_ref = Some(value).filter(|s| !s.is_empty());
                    } else if ends_with(p, &["Refs", "EndToEndId"]) {
                        n.end_to_end = Some(value).filter(|s| !s.is_empty() && s != "NOTPROVIDED");
                    } else if ends_with(p, &["RmtInf", "Ustrd"]) {
                        if !value.is_empty() {
                            n.ustrd.push(value);
                        }
                    } else if p.iter().any(|x| x == "RltdPties")
                        && p.last().is_some_and(|x| x == "Nm")
                        && !p.iter().any(|x| x == "UltmtDbtr" || x == "UltmtCdtr")
                    {
                        if !value.is_empty() && !n.names.contains(&value) {
                            n.names.push(value);
                        }
                    } else if ends_with(p, &["Ntry", "AddtlNtryInf"]) {
                        n.addtl = Some(value).filter(|s| !s.is_empty());
                    }
                }
                if ends_with(&path, &["Stmt", "Ntry"])
                    && let Some(n) = cur.take()
                    && let Some(line) = finish(n, text)?
                {
                    out.push(line);
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !text.contains("BkToCstmrStmt") {
        return Err(BankError::new(
            BankFormat::Camt053,
            1,
            "no BkToCstmrStmt element",
        ));
    }
    number_occurrences(&mut out);
    Ok(out)
}

fn finish(n: Ntry, _text: &str) -> Result<Option<BankLine>, BankError> {
    let e = |line: usize, m: String| BankError::new(BankFormat::Camt053, line, m);
    if n.status == "PDNG" || n.status == "INFO" {
        return Ok(None);
    }
    let (aline, amt, ccy) = n
        .amount
        .ok_or_else(|| e(n.line, "Ntry without Amt".into()))?;
    if !ccy.is_empty() && ccy != "EUR" {
        return Err(e(aline, format!("currency {ccy} not supported (EUR only)")));
    }
    let mut amount = statement_amount(&amt).map_err(|err| e(aline, format!("Amt: {err}")))?;
    match n.indicator.as_deref() {
        Some("CRDT") => {}
        Some("DBIT") => amount = -amount,
        other => {
            return Err(e(
                n.line,
                format!("CdtDbtInd must be CRDT or DBIT, found {other:?}"),
            ));
        }
    }
    let d = n
        .booking
        .or(n.value_date)
        .ok_or_else(|| e(n.line, "Ntry without BookgDt".into()))?;
    let date = d
        .get(..10)
        .and_then(|s| s.parse::<Date>().ok())
        .ok_or_else(|| e(n.line, format!("invalid date {d:?}")))?;
    let mut parts = n.names;
    parts.extend(n.ustrd);
    if parts.is_empty()
        && let Some(a) = n.addtl
    {
        parts.push(a);
    }
    Ok(Some(BankLine {
        date,
        amount,
        label: squash(&parts.join(" ")),
        reference: n.ntry_ref.or(n.end_to_end),
        fit_id: n.acct_ref.or(n.tx_acct_ref),
        occurrence: 0,
    }))
}
