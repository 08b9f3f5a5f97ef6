//! Notifications: romwatch's outbox of release events delivered to
//! Telegram channels, Discord webhooks and signed generic webhooks.
//!
//! The notifier decides nothing about what is new — the tracker wrote the
//! events — it only formats them, sends them, and records each outcome per
//! (event, channel), so that a delivered event is never sent again.

mod channel;
mod channels;
mod config;
mod deliver;
mod discord;
mod file;
mod redact;
mod release;
mod telegram;
mod webhook;

pub use channel::{Channel, SendError};
pub use channels::build_channels;
pub use config::{
    ChannelConfigError, DiscordConfig, FileConfig, Filter, NotifyConfig, TelegramConfig,
    WebhookConfig,
};
pub use deliver::{
    ChannelReport, DeliveryOptions, DeliveryReport, Preview, deliver, preview, send_test,
};
pub use release::Links;
pub use webhook::signature;
