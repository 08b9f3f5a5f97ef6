//! JSON Schemas of the model's named values (branch, method, OS family,
//! mirror status): a string enum of their display names, taken from the
//! model's own list of values so that the schema cannot drift from it.

use romwatch_model::{Branch, Method, MirrorStatus, OsFamily};
use utoipa::openapi::schema::{ObjectBuilder, Type};

fn one_of(description: &str, names: impl Iterator<Item = &'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(names))
}

pub(crate) fn branch() -> ObjectBuilder {
    one_of("The release channel", Branch::ALL.iter().map(|b| b.name()))
}

pub(crate) fn method() -> ObjectBuilder {
    one_of(
        "How the package is flashed: Recovery (.zip) or Fastboot (.tgz)",
        Method::ALL.iter().map(|m| m.name()),
    )
}

pub(crate) fn os_family() -> ObjectBuilder {
    one_of("The OS family", OsFamily::ALL.iter().map(|f| f.name()))
}

pub(crate) fn os_families() -> utoipa::openapi::schema::ArrayBuilder {
    utoipa::openapi::schema::ArrayBuilder::new().items(os_family())
}

pub(crate) fn mirror_status() -> ObjectBuilder {
    one_of(
        "What the last check found: ok, slow (answered late), unchecked, down",
        MirrorStatus::ALL.iter().map(|s| s.name()),
    )
}

/// A text the model writes in a fixed form (`MIUI 14`, a region code).
pub(crate) fn text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

pub(crate) fn os_line() -> ObjectBuilder {
    text("The OS line: `MIUI 14`, `HyperOS 2`, or the family alone for dated (weekly) builds")
}

pub(crate) fn region() -> ObjectBuilder {
    text("The region code: cn, global, eea, in, ru, id, tr, tw, jp, kr, or another lowercase code")
}
