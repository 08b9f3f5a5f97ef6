//! The OpenAPI document, generated from the code: the live routes from
//! their handlers' `#[utoipa::path]`, the static API files and the webhook
//! body from `romwatch_api`'s types. `/api/v1/openapi.json` serves it and
//! `crates/server/openapi.json` holds a copy for readers and tools (a test
//! fails when the two differ; `romwatch openapi` writes it).

use std::sync::OnceLock;

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{
    ContentBuilder, PathsBuilder, Ref, Required, ResponseBuilder, ResponsesBuilder,
};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "romwatch API",
        description = "Xiaomi ROM releases as romwatch records them: the live API read from the store (never written), the static API files a build writes, and the body of webhook POSTs. Every document carries the schema version as `schema`.",
    ),
    paths(
        api::devices,
        api::device,
        api::roms,
        api::rom,
        api::search,
        api::health
    )
)]
struct LiveRoutes;

/// A `GET` of a static file answering `schema_name`.
fn static_file(summary: &str, schema_name: &str, codename: bool) -> PathItem {
    let ok = ResponseBuilder::new().description(summary).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema_name)))
            .build(),
    );
    let mut operation = OperationBuilder::new()
        .summary(Some(summary))
        .tag("static")
        .responses(
            ResponsesBuilder::new().response("200", ok).response(
                "404",
                ResponseBuilder::new()
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorAnswer")))
                            .build(),
                    )
                    .description("No such file"),
            ),
        );
    if codename {
        operation = operation.parameter(
            ParameterBuilder::new()
                .name("codename")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("A device codename (alioth)"))
                .schema(Some(
                    utoipa::openapi::schema::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::String),
                )),
        );
    }
    PathItem::new(HttpMethod::Get, operation)
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = LiveRoutes::openapi();
    doc.info.version = romwatch_api::SCHEMA.to_string();
    doc.paths.paths.extend([
        (
            "/api/v1/devices.json".to_string(),
            static_file("Every device (written by romwatch build)", "DeviceList", false),
        ),
        (
            "/api/v1/devices/{codename}.json".to_string(),
            static_file(
                "Every release of one device, newest first (written by romwatch build)",
                "DeviceReleases",
                true,
            ),
        ),
        (
            "/api/v1/latest.json".to_string(),
            static_file(
                "The newest full ROM per device variant, branch and method (written by romwatch build)",
                "RomList",
                false,
            ),
        ),
    ]);
    let webhook = OperationBuilder::new()
        .summary(Some(
            "An event, POSTed to each configured webhook, signed in X-Romwatch-Signature",
        ))
        .request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Webhook")))
                        .build(),
                )
                .required(Some(Required::True))
                .build(),
        ))
        .responses(ResponsesBuilder::new().response(
            "200",
            ResponseBuilder::new().description("Any 2xx: delivered"),
        ));
    doc.webhooks = Some(
        PathsBuilder::new()
            .path("event", PathItem::new(HttpMethod::Post, webhook))
            .build(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(romwatch_api::schemas());
    doc
}

/// The document as JSON, pretty-printed, with a final newline.
pub fn openapi_json() -> String {
    let mut text = document()
        .to_pretty_json()
        .unwrap_or_else(|e| unreachable!("an OpenAPI document serializes: {e}"));
    text.push('\n');
    text
}

/// `/api/v1/openapi.json`.
pub(crate) async fn serve() -> Response {
    static TEXT: OnceLock<String> = OnceLock::new();
    (
        [(CONTENT_TYPE, "application/json")],
        TEXT.get_or_init(openapi_json).as_str(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_document_is_the_generated_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == openapi_json(),
            "{path} differs from the generated document: regenerate it with \
             `cargo run --release -p romwatch -- openapi > crates/server/openapi.json`"
        );
    }
}
