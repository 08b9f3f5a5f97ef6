//! The five simulated sources, each answering from the catalog in its
//! real wire format, after the fault gate.

use std::collections::HashMap;

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use romwatch_model::{Method, OsFamily, Region, Size};
use romwatch_upstream::SourceId;
use romwatch_upstream::changelog::ChangelogShape;
use romwatch_upstream::crypto;
use romwatch_upstream::fullrom::NO_PACKAGE;
use romwatch_upstream::ota::{AnswerObject, FileMirror, GentleNotice, RomObject};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::catalog::{Catalog, FIRST_POST_ID, SimRom, stand_in_body};
use crate::faults::Fault;
use crate::server::{Shared, gate, json_response, truncated};
use crate::wrong_key::wrong_ciphertext;

/// The form of an OTA request. `t` (service token) and `s` (signed-in
/// level) are accepted and ignored: the simulator serves public releases.
#[derive(Deserialize)]
pub(crate) struct OtaForm {
    q: String,
}

/// The fault drawn for this request of `source`, or the faulty answer that
/// the handler returns in its place.
macro_rules! gated {
    ($state:expr, $source:expr) => {
        match gate($state, $source).await {
            Ok(fault) => fault,
            Err(response) => return response,
        }
    };
}

/// `POST /updates/miotaV3.php`.
pub(crate) async fn ota(State(state): State<Shared>, Form(form): Form<OtaForm>) -> Response {
    let fault = gated!(&state, SourceId::Ota);
    let Ok(plain) = crypto::open(&form.q) else {
        return (StatusCode::BAD_REQUEST, "bad q").into_response();
    };
    let Ok(request) = serde_json::from_slice::<Value>(&plain) else {
        return (StatusCode::BAD_REQUEST, "bad request JSON").into_response();
    };
    let field = |key: &str| {
        request
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (variant, branch, current) = (field("d"), field("b"), field("ov"));
    let (json, junk) = {
        let catalog = state.read();
        let device = catalog.device_of(&variant);
        let answer = device.map(|d| ota_answer(&catalog, d, &branch, &current));
        let json = match answer {
            Some(answer) => serde_json::to_string(&answer),
            None => serde_json::to_string(&json!({"AuthResult": 1})),
        };
        (json.unwrap_or_default(), device.is_some_and(|d| d % 2 == 1))
    };
    let mut plaintext = match fault {
        Some(Fault::ErrorReply) => br#"{"code":"2001","desc":"device not supported"}"#.to_vec(),
        Some(Fault::TruncatedJson) => truncated(&json).into_bytes(),
        _ => json.into_bytes(),
    };
    // Some real answers carry junk after the final `}`.
    if junk {
        plaintext.extend_from_slice(b"\0\0\x05\x05trailing");
    }
    let body = match fault {
        Some(Fault::WrongCiphertext) => wrong_ciphertext(&plaintext),
        Some(Fault::BadBase64) => "%%not*base64%%".to_string(),
        // Long answers come wrapped in lines, as PHP's chunk_split writes them.
        _ => wrap_lines(&crypto::seal(&plaintext)),
    };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
        body,
    )
        .into_response()
}

fn wrap_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 76 + 1);
    for (i, c) in text.chars().enumerate() {
        if i > 0 && i % 76 == 0 {
            out.push_str("\r\n");
        }
        out.push(c);
    }
    out
}

