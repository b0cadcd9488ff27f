//! Tax receipts for donations (reçu au titre des dons, cerfa 11580*05).
//!
//! [`ReceiptData`] holds everything the form requires; [`ReceiptData::validate`] lists every
//! missing or malformed field; [`ReceiptData::render_html`] gives a printable HTML fragment
//! (all text escaped) that the web crate wraps in a page. Numbers are unique and sequential
//! per year of issue: `2026-0001`, `2026-0002`… ([`ReceiptNumber`]). Once issued a receipt
//! is never edited: the storage layer keeps the rendered data as issued.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::{Cents, amount_in_words, format_display};

/// A receipt number: year of issue and a sequence from 1, written `2026-0001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReceiptNumber {
    /// Year of issue.
    pub year: i16,
    /// Sequence within the year, from 1.
    pub seq: u32,
}

impl ReceiptNumber {
    /// The number after `last` (the last one issued this year, if any).
    pub fn next(year: i16, last: Option<ReceiptNumber>) -> ReceiptNumber {
        let seq = match last {
            Some(l) if l.year == year => l.seq + 1,
            _ => 1,
        };
        ReceiptNumber { year, seq }
    }

    /// Parses `2026-0001`.
    pub fn parse(text: &str) -> Option<ReceiptNumber> {
        let (y, s) = text.trim().split_once('-')?;
        if y.len() != 4 || s.len() < 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let seq: u32 = s.parse().ok()?;
        (seq > 0).then_some(ReceiptNumber {
            year: y.parse().ok()?,
            seq,
        })
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:04}", self.year, self.seq)
    }
}

/// The beneficiary organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beneficiary {
    /// Name.
    pub name: String,
    /// Full postal address.
    pub address: String,
    /// Purpose (objet).
    pub purpose: String,
    /// SIREN (9 digits), if any.
    pub siren: Option<String>,
    /// RNA number (`W` + 9 digits), if any.
    pub rna: Option<String>,
    /// Kind of organisation, as ticked on the form.
    pub category: BeneficiaryCategory,
}

/// The box ticked for the kind of beneficiary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeneficiaryCategory {
    /// Association ou fondation reconnue d'utilité publique.
    PublicUtility,
    /// Œuvre ou organisme d'intérêt général.
    GeneralInterest,
    /// Association cultuelle ou de bienfaisance, établissement public des cultes d'Alsace-Moselle.
    Worship,
    /// Other: described in text.
    Other,
}

impl BeneficiaryCategory {
    fn label(self) -> &'static str {
        match self {
            BeneficiaryCategory::PublicUtility => {
                "Association ou fondation reconnue d'utilité publique"
            }
            BeneficiaryCategory::GeneralInterest => "Œuvre ou organisme d'intérêt général",
            BeneficiaryCategory::Worship => {
                "Association cultuelle ou de bienfaisance et établissement public des cultes reconnus d'Alsace-Moselle"
            }
            BeneficiaryCategory::Other => "Autre organisme",
        }
    }
}

/// The donor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Donor {
    /// Identity: last name and first names, or company name.
    pub name: String,
    /// Full postal address.
    pub address: String,
}

/// Form of the donation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DonationForm {
    /// Acte authentique.
    AuthenticDeed,
    /// Acte sous seing privé.
    PrivateDeed,
    /// Déclaration de don manuel.
    ManualGift,
    /// Autres.
    Other,
}

/// Nature of the donation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DonationNature {
    /// Numéraire.
    Cash,
    /// Titres de sociétés cotés.
    Securities,
    /// Autres (in kind…).
    Other,
}

/// Means of payment (for cash donations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMeans {
    /// Remise d'espèces.
    Cash,
    /// Chèque.
    Check,
    /// Virement, prélèvement, carte bancaire.
    TransferOrCard,
}

/// The article of the tax code the donation falls under (boxes of the certification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxArticle {
    /// Article 200 du CGI (individuals' income tax).
    Art200,
    /// Article 238 bis du CGI (companies).
    Art238Bis,
    /// Article 978 du CGI (IFI).
    Art978,
}

