//! The errors of this function, under stable names (`CryptoPreprocess.` +
//! the name): a workflow's `Retry` matches `CryptoPreprocess.KeyUnavailable`
//! only (503, retryable by its status); the rest are final (4xx and 500). A key or secret that is *configured* wrong is
//! `KeyUnusable`, never `KeyUnavailable`, so no retry budget is spent on a
//! fault that does not fix itself.

use actionkit::ActionError;

/// The input is not what the operation takes. Not retryable.
pub fn invalid(message: impl Into<String>) -> ActionError {
    ActionError::new(400, "InvalidInput", message)
}

/// The signature does not match the payload. Not retryable.
pub fn signature_mismatch() -> ActionError {
    ActionError::new(
        401,
        "SignatureMismatch",
        "The signature does not match the payload and the webhook secret.",
    )
}

/// The signed timestamp is outside the tolerance (replay). Not retryable.
pub fn stale_timestamp(age_seconds: i64, tolerance: i64) -> ActionError {
    ActionError::new(
        401,
        "StaleTimestamp",
        format!(
            "The signature timestamp is {age_seconds} s away from now; at most {tolerance} s are accepted."
        ),
    )
}

/// A key or secret could not be fetched because KMS or Secrets Manager is
/// throttling, down or slow: a fault that passes. Retryable.
pub fn key_unavailable(detail: impl Into<String>) -> ActionError {
    ActionError::new(
        503,
        "KeyUnavailable",
        "A key or secret could not be fetched; retry later.",
    )
    .with_log_detail(detail)
}

/// A key or secret is configured so that it cannot be used: the KMS key is
/// missing, disabled, pending deletion or not permitted to this function;
/// the secret is missing, deleted, empty or not permitted; or it is not
/// configured at all. An operator must fix the configuration. Not retryable.
pub fn key_unusable(detail: impl Into<String>) -> ActionError {
    ActionError::new(
        500,
        "KeyUnusable",
        "A key or secret this function is configured with cannot be used (missing, disabled, \
         pending deletion or not permitted); an operator must fix the configuration, retrying does not help.",
    )
    .with_log_detail(detail)
}

/// The JSON document holds an object with the same key twice: it is not
/// I-JSON (RFC 7493), so RFC 8785 gives it no canonical form. Not retryable.
pub fn duplicate_key() -> ActionError {
    ActionError::new(
        400,
        "DuplicateKey",
        "The JSON document has an object with the same key twice (not I-JSON, RFC 8785 section 3.1): \
         which value counts is ambiguous, so it has no digest. Send each key once.",
    )
}

/// Decryption or authentication failed: wrong key, wrong context, or
/// tampered data. Not retryable.
pub fn decrypt_failed(what: &str) -> ActionError {
    ActionError::new(
        400,
        "DecryptFailed",
        format!(
            "{what} could not be decrypted: the key, the encryption context or the data does not match (tampered or from another document)."
        ),
    )
}
