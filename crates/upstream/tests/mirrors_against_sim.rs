//! Every CDN mirror host, asked through the simulator on a real socket:
//! the host travels as the first path segment (`mirror_base`), a host can
//! be down on its own, and a withdrawn file is gone from every host until
//! it is restored.

use romwatch_sim::{MirrorSlow, SimOptions, SimServer};
use romwatch_upstream::cdn::{MIRRORS, mirror_base};
use romwatch_upstream::{CdnSource, ErrorKind, SourceConfig};

async fn head(server: &SimServer, host: &str, link: &str) -> Result<u64, Option<u16>> {
    let base = mirror_base(host, Some(&server.base_url()));
    let cdn = CdnSource::new(&SourceConfig::new(&base)).unwrap();
    match cdn.head(link).await {
        Ok(file) => Ok(file.size.bytes),
        Err(error) => match error.kind {
            ErrorKind::Status { status, .. } => Err(Some(status)),
            _ => Err(None),
        },
    }
}

async fn post(server: &SimServer, path: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn each_mirror_host_answers_on_its_own_and_withdrawal_reaches_all() {
    let server = SimServer::start(SimOptions {
        devices: 12,
        seed: 5,
        mirror_down: vec![MIRRORS[1].to_string()],
        mirror_slow: vec!["bn.d.miui.com=50".parse::<MirrorSlow>().unwrap()],
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let record = server.records().remove(0);
    let link = record.url.clone().unwrap();
    let size = record.size_bytes.unwrap();

    for host in MIRRORS {
        let expected = if host == MIRRORS[1] {
            Err(Some(404))
        } else {
            Ok(size)
        };
        assert_eq!(head(&server, host, &link).await, expected, "{host}");
    }
    assert_eq!(
        head(&server, "example.org", &link).await,
        Err(Some(404)),
        "an unknown host"
    );

    let file = &record.filename;
    assert_eq!(
        post(&server, &format!("/_sim/withdraw?file={file}")).await,
        204
    );
    assert_eq!(post(&server, "/_sim/withdraw?file=nope.zip").await, 404);
    for host in MIRRORS {
        assert_eq!(head(&server, host, &link).await, Err(Some(404)), "{host}");
    }
    // The plain path is the usual mirror, withdrawn too.
    let usual = CdnSource::new(&SourceConfig::new(&server.base_url())).unwrap();
    assert!(usual.head(&link).await.is_err());

    assert_eq!(
        post(&server, &format!("/_sim/restore?file={file}")).await,
        204
    );
    assert_eq!(head(&server, MIRRORS[0], &link).await, Ok(size));
    assert_eq!(usual.head(&link).await.unwrap().size.bytes, size);
}

#[test]
fn mirror_flags_name_known_hosts() {
    assert!("bn.d.miui.com=abc".parse::<MirrorSlow>().is_err());
    assert!("example.org=10".parse::<MirrorSlow>().is_err());
    assert!("bn.d.miui.com".parse::<MirrorSlow>().is_err());
    assert!(romwatch_sim::known_mirror("example.org").is_err());
    assert_eq!(
        romwatch_sim::known_mirror("BN.d.miui.com").unwrap(),
        "bn.d.miui.com"
    );
}
