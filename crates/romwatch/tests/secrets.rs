//! Configured secrets never leave romwatch, whatever the services answer:
//! mock Telegram, Discord and webhook services on 127.0.0.1 refuse every
//! message with a body that echoes the request path (and the webhook key),
//! and the test looks for the secrets everywhere romwatch writes — stdout,
//! stderr with the WARN log, `--json`, and the failure reasons it stores.

mod common;

use axum::http::Uri;
use common::{SAMPLE, Scratch, serve_app};
use romwatch_store::Store;

const TELEGRAM_TOKEN: &str = "123456:TG-SECRET-aBcDeF";
const DISCORD_TOKEN: &str = "DC-SECRET-xYz987";
const HMAC_KEY: &str = "HM-SECRET-k3y";

/// Every string that must not appear.
fn secrets() -> [&'static str; 4] {
    [TELEGRAM_TOKEN, "TG-SECRET-aBcDeF", DISCORD_TOKEN, HMAC_KEY]
}

/// A service refusing everything with 400 and an answer that echoes the
/// request path and the webhook key, in the shapes Telegram (`description`)
/// and Discord (`message`) use; returns its base URL.
fn echoing_service() -> String {
    serve_app(axum::Router::new().fallback(|uri: Uri| async move {
        let echo = format!("Cannot POST {uri} (signed with {HMAC_KEY})");
        (
            axum::http::StatusCode::BAD_REQUEST,
            serde_json::json!({"ok": false, "description": echo, "message": echo}).to_string(),
        )
    }))
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(secret), "{what} shows {secret:?}:\n{text}");
    }
}

#[test]
fn secrets_echoed_by_a_service_never_leave_romwatch() {
    let s = Scratch::create();
    let service = echoing_service();
    s.write(
        "romwatch.toml",
        &format!(
            "[[notify.telegram]]\nname = \"tg\"\nchat = \"@c\"\ntoken_env = \"TEST_TG_TOKEN\"\napi_base = \"{service}\"\n\n\
             [[notify.discord]]\nname = \"dc\"\nwebhook_url = \"{service}/api/webhooks/42/{DISCORD_TOKEN}\"\n\n\
             [[notify.webhook]]\nname = \"hook\"\nurl = \"{service}/hook\"\nsecret_env = \"TEST_HMAC\"\n"
        ),
    );
    let env = [("TEST_TG_TOKEN", TELEGRAM_TOKEN), ("TEST_HMAC", HMAC_KEY)];
    s.write("roms.jsonl", SAMPLE);
    s.ok_env(&["notify"], &env); // registers the channels
    s.ok_env(&["import", "--announce", "roms.jsonl"], &env);
    let dry = s.ok_env(&["--json", "notify", "--dry-run"], &env);
    assert!(dry.contains("miui_MI5SGlobal"), "{dry}");
    assert_clean("dry run", &dry);

    // Delivery: every message refused, with the secrets echoed.
    let out = s.run_env(&["notify"], &env);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("tg (telegram): 0 delivered, 3 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("[redacted]"), "{stdout}");
    assert!(stderr.contains("not delivered"), "the WARN log: {stderr}");
    assert_clean("stdout", &stdout);
    assert_clean("stderr", &stderr);

    // What the store keeps of each failure.
    let store = Store::open(&s.path("romwatch.db")).unwrap();
    for channel in ["tg", "dc", "hook"] {
        let reasons: Vec<String> = store
            .deliveries(channel)
            .unwrap()
            .into_iter()
            .filter_map(|d| d.last_error)
            .collect();
        assert!(!reasons.is_empty(), "{channel}");
        assert!(
            reasons.iter().all(|r| r.contains("[redacted]")),
            "{reasons:?}"
        );
        assert_clean(channel, &reasons.join("\n"));
    }
    drop(store);

    // A test message, with --json.
    for channel in ["tg", "dc", "hook"] {
        let out = s.run_env(&["--json", "notify", "test", channel], &env);
        assert_eq!(out.status.code(), Some(3));
        assert_clean("notify test stdout", &String::from_utf8_lossy(&out.stdout));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("HTTP 400: ") && err.contains("[redacted]"),
            "{err}"
        );
        assert_clean("notify test stderr", &err);
    }
}
