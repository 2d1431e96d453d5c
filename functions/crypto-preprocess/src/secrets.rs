//! Secrets (the webhook signing secret, the pseudonymization token key):
//! from AWS Secrets Manager, fetched on first use and cached for a few
//! minutes, or from the environment locally.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actionkit::ActionError;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;

use crate::error::key_unavailable;

/// How long a fetched secret is reused (rotation takes effect after this).
const CACHE_FOR: Duration = Duration::from_secs(300);

/// Where one secret comes from.
#[derive(Debug)]
pub enum SecretSource {
    /// A Secrets Manager secret (its `SecretString`).
    SecretsManager {
        /// The client.
        client: Client,
        /// Secret id or ARN.
        secret_id: String,
        /// The cached value and when it was fetched.
        cache: Mutex<Option<(Instant, Vec<u8>)>>,
    },
    /// A value from the environment: for local runs.
    Env(Vec<u8>),
    /// Not configured: operations that need it fail with `KeyUnavailable`.
    Missing(&'static str),
}

impl SecretSource {
    /// A Secrets Manager source.
    pub fn secrets_manager(client: Client, secret_id: impl Into<String>) -> Self {
        SecretSource::SecretsManager {
            client,
            secret_id: secret_id.into(),
            cache: Mutex::new(None),
        }
    }

    /// The secret's bytes.
    pub async fn get(&self) -> Result<Vec<u8>, ActionError> {
        match self {
            SecretSource::Env(value) => Ok(value.clone()),
            SecretSource::Missing(name) => {
                Err(key_unavailable(format!("{name} is not configured")))
            }
            SecretSource::SecretsManager {
                client,
                secret_id,
                cache,
            } => {
                if let Ok(guard) = cache.lock()
                    && let Some((at, value)) = guard.as_ref()
                    && at.elapsed() < CACHE_FOR
                {
                    return Ok(value.clone());
                }
                let out = client
                    .get_secret_value()
                    .secret_id(secret_id)
                    .send()
                    .await
                    .map_err(|e| {
                        key_unavailable(format!("GetSecretValue: {}", DisplayErrorContext(&e)))
                    })?;
                let value = out
                    .secret_string()
                    .map(|s| s.as_bytes().to_vec())
                    .or_else(|| out.secret_binary().map(|b| b.as_ref().to_vec()))
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| key_unavailable("the secret has no value"))?;
                if let Ok(mut guard) = cache.lock() {
                    *guard = Some((Instant::now(), value.clone()));
                }
                Ok(value)
            }
        }
    }
}
