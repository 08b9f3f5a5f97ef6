//! The configured channels, built from `[notify]` with their secrets: the
//! one place that knows every kind of channel.

use crate::channel::Channel;
use crate::config::{ChannelConfigError, NotifyConfig};
use crate::{discord, file, telegram, webhook};

/// Builds every configured channel. `env` looks up environment variables
/// (secrets); a channel whose secret is missing is an error.
pub fn build_channels(
    config: &NotifyConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Box<dyn Channel>>, ChannelConfigError> {
    let secret = |channel: &str, var: &str| {
        env(var)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ChannelConfigError::MissingSecret {
                channel: channel.to_string(),
                var: var.to_string(),
            })
    };
    let mut channels: Vec<Box<dyn Channel>> = Vec::new();
    for c in &config.telegram {
        channels.push(Box::new(telegram::Telegram::new(
            c,
            secret(&c.name, &c.token_env)?,
        )?));
    }
    for c in &config.discord {
        let url = match (&c.webhook_url, &c.webhook_url_env) {
            (Some(url), None) => url.clone(),
            (None, Some(var)) => secret(&c.name, var)?,
            _ => {
                return Err(ChannelConfigError::Invalid {
                    channel: c.name.clone(),
                    message: "set exactly one of webhook_url and webhook_url_env".into(),
                });
            }
        };
        channels.push(Box::new(discord::Discord::new(c, url)?));
    }
    for c in &config.webhook {
        channels.push(Box::new(webhook::Webhook::new(
            c,
            secret(&c.name, &c.secret_env)?,
        )?));
    }
    for c in &config.file {
        channels.push(Box::new(file::FileLog::new(c)));
    }
    let mut names: Vec<&str> = channels.iter().map(|c| c.name()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(ChannelConfigError::DuplicateName(pair[0].to_string()));
    }
    Ok(channels)
}
