//! `/mirrors/`: each CDN mirror host's success rate and median latency over
//! the last days, with a small bar chart of its daily rate drawn as inline
//! SVG on the server (no script needed).

use serde::Serialize;

use super::{Crumb, Meta};
use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::Catalog;
use crate::links::SitePath;

/// The chart's size in SVG units: one bar per day.
const CHART_HEIGHT: u64 = 40;
const BAR_WIDTH: u64 = 14;
const BAR_GAP: u64 = 4;

/// One day's bar: its place and height, the rate as text for its title.
#[derive(Serialize)]
pub(crate) struct Bar {
    pub x: u64,
    pub y: u64,
    pub height: u64,
    pub day: String,
    pub rate: String,
}

/// One host's row.
#[derive(Serialize)]
pub(crate) struct HostRow {
    pub host: String,
    pub checks: u64,
    /// `97.5%`.
    pub rate: String,
    pub median_latency_ms: Option<u64>,
    pub chart_width: u64,
    pub chart_height: u64,
    pub bars: Vec<Bar>,
}

#[derive(Serialize)]
pub(crate) struct MirrorsPage {
    pub meta: Meta,
    pub hosts: Vec<HostRow>,
}

fn percent(ok: u64, checks: u64) -> String {
    if checks == 0 {
        "–".to_string()
    } else {
        format!("{:.1}%", ok as f64 * 100.0 / checks as f64)
    }
}

/// The mirrors page.
pub(crate) fn mirrors_page<'a>(catalog: &Catalog<'a>) -> Result<Artifact<'a>, SiteError> {
    let hosts = catalog
        .hosts
        .iter()
        .map(|host| {
            let bars = host
                .days
                .iter()
                .zip(0u64..)
                .map(|(day, n)| {
                    let height = (day.ok * CHART_HEIGHT).checked_div(day.checks).unwrap_or(0);
                    Bar {
                        x: n * (BAR_WIDTH + BAR_GAP),
                        y: CHART_HEIGHT - height,
                        height,
                        day: day.day.format("%Y-%m-%d").to_string(),
                        rate: percent(day.ok, day.checks),
                    }
                })
                .collect::<Vec<_>>();
            HostRow {
                host: host.host.clone(),
                checks: host.checks,
                rate: percent(host.ok, host.checks),
                median_latency_ms: host.median_latency_ms,
                chart_width: (bars.len() as u64 * (BAR_WIDTH + BAR_GAP)).max(1),
                chart_height: CHART_HEIGHT,
                bars,
            }
        })
        .collect();
    Ok(Artifact::page(
        SitePath::page(&["mirrors"])?,
        "mirrors.html",
        MirrorsPage {
            meta: Meta {
                title: "Download mirrors".to_string(),
                url: "/mirrors/".to_string(),
                description: "How often each Xiaomi download mirror had the files it was asked for, and how fast it answered, over the last 7 days.".to_string(),
                crumbs: vec![Crumb::link("Home", "/"), Crumb::here("Mirrors")],
            },
            hosts,
        },
    ))
}
