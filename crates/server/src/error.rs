//! Errors: of the server as a whole, and the JSON answers of the API.

use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Response};
use romwatch_api::ErrorAnswer;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response as Documented, ResponseBuilder};

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot read the store")]
    Store(#[from] romwatch_store::StoreError),
    #[error("server I/O failed")]
    Io(#[source] std::io::Error),
    #[error("invalid server settings: {0}")]
    Config(String),
    #[error(
        "there is no site directory {site}: build the site first (romwatch build --out {site}), or name it with --site"
    )]
    NoSite { site: PathBuf },
    #[error(
        "the site directory {site} holds the database {db}: serve the built site (romwatch build --out), not a directory with the store in it"
    )]
    SiteHoldsStore { site: PathBuf, db: PathBuf },
}

/// An API error answer: a status and a message, as JSON.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Seconds to wait before trying again (`Retry-After`), for a 503.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 503: the server is at its limit; the client may try again later.
    pub fn busy(message: impl Into<String>, retry_after: u64) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: message.into(),
            retry_after: Some(retry_after),
        }
    }

    /// 500, saying no more: the details go to the log.
    pub fn internal() -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "internal error".into(),
            retry_after: None,
        }
    }
}

impl From<romwatch_store::StoreError> for ApiError {
    fn from(err: romwatch_store::StoreError) -> ApiError {
        tracing::error!(error = %err, "store query failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the store could not be read".into(),
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorAnswer {
                error: self.message,
                status: self.status.as_u16(),
            }),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// The error answers every API route may give, for the OpenAPI document.
pub(crate) struct ErrorAnswers;

impl utoipa::IntoResponses for ErrorAnswers {
    fn responses() -> std::collections::BTreeMap<String, RefOr<Documented>> {
        let error = |description: &str| {
            ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorAnswer")))
                    .build(),
            )
        };
        let retry_after = HeaderBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            ))
            .description(Some("Seconds to wait before trying again"))
            .build();
        [
            (
                "400",
                error("A bad parameter, with the reason and the accepted values"),
            ),
            ("404", error("Nothing there")),
            (
                "405",
                error("Another method than GET or HEAD (the Allow header lists them)"),
            ),
            ("500", error("The store could not be read")),
            (
                "503",
                error("Busy: every query slot taken, or the query ran over its time budget")
                    .header("Retry-After", retry_after),
            ),
        ]
        .into_iter()
        .map(|(status, response)| (status.to_string(), RefOr::T(response.build())))
        .collect()
    }
}
