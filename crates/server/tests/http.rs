//! The server over real HTTP on 127.0.0.1: the site with caching headers,
//! the live API with its checks, search, health and metrics.

use std::path::Path;

use chrono::Utc;
use romwatch_model::Record;
use romwatch_server::{ServerOptions, serve};
use romwatch_store::{Announce, Store, to_incoming};
use serde_json::Value;

fn record(codename: &str, device: &str, filename: &str, version: &str, method: &str) -> Record {
    Record {
        codename: codename.into(),
        device: device.into(),
        os: "hyperos".into(),
        version: version.into(),
        branch: "Stable".into(),
        method: method.into(),
        filename: filename.into(),
        url: Some(format!("https://bigota.d.miui.com/{version}/{filename}")),
        ..Record::default()
    }
}

fn fixture(dir: &Path) -> ServerOptions {
    let records = [
        record(
            "agate",
            "Xiaomi 11T EEA",
            "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip",
            "OS1.0.10.0.UKWEUXM",
            "Recovery",
        ),
        record(
            "agate",
            "Xiaomi 11T EEA",
            "agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz",
            "OS1.0.10.0.UKWEUXM",
            "Fastboot",
        ),
        record(
            "alioth",
            "POCO F3 Global",
            "miui_ALIOTHGlobal_OS1.0.3.0.TKHMIXM_0123456789_13.0.zip",
            "OS1.0.3.0.TKHMIXM",
            "Recovery",
        ),
    ];
    let db = dir.join("romwatch.db");
    let mut store = Store::open(&db).unwrap();
    let batch: Vec<_> = records
        .iter()
        .map(|r| to_incoming(r, Utc::now()).unwrap())
        .collect();
    store.merge(&batch, Announce::Nothing).unwrap();
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::write(
        site.join("index.html"),
        format!(
            "<!doctype html><title>home</title>{}",
            "<p>romwatch</p>".repeat(200)
        ),
    )
    .unwrap();
    std::fs::write(
        site.join("404.html"),
        "<!doctype html><title>Not found</title>",
    )
    .unwrap();
    std::fs::write(site.join("assets/site.css"), "body{}").unwrap();
    // Static API files and feeds, as a build writes them; one device file
    // too big for the memory cache.
    std::fs::create_dir_all(site.join("api/v1/devices")).unwrap();
    std::fs::write(site.join("api/v1/devices.json"), r#"{"schema":1}"#).unwrap();
    std::fs::write(
        site.join("api/v1/devices/alioth.json"),
        r#"{"codename":"alioth"}"#,
    )
    .unwrap();
    std::fs::write(
        site.join("api/v1/devices/agate.json"),
        format!(r#"{{"codename":"agate","pad":"{}"}}"#, "x".repeat(600_000)),
    )
    .unwrap();
    for (file, text) in [
        ("rss.xml", "<rss/>"),
        ("atom.xml", "<feed/>"),
        ("feed.json", "{}"),
        ("sitemap.xml", "<urlset/>"),
        ("latest.yml", "[]"),
    ] {
        std::fs::write(site.join(file), text).unwrap();
    }
    ServerOptions {
        site,
        db,
        limits: romwatch_server::ServeConfig::default(),
    }
}

async fn start(options: ServerOptions) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        serve(listener, &options, std::future::pending())
            .await
            .unwrap()
    });
    base
}

async fn get(url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn json(url: &str) -> (u16, Value) {
    let (status, _, body) = get(url).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{url}: {body}")),
    )
}

