//! Treasury over HTTP: entries, numbering, closing and the hash chain, imports, reports,
//! exports, the cash plan, receipts and who may do what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Api, TestApp, error_of};

const OFX_V1: &str = include_str!("../../../fabrique_treasury/tests/treasury/data/releve_v1.ofx");
const OFX_V2: &str = include_str!("../../../fabrique_treasury/tests/treasury/data/releve_v2.ofx");
const QIF: &str = include_str!("../../../fabrique_treasury/tests/treasury/data/releve.qif");
const CAMT: &str =
    include_str!("../../../fabrique_treasury/tests/treasury/data/releve.camt053.xml");
const CSV: &str = include_str!("../../../fabrique_treasury/tests/treasury/data/releve.csv");

/// An organisation with its administrator.
async fn books(t: &TestApp, slug: &str) -> Api {
    let admin = t.user(&format!("tresorier@{slug}.test"), "Camille").await;
    admin.org(slug, "association").await;
    admin
}

fn entry(date: &str, label: &str, lines: &[(&str, i64, i64)], validate: bool) -> Value {
    json!({
        "journal": "OD",
        "date": date,
        "label": label,
        "validate": validate,
        "lines": lines.iter().map(|(a, d, c)| json!({"account": a, "debit": d, "credit": c})).collect::<Vec<_>>(),
    })
}

async fn post_file(api: &Api, path: &str, body: &str) -> (StatusCode, Value) {
    let mut req = api
        .client
        .post(format!("{}{path}", api.base))
        .header("content-type", "application/octet-stream")
        .body(body.to_owned());
    if let Some(t) = &api.token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("request");
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get_text(api: &Api, path: &str) -> (StatusCode, String, String) {
    let mut req = api.client.get(format!("{}{path}", api.base));
    if let Some(t) = &api.token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("request");
    let status = r.status();
    let disposition = r
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, disposition, r.text().await.unwrap_or_default())
}

