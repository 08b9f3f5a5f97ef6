//! Discord: an embed posted to a webhook, within Discord's limits, with
//! mentions disabled and its rate-limit bucket respected.

use std::time::Duration;

use romwatch_store::Event;
use serde_json::{Value, json};

use crate::channel::{
    Channel, SendFuture, chat_wants, check_url, classify, http_client, post_json, truncate,
};
use crate::config::{ChannelConfigError, DiscordConfig, Filter};
use crate::release::Release;

/// Discord's embed limits.
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 4096;
const MAX_FIELD_VALUE: usize = 1024;
/// The longest pause a rate-limit header may impose between two messages.
const MAX_BUCKET_WAIT: Duration = Duration::from_secs(60);

pub struct Discord {
    name: String,
    /// Holds the webhook token: never shown.
    endpoint: reqwest::Url,
    /// The URL as configured, and its token.
    secrets: Vec<String>,
    filter: Filter,
    client: reqwest::Client,
}

impl Discord {
    pub fn new(config: &DiscordConfig, url: String) -> Result<Discord, ChannelConfigError> {
        let mut endpoint = check_url(&config.name, &url)?;
        let token = webhook_token(&endpoint);
        // `wait=true`: Discord answers with the message or the error.
        endpoint.query_pairs_mut().append_pair("wait", "true");
        Ok(Discord {
            name: config.name.clone(),
            endpoint,
            secrets: std::iter::once(url).chain(token).collect(),
            filter: config.filter.clone(),
            client: http_client(&config.name)?,
        })
    }
}

/// The token of a webhook URL: the segment after `webhooks/<id>/`
/// (`https://discord.com/api/webhooks/ID/TOKEN`), else the last segment.
fn webhook_token(url: &reqwest::Url) -> Option<String> {
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let after_id = segments
        .iter()
        .position(|s| *s == "webhooks")
        .and_then(|i| segments.get(i + 2));
    after_id.or(segments.last()).map(|s| s.to_string())
}

/// Escapes Discord markdown so that upstream text shows as written.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*'
                | '_'
                | '~'
                | '`'
                | '|'
                | '>'
                | '#'
                | '-'
                | '['
                | ']'
                | '('
                | ')'
                | '<'
                | '@'
                | ':'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A markdown link; the URL's parentheses are percent-encoded so that it
/// cannot end the link early.
fn link(label: &str, url: &str) -> String {
    format!("[{label}]({})", url.replace('(', "%28").replace(')', "%29"))
}

pub(crate) fn body(r: &Release<'_>) -> Value {
    let field = |name: &str, value: String, inline: bool| json!({ "name": name, "value": truncate(&value, MAX_FIELD_VALUE), "inline": inline });
    let mut fields = vec![
        field("Device", escape(r.device_name), true),
        field("Codename", escape(r.codename), true),
        field("Type", escape(&r.kind_label), true),
        field(
            "Version",
            format!(
                "{}{}",
                escape(r.version),
                r.android
                    .map(|a| format!(" | Android {}", escape(a)))
                    .unwrap_or_default()
            ),
            true,
        ),
    ];
    if let Some(size) = &r.size {
        fields.push(field("Size", escape(size), true));
    }
    if let Some(md5) = &r.md5 {
        fields.push(field("MD5", format!("`{}`", md5.replace('`', "")), false));
    }
    let mut downloads = Vec::new();
    if let Some(url) = r.download {
        downloads.push(link("Full ROM", url));
    }
    if let Some(url) = r.incremental {
        downloads.push(link("Incremental", url));
    }
    downloads.push(link("Latest", &r.device_page));
    downloads.push(link("Archive", &r.archive_page));
    fields.push(field("Downloads", downloads.join(" · "), false));

    let description = match r.changelog {
        Some(changelog) => {
            let text = escape(changelog.trim());
            if text.chars().count() > MAX_DESCRIPTION - 200 {
                format!(
                    "{}\n\n{}",
                    truncate(&text, MAX_DESCRIPTION - 300),
                    link("Full changelog", &r.update_page)
                )
            } else {
                text
            }
        }
        None => String::new(),
    };
    json!({
        "allowed_mentions": { "parse": [] },
        "embeds": [{
            "title": truncate(&format!("{}: {} {}", r.os_tag, r.device_name, r.version), MAX_TITLE),
            "url": r.update_page,
            "description": description,
            "author": { "name": r.headline() },
            "fields": fields,
            "timestamp": r.event.created_at.to_rfc3339(),
        }],
    })
}

/// How long Discord's bucket asks us to wait before the next message.
fn bucket_wait(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    if header("x-ratelimit-remaining")? > 0.0 {
        return None;
    }
    let seconds = header("x-ratelimit-reset-after")?;
    (seconds.is_finite() && seconds > 0.0)
        .then(|| Duration::from_secs_f64(seconds).min(MAX_BUCKET_WAIT))
}

impl Channel for Discord {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "discord"
    }

    fn wants(&self, event: &Event) -> bool {
        chat_wants(&self.filter, event)
    }

    fn preview(&self, release: &Release<'_>) -> String {
        body(release).to_string()
    }

    fn secrets(&self) -> Vec<String> {
        self.secrets.clone()
    }

    fn send<'a>(&'a self, release: &'a Release<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let answer =
                post_json(&self.client, &self.endpoint, &[], body(release).to_string()).await?;
            let parsed: Option<Value> = serde_json::from_str(&answer.body).ok();
            let message = parsed
                .as_ref()
                .and_then(|v| v["message"].as_str())
                .unwrap_or("no message")
                .to_string();
            let after = parsed
                .and_then(|v| v["retry_after"].as_f64())
                .map(|s| Duration::from_secs_f64(s.clamp(0.0, 86_400.0)));
            let outcome = classify(answer.status, &answer.headers, &message, after);
            if outcome.is_ok()
                && let Some(wait) = bucket_wait(&answer.headers)
            {
                tokio::time::sleep(wait).await;
            }
            outcome
        })
    }
}
