//! The one error type of the library: a message meant for the user, saying what went wrong
//! and, where it can, what to do about it. Anything that makes a scan unable to run ends here
//! (exit code 2); problems with single inputs are warnings instead (see `diagnostics`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