fn balance_of(tb: &Value, account: &str) -> i64 {
    tb["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == account)
        .map(|a| a["balance"].as_i64().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn entries_are_numbered_at_validation_and_reported() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul/ledger";
    // A draft has no number; validation numbers it continuously per journal and year.
    let (status, draft) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2026-03-01",
                "Cotisations de mars",
                &[("512", 6_000, 0), ("756", 0, 6_000)],
                false,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert!(draft["number"].is_null());
    let (status, second) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2026-02-01",
                "Achat de câbles",
                &[("606", 1_250, 0), ("512", 0, 1_250)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["number"], "OD-2026-00001");
    let id = draft["id"].as_str().unwrap();
    let (status, validated) = camille
        .post(&format!("{base}/entries/{id}/validate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{validated}");
    assert_eq!(validated["number"], "OD-2026-00002");
    // Validated entries never change: validating again is refused.
    let (status, body) = camille
        .post(&format!("{base}/entries/{id}/validate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Refusals name the field, and nothing is stored.
    let (status, body) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2026-03-02",
                "Bancal",
                &[("512", 100, 0), ("756", 0, 90)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(&body),
        ("entry_unbalanced".into(), Some("lines".into()))
    );
    let (status, body) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2026-03-02",
                "Inconnu",
                &[("512", 100, 0), ("999", 0, 100)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(&body),
        ("account_unknown".into(), Some("lines[1].account".into()))
    );
    let (status, body) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2026-13-02",
                "Date",
                &[("512", 100, 0), ("756", 0, 100)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("date"));
    let (_, list) = camille.get(&format!("{base}/entries?year=2026")).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");

    // The simple forms build the right double entry.
    let (status, income) = camille
        .post(
            &format!("{base}/simple"),
            json!({"kind": "income", "date": "2026-04-10", "label": "Boîte à dons", "amount": 4_200, "category": "7541", "treasury": "530"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{income}");
    assert_eq!(income["journal"], "CA");
    let (status, body) = camille
        .post(
            &format!("{base}/simple"),
            json!({"kind": "expense", "date": "2026-04-10", "label": "Erreur", "amount": 100, "category": "512", "treasury": "530"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("category"));
    let (status, transfer) = camille
        .post(
            &format!("{base}/simple"),
            json!({"kind": "transfer", "date": "2026-04-11", "label": "Dépôt", "amount": 4_200, "treasury": "530", "category": "512"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{transfer}");

    // A reversal cancels an entry with a new validated one.
    let second_id = second["id"].as_str().unwrap();
    let (status, rev) = camille
        .post(
            &format!("{base}/entries/{second_id}/reverse"),
            json!({"date": "2026-04-12"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rev}");
    assert_eq!(rev["kind"], "reversal");
    assert_eq!(rev["lines"][0]["credit"], 1_250);
    let (status, _) = camille
        .post(&format!("{base}/entries/{second_id}/reverse"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Trial balance: balance = debit − credit, totals at zero.
    let (status, tb) = camille
        .get(&format!("{base}/trial-balance?year=2026"))
        .await;
    assert_eq!(status, StatusCode::OK, "{tb}");
    assert_eq!(balance_of(&tb, "512"), 6_000 + 4_200);
    assert_eq!(balance_of(&tb, "756"), -6_000);
    assert_eq!(balance_of(&tb, "606"), 0);
    let row = tb["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "606")
        .unwrap();
    assert_eq!(
        (row["debit"].as_i64(), row["credit"].as_i64()),
        (Some(1_250), Some(1_250))
    );
    assert_eq!(tb["total_debit"], tb["total_credit"]);
    let (status, body) = camille
        .get(&format!("{base}/trial-balance?year=deux"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("year"));

    let (status, is) = camille
        .get(&format!("{base}/reports/income-statement?year=2026"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(is["total_income"], 6_000 + 4_200);
    assert_eq!(is["result"], 6_000 + 4_200);
    let (status, bs) = camille
        .get(&format!("{base}/reports/balance-sheet?year=2026"))
        .await;
    assert_eq!(status, StatusCode::OK, "{bs}");
    assert_eq!(bs["total_assets"], bs["total_liabilities"]);
    for report in ["general-ledger", "journal", "per-project"] {
        let (status, body) = camille
            .get(&format!("{base}/reports/{report}?year=2026"))
            .await;
        assert_eq!(status, StatusCode::OK, "{report}: {body}");
        assert!(body.is_array(), "{report}: {body}");
    }
    // Budget against actual.
    let (status, body) = camille
        .put(
            &format!("{base}/budget/2026"),
            json!([{"account": "606", "amount": 1_000}, {"account": "75", "amount": 10_000}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["actual"], 0, "bought and reversed: {body}");
    assert_eq!(body[1]["actual"], 6_000 + 4_200);
    let (status, body) = camille
        .put(
            &format!("{base}/budget/2026"),
            json!([{"account": "512", "amount": 1}]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("[0].account"));
    let (_, body) = camille
        .get(&format!("{base}/reports/budget?year=2026"))
        .await;
    assert_eq!(body.as_array().map(Vec::len), Some(2), "{body}");
    let (status, _) = camille
        .get(&format!("{base}/reports/cash-flow?year=2026"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Exports.
    let (status, _, hledger) =
        get_text(&camille, &format!("{base}/export?year=2026&format=hledger")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(hledger.contains("Boîte à dons"), "{hledger}");
    let (status, _, csv) = get_text(&camille, &format!("{base}/export?year=2026&format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.lines().count() > 5);
    let (status, body) = camille
        .get(&format!("{base}/export?year=2026&format=xls"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("format"));

    // Every change is in the audit log.
    let (_, audit) = camille.get("/api/v1/orgs/gul/audit").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "treasury.entry_created",
        "treasury.entry_validated",
        "treasury.entry_reversed",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn fec_export_conforms_and_imports_back() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul/ledger";
    let (status, _) = camille
        .put(
            "/api/v1/orgs/gul/treasury/settings",
            json!({"siren": "732 829 320", "alert_threshold": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (date, label, lines) in [
        (
            "2025-01-01",
            "Apport",
            vec![("512", 50_000, 0), ("102", 0, 50_000)],
        ),
        (
            "2025-02-03",
            "Cotisations",
            vec![("512", 12_345, 0), ("756", 0, 12_345)],
        ),
        (
            "2025-05-06",
            "Imprimante",
            vec![("606", 9_990, 0), ("512", 0, 9_990)],
        ),
    ] {
        let (status, body) = camille
            .post(&format!("{base}/entries"), entry(date, label, &lines, true))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, closed) = camille
        .post(&format!("{base}/years/2025/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    let (status, body) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2026-01-10",
                "Cotisation",
                &[("512", 2_000, 0), ("756", 0, 2_000)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, disposition, fec) =
        get_text(&camille, &format!("{base}/export?year=2026&format=fec")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        disposition.contains("732829320FEC20261231.txt"),
        "{disposition}"
    );
    let mut lines = fec.lines();
    assert_eq!(
        lines.next().unwrap(),
        "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 18));
    // Opening entries present, dates AAAAMMJJ, decimal comma.
    let an: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "AN").collect();
    assert!(!an.is_empty(), "opening entries in the FEC");
    assert_eq!(an[0][3], "20260101");
    assert!(rows.iter().any(|r| r[11] == "20,00"), "{fec}");
    // The 2025 FEC leaves the closing of classes 6/7 out.
    let (_, _, fec25) = get_text(&camille, &format!("{base}/export?year=2025&format=fec")).await;
    assert!(fec25.contains("123,45"));
    assert!(
        !fec25
            .lines()
            .any(|l| l.contains("\t129\t") || l.contains("\t120\t"))
    );

    // ISO-8859-15 is offered besides UTF-8.
    let r = camille
        .client
        .get(format!(
            "{}{base}/export?year=2025&format=fec-latin9",
            camille.base
        ))
        .bearer_auth(camille.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let latin9 = r.bytes().await.unwrap();
    assert!(fec25.contains('é'));
    assert!(latin9.contains(&0xE9), "é written as ISO-8859-15");
    assert!(std::str::from_utf8(&latin9).is_err());

    // Importing the FEC into another organisation reproduces the books; again creates nothing.
    let other = t.user("compta@ailleurs.test", "Karim").await;
    other.org("ailleurs", "association").await;
    let (status, outcome) = post_file(&other, "/api/v1/orgs/ailleurs/ledger/imports", &fec25).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["format"], "fec");
    assert_eq!(outcome["created"], 3);
    let (_, again) = post_file(&other, "/api/v1/orgs/ailleurs/ledger/imports", &fec25).await;
    assert_eq!(
        (again["created"].as_i64(), again["duplicate"].as_i64()),
        (Some(0), Some(3))
    );
    let (_, tb_other) = other
        .get("/api/v1/orgs/ailleurs/ledger/trial-balance?year=2025")
        .await;
    assert_eq!(balance_of(&tb_other, "512"), 50_000 + 12_345 - 9_990);
    // A broken FEC names its line and imports nothing.
    let broken = fec25.replacen("123,45", "12x,45", 1);
    let (status, body) = post_file(&other, "/api/v1/orgs/ailleurs/ledger/imports", &broken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).1.as_deref(), Some("file"));
    assert!(body["error"]["message"].as_str().unwrap().contains("line"));
}

#[tokio::test]
async fn a_closed_year_is_locked_and_its_chain_detects_tampering() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul/ledger";
    for (date, lines) in [
        ("2025-01-15", vec![("512", 30_000, 0), ("756", 0, 30_000)]),
        ("2025-06-01", vec![("606", 8_000, 0), ("512", 0, 8_000)]),
    ] {
        let (status, _) = camille
            .post(
                &format!("{base}/entries"),
                entry(date, "Opération", &lines, true),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // A draft blocks the closing.
    let (_, draft) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2025-07-01",
                "Brouillon",
                &[("512", 100, 0), ("756", 0, 100)],
                false,
            ),
        )
        .await;
    let (status, body) = camille
        .post(&format!("{base}/years/2025/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).0, "year_has_drafts");
    let (status, _) = camille
        .post(
            &format!("{base}/entries/{}/validate", draft["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, closed) = camille
        .post(&format!("{base}/years/2025/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["result"], 30_000 + 100 - 8_000);
    assert!(closed["opening_entry"].is_string());
    let (status, _) = camille
        .post(&format!("{base}/years/2025/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The next year opens with the balances (AN).
    let (_, tb26) = camille
        .get(&format!("{base}/trial-balance?year=2026"))
        .await;
    assert_eq!(balance_of(&tb26, "512"), 30_000 + 100 - 8_000);
    // The locked year refuses new entries, reversals and imports.
    let (status, body) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2025-12-01",
                "Trop tard",
                &[("512", 100, 0), ("756", 0, 100)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).0, "year_closed");
    let (status, body) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2025-12-01",
                "Brouillon tardif",
                &[("512", 100, 0), ("756", 0, 100)],
                false,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, entries) = camille.get(&format!("{base}/entries?year=2025")).await;
    let first = entries[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = camille
        .post(
            &format!("{base}/entries/{first}/reverse"),
            json!({"date": "2025-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, v) = camille.get(&format!("{base}/years/2025/verify")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["intact"], true, "{v}");
    // Someone with database access changes an amount: the chain no longer matches.
    sqlx::query("UPDATE treasury_lines SET debit = debit + 100 WHERE entry_id = $1 AND debit > 0")
        .bind(&first)
        .execute(&t.app.db.write)
        .await
        .unwrap();
    let (_, v) = camille.get(&format!("{base}/years/2025/verify")).await;
    assert_eq!(v["intact"], false, "{v}");
    assert_eq!(v["broken_at"], entries[0]["number"]);
    // Removing the last entry of the year is detected too.
    sqlx::query("UPDATE treasury_lines SET debit = debit - 100 WHERE entry_id = $1 AND debit > 0")
        .bind(&first)
        .execute(&t.app.db.write)
        .await
        .unwrap();
    let (_, v) = camille.get(&format!("{base}/years/2025/verify")).await;
    assert_eq!(v["intact"], true, "restored: {v}");
    let last = sqlx::query_scalar::<_, String>(
        "SELECT id FROM treasury_entries WHERE year = 2025 AND kind = 'closing'",
    )
    .fetch_one(&t.app.db.read)
    .await
    .unwrap();
    for table in [
        "treasury_lines WHERE entry_id = $1",
        "treasury_entries WHERE id = $1",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .bind(&last)
            .execute(&t.app.db.write)
            .await
            .unwrap();
    }
    let (_, v) = camille.get(&format!("{base}/years/2025/verify")).await;
    assert_eq!(v["intact"], false, "truncated: {v}");
}

#[tokio::test]
async fn reimporting_a_statement_creates_nothing() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul/ledger";
    let (status, body) = camille
        .post(
            &format!("{base}/bank-accounts"),
            json!({"account": "5125", "name": "Banque CSV", "csv_mapping": {
                "separator": ";", "skip_rows": 2, "date_column": 0, "date_format": "%d/%m/%Y",
                "amount": {"kind": "debit_credit", "debit": 2, "credit": 3}, "label_columns": [1],
                "reference_column": 4, "id_column": null, "decimal_comma": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (file, account, format) in [
        (OFX_V1, "5121", "ofx"),
        (OFX_V2, "5122", "ofx"),
        (QIF, "5123", "qif"),
        (CAMT, "5124", "camt053"),
        (CSV, "5125", "csv"),
    ] {
        let path = format!("{base}/imports?bank_account={account}");
        let (status, first) = post_file(&camille, &path, file).await;
        assert_eq!(status, StatusCode::OK, "{format}: {first}");
        assert_eq!(first["format"], format);
        let created = first["created"].as_i64().unwrap();
        assert!(created > 0, "{first}");
        let (status, again) = post_file(&camille, &path, file).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["created"], 0, "{format}: {again}");
        assert_eq!(again["duplicate"].as_i64(), Some(created));
        assert_eq!(again["rejected"], 0);
    }
    let (_, lines) = camille.get(&format!("{base}/reconciliation")).await;
    let on_csv = lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["account"] == "5125")
        .count();
    assert_eq!(on_csv, 6, "the CSV's two identical fee lines are both kept");
}

#[tokio::test]
async fn a_statement_that_fails_to_parse_imports_nothing_and_names_the_line() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul/ledger";
    let broken = QIF.replacen("T-450,00", "Tquatre cents", 1);
    let (status, body) = post_file(&camille, &format!("{base}/imports"), &broken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).1.as_deref(), Some("file"));
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 8"), "{message}");
    let (_, lines) = camille.get(&format!("{base}/reconciliation")).await;
    assert_eq!(lines, json!([]));
    // A CSV without a saved mapping says so.
    let (status, body) = post_file(&camille, &format!("{base}/imports"), CSV).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = post_file(&camille, &format!("{base}/imports"), "  \n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn statement_lines_are_reconciled_or_turned_into_entries() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul/ledger";
    let (status, _) = camille
        .post(
            &format!("{base}/entries"),
            entry(
                "2026-11-05",
                "Loyer du local",
                &[("613", 45_000, 0), ("512", 0, 45_000)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post_file(&camille, &format!("{base}/imports?bank_account=512"), QIF).await;
    assert_eq!(status, StatusCode::OK);
    let (_, lines) = camille.get(&format!("{base}/reconciliation")).await;
    let lines = lines.as_array().unwrap();
    let rent = lines.iter().find(|l| l["amount"] == -45_000).unwrap();
    let suggestion = &rent["suggestions"][0];
    assert_eq!(suggestion["amount"], -45_000, "{rent}");
    let (status, matched) = camille
        .post(
            &format!("{base}/reconciliation/{}", rent["id"].as_str().unwrap()),
            json!({"entry_line_id": suggestion["entry_line_id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{matched}");
    let dues = lines.iter().find(|l| l["amount"] == 3_000).unwrap();
    let path = format!("{base}/reconciliation/{}", dues["id"].as_str().unwrap());
    let (status, body) = camille.post(&path, json!({"category": "999"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).1.as_deref(), Some("category"));
    let (status, created) = camille.post(&path, json!({"category": "756"})).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (status, _) = camille.post(&path, json!({"category": "756"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, tb) = camille
        .get(&format!("{base}/trial-balance?year=2026"))
        .await;
    assert_eq!(balance_of(&tb, "756"), -3_000);
}

#[tokio::test]
async fn the_cash_plan_alerts_under_the_pessimistic_scenario() {
    let t = TestApp::spawn().await;
    fabrique_app::demo::load(&t.app).await.unwrap();
    let anon = t.api(None);
    let (_, token) = anon
        .post(
            "/api/v1/tokens",
            json!({"email": "admin@demo.fabrique.test", "password": fabrique_app::demo::DEMO_PASSWORD}),
        )
        .await;
    let admin = t.api(token["token"].as_str());
    let base = "/api/v1/orgs/manchots-libres";
    let (status, p) = admin
        .get(&format!("{base}/treasury/forecast?scenario=pessimistic"))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["months"].as_array().unwrap().len(), 12);
    // The fourth month, 140 € under the 300 € threshold.
    assert_eq!(p["alert"]["month"], p["months"][3]["month"], "{p}");
    assert_eq!(p["alert"]["gap"], 14_000);
    for scenario in ["base", "optimistic"] {
        let (_, f) = admin
            .get(&format!("{base}/treasury/forecast?scenario={scenario}"))
            .await;
        assert!(f["alert"].is_null(), "{scenario}: {f}");
    }
    let (status, body) = admin
        .get(&format!("{base}/treasury/forecast?scenario=rose"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("scenario"));
    // Two years of books: the first closed with an intact chain.
    let (_, v) = admin.get(&format!("{base}/ledger/years/2024/verify")).await;
    assert_eq!(
        (v["closed"].as_bool(), v["intact"].as_bool()),
        (Some(true), Some(true)),
        "{v}"
    );
    let (_, is) = admin
        .get(&format!("{base}/ledger/reports/income-statement?year=2024"))
        .await;
    assert_eq!(is["result"], 161_700);
    let (_, subsidies) = admin.get(&format!("{base}/subsidies")).await;
    assert_eq!(subsidies[0]["funder"], "Mairie de Saint-Denis");
    let (status, page) = anon.get(&format!("{base}/transparency")).await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // Subsidies and recurring items through the API change the plan.
    let (status, body) = admin
        .post(
            &format!("{base}/recurring"),
            json!({"label": "Loyer", "amount": -20_000, "start": "2026-10-01", "every_months": 1, "probability": 100}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, base_plan) = admin.get(&format!("{base}/treasury/forecast")).await;
    assert!(base_plan["alert"].is_object(), "{base_plan}");
    // The treasurers are told by e-mail as soon as the answer changes.
    let mails: Vec<_> = t
        .app
        .mailer
        .recent()
        .into_iter()
        .filter(|m| m.subject.contains("alerte de trésorerie"))
        .collect();
    assert!(!mails.is_empty());
    let month = &base_plan["alert"]["month"];
    let month = format!("{}-{:02}", month["year"], month["month"].as_i64().unwrap());
    assert!(
        mails[0].body.contains(&month),
        "{} / {month}",
        mails[0].body
    );
    let (status, body) = admin
        .post(
            &format!("{base}/subsidies"),
            json!({"funder": "Région", "amount": 0, "status": "requested", "instalments": [], "probability": 50, "expected_delay_days": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("amount"));
}

#[tokio::test]
async fn receipts_are_numbered_and_never_change() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul";
    let donation = json!({"donor_name": "Jeanne Dupont", "donor_address": "1 rue des Lilas, 93200 Saint-Denis", "amount": 5_000, "date": "2026-09-01", "payment": "check"});
    // The organisation's identity is needed first.
    let (status, body) = camille
        .post(&format!("{base}/donations"), donation.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = camille
        .put(
            &format!("{base}/treasury/settings"),
            json!({"rna": "W123456789", "address": "2 place de la Mairie, 93200 Saint-Denis", "purpose": "Promouvoir le logiciel libre", "place": "Saint-Denis", "signatory_name": "Camille Martin", "signatory_role": "Trésorière"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = camille
        .put(
            &format!("{base}/treasury/settings"),
            json!({"siren": "123"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("siren"));
    let (status, first) = camille
        .post(&format!("{base}/donations"), donation.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["number"], "2026-0001");
    assert_eq!(first["receipt"]["donor"]["name"], "Jeanne Dupont");
    let (status, second) = camille
        .post(&format!("{base}/donations"), donation.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(second["number"], "2026-0002");
    let (status, body) = camille
        .post(
            &format!("{base}/donations"),
            json!({"donor_name": "", "donor_address": "x", "amount": 100, "date": "2026-09-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("donor_name"));
    // No way to edit or delete an issued receipt.
    let id = first["id"].as_str().unwrap();
    let (status, _) = camille
        .patch(&format!("{base}/donations/{id}"), json!({"amount": 1}))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = camille.delete(&format!("{base}/donations/{id}")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (_, again) = camille.get(&format!("{base}/donations/{id}")).await;
    assert_eq!(again["amount"], 5_000);
    // The money is in the books.
    let (_, tb) = camille
        .get(&format!("{base}/ledger/trial-balance?year=2026"))
        .await;
    assert_eq!(balance_of(&tb, "7541"), -10_000);
}

#[tokio::test]
async fn members_read_administrators_write_outsiders_nothing() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let lea = t.user("lea@example.org", "Léa").await;
    let (status, _) = camille
        .post(
            "/api/v1/orgs/gul/members",
            json!({"email": "lea@example.org", "role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let outsider = t.user("eve@example.org", "Ève").await;
    let base = "/api/v1/orgs/gul";
    let (status, _) = camille
        .post(
            &format!("{base}/ledger/entries"),
            entry(
                "2026-01-05",
                "Cotisation",
                &[("512", 2_000, 0), ("756", 0, 2_000)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for path in [
        "/ledger/entries",
        "/ledger/trial-balance?year=2026",
        "/treasury/forecast",
        "/subsidies",
        "/donations",
    ] {
        let (status, _) = lea.get(&format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::OK, "member reads {path}");
        let (status, _) = outsider.get(&format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "outsider reads {path}");
        let (status, _) = t.api(None).get(&format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous reads {path}");
    }
    let (status, body) = lea
        .post(
            &format!("{base}/ledger/entries"),
            entry(
                "2026-01-05",
                "Moi aussi",
                &[("512", 2_000, 0), ("756", 0, 2_000)],
                true,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = lea
        .post(&format!("{base}/ledger/years/2026/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post_file(&lea, &format!("{base}/ledger/imports"), QIF).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, entries) = camille.get(&format!("{base}/ledger/entries")).await;
    assert_eq!(entries.as_array().unwrap().len(), 1);
    // Every treasury endpoint is described in the OpenAPI document.
    let (_, doc) = t.api(None).get("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/orgs/{slug}/ledger/entries",
        "/api/v1/orgs/{slug}/ledger/entries/{id}/validate",
        "/api/v1/orgs/{slug}/ledger/imports",
        "/api/v1/orgs/{slug}/ledger/trial-balance",
        "/api/v1/orgs/{slug}/ledger/reports/{report}",
        "/api/v1/orgs/{slug}/ledger/export",
        "/api/v1/orgs/{slug}/ledger/years/{year}/close",
        "/api/v1/orgs/{slug}/subsidies",
        "/api/v1/orgs/{slug}/recurring",
        "/api/v1/orgs/{slug}/treasury/forecast",
        "/api/v1/orgs/{slug}/donations",
        "/api/v1/orgs/{slug}/dues",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} in the OpenAPI document"
        );
    }
    // The transparency page is off by default.
    let (status, _) = t.api(None).get(&format!("{base}/transparency")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn camille_keeps_the_books_in_the_browser() {
    let t = TestApp::spawn().await;
    let camille = t.browser();
    camille.signup("camille@example.org", "Camille").await;
    let (status, _, body) = camille
        .submit(
            "/orgs/new",
            "/orgs/new",
            &[
                ("slug", "gul"),
                ("name", "GUL"),
                ("kind", "association"),
                ("timezone", "Europe/Paris"),
                ("visibility", "public"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, page) = camille.get("/o/gul/treasury").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<svg"), "the chart is inlined");
    assert!(page.contains("Trésorerie") || page.contains("Treasury"));

    // The simple form: a refused amount is shown next to the field, nothing is stored.
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury",
            "/o/gul/treasury",
            &[
                ("kind", "income"),
                ("date", "2026-09-01"),
                ("label", "Cotisations"),
                ("amount", "douze"),
                ("treasury", "512"),
                ("category", "756"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"e-amount\""), "{page}");
    let (status, location, _) = camille
        .submit(
            "/o/gul/treasury",
            "/o/gul/treasury",
            &[
                ("kind", "income"),
                ("date", "2026-09-01"),
                ("label", "Cotisations"),
                ("amount", "1 234,50"),
                ("treasury", "512"),
                ("category", "756"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, entry) = camille.get(&location).await;
    assert!(entry.contains("BQ1-2026-00001"), "{entry}");
    assert!(entry.contains("1\u{a0}234,50\u{a0}€"));

    // The expert form, as a draft, then validated.
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/entries",
            "/o/gul/treasury/entries",
            &[
                ("journal", "OD"),
                ("date", "2026-09-02"),
                ("label", "Bancal"),
                ("account_0", "606"),
                ("debit_0", "10"),
                ("account_1", "512"),
                ("credit_1", "9"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (status, location, _) = camille
        .submit(
            "/o/gul/treasury/entries",
            "/o/gul/treasury/entries",
            &[
                ("journal", "OD"),
                ("date", "2026-09-02"),
                ("label", "Câbles"),
                ("account_0", "606"),
                ("debit_0", "10"),
                ("account_1", "512"),
                ("credit_1", "10"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, next, _) = camille
        .submit(&location, &format!("{location}/validate"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, entry) = camille.get(&next).await;
    assert!(entry.contains("OD-2026-00001"), "{entry}");

    // Reports, printable, with export links.
    let (status, reports) = camille.get("/o/gul/treasury/reports?year=2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(reports.contains("format=fec"));
    assert!(reports.contains("<th scope=\"row\">756"), "{reports}");

    // A statement pasted in the import form; again creates nothing.
    for expected in ["5", "0"] {
        let (status, _, page) = camille
            .submit(
                "/o/gul/treasury/import",
                "/o/gul/treasury/import",
                &[("file", QIF), ("bank_account", "")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            page.contains(&format!("Import : {expected} ligne")),
            "{page}"
        );
    }
    // The file picked on the phone (multipart), with the CSRF token as a field.
    let (_, page) = camille.get("/o/gul/treasury/import").await;
    let csrf = crate::support::csrf_of(&page);
    let boundary = "XyZfabrique";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"bank_account\"\r\n\r\n5121\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"releve.ofx\"\r\nContent-Type: application/x-ofx\r\n\r\n{OFX_V2}\r\n--{boundary}--\r\n"
    );
    for (expected, token) in [("2", csrf.as_str()), ("0", csrf.as_str()), ("-", "forged")] {
        let r = camille
            .client
            .post(format!("{}/o/gul/treasury/import/upload", camille.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body.replace(&csrf, token))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let page = r.text().await.unwrap();
        if expected == "-" {
            assert_eq!(status, StatusCode::FORBIDDEN);
        } else {
            assert_eq!(status, StatusCode::OK, "{page}");
            assert!(
                page.contains(&format!("Import : {expected} ligne")),
                "{page}"
            );
        }
    }
    let broken = QIF.replacen("T-450,00", "Tquatre cents", 1);
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/import",
            "/o/gul/treasury/import",
            &[("file", &broken)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("line 8"), "{page}");

    // Subsidies and recurring items.
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/plan",
            "/o/gul/treasury/subsidies",
            &[
                ("funder", "Mairie"),
                ("amount", "1500"),
                ("status", "notified"),
                ("instalments[0].share", "100 %"),
                ("instalments[0].expected_date", "2026-12-01"),
                ("probability", "80"),
                ("delay", "30"),
                ("project", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/plan",
            "/o/gul/treasury/recurring",
            &[
                ("label", "Loyer"),
                ("direction", "out"),
                ("amount", "450"),
                ("start", "2026-10-01"),
                ("every_months", "1"),
                ("probability", "200"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (_, plan) = camille.get("/o/gul/treasury/plan").await;
    assert!(plan.contains("Mairie"));

    // Dues: the member list with a payment form per member.
    let (status, page) = camille.get("/o/gul/treasury/dues?period=2026").await;
    assert_eq!(status, StatusCode::OK);
    let member_id = page
        .split("name=\"member_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/dues",
            "/o/gul/treasury/dues",
            &[
                ("member_id", &member_id),
                ("period", "2026"),
                ("amount", "20"),
                ("date", "2026-09-05"),
                ("treasury", "512"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page) = camille.get("/o/gul/treasury/dues?period=2026").await;
    assert!(page.contains("20,00"), "{page}");

    // Own accounts and bank accounts.
    let (status, _, _) = camille
        .submit(
            "/o/gul/treasury/settings",
            "/o/gul/treasury/accounts",
            &[("number", "411DUPONT"), ("label", "Jeanne Dupont")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/settings",
            "/o/gul/treasury/accounts",
            &[("number", "999"), ("label", "Nulle part")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (status, _, _) = camille
        .submit(
            "/o/gul/treasury/settings",
            "/o/gul/treasury/bank-accounts",
            &[
                ("number", "5122"),
                ("label", "La Nef"),
                ("csv_separator", ";"),
                ("csv_skip", "2"),
                ("csv_date", "1"),
                ("csv_date_format", "%d/%m/%Y"),
                ("csv_label", "2"),
                ("csv_amount", ""),
                ("csv_debit", "3"),
                ("csv_credit", "4"),
                ("csv_decimal", "comma"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The bank's CSV now imports with the saved mapping.
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/import",
            "/o/gul/treasury/import",
            &[("file", CSV), ("bank_account", "5122")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Import : 6 ligne"), "{page}");
    let (_, page) = camille.get("/o/gul/treasury/settings").await;
    assert!(page.contains("411DUPONT") && page.contains("La Nef"));

    // Settings, then a donation and its printable receipt.
    let (status, _, page) = camille
        .submit(
            "/o/gul/treasury/settings",
            "/o/gul/treasury/settings",
            &[
                ("rna", "W123456789"),
                ("address", "2 place de la Mairie"),
                ("purpose", "Logiciel libre"),
                ("place", "Saint-Denis"),
                ("signatory_name", "Camille"),
                ("signatory_role", "Trésorière"),
                ("alert_threshold", "300"),
                ("transparency", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, location, page) = camille
        .submit(
            "/o/gul/treasury/donations",
            "/o/gul/treasury/donations",
            &[
                ("donor_name", "Jeanne"),
                ("donor_address", "1 rue des Lilas"),
                ("amount", "50"),
                ("date", "2026-09-03"),
                ("payment", "check"),
                ("treasury", "512"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, receipt) = camille.get(&location).await;
    assert!(
        receipt.contains("2026-0001") && receipt.contains("cinquante euros"),
        "{receipt}"
    );

    // The public transparency page, derived from the ledger.
    let (status, public) = t.browser().get("/o/gul/transparency").await;
    assert_eq!(status, StatusCode::OK);
    assert!(public.contains("2026"));

    // An outsider sees nothing; close the year from the reports page.
    let eve = t.browser();
    eve.signup("eve@example.org", "Ève").await;
    let (status, _) = eve.get("/o/gul/treasury").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = camille
        .submit(
            "/o/gul/treasury/reports?year=2026",
            "/o/gul/treasury/years/2026/close",
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, reports) = camille.get("/o/gul/treasury/reports?year=2026").await;
    assert!(reports.contains("clôturé") || reports.contains("closed"));
    assert!(reports.contains("chaînage est intact"), "{reports}");
}

/// A small deterministic generator, so the sequence is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn any_sequence_of_operations_keeps_the_books_balanced() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul/ledger";
    let mut rng = Lcg(7);
    let categories = ["756", "7541", "606", "613", "626", "627", "740"];
    let money = ["512", "530"];
    let mut validated: Vec<String> = vec![];
    for i in 0..60 {
        let date = format!("2026-{:02}-{:02}", 1 + rng.next(8), 1 + rng.next(28));
        let amount = 1 + rng.next(100_000) as i64;
        let (status, body) = match rng.next(5) {
            0 | 1 => {
                let kind = ["income", "expense"][rng.next(2) as usize];
                camille
                    .post(
                        &format!("{base}/simple"),
                        json!({"kind": kind, "date": date, "label": format!("op {i}"), "amount": amount,
                               "category": categories[rng.next(7) as usize], "treasury": money[rng.next(2) as usize]}),
                    )
                    .await
            }
            2 => {
                camille
                    .post(
                        &format!("{base}/simple"),
                        json!({"kind": "transfer", "date": date, "label": format!("virement {i}"), "amount": amount, "treasury": "530", "category": "512"}),
                    )
                    .await
            }
            3 => {
                let split = amount / 3;
                let lines = [
                    (categories[rng.next(7) as usize], amount, 0),
                    ("512", 0, split),
                    ("530", 0, amount - split),
                ];
                let validate = rng.next(2) == 0;
                let (status, body) = camille
                    .post(&format!("{base}/entries"), entry(&date, "ventilée", &lines, validate))
                    .await;
                if status == StatusCode::CREATED && !validate {
                    let id = body["id"].as_str().unwrap();
                    camille
                        .post(&format!("{base}/entries/{id}/validate"), json!({}))
                        .await
                } else {
                    (status, body)
                }
            }
            _ if !validated.is_empty() => {
                let id = validated.remove(rng.next(validated.len() as u64) as usize);
                camille
                    .post(&format!("{base}/entries/{id}/reverse"), json!({"date": "2026-10-01"}))
                    .await
            }
            _ => continue,
        };
        assert!(status.is_success(), "operation {i}: {body}");
        if body["kind"] == "standard" {
            validated.push(body["id"].as_str().unwrap().to_owned());
        }
    }
    let (_, entries) = camille.get(&format!("{base}/entries?year=2026")).await;
    let entries = entries.as_array().unwrap();
    assert!(entries.len() >= 50);
    for e in entries {
        let lines = e["lines"].as_array().unwrap();
        let d: i64 = lines.iter().map(|l| l["debit"].as_i64().unwrap()).sum();
        let c: i64 = lines.iter().map(|l| l["credit"].as_i64().unwrap()).sum();
        assert_eq!(d, c, "{e}");
    }
    let (_, tb) = camille
        .get(&format!("{base}/trial-balance?year=2026"))
        .await;
    let sum: i64 = tb["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["balance"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 0);
    assert_eq!(tb["total_debit"], tb["total_credit"]);

    // An independent tool agrees: hledger's balance of our export is our trial balance.
    let available = std::process::Command::new("hledger")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        println!("note: hledger not installed, skipping the independent check");
        return;
    }
    let (status, _, journal) =
        get_text(&camille, &format!("{base}/export?year=2026&format=hledger")).await;
    assert_eq!(status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gul.journal");
    std::fs::write(&file, journal).unwrap();
    let out = std::process::Command::new("hledger")
        .arg("-f")
        .arg(&file)
        .args(["balance", "--flat", "--no-total", "-O", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    for line in csv.lines().skip(1) {
        let (account, amount) = line.split_once(',').unwrap();
        let account = account.trim_matches('"');
        let amount = amount.trim_matches('"').trim_end_matches("EUR").trim();
        let cents = fabrique_treasury::amount::parse_amount(amount).unwrap();
        assert_eq!(cents, balance_of(&tb, account), "{account}");
    }
}

#[tokio::test]
async fn dues_are_recorded_per_member_and_period() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let lea = t.user("lea@example.org", "Léa").await;
    let (status, _) = camille
        .post(
            "/api/v1/orgs/gul/members",
            json!({"email": "lea@example.org", "role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = camille
        .put(
            "/api/v1/orgs/gul/treasury/settings",
            json!({"dues_amount": 2_000}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, rows) = lea.get("/api/v1/orgs/gul/dues?period=2026").await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    let rows = rows.as_array().unwrap().clone();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["paid"].is_null()));
    let lea_id = rows.iter().find(|r| r["name"] == "Léa").unwrap()["member_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pay = json!({"member_id": lea_id, "period": "2026", "date": "2026-02-01"});
    let (status, _) = lea.post("/api/v1/orgs/gul/dues", pay.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, paid) = camille.post("/api/v1/orgs/gul/dues", pay.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["paid"], 2_000);
    let (status, body) = camille.post("/api/v1/orgs/gul/dues", pay).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_of(&body).1.as_deref(), Some("period"));
    let (status, body) = camille
        .post(
            "/api/v1/orgs/gul/dues",
            json!({"member_id": lea_id, "period": "l'an prochain", "date": "2026-02-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("period"));
    let (status, body) = camille
        .post(
            "/api/v1/orgs/gul/dues",
            json!({"member_id": "personne", "period": "2026", "date": "2026-02-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).1.as_deref(), Some("member_id"));
    let (_, tb) = camille
        .get("/api/v1/orgs/gul/ledger/trial-balance?year=2026")
        .await;
    assert_eq!(balance_of(&tb, "756"), -2_000);
    let (_, rows) = camille.get("/api/v1/orgs/gul/dues?period=2026").await;
    let paid: Vec<_> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["paid"].is_null())
        .collect();
    assert_eq!(paid.len(), 1);
}

#[tokio::test]
async fn unspent_earmarked_funds_are_carried_over_before_closing() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul";
    let (status, body) = camille
        .post(
            &format!("{base}/subsidies"),
            json!({"funder": "Région", "amount": 500_000, "status": "paid", "probability": 100, "expected_delay_days": 0, "project": "repair-cafe",
                   "instalments": [{"share": {"percent": 100}, "expected_date": "2025-03-01", "condition": "advance", "received": true}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = camille
        .post(
            &format!("{base}/ledger/entries"),
            json!({"journal": "OD", "date": "2025-03-01", "label": "Subvention Région", "validate": true, "lines": [
                {"account": "512", "debit": 500_000}, {"account": "740", "credit": 500_000, "project": "repair-cafe"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = camille
        .post(
            &format!("{base}/ledger/entries"),
            json!({"journal": "AC", "date": "2025-06-01", "label": "Outils", "validate": true, "lines": [
                {"account": "606", "debit": 200_000, "project": "repair-cafe"}, {"account": "512", "credit": 200_000}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, funds) = camille
        .get(&format!("{base}/ledger/reports/dedicated-funds?year=2025"))
        .await;
    assert_eq!(status, StatusCode::OK, "{funds}");
    assert_eq!(funds[0]["unspent"], 300_000, "{funds}");
    let (status, entry) = camille
        .post(
            &format!("{base}/ledger/years/2025/dedicated-funds"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["date"], "2025-12-31");
    let (status, _) = camille
        .post(
            &format!("{base}/ledger/years/2025/dedicated-funds"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, is) = camille
        .get(&format!("{base}/ledger/reports/income-statement?year=2025"))
        .await;
    assert_eq!(is["result"], 0, "the unspent part leaves the result: {is}");
    let (status, closed) = camille
        .post(&format!("{base}/ledger/years/2025/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
}

/// Moves the test clock (21 September 2026) to 5 December 2026.
fn to_december(t: &TestApp) {
    t.clock.advance(75 * 86_400_000);
}

#[tokio::test]
async fn the_cash_plan_opens_on_the_reconciled_bank_position() {
    let t = TestApp::spawn().await;
    to_december(&t);
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul";
    for (date, label, lines) in [
        (
            "2026-11-03",
            "Cotisation Dupont",
            [("512", 3_000, 0), ("756", 0, 3_000)],
        ),
        // A payment the bank has not seen: it is in the books, not at the bank.
        (
            "2026-11-25",
            "Chèque fournisseur",
            [("606", 100_000, 0), ("512", 0, 100_000)],
        ),
    ] {
        let (status, body) = camille
            .post(
                &format!("{base}/ledger/entries"),
                entry(date, label, &lines, true),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Nothing reconciled yet: the plan opens on the books.
    let (_, plan) = camille.get(&format!("{base}/treasury/forecast")).await;
    assert_eq!(plan["opening_source"], "ledger", "{plan}");
    assert_eq!(plan["opening"], -97_000, "{plan}");
    assert_eq!(plan["opening_date"], "2026-12-05");

    // The November statement (balance 2,990.10 € on 30 November) and its first line
    // reconciled with the dues entry.
    let (status, body) = post_file(
        &camille,
        &format!("{base}/ledger/imports?bank_account=512"),
        OFX_V1,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, lines) = camille.get(&format!("{base}/ledger/reconciliation")).await;
    let dues = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["amount"] == 3_000)
        .unwrap();
    let (status, body) = camille
        .post(
            &format!(
                "{base}/ledger/reconciliation/{}",
                dues["id"].as_str().unwrap()
            ),
            json!({"entry_line_id": dues["suggestions"][0]["entry_line_id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, plan) = camille
        .get(&format!("{base}/treasury/forecast?scenario=pessimistic"))
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["opening_source"], "statement", "{plan}");
    assert_eq!(plan["opening_date"], "2026-11-03");
    // 2,990.10 € on 30 November, less what the bank booked after 3 November
    // (−450 − 89.90 + 1,500): 2,030 €, where the books say −970 €.
    assert_eq!(plan["opening"], 203_000, "{plan}");
    assert_eq!(plan["months"][0]["closing"], 203_000, "{plan}");
    assert_eq!(plan["positions"][0]["account"], "512");
    assert_eq!(plan["positions"][0]["source"], "statement");
    assert_eq!(plan["balances"][0][1], -97_000, "{plan}");

    // The plan page says which position it used, and at which date.
    let browser = t.browser();
    let (status, _, _) = browser
        .login("tresorier@gul.test", crate::support::PASSWORD)
        .await;
    assert!(status.is_redirection() || status.is_success());
    let (status, page) = browser.get("/o/gul/treasury/plan").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2\u{a0}030,00\u{a0}€"), "{page}");
    assert!(page.contains("datetime=\"2026-11-03\""), "{page}");
    assert!(
        page.contains("relevé bancaire") || page.contains("bank statement"),
        "{page}"
    );
}

#[tokio::test]
async fn carried_earmarked_funds_are_used_the_next_year_through_789() {
    let t = TestApp::spawn().await;
    let camille = books(&t, "gul").await;
    let base = "/api/v1/orgs/gul";
    let post = |path: &str, body: Value| {
        let camille = &camille;
        let path = format!("{base}{path}");
        async move { camille.post(&path, body).await }
    };
    let (status, body) = post(
        "/subsidies",
        json!({"funder": "Région", "amount": 500_000, "status": "paid", "probability": 100, "expected_delay_days": 0, "project": "repair-cafe",
               "instalments": [{"share": {"percent": 100}, "expected_date": "2025-03-01", "condition": "advance", "received": true}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let spend = |date: &str, amount: i64| {
        json!({"journal": "AC", "date": date, "label": "Pièces", "validate": true, "lines": [
            {"account": "606", "debit": amount, "project": "repair-cafe"}, {"account": "512", "credit": amount}]})
    };
    let (status, _) = post(
        "/ledger/entries",
        json!({"journal": "OD", "date": "2025-03-01", "label": "Subvention Région", "validate": true, "lines": [
            {"account": "512", "debit": 500_000}, {"account": "740", "credit": 500_000, "project": "repair-cafe"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post("/ledger/entries", spend("2025-06-01", 200_000)).await;
    assert_eq!(status, StatusCode::CREATED);
    // Nothing was carried into 2025: there is nothing to use.
    let (status, body) = post("/ledger/years/2025/dedicated-funds/use", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).0, "funds_none_used");
    let (status, body) = post("/ledger/years/2025/dedicated-funds", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = post("/ledger/years/2025/close", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // 2026: the repair café spends 1,200 € of the 3,000 € carried over.
    let (status, _) = post("/ledger/entries", spend("2026-02-01", 120_000)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, used) = post("/ledger/years/2026/dedicated-funds/use", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{used}");
    assert_eq!(used["journal"], "OD");
    assert_eq!(used["date"], "2026-09-21", "dated today: {used}");
    let lines: Vec<(String, i64, i64)> = used["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["account"].as_str().unwrap().to_owned(),
                l["debit"].as_i64().unwrap(),
                l["credit"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![("194".into(), 120_000, 0), ("7894".into(), 0, 120_000)]
    );
    assert_eq!(used["lines"][1]["project"], "repair-cafe");
    // Recorded once: nothing new was spent since.
    let (status, body) = post("/ledger/years/2026/dedicated-funds/use", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // 500 € more: only those are recorded.
    let (status, _) = post("/ledger/entries", spend("2026-05-01", 50_000)).await;
    assert_eq!(status, StatusCode::CREATED);
    // This time from the reports page, as a treasurer without the API would.
    let browser = t.browser();
    let (status, _, _) = browser
        .login("tresorier@gul.test", crate::support::PASSWORD)
        .await;
    assert!(status.is_redirection() || status.is_success());
    let reports = "/o/gul/treasury/reports?year=2026";
    let (status, page) = browser.get(reports).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"funds\""), "{page}");
    assert!(
        page.contains("<th scope=\"row\">repair-cafe</th>"),
        "{page}"
    );
    let use_form = "/o/gul/treasury/years/2026/funds/use";
    assert!(page.contains(use_form), "{page}");
    let (status, location, _) = browser.submit(reports, use_form, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let entry_id = location
        .strip_prefix("/o/gul/treasury/entries/")
        .expect("redirected to the new entry");
    let (status, used) = camille
        .get(&format!("{base}/ledger/entries/{entry_id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{used}");
    assert_eq!(used["lines"][0]["debit"], 50_000, "{used}");
    // Again: nothing new was spent, and the page says so, changing nothing.
    let (status, _, page) = browser.submit(reports, use_form, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("role=\"alert\""), "{page}");
    let (status, _, _) = browser
        .submit(reports, "/o/gul/treasury/years/2026/funds/nonsense", &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // At the year end, a new subsidy of 1,000 € and 300 € more spent: the carry-over
    // first records the use of those 300 € (the carried fund is spent first), then
    // carries the new subsidy over whole.
    let (status, _) = post(
        "/ledger/entries",
        json!({"journal": "OD", "date": "2026-07-01", "label": "Subvention Région 2026", "validate": true, "lines": [
            {"account": "512", "debit": 100_000}, {"account": "740", "credit": 100_000, "project": "repair-cafe"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post("/ledger/entries", spend("2026-08-01", 30_000)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, carried) = post("/ledger/years/2026/dedicated-funds", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{carried}");
    assert_eq!(carried["lines"][0]["account"], "6894");
    assert_eq!(carried["lines"][0]["debit"], 100_000, "{carried}");
    let (_, tb) = camille
        .get(&format!("{base}/ledger/trial-balance?year=2026"))
        .await;
    assert_eq!(balance_of(&tb, "7894"), -200_000, "{tb}");
    // 3,000 € carried in, 2,000 € used, 1,000 € of the new subsidy carried.
    assert_eq!(balance_of(&tb, "194"), -200_000, "{tb}");
    let (_, is) = camille
        .get(&format!("{base}/ledger/reports/income-statement?year=2026"))
        .await;
    assert_eq!(is["result"], 0, "what was used and carried balances: {is}");
}

#[tokio::test]
async fn subsidies_and_budgets_are_kept_in_the_browser() {
    let t = TestApp::spawn().await;
    let _admin = books(&t, "gul").await;
    let camille = t.browser();
    let (status, _, _) = camille
        .login("tresorier@gul.test", crate::support::PASSWORD)
        .await;
    assert!(status.is_redirection() || status.is_success());
    let plan = "/o/gul/treasury/plan";
    let mut fields = vec![
        ("funder", "Mairie"),
        ("amount", "2 000"),
        ("status", "notified"),
        ("probability", "80"),
        ("delay", "30"),
        ("project", "repair-cafe"),
        ("instalments[0].share", "60 %"),
        ("instalments[0].expected_date", "2026-10-15"),
        ("instalments[0].condition", "advance"),
        ("instalments[2].share", "50 %"),
        ("instalments[2].expected_date", "2027-03-01"),
        ("instalments[2].condition", "after_spending_report"),
    ];
    // 60 % + 50 %: refused, the error next to the third row's share.
    let (status, _, page) = camille
        .submit(plan, "/o/gul/treasury/subsidies", &fields)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"e-instalments[2].share\""), "{page}");
    assert!(page.contains("value=\"Mairie\""), "what was typed is kept");
    fields[9].1 = "40 %";
    let (status, location, page) = camille
        .submit(plan, "/o/gul/treasury/subsidies", &fields)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, plan);
    let (_, page) = camille.get(plan).await;
    assert!(page.contains("1\u{a0}200,00\u{a0}€"), "the advance: {page}");
    assert!(page.contains("800,00\u{a0}€"), "the balance: {page}");
    let start = page.find("/o/gul/treasury/subsidies/").unwrap();
    let id: String = page[start + "/o/gul/treasury/subsidies/".len()..]
        .chars()
        .take_while(|c| *c != '"' && *c != '/')
        .collect();

    // The status changes from the list.
    let (status, _, body) = camille
        .submit(
            plan,
            &format!("/o/gul/treasury/subsidies/{id}/status"),
            &[("status", "agreement_signed")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // The subsidy's page edits it whole: the advance received, the probability raised.
    let page_path = format!("/o/gul/treasury/subsidies/{id}");
    let (status, page) = camille.get(&page_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"60 %\""), "{page}");
    assert!(
        page.contains("<option value=\"agreement_signed\" selected"),
        "{page}"
    );
    let mut edit = fields.clone();
    edit[2].1 = "agreement_signed";
    edit[3].1 = "100";
    edit.push(("instalments[0].received", "1"));
    let (status, _, body) = camille.submit(&page_path, &page_path, &edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = camille.get(&page_path).await;
    assert!(page.contains("value=\"100\""), "{page}");
    assert!(
        page.contains("name=\"instalments[0].received\" value=\"1\" checked"),
        "{page}"
    );
    let (status, page) = camille.get("/o/gul/treasury/subsidies/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");

    // The budget: a line on a balance-sheet account is refused next to its field.
    let budget = "/o/gul/treasury/budget?year=2026";
    let (status, page) = camille.get(budget).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, page) = camille
        .submit(
            budget,
            "/o/gul/treasury/budget",
            &[
                ("year", "2026"),
                ("[0].account", "606"),
                ("[0].amount", "1 500"),
                ("[2].account", "512"),
                ("[2].amount", "10"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"e-[2].account\""), "{page}");
    let (status, location, page) = camille
        .submit(
            budget,
            "/o/gul/treasury/budget",
            &[
                ("year", "2026"),
                ("[0].account", "606"),
                ("[0].amount", "1 500"),
                ("[2].account", "756"),
                ("[2].amount", "900,50"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, budget);
    let (_, page) = camille.get(budget).await;
    assert!(page.contains("1\u{a0}500,00\u{a0}€"), "{page}");
    assert!(page.contains("900,50\u{a0}€"), "{page}");
    assert!(
        page.contains("value=\"756\""),
        "the form shows the saved lines"
    );
}
