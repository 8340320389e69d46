//! The one error type of every server function: what the user did wrong (shown, with the field)
//! or what we did wrong (logged on the server, shown only as a generic sentence).

use serde::{Deserialize, Serialize};

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// Input that breaks a rule; the message says how to fix it.
    Invalid,
    /// A request that could not be read at all (an argument missing or malformed, bytes that
    /// are not text): not what the user typed, so no field is named.
    BadRequest,
    /// The body is larger than the endpoint takes.
    TooLarge,
    /// Too many attempts; try again after `retry_after` seconds.
    TooMany,
    /// Not signed in (or the session ended).
    Unauthenticated,
    /// Signed in, but not allowed.
    Forbidden,
    NotFound,
    /// Someone else changed it first (a decision already made); the message says who and what.
    Conflict,
    /// Our fault. Details are in the server log only.
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    /// A sentence for the whole form (may be empty when only fields are wrong).
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
    /// Non-secret input echoed back so a form posted without JavaScript re-renders filled in.
    pub kept: Vec<(String, String)>,
}

/// The English sentence of [`AppError::internal`] (what tests compare with); the page's
/// language says [`internal_message`].
pub const INTERNAL_MESSAGE: &str =
    "Something went wrong on our side. Please try again in a moment.";

/// [`INTERNAL_MESSAGE`] in the language of the page or request.
pub fn internal_message() -> &'static str {
    crate::i18n::t().ui.internal
}

/// The English sentence of [`AppError::malformed`] (what tests compare with); the page's
/// language says [`malformed_message`].
pub const MALFORMED_MESSAGE: &str =
    "We could not read this request: it is incomplete or malformed. Reload the page and try again.";

/// [`MALFORMED_MESSAGE`] in the language of the page or request.
pub fn malformed_message() -> &'static str {
    crate::i18n::t().ui.malformed
}

impl AppError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
            kept: Vec::new(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid("").with_field(field, message)
    }

    pub fn fields(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::invalid(crate::i18n::t().ui.fix_fields)
        }
    }

    pub fn too_many(message: impl Into<String>, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(ErrorKind::TooMany, message)
        }
    }

    /// A body over the limit of its endpoint (413).
    pub fn too_large() -> Self {
        Self::new(ErrorKind::TooLarge, crate::i18n::t().ui.too_large)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorKind::Unauthenticated,
            crate::i18n::t().ui.sign_in_to_continue,
        )
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorKind::Forbidden, crate::i18n::t().ui.forbidden)
    }

    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound, crate::i18n::t().ui.not_found)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    pub fn internal() -> Self {
        Self::new(ErrorKind::Internal, internal_message())
    }

    /// A request that could not be read (400).
    pub fn malformed() -> Self {
        Self::new(ErrorKind::BadRequest, malformed_message())
    }

    pub fn with_field(mut self, field: &str, message: impl Into<String>) -> Self {
        self.fields.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
        self
    }

    pub fn keep(mut self, name: &str, value: &str) -> Self {
        self.kept.push((name.into(), value.into()));
        self
    }

    pub fn field_message(&self, field: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.clone())
    }

    pub fn kept_value(&self, name: &str) -> Option<String> {
        self.kept
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// The HTTP status of a server function's answer, set at the edge
    /// (`server::http::error_status`); a form posted without JavaScript gets its redirect.
    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::Invalid => 422,
            ErrorKind::BadRequest => 400,
            ErrorKind::TooLarge => 413,
            ErrorKind::TooMany => 429,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request could not be decoded: an argument missing or malformed (bad JSON or
            // URL encoding, text in a number), or a body that is not UTF-8.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => Self::malformed(),
            // On the server this is the request's body failing to be read: cut off at the body
            // limit (a body sent without its length), or not text. In the browser the same
            // variant means the server's answer could not be read, which is ours.
            ServerFnErrorErr::Deserialization(m) if cfg!(feature = "ssr") => {
                if m.contains("length limit exceeded") {
                    Self::too_large()
                } else {
                    Self::malformed()
                }
            }
            ServerFnErrorErr::Request(_) => {
                Self::new(ErrorKind::Internal, crate::i18n::t().ui.unreachable)
            }
            _ => Self::internal(),
        }
    }
}

/// Collects field errors while parsing a form, so every wrong field is reported at once.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Keeps the value, or records its error (a domain [`Invalid`](crate::domain::Invalid), or
    /// a sentence) as the message of `field`.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError {
                    field: field.into(),
                    message: e.to_string(),
                });
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::fields(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_that_cannot_be_read_is_a_bad_request_not_our_failure() {
        for undecodable in [
            ServerFnErrorErr::MissingArg("page".into()),
            ServerFnErrorErr::Args("invalid digit found in string".into()),
        ] {
            let err = AppError::from_server_fn_error(undecodable);
            assert_eq!((err.kind, err.status()), (ErrorKind::BadRequest, 400));
            assert_eq!(err.message, MALFORMED_MESSAGE);
        }
        #[cfg(feature = "ssr")]
        {
            let not_text = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
                "invalid utf-8 sequence of 1 bytes from index 3".into(),
            ));
            assert_eq!(not_text.status(), 400);
            let cut_off = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
                "length limit exceeded".into(),
            ));
            assert_eq!(cut_off.status(), 413);
            assert_eq!(cut_off.message, "This request is too large.");
        }
        let ours = AppError::from_server_fn_error(ServerFnErrorErr::Response("no".into()));
        assert_eq!(ours, AppError::internal());
    }
}
