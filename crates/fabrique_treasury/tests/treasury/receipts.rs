//! Tax receipts (cerfa 11580*05).

use fabrique_treasury::receipt::{
    Beneficiary, BeneficiaryCategory, DonationForm, DonationNature, Donor, PaymentMeans,
    ReceiptData, ReceiptNumber, Signatory, TaxArticle, valid_siren,
};
use jiff::civil::date;

fn receipt() -> ReceiptData {
    ReceiptData {
        number: ReceiptNumber::next(
            2027,
            Some(ReceiptNumber {
                year: 2027,
                seq: 41,
            }),
        ),
        beneficiary: Beneficiary {
            name: "Linux Libre <Saint-Denis>".into(),
            address: "12 rue de la République\n93200 Saint-Denis".into(),
            purpose: "Promotion des logiciels libres".into(),
            siren: Some("732 829 320".into()),
            rna: Some("W931234567".into()),
            category: BeneficiaryCategory::GeneralInterest,
        },
        donor: Donor {
            name: "Camille O'Neil".into(),
            address: "3 allée des Tilleuls\n93200 Saint-Denis".into(),
        },
        amount: 123_456,
        donation_date: date(2026, 12, 20),
        form: DonationForm::ManualGift,
        nature: DonationNature::Cash,
        payment: Some(PaymentMeans::Check),
        articles: vec![TaxArticle::Art200],
        issued_on: date(2027, 1, 15),
        place: "Saint-Denis".into(),
        signatory: Signatory {
            name: "Nadia Benali".into(),
            role: "Trésorière".into(),
        },
    }
}

#[test]
fn valid_receipt_renders_escaped_html() {
    let r = receipt();
    assert_eq!(r.number.to_string(), "2027-0042");
    assert_eq!(ReceiptNumber::parse("2027-0042"), Some(r.number));
    assert_eq!(
        ReceiptNumber::next(2028, Some(r.number)).to_string(),
        "2028-0001"
    );
    assert!(valid_siren("732829320"));
    r.validate().unwrap();
    let html = r.render_html();
    assert!(html.contains("Linux Libre &lt;Saint-Denis&gt;"));
    assert!(html.contains("Camille O&#39;Neil"));
    assert!(html.contains("12 rue de la République<br>93200 Saint-Denis"));
    assert!(html.contains("mille deux cent trente-quatre euros et cinquante-six centimes"));
    assert!(html.contains("1\u{a0}234,56\u{a0}€"));
    assert!(html.contains("Numéro d'ordre du reçu : 2027-0042"));
    assert!(html.contains("Date du versement ou du don : 20/12/2026"));
    assert!(html.contains("Déclaration de don manuel"));
    assert!(html.contains("Numéraire"));
    assert!(html.contains("Chèque"));
    assert!(html.contains("SIREN : 732 829 320"));
    assert!(html.contains("RNA : W931234567"));
    assert!(html.contains("Le bénéficiaire certifie sur l&#39;honneur que les dons et versements qu&#39;il reçoit ouvrent droit à la réduction d&#39;impôt prévue à l&#39;article 200 du CGI."));
    assert!(html.contains("Nadia Benali, Trésorière"));
    assert!(!html.contains("<Saint-Denis>"));
}

#[test]
fn validation_lists_every_field() {
    let mut r = receipt();
    r.donor.address = " ".into();
    r.beneficiary.siren = Some("732829321".into());
    r.beneficiary.rna = None;
    r.amount = 0;
    r.payment = None;
    r.donation_date = date(2027, 2, 1);
    r.number = ReceiptNumber { year: 2026, seq: 3 };
    let errs = r.validate().unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        vec![
            "donor.address",
            "beneficiary.siren",
            "amount",
            "donation_date",
            "number",
            "payment"
        ]
    );
    let mut r = receipt();
    r.beneficiary.siren = None;
    r.beneficiary.rna = None;
    assert_eq!(r.validate().unwrap_err()[0].field, "beneficiary.siren");
}
