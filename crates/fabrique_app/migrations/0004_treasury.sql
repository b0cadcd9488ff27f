-- Treasury: the books of each organisation (portable DDL, SQLite and PostgreSQL).
-- Amounts are BIGINT cents; civil dates are TEXT `YYYY-MM-DD`; times are BIGINT ms UTC.

CREATE TABLE treasury_settings (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    siren TEXT,
    rna TEXT,
    address TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    signatory_name TEXT NOT NULL DEFAULT '',
    signatory_role TEXT NOT NULL DEFAULT '',
    alert_threshold BIGINT NOT NULL DEFAULT 0,
    transparency BIGINT NOT NULL DEFAULT 0,
    dues_amount BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- The organisation's own accounts (sub-accounts, third parties, accounts found in a FEC);
-- the associations' chart itself comes from fabrique_treasury::chart.
CREATE TABLE treasury_accounts (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, number)
);

CREATE TABLE treasury_years (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    closed_at BIGINT,
    result BIGINT,
    sealed BIGINT,
    last_hash TEXT,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE treasury_entries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    journal TEXT NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT,
    entry_date TEXT NOT NULL,
    label TEXT NOT NULL,
    piece_ref TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    valid_date TEXT,
    reverses TEXT,
    hash TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    UNIQUE (org_id, journal, year, seq)
);
CREATE INDEX treasury_entries_org_year ON treasury_entries(org_id, year, status);

CREATE TABLE treasury_lines (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES treasury_entries(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    account TEXT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    project TEXT
);
CREATE INDEX treasury_lines_entry ON treasury_lines(entry_id, position);

CREATE TABLE treasury_bank_accounts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    csv_mapping TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, account)
);

CREATE TABLE treasury_imports (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    bank_account_id TEXT,
    format TEXT NOT NULL,
    created BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT
);

CREATE TABLE treasury_bank_lines (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    bank_account_id TEXT NOT NULL REFERENCES treasury_bank_accounts(id) ON DELETE CASCADE,
    import_id TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    line_date TEXT NOT NULL,
    amount BIGINT NOT NULL,
    label TEXT NOT NULL,
    reference TEXT,
    entry_line_id TEXT,
    position BIGINT NOT NULL,
    UNIQUE (bank_account_id, dedup_key)
);

CREATE TABLE treasury_subsidies (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    funder TEXT NOT NULL,
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,
    probability BIGINT NOT NULL,
    expected_delay_days BIGINT NOT NULL,
    project TEXT,
    instalments TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Recurring items (every_months > 0) and one-off receivables/payables (every_months = 0).
CREATE TABLE treasury_recurring (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    amount BIGINT NOT NULL,
    start_date TEXT NOT NULL,
    every_months BIGINT NOT NULL,
    end_date TEXT,
    probability BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE treasury_donations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    receipt_year BIGINT NOT NULL,
    receipt_seq BIGINT NOT NULL,
    donor_name TEXT NOT NULL,
    amount BIGINT NOT NULL,
    donation_date TEXT NOT NULL,
    entry_id TEXT,
    receipt TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by TEXT,
    UNIQUE (org_id, receipt_year, receipt_seq)
);

-- The cash-plan alerts last e-mailed to the treasurers, so a change is told once.
CREATE TABLE treasury_alerts (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    signature TEXT NOT NULL,
    at BIGINT NOT NULL
);

-- Members' dues: who paid for which period (a year, `2026`), linked to the member list.
CREATE TABLE treasury_dues (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES members(id),
    period TEXT NOT NULL,
    amount BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    entry_id TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, member_id, period)
);

-- The budget of a year: an amount per account or prefix of classes 6 and 7.
CREATE TABLE treasury_budget (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    account TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (org_id, year, account)
);
