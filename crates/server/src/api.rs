//! The live JSON API, read from the store. Every parameter is checked and a
//! bad one answered with 400 and the reason; page sizes are bounded.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use romwatch_api::{
    Device, DeviceAnswer, DeviceHit, DeviceList, Health, RomAnswer, RomPage, SCHEMA, SearchAnswer,
    Variant, VariantReleases,
};
use romwatch_model::{Branch, Codename, FileMirrors, Method, OsFamily, Region, Rom, search};
use romwatch_store::{Listed, RomFilter, Store, StoreError, VariantCount};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::config::ServeConfig;
use crate::error::{ApiError, ErrorAnswers};
use crate::pool::Lane;

/// Page sizes: the default and the most a request may ask for.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;
/// The most ROMs of one device read to find its latest builds.
const MAX_DEVICE_ROMS: usize = 10_000;

type ApiResult = Result<Response, ApiError>;

/// Every device, by codename.
#[utoipa::path(get, path = "/api/v1/devices", tag = "live",
    responses((status = 200, description = "Every device", body = DeviceList),
        (status = 304, description = "Not modified: If-None-Match named the ETag, the store's generation"), ErrorAnswers))]
pub(crate) async fn devices(State(state): State<AppState>) -> ApiResult {
    let counts = state
        .pool
        .with(Lane::Api, |store| store.variant_counts(None))
        .await?;
    Ok(Json(DeviceList {
        schema: SCHEMA,
        devices: summed_devices(counts),
    })
    .into_response())
}

/// The devices the counts are of, by codename, each pointing to its live
/// route.
fn summed_devices(counts: Vec<VariantCount>) -> Vec<Device> {
    let mut by_codename: Vec<(String, Vec<VariantReleases>)> = Vec::new();
    for count in counts {
        let row = VariantReleases {
            variant: count.variant,
            family: count.family,
            releases: count.releases,
            newest: count.newest,
        };
        match by_codename.last_mut() {
            Some((codename, rows)) if *codename == count.codename => rows.push(row),
            _ => by_codename.push((count.codename, vec![row])),
        }
    }
    by_codename
        .into_iter()
        .map(|(codename, rows)| {
            let api = format!("/api/v1/devices/{codename}");
            Device::of(&codename, &rows, api)
        })
        .collect()
}

fn codename(text: &str) -> Result<Codename, ApiError> {
    Codename::new(text).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// A device: its variants and its latest builds (the newest full ROM per
/// variant, branch and method); every ROM is a page of `/api/v1/roms`.
#[utoipa::path(get, path = "/api/v1/devices/{codename}", tag = "live",
    params(("codename" = String, Path, description = "A device codename (alioth) or a variant codename (alioth_global)")),
    responses((status = 200, description = "The device and its latest builds", body = DeviceAnswer),
        (status = 304, description = "Not modified: If-None-Match named the ETag, the store's generation"), ErrorAnswers))]
pub(crate) async fn device(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult {
    let name = codename(&name)?;
    let wanted = name.to_string();
    let (counts, latest, added) = state
        .pool
        .with(Lane::Api, move |store| {
            let counts = store.variant_counts(Some(&wanted))?;
            let filter = RomFilter {
                codename: Some(wanted),
                ..Default::default()
            };
            let latest = latest_builds(store.list_roms(&filter, MAX_DEVICE_ROMS, None)?.roms);
            let added = additions(store, latest.iter().map(|l| &l.rom))?;
            Ok((counts, latest, added))
        })
        .await?;
    let Some(device) = summed_devices(counts).into_iter().next() else {
        return Err(ApiError::not_found(format!("no device {name}")));
    };
    Ok(Json(DeviceAnswer {
        schema: SCHEMA,
        device,
        latest: public_roms(&latest, &added, &state.base_url),
        roms: format!("/api/v1/roms?codename={name}"),
    })
    .into_response())
}

/// The newest full ROM of each variant, branch and method, newest first
/// (the site's device page lists the same).
fn latest_builds(mut roms: Vec<Listed>) -> Vec<Listed> {
    roms.retain(|l| !l.rom.kind.is_incremental());
    roms.sort_by(|a, b| {
        search::newest_first(a.rom.released, a.id as usize, b.rom.released, b.id as usize)
    });
    let mut seen = HashSet::new();
    roms.retain(|l| seen.insert((l.rom.variant.clone(), l.rom.branch, l.rom.method)));
    roms
}

/// The parameters of `/api/v1/roms`; every one is optional.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct RomParams {
    /// A device codename (alioth) or a variant codename (alioth_global).
    codename: Option<String>,
    /// A region code: cn, global, eea, in, ru, id, tr, tw, jp, kr, or that of a stored device's region.
    region: Option<String>,
    /// Stable, Stable Beta, Weekly, Public Beta or Beta (or its slug: stable-beta).
    branch: Option<String>,
    /// Recovery or Fastboot.
    method: Option<String>,
    /// MIUI or HyperOS.
    os: Option<String>,
    /// Search words, as for /api/v1/search.
    q: Option<String>,
    /// ROMs per page, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// The next_cursor of the previous page.
    #[param(value_type = Option<i64>)]
    cursor: Option<String>,
}

