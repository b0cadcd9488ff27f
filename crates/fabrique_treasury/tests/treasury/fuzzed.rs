//! Inputs found by the fuzz targets (`fuzz/`, see TESTING.md) that once panicked: each must
//! now give a clear error (or parse). The raw crashing files are kept under
//! `tests/treasury/data/fuzz/<target>/`.

use fabrique_treasury::fec::import;

use crate::common::chart;

const FEC_HEADER: &str = "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise";

/// Every kept file of a target's directory, with its name.
fn kept(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/treasury/data/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no kept input in {}", dir.display());
    files
}

#[test]
fn kept_fec_inputs_give_errors_not_panics() {
    for (name, bytes) in kept("fec") {
        let e = import(&bytes, &chart()).expect_err(&name);
        assert!(e.line > 1, "{name}: {e}");
    }
}

#[test]
fn fec_account_starting_with_multibyte_characters_and_an_auxiliary_account() {
    // The root of the auxiliary account was cut at byte 3, inside "é".
    let text = format!(
        "{FEC_HEADER}\nHA|Achats|1|20260105|éé01|Fournisseurs|LEROY|Leroy|F1|20260105|Vis|0,00|25,50||||| \n"
    );
    let e = import(text.as_bytes(), &chart()).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("CompteNum: invalid account"), "{e}");
}

#[test]
fn fec_amounts_whose_netting_overflows() {
    // A negative debit is moved to the credit side: credit − debit must not overflow.
    let text = format!(
        "{FEC_HEADER}\nBQ|Banque|1|20260105|512000|Banque|||V1|20260105|X|-0,01|92233720368547758,07||||| \n"
    );
    let e = import(text.as_bytes(), &chart()).unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(e.message, "Debit/Credit: amount too large");
}

/// The most negative amount there is (−2⁶³ cents), whose opposite overflows.
const MIN_AMOUNT: &str = "-92233720368547758,08";

#[test]
fn statement_amount_without_an_opposite_is_refused() {
    use fabrique_treasury::bank::{AmountColumns, CsvMapping, camt, csv, ofx, qif};

    let qif_text = format!("!Type:Bank\nD03/11/2026\nT{MIN_AMOUNT}\nPVIR\n^\n");
    let e = qif::parse(qif_text.as_bytes()).unwrap_err();
    assert_eq!(
        (e.line, e.message.starts_with("amount: ")),
        (3, true),
        "{e}"
    );

    let ofx_text = format!(
        "<OFX><STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261103<TRNAMT>{}<FITID>1<NAME>X</STMTTRN></OFX>",
        MIN_AMOUNT.replace(',', ".")
    );
    let e = ofx::parse(ofx_text.as_bytes()).unwrap_err();
    assert!(e.message.starts_with("TRNAMT: "), "{e}");

    let camt_text = format!(
        "<Document><BkToCstmrStmt><Stmt><Ntry>\n<Amt Ccy=\"EUR\">{}</Amt>\n<CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-03</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>",
        MIN_AMOUNT.replace(',', ".")
    );
    let e = camt::parse(camt_text.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.message.starts_with("Amt: ")), (2, true), "{e}");

    let debit_credit = CsvMapping {
        amount: AmountColumns::DebitCredit {
            debit: 2,
            credit: 3,
        },
        ..CsvMapping::default()
    };
    for (mapping, row) in [
        (CsvMapping::default(), format!("03/11/2026;X;{MIN_AMOUNT}")),
        (debit_credit.clone(), format!("03/11/2026;X;{MIN_AMOUNT};")),
        (debit_credit, format!("03/11/2026;X;;{MIN_AMOUNT}")),
    ] {
        let text = format!("Date;Libellé;Montant\n{row}\n");
        let e = csv::parse(text.as_bytes(), &mapping).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("amount"), "{e}");
    }
}

#[test]
fn largest_statement_amounts_make_drafts() {
    use fabrique_treasury::bank::{qif, to_draft};

    let text = "!Type:Bank\nD03/11/2026\nT-92233720368547758,07\nPVIR\n^\n";
    let lines = qif::parse(text.as_bytes()).unwrap();
    assert_eq!(lines[0].amount, -i64::MAX);
    let draft = to_draft(&lines[0], "512000", "606300", None).unwrap();
    assert_eq!(draft.lines[0].debit, i64::MAX);
}
