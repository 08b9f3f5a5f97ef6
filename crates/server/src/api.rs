//! The live JSON API, read from the store. Every parameter is checked and a
//! bad one answered with 400 and the reason; page sizes are bounded.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use romwatch_model::{
    Branch, Codename, FileMirrors, Method, OsFamily, Region, Rom, mirrors_best_first, search,
};
use romwatch_store::{Listed, RomFilter, Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::config::ServeConfig;
use crate::error::ApiError;
use crate::pool::Lane;

/// Page sizes: the default and the most a request may ask for.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;
/// The most ROMs of one device read to find its latest builds.
const MAX_DEVICE_ROMS: usize = 10_000;

type ApiResult = Result<Response, ApiError>;

pub(crate) async fn devices(State(state): State<AppState>) -> ApiResult {
    let devices = state.pool.with(Lane::Api, |store| store.devices()).await?;
    Ok(Json(json!({ "devices": devices })).into_response())
}

fn codename(text: &str) -> Result<Codename, ApiError> {
    Codename::new(text).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// A device: its variants and its latest builds (the newest full ROM per
/// variant, branch and method); every ROM is a page of `/api/v1/roms`.
pub(crate) async fn device(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult {
    let name = codename(&name)?;
    let wanted = name.to_string();
    let (variants, latest, added) = state
        .pool
        .with(Lane::Api, move |store| {
            let variants: Vec<_> = store
                .devices()?
                .into_iter()
                .filter(|d| d.variant.as_str() == wanted || d.codename.as_str() == wanted)
                .collect();
            let filter = RomFilter {
                codename: Some(wanted),
                ..Default::default()
            };
            let latest = latest_builds(store.list_roms(&filter, MAX_DEVICE_ROMS, None)?.roms);
            let added = additions(store, latest.iter().map(|l| &l.rom))?;
            Ok((variants, latest, added))
        })
        .await?;
    if variants.is_empty() {
        return Err(ApiError::not_found(format!("no device {name}")));
    }
    Ok(Json(json!({
        "codename": name,
        "variants": variants,
        "latest": listed_objects(&latest, &added),
        "roms": format!("/api/v1/roms?codename={name}"),
    }))
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

/// The parameters of `/api/v1/roms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RomParams {
    codename: Option<String>,
    region: Option<String>,
    branch: Option<String>,
    method: Option<String>,
    os: Option<String>,
    q: Option<String>,
    limit: Option<String>,
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
    let roms = listed_objects(&page.roms, &added);
    Ok(Json(json!({ "roms": roms, "next_cursor": page.next_cursor })).into_response())
}

/// Listed ROMs as the API answers them (see [`rom_object`]).
fn listed_objects(roms: &[Listed], added: &Additions) -> Vec<Value> {
    roms.iter()
        .map(|listed| rom_object(listed, &listed.rom, added))
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

/// A ROM object as the API answers it: the stored fields, with `mirrors`
/// every mirror's link and last check, best first (`{host, url, status,
/// checked_at, latency_ms, down_since}`, status `ok`, `slow`, `down` or
/// `unchecked`), `withdrawn_on`, and `security_patch` (`YYYY-MM-DD` from
/// the package's metadata, a fastboot image's from its recovery package's,
/// or null).
fn rom_object(fields: &impl Serialize, rom: &Rom, added: &Additions) -> Value {
    let state = added.mirrors.get(rom.filename.as_str());
    let mut object = serde_json::to_value(fields).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut object {
        let best = mirrors_best_first(
            rom.url.as_ref(),
            &rom.mirrors,
            state.map_or(&[][..], |s| &s.checks),
        );
        map.insert("mirrors".into(), json!(best));
        map.insert(
            "withdrawn_on".into(),
            json!(state.and_then(|s| s.withdrawn_on)),
        );
        map.insert(
            "security_patch".into(),
            json!(added.security_patches.get(rom.filename.as_str())),
        );
    }
    object
}

pub(crate) async fn rom(State(state): State<AppState>, Path(filename): Path<String>) -> ApiResult {
    if filename.len() > 255 {
        return Err(ApiError::bad_request("file name longer than 255 bytes"));
    }
    let wanted = filename.clone();
    let found = state
        .pool
        .with(Lane::Api, move |store| {
            let rom = store.rom(&wanted)?;
            let added = additions(store, rom.iter())?;
            Ok::<_, StoreError>(rom.map(|rom| (rom, added)))
        })
        .await?;
    match found {
        Some((rom, added)) => Ok(Json(rom_object(&rom, &rom, &added)).into_response()),
        None => Err(ApiError::not_found(format!("no ROM named {filename}"))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// Devices, then ROMs newest first: the ranking of the site's search
/// (`romwatch_model::search`).
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
    Ok(Json(json!({
        "q": q,
        "devices": found.devices,
        "roms": listed_objects(&found.roms, &added),
        "next_cursor": found.next_cursor,
    }))
    .into_response())
}

pub(crate) async fn health(State(state): State<AppState>) -> ApiResult {
    let newest = state
        .pool
        .with(Lane::Health, |store| {
            store.list_roms(&RomFilter::default(), 1, None)
        })
        .await?;
    let latest = newest.roms.first().map(|r| r.rom.filename.clone());
    Ok(Json(json!({ "status": "ok", "latest": latest })).into_response())
}

pub(crate) async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}
