//! Telegram: a message in HTML parse mode to a chat or channel, with
//! buttons, through the Bot API's `sendMessage`.

use std::time::Duration;

use romwatch_store::Event;
use serde_json::{Value, json};

use crate::channel::{
    Channel, SendFuture, chat_wants, check_url, classify, http_client, post_json,
};
use crate::config::{ChannelConfigError, Filter, TelegramConfig};
use crate::release::Release;

/// Telegram's limit on a message's text.
const MAX_TEXT: usize = 4096;

pub struct Telegram {
    name: String,
    chat: String,
    /// `<api_base>/bot<token>/sendMessage`: holds the token, never shown.
    endpoint: reqwest::Url,
    /// The token, and its secret part after the bot id.
    secrets: Vec<String>,
    filter: Filter,
    client: reqwest::Client,
}

impl Telegram {
    pub fn new(config: &TelegramConfig, token: String) -> Result<Telegram, ChannelConfigError> {
        let invalid = |message: &str| ChannelConfigError::Invalid {
            channel: config.name.clone(),
            message: message.into(),
        };
        if token.contains(['/', '?', '#']) || token.chars().any(char::is_whitespace) {
            return Err(invalid("the bot token has characters a token never has"));
        }
        if config.chat.trim().is_empty() {
            return Err(invalid("chat is empty"));
        }
        let mut endpoint = check_url(&config.name, &config.api_base)?;
        endpoint
            .path_segments_mut()
            .map_err(|_| invalid("api_base cannot take a path"))?
            .pop_if_empty()
            .push(&format!("bot{token}"))
            .push("sendMessage");
        let secret_part = token.split_once(':').map(|(_, s)| s.to_string());
        Ok(Telegram {
            name: config.name.clone(),
            chat: config.chat.clone(),
            endpoint,
            secrets: std::iter::once(token).chain(secret_part).collect(),
            filter: config.filter.clone(),
            client: http_client(&config.name)?,
        })
    }

    fn body(&self, release: &Release<'_>) -> Value {
        json!({
            "chat_id": self.chat,
            "text": text(release),
            "parse_mode": "HTML",
            "link_preview_options": { "is_disabled": true },
            "reply_markup": { "inline_keyboard": buttons(release) },
        })
    }
}

/// Escapes text for Telegram's HTML mode, which knows `&lt;`, `&gt;`,
/// `&amp;` and `&quot;` only.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A hashtag from a codename: letters, digits and `_` only.
fn hashtag(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The message text. The changelog goes in an expandable quote; if the
/// whole would pass Telegram's limit, a link to the update page takes its
/// place.
pub(crate) fn text(r: &Release<'_>) -> String {
    let mut head = format!(
        "#{} #{}\n<b>{}</b>\n\n<b>Device:</b> {}\n<b>Codename:</b> <code>{}</code>\n<b>Type:</b> {}\n<b>Version:</b> <code>{}</code>",
        r.os_tag,
        hashtag(r.codename),
        escape(r.headline()),
        escape(r.device_name),
        escape(r.codename),
        escape(&r.kind_label),
        escape(r.version),
    );
    if let Some(android) = r.android {
        head.push_str(&format!(" | Android {}", escape(android)));
    }
    if let Some(size) = &r.size {
        head.push_str(&format!("\n<b>Size:</b> {}", escape(size)));
    }
    if let Some(md5) = &r.md5 {
        head.push_str(&format!("\n<b>MD5:</b> <code>{}</code>", escape(md5)));
    }
    let link = format!(
        "\n\n<a href=\"{}\">Changelog and all files</a>",
        escape(&r.update_page)
    );
    if let Some(changelog) = r.changelog {
        let full = format!(
            "{head}\n\n<b>Changelog:</b>\n<blockquote expandable>{}</blockquote>",
            escape(changelog.trim())
        );
        if full.chars().count() <= MAX_TEXT {
            return full;
        }
    }
    head + &link
}

fn buttons(r: &Release<'_>) -> Value {
    let button = |text: &str, url: &str| json!({ "text": text, "url": url });
    let mut first = Vec::new();
    if let Some(url) = r.download {
        first.push(button("Full ROM", url));
    }
    if let Some(url) = r.incremental {
        first.push(button("Incremental", url));
    }
    let second = vec![
        button("Latest", &r.device_page),
        button("Archive", &r.archive_page),
    ];
    json!([first, second])
}

/// What the Bot API says when it refuses: `description`, and
/// `parameters.retry_after` on 429.
fn api_error(body: &str) -> (String, Option<Duration>) {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let description = parsed
        .as_ref()
        .and_then(|v| v["description"].as_str())
        .unwrap_or("no description")
        .to_string();
    let after = parsed
        .and_then(|v| v["parameters"]["retry_after"].as_f64())
        .map(|s| Duration::from_secs_f64(s.clamp(0.0, 86_400.0)));
    (description, after)
}

impl Channel for Telegram {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "telegram"
    }

    fn wants(&self, event: &Event) -> bool {
        chat_wants(&self.filter, event)
    }

    fn preview(&self, release: &Release<'_>) -> String {
        self.body(release).to_string()
    }

    fn secrets(&self) -> Vec<String> {
        self.secrets.clone()
    }

    fn send<'a>(&'a self, release: &'a Release<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let answer = post_json(
                &self.client,
                &self.endpoint,
                &[],
                self.body(release).to_string(),
            )
            .await?;
            let (description, after) = api_error(&answer.body);
            classify(answer.status, &answer.headers, &description, after)
        })
    }
}
