//! Donations and their tax receipts (cerfa 11580*05): a unique sequential number per
//! organisation and year of issue, never editable once issued (there is no update or
//! delete use case, on purpose).

use fabrique_core::ids::new_id;
use fabrique_treasury::ledger::{SimpleForm, income};
use fabrique_treasury::receipt::{
    Beneficiary, BeneficiaryCategory, DonationForm, DonationNature, Donor, PaymentMeans,
    ReceiptData, ReceiptNumber, Signatory, TaxArticle,
};
use sqlx::Row;

use super::ledger::{form_error, record};
use super::{audit, can_read, can_write, chart, parse_date, today};
use crate::{Actor, App, AppError, AppResult};

/// A donation to record; the receipt is issued at once.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewDonation {
    /// Donor's name.
    pub donor_name: String,
    /// Donor's postal address.
    pub donor_address: String,
    /// Amount in cents.
    pub amount: i64,
    /// Date of the donation `YYYY-MM-DD`.
    pub date: String,
    /// `manual_gift` (default), `authentic_deed`, `private_deed` or `other`.
    #[serde(default)]
    pub form: Option<String>,
    /// `cash` (default: money), `securities` or `other`.
    #[serde(default)]
    pub nature: Option<String>,
    /// `cash`, `check` or `transfer_or_card` (default).
    #[serde(default)]
    pub payment: Option<String>,
    /// Bank or cash account the money went to (default 512).
    #[serde(default)]
    pub treasury: Option<String>,
}

/// An issued receipt.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Donation {
    /// Id.
    pub id: String,
    /// Receipt number `YYYY-NNNN`.
    pub number: String,
    /// Donor.
    pub donor_name: String,
    /// Amount in cents.
    pub amount: i64,
    /// Date of the donation.
    pub date: String,
    /// The entry recording the money.
    pub entry_id: Option<String>,
    /// Everything printed on the receipt.
    #[schema(value_type = Object)]
    pub receipt: ReceiptData,
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    field: &str,
    value: Option<&str>,
    default: &str,
) -> AppResult<T> {
    let v = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(default);
    serde_json::from_value(serde_json::Value::String(v.to_owned())).map_err(|_| {
        AppError::invalid(
            field,
            "choice_invalid",
            format!("“{v}” is not a valid {field}"),
        )
    })
}

