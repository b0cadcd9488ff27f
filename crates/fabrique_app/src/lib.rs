//! Fabrique's use cases. Every operation a person or a client can perform is a function
//! here taking the acting [`Actor`] (or none), checking authorization itself, and returning
//! an [`AppResult`]. The web crate's HTML forms and JSON API both call these, so a rule
//! lives in one place.
//!
//! Architecture invariant: this crate knows SQL but not HTTP.

pub mod accounts;
pub mod audit;
pub mod db;
pub mod demo;
pub mod documents;
pub mod error;
pub mod governance;
pub mod invitations;
pub mod mail;
pub mod members;
pub mod orgs;
pub mod treasury;

use std::sync::Arc;

pub use db::{Backend, Db};
pub use error::{AppError, AppResult};
use fabrique_core::Clock;
pub use mail::Mailer;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct Config {
    /// The public address of the instance, e.g. `https://fabrique.example.org`, used in
    /// links sent by e-mail.
    pub base_url: String,
}

/// Everything a use case needs: the database, the clock, the mailer, the settings.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub db: Db,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Where e-mails go.
    pub mailer: Mailer,
    /// Settings.
    pub config: Arc<Config>,
    /// Ballots waiting to be stored.
    pub(crate) ballots: governance::ballots::BallotQueue,
}

impl App {
    /// Builds the application over a connected, migrated database.
    pub fn new(db: Db, clock: Arc<dyn Clock>, mailer: Mailer, config: Config) -> Self {
        App {
            db,
            clock,
            mailer,
            config: Arc::new(config),
            ballots: Default::default(),
        }
    }

    /// Now, in milliseconds since the epoch (UTC).
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The signed-in person on whose behalf a use case runs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Actor {
    /// User id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Whether they administer the whole instance.
    pub instance_admin: bool,
}
