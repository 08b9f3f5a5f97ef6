//! Delivery against mock Telegram, Discord and webhook servers on
//! 127.0.0.1: the exact requests, rate limits, permanent failures, a channel
//! that is down, no duplicates across runs, and no secret in any output.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use chrono::Utc;
use romwatch_model::Record;
use romwatch_notify::{
    DeliveryOptions, DeliveryReport, Links, NotifyConfig, build_channels, deliver, preview,
    signature,
};
use romwatch_store::{Announce, DeliveryState, Store, to_incoming};
use serde_json::Value;

const TOKEN: &str = "123456:SECRET-bot-token";
const SECRET: &str = "webhook-secret-value";

/// One request the mock saw.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: String,
}

/// A scripted answer: status, headers, body.
type Answer = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// A mock service: records requests, answers from a script, then 200.
#[derive(Clone, Default)]
struct Mock {
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl Mock {
    async fn start(&self) -> String {
        let mock = self.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let mock = mock.clone();
            async move {
                mock.seen.lock().unwrap().push(Seen {
                    path: uri.path().to_string(),
                    headers,
                    body: String::from_utf8_lossy(&body).into(),
                });
                let (status, headers, body) = mock.script.lock().unwrap().pop_front().unwrap_or((
                    200,
                    vec![],
                    r#"{"ok":true}"#,
                ));
                let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
                for (k, v) in headers {
                    response.headers_mut().insert(k, v.parse().unwrap());
                }
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    }

    fn then(
        &self,
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: &'static str,
    ) -> &Self {
        self.script
            .lock()
            .unwrap()
            .push_back((status, headers, body));
        self
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn record(version: &str, changelog: &str, device: &str) -> Record {
    let filename = format!("miui_AGATEEEAGlobal_{version}_6e09feeec4_14.0.zip");
    Record {
        codename: "agate".into(),
        device: device.into(),
        os: "hyperos".into(),
        version: version.into(),
        branch: "Stable".into(),
        method: "Recovery".into(),
        size: Some("4.9 GB".into()),
        md5: Some("6e09feeec4fd978802f4db87ddd7035b".into()),
        url: Some(format!("https://bigota.d.miui.com/{version}/{filename}")),
        changelog: Some(changelog.into()),
        incremental_url: Some(format!(
            "https://bigota.d.miui.com/{version}/miui-blockota-agate_eea_global-OS1.0.9.0.UKWEUXM-{version}-685ef0944d-14.0.zip"
        )),
        filename,
        ..Record::default()
    }
}

fn release(store: &mut Store, records: &[Record]) {
    let batch: Vec<_> = records
        .iter()
        .map(|r| to_incoming(r, Utc::now()).unwrap())
        .collect();
    store.merge(&batch, Announce::Changes).unwrap();
}

fn config(telegram: Option<&str>, discord: Option<&str>, webhook: Option<&str>) -> NotifyConfig {
    let mut toml = String::new();
    if let Some(base) = telegram {
        toml += &format!(
            "[[telegram]]\nname = \"tg\"\nchat = \"@MIUIUpdatesTracker\"\ntoken_env = \"TG_TOKEN\"\napi_base = \"{base}\"\n"
        );
    }
    if let Some(base) = discord {
        toml +=
            &format!("[[discord]]\nname = \"dc\"\nwebhook_url = \"{base}/api/webhooks/1/tok\"\n");
    }
    if let Some(base) = webhook {
        toml += &format!(
            "[[webhook]]\nname = \"hook\"\nurl = \"{base}/romwatch\"\nsecret_env = \"HOOK_SECRET\"\n"
        );
    }
    toml::from_str(&toml).unwrap()
}

fn env(var: &str) -> Option<String> {
    match var {
        "TG_TOKEN" => Some(TOKEN.into()),
        "HOOK_SECRET" => Some(SECRET.into()),
        _ => None,
    }
}

fn fast() -> DeliveryOptions {
    DeliveryOptions {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_wait: Duration::from_secs(2),
        batch: 100,
    }
}

fn links() -> Links {
    Links {
        base_url: "https://roms.example.org".into(),
    }
}

async fn run(store: &mut Store, config: &NotifyConfig) -> DeliveryReport {
    let channels = build_channels(config, &env).unwrap();
    deliver(store, &channels, &links(), &fast()).await.unwrap()
}

/// A store whose channels are registered, then two releases.
async fn store_with_two_releases(config: &NotifyConfig) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, config).await;
    release(
        &mut store,
        &[record(
            "OS1.0.10.0.UKWEUXM",
            "[System]\nFixes <script>alert(1)</script>",
            "Xiaomi 11T EEA",
        )],
    );
    release(
        &mut store,
        &[record("OS1.0.11.0.UKWEUXM", "More fixes", "Xiaomi 11T EEA")],
    );
    store
}

#[tokio::test]
async fn telegram_gets_the_exact_message_once() {
    let tg = Mock::default();
    let config = config(Some(&tg.start().await), None, None);
    let mut store = store_with_two_releases(&config).await;
    let report = run(&mut store, &config).await;
    assert_eq!(report.channels[0].delivered, 2, "{report:?}");

    let seen = tg.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].path, format!("/bot{TOKEN}/sendMessage"));
    let body: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(body["chat_id"], "@MIUIUpdatesTracker");
    assert_eq!(body["parse_mode"], "HTML");
    let text = body["text"].as_str().unwrap();
    for part in [
        "#HyperOS #agate",
        "<b>New update available!</b>",
        "<b>Device:</b> Xiaomi 11T EEA",
        "<b>Type:</b> Stable Recovery",
        "<code>OS1.0.10.0.UKWEUXM</code> | Android 14.0",
        "<b>Size:</b> 4.9 GB",
        "<code>6e09feeec4fd978802f4db87ddd7035b</code>",
        "<blockquote expandable>[System]\nFixes &lt;script&gt;alert(1)&lt;/script&gt;</blockquote>",
    ] {
        assert!(text.contains(part), "missing {part:?} in {text}");
    }
    let buttons = &body["reply_markup"]["inline_keyboard"];
    assert_eq!(buttons[0][0]["text"], "Full ROM");
    assert!(
        buttons[0][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip")
    );
    assert_eq!(buttons[0][1]["text"], "Incremental");
    assert!(
        buttons[0][1]["url"]
            .as_str()
            .unwrap()
            .contains("miui-blockota-agate_eea_global-")
    );
    assert_eq!(
        buttons[1][0]["url"],
        "https://roms.example.org/hyperos/agate/"
    );
    assert_eq!(
        buttons[1][1]["url"],
        "https://roms.example.org/archive/hyperos/agate/"
    );

    // A later run sends nothing again.
    let again = run(&mut store, &config).await;
    assert_eq!((again.channels[0].delivered, tg.seen().len()), (0, 2));
}

#[tokio::test]
async fn rate_limits_are_honoured_and_permanent_errors_move_on() {
    let tg = Mock::default();
    tg.then(429, vec![], r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 0","parameters":{"retry_after":0.05}}"#)
        .then(400, vec![], r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#);
    let config = config(Some(&tg.start().await), None, None);
    let mut store = store_with_two_releases(&config).await;
    let report = run(&mut store, &config).await;
    let r = &report.channels[0];
    // First event: 429, then refused for good. Second: delivered.
    assert_eq!((r.delivered, r.failed, r.pending), (1, 1, 0), "{r:?}");
    assert_eq!(tg.seen().len(), 3);
    let deliveries = store.deliveries("tg").unwrap();
    assert_eq!(deliveries[0].state, DeliveryState::Failed);
    assert_eq!(
        deliveries[0].last_error.as_deref(),
        Some("HTTP 400: Bad Request: chat not found")
    );
    // A failed delivery is not retried by later runs.
    run(&mut store, &config).await;
    assert_eq!(tg.seen().len(), 3);
}

#[tokio::test]
async fn a_channel_that_is_down_holds_back_no_other_and_catches_up_later() {
    let (dc, hook) = (Mock::default(), Mock::default());
    for _ in 0..3 {
        dc.then(
            503,
            vec![("retry-after", "0")],
            r#"{"message":"Service Unavailable"}"#,
        );
    }
    hook.then(500, vec![], "oops");
    let config = config(None, Some(&dc.start().await), Some(&hook.start().await));
    let mut store = store_with_two_releases(&config).await;

    let first = run(&mut store, &config).await;
    let (discord, webhook) = (&first.channels[0], &first.channels[1]);
    assert_eq!((discord.delivered, discord.pending), (0, 2), "{discord:?}");
    assert_eq!(discord.errors, ["HTTP 503: Service Unavailable"]);
    // The webhook also gets the incremental packages as events of their own.
    assert_eq!(webhook.delivered, 4, "{webhook:?}");

    // Discord is back: it gets both, in order; the webhook gets nothing twice.
    let second = run(&mut store, &config).await;
    assert_eq!(
        (second.channels[0].delivered, second.channels[1].delivered),
        (2, 0)
    );
    let bodies: Vec<Value> = dc
        .seen()
        .iter()
        .skip(3)
        .map(|s| serde_json::from_str(&s.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies[0]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("OS1.0.10.0.UKWEUXM")
    );
    assert_eq!(
        bodies[0]["allowed_mentions"]["parse"],
        serde_json::json!([])
    );
    assert!(dc.seen()[3].path.ends_with("/api/webhooks/1/tok"));

    // The webhook's retry carried the same delivery id, and every signature verifies.
    let hooks = hook.seen();
    assert_eq!(hooks.len(), 5);
    assert_eq!(
        hooks[0].headers["x-romwatch-delivery"],
        hooks[1].headers["x-romwatch-delivery"]
    );
    assert_ne!(
        hooks[1].headers["x-romwatch-delivery"],
        hooks[2].headers["x-romwatch-delivery"]
    );
    for h in &hooks {
        assert_eq!(h.headers["x-romwatch-event"], "new");
        assert_eq!(
            h.headers["x-romwatch-signature"].to_str().unwrap(),
            signature(SECRET.as_bytes(), h.body.as_bytes())
        );
        let body: Value = serde_json::from_str(&h.body).unwrap();
        assert_eq!(body["rom"]["codename"], "agate");
        assert_eq!(
            body["links"]["update_page"]
                .as_str()
                .unwrap()
                .split('/')
                .nth(3),
            Some("hyperos")
        );
    }
}

#[tokio::test]
async fn a_long_changelog_becomes_a_link_and_filters_apply() {
    let tg = Mock::default();
    let base = tg.start().await;
    let mut config = config(Some(&base), None, None);
    let mut store = store_with_two_releases(&config).await;
    let long = "A line of changes.\n".repeat(400);
    release(
        &mut store,
        &[record("OS1.0.12.0.UKWEUXM", &long, "Xiaomi 11T EEA")],
    );
    run(&mut store, &config).await;
    let body: Value = serde_json::from_str(&tg.seen()[2].body).unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(
        text.chars().count() <= 4096 && !text.contains("A line of changes."),
        "{text}"
    );
    assert!(
        text.contains("https://roms.example.org/hyperos/agate/stable/OS1.0.12.0.UKWEUXM/"),
        "{text}"
    );

    // A channel for another device skips agate's releases.
    config.telegram[0].filter.codenames = vec!["alioth".into()];
    release(
        &mut store,
        &[record("OS1.0.13.0.UKWEUXM", "x", "Xiaomi 11T EEA")],
    );
    let report = run(&mut store, &config).await;
    assert_eq!((report.channels[0].skipped, tg.seen().len()), (2, 3));
}

#[tokio::test]
async fn no_secret_appears_in_logs_errors_or_previews() {
    let logs = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || SharedWriter(writer.clone()))
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Telegram on a closed port: transport errors; the webhook refuses.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let hook = Mock::default();
    hook.then(403, vec![], "forbidden");
    let config = config(
        Some(&format!("http://{closed}")),
        None,
        Some(&hook.start().await),
    );
    let mut store = store_with_two_releases(&config).await;
    let channels = build_channels(&config, &env).unwrap();
    let previews = preview(&store, &channels, &links(), 100).unwrap();
    // Two full ROMs for Telegram; those and their incrementals for the webhook.
    assert_eq!(previews.len(), 6);
    let report = deliver(&mut store, &channels, &links(), &fast())
        .await
        .unwrap();
    assert!(
        report.channels[0].errors[0].starts_with("request failed"),
        "{report:?}"
    );

    let everything = format!(
        "{}{report:?}{}{previews:?}{:?}",
        String::from_utf8_lossy(&logs.lock().unwrap()),
        serde_json::to_string(&report).unwrap(),
        store.deliveries("tg").unwrap()
    );
    assert!(!everything.is_empty());
    for secret in [TOKEN, SECRET, "SECRET-bot-token"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    // A channel whose secret is missing is a clear configuration error.
    let err = build_channels(&config, &|_| None).err().unwrap();
    assert_eq!(
        err.to_string(),
        "channel \"tg\": the environment variable TG_TOKEN is not set"
    );
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn discord_rate_limits_are_waited_out() {
    let dc = Mock::default();
    // A 429 with Discord's JSON body, then a success that empties the bucket.
    dc.then(
        429,
        vec![("retry-after", "1")],
        r#"{"message":"You are being rate limited.","retry_after":0.05,"global":false}"#,
    )
    .then(
        200,
        vec![
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset-after", "0.2"),
        ],
        "{}",
    );
    let config = config(None, Some(&dc.start().await), None);
    let mut store = store_with_two_releases(&config).await;
    let started = std::time::Instant::now();
    let report = run(&mut store, &config).await;
    assert_eq!(report.channels[0].delivered, 2, "{report:?}");
    let seen = dc.seen();
    assert_eq!(seen.len(), 3);
    // The retry waited (the body's retry_after, 50 ms), and the emptied
    // bucket held the next message back for its reset time (200 ms): a
    // lower bound that sleeping guarantees, not a speed measurement.
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_file_channel_logs_each_announcement_as_a_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("notifications.log");
    let config: NotifyConfig = toml::from_str(&format!(
        "[[file]]\nname = \"log\"\npath = {:?}\n",
        log.display().to_string()
    ))
    .unwrap();
    let mut store = store_with_two_releases(&config).await;
    let report = run(&mut store, &config).await;
    // Two full ROMs announced; their incrementals are buttons, not messages.
    assert_eq!(
        (report.channels[0].delivered, report.channels[0].skipped),
        (2, 2),
        "{report:?}"
    );
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["version"], "OS1.0.10.0.UKWEUXM");
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .contains("New update available!")
    );
}