/// Records a donation and issues its receipt (administrators).
pub async fn create(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewDonation,
) -> AppResult<Donation> {
    let org = can_write(app, actor, slug).await?;
    let settings = super::plan::settings_of(app, &org.id).await?;
    let chart = chart(app, &org.id).await?;
    let date = parse_date("date", &input.date)?;
    let form: DonationForm = parse_enum("form", input.form.as_deref(), "manual_gift")?;
    let nature: DonationNature = parse_enum("nature", input.nature.as_deref(), "cash")?;
    let payment: PaymentMeans =
        parse_enum("payment", input.payment.as_deref(), "transfer_or_card")?;
    let treasury = input
        .treasury
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("512")
        .to_uppercase();
    let issued_on = today(app);
    let mut tx = app.db.write.begin().await?;
    let last = sqlx::query(
        "SELECT MAX(receipt_seq) AS last FROM treasury_donations WHERE org_id = $1 AND receipt_year = $2",
    )
    .bind(&org.id)
    .bind(i64::from(issued_on.year()))
    .fetch_one(&mut *tx)
    .await?
    .try_get::<Option<i64>, _>("last")?;
    let number = ReceiptNumber::next(
        issued_on.year(),
        last.and_then(|s| u32::try_from(s).ok())
            .map(|seq| ReceiptNumber {
                year: issued_on.year(),
                seq,
            }),
    );
    let receipt = ReceiptData {
        number,
        beneficiary: Beneficiary {
            name: org.name.clone(),
            address: settings.address.clone(),
            purpose: settings.purpose.clone(),
            siren: settings.siren.clone(),
            rna: settings.rna.clone(),
            category: BeneficiaryCategory::GeneralInterest,
        },
        donor: Donor {
            name: input.donor_name.trim().to_owned(),
            address: input.donor_address.trim().to_owned(),
        },
        amount: input.amount,
        donation_date: date,
        form,
        nature,
        payment: Some(payment),
        articles: vec![TaxArticle::Art200],
        issued_on,
        place: settings.place.clone(),
        signatory: Signatory {
            name: settings.signatory_name.clone(),
            role: settings.signatory_role.clone(),
        },
    };
    if let Err(errors) = receipt.validate() {
        let e = &errors[0];
        let field = match e.field {
            "donor.name" => "donor_name",
            "donor.address" => "donor_address",
            "donation_date" => "date",
            f if f.starts_with("beneficiary.") || f.starts_with("signatory.") || f == "place" => {
                // The organisation's settings are incomplete: name the setting.
                f.rsplit('.').next().unwrap_or(f)
            }
            f => f,
        };
        return Err(AppError::invalid(
            field,
            "receipt_invalid",
            format!("{}: {}", e.field, e.message),
        ));
    }
    let entry_id = if nature == DonationNature::Cash {
        let draft = income(&SimpleForm {
            date,
            label: format!("Don de {} (reçu {})", receipt.donor.name, number),
            piece_ref: format!("RF-{number}"),
            amount: input.amount,
            category: "7541".into(),
            treasury: treasury.clone(),
            project: None,
        })
        .map_err(|e| match form_error(&e) {
            AppError::Invalid(f) => {
                let field = if f.field == "amount" {
                    "amount"
                } else {
                    "treasury"
                };
                AppError::Invalid(f.at(field))
            }
            other => other,
        })?;
        Some(
            record(
                &mut tx,
                app,
                &org.id,
                &chart,
                &draft,
                None,
                Some(&actor.user_id),
            )
            .await
            .map_err(|e| match e {
                AppError::Invalid(f) if f.field.starts_with("lines[") => {
                    AppError::Invalid(f.at("treasury"))
                }
                other => other,
            })?
            .0,
        )
    } else {
        None
    };
    let id = new_id();
    sqlx::query(
        "INSERT INTO treasury_donations (id, org_id, receipt_year, receipt_seq, donor_name, amount, donation_date, entry_id, receipt, issued_at, issued_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&org.id)
    .bind(i64::from(number.year))
    .bind(i64::from(number.seq))
    .bind(&receipt.donor.name)
    .bind(receipt.amount)
    .bind(date.to_string())
    .bind(&entry_id)
    .bind(serde_json::to_string(&receipt).map_err(anyhow::Error::new)?)
    .bind(app.now())
    .bind(&actor.user_id)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if crate::error::is_unique_violation(&e) {
            AppError::conflict(
                "number",
                "receipt_number_busy",
                "another receipt took this number at the same moment; try again",
            )
        } else {
            e.into()
        }
    })?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.receipt_issued",
        ("treasury_donation", &id),
        serde_json::json!({"number": number.to_string(), "amount": receipt.amount}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    Ok(Donation {
        id,
        number: number.to_string(),
        donor_name: receipt.donor.name.clone(),
        amount: receipt.amount,
        date: date.to_string(),
        entry_id,
        receipt,
    })
}

fn donation_of(r: &sqlx::any::AnyRow) -> AppResult<Donation> {
    let receipt: ReceiptData =
        serde_json::from_str(&r.try_get::<String, _>("receipt")?).map_err(anyhow::Error::new)?;
    Ok(Donation {
        id: r.try_get("id")?,
        number: receipt.number.to_string(),
        donor_name: r.try_get("donor_name")?,
        amount: r.try_get("amount")?,
        date: r.try_get("donation_date")?,
        entry_id: r.try_get("entry_id")?,
        receipt,
    })
}

const COLUMNS: &str = "id, donor_name, amount, donation_date, entry_id, receipt";

/// The receipts issued, newest first (members).
pub async fn list(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<Donation>> {
    let org = can_read(app, actor, slug).await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM treasury_donations WHERE org_id = $1 ORDER BY receipt_year DESC, receipt_seq DESC"
    ))
    .bind(&org.id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter().map(donation_of).collect()
}

/// One receipt (members).
pub async fn get(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<Donation> {
    let org = can_read(app, actor, slug).await?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM treasury_donations WHERE org_id = $1 AND id = $2"
    ))
    .bind(&org.id)
    .bind(id)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "receipt" })?;
    donation_of(&row)
}
