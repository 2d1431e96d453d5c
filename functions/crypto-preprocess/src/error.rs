//! The errors of this function, under stable names: a workflow's
//! `Retry` matches `CryptoPreprocess.KeyUnavailable`; the rest are final.

use actionkit::ActionError;

/// The input is not what the operation takes. Not retryable.
pub fn invalid(message: impl Into<String>) -> ActionError {
    ActionError::new(400, "InvalidInput", message).retryable(false)
}

/// The signature does not match the payload. Not retryable.
pub fn signature_mismatch() -> ActionError {
    ActionError::new(
        401,
        "SignatureMismatch",
        "The signature does not match the payload and the webhook secret.",
    )
    .retryable(false)
}

/// The signed timestamp is outside the tolerance (replay). Not retryable.
pub fn stale_timestamp(age_seconds: i64, tolerance: i64) -> ActionError {
    ActionError::new(
        401,
        "StaleTimestamp",
        format!("The signature timestamp is {age_seconds} s away from now; at most {tolerance} s are accepted."),
    )
    .retryable(false)
}

/// A key or secret could not be fetched (KMS, Secrets Manager). Retryable.
pub fn key_unavailable(detail: impl Into<String>) -> ActionError {
    ActionError::new(
        503,
        "KeyUnavailable",
        "A key or secret could not be fetched; retry later.",
    )
    .retryable(true)
    .with_log_detail(detail)
}

/// Decryption or authentication failed: wrong key, wrong context, or
/// tampered data. Not retryable.
pub fn decrypt_failed(what: &str) -> ActionError {
    ActionError::new(
        400,
        "DecryptFailed",
        format!("{what} could not be decrypted: the key, the encryption context or the data does not match (tampered or from another document)."),
    )
    .retryable(false)
}
