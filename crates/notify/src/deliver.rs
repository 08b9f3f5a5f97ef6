//! Delivery: each channel's pending events, oldest first, sent with
//! retries, each outcome recorded as soon as it is known.
//!
//! Channels run side by side, so one that is down or slow holds back no
//! other. Within a channel events go in order: after a transient failure
//! has used up its retries the channel stops for this run and the event
//! stays pending for the next.
//!
//! The one window in which a crash can repeat a message is between the
//! service accepting it and the `delivered` mark being written, which is
//! the next statement after the response. Webhook receivers can drop such
//! a repeat by its `X-Romwatch-Delivery` id.

use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::join_all;
use romwatch_store::{DeliveryState, Event, Store, StoreError};
use serde::Serialize;

use crate::channel::{Channel, SendError};
use crate::redact::Redactor;
use crate::release::{Links, Release};

#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// Attempts per event and run before it is left for the next run.
    pub max_attempts: u32,
    /// The first retry's delay; each next one doubles, with jitter.
    pub base_delay: Duration,
    /// A service asking for a longer pause than this ends the channel's run.
    pub max_wait: Duration,
    /// Events read per channel and run.
    pub batch: usize,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            max_attempts: 5,
            base_delay: Duration::from_secs(2),
            max_wait: Duration::from_secs(300),
            batch: 1000,
        }
    }
}

/// What a run did on one channel.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChannelReport {
    pub channel: String,
    pub kind: String,
    pub delivered: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Events still waiting when the run ended.
    pub pending: usize,
    /// The distinct errors met, in order.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryReport {
    pub channels: Vec<ChannelReport>,
}

fn lock<'a, 's>(store: &'a Mutex<&'s mut Store>) -> std::sync::MutexGuard<'a, &'s mut Store> {
    // A panic while holding the lock cannot leave the store half-written
    // (each call is one statement), so a poisoned lock is still usable.
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Delivers every channel's pending events.
pub async fn deliver(
    store: &mut Store,
    channels: &[Box<dyn Channel>],
    links: &Links,
    options: &DeliveryOptions,
) -> Result<DeliveryReport, StoreError> {
    for channel in channels {
        if store.register_channel(channel.name(), channel.kind())? {
            tracing::info!(
                channel = channel.name(),
                "new channel: it gets the events recorded from now on"
            );
        }
    }
    let store = Mutex::new(store);
    let redactor = Redactor::of(channels);
    let runs = channels
        .iter()
        .map(|channel| deliver_channel(&store, channel.as_ref(), &redactor, links, options));
    let reports = join_all(runs)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DeliveryReport { channels: reports })
}

async fn deliver_channel(
    store: &Mutex<&mut Store>,
    channel: &dyn Channel,
    redactor: &Redactor,
    links: &Links,
    options: &DeliveryOptions,
) -> Result<ChannelReport, StoreError> {
    let mut report = ChannelReport {
        channel: channel.name().to_string(),
        kind: channel.kind().to_string(),
        ..Default::default()
    };
    let events = lock(store).pending_events(channel.name(), options.batch)?;
    for (index, event) in events.iter().enumerate() {
        if !channel.wants(event) {
            lock(store).record_delivery(event.id, channel.name(), DeliveryState::Skipped, None)?;
            report.skipped += 1;
            continue;
        }
        let release = Release::of(event, links);
        let (state, error) = send_with_retries(channel, &release, redactor, options).await;
        lock(store).record_delivery(event.id, channel.name(), state, error.as_deref())?;
        log_outcome(channel, event, state, error.as_deref());
        if let Some(e) = error
            && !report.errors.contains(&e)
        {
            report.errors.push(e);
        }
        match state {
            DeliveryState::Delivered => report.delivered += 1,
            DeliveryState::Failed => report.failed += 1,
            DeliveryState::Skipped => report.skipped += 1,
            DeliveryState::Pending => {
                // Keep the channel's order: the rest waits for the next run.
                report.pending = events[index..].iter().filter(|e| channel.wants(e)).count();
                break;
            }
        }
    }
    Ok(report)
}

fn log_outcome(channel: &dyn Channel, event: &Event, state: DeliveryState, error: Option<&str>) {
    let (name, file) = (channel.name(), event.rom.filename.as_str());
    match state {
        DeliveryState::Delivered => {
            tracing::info!(channel = name, event = event.id, file, "delivered")
        }
        _ => tracing::warn!(
            channel = name,
            event = event.id,
            file,
            ?state,
            error,
            "not delivered"
        ),
    }
}

/// Sends one event, retrying transient failures; the state to record and
/// the last error, redacted.
async fn send_with_retries(
    channel: &dyn Channel,
    release: &Release<'_>,
    redactor: &Redactor,
    options: &DeliveryOptions,
) -> (DeliveryState, Option<String>) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match channel.send(release).await.map_err(|e| redactor.clean(e)) {
            Ok(()) => return (DeliveryState::Delivered, None),
            Err(SendError::Permanent { reason }) => return (DeliveryState::Failed, Some(reason)),
            Err(SendError::Retry { reason, after }) => {
                let wait = after.unwrap_or_else(|| backoff(options.base_delay, attempt));
                if attempt >= options.max_attempts || wait > options.max_wait {
                    return (DeliveryState::Pending, Some(reason));
                }
                tracing::debug!(channel = channel.name(), ?wait, reason, "retrying");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// `base × 2^(attempt-1)`, plus up to half of it again as jitter so that
/// many romwatch instances do not retry in step.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = exp.mul_f64(f64::from(nanos % 1000) / 2000.0);
    exp + jitter
}

/// One message a dry run would send.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub channel: String,
    pub event_id: i64,
    pub filename: String,
    pub body: String,
}

/// What [`deliver`] would send now, without sending or recording anything.
/// A channel not registered yet would start empty, so it shows nothing.
pub fn preview(
    store: &Store,
    channels: &[Box<dyn Channel>],
    links: &Links,
    batch: usize,
) -> Result<Vec<Preview>, StoreError> {
    let mut out = Vec::new();
    let redactor = Redactor::of(channels);
    for channel in channels {
        for event in store.pending_events(channel.name(), batch)? {
            if channel.wants(&event) {
                let release = Release::of(&event, links);
                out.push(Preview {
                    channel: channel.name().to_string(),
                    event_id: event.id,
                    filename: event.rom.filename.to_string(),
                    body: redactor.redact(&channel.preview(&release)),
                });
            }
        }
    }
    Ok(out)
}

/// Sends a test message built from `event` (normally the newest ROM) to one
/// channel, recording nothing; an error comes back redacted of the secrets
/// of every channel in `channels`.
pub async fn send_test(
    channel: &dyn Channel,
    channels: &[Box<dyn Channel>],
    event: &Event,
    links: &Links,
) -> Result<(), SendError> {
    let mut release = Release::of(event, links);
    release.test = true;
    let redactor = Redactor::of(channels);
    channel.send(&release).await.map_err(|e| redactor.clean(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 1..=4 {
            let d = backoff(base, attempt);
            let floor = base * (1 << (attempt - 1));
            assert!(d >= floor && d <= floor.mul_f64(1.5), "{attempt}: {d:?}");
        }
    }
}
