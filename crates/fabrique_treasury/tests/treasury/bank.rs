//! Bank statements: sample files, stable dedup keys, errors naming the line, reconciliation.

use fabrique_treasury::bank::reconcile::{OpenLine, match_greedy, suggest};
use fabrique_treasury::bank::{
    AmountColumns, BankFormat, BankLine, CsvMapping, camt, csv, dedup_key, detect_format, ofx,
    parse_statement, qif,
};
use jiff::civil::date;

use crate::common::read;

fn keys(lines: &[BankLine]) -> Vec<String> {
    lines.iter().map(|l| dedup_key("5121", l)).collect()
}

fn csv_mapping() -> CsvMapping {
    CsvMapping {
        separator: ';',
        skip_rows: 2,
        date_column: 0,
        date_format: "%d/%m/%Y".into(),
        amount: AmountColumns::DebitCredit {
            debit: 2,
            credit: 3,
        },
        label_columns: vec![1],
        reference_column: Some(4),
        id_column: None,
        decimal_comma: true,
    }
}

#[test]
fn ofx_sgml() {
    let bytes = read("releve_v1.ofx");
    assert_eq!(detect_format(&bytes), BankFormat::Ofx);
    let lines = ofx::parse(&bytes).unwrap();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0].date, date(2026, 11, 3));
    assert_eq!(lines[0].amount, 3_000);
    assert_eq!(lines[0].label, "VIR COTISATION DUPONT ADHESION 2027");
    assert_eq!(lines[0].fit_id.as_deref(), Some("FR261103001"));
    assert_eq!(lines[1].amount, -45_000);
    assert_eq!(lines[2].amount, -8_990);
    assert_eq!(lines[2].date, date(2026, 11, 12));
    assert_eq!(lines[2].label, "CHEQUE 1234 R&D LIBRE");
    assert_eq!(lines[2].reference.as_deref(), Some("0001234"));
    assert_eq!(lines[3].amount, 150_000);
    assert_eq!(keys(&lines), keys(&ofx::parse(&bytes).unwrap()));
    assert_eq!(dedup_key("5121", &lines[0]), "fitid:5121:FR261103001");
}

#[test]
fn ofx_xml() {
    let bytes = read("releve_v2.ofx");
    assert_eq!(detect_format(&bytes), BankFormat::Ofx);
    let (format, lines) = parse_statement(&bytes, None).unwrap();
    assert_eq!(format, BankFormat::Ofx);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].label, "Don Boîte à dons");
    assert_eq!(lines[0].amount, 4_250);
    assert_eq!(lines[1].label, "OVH SAS Facture FR-2026-118");
    assert_eq!(lines[1].amount, -12_000);
}

#[test]
fn qif_with_twin_lines() {
    let bytes = read("releve.qif");
    assert_eq!(detect_format(&bytes), BankFormat::Qif);
    let lines = qif::parse(&bytes).unwrap();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0].date, date(2026, 11, 3));
    assert_eq!(lines[0].amount, 3_000);
    assert_eq!(lines[2].reference.as_deref(), Some("0001234"));
    // Two identical bank fees on the same day: distinct keys, stable on re-import.
    assert_eq!((lines[3].occurrence, lines[4].occurrence), (0, 1));
    let k = keys(&lines);
    assert_ne!(k[3], k[4]);
    assert_eq!(k, keys(&qif::parse(&bytes).unwrap()));
    assert!(k[0].starts_with("hash:"));
}

#[test]
fn camt053() {
    let bytes = read("releve.camt053.xml");
    assert_eq!(detect_format(&bytes), BankFormat::Camt053);
    let lines = camt::parse(&bytes).unwrap();
    assert_eq!(lines.len(), 3, "pending entry skipped");
    assert_eq!(lines[0].amount, 3_000);
    assert_eq!(lines[0].label, "Jean Dupont Adhésion 2027");
    assert_eq!(lines[0].reference.as_deref(), Some("REF-001"));
    assert_eq!(lines[0].fit_id.as_deref(), Some("2026110300001"));
    assert_eq!(lines[1].amount, -45_000);
    assert_eq!(lines[1].date, date(2026, 11, 5));
    assert_eq!(
        lines[1].label,
        "SCI Les Lilas Loyer novembre local associatif"
    );
    assert_eq!(lines[1].reference, None);
    assert_eq!(lines[2].label, "VIR MAIRIE SUBVENTION R&D");
    assert_eq!(keys(&lines), keys(&camt::parse(&bytes).unwrap()));
}

