-- Treasury: the balances bank statements give (OFX LEDGERBAL, CAMT.053 CLBD/OPBD), so the
-- cash-flow plan opens on the reconciled bank position. One balance per account and day
-- (a later import of the same day replaces it).
CREATE TABLE treasury_statement_balances (
    bank_account_id TEXT NOT NULL REFERENCES treasury_bank_accounts(id) ON DELETE CASCADE,
    balance_date TEXT NOT NULL,
    amount BIGINT NOT NULL,
    import_id TEXT NOT NULL,
    PRIMARY KEY (bank_account_id, balance_date)
);

-- Which entry line a statement line is matched to (reconciled book lines, unmatched ones).
CREATE INDEX treasury_bank_lines_entry_line ON treasury_bank_lines(entry_line_id);
