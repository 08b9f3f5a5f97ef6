//! romwatch's public JSON schema: the objects that leave romwatch.
//!
//! The live API (`romwatch serve`), the static API files of a build
//! (`/api/v1/*.json`) and webhook payloads all serialize these types and
//! nothing else, so a change to an internal type (`romwatch_model::Rom`,
//! the store's rows) cannot change what readers get without a change
//! here. Every document carries [`SCHEMA`]; a change that breaks readers
//! bumps it. The types derive their JSON Schema (`utoipa::ToSchema`), from
//! which `romwatch-server` generates `openapi.json`.

mod device;
mod documents;
mod names;
mod rom;
mod webhook;

pub use device::{Device, DeviceHit, Variant, VariantReleases};
pub use documents::{
    DeviceAnswer, DeviceList, DeviceReleases, ErrorAnswer, Health, RomAnswer, RomList, RomPage,
    SearchAnswer,
};
pub use rom::{Md5Kind, Mirror, Rom, RomKind};
pub use webhook::{Webhook, WebhookLinks};

/// The schema version every document carries as `schema`. Version 2 made
/// the live API, the static files and webhooks one schema.
pub const SCHEMA: u32 = 2;

/// Every type of the schema, for an OpenAPI document's components.
pub fn schemas() -> Vec<(
    String,
    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
)> {
    use utoipa::ToSchema;
    let mut all = Vec::new();
    fn add<T: ToSchema>(
        all: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        all.push((T::name().into_owned(), T::schema()));
    }
    add::<Rom>(&mut all);
    add::<Mirror>(&mut all);
    add::<RomKind>(&mut all);
    add::<Md5Kind>(&mut all);
    add::<Device>(&mut all);
    add::<Variant>(&mut all);
    add::<DeviceHit>(&mut all);
    add::<DeviceList>(&mut all);
    add::<DeviceReleases>(&mut all);
    add::<RomList>(&mut all);
    add::<DeviceAnswer>(&mut all);
    add::<RomPage>(&mut all);
    add::<RomAnswer>(&mut all);
    add::<SearchAnswer>(&mut all);
    add::<ErrorAnswer>(&mut all);
    add::<Health>(&mut all);
    add::<Webhook>(&mut all);
    add::<WebhookLinks>(&mut all);
    all
}