#[test]
fn csv_with_mapping() {
    let bytes = read("releve.csv");
    assert_eq!(detect_format(&bytes), BankFormat::Csv);
    assert!(parse_statement(&bytes, None).is_err());
    let m = csv_mapping();
    // The mapping is saved per bank account: it serialises.
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<CsvMapping>(&json).unwrap(), m);
    let lines = csv::parse(&bytes, &m).unwrap();
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, vec![3_000, -45_000, -8_990, 150_000, -500, -500]);
    assert_eq!(lines[2].label, "CHEQUE 1234; R&D");
    assert_eq!(lines[0].reference.as_deref(), Some("R1"));
    assert_eq!(lines[2].reference, None);
    let k = keys(&lines);
    assert_ne!(k[4], k[5]);
    assert_eq!(k, keys(&csv::parse(&bytes, &m).unwrap()));
    // Single signed column with a decimal point.
    let text = "2026-11-03,Cotisation,\"1,030.00\"\n2026-11-04,Frais,-5.5\n";
    let single = CsvMapping {
        separator: ',',
        skip_rows: 0,
        date_format: "%Y-%m-%d".into(),
        amount: AmountColumns::Single { column: 2 },
        decimal_comma: false,
        ..CsvMapping::default()
    };
    let lines = csv::parse(text.as_bytes(), &single).unwrap();
    assert_eq!(lines[0].amount, 103_000);
    assert_eq!(lines[1].amount, -550);
}

#[test]
fn errors_name_the_line() {
    let text = String::from_utf8(read("releve.csv"))
        .unwrap()
        .replace("12/11/2026", "32/11/2026");
    let e = csv::parse(text.as_bytes(), &csv_mapping()).unwrap_err();
    assert_eq!(e.line, 5, "{e}");
    let text = String::from_utf8(read("releve.qif"))
        .unwrap()
        .replace("T-450,00", "T-45O,00");
    let e = qif::parse(text.as_bytes()).unwrap_err();
    assert_eq!(e.line, 8, "{e}");
    let text = String::from_utf8(read("releve_v1.ofx"))
        .unwrap()
        .replace("<TRNAMT>-450.00", "<TRNAMT>abc");
    let e = ofx::parse(text.as_bytes()).unwrap_err();
    assert_eq!(e.line, 51, "{e}");
    let text = String::from_utf8(read("releve.camt053.xml"))
        .unwrap()
        .replace(
            "<CdtDbtInd>DBIT</CdtDbtInd>\n        <Sts>BOOK",
            "<CdtDbtInd>XXXX</CdtDbtInd>\n        <Sts>BOOK",
        );
    let e = camt::parse(text.as_bytes()).unwrap_err();
    assert_eq!(e.line, 23, "{e}");
    let text = String::from_utf8(read("releve.camt053.xml"))
        .unwrap()
        .replace(
            "</NtryDtls>\n      </Ntry>\n      <Ntry>\n        <Amt",
            "</NtryDtls>\n      <Ntry>\n        <Amt",
        );
    let e = camt::parse(text.as_bytes()).unwrap_err();
    assert!(e.message.starts_with("XML"), "{e}");
}

#[test]
fn reconciliation_prefers_amount_then_date_and_label() {
    let lines = ofx::parse(&read("releve_v1.ofx")).unwrap();
    let open = vec![
        OpenLine {
            id: "a".into(),
            date: date(2026, 11, 2),
            amount: 3_000,
            label: "Cotisation Dupont".into(),
        },
        OpenLine {
            id: "b".into(),
            date: date(2026, 10, 1),
            amount: 3_000,
            label: "Cotisation Martin".into(),
        },
        OpenLine {
            id: "c".into(),
            date: date(2026, 11, 5),
            amount: -45_000,
            label: "Loyer".into(),
        },
        OpenLine {
            id: "d".into(),
            date: date(2026, 11, 3),
            amount: 2_000,
            label: "Divers".into(),
        },
    ];
    let s = suggest(&lines[0], &open, 3);
    assert_eq!(s[0].id, "a");
    assert!(s[0].exact_amount);
    assert_eq!(s[0].days, 1);
    assert_eq!(s[1].id, "b");
    assert!(s.iter().all(|x| x.id != "c"));
    let m = match_greedy(&lines, &open);
    assert_eq!(m[0].as_deref(), Some("a"));
    assert_eq!(m[1].as_deref(), Some("c"));
    assert_eq!(m[3], None);
}