/// The answer to "variant `d` runs `ov` on branch `b`". When `ov` is on
/// another OS family than the newest build (MIUI on a device that has
/// HyperOS), `LatestRom` stays in the family and `CrossRom` is the newest.
fn ota_answer<'a>(
    catalog: &'a Catalog,
    device: usize,
    branch: &str,
    current: &str,
) -> AnswerObject<'a> {
    let stable = branch != "X";
    let in_branch = |r: &SimRom| r.is_full_recovery() && r.is_stable() == stable;
    let current_rom = catalog
        .roms_of(device)
        .find(|r| r.is_full_recovery() && r.version.as_str() == current);
    let newest = catalog.latest(device, in_branch);
    let family = |r: &SimRom| r.version.os_line().family;
    let (latest, cross) = match (current_rom, newest) {
        (Some(c), Some(n)) if family(c) != family(n) => (
            catalog.latest(device, |r| in_branch(r) && family(r) == family(c)),
            Some(n),
        ),
        _ => (newest, None),
    };
    let incremental = latest.and_then(|l| {
        catalog.roms_of(device).find(|r| {
            r.method == Method::Recovery
                && r.from.as_deref() == Some(current)
                && r.version == l.version
        })
    });
    let object = |rom: &'a SimRom| rom_object(catalog, rom);
    AnswerObject {
        auth_result: 1,
        current: current_rom.map(object),
        latest: latest.map(object),
        incremental: incremental.map(object),
        cross: cross.map(object),
        file_mirror: FileMirror {
            icon: "https://cdn.cnbj1.fds.api.mi-img.com/com.miui.updater/icon/".to_string(),
            image: "https://cdn.cnbj1.fds.api.mi-img.com/com.miui.updater/image/".to_string(),
            video: String::new(),
            headimage: String::new(),
        },
        gentle_notice: GentleNotice {
            text: "<p>Keep your device charged.</p>".to_string(),
        },
    }
}

fn rom_object<'a>(catalog: &'a Catalog, rom: &'a SimRom) -> RomObject<'a> {
    let device = &catalog.devices[rom.device];
    let line = rom.version.os_line();
    let major = line.major.unwrap_or(0);
    let hyperos = line.family == OsFamily::HyperOs;
    RomObject {
        bigversion: if hyperos {
            "816".to_string()
        } else {
            format!("{major}.0")
        },
        osbigversion: if hyperos {
            format!("{major}.0")
        } else {
            "0.0".to_string()
        },
        branch: if rom.is_stable() { "F" } else { "X" },
        codebase: &rom.android,
        device: device.variant.as_str(),
        filename: &rom.filename,
        filesize: Size::exact(rom.size).human(),
        md5: rom
            .md5
            .filter(|m| m.is_full())
            .map(|m| m.to_string())
            .unwrap_or_default(),
        name: device.name.clone(),
        kind: if rom.from.is_some() { "I" } else { "F" },
        version: rom.version.as_str(),
        is_beta: u8::from(rom.branch == romwatch_model::Branch::PublicBeta),
        is_gov: 0,
        // HyperOS answers use the list shape, MIUI ones the txt shape.
        changelog: rom.changelog.shaped(if hyperos {
            ChangelogShape::Items
        } else {
            ChangelogShape::TxtList
        }),
    }
}

/// The newest stable fastboot package a full-ROM query names, if the
/// query is right (`r` must match the variant, or be empty).
fn fullrom_pick<'a>(catalog: &'a Catalog, query: &HashMap<String, String>) -> Option<&'a SimRom> {
    let variant = query.get("d")?;
    let region = query.get("r").map(String::as_str).unwrap_or("");
    if !region.is_empty() && region != Region::of_variant(variant).code() {
        return None;
    }
    let device = catalog.device_of(variant)?;
    catalog.latest(device, |r| r.method == Method::Fastboot && r.is_stable())
}