fn parsed<T, E: std::fmt::Display>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| parse(v).map_err(|e| ApiError::bad_request(format!("parameter {name}: {e}"))))
        .transpose()
}

fn limit(value: Option<&str>, default: usize, max: usize) -> Result<usize, ApiError> {
    let limit = parsed("limit", value, |v| {
        v.parse::<usize>().map_err(|e| e.to_string())
    })?
    .unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::bad_request(format!(
            "parameter limit: must be 1 to {max}"
        )))
    }
}

/// Search text within the configured bounds: its cost grows with its
/// length and the number of terms it looks up.
fn words(value: Option<&str>, limits: &ServeConfig) -> Result<Option<String>, ApiError> {
    let Some(q) = value.filter(|q| !q.trim().is_empty()) else {
        return Ok(None);
    };
    if q.chars().count() > limits.max_query_chars {
        return Err(ApiError::bad_request(format!(
            "parameter q: longer than {} characters",
            limits.max_query_chars
        )));
    }
    let terms = romwatch_store::search_terms(q);
    if terms > limits.max_query_terms {
        return Err(ApiError::bad_request(format!(
            "parameter q: {terms} terms, more than {} (a term is a run of letters or digits)",
            limits.max_query_terms
        )));
    }
    Ok(Some(q.to_string()))
}

/// Why a region code is refused, with the codes that are accepted.
fn unknown_region(given: &str) -> String {
    let known: Vec<&str> = Region::known_codes().collect();
    format!(
        "unknown region {given:?} (expected one of: {}, or the code of a region a stored device is in)",
        known.join(", ")
    )
}

fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params
        .map(|Query(p)| p)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// ROMs newest first, filtered, a page at a time.
#[utoipa::path(get, path = "/api/v1/roms", tag = "live", params(RomParams),
    responses((status = 200, description = "One page of ROMs", body = RomPage),
        (status = 304, description = "Not modified: If-None-Match named the ETag, the store's generation"), ErrorAnswers))]
pub(crate) async fn roms(
    State(state): State<AppState>,
    params: Result<Query<RomParams>, QueryRejection>,
) -> ApiResult {
    let p = query(params)?;
    let region = parsed("region", p.region.as_deref(), |v| {
        Region::from_code(&v.to_ascii_lowercase()).ok_or_else(|| unknown_region(v))
    })?;
    let filter = RomFilter {
        codename: parsed("codename", p.codename.as_deref(), Codename::new)?.map(|c| c.to_string()),
        region: region.clone(),
        branch: parsed("branch", p.branch.as_deref(), str::parse::<Branch>)?,
        method: parsed("method", p.method.as_deref(), str::parse::<Method>)?,
        os: parsed("os", p.os.as_deref(), str::parse::<OsFamily>)?,
        text: words(p.q.as_deref(), &state.config)?,
    };
    let limit = limit(p.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let cursor = parsed("cursor", p.cursor.as_deref(), |v| {
        v.parse::<i64>().map_err(|e| e.to_string())
    })?;
    // A code romwatch does not know by name is a region only if some
    // device of the store is in it.
    let unnamed = region.filter(|r| matches!(r, Region::Other(_)));
    let found = state
        .pool
        .with(Lane::Api, move |store| {
            if let Some(region) = unnamed
                && !store.devices()?.iter().any(|d| d.region == region)
            {
                return Ok(None);
            }
            let page = store.list_roms(&filter, limit, cursor)?;
            let added = additions(store, page.roms.iter().map(|l| &l.rom))?;
            Ok::<_, StoreError>(Some((page, added)))
        })
        .await?;
    let Some((page, added)) = found else {
        return Err(ApiError::bad_request(format!(
            "parameter region: {}",
            unknown_region(p.region.as_deref().unwrap_or_default())
        )));
    };
    Ok(Json(RomPage {
        schema: SCHEMA,
        roms: public_roms(&page.roms, &added, &state.base_url),
        next_cursor: page.next_cursor,
    })
    .into_response())
}

/// Listed ROMs as public objects, with their mirror states.
fn public_roms(roms: &[Listed], added: &Additions, base_url: &str) -> Vec<romwatch_api::Rom> {
    roms.iter()
        .map(|listed| {
            let rom = &listed.rom;
            romwatch_api::Rom::new(
                rom,
                &listed.device,
                added.mirrors.get(rom.filename.as_str()),
                added.security_patches.get(rom.filename.as_str()).copied(),
                base_url,
            )
        })
        .collect()
}

/// What the API adds to stored ROMs, by file name.
struct Additions {
    /// The mirror state of each ROM checked.
    mirrors: HashMap<String, FileMirrors>,
    /// The security patch of each ROM whose package metadata gives one.
    security_patches: HashMap<String, NaiveDate>,
}

/// The additions for `roms`.
fn additions<'a>(
    store: &Store,
    roms: impl Iterator<Item = &'a Rom>,
) -> Result<Additions, StoreError> {
    let roms: Vec<Rom> = roms.cloned().collect();
    let mut mirrors = HashMap::new();
    for rom in &roms {
        mirrors.extend(store.mirror_states(Some(rom.filename.as_str()))?);
    }
    Ok(Additions {
        mirrors,
        security_patches: store.security_patches_of(&roms)?,
    })
}

