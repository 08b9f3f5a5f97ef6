//! `romwatch notify`, driven through the binary against a webhook receiver
//! on 127.0.0.1.

mod common;
#[path = "../../server/tests/common/contract.rs"]
mod contract;

use common::{SAMPLE, Scratch, receiver};

#[test]
fn announced_releases_reach_a_webhook_once() {
    let s = Scratch::create();
    let (url, got) = receiver();
    s.write("romwatch.toml", &format!(
        "[site]\nbase_url = \"https://roms.example.org\"\n\n[[notify.webhook]]\nname = \"ci\"\nurl = \"{url}\"\nsecret_env = \"ROMWATCH_TEST_SECRET\"\n"
    ));
    let mut lines = SAMPLE.lines();
    s.write("old.jsonl", lines.next().unwrap());
    s.write("new.jsonl", &lines.collect::<Vec<_>>().join("\n"));

    // History, then the channel appears: it gets nothing of the past.
    s.ok(&["import", "old.jsonl"]);
    let secret = [("ROMWATCH_TEST_SECRET", "s3cr3t")];
    let first = s.ok_env(&["notify"], &secret);
    assert!(first.contains("ci (webhook): 0 delivered"), "{first}");

    s.ok(&["import", "--announce", "new.jsonl"]);
    let dry = s.ok_env(&["notify", "--dry-run"], &secret);
    assert!(dry.contains("3 message(s) would be sent"), "{dry}");
    assert!(got.lock().unwrap().is_empty());

    let second = s.ok_env(&["notify"], &secret);
    assert!(
        second.contains("ci (webhook): 3 delivered, 0 failed"),
        "{second}"
    );
    let third = s.ok_env(&["notify"], &secret);
    assert!(third.contains("ci (webhook): 0 delivered"), "{third}");

    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    let (headers, body) = &received[0];
    assert_eq!(
        headers["x-romwatch-signature"].to_str().unwrap(),
        romwatch_notify::signature(b"s3cr3t", body.as_bytes())
    );
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        json["links"]["device_page"],
        "https://roms.example.org/miui/capricorn/"
    );
    // Every body is the public schema the OpenAPI document describes: the
    // API's ROM object, not the interchange record.
    let document = contract::Contract::new(serde_json::from_str(&s.ok(&["openapi"])).unwrap());
    for (_, body) in &received {
        document.check_webhook(body);
    }
    assert_eq!(
        (json["schema"].as_u64(), json["rom"]["released"].as_str()),
        (Some(2), Some("2017-12-28"))
    );
    assert!(
        json["rom"]["page"]
            .as_str()
            .unwrap()
            .starts_with("https://roms.example.org/miui/capricorn/")
    );

    // A test message, recorded nowhere.
    let test = s.ok_env(&["notify", "test", "ci"], &secret);
    assert!(test.contains("test message delivered to ci"), "{test}");
    assert_eq!(got.lock().unwrap().len(), 4);

    // Without the secret the channel cannot be built, and the error says why.
    let out = s.run(&["notify"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ROMWATCH_TEST_SECRET is not set"));
}