impl TaxArticle {
    fn label(self) -> &'static str {
        match self {
            TaxArticle::Art200 => "200 du CGI",
            TaxArticle::Art238Bis => "238 bis du CGI",
            TaxArticle::Art978 => "978 du CGI",
        }
    }
}

/// The person who signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// Name.
    pub name: String,
    /// Role (présidente, trésorier…).
    pub role: String,
}

/// Everything a cerfa 11580*05 receipt states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptData {
    /// Unique sequential number.
    pub number: ReceiptNumber,
    /// Beneficiary.
    pub beneficiary: Beneficiary,
    /// Donor.
    pub donor: Donor,
    /// Amount in cents (positive).
    pub amount: Cents,
    /// Date of the donation (date du versement ou du don).
    pub donation_date: Date,
    /// Form.
    pub form: DonationForm,
    /// Nature.
    pub nature: DonationNature,
    /// Means of payment (required for cash donations).
    pub payment: Option<PaymentMeans>,
    /// Tax articles certified.
    pub articles: Vec<TaxArticle>,
    /// Day of issue.
    pub issued_on: Date,
    /// Place of issue.
    pub place: String,
    /// Signatory.
    pub signatory: Signatory,
}

/// A missing or malformed field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct ReceiptError {
    /// Field path (`donor.address`, `beneficiary.siren`…).
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

/// Luhn check used by SIREN numbers.
fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// Whether a SIREN is 9 digits with a valid Luhn key (spaces ignored).
pub fn valid_siren(siren: &str) -> bool {
    let s: String = siren.chars().filter(|c| !c.is_whitespace()).collect();
    s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) && luhn(&s)
}