#[tokio::test]
async fn serves_the_site_with_caching_headers() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;
    let (status, headers, body) = get(&format!("{base}/")).await;
    assert_eq!(status, 200);
    assert!(body.contains("<title>home</title>"));
    assert_eq!(headers["cache-control"], "public, max-age=60");
    assert!(headers.contains_key("last-modified"));
    let etag = headers["etag"].to_str().unwrap().to_string();

    let client = reqwest::Client::new();
    let again = client
        .get(format!("{base}/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let gzipped = client
        .get(format!("{base}/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");

    let (status, headers, _) = get(&format!("{base}/assets/site.css")).await;
    assert_eq!(
        (status, headers["cache-control"].to_str().unwrap()),
        (200, "public, max-age=86400")
    );
    let (status, _, body) = get(&format!("{base}/no/such/page/")).await;
    assert_eq!(status, 404);
    assert!(body.contains("Not found"));
    // Nothing outside the site directory can be read.
    let (status, _, _) = get(&format!("{base}/../romwatch.db")).await;
    assert_eq!(status, 404);
    let post = client
        .post(format!("{base}/api/v1/roms"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 405);
}

#[tokio::test]
async fn the_api_lists_filters_pages_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;

    let (status, devices) = json(&format!("{base}/api/v1/devices")).await;
    assert_eq!(
        (status, devices["devices"].as_array().unwrap().len()),
        (200, 2)
    );
    let (_, agate) = json(&format!("{base}/api/v1/devices/agate")).await;
    // Its latest builds, not every ROM: those are pages of /api/v1/roms.
    let latest = agate["latest"].as_array().unwrap();
    assert_eq!(latest.len(), 2, "{agate}");
    assert_ne!(latest[0]["method"], latest[1]["method"]);
    let roms_url = agate["roms"].as_str().unwrap();
    assert_eq!(roms_url, "/api/v1/roms?codename=agate");
    let (_, page) = json(&format!("{base}{roms_url}")).await;
    assert_eq!(page["roms"].as_array().unwrap().len(), 2);
    assert_eq!(agate["variants"][0]["name"], "Xiaomi 11T EEA");

    let (_, first) = json(&format!("{base}/api/v1/roms?limit=2")).await;
    assert_eq!(first["roms"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_i64().unwrap();
    let (_, rest) = json(&format!("{base}/api/v1/roms?limit=2&cursor={cursor}")).await;
    assert_eq!(
        (
            rest["roms"].as_array().unwrap().len(),
            rest["next_cursor"].is_null()
        ),
        (1, true)
    );
    let (_, fastboot) = json(&format!(
        "{base}/api/v1/roms?codename=agate&method=fastboot&region=eea&os=hyperos&branch=stable"
    ))
    .await;
    assert_eq!(fastboot["roms"][0]["method"], "Fastboot");

    let (status, rom) = json(&format!(
        "{base}/api/v1/roms/miui_ALIOTHGlobal_OS1.0.3.0.TKHMIXM_0123456789_13.0.zip"
    ))
    .await;
    assert_eq!((status, rom["codename"].as_str()), (200, Some("alioth")));
    let (status, _) = json(&format!("{base}/api/v1/roms/nothing.zip")).await;
    assert_eq!(status, 404);

    let (_, hits) = json(&format!("{base}/api/v1/search?q=poco%20f3")).await;
    assert_eq!(hits["roms"][0]["device"], "POCO F3 Global");
    let (_, hits) = json(&format!("{base}/api/v1/search?q=OS1.0.10")).await;
    assert_eq!(hits["roms"].as_array().unwrap().len(), 2);
    // A codename: its device first, then ROMs a page at a time.
    let (_, hits) = json(&format!("{base}/api/v1/search?q=agate&limit=1")).await;
    assert_eq!(
        (
            hits["devices"][0]["codename"].as_str(),
            hits["devices"][0]["exact"].as_bool()
        ),
        (Some("agate"), Some(true))
    );
    let next = hits["next_cursor"].as_u64().expect("a next page");
    let (_, rest) = json(&format!(
        "{base}/api/v1/search?q=agate&limit=1&cursor={next}"
    ))
    .await;
    assert_eq!(
        (
            rest["roms"].as_array().unwrap().len(),
            rest["next_cursor"].is_null()
        ),
        (1, true)
    );
}

#[tokio::test]
async fn bad_parameters_get_400_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;
    for (query, reason) in [
        ("/api/v1/roms?limit=0", "limit"),
        ("/api/v1/roms?limit=100000", "limit"),
        ("/api/v1/roms?branch=Nightly", "branch"),
        ("/api/v1/roms?cursor=abc", "cursor"),
        ("/api/v1/roms?colour=red", "colour"),
        ("/api/v1/roms?codename=..%2Fx", "codename"),
        ("/api/v1/search", "q"),
        ("/api/v1/devices/a.b", "codename"),
    ] {
        let (status, body) = json(&format!("{base}{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(reason),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn health_metrics_and_the_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;
    let (status, health) = json(&format!("{base}/healthz")).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    json(&format!("{base}/api/v1/roms")).await;
    let (_, _, metrics) = get(&format!("{base}/metrics")).await;
    assert!(
        metrics.contains(r#"romwatch_http_requests_total{route="/api/v1/roms",status="200"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("romwatch_http_request_duration_seconds_bucket"));
    let (status, doc) = json(&format!("{base}/api/v1/openapi.json")).await;
    assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.1.0")));
}

#[tokio::test]
async fn a_changed_file_is_served_anew_and_conditional_requests_get_304() {
    let dir = tempfile::tempdir().unwrap();
    let options = fixture(dir.path());
    let site = options.site.clone();
    let base = start(options).await;
    let client = reqwest::Client::new();
    let first = client.get(format!("{base}/")).send().await.unwrap();
    let modified = first.headers()["last-modified"].clone();
    assert!(first.text().await.unwrap().contains("<title>home</title>"));
    let again = client
        .get(format!("{base}/"))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let head = client
        .head(format!("{base}/assets/site.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            head.status().as_u16(),
            head.headers()["content-type"].to_str().unwrap()
        ),
        (200, "text/css")
    );

    // A rebuild rewrites the file (another length, so another file): the next answer has it.
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>rebuilt</title>",
    )
    .unwrap();
    let (_, _, body) = get(&format!("{base}/")).await;
    assert!(body.contains("rebuilt"), "{body}");
}

async fn start_with(dir: &Path, limits: romwatch_server::ServeConfig) -> String {
    let options = ServerOptions {
        limits,
        ..fixture(dir)
    };
    start(options).await
}

#[tokio::test]
async fn static_api_files_are_served_and_every_api_error_is_json() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;
    let (status, headers, body) = get(&format!("{base}/api/v1/devices/alioth.json")).await;
    assert_eq!((status, body.as_str()), (200, r#"{"codename":"alioth"}"#));
    assert_eq!(headers["content-type"], "application/json");
    let (status, _, body) = get(&format!("{base}/api/v1/devices.json")).await;
    assert_eq!((status, body.as_str()), (200, r#"{"schema":1}"#));
    let (status, devices) = json(&format!("{base}/api/v1/devices")).await;
    assert_eq!(status, 200, "the live route is still there: {devices}");

    for path in [
        "/api/v1/nothing",
        "/api/v2/roms",
        "/api/v1/devices/nobody.json",
    ] {
        let (status, headers, body) = get(&format!("{base}{path}")).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(headers["content-type"], "application/json", "{path}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["status"], 404, "{path}");
        assert!(body["error"].as_str().unwrap().contains(path), "{body}");
    }
    let post = reqwest::Client::new()
        .post(format!("{base}/api/v1/roms"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 405);
    assert!(post.headers()["allow"].to_str().unwrap().contains("GET"));
    let body: Value = serde_json::from_str(&post.text().await.unwrap()).unwrap();
    assert_eq!(body["status"], 405);
    assert!(body["error"].as_str().unwrap().contains("POST"), "{body}");
}

#[tokio::test]
async fn unknown_values_are_refused_with_the_accepted_ones() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;
    let (status, body) = json(&format!("{base}/api/v1/roms?branch=Nightly")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        "parameter branch: unknown branch \"Nightly\" (expected one of: Stable, Stable Beta, Weekly, Public Beta, Beta)"
    );
    for region in ["zz", "nowhere", "12"] {
        let (status, body) = json(&format!("{base}/api/v1/roms?region={region}")).await;
        assert_eq!(status, 400, "{region}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(
            error.starts_with("parameter region: unknown region") && error.contains("eea"),
            "{error}"
        );
    }
    let (status, body) = json(&format!("{base}/api/v1/roms?region=EEA")).await;
    assert_eq!(status, 200);
    assert_eq!(body["roms"].as_array().unwrap().len(), 2);
    let (status, body) = json(&format!("{base}/api/v1/roms?region=cn")).await;
    assert_eq!((status, body["roms"].as_array().unwrap().len()), (200, 0));
}

#[tokio::test]
async fn feeds_and_files_have_their_content_types() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;
    for (path, expected) in [
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/latest.yml", "application/yaml"),
        // From the file service, not the memory cache: the same rule.
        ("/api/v1/devices/agate.json", "application/json"),
    ] {
        let (status, headers, _) = get(&format!("{base}{path}")).await;
        assert_eq!(
            (status, headers["content-type"].to_str().unwrap()),
            (200, expected),
            "{path}"
        );
    }
    let (status, headers, _) = get(&format!("{base}/missing.xml")).await;
    assert_eq!(status, 404);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn any_origin_may_read_and_preflights_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(fixture(dir.path())).await;
    let client = reqwest::Client::new();
    for path in [
        "/api/v1/roms",
        "/api/v1/devices/alioth.json",
        "/rss.xml",
        "/feed.json",
        "/latest.yml",
    ] {
        let answer = client
            .get(format!("{base}{path}"))
            .header("origin", "https://bot.example")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200, "{path}");
        assert_eq!(
            answer.headers()["access-control-allow-origin"],
            "*",
            "{path}"
        );
    }
    let preflight = client
        .request(
            reqwest::Method::OPTIONS,
            format!("{base}/api/v1/search?q=agate"),
        )
        .header("origin", "https://bot.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "if-none-match")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
}

#[tokio::test]
async fn cors_origins_are_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let limits = romwatch_server::ServeConfig {
        cors_origins: vec!["https://friend.example".into()],
        ..Default::default()
    };
    let base = start_with(dir.path(), limits).await;
    let client = reqwest::Client::new();
    let allowed = |origin: &'static str| {
        let client = client.clone();
        let url = format!("{base}/api/v1/roms");
        async move {
            let answer = client
                .get(url)
                .header("origin", origin)
                .send()
                .await
                .unwrap();
            answer
                .headers()
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap().to_string())
        }
    };
    assert_eq!(
        allowed("https://friend.example").await.as_deref(),
        Some("https://friend.example")
    );
    assert_eq!(allowed("https://stranger.example").await, None);

    let dir = tempfile::tempdir().unwrap();
    let none = romwatch_server::ServeConfig {
        cors_origins: vec![],
        ..Default::default()
    };
    let base = start_with(dir.path(), none).await;
    let preflight = client
        .request(reqwest::Method::OPTIONS, format!("{base}/api/v1/roms"))
        .header("origin", "https://bot.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 405);
    assert!(
        !preflight
            .headers()
            .contains_key("access-control-allow-origin")
    );

    let bad = romwatch_server::ServeConfig {
        cors_origins: vec!["https://a.example/path/".into()],
        ..Default::default()
    };
    assert!(bad.validate().unwrap_err().contains("cors_origins"));
}

#[tokio::test]
async fn live_answers_carry_the_store_generation_as_etag() {
    let dir = tempfile::tempdir().unwrap();
    let options = fixture(dir.path());
    let db = options.db.clone();
    let base = start(options).await;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/roms?codename=alioth");
    let first = client.get(&url).send().await.unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let tag = first.headers()["etag"].clone();
    let again = client
        .get(&url)
        .header("if-none-match", tag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(again.headers()["etag"], tag);
    // Another route at the same generation: the same validator.
    let devices = client
        .get(format!("{base}/api/v1/devices"))
        .header("if-none-match", tag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(devices.status().as_u16(), 304);

    // A tracking run changes the store: the old tag no longer matches.
    let new = record(
        "alioth",
        "POCO F3 Global",
        "miui_ALIOTHGlobal_OS1.0.4.0.TKHMIXM_1123456789_13.0.zip",
        "OS1.0.4.0.TKHMIXM",
        "Recovery",
    );
    Store::open(&db)
        .unwrap()
        .merge(&[to_incoming(&new, Utc::now()).unwrap()], Announce::Nothing)
        .unwrap();
    let changed = changed_from(&url, &tag).await;
    assert_eq!(changed.status().as_u16(), 200);
    assert_ne!(changed.headers()["etag"], tag);
    let body: Value = serde_json::from_str(&changed.text().await.unwrap()).unwrap();
    assert_eq!(body["roms"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_builds_compressed_copies_are_sent_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let options = fixture(dir.path());
    let site = options.site.clone();
    // Stand-ins for what the build writes: served byte for byte, not
    // compressed again.
    std::fs::write(site.join("index.html.br"), b"brotli copy").unwrap();
    std::fs::write(site.join("index.html.gz"), b"gzip copy").unwrap();
    std::fs::write(site.join("api/v1/devices/agate.json.gz"), b"big gzip copy").unwrap();
    let base = start(options).await;
    let client = reqwest::Client::new();
    let fetch = |path: &'static str, accept: &'static str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let answer = client
                .get(url)
                .header("accept-encoding", accept)
                .send()
                .await
                .unwrap();
            let headers = answer.headers().clone();
            (headers, answer.bytes().await.unwrap().to_vec())
        }
    };
    let (headers, body) = fetch("/", "gzip, deflate, br").await;
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["content-type"], "text/html");
    assert_eq!(headers["vary"], "accept-encoding");
    assert_eq!(body, b"brotli copy");
    let (headers, body) = fetch("/", "gzip").await;
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(body, b"gzip copy");
    let (headers, body) = fetch("/", "identity").await;
    assert!(!headers.contains_key("content-encoding"));
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("<title>home</title>")
    );
    // Too big for memory: the file service sends the copy too.
    let (headers, body) = fetch("/api/v1/devices/agate.json", "gzip").await;
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body, b"big gzip copy");
}

/// The store queries counted done so far.
async fn queries_done(base: &str) -> u64 {
    let (_, _, metrics) = get(&format!("{base}/metrics")).await;
    metrics
        .lines()
        .find(|l| l.starts_with(r#"romwatch_store_queries_total{outcome="done"}"#))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_repeated_live_answer_comes_from_memory_until_the_store_changes() {
    let dir = tempfile::tempdir().unwrap();
    let options = fixture(dir.path());
    let db = options.db.clone();
    let base = start(options).await;
    let url = format!("{base}/api/v1/search?q=agate");
    let (_, headers, first) = get(&url).await;
    let tag = headers["etag"].clone();
    // What reading the metrics costs itself (they may query the store).
    let start = queries_done(&base).await;
    let before = queries_done(&base).await;
    let own = before - start;
    let (_, _, again) = get(&url).await;
    assert_eq!(again, first);
    // At most the generation was read again, not the search run again.
    assert!(queries_done(&base).await <= before + own + 1);

    let new = record(
        "agate",
        "Xiaomi 11T EEA",
        "miui_AGATEEEAGlobal_OS1.0.11.0.UKWEUXM_7e09feeec4_14.0.zip",
        "OS1.0.11.0.UKWEUXM",
        "Recovery",
    );
    Store::open(&db)
        .unwrap()
        .merge(&[to_incoming(&new, Utc::now()).unwrap()], Announce::Nothing)
        .unwrap();
    let changed = changed_from(&url, &tag).await.text().await.unwrap();
    let changed: Value = serde_json::from_str(&changed).unwrap();
    assert_eq!(changed["roms"].as_array().unwrap().len(), 3, "{changed}");
}

/// The first answer of `url` that no longer holds `tag`: the server reads
/// the store's generation at most once a second, so a change shows within
/// about that long.
async fn changed_from(url: &str, tag: &reqwest::header::HeaderValue) -> reqwest::Response {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let answer = client
            .get(url)
            .header("if-none-match", tag.clone())
            .send()
            .await
            .unwrap();
        if answer.status().as_u16() != 304 {
            return answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{url} still answers {tag:?} ten seconds after the store changed");
}
