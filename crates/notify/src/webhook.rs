//! Generic webhooks: the event as JSON, signed with HMAC-SHA256 so that the
//! receiver can check it came from us.
//!
//! The body is a [`romwatch_api::Webhook`]: the public ROM object the API
//! answers, with the event and the site's links.
//!
//! Headers: `X-Romwatch-Event` (new, md5, size, promoted, withdrawn,
//! restored),
//! `X-Romwatch-Delivery` (unique per event and channel, the same on every
//! retry: receivers drop repeats by it) and `X-Romwatch-Signature:
//! sha256=<hex HMAC-SHA256 of the body, keyed with the secret>`.

use hmac::{Hmac, Mac};
use romwatch_api::{Rom, SCHEMA, WebhookLinks};
use romwatch_store::Event;
use sha2::{Digest, Sha256};

use crate::channel::{Channel, SendFuture, check_url, classify, http_client, post_json};
use crate::config::{ChannelConfigError, Filter, WebhookConfig};
use crate::release::Release;

pub struct Webhook {
    name: String,
    url: reqwest::Url,
    secret: String,
    filter: Filter,
    client: reqwest::Client,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256=<hex>` of `body` keyed with `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

impl Webhook {
    pub fn new(config: &WebhookConfig, secret: String) -> Result<Webhook, ChannelConfigError> {
        let url = check_url(&config.name, &config.url)?;
        Ok(Webhook {
            name: config.name.clone(),
            url,
            secret,
            filter: config.filter.clone(),
            client: http_client(&config.name)?,
        })
    }

    /// Unique per (event, channel) and stable across retries.
    fn delivery_id(&self, event: &Event) -> String {
        let channel = hex(&Sha256::digest(self.name.as_bytes())[..6]);
        format!("{}-{channel}", event.uid)
    }

    fn body(&self, r: &Release<'_>) -> String {
        let e = r.event;
        let body = romwatch_api::Webhook {
            schema: SCHEMA,
            event: e.kind.name().to_string(),
            delivery: self.delivery_id(e),
            event_id: e.uid.clone(),
            created_at: e.created_at,
            // Mirror checks and package metadata are not the notifier's to
            // read: the ROM's own links, unchecked, and no security patch.
            rom: Rom::new(&e.rom, &e.device.name, None, None, r.base_url),
            incremental_url: e.incremental_url.as_ref().map(|l| l.as_str().to_string()),
            links: WebhookLinks {
                update_page: r.update_page.clone(),
                device_page: r.device_page.clone(),
                archive_page: r.archive_page.clone(),
            },
        };
        serde_json::to_string(&body)
            .unwrap_or_else(|e| unreachable!("a webhook body serializes: {e}"))
    }
}

impl Channel for Webhook {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "webhook"
    }

    /// Webhooks get every kind of event their filter lets through.
    fn wants(&self, event: &Event) -> bool {
        self.filter.matches(event)
    }

    fn preview(&self, release: &Release<'_>) -> String {
        self.body(release)
    }

    /// The HMAC key, and a password the URL may carry.
    fn secrets(&self) -> Vec<String> {
        let password = self.url.password().map(str::to_string);
        std::iter::once(self.secret.clone())
            .chain(password)
            .collect()
    }

    fn send<'a>(&'a self, release: &'a Release<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let body = self.body(release);
            let headers = [
                ("X-Romwatch-Event", release.event.kind.name().to_string()),
                ("X-Romwatch-Delivery", self.delivery_id(release.event)),
                (
                    "X-Romwatch-Signature",
                    signature(self.secret.as_bytes(), body.as_bytes()),
                ),
            ];
            let answer = post_json(&self.client, &self.url, &headers, body).await?;
            classify(answer.status, &answer.headers, &answer.body, None)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
