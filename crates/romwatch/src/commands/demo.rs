//! `romwatch demo`: every part of romwatch at work on loopback, on the real
//! paths — the simulated upstream, a tracking run, the site build, the
//! server, and a notification log — with a new ROM released every few
//! seconds so that a user can watch one cycle after another.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{SecondsFormat, Utc};
use romwatch_model::paths;
use romwatch_notify::{DeliveryOptions, FileConfig, Links, NotifyConfig, build_channels, deliver};
use romwatch_server::ServerOptions;
use romwatch_sim::{SimOptions, SimServer};
use romwatch_site::{Shrink, SiteConfig};
use romwatch_tracker::{Tracker, TrackerConfig};

use super::Context;
use super::build::{build_site, summary_line as build_summary};
use super::track::summary_line as track_summary;
use crate::cli::DemoArgs;
use crate::config::Config;

/// Marks a directory as the demo's own, so that a restart may empty it.
const MARKER: &str = ".romwatch-demo";

/// Makes `dir` anew; refuses a directory that holds anything else.
fn fresh_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let own = dir.join(MARKER).exists();
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none();
        if !own && !empty {
            anyhow::bail!(
                "{} exists and is not a romwatch demo directory; name another with --dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "made by romwatch demo; emptied on its next start\n",
    )?;
    Ok(())
}

fn say(line: &str) {
    println!(
        "{} {line}",
        Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
    );
}

pub fn run(ctx: &Context, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    fresh_dir(&args.dir)?;
    let site_dir = args.dir.join("public");
    let log = args.dir.join("notifications.log");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let config = Config {
            site: SiteConfig { title: "romwatch demo".into(), base_url: base_url.clone(), ..SiteConfig::default() },
            notify: NotifyConfig {
                file: vec![FileConfig { name: "demo-log".into(), path: log.clone(), filter: Default::default() }],
                ..NotifyConfig::default()
            },
            ..Config::default()
        };
        let demo = Context::with(config, ctx.json, args.dir.join("romwatch.db"));

        let sim = SimServer::start(SimOptions { devices: args.devices, seed: args.seed, ..SimOptions::default() })
            .await
            .context("cannot start the simulated upstream")?;
        say(&format!("simulated Xiaomi upstream on {}", sim.base_url()));
        let tracker = Tracker::new(
            &sim.upstream_config(Duration::from_secs(10)),
            TrackerConfig { concurrency: 16, rate: 0.0, china_posts: sim.post_ids(), ..TrackerConfig::default() },
        )?;
        let mut store = demo.store()?;
        let summary = tracker.run(&mut store, &()).await?;
        say(&format!("track: {}", track_summary(&summary)));
        say(&format!("build: {}", build_summary(&site_dir, &build_site(&demo, &site_dir, None, Shrink::Refuse)?)));
        let channels = build_channels(&demo.config.notify, &|_| None)?;
        let links = Links { base_url: base_url.clone() };
        deliver(&mut store, &channels, &links, &DeliveryOptions::default()).await?;

        let options = ServerOptions {
            site: site_dir.clone(),
            db: args.dir.join("romwatch.db"),
            base_url: base_url.clone(),
            limits: ctx.config.serve.clone(),
        };
        let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            romwatch_server::serve(listener, &options, async {
                let _ = server_stopped.await;
            })
            .await
        });
        say(&format!(
            "open {base_url}/ — a new ROM is released every {}s; its page, feeds and a line in {} follow. Ctrl-C stops.",
            args.every.as_secs(),
            log.display()
        ));

        let stop = super::stop_signal();
        tokio::pin!(stop);
        let mut round = 0;
        while args.rounds.is_none_or(|n| round < n) {
            tokio::select! {
                () = tokio::time::sleep(args.every) => {}
                () = &mut stop => break,
            }
            round += 1;
            let released = sim.release(1);
            let summary = tracker.run(&mut store, &()).await?;
            let built = build_site(&demo, &site_dir, None, Shrink::Refuse)?;
            let report = deliver(&mut store, &channels, &links, &DeliveryOptions::default()).await?;
            let notified: usize = report.channels.iter().map(|c| c.delivered).sum();
            for name in &released {
                let page = store.rom(name)?.map(|rom| paths::absolute(&base_url, &paths::update_page(&rom)));
                say(&format!("released {name}: {} new; {} files written; {notified} notified", summary.new, built.written));
                if let Some(page) = page {
                    say(&format!("  its page: {page}"));
                }
            }
        }
        say("stopping");
        let _ = stop_server.send(());
        server.await.context("the server task failed")?.context("the server stopped")?;
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