/// One ROM by its file name.
#[utoipa::path(get, path = "/api/v1/roms/{filename}", tag = "live",
    params(("filename" = String, Path, description = "The package's file name")),
    responses((status = 200, description = "The ROM", body = RomAnswer),
        (status = 304, description = "Not modified: If-None-Match named the ETag, the store's generation"), ErrorAnswers))]
pub(crate) async fn rom(State(state): State<AppState>, Path(filename): Path<String>) -> ApiResult {
    if filename.len() > 255 {
        return Err(ApiError::bad_request("file name longer than 255 bytes"));
    }
    let wanted = filename.clone();
    let found = state
        .pool
        .with(Lane::Api, move |store| {
            let listed = store.listed_rom(&wanted)?;
            let added = additions(store, listed.iter().map(|l| &l.rom))?;
            Ok::<_, StoreError>(listed.map(|listed| (listed, added)))
        })
        .await?;
    match found {
        Some((listed, added)) => {
            let rom = public_roms(std::slice::from_ref(&listed), &added, &state.base_url)
                .pop()
                .ok_or_else(ApiError::internal)?;
            Ok(Json(RomAnswer {
                schema: SCHEMA,
                rom,
            })
            .into_response())
        }
        None => Err(ApiError::not_found(format!("no ROM named {filename}"))),
    }
}

/// The parameters of `/api/v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// What to look for: a codename, a device name, a version (required).
    #[param(required = true)]
    q: Option<String>,
    /// ROMs per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// The next_cursor of the previous page.
    #[param(value_type = Option<u64>)]
    cursor: Option<String>,
}

/// Devices, then ROMs newest first: the ranking of the site's search
/// (`romwatch_model::search`).
#[utoipa::path(get, path = "/api/v1/search", tag = "live", params(SearchParams),
    responses((status = 200, description = "Devices, then ROMs newest first", body = SearchAnswer),
        (status = 304, description = "Not modified: If-None-Match named the ETag, the store's generation"), ErrorAnswers))]
pub(crate) async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult {
    let p = query(params)?;
    let Some(q) = words(p.q.as_deref(), &state.config)? else {
        return Err(ApiError::bad_request("parameter q is required"));
    };
    let limit = limit(p.limit.as_deref(), 20, 100)?;
    let cursor = parsed("cursor", p.cursor.as_deref(), |v| {
        v.parse::<usize>().map_err(|e| e.to_string())
    })?
    .unwrap_or(0);
    let text = q.clone();
    let (found, added) = state
        .pool
        .with(Lane::Api, move |store| {
            let found = store.search(&text, limit, cursor)?;
            let added = additions(store, found.roms.iter().map(|l| &l.rom))?;
            Ok((found, added))
        })
        .await?;
    Ok(Json(SearchAnswer {
        schema: SCHEMA,
        q,
        devices: found.devices.into_iter().map(device_hit).collect(),
        roms: public_roms(&found.roms, &added, &state.base_url),
        next_cursor: found.next_cursor.map(|c| c as u64),
    })
    .into_response())
}

fn device_hit(hit: romwatch_store::DeviceHit) -> DeviceHit {
    DeviceHit {
        codename: hit.codename,
        name: hit.name,
        os: hit.os,
        url: hit.url,
        exact: hit.exact,
        latest_date: hit.latest_date,
        variants: hit.variants.iter().map(Variant::from).collect(),
    }
}

/// The server answers and the store can be read.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "Healthy", body = Health), ErrorAnswers))]
pub(crate) async fn health(State(state): State<AppState>) -> ApiResult {
    let newest = state
        .pool
        .with(Lane::Health, |store| {
            store.list_roms(&RomFilter::default(), 1, None)
        })
        .await?;
    Ok(Json(Health {
        status: "ok".into(),
        latest: newest.roms.first().map(|r| r.rom.filename.to_string()),
    })
    .into_response())
}
