//! FEC conformance, round trip and import errors.

use fabrique_treasury::closing::close_year;
use fabrique_treasury::fec::{
    COLUMNS, FecEncoding, FecOptions, Separator, export, export_string, file_name, import,
};
use fabrique_treasury::ledger::{EntryKind, FiscalYear, Numbering};
use jiff::civil::date;

use crate::common::{chart, generated_year};

fn year_with_closing() -> Vec<fabrique_treasury::ledger::Entry> {
    let chart = chart();
    let year = FiscalYear::calendar(2026);
    let mut entries = generated_year(400, 5);
    let c = close_year(&entries, &year).closing.unwrap();
    let num = Numbering::from_entries(&entries).next(&c.journal, 2026);
    entries.push(c.validate(&chart, &year, num, year.end).unwrap());
    entries
}

#[test]
fn conformance() {
    let entries = year_with_closing();
    let text = export_string(&entries, &chart(), Separator::Tab);
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise"
    );
    assert_eq!(COLUMNS.len(), 18);
    let rows: Vec<Vec<&str>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    let expected_lines: usize = entries
        .iter()
        .filter(|e| e.kind != EntryKind::Closing)
        .map(|e| e.lines.len())
        .sum();
    assert_eq!(rows.len(), expected_lines);
    let mut seqs: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
    let mut last_num = String::new();
    for r in &rows {
        assert_eq!(r.len(), 18);
        for date_col in [3, 9, 15] {
            assert_eq!(r[date_col].len(), 8);
            assert!(r[date_col].starts_with("2026"));
            assert!(r[date_col].bytes().all(|b| b.is_ascii_digit()));
        }
        for amount_col in [11, 12] {
            let a = r[amount_col];
            let (units, dec) = a.split_once(',').expect("decimal comma");
            assert_eq!(dec.len(), 2);
            assert!(units.bytes().all(|b| b.is_ascii_digit()), "{a}");
        }
        // Closing entries of classes 6/7 are excluded.
        assert!(!r[2].is_empty());
        assert_ne!(r[10], "Clôture de l'exercice 2026");
        if r[2] != last_num {
            let (j, seq) = r[2].rsplit_once('-').unwrap();
            seqs.entry(j.to_string())
                .or_default()
                .push(seq.parse().unwrap());
            last_num = r[2].to_string();
        }
        if !r[6].is_empty() {
            assert_eq!(r[4], &r[6][..3]);
        }
    }
    // Opening entries present, first.
    assert_eq!(rows[0][0], "AN");
    assert_eq!(rows[0][1], "À-nouveaux");
    // Continuous numbering per journal.
    for (j, mut v) in seqs {
        v.sort();
        assert_eq!(v, (1..=v.len() as u32).collect::<Vec<_>>(), "{j}");
    }
    assert_eq!(
        file_name("123456789", date(2026, 12, 31)),
        "123456789FEC20261231.txt"
    );
    // Pipe variant: one kind of separator per file.
    let pipe = export_string(&entries, &chart(), Separator::Pipe);
    assert!(!pipe.contains('\t'));
    assert_eq!(pipe.lines().next().unwrap(), COLUMNS.join("|"));
}

#[test]
fn round_trip_tab_and_pipe_utf8_and_latin9() {
    let entries: Vec<_> = generated_year(600, 9);
    for separator in [Separator::Tab, Separator::Pipe] {
        for encoding in [FecEncoding::Utf8, FecEncoding::Iso8859_15] {
            let bytes = export(
                &entries,
                &chart(),
                &FecOptions {
                    separator,
                    encoding,
                },
            );
            if encoding == FecEncoding::Iso8859_15 {
                assert!(
                    std::str::from_utf8(&bytes).is_err(),
                    "accents are single bytes"
                );
            }
            let back = import(&bytes, &chart()).unwrap();
            assert_eq!(back.separator, separator);
            assert_eq!(back.encoding, encoding);
            assert!(back.new_accounts.is_empty());
            let mut expected: Vec<_> = entries
                .iter()
                .cloned()
                .map(|mut e| {
                    for l in &mut e.lines {
                        l.project = None;
                    }
                    e
                })
                .collect();
            expected.sort_by(fabrique_treasury::ledger::chronological);
            assert_eq!(back.entries, expected);
        }
    }
}

const HEADER: &str = "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise";

#[test]
fn import_from_another_software() {
    let text = format!(
        "{HEADER}\n\
         HA|Achats|12|20260105|606300|Petit équipement|||F1|20260105|Tournevis|25,50|0,00||||| \n\
         HA|Achats|12|20260105|401000|Fournisseurs|LEROY|Leroy Merlin|F1|20260105|Tournevis|0,00|25,50||||| \n\
         BQ|Banque|7|20260110|512000|Banque|||V1|20260110|Cotisation|30,00|||||| \n\
         BQ|Banque|7|20260110|756000|Cotisations|||V1|20260110|Cotisation||30,00||||| \n"
    );
    let r = import(text.as_bytes(), &chart()).unwrap();
    assert_eq!(r.entries.len(), 2);
    assert_eq!(r.entries[0].number.to_string(), "HA-2026-00001");
    assert_eq!(r.entries[1].number.to_string(), "BQ-2026-00001");
    assert_eq!(r.entries[0].lines[1].account, "401LEROY");
    let new: Vec<&str> = r.new_accounts.iter().map(|a| a.number.as_str()).collect();
    assert_eq!(new, vec!["606300", "401LEROY", "512000", "756000"]);
    assert_eq!(r.new_accounts[1].label, "Leroy Merlin");
    assert_eq!(r.new_accounts[0].class, 6);
}

#[test]
fn import_errors_name_the_line() {
    let bad_header = "JournalCode|JournalLib|EcritureNum\n";
    let e = import(bad_header.as_bytes(), &chart()).unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("EcritureDate"), "{e}");

    let unbalanced = format!(
        "{HEADER}\nVE|Ventes|1|20260105|512|Banque|||P|20260105|x|10,00|||||| \n\
         VE|Ventes|2|20260106|512|Banque|||P|20260106|y|10,00|||||| \n\
         VE|Ventes|2|20260106|756|Cotisations|||P|20260106|y||9,99||||| \n"
    );
    let e = import(unbalanced.as_bytes(), &chart()).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("at least two lines"), "{e}");

    let bad_date =
        format!("{HEADER}\nVE|Ventes|1|2026-01-05|512|Banque|||P|20260105|x|10,00|||||| \n");
    let e = import(bad_date.as_bytes(), &chart()).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("EcritureDate"));

    let bad_amount = format!(
        "{HEADER}\nVE|Ventes|1|20260105|512|Banque|||P|20260105|x|10,00|||||| \nVE|Ventes|1|20260105|756|Cot|||P|20260105|x||1O,00||||| \n"
    );
    let e = import(bad_amount.as_bytes(), &chart()).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.starts_with("Credit"), "{e}");

    let short = format!("{HEADER}\nVE|Ventes|1\n");
    assert_eq!(import(short.as_bytes(), &chart()).unwrap_err().line, 2);
}
