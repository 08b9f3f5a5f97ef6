//! The outbox: events are written with the changes they announce, and each
//! channel gets those recorded after it appeared, once.

use chrono::Utc;
use romwatch_model::Record;
use romwatch_store::{Announce, DeliveryState, EventKind, Store, to_incoming};

fn record(version: &str, md5: Option<&str>, branch: &str) -> Record {
    let prefix = md5.map_or("0123456789", |m| &m[..10]);
    let filename = format!("miui_AGATEEEAGlobal_{version}_{prefix}_14.0.zip");
    Record {
        codename: "agate".into(),
        device: "Xiaomi 11T EEA".into(),
        os: "hyperos".into(),
        version: version.into(),
        branch: branch.into(),
        method: "Recovery".into(),
        url: Some(format!("https://bigota.d.miui.com/{version}/{filename}")),
        filename,
        md5: md5.map(str::to_string),
        ..Record::default()
    }
}

fn merge(store: &mut Store, records: &[Record], announce: Announce) -> usize {
    let batch: Vec<_> = records
        .iter()
        .map(|r| to_incoming(r, Utc::now()).unwrap())
        .collect();
    store.merge(&batch, announce).unwrap().events
}

#[test]
fn changes_are_announced_and_history_is_not() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        merge(
            &mut store,
            &[record("OS1.0.1.0.UKWEUXM", None, "Stable")],
            Announce::Nothing
        ),
        0
    );
    store.register_channel("main", "telegram").unwrap();

    let full = "0123456789abcdef0123456789abcdef";
    let events = merge(
        &mut store,
        &[
            // Seen again, now with its full MD5: one event.
            record("OS1.0.1.0.UKWEUXM", Some(full), "Stable"),
            // New, as Stable Beta.
            record("OS1.0.2.0.UKWEUXM", None, "Stable Beta"),
        ],
        Announce::Changes,
    );
    assert_eq!(events, 2);
    // The beta is promoted.
    assert_eq!(
        merge(
            &mut store,
            &[record("OS1.0.2.0.UKWEUXM", None, "Stable")],
            Announce::Changes
        ),
        1
    );
    // Nothing new: nothing to announce.
    assert_eq!(
        merge(
            &mut store,
            &[record("OS1.0.2.0.UKWEUXM", None, "Stable")],
            Announce::Changes
        ),
        0
    );

    let pending = store.pending_events("main", 100).unwrap();
    let kinds: Vec<_> = pending
        .iter()
        .map(|e| (e.kind, e.rom.version.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (EventKind::Md5, "OS1.0.1.0.UKWEUXM"),
            (EventKind::New, "OS1.0.2.0.UKWEUXM"),
            (EventKind::Promoted, "OS1.0.2.0.UKWEUXM"),
        ]
    );
    assert_eq!(pending[1].device.name, "Xiaomi 11T EEA");

    // A channel that appears later gets nothing of what came before.
    assert!(store.register_channel("late", "discord").unwrap());
    assert!(!store.register_channel("late", "discord").unwrap());
    assert!(store.pending_events("late", 100).unwrap().is_empty());

    // Delivered and failed events are done; a pending retry is not.
    store
        .record_delivery(pending[0].id, "main", DeliveryState::Delivered, None)
        .unwrap();
    store
        .record_delivery(
            pending[1].id,
            "main",
            DeliveryState::Failed,
            Some("HTTP 400: chat not found"),
        )
        .unwrap();
    store
        .record_delivery(
            pending[2].id,
            "main",
            DeliveryState::Pending,
            Some("HTTP 502"),
        )
        .unwrap();
    let left: Vec<_> = store
        .pending_events("main", 100)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(left, [pending[2].id]);
    let deliveries = store.deliveries("main").unwrap();
    assert_eq!(
        deliveries[1].last_error.as_deref(),
        Some("HTTP 400: chat not found")
    );
    assert_eq!(deliveries.iter().map(|d| d.attempts).sum::<u32>(), 3);
}
