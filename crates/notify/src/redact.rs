//! Keeping configured secrets out of every text that leaves romwatch.
//!
//! A service may echo what it was sent: a Telegram proxy answering
//! `Cannot POST /bot123:SECRET/sendMessage`, a receiver quoting its URL.
//! Whatever a channel's send says is therefore passed through a
//! [`Redactor`] holding every configured secret — bot tokens, the token
//! part of Discord webhook URLs, webhook HMAC keys — before it is logged,
//! stored as a failure reason, printed or put in `--json`. Redaction comes
//! before any truncation, so that no cut can leave half a secret behind.

use crate::channel::{Channel, SendError, truncate};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The longest failure reason kept, in characters, once redacted.
const MAX_REASON: usize = 320;

/// Replaces every configured secret in a text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Each secret and its percent-encoded forms, longest first, so that a
    /// secret containing another is replaced whole.
    needles: Vec<String>,
}

impl Redactor {
    /// A redactor of `secrets` (empty ones are ignored).
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Redactor {
        let mut needles: Vec<String> = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.is_empty() {
                continue;
            }
            needles.push(secret.to_string());
            // An echoed URL path may carry it percent-encoded.
            needles.push(percent_encoded(secret, false));
            needles.push(percent_encoded(secret, true));
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Redactor { needles }
    }

    /// A redactor of every secret of `channels`.
    pub fn of(channels: &[Box<dyn Channel>]) -> Redactor {
        Redactor::new(channels.iter().flat_map(|c| c.secrets()))
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = text.replace(needle.as_str(), REDACTED);
            }
        }
        text
    }

    /// A send error fit to leave romwatch: redacted, then cut to a
    /// readable length.
    pub fn clean(&self, error: SendError) -> SendError {
        let tidy = |reason: String| truncate(&self.redact(&reason), MAX_REASON);
        match error {
            SendError::Retry { reason, after } => SendError::Retry {
                reason: tidy(reason),
                after,
            },
            SendError::Permanent { reason } => SendError::Permanent {
                reason: tidy(reason),
            },
        }
    }
}

/// `text` with every byte but ASCII letters, digits and `-._~` written as
/// `%XX`, in upper- or lower-case hex.
fn percent_encoded(text: &str, lower: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else if lower {
            out.push_str(&format!("%{byte:02x}"));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_secret_is_replaced() {
        let redactor = Redactor::new(["123:AAH-secret", "", "hmac key"]);
        assert_eq!(
            redactor.redact("Cannot POST /bot123:AAH-secret/sendMessage"),
            "Cannot POST /bot[redacted]/sendMessage"
        );
        assert_eq!(
            redactor.redact("path /bot123%3AAAH-secret/ and /bot123%3aAAH-secret/"),
            "path /bot[redacted]/ and /bot[redacted]/"
        );
        assert_eq!(
            redactor.redact("key=hmac key, hmac%20key"),
            "key=[redacted], [redacted]"
        );
        assert_eq!(redactor.redact("nothing here"), "nothing here");
    }

    #[test]
    fn a_secret_cut_by_truncation_cannot_survive() {
        let secret = "S".repeat(40);
        let redactor = Redactor::new([secret.as_str()]);
        let reason = format!("HTTP 400: {}{secret}", "x".repeat(300));
        let SendError::Permanent { reason } = redactor.clean(SendError::Permanent { reason })
        else {
            unreachable!("the kind is kept");
        };
        assert!(!reason.contains("SSSS"), "{reason}");
    }
}
