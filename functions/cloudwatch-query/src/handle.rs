//! Query handles: what the agent gets instead of a bare query id.
//!
//! GetQueryResults has no resource-level IAM: whoever knows a query id can
//! read its rows, whatever log groups it ran on. So a follow-up must prove
//! that *this function* started the query, over which groups, and until
//! when: the handle binds the query id, its log groups and an expiry under
//! an HMAC-SHA256 whose key only the function has.
//!
//! ```text
//! qh1.<base64url(JSON {"q": query id, "g": [groups], "e": expiry epoch s})>.<base64url(HMAC)>
//! ```

use std::sync::Arc;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

const PREFIX: &str = "qh1.";
/// Handles longer than this are not issued (and refused): a model has to
/// copy them back.
pub const MAX_HANDLE_CHARS: usize = 4_096;
/// A key shorter than this is refused at start-up.
pub const MIN_KEY_BYTES: usize = 32;

/// Where the handle key comes from.
#[derive(Clone)]
pub enum KeySource {
    /// `QUERY_HANDLE_KEY`: the key itself (at least 32 bytes of text).
    Static(Vec<u8>),
    /// `QUERY_HANDLE_SECRET_ARN`: a Secrets Manager secret, read once, on
    /// the first query (not at cold start).
    Secret(String),
    /// Neither: a random key for this execution environment only; handles
    /// then work only on the instance that issued them.
    Ephemeral,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        match self {
            KeySource::Static(_) => f.write_str("Static(..)"),
            KeySource::Secret(arn) => f.debug_tuple("Secret").field(arn).finish(),
            KeySource::Ephemeral => f.write_str("Ephemeral"),
        }
    }
}

/// The handle key, loaded once.
#[derive(Debug, Clone)]
pub struct HandleKeys {
    source: KeySource,
    key: Arc<OnceCell<hmac::Key>>,
    /// The function's SDK configuration, for a Secrets Manager key: loading
    /// a second one would repeat the credentials chain.
    sdk: Option<aws_config::SdkConfig>,
}

/// Why a key cannot be had.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

/// What a valid handle says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryHandle {
    /// The CloudWatch query id.
    #[serde(rename = "q")]
    pub query_id: String,
    /// The log groups the query ran on.
    #[serde(rename = "g")]
    pub log_groups: Vec<String>,
    /// Expiry, epoch seconds.
    #[serde(rename = "e")]
    pub expires: i64,
}

/// Why a handle is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleError {
    /// Not a handle this function issued (a bare query id, garbled, or
    /// signed with another key).
    Invalid,
    /// Issued here, but past its expiry.
    Expired,
}

impl HandleKeys {
    /// Keys from `source`.
    pub fn new(source: KeySource) -> Self {
        Self {
            source,
            key: Arc::new(OnceCell::new()),
            sdk: None,
        }
    }

    /// Reads a Secrets Manager key (`QUERY_HANDLE_SECRET_ARN`) with `sdk`,
    /// the configuration the function loaded at cold start. Without it, the
    /// first query loads one.
    pub fn set_sdk(&mut self, sdk: &aws_config::SdkConfig) {
        self.sdk = Some(sdk.clone());
    }

    /// The key, loading it on first use.
    pub async fn key(&self) -> Result<&hmac::Key, KeyError> {
        self.key
            .get_or_try_init(|| async {
                let bytes = match &self.source {
                    KeySource::Static(bytes) => bytes.clone(),
                    KeySource::Secret(arn) => secret_key(arn, self.sdk.as_ref()).await?,
                    KeySource::Ephemeral => {
                        tracing::warn!(
                            "no QUERY_HANDLE_KEY or QUERY_HANDLE_SECRET_ARN: query handles are valid on this instance only"
                        );
                        let mut bytes = vec![0; 32];
                        SystemRandom::new()
                            .fill(&mut bytes)
                            .map_err(|_| KeyError("no system randomness for the handle key".into()))?;
                        bytes
                    }
                };
                Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes))
            })
            .await
    }
}

