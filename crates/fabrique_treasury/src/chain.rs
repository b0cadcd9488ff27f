//! Hash chain over validated entries, so that tampering with a locked year is detectable.
//!
//! `hash(n) = SHA-256(hash(n-1) ‖ canonical(entry n))`, with `hash(-1)` = 32 zero bytes
//! ([`GENESIS`]). The canonical serialisation is a sequence of fields, each written as its
//! UTF-8 byte length in decimal, a colon, the bytes, then a semicolon (`5:hello;`), so no
//! content can be confused with a separator. Fields, in order:
//!
//! 1. the literal `fabrique-entry-v1`;
//! 2. entry number (`VE-2026-00001`), journal code, date (`2026-03-01`), label, piece
//!    reference, kind (`standard`, `reversal`, `closing`, `opening`), validation date;
//! 3. the number of lines in decimal;
//! 4. per line: account, debit (decimal cents), credit, label, then `-` when there is no
//!    project or `+` followed by the project as a separate field.

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::ledger::{Entry, EntryKind};

/// The previous hash of the first entry of a chain.
pub const GENESIS: [u8; 32] = [0; 32];

fn field(out: &mut Vec<u8>, value: &str) {
    out.extend_from_slice(value.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b';');
}

/// The canonical serialisation of an entry (see the module documentation).
pub fn canonical(entry: &Entry) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + entry.lines.len() * 48);
    field(&mut out, "fabrique-entry-v1");
    field(&mut out, &entry.number.to_string());
    field(&mut out, &entry.journal.code());
    field(&mut out, &entry.date.to_string());
    field(&mut out, &entry.label);
    field(&mut out, &entry.piece_ref);
    field(
        &mut out,
        match entry.kind {
            EntryKind::Standard => "standard",
            EntryKind::Reversal => "reversal",
            EntryKind::Closing => "closing",
            EntryKind::Opening => "opening",
        },
    );
    field(&mut out, &entry.valid_date.to_string());
    field(&mut out, &entry.lines.len().to_string());
    for l in &entry.lines {
        field(&mut out, &l.account);
        field(&mut out, &l.debit.to_string());
        field(&mut out, &l.credit.to_string());
        field(&mut out, &l.label);
        match &l.project {
            None => field(&mut out, "-"),
            Some(p) => {
                field(&mut out, "+");
                field(&mut out, p);
            }
        }
    }
    out
}

/// The hash of an entry chained after `prev_hash`.
pub fn entry_hash(prev_hash: &[u8; 32], entry: &Entry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(canonical(entry));
    h.finalize().into()
}

/// Hashes a sequence of entries from [`GENESIS`]; returns one hash per entry.
pub fn chain_hashes(entries: &[Entry]) -> Vec<[u8; 32]> {
    let mut prev = GENESIS;
    entries
        .iter()
        .map(|e| {
            prev = entry_hash(&prev, e);
            prev
        })
        .collect()
}

/// The first entry whose stored hash does not match.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("hash chain broken at entry {index} ({number})")]
pub struct ChainBreak {
    /// 0-based position in the sequence.
    pub index: usize,
    /// The entry's number.
    pub number: String,
}

/// Checks entries against their stored hashes (`(entry, stored hash)` in chain order, the
/// first chained after [`GENESIS`]).
pub fn verify_chain(entries: &[(Entry, [u8; 32])]) -> Result<(), ChainBreak> {
    let mut prev = GENESIS;
    for (index, (entry, stored)) in entries.iter().enumerate() {
        let h = entry_hash(&prev, entry);
        if &h != stored {
            return Err(ChainBreak {
                index,
                number: entry.number.to_string(),
            });
        }
        prev = h;
    }
    Ok(())
}

/// Seals a closed year: its entries in [`crate::ledger::chronological`] order, each with
/// its chained hash, ready to store. Reading them back in the same order and calling
/// [`verify_chain`] detects any altered, removed or inserted row.
pub fn seal_year(entries: &[Entry]) -> Vec<(Entry, [u8; 32])> {
    let mut sorted: Vec<Entry> = entries.to_vec();
    sorted.sort_by(crate::ledger::chronological);
    let hashes = chain_hashes(&sorted);
    sorted.into_iter().zip(hashes).collect()
}

/// Lowercase hex of a hash, for storage.
pub fn to_hex(hash: &[u8; 32]) -> String {
    hex::encode(hash)
}

/// Parses a stored hex hash.
pub fn from_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Chart;
    use crate::ledger::{EntryDraft, FiscalYear, Journal, Line, Numbering};
    use jiff::civil::date;

    #[test]
    fn detects_a_changed_amount_and_a_removed_entry() {
        let chart = Chart::associations();
        let year = FiscalYear::calendar(2026);
        let mut n = Numbering::new();
        let entries: Vec<Entry> = (1..=3)
            .map(|i| {
                EntryDraft::new(Journal::Sales, date(2026, 1, i), "Cotisation")
                    .line(Line::debit("512", 1000 * i64::from(i)))
                    .line(Line::credit("756", 1000 * i64::from(i)))
                    .validate(
                        &chart,
                        &year,
                        n.next(&Journal::Sales, 2026),
                        date(2026, 1, i),
                    )
                    .unwrap()
            })
            .collect();
        let hashes = chain_hashes(&entries);
        let mut stored: Vec<(Entry, [u8; 32])> = entries
            .iter()
            .cloned()
            .zip(hashes.iter().copied())
            .collect();
        assert_eq!(verify_chain(&stored), Ok(()));
        stored[1].0.lines[0].debit += 1;
        assert_eq!(
            verify_chain(&stored),
            Err(ChainBreak {
                index: 1,
                number: "VE-2026-00002".into()
            })
        );
        stored[1].0.lines[0].debit -= 1;
        stored.remove(1);
        assert_eq!(verify_chain(&stored).unwrap_err().index, 1);
        assert_eq!(from_hex(&to_hex(&hashes[0])), Some(hashes[0]));
        let mut shuffled = entries.clone();
        shuffled.reverse();
        let sealed = seal_year(&shuffled);
        assert_eq!(sealed[0].0, entries[0]);
        assert_eq!(sealed[2].1, hashes[2]);
        assert_eq!(verify_chain(&sealed), Ok(()));
    }
}