/// Whether an RNA number is `W` followed by 9 digits.
pub fn valid_rna(rna: &str) -> bool {
    let r = rna.trim();
    r.len() == 10 && r.starts_with('W') && r[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The certification sentence for these articles.
pub fn certification_sentence(articles: &[TaxArticle]) -> String {
    let list: Vec<&str> = articles.iter().map(|a| a.label()).collect();
    format!(
        "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit ouvrent droit à la réduction d'impôt prévue à l'article {}.",
        list.join(", à l'article ")
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn escape_lines(text: &str) -> String {
    text.lines()
        .map(|l| escape(l.trim()))
        .collect::<Vec<_>>()
        .join("<br>")
}

fn fr_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

impl ReceiptData {
    /// Every problem found (empty when the receipt may be issued).
    pub fn validate(&self) -> Result<(), Vec<ReceiptError>> {
        let mut errors = Vec::new();
        let mut need = |field: &'static str, value: &str| {
            if value.trim().is_empty() {
                errors.push(ReceiptError {
                    field,
                    message: "required".into(),
                });
            }
        };
        need("beneficiary.name", &self.beneficiary.name);
        need("beneficiary.address", &self.beneficiary.address);
        need("beneficiary.purpose", &self.beneficiary.purpose);
        need("donor.name", &self.donor.name);
        need("donor.address", &self.donor.address);
        need("place", &self.place);
        need("signatory.name", &self.signatory.name);
        need("signatory.role", &self.signatory.role);
        let mut err = |field: &'static str, message: &str| {
            errors.push(ReceiptError {
                field,
                message: message.into(),
            })
        };
        match (&self.beneficiary.siren, &self.beneficiary.rna) {
            (None, None) => err("beneficiary.siren", "a SIREN or an RNA number is required"),
            (siren, rna) => {
                if let Some(s) = siren
                    && !valid_siren(s)
                {
                    err(
                        "beneficiary.siren",
                        "not a valid SIREN (9 digits, Luhn key)",
                    );
                }
                if let Some(r) = rna
                    && !valid_rna(r)
                {
                    err("beneficiary.rna", "not a valid RNA number (W and 9 digits)");
                }
            }
        }
        if self.amount <= 0 {
            err("amount", "must be positive");
        }
        if self.donation_date > self.issued_on {
            err("donation_date", "after the date of issue");
        }
        if self.number.seq == 0 || self.number.year != self.issued_on.year() {
            err("number", "must be a sequence of the year of issue");
        }
        if self.nature == DonationNature::Cash && self.payment.is_none() {
            err("payment", "required for a cash donation");
        }
        if self.articles.is_empty() {
            err("articles", "at least one article of the tax code");
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The amount in words ("cinquante euros").
    pub fn amount_words(&self) -> String {
        amount_in_words(self.amount)
    }

    /// A printable HTML fragment (a `<section class="cerfa-11580">`), every value escaped.
    pub fn render_html(&self) -> String {
        let b = &self.beneficiary;
        let mut ids = Vec::new();
        if let Some(s) = &b.siren {
            ids.push(format!("SIREN : {}", escape(s)));
        }
        if let Some(r) = &b.rna {
            ids.push(format!("RNA : {}", escape(r)));
        }
        let form = match self.form {
            DonationForm::AuthenticDeed => "Acte authentique",
            DonationForm::PrivateDeed => "Acte sous seing privé",
            DonationForm::ManualGift => "Déclaration de don manuel",
            DonationForm::Other => "Autres",
        };
        let nature = match self.nature {
            DonationNature::Cash => "Numéraire",
            DonationNature::Securities => "Titres de sociétés cotés",
            DonationNature::Other => "Autres",
        };
        let payment = match self.payment {
            Some(PaymentMeans::Cash) => "Remise d'espèces",
            Some(PaymentMeans::Check) => "Chèque",
            Some(PaymentMeans::TransferOrCard) => "Virement, prélèvement, carte bancaire",
            None => "—",
        };
        format!(
            concat!(
                "<section class=\"cerfa-11580\">\n",
                "<h1>Reçu au titre des dons à certains organismes d'intérêt général</h1>\n",
                "<p class=\"cerfa-ref\">Articles 200, 238 bis et 978 du code général des impôts (CGI) — cerfa n° 11580*05</p>\n",
                "<p class=\"receipt-number\">Numéro d'ordre du reçu : {number}</p>\n",
                "<h2>Bénéficiaire des versements</h2>\n",
                "<p><strong>{bname}</strong><br>{baddr}<br>{ids}</p>\n",
                "<p>Objet : {purpose}</p>\n<p>{category}</p>\n",
                "<h2>Donateur</h2>\n<p><strong>{dname}</strong><br>{daddr}</p>\n",
                "<h2>Don</h2>\n",
                "<p>Le bénéficiaire reconnaît avoir reçu au titre des dons et versements ouvrant droit à réduction d'impôt la somme de :</p>\n",
                "<p class=\"amount\"><strong>{amount}</strong></p>\n",
                "<p class=\"amount-words\">Somme en toutes lettres : {words}</p>\n",
                "<p>Date du versement ou du don : {date}</p>\n",
                "<dl>\n<dt>Forme du don</dt><dd>{form}</dd>\n<dt>Nature du don</dt><dd>{nature}</dd>\n",
                "<dt>Mode de versement</dt><dd>{payment}</dd>\n</dl>\n",
                "<p class=\"certification\">{cert}</p>\n",
                "<p class=\"signature\">Fait à {place}, le {issued}<br>{sname}, {srole}</p>\n",
                "</section>\n"
            ),
            number = self.number,
            bname = escape(&b.name),
            baddr = escape_lines(&b.address),
            ids = ids.join("<br>"),
            purpose = escape(&b.purpose),
            category = escape(b.category.label()),
            dname = escape(&self.donor.name),
            daddr = escape_lines(&self.donor.address),
            amount = escape(&format_display(self.amount)),
            words = escape(&self.amount_words()),
            date = fr_date(self.donation_date),
            form = form,
            nature = nature,
            payment = payment,
            cert = escape(&certification_sentence(&self.articles)),
            place = escape(&self.place),
            issued = fr_date(self.issued_on),
            sname = escape(&self.signatory.name),
            srole = escape(&self.signatory.role),
        )
    }
}
