//! The running application over HTTP, on SQLite by default or on PostgreSQL when
//! `FABRIQUE_TEST_DATABASE_URL=postgres://…` names a server (each test gets its own fresh
//! database there).

mod support;

mod accounts;
mod authz;
mod csrf;
mod documents;
mod governance;
mod orgs;
mod security;
mod treasury;