/// `GET /updates/v1/fullromdownload.php?d=&b=&r=&n=`: a 302.
pub(crate) async fn fullrom_redirect(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let fault = gated!(&state, SourceId::FullRom);
    if fault == Some(Fault::ErrorReply) {
        return json_response(r#"{"code":1,"msg":"param error"}"#.to_string());
    }
    let location = {
        let catalog = state.read();
        match fullrom_pick(&catalog, &query) {
            Some(rom) if fault != Some(Fault::NoPackage) => catalog.handed_out_url(rom),
            _ => NO_PACKAGE.to_string(),
        }
    };
    redirect(&location)
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /updates/miota-fullrom.php`: `{"LatestFullRom": {…}}`.
pub(crate) async fn fullrom_json(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let fault = gated!(&state, SourceId::FullRom);
    let json = {
        let catalog = state.read();
        match fullrom_pick(&catalog, &query) {
            Some(rom) if fault != Some(Fault::NoPackage) => {
                // A struct, not `json!`: the changelog's sections keep their order.
                #[derive(serde::Serialize)]
                struct FullRomAnswer<'a> {
                    #[serde(rename = "LatestFullRom")]
                    latest: RomObject<'a>,
                }
                let answer = FullRomAnswer {
                    latest: rom_object(&catalog, rom),
                };
                serde_json::to_string(&answer).unwrap_or_default()
            }
            _ => r#"{"LatestFullRom":[]}"#.to_string(),
        }
    };
    json_response(match fault {
        Some(Fault::ErrorReply) => r#"{"code":1,"msg":"param error"}"#.to_string(),
        Some(Fault::TruncatedJson) => truncated(&json),
        _ => json,
    })
}

/// Wraps community `data` in the success envelope, or applies a fault.
fn community_answer(fault: Option<Fault>, data: Value) -> Response {
    let json = json!({"code": 0, "msg": "success", "data": data}).to_string();
    json_response(match fault {
        Some(Fault::ErrorReply) => r#"{"code":10001,"msg":"system busy","data":null}"#.to_string(),
        Some(Fault::TruncatedJson) => truncated(&json),
        _ => json,
    })
}

/// `getphonelist`.
pub(crate) async fn phone_list(State(state): State<Shared>) -> Response {
    let fault = gated!(&state, SourceId::Community);
    let list: Vec<Value> = state
        .read()
        .phones
        .iter()
        .map(|p| json!({"name": p.name, "id": p.id, "pic_url": format!("https://i01.appmifile.com/phone/{}.png", p.id)}))
        .collect();
    community_answer(fault, json!({"phone_data": {"phone_list": list}}))
}

/// `getdevicelist?phone_id=`.
pub(crate) async fn device_list(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let fault = gated!(&state, SourceId::Community);
    let data = {
        let catalog = state.read();
        let id = query.get("phone_id").and_then(|i| i.parse::<u64>().ok());
        let Some(phone) = catalog.phones.iter().find(|p| Some(p.id) == id) else {
            return json_response(
                r#"{"code":100002,"msg":"phone not found","data":null}"#.to_string(),
            );
        };
        let mut list = serde_json::Map::new();
        for &device in &phone.devices {
            let rom = |rom: Option<&SimRom>| {
                rom.map(|r| {
                    json!({"version": r.version.as_str(), "rom_url": catalog.handed_out_url(r),
                           "size": Size::exact(r.size).human()})
                })
            };
            let stable = rom(catalog.latest(device, |r| r.is_full_recovery() && r.is_stable()));
            let developer = rom(catalog.latest(device, |r| r.is_full_recovery() && !r.is_stable()));
            let mut entry = serde_json::Map::new();
            if let Some(stable) = stable {
                entry.insert("stable_rom".into(), stable);
            }
            if let Some(developer) = developer {
                entry.insert("developer_rom".into(), developer);
            }
            list.insert(catalog.devices[device].name.clone(), Value::Object(entry));
        }
        json!({"device_data": {"device_list": list}})
    };
    community_answer(fault, data)
}

/// `getlinepackagelist`: the newest stable fastboot package of every
/// non-China variant.
pub(crate) async fn line_packages(State(state): State<Shared>) -> Response {
    let fault = gated!(&state, SourceId::Community);
    let list: Vec<Value> = {
        let catalog = state.read();
        catalog
            .phones
            .iter()
            .flat_map(|p| p.devices.iter().copied())
            .filter_map(|device| {
                let rom = catalog.latest(device, |r| r.method == Method::Fastboot && r.is_stable())?;
                let d = &catalog.devices[device];
                Some(json!({
                    "id": device + 1,
                    "package_name": format!("★ {} Latest {} Stable Fastboot", d.phone, d.region.name()),
                    "key": format!("{}_{}_stable", d.codename, d.region.code()),
                    "package_url": catalog.handed_out_url(rom),
                }))
            })
            .collect()
    };
    community_answer(fault, Value::Array(list))
}

/// `GET /api/community/post/detail?postId=`.
pub(crate) async fn china_post(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let fault = gated!(&state, SourceId::ChinaCommunity);
    let json = {
        let catalog = state.read();
        let post = query
            .get("postId")
            .and_then(|i| i.parse::<u64>().ok())
            .and_then(|id| id.checked_sub(FIRST_POST_ID))
            .and_then(|i| catalog.posts.get(usize::try_from(i).ok()?));
        match post {
            None => r#"{"code":404,"message":"帖子不存在"}"#.to_string(),
            Some(post) => {
                let mut blocks =
                    vec![json!({"type": "txt", "txt": "<p>MIUI / HyperOS 稳定版卡刷包</p>"})];
                for &index in post {
                    let rom = &catalog.roms[index];
                    let name = &catalog.devices[rom.device].name;
                    blocks.push(json!({"type": "txt", "txt": format!(
                        "<p>{name} {}：<a href=\"{}\" target=\"_blank\">{}</a></p>",
                        rom.version.as_str(), catalog.handed_out_url(rom).replace('&', "&amp;"), rom.filename
                    )}));
                }
                blocks.push(json!({"type": "image", "url": "https://cdn.cnbj1.fds.api.mi-img.com/bbs/x.png"}));
                json!({"code": 200, "entity": {"textContent": Value::Array(blocks).to_string()}})
                    .to_string()
            }
        }
    };
    json_response(match fault {
        Some(Fault::ErrorReply) => r#"{"code":500,"message":"系统繁忙"}"#.to_string(),
        Some(Fault::TruncatedJson) => truncated(&json),
        _ => json,
    })
}

/// The S3-style answer for a missing key.
pub(crate) fn no_such_key(key: &str) -> String {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-/".contains(*c))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>{key}</Key></Error>\n"
    )
}

/// What the CDN knows of a path: size, last-modified date, stand-in key.
fn cdn_lookup(
    catalog: &Catalog,
    version: &str,
    filename: &str,
) -> Option<(u64, Option<String>, String)> {
    let rom = catalog
        .rom_named(filename)
        .filter(|r| r.version.as_str() == version)?;
    let modified = rom
        .date
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .map(|t| t.and_utc().format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    Some((rom.size, modified, rom.stand_in_key.clone()))
}

/// `HEAD /<version>/<filename>`: the nominal size and date.
pub(crate) async fn cdn_head(
    State(state): State<Shared>,
    Path((version, filename)): Path<(String, String)>,
) -> Response {
    let fault = gated!(&state, SourceId::Cdn);
    let found = cdn_lookup(&state.read(), &version, &filename);
    let key = format!("{version}/{filename}");
    let (status, length, modified) = match (found, fault) {
        (Some((_, modified, _)), Some(Fault::SmallBody)) => {
            (StatusCode::OK, no_such_key(&key).len() as u64, modified)
        }
        (Some((size, modified, _)), _) => (StatusCode::OK, size, modified),
        (None, _) => (StatusCode::NOT_FOUND, no_such_key(&key).len() as u64, None),
    };
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_LENGTH, length)
        .header(header::CONTENT_TYPE, "application/octet-stream");
    if let Some(modified) = modified {
        response = response.header(header::LAST_MODIFIED, modified);
    }
    response
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `GET /<version>/<filename>`: the stand-in body (see the catalog module).
pub(crate) async fn cdn_get(
    State(state): State<Shared>,
    Path((version, filename)): Path<(String, String)>,
) -> Response {
    let fault = gated!(&state, SourceId::Cdn);
    let found = cdn_lookup(&state.read(), &version, &filename);
    let key = format!("{version}/{filename}");
    match (found, fault) {
        (Some(_), Some(Fault::SmallBody)) => (StatusCode::OK, no_such_key(&key)).into_response(),
        (Some((_, modified, stand_in_key)), _) => {
            let mut response =
                Response::builder().header(header::CONTENT_TYPE, "application/octet-stream");
            if let Some(modified) = modified {
                response = response.header(header::LAST_MODIFIED, modified);
            }
            response
                .body(Body::from(stand_in_body(&stand_in_key)))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        (None, _) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/xml")],
            no_such_key(&key),
        )
            .into_response(),
    }
}
