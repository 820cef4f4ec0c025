//! What every provider answers alike (a failure, a `401`, a `429`, a redirect, a server error)
//! and an answer nobody explains, turned into verdicts.

use crate::finding::{Status, Verification};
use crate::verify::http::{Answer, Failure};
use crate::verify::provider::{Provider, verdict};

/// The result for what every provider answers alike: a failure, a `401`, a `429` (after
/// its retry), a redirect, a server error; `None` for the answers a provider reads itself.
pub(super) fn common(
    p: Provider,
    answer: std::result::Result<&Answer, &Failure>,
) -> Option<Verification> {
    let a = match answer {
        Err(Failure::Timeout) => {
            return Some(verdict(
                Status::Unknown,
                p,
                "no answer within the timeout (--verify-timeout)",
            ));
        }
        Err(Failure::Failed(why)) => {
            return Some(verdict(Status::Error, p, why.clone()));
        }
        Ok(a) => a,
    };
    Some(match a.status {
        401 => verdict(
            Status::Inactive,
            p,
            "401: invalid, expired, revoked or deleted",
        ),
        429 => verdict(Status::Unknown, p, "rate limited (429, retried once)"),
        300..=399 => verdict(
            Status::Error,
            p,
            format!("answered with a redirect ({}), not followed", a.status),
        ),
        500..=599 => verdict(
            Status::Unknown,
            p,
            format!("the provider failed ({})", a.status),
        ),
        _ => return None,
    })
}

/// An answer no rule above explains.
pub(super) fn unexpected(p: Provider, a: &Answer) -> Verification {
    verdict(
        Status::Error,
        p,
        format!("unexpected answer (HTTP {})", a.status),
    )
}
