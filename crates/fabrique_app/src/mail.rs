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

    /// Sends many messages without keeping the caller waiting on the mail server: through
    /// SMTP they go out one after the other from a background task (a decision's
    /// electorate may be thousands of members); logged ones are written at once.
    pub async fn send_all(&self, mails: Vec<Mail>) {
        if self.smtp.is_some() {
            let mailer = self.clone();
            tokio::spawn(async move {
                for mail in mails {
                    mailer.send(mail).await;
                }
            });
        } else {
            for mail in mails {
                self.send(mail).await;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A minimal SMTP server that greets nobody until `go` fires, then accepts every
    /// message and reports each recipient.
    async fn smtp_sink(
        listener: TcpListener,
        go: tokio::sync::oneshot::Receiver<()>,
        delivered: tokio::sync::mpsc::UnboundedSender<String>,
    ) {
        let _ = go.await;
        while let Ok((stream, _)) = listener.accept().await {
            let delivered = delivered.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        b"250 queued\r\n"
                    } else if line.starts_with("EHLO") || line.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if let Some(to) = line.strip_prefix("RCPT TO:") {
                        let _ = delivered.send(to.trim_matches(['<', '>', ' ']).to_owned());
                        b"250 ok\r\n"
                    } else if line.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if line.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    }

    #[tokio::test]
    async fn many_messages_leave_in_the_background_through_smtp() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (go, wait) = tokio::sync::oneshot::channel();
        let (delivered, mut received) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(smtp_sink(listener, wait, delivered));
        let mailer = Mailer::smtp(&SmtpConfig {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "Fabrique <noreply@fabrique.test>".into(),
        })
        .unwrap();
        let mails: Vec<Mail> = (0..5)
            .map(|i| Mail {
                to: format!("membre{i}@fabrique.test"),
                subject: "Résultat".into(),
                body: "Adopté.".into(),
            })
            .collect();
        // The server greets nobody until told to: send_all must not wait for it (the
        // generous bound only turns a regression into a failure instead of a hang).
        tokio::time::timeout(std::time::Duration::from_secs(30), mailer.send_all(mails))
            .await
            .expect("send_all returned without waiting for the server");
        assert!(received.try_recv().is_err(), "nothing delivered yet");
        go.send(()).unwrap();
        let mut to = Vec::new();
        while to.len() < 5 {
            to.push(received.recv().await.expect("a delivery"));
        }
        assert_eq!(
            to,
            (0..5)
                .map(|i| format!("membre{i}@fabrique.test"))
                .collect::<Vec<_>>()
        );
    }
}