#[test]
fn reimporting_creates_nothing() {
    use fabrique_treasury::bank::plan_import;
    use std::collections::HashSet;
    for name in [
        "releve_v1.ofx",
        "releve_v2.ofx",
        "releve.qif",
        "releve.camt053.xml",
        "releve.csv",
    ] {
        let bytes = read(name);
        let m = csv_mapping();
        let (_, lines) = parse_statement(&bytes, Some(&m)).unwrap();
        let first = plan_import("5121", lines.clone(), &HashSet::new());
        assert_eq!(
            (first.new.len(), first.duplicates),
            (lines.len(), 0),
            "{name}"
        );
        let known: HashSet<String> = first.new.into_iter().map(|(k, _)| k).collect();
        let (_, again) = parse_statement(&bytes, Some(&m)).unwrap();
        let second = plan_import("5121", again, &known);
        assert!(second.new.is_empty(), "{name}");
        assert_eq!(second.duplicates, lines.len());
        // Another account never collides.
        let other = plan_import("5122", lines.clone(), &known);
        assert_eq!(other.new.len(), lines.len());
    }
}

#[test]
fn latin1_csv_and_us_qif() {
    // A Windows-1252 CSV (as many French banks export): "Dépôt" with é = 0xE9, ô = 0xF4.
    let mut bytes = b"Date;Libell\xe9;Montant\n".to_vec();
    bytes.extend_from_slice(b"05/01/2027;D\xe9p\xf4t esp\xe8ces;1 234,50\n");
    let lines = csv::parse(&bytes, &CsvMapping::default()).unwrap();
    assert_eq!(lines[0].label, "Dépôt espèces");
    assert_eq!(lines[0].amount, 123_450);
    assert_eq!(lines[0].date, date(2027, 1, 5));
    // Month-first dates with two-digit years, decided over the whole file.
    let qif = "!Type:Bank\nD01/02'27\nT-10.00\nPA\n^\nD12/25'27\nT1,000.00\nPB\n^\n";
    let lines = qif::parse(qif.as_bytes()).unwrap();
    assert_eq!(lines[0].date, date(2027, 1, 2));
    assert_eq!(lines[1].date, date(2027, 12, 25));
    assert_eq!(lines[1].amount, 100_000);
    let e = qif::parse(b"D01/02/2027\nT1\n^\n").unwrap_err();
    assert_eq!(e.line, 1);
    let e = qif::parse(b"!Type:Bank\nD01/02/2027\nT1\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (2, "record not ended by ^"));
}

#[test]
fn unmatched_lines_become_entries() {
    use fabrique_treasury::bank::to_draft;
    use fabrique_treasury::ledger::{FiscalYear, Journal, Line};
    let lines = ofx::parse(&read("releve_v1.ofx")).unwrap();
    let chart = crate::common::chart();
    let d = to_draft(&lines[0], "5121", "756", None).unwrap();
    assert_eq!(d.journal, Journal::Bank(1));
    assert_eq!(
        d.lines,
        vec![Line::debit("5121", 3_000), Line::credit("756", 3_000)]
    );
    assert_eq!(d.label, "VIR COTISATION DUPONT ADHESION 2027");
    d.check(&chart, &FiscalYear::calendar(2026)).unwrap();
    let d = to_draft(&lines[2], "5121", "606", Some("repair-cafe")).unwrap();
    assert_eq!(
        d.lines[0],
        Line::debit("606", 8_990).with_project(Some("repair-cafe"))
    );
    assert_eq!(d.piece_ref, "0001234");
}

#[test]
fn qif_account_block_is_skipped() {
    let qif = "!Account\nNCompte courant\nTBank\n^\n!Type:Bank\nD2027-03-01\nT-1,5\nPFrais\n^\n";
    let lines = qif::parse(qif.as_bytes()).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0].date, lines[0].amount), (date(2027, 3, 1), -150));
}