async fn secret_key(arn: &str, sdk: Option<&aws_config::SdkConfig>) -> Result<Vec<u8>, KeyError> {
    let loaded;
    let sdk = match sdk {
        Some(sdk) => sdk,
        None => {
            loaded = actionkit::aws_sdk_config()
                .await
                .map_err(|e| KeyError(format!("the query handle secret cannot be read: {e}")))?;
            &loaded
        }
    };
    let client = aws_sdk_secretsmanager::config::Builder::from(sdk)
        .interceptor(actionkit::TraceHeader)
        .build();
    let out = aws_sdk_secretsmanager::Client::from_conf(client)
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            KeyError(format!(
                "the query handle secret cannot be read: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
            ))
        })?;
    let bytes = out
        .secret_string()
        .map(|s| s.trim().as_bytes().to_vec())
        .or_else(|| out.secret_binary().map(|b| b.as_ref().to_vec()))
        .unwrap_or_default();
    if bytes.len() < MIN_KEY_BYTES {
        return Err(KeyError(format!(
            "the query handle secret holds {} bytes; at least {MIN_KEY_BYTES} are needed",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// A handle for `handle`'s query, or `None` when it would be too long.
pub fn issue(key: &hmac::Key, handle: &QueryHandle) -> Option<String> {
    let payload = serde_json::to_vec(handle).ok()?;
    let tag = hmac::sign(key, &payload);
    let out = format!(
        "{PREFIX}{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    );
    (out.len() <= MAX_HANDLE_CHARS).then_some(out)
}

/// Checks `text` and returns what it binds; `now` is epoch seconds.
pub fn open(key: &hmac::Key, text: &str, now: i64) -> Result<QueryHandle, HandleError> {
    if text.len() > MAX_HANDLE_CHARS {
        return Err(HandleError::Invalid);
    }
    let rest = text.strip_prefix(PREFIX).ok_or(HandleError::Invalid)?;
    let (payload, tag) = rest.split_once('.').ok_or(HandleError::Invalid)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| HandleError::Invalid)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| HandleError::Invalid)?;
    // Constant-time comparison, before anything is read from the payload.
    hmac::verify(key, &payload, &tag).map_err(|_| HandleError::Invalid)?;
    let handle: QueryHandle = serde_json::from_slice(&payload).map_err(|_| HandleError::Invalid)?;
    if handle.expires < now {
        return Err(HandleError::Expired);
    }
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &[byte; 32])
    }

    fn handle() -> QueryHandle {
        QueryHandle {
            query_id: "12ab-34cd".into(),
            log_groups: vec!["/aws/lambda/a".into(), "/aws/lambda/b".into()],
            expires: 1_000,
        }
    }

    #[test]
    fn a_handle_opens_only_with_its_key_and_before_expiry() {
        let text = issue(&key(1), &handle()).unwrap();
        assert_eq!(open(&key(1), &text, 999), Ok(handle()));
        assert_eq!(open(&key(1), &text, 1_001), Err(HandleError::Expired));
        assert_eq!(open(&key(2), &text, 999), Err(HandleError::Invalid));
        assert_eq!(open(&key(1), "12ab-34cd", 999), Err(HandleError::Invalid));
    }

    #[test]
    fn any_change_to_a_handle_is_refused() {
        let text = issue(&key(1), &handle()).unwrap();
        // Every single-character change, and every truncation.
        for i in 0..text.len() {
            for replacement in ['A', 'x', '0', '.', '-', '_'] {
                let mut changed: Vec<char> = text.chars().collect();
                if changed[i] == replacement {
                    continue;
                }
                changed[i] = replacement;
                let changed: String = changed.into_iter().collect();
                assert!(open(&key(1), &changed, 0).is_err(), "{changed}");
            }
            assert!(open(&key(1), &text[..i], 0).is_err());
        }
        // A payload re-signed with another key, with the groups changed.
        let mut other = handle();
        other.log_groups = vec!["/aws/rds/prod".into()];
        let forged = issue(&key(2), &other).unwrap();
        assert_eq!(open(&key(1), &forged, 0), Err(HandleError::Invalid));
    }

    #[test]
    fn too_many_groups_get_no_handle() {
        let mut big = handle();
        big.log_groups = (0..50).map(|i| format!("/aws/lambda/{i:0>100}")).collect();
        assert_eq!(issue(&key(1), &big), None);
    }
}
