-- Governance: decisions, electorates, ballots (secret and public), proxies, assemblies and
-- the charter. Portable DDL: the same file runs on SQLite and PostgreSQL.
--
-- Secrecy: `secret_ballots` holds ballot contents only. It has no voter, no time, no
-- sequence shared with any other table, no foreign key to a member. Its key `slot` is an
-- INTEGER PRIMARY KEY chosen at random, so that on SQLite (where it is the rowid) the
-- physical order of the rows is random, not the order of voting. Who voted is the `voted`
-- flag of `decision_electorate`, whose rows were all written when the decision opened.

CREATE TABLE charters (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    text TEXT NOT NULL,
    rules TEXT NOT NULL,
    status TEXT NOT NULL,
    decision_id TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    adopted_at BIGINT
);
CREATE INDEX charters_org ON charters(org_id, status, revision);

CREATE TABLE assemblies (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    remote TEXT NOT NULL DEFAULT '',
    call_number BIGINT NOT NULL DEFAULT 1,
    chair_member_id TEXT REFERENCES members(id),
    secretary_member_id TEXT REFERENCES members(id),
    convened_by TEXT REFERENCES users(id),
    convened_at BIGINT,
    status TEXT NOT NULL,
    minutes TEXT,
    signed_chair_at BIGINT,
    signed_secretary_at BIGINT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX assemblies_org ON assemblies(org_id, starts_at);

CREATE TABLE assembly_attendance (
    assembly_id TEXT NOT NULL REFERENCES assemblies(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES members(id),
    presence TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (assembly_id, member_id)
);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    assembly_id TEXT REFERENCES assemblies(id),
    position BIGINT NOT NULL DEFAULT 0,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL,
    spec TEXT NOT NULL,
    secret BIGINT NOT NULL,
    live_results BIGINT NOT NULL,
    status TEXT NOT NULL,
    opens_at BIGINT,
    closes_at BIGINT,
    opened_at BIGINT,
    closed_at BIGINT,
    rules TEXT,
    electorate_count BIGINT,
    electorate_fingerprint TEXT,
    colleges TEXT,
    version BIGINT NOT NULL DEFAULT 0,
    reminded BIGINT NOT NULL DEFAULT 0,
    result TEXT,
    charter_id TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX decisions_org ON decisions(org_id, status);
CREATE INDEX decisions_due ON decisions(status, closes_at);

-- The electorate fixed at opening, and the émargement: `voted` says that this member's
-- voice was used (by them or by their proxy `voted_by`), never what it said, except for
-- public ballots whose content is in `ballot`.
CREATE TABLE decision_electorate (
    decision_id TEXT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES members(id),
    college TEXT,
    voted BIGINT NOT NULL DEFAULT 0,
    voted_by TEXT,
    ballot TEXT,
    tracker TEXT,
    PRIMARY KEY (decision_id, member_id)
);

CREATE TABLE secret_ballots (
    slot INTEGER PRIMARY KEY,
    decision_id TEXT NOT NULL,
    tracker TEXT NOT NULL UNIQUE,
    college TEXT,
    content TEXT NOT NULL
);
CREATE INDEX secret_ballots_decision ON secret_ballots(decision_id);

CREATE TABLE proxies (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    decision_id TEXT REFERENCES decisions(id) ON DELETE CASCADE,
    assembly_id TEXT REFERENCES assemblies(id) ON DELETE CASCADE,
    grantor_member_id TEXT NOT NULL REFERENCES members(id),
    holder_member_id TEXT NOT NULL REFERENCES members(id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX proxies_holder ON proxies(holder_member_id, revoked_at);
CREATE INDEX proxies_grantor ON proxies(grantor_member_id, revoked_at);

CREATE TABLE decision_comments (
    id TEXT PRIMARY KEY,
    decision_id TEXT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX decision_comments_decision ON decision_comments(decision_id, created_at);
