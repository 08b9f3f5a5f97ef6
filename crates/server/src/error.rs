//! Errors: of the server as a whole, and the JSON answers of the API.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot read the store")]
    Store(#[from] romwatch_store::StoreError),
    #[error("server I/O failed")]
    Io(#[source] std::io::Error),
}

/// An API error answer: a status and a message, as JSON.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl From<romwatch_store::StoreError> for ApiError {
    fn from(err: romwatch_store::StoreError) -> ApiError {
        tracing::error!(error = %err, "store query failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the store could not be read".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.message, "status": self.status.as_u16() })),
        )
            .into_response()
    }
}
