-- Knowledge commons: documents, their immutable revisions, forks, change proposals,
-- and the change feed that keeps every process's search index up to date.
-- Portable DDL: the same file runs on SQLite and PostgreSQL.

CREATE TABLE document_settings (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    default_license TEXT NOT NULL,
    editors TEXT NOT NULL
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    visibility TEXT NOT NULL,
    license TEXT NOT NULL,
    author_id TEXT REFERENCES users(id),
    current_revision BIGINT NOT NULL,
    source_document_id TEXT REFERENCES documents(id) ON DELETE SET NULL,
    source_revision BIGINT,
    upstream_revision BIGINT,
    attribution TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, slug)
);
CREATE INDEX documents_source ON documents(source_document_id);

CREATE TABLE document_revisions (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    parent BIGINT,
    author_id TEXT REFERENCES users(id),
    author_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    message TEXT NOT NULL,
    content TEXT NOT NULL,
    UNIQUE (document_id, number)
);

CREATE TABLE document_proposals (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    base_revision BIGINT NOT NULL,
    content TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT REFERENCES users(id),
    merged_revision BIGINT
);
CREATE INDEX document_proposals_document ON document_proposals(document_id, status);

CREATE TABLE document_comments (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES document_proposals(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX document_comments_proposal ON document_comments(proposal_id, created_at);

-- One row per change to a document, numbered by a counter row that every writer updates
-- last in its transaction: the row lock makes numbers follow commit order, so a reader
-- that has seen number N has seen every change numbered below N.
CREATE TABLE document_index_counter (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO document_index_counter (id, seq) VALUES (1, 0);

CREATE TABLE document_index_log (
    seq BIGINT PRIMARY KEY,
    document_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
