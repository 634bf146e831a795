//! The one error shape for bad input: which field, and what is wrong with it.

use serde::Serialize;
use std::borrow::Cow;

/// A rejected input value. `code` is a stable key that front doors translate
/// (`error.<code>` in the locale files); `field` names the offending field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {code}")]
pub struct FieldError {
    /// The input field, as named in forms and JSON bodies.
    pub field: Cow<'static, str>,
    /// A stable message key, e.g. `required`, `too_long`, `phone_invalid`.
    pub code: &'static str,
    /// Values the message names (`position` → `12`), filling its `{position}` placeholders;
    /// the stable part of the error is `field` and `code`.
    #[serde(skip)]
    pub args: Vec<(&'static str, String)>,
}

impl FieldError {
    /// Builds an error for `field` with message key `code`.
    pub fn new(field: impl Into<Cow<'static, str>>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
            args: Vec::new(),
        }
    }

    /// The same error with one more value for its message.
    pub fn with(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Several field errors at once, so a form can show all of them together.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {0:?}")]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Records the error of `result`, if any, and passes its value on.
    pub fn collect<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// `Ok(())` when no error was collected.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}
