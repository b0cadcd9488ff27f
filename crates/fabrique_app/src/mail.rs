//! Outgoing e-mail: SMTP when configured, otherwise the message is written to the log
//! (so a self-hoster without SMTP can still reset a password) and kept in a small
//! in-memory outbox that the instance administrator and the tests can read.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// An e-mail to send.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Where e-mails go.
#[derive(Clone)]
pub struct Mailer {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    outbox: Arc<Mutex<VecDeque<Mail>>>,
}

/// SMTP settings.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `smtps://user:pass@host:465` or `smtp://host:587?tls=required`, as lettre reads it.
    pub url: String,
    /// The sender, e.g. `Fabrique <noreply@example.org>`.
    pub from: String,
}

const OUTBOX_SIZE: usize = 200;

impl Mailer {
    /// A mailer that writes messages to the log.
    pub fn log_only() -> Self {
        Mailer {
            smtp: None,
            outbox: Arc::default(),
        }
    }

    /// A mailer that sends through SMTP.
    pub fn smtp(config: &SmtpConfig) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
            .context("reading the SMTP URL")?
            .build();
        let from: Mailbox = config.from.parse().context("reading the sender address")?;
        Ok(Mailer {
            smtp: Some((transport, from)),
            outbox: Arc::default(),
        })
    }

    /// Sends (or logs) a message. A failure to deliver is logged, not returned: the action
    /// that triggered the message has already happened.
    pub async fn send(&self, mail: Mail) {
        match &self.smtp {
            Some((transport, from)) => {
                let built = mail
                    .to
                    .parse::<Mailbox>()
                    .map_err(anyhow::Error::from)
                    .and_then(|to| {
                        Message::builder()
                            .from(from.clone())
                            .to(to)
                            .subject(mail.subject.clone())
                            .body(mail.body.clone())
                            .map_err(anyhow::Error::from)
                    });
                match built {
                    Ok(message) => {
                        if let Err(e) = transport.send(message).await {
                            tracing::error!(to = %mail.to, error = %e, "e-mail not delivered");
                        }
                    }
                    Err(e) => tracing::error!(to = %mail.to, error = %e, "e-mail not built"),
                }
            }
            None => {
                tracing::info!(to = %mail.to, subject = %mail.subject, body = %mail.body, "e-mail (no SMTP configured)");
            }
        }
        let mut outbox = self.outbox.lock().unwrap_or_else(|p| p.into_inner());
        if outbox.len() == OUTBOX_SIZE {
            outbox.pop_front();
        }
        outbox.push_back(mail);
    }

    /// The most recent messages, oldest first.
    pub fn recent(&self) -> Vec<Mail> {
        self.outbox
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}
